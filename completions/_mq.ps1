
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mq' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pub', 'pub', [CompletionResultType]::ParameterValue, 'Publish messages (like mosquitto_pub)')
            [CompletionResult]::new('sub', 'sub', [CompletionResultType]::ParameterValue, 'Subscribe and print messages (like mosquitto_sub)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions: bash, zsh, fish, powershell or elvish')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): mq''s, or a subcommand''s')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mq;pub' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Broker host name or IP address')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Broker host name or IP address')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Broker port [default: 1883]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Broker port [default: 1883]')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Client id [default: assigned by the broker]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Client id [default: assigned by the broker]')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Client id prefix; the process id is appended')
            [CompletionResult]::new('--id-prefix', '--id-prefix', [CompletionResultType]::ParameterName, 'Client id prefix; the process id is appended')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keepalive interval: seconds or a duration like 30s')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Keepalive interval: seconds or a duration like 30s')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]')
            [CompletionResult]::new('--protocol-version', '--protocol-version', [CompletionResultType]::ParameterName, 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry')
            [CompletionResult]::new('--session-expiry', '--session-expiry', [CompletionResultType]::ParameterName, 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'User name')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'User name')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--pw', '--pw', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of FILE (which others must not be able to read)')
            [CompletionResult]::new('--will-topic', '--will-topic', [CompletionResultType]::ParameterName, 'Topic of the last will, published by the broker if mq dies without disconnecting')
            [CompletionResult]::new('--will-payload', '--will-payload', [CompletionResultType]::ParameterName, 'Payload of the last will')
            [CompletionResult]::new('--will-qos', '--will-qos', [CompletionResultType]::ParameterName, 'QoS of the last will')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take unset connection options from this profile in ~/.config/mq/config.toml')
            [CompletionResult]::new('--cafile', '--cafile', [CompletionResultType]::ParameterName, 'Trust the CAs in this PEM file (turns TLS on; default port 8883)')
            [CompletionResult]::new('--capath', '--capath', [CompletionResultType]::ParameterName, 'Trust the PEM CA certificates in this directory (turns TLS on)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM), for brokers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)')
            [CompletionResult]::new('--tls-version', '--tls-version', [CompletionResultType]::ParameterName, 'Speak only this TLS version: 1.2 or 1.3')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'Offer this ALPN protocol in the TLS handshake (repeatable)')
            [CompletionResult]::new('--tls-alpn', '--tls-alpn', [CompletionResultType]::ParameterName, 'Offer this ALPN protocol in the TLS handshake (repeatable)')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the broker''s certificate against NAME instead of the host')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Check the broker''s certificate against NAME instead of the host')
            [CompletionResult]::new('--ws-path', '--ws-path', [CompletionResultType]::ParameterName, 'HTTP path of the websocket endpoint [default: /mqtt]')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topic to publish to')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic to publish to')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Message payload')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Message payload')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Send a file as the payload')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send a file as the payload')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quality of service: 0, 1 or 2')
            [CompletionResult]::new('--qos', '--qos', [CompletionResultType]::ParameterName, 'Quality of service: 0, 1 or 2')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Publish the message this many times')
            [CompletionResult]::new('--repeat-delay', '--repeat-delay', [CompletionResultType]::ParameterName, 'Wait this long between repeated messages: seconds or a duration')
            [CompletionResult]::new('--ack-timeout', '--ack-timeout', [CompletionResultType]::ParameterName, 'Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish')
            [CompletionResult]::new('--user-property', '--user-property', [CompletionResultType]::ParameterName, 'Add a user property to the message: KEY=VALUE (repeatable)')
            [CompletionResult]::new('--content-type', '--content-type', [CompletionResultType]::ParameterName, 'Content type of the payload, e.g. application/json')
            [CompletionResult]::new('--message-expiry', '--message-expiry', [CompletionResultType]::ParameterName, 'The broker discards the message if undelivered after this long: seconds or a duration')
            [CompletionResult]::new('--response-topic', '--response-topic', [CompletionResultType]::ParameterName, 'Topic the receiver should answer on (request/response)')
            [CompletionResult]::new('--correlation-data', '--correlation-data', [CompletionResultType]::ParameterName, 'Correlation data for request/response, sent as these bytes')
            [CompletionResult]::new('--payload-format', '--payload-format', [CompletionResultType]::ParameterName, 'Declare the payload format: utf8 (checked before sending) or bytes')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or publish; repeatable)')
            [CompletionResult]::new('--property', '--property', [CompletionResultType]::ParameterName, 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or publish; repeatable)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Keep the session when disconnecting (persistent session; needs -i)')
            [CompletionResult]::new('--disable-clean-session', '--disable-clean-session', [CompletionResultType]::ParameterName, 'Keep the session when disconnecting (persistent session; needs -i)')
            [CompletionResult]::new('--will-retain', '--will-retain', [CompletionResultType]::ParameterName, 'Retain the last will')
            [CompletionResult]::new('--print-config', '--print-config', [CompletionResultType]::ParameterName, 'Print the effective connection settings (passwords masked) and exit')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)')
            [CompletionResult]::new('--tls-use-os-certs', '--tls-use-os-certs', [CompletionResultType]::ParameterName, 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the broker''s certificate at all (warns on every run; for testing only)')
            [CompletionResult]::new('--ws', '--ws', [CompletionResultType]::ParameterName, 'Connect over websockets (implied by ws:// and wss:// URLs)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Log MQTT packets on stderr (passwords are never shown)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Log MQTT packets on stderr (passwords are never shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print runtime errors (the exit code still tells)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Send all of stdin as one message')
            [CompletionResult]::new('--stdin-file', '--stdin-file', [CompletionResultType]::ParameterName, 'Send all of stdin as one message')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Send one message per line of stdin, on one connection')
            [CompletionResult]::new('--stdin-line', '--stdin-line', [CompletionResultType]::ParameterName, 'Send one message per line of stdin, on one connection')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Send an empty message')
            [CompletionResult]::new('--null-message', '--null-message', [CompletionResultType]::ParameterName, 'Send an empty message')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Ask the broker to retain the message')
            [CompletionResult]::new('--retain', '--retain', [CompletionResultType]::ParameterName, 'Ask the broker to retain the message')
            break
        }
        'mq;sub' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Broker host name or IP address')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Broker host name or IP address')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Broker port [default: 1883]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Broker port [default: 1883]')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Client id [default: assigned by the broker]')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Client id [default: assigned by the broker]')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Client id prefix; the process id is appended')
            [CompletionResult]::new('--id-prefix', '--id-prefix', [CompletionResultType]::ParameterName, 'Client id prefix; the process id is appended')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keepalive interval: seconds or a duration like 30s')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Keepalive interval: seconds or a duration like 30s')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]')
            [CompletionResult]::new('--protocol-version', '--protocol-version', [CompletionResultType]::ParameterName, 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry')
            [CompletionResult]::new('--session-expiry', '--session-expiry', [CompletionResultType]::ParameterName, 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'User name')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'User name')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--pw', '--pw', [CompletionResultType]::ParameterName, 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of FILE (which others must not be able to read)')
            [CompletionResult]::new('--will-topic', '--will-topic', [CompletionResultType]::ParameterName, 'Topic of the last will, published by the broker if mq dies without disconnecting')
            [CompletionResult]::new('--will-payload', '--will-payload', [CompletionResultType]::ParameterName, 'Payload of the last will')
            [CompletionResult]::new('--will-qos', '--will-qos', [CompletionResultType]::ParameterName, 'QoS of the last will')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after this long')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take unset connection options from this profile in ~/.config/mq/config.toml')
            [CompletionResult]::new('--cafile', '--cafile', [CompletionResultType]::ParameterName, 'Trust the CAs in this PEM file (turns TLS on; default port 8883)')
            [CompletionResult]::new('--capath', '--capath', [CompletionResultType]::ParameterName, 'Trust the PEM CA certificates in this directory (turns TLS on)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM), for brokers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)')
            [CompletionResult]::new('--tls-version', '--tls-version', [CompletionResultType]::ParameterName, 'Speak only this TLS version: 1.2 or 1.3')
            [CompletionResult]::new('--alpn', '--alpn', [CompletionResultType]::ParameterName, 'Offer this ALPN protocol in the TLS handshake (repeatable)')
            [CompletionResult]::new('--tls-alpn', '--tls-alpn', [CompletionResultType]::ParameterName, 'Offer this ALPN protocol in the TLS handshake (repeatable)')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Check the broker''s certificate against NAME instead of the host')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Check the broker''s certificate against NAME instead of the host')
            [CompletionResult]::new('--ws-path', '--ws-path', [CompletionResultType]::ParameterName, 'HTTP path of the websocket endpoint [default: /mqtt]')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topic filter to subscribe to (repeatable; + and # wildcards)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic filter to subscribe to (repeatable; + and # wildcards)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quality of service for the subscriptions: 0, 1 or 2')
            [CompletionResult]::new('--qos', '--qos', [CompletionResultType]::ParameterName, 'Quality of service for the subscriptions: 0, 1 or 2')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Do not print messages whose topic matches this filter (repeatable)')
            [CompletionResult]::new('--filter-out', '--filter-out', [CompletionResultType]::ParameterName, 'Do not print messages whose topic matches this filter (repeatable)')
            [CompletionResult]::new('-U', '-U ', [CompletionResultType]::ParameterName, 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)')
            [CompletionResult]::new('--unsubscribe', '--unsubscribe', [CompletionResultType]::ParameterName, 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Exit after this many messages')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit after this many messages')
            [CompletionResult]::new('-W', '-W ', [CompletionResultType]::ParameterName, 'Exit with code 27 if the wanted messages have not arrived after this long')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Exit with code 27 if the wanted messages have not arrived after this long')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Print each message with this template, as mosquitto_sub -F: ''%t %p'', ''@H:@M:@S %t %x'', ''%j''')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Payload display in the default and -v output [default: raw, but hex for binary on a terminal]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour the -v output: auto = when stdout is a terminal and NO_COLOR is not set')
            [CompletionResult]::new('--timestamp', '--timestamp', [CompletionResultType]::ParameterName, 'Prefix each line with its receive time (RFC 3339, ms); --timestamp=utc for UTC')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Also append every payload, byte-exact with nothing in between, to FILE')
            [CompletionResult]::new('--user-property', '--user-property', [CompletionResultType]::ParameterName, 'Add a user property to the SUBSCRIBE: KEY=VALUE (repeatable)')
            [CompletionResult]::new('--retain-handling', '--retain-handling', [CompletionResultType]::ParameterName, 'Retained messages: 0 send on subscribe, 1 only for a new subscription, 2 never')
            [CompletionResult]::new('--subscription-id', '--subscription-id', [CompletionResultType]::ParameterName, 'Subscription identifier (1-268435455), returned with each matching message')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or subscribe; repeatable)')
            [CompletionResult]::new('--property', '--property', [CompletionResultType]::ParameterName, 'mosquitto''s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will or subscribe; repeatable)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Keep the session when disconnecting (persistent session; needs -i)')
            [CompletionResult]::new('--disable-clean-session', '--disable-clean-session', [CompletionResultType]::ParameterName, 'Keep the session when disconnecting (persistent session; needs -i)')
            [CompletionResult]::new('--will-retain', '--will-retain', [CompletionResultType]::ParameterName, 'Retain the last will')
            [CompletionResult]::new('--print-config', '--print-config', [CompletionResultType]::ParameterName, 'Print the effective connection settings (passwords masked) and exit')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)')
            [CompletionResult]::new('--tls-use-os-certs', '--tls-use-os-certs', [CompletionResultType]::ParameterName, 'Use TLS, trusting the system''s CA store (implied by mqtts://, wss:// and -p 8883)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the broker''s certificate at all (warns on every run; for testing only)')
            [CompletionResult]::new('--ws', '--ws', [CompletionResultType]::ParameterName, 'Connect over websockets (implied by ws:// and wss:// URLs)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Log MQTT packets on stderr (passwords are never shown)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Log MQTT packets on stderr (passwords are never shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print runtime errors (the exit code still tells)')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Skip retained messages')
            [CompletionResult]::new('--no-retained', '--no-retained', [CompletionResultType]::ParameterName, 'Skip retained messages')
            [CompletionResult]::new('--retained-only', '--retained-only', [CompletionResultType]::ParameterName, 'Print only retained messages; exit at the first live one')
            [CompletionResult]::new('--remove-retained', '--remove-retained', [CompletionResultType]::ParameterName, 'Clear each retained message received (publishes an empty retained message to its topic)')
            [CompletionResult]::new('-E', '-E ', [CompletionResultType]::ParameterName, 'Exit as soon as the subscriptions are acknowledged')
            [CompletionResult]::new('--exit-after-subscribe', '--exit-after-subscribe', [CompletionResultType]::ParameterName, 'Exit as soon as the subscriptions are acknowledged')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the topic before each payload')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the topic before each payload')
            [CompletionResult]::new('-N', '-N ', [CompletionResultType]::ParameterName, 'Do not print a newline after each message')
            [CompletionResult]::new('--no-eol', '--no-eol', [CompletionResultType]::ParameterName, 'Do not print a newline after each message')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per line (NDJSON): time, topic, qos, retain, payload, properties')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Indent JSON: --json records, -F %j/%J, and JSON payloads in the default and -v output')
            [CompletionResult]::new('--count-only', '--count-only', [CompletionResultType]::ParameterName, 'Print how many messages arrived each second instead of the messages')
            [CompletionResult]::new('--message-rate', '--message-rate', [CompletionResultType]::ParameterName, 'Print how many messages arrived each second instead of the messages')
            [CompletionResult]::new('--no-local', '--no-local', [CompletionResultType]::ParameterName, 'Do not receive the messages this client publishes itself')
            [CompletionResult]::new('--retain-as-published', '--retain-as-published', [CompletionResultType]::ParameterName, 'Keep the retain flag of messages as published (instead of clearing it on live ones)')
            break
        }
        'mq;completions' {
            break
        }
        'mq;man' {
            break
        }
        'mq;help' {
            [CompletionResult]::new('pub', 'pub', [CompletionResultType]::ParameterValue, 'Publish messages (like mosquitto_pub)')
            [CompletionResult]::new('sub', 'sub', [CompletionResultType]::ParameterValue, 'Subscribe and print messages (like mosquitto_sub)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions: bash, zsh, fish, powershell or elvish')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): mq''s, or a subcommand''s')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mq;help;pub' {
            break
        }
        'mq;help;sub' {
            break
        }
        'mq;help;completions' {
            break
        }
        'mq;help;man' {
            break
        }
        'mq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
