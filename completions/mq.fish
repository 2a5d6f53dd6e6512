# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mq_global_optspecs
    string join \n help version
end

function __fish_mq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mq_using_subcommand
    set -l cmd (__fish_mq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mq -n "__fish_mq_needs_command" -l help -d 'Print help'
complete -c mq -n "__fish_mq_needs_command" -l version -d 'Print version'
complete -c mq -n "__fish_mq_needs_command" -f -a "pub" -d 'Publish messages (like mosquitto_pub)'
complete -c mq -n "__fish_mq_needs_command" -f -a "sub" -d 'Subscribe and print messages (like mosquitto_sub)'
complete -c mq -n "__fish_mq_needs_command" -f -a "completions" -d 'Print shell completions: bash, zsh, fish, powershell or elvish'
complete -c mq -n "__fish_mq_needs_command" -f -a "man" -d 'Print a man page (roff): mq\'s, or a subcommand\'s'
complete -c mq -n "__fish_mq_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand pub" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand pub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls-server-name -l sni -d 'Check the broker\'s certificate against NAME instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s t -l topic -d 'Topic to publish to' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s m -l message -d 'Message payload' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s f -l file -d 'Send a file as the payload' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -s q -l qos -d 'Quality of service: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l repeat -d 'Publish the message this many times' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l repeat-delay -d 'Wait this long between repeated messages: seconds or a duration' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l ack-timeout -d 'Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l user-property -d 'Add a user property to the message: KEY=VALUE (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l content-type -d 'Content type of the payload, e.g. application/json' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l message-expiry -d 'The broker discards the message if undelivered after this long: seconds or a duration' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l response-topic -d 'Topic the receiver should answer on (request/response)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l correlation-data -d 'Correlation data for request/response, sent as these bytes' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l payload-format -d 'Declare the payload format: utf8 (checked before sending) or bytes' -r -f -a "utf8\t'The payload is UTF-8 text (payload format indicator 1)'
bytes\t'Unspecified bytes (payload format indicator 0)'"
complete -c mq -n "__fish_mq_using_subcommand pub" -s D -l property -d 'mosquitto\'s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or publish; repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand pub" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand pub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s s -l stdin-file -d 'Send all of stdin as one message'
complete -c mq -n "__fish_mq_using_subcommand pub" -s l -l stdin-line -d 'Send one message per line of stdin, on one connection'
complete -c mq -n "__fish_mq_using_subcommand pub" -s n -l null-message -d 'Send an empty message'
complete -c mq -n "__fish_mq_using_subcommand pub" -s r -l retain -d 'Ask the broker to retain the message'
complete -c mq -n "__fish_mq_using_subcommand sub" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls-server-name -l sni -d 'Check the broker\'s certificate against NAME instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s t -l topic -d 'Topic filter to subscribe to (repeatable; + and # wildcards)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s q -l qos -d 'Quality of service for the subscriptions: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s T -l filter-out -d 'Do not print messages whose topic matches this filter (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s U -l unsubscribe -d 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s C -l count -d 'Exit after this many messages' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s W -l timeout -d 'Exit with code 27 if the wanted messages have not arrived after this long' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s F -d 'Print each message with this template, as mosquitto_sub -F: \'%t %p\', \'@H:@M:@S %t %x\', \'%j\'' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l format -d 'Payload display in the default and -v output [default: raw, but hex for binary on a terminal]' -r -f -a "raw\t'The bytes as received (mosquitto_sub\'s output)'
text\t'UTF-8 text; invalid bytes and control characters shown as \\xNN'
hex\t'Lowercase hex, two digits per byte'
base64\t'Standard base64'
json\t'JSON payloads re-serialised on one line (indented with --pretty); others as a JSON string'"
complete -c mq -n "__fish_mq_using_subcommand sub" -l color -d 'Colour the -v output: auto = when stdout is a terminal and NO_COLOR is not set' -r -f -a "auto\t'When stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l timestamp -d 'Prefix each line with its receive time (RFC 3339, ms); --timestamp=utc for UTC' -r -f -a "local\t''
utc\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l output -d 'Also append every payload, byte-exact with nothing in between, to FILE' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l user-property -d 'Add a user property to the SUBSCRIBE: KEY=VALUE (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l retain-handling -d 'Retained messages: 0 send on subscribe, 1 only for a new subscription, 2 never' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l subscription-id -d 'Subscription identifier (1-268435455), returned with each matching message' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s D -l property -d 'mosquitto\'s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or subscribe; repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand sub" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand sub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s R -l no-retained -d 'Skip retained messages'
complete -c mq -n "__fish_mq_using_subcommand sub" -l retained-only -d 'Print only retained messages; exit at the first live one'
complete -c mq -n "__fish_mq_using_subcommand sub" -l remove-retained -d 'Clear each retained message received (publishes an empty retained message to its topic)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s E -l exit-after-subscribe -d 'Exit as soon as the subscriptions are acknowledged'
complete -c mq -n "__fish_mq_using_subcommand sub" -s v -l verbose -d 'Print the topic before each payload'
complete -c mq -n "__fish_mq_using_subcommand sub" -s N -l no-eol -d 'Do not print a newline after each message'
complete -c mq -n "__fish_mq_using_subcommand sub" -l json -d 'Print one JSON object per line (NDJSON): time, topic, qos, retain, payload, properties'
complete -c mq -n "__fish_mq_using_subcommand sub" -l pretty -d 'Indent JSON: --json records, -F %j/%J, and JSON payloads in the default and -v output'
complete -c mq -n "__fish_mq_using_subcommand sub" -l count-only -l message-rate -d 'Print how many messages arrived each second instead of the messages'
complete -c mq -n "__fish_mq_using_subcommand sub" -l no-local -d 'Do not receive the messages this client publishes itself'
complete -c mq -n "__fish_mq_using_subcommand sub" -l retain-as-published -d 'Keep the retain flag of messages as published (instead of clearing it on live ones)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub completions man help" -f -a "pub" -d 'Publish messages (like mosquitto_pub)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub completions man help" -f -a "sub" -d 'Subscribe and print messages (like mosquitto_sub)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub completions man help" -f -a "completions" -d 'Print shell completions: bash, zsh, fish, powershell or elvish'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub completions man help" -f -a "man" -d 'Print a man page (roff): mq\'s, or a subcommand\'s'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
