
use builtin;
use str;

set edit:completion:arg-completer[mq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mq'= {
            cand --help 'Print help'
            cand --version 'Print version'
            cand pub 'Publish messages (like mosquitto_pub)'
            cand sub 'Subscribe and print messages (like mosquitto_sub)'
            cand completions 'Print shell completions: bash, zsh, fish, powershell or elvish'
            cand man 'Print a man page (roff): mq''s, or a subcommand''s'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mq;pub'= {
            cand -h 'Broker host name or IP address'
            cand --host 'Broker host name or IP address'
            cand -p 'Broker port [default: 1883]'
            cand --port 'Broker port [default: 1883]'
            cand -L 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path'
            cand --url 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path'
            cand -i 'Client id [default: assigned by the broker]'
            cand --id 'Client id [default: assigned by the broker]'
            cand -I 'Client id prefix; the process id is appended'
            cand --id-prefix 'Client id prefix; the process id is appended'
            cand -k 'Keepalive interval: seconds or a duration like 30s'
            cand --keepalive 'Keepalive interval: seconds or a duration like 30s'
            cand -V 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]'
            cand --protocol-version 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]'
            cand -x 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry'
            cand --session-expiry 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry'
            cand -u 'User name'
            cand --username 'User name'
            cand -P 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --password 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --pw 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --password-file 'Read the password from the first line of FILE (which others must not be able to read)'
            cand --will-topic 'Topic of the last will, published by the broker if mq dies without disconnecting'
            cand --will-payload 'Payload of the last will'
            cand --will-qos 'QoS of the last will'
            cand --connect-timeout 'Give up connecting after this long'
            cand --profile 'Take unset connection options from this profile in ~/.config/mq/config.toml'
            cand --cafile 'Trust the CAs in this PEM file (turns TLS on; default port 8883)'
            cand --capath 'Trust the PEM CA certificates in this directory (turns TLS on)'
            cand --cert 'Client certificate (PEM), for brokers that require one; needs --key'
            cand --key 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)'
            cand --tls-version 'Speak only this TLS version: 1.2 or 1.3'
            cand --alpn 'Offer this ALPN protocol in the TLS handshake (repeatable)'
            cand --tls-alpn 'Offer this ALPN protocol in the TLS handshake (repeatable)'
            cand --tls-server-name 'Check the broker''s certificate against NAME instead of the host'
            cand --sni 'Check the broker''s certificate against NAME instead of the host'
            cand --ws-path 'HTTP path of the websocket endpoint [default: /mqtt]'
            cand -t 'Topic to publish to'
            cand --topic 'Topic to publish to'
            cand -m 'Message payload'
            cand --message 'Message payload'
            cand -f 'Send a file as the payload'
            cand --file 'Send a file as the payload'
            cand -q 'Quality of service: 0, 1 or 2'
            cand --qos 'Quality of service: 0, 1 or 2'
            cand --repeat 'Publish the message this many times'
            cand --repeat-delay 'Wait this long between repeated messages: seconds or a duration'
            cand --ack-timeout 'Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish'
            cand --user-property 'Add a user property to the message: KEY=VALUE (repeatable)'
            cand --content-type 'Content type of the payload, e.g. application/json'
            cand --message-expiry 'The broker discards the message if undelivered after this long: seconds or a duration'
            cand --response-topic 'Topic the receiver should answer on (request/response)'
            cand --correlation-data 'Correlation data for request/response, sent as these bytes'
            cand --payload-format 'Declare the payload format: utf8 (checked before sending) or bytes'
            cand -D 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or publish; repeatable)'
            cand --property 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or publish; repeatable)'
            cand --help 'Print help'
            cand -c 'Keep the session when disconnecting (persistent session; needs -i)'
            cand --disable-clean-session 'Keep the session when disconnecting (persistent session; needs -i)'
            cand --will-retain 'Retain the last will'
            cand --print-config 'Print the effective connection settings (passwords masked) and exit'
            cand --tls 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)'
            cand --tls-use-os-certs 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)'
            cand --insecure 'Do not check the broker''s certificate at all (warns on every run; for testing only)'
            cand --ws 'Connect over websockets (implied by ws:// and wss:// URLs)'
            cand -d 'Log MQTT packets on stderr (passwords are never shown)'
            cand --debug 'Log MQTT packets on stderr (passwords are never shown)'
            cand --quiet 'Do not print runtime errors (the exit code still tells)'
            cand -s 'Send all of stdin as one message'
            cand --stdin-file 'Send all of stdin as one message'
            cand -l 'Send one message per line of stdin, on one connection'
            cand --stdin-line 'Send one message per line of stdin, on one connection'
            cand -n 'Send an empty message'
            cand --null-message 'Send an empty message'
            cand -r 'Ask the broker to retain the message'
            cand --retain 'Ask the broker to retain the message'
        }
        &'mq;sub'= {
            cand -h 'Broker host name or IP address'
            cand --host 'Broker host name or IP address'
            cand -p 'Broker port [default: 1883]'
            cand --port 'Broker port [default: 1883]'
            cand -L 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path'
            cand --url 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path'
            cand -i 'Client id [default: assigned by the broker]'
            cand --id 'Client id [default: assigned by the broker]'
            cand -I 'Client id prefix; the process id is appended'
            cand --id-prefix 'Client id prefix; the process id is appended'
            cand -k 'Keepalive interval: seconds or a duration like 30s'
            cand --keepalive 'Keepalive interval: seconds or a duration like 30s'
            cand -V 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]'
            cand --protocol-version 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]'
            cand -x 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry'
            cand --session-expiry 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry'
            cand -u 'User name'
            cand --username 'User name'
            cand -P 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --password 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --pw 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users'
            cand --password-file 'Read the password from the first line of FILE (which others must not be able to read)'
            cand --will-topic 'Topic of the last will, published by the broker if mq dies without disconnecting'
            cand --will-payload 'Payload of the last will'
            cand --will-qos 'QoS of the last will'
            cand --connect-timeout 'Give up connecting after this long'
            cand --profile 'Take unset connection options from this profile in ~/.config/mq/config.toml'
            cand --cafile 'Trust the CAs in this PEM file (turns TLS on; default port 8883)'
            cand --capath 'Trust the PEM CA certificates in this directory (turns TLS on)'
            cand --cert 'Client certificate (PEM), for brokers that require one; needs --key'
            cand --key 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)'
            cand --tls-version 'Speak only this TLS version: 1.2 or 1.3'
            cand --alpn 'Offer this ALPN protocol in the TLS handshake (repeatable)'
            cand --tls-alpn 'Offer this ALPN protocol in the TLS handshake (repeatable)'
            cand --tls-server-name 'Check the broker''s certificate against NAME instead of the host'
            cand --sni 'Check the broker''s certificate against NAME instead of the host'
            cand --ws-path 'HTTP path of the websocket endpoint [default: /mqtt]'
            cand -t 'Topic filter to subscribe to (repeatable; + and # wildcards)'
            cand --topic 'Topic filter to subscribe to (repeatable; + and # wildcards)'
            cand -q 'Quality of service for the subscriptions: 0, 1 or 2'
            cand --qos 'Quality of service for the subscriptions: 0, 1 or 2'
            cand -T 'Do not print messages whose topic matches this filter (repeatable)'
            cand --filter-out 'Do not print messages whose topic matches this filter (repeatable)'
            cand -U 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)'
            cand --unsubscribe 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)'
            cand -C 'Exit after this many messages'
            cand --count 'Exit after this many messages'
            cand -W 'Exit with code 27 if the wanted messages have not arrived after this long'
            cand --timeout 'Exit with code 27 if the wanted messages have not arrived after this long'
            cand --user-property 'Add a user property to the SUBSCRIBE: KEY=VALUE (repeatable)'
            cand --retain-handling 'Retained messages: 0 send on subscribe, 1 only for a new subscription, 2 never'
            cand --subscription-id 'Subscription identifier (1-268435455), returned with each matching message'
            cand -D 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or subscribe; repeatable)'
            cand --property 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or subscribe; repeatable)'
            cand --help 'Print help'
            cand -c 'Keep the session when disconnecting (persistent session; needs -i)'
            cand --disable-clean-session 'Keep the session when disconnecting (persistent session; needs -i)'
            cand --will-retain 'Retain the last will'
            cand --print-config 'Print the effective connection settings (passwords masked) and exit'
            cand --tls 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)'
            cand --tls-use-os-certs 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)'
            cand --insecure 'Do not check the broker''s certificate at all (warns on every run; for testing only)'
            cand --ws 'Connect over websockets (implied by ws:// and wss:// URLs)'
            cand -d 'Log MQTT packets on stderr (passwords are never shown)'
            cand --debug 'Log MQTT packets on stderr (passwords are never shown)'
            cand --quiet 'Do not print runtime errors (the exit code still tells)'
            cand -R 'Skip retained messages'
            cand --no-retained 'Skip retained messages'
            cand --retained-only 'Print only retained messages; exit at the first live one'
            cand --remove-retained 'Clear each retained message received (publishes an empty retained message to its topic)'
            cand -E 'Exit as soon as the subscriptions are acknowledged'
            cand --exit-after-subscribe 'Exit as soon as the subscriptions are acknowledged'
            cand -v 'Print the topic before each payload'
            cand --verbose 'Print the topic before each payload'
            cand -N 'Do not print a newline after each message'
            cand --no-eol 'Do not print a newline after each message'
            cand --no-local 'Do not receive the messages this client publishes itself'
            cand --retain-as-published 'Keep the retain flag of messages as published (instead of clearing it on live ones)'
        }
        &'mq;completions'= {
        }
        &'mq;man'= {
        }
        &'mq;help'= {
            cand pub 'Publish messages (like mosquitto_pub)'
            cand sub 'Subscribe and print messages (like mosquitto_sub)'
            cand completions 'Print shell completions: bash, zsh, fish, powershell or elvish'
            cand man 'Print a man page (roff): mq''s, or a subcommand''s'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mq;help;pub'= {
        }
        &'mq;help;sub'= {
        }
        &'mq;help;completions'= {
        }
        &'mq;help;man'= {
        }
        &'mq;help;help'= {
        }
    ]
    $completions[$command]
}
