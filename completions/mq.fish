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
complete -c mq -n "__fish_mq_needs_command" -f -a "rr" -d 'Publish a request and print its response (like mosquitto_rr, with correlation data)'
complete -c mq -n "__fish_mq_needs_command" -f -a "check" -d 'Diagnose a broker stage by stage: DNS, TCP, MQTT connect, subscribe, round trips, retained'
complete -c mq -n "__fish_mq_needs_command" -f -a "capture" -d 'Run a capture (a command\'s output, a file) on each trigger message and publish it; or, with --request, trigger a capture and save what comes back'
complete -c mq -n "__fish_mq_needs_command" -f -a "bench" -d 'Load test: publishers and subscribers, end-to-end latency percentiles, loss, JSON results'
complete -c mq -n "__fish_mq_needs_command" -f -a "topics" -d 'What is on this broker: one row per topic (messages, rate, bytes, retained, last payload) after listening a few seconds; clears retained messages safely'
complete -c mq -n "__fish_mq_needs_command" -f -a "bridge" -d 'Forward messages between two brokers, one way or both, losing none (like a mosquitto bridge, without touching the brokers\' configuration)'
complete -c mq -n "__fish_mq_needs_command" -f -a "completions" -d 'Print shell completions: bash, zsh, fish, powershell or elvish'
complete -c mq -n "__fish_mq_needs_command" -f -a "man" -d 'Print a man page (roff): mq\'s, or a subcommand\'s'
complete -c mq -n "__fish_mq_needs_command" -f -a "serve" -d 'Run an MQTT broker in this process (for demos, CI and workshops)'
complete -c mq -n "__fish_mq_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s t -l topic -d 'Topic to publish to' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s m -l message -d 'Message payload' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s f -l file -d 'Send a file: one message if it fits in a chunk, else a chunked transfer (which only mq sub --save-dir, or a reader of docs/transfer.md, puts back together); - reads stdin' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -s q -l qos -d 'Quality of service: 0, 1 or 2 [default: 0; 1 for chunked transfers]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l repeat -d 'Publish the message this many times' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l repeat-delay -d 'Wait this long between repeated messages: seconds or a duration' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l ack-timeout -d 'Fail if QoS 1/2 acknowledgements have not all arrived this long after the last publish' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s M -l max-inflight -d 'QoS 1/2 messages in flight at once [default: 1000 on MQTT 5 (the broker\'s receive maximum caps it), 20 on 3.1.1]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l chunk-size -d '-f: data bytes per chunk, like 256KiB or 1MiB [default: 256KiB, less if the broker\'s maximum packet size needs]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l ndjson -d 'Publish each record of this NDJSON file (mq sub --json lines; - reads stdin) to its own topic, with its payload, QoS, retain flag and MQTT 5 properties, on one connection' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l timing -d '--ndjson: send at once (asap) or keep the recorded gaps (recorded)' -r -f -a "asap\t'As fast as the broker takes them'
recorded\t'With the gaps between the records\' receive times (divided by --speed)'"
complete -c mq -n "__fish_mq_using_subcommand pub" -l speed -d '--ndjson --timing recorded: play this many times faster (0.5 is half speed)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l topic-prefix -d '--ndjson: put this before every record\'s topic (replay/ sends a/b to replay/a/b)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l user-property -d 'Add a user property to the message: KEY=VALUE (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l content-type -d 'Content type of the payload, e.g. application/json' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l message-expiry -d 'The broker discards the message if undelivered after this long: seconds or a duration' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l response-topic -d 'Topic the receiver should answer on (request/response)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l correlation-data -d 'Correlation data for request/response, sent as these bytes' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l payload-format -d 'Declare the payload format: utf8 (checked before sending) or bytes' -r -f -a "utf8\t'The payload is UTF-8 text (payload format indicator 1)'
bytes\t'Unspecified bytes (payload format indicator 0)'"
complete -c mq -n "__fish_mq_using_subcommand pub" -s D -l property -d 'mosquitto\'s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will, publish or disconnect; repeatable; values may start with -)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
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
complete -c mq -n "__fish_mq_using_subcommand pub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand pub" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand pub" -s s -l stdin-file -d 'Send all of stdin as one message'
complete -c mq -n "__fish_mq_using_subcommand pub" -s l -l stdin-line -d 'Send one message per line of stdin, on one connection'
complete -c mq -n "__fish_mq_using_subcommand pub" -s n -l null-message -d 'Send an empty message'
complete -c mq -n "__fish_mq_using_subcommand pub" -s r -l retain -d 'Ask the broker to retain the message'
complete -c mq -n "__fish_mq_using_subcommand pub" -l chunked -d '-f: send as a chunked transfer even if the file fits in one message'
complete -c mq -n "__fish_mq_using_subcommand pub" -l embedded -d 'With -l: start a broker inside mq on a free loopback port and publish to it; prints how to subscribe from another shell (instead of -h/-p/-L)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l skip-bad -d '--ndjson: skip bad lines (counted on stderr) instead of refusing the input'
complete -c mq -n "__fish_mq_using_subcommand pub" -l no-topic-alias -d 'Send the topic of every -l line in full (by default, on MQTT 5, a -l stream sends it once per connection and then a topic alias, when the broker allows aliases)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand pub" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand pub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand pub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand pub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand pub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s t -l topic -d 'Topic filter to subscribe to (repeatable; + and # wildcards)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s q -l qos -d 'Quality of service for the subscriptions: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s T -l filter-out -d 'Do not print messages whose topic matches this filter (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s U -l unsubscribe -d 'Unsubscribe from this filter after subscribing (repeatable; cleans persistent sessions)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s C -l count -d 'Exit after this many messages' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s W -l timeout -d 'Exit with code 27 if the wanted messages have not arrived after this long' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l random-filter -d 'Print only this share of the messages, picked at random: 0.1 to 100 (percent); hidden ones still count for -C, as with mosquitto_sub' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s M -l max-inflight -d 'QoS 1/2 messages in flight at once (the clears of --remove-retained), as mosquitto_sub -M' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l ready-file -d 'Create (or touch) FILE once the broker acknowledged every subscription: a script can wait for it before publishing (a leftover FILE is removed before connecting)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l where -d 'Only messages for which this jq expression outputs true: \'.temp > 30\'. `.` is the JSON payload (a payload that is not JSON never matches); $topic, $qos, $retained and $props (the MQTT 5 properties, as in --json) describe the message. Printed messages are the matching ones, and -C counts only those' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l grep -d 'Only messages whose payload, as UTF-8 text, matches this regular expression' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l assert -d 'Every message (that --where/--grep select) must make this jq expression output true; the first that does not ends mq with exit 6, naming its topic and payload' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s F -d 'Print each message with this template, as mosquitto_sub -F: \'%t %p\', \'@H:@M:@S %t %x\', \'%j\'' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l format -d 'Payload display in the default and -v output [default: raw, but hex for binary on a terminal]' -r -f -a "raw\t'The bytes as received (mosquitto_sub\'s output)'
text\t'UTF-8 text; invalid bytes and control characters shown as \\xNN'
hex\t'Lowercase hex, two digits per byte'
base64\t'Standard base64'
json\t'JSON payloads re-serialised on one line (indented with --pretty); others as a JSON string'"
complete -c mq -n "__fish_mq_using_subcommand sub" -l color -d 'Colour the -v output: auto = when stdout is a terminal (CLICOLOR_FORCE=1 forces it, NO_COLOR turns it off)' -r -f -a "auto\t'When stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l timestamp -d 'Prefix each line with its receive time (RFC 3339, ms); --timestamp=utc for UTC' -r -f -a "local\t''
utc\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l output -d 'Also append every payload, byte-exact with nothing in between, to FILE' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l save-dir -d 'Save each file (chunked transfer) and each other message as a file in DIR; print its path' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l transfer-timeout -d '--save-dir: give up on a transfer when no chunk arrived for this long' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l max-size -d '--save-dir: refuse files announced larger than this' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l exec -d 'Run this shell command (sh -c) for each message: the payload on its stdin, the topic, QoS, retain flag and MQTT 5 properties in MQ_* variables; its stdout goes to mq\'s stdout' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l concurrency -d '--exec: commands running at once; as many messages more wait, then mq stops reading' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l exec-timeout -d '--exec: kill a command (and its process group) still running after this long' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l exec-fail -d '--exec: what a failing command does: warn (go on, exit 1 at the end) or exit (with its code)' -r -f -a "warn\t'Report it on stderr and go on; the run exits 1 at its end if any failed'
exit\t'End mq sub with the command\'s exit code (its message stays unacknowledged)'"
complete -c mq -n "__fish_mq_using_subcommand sub" -l user-property -d 'Add a user property to the SUBSCRIBE: KEY=VALUE (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l retain-handling -d 'Retained messages: 0 send on subscribe, 1 only for a new subscription, 2 never' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l subscription-id -d 'Subscription identifier (1-268435455), returned with each matching message' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s D -l property -d 'mosquitto\'s spelling: -D COMMAND PROPERTY VALUE, or -D COMMAND user-property KEY VALUE (COMMAND: connect, will, subscribe, unsubscribe or disconnect; repeatable; values may start with -)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
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
complete -c mq -n "__fish_mq_using_subcommand sub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand sub" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand sub" -s R -l no-retained -d 'Skip retained messages'
complete -c mq -n "__fish_mq_using_subcommand sub" -l retained-only -d 'Print only retained messages; exit at the first live one'
complete -c mq -n "__fish_mq_using_subcommand sub" -l remove-retained -d 'Clear each retained message received (publishes an empty retained message to its topic)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s E -l exit-after-subscribe -d 'Exit as soon as the subscriptions are acknowledged'
complete -c mq -n "__fish_mq_using_subcommand sub" -s v -l verbose -d 'Print the topic before each payload'
complete -c mq -n "__fish_mq_using_subcommand sub" -s N -l no-eol -d 'Do not print a newline after each message'
complete -c mq -n "__fish_mq_using_subcommand sub" -l json -d 'Print one JSON object per line (NDJSON): time, topic, qos, retain, payload, properties'
complete -c mq -n "__fish_mq_using_subcommand sub" -l pretty -d 'Indent JSON: --json records, -F %j/%J, and JSON payloads in the default and -v output'
complete -c mq -n "__fish_mq_using_subcommand sub" -l count-only -l message-rate -d 'Print how many messages arrived each second instead of the messages'
complete -c mq -n "__fish_mq_using_subcommand sub" -l overwrite -d '--save-dir: replace an existing file of the same name (default: add a number, photo.1.jpg)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l reply -d '--exec: publish the command\'s stdout to the message\'s response topic, with its correlation data (MQTT 5 request/response), instead of printing it'
complete -c mq -n "__fish_mq_using_subcommand sub" -l no-local -d 'Do not receive the messages this client publishes itself'
complete -c mq -n "__fish_mq_using_subcommand sub" -l retain-as-published -d 'Keep the retain flag of messages as published (instead of clearing it on live ones)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l embedded -d 'Start a broker inside mq on a free loopback port and subscribe to it; prints how to publish to it from another shell (instead of -h/-p/-L)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand sub" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand sub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand sub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand sub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand sub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand rr" -s t -l topic -d 'Topic to publish the request to' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s e -l response-topic -d 'Topic the response is expected on (sent as the request\'s response topic)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s m -l message -d 'Request payload' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s f -l file -d 'Send this file as the request payload' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -s q -l qos -d 'Quality of service of the request and of the response subscription: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l correlation-data -d 'Correlation data of the request [default: 16 random bytes]; hex:0a1b and base64:Chs= give binary data, anything else is sent as its UTF-8 bytes' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s W -l timeout -d 'Exit with code 27 if no response arrived after this long (mosquitto_rr waits forever)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s F -d 'Print the response with this template, as mq sub -F (see mq sub --help)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l where -d 'Only messages for which this jq expression outputs true: \'.temp > 30\'. `.` is the JSON payload (a payload that is not JSON never matches); $topic, $qos, $retained and $props (the MQTT 5 properties, as in --json) describe the message. Printed messages are the matching ones, and -C counts only those' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l grep -d 'Only messages whose payload, as UTF-8 text, matches this regular expression' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l assert -d 'Every message (that --where/--grep select) must make this jq expression output true; the first that does not ends mq with exit 6, naming its topic and payload' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand rr" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand rr" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand rr" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand rr" -s s -l stdin-file -d 'Send all of stdin as the request payload'
complete -c mq -n "__fish_mq_using_subcommand rr" -s n -l null-message -d 'Send an empty request'
complete -c mq -n "__fish_mq_using_subcommand rr" -s v -l verbose -d 'Print the topic before the response\'s payload'
complete -c mq -n "__fish_mq_using_subcommand rr" -s N -l no-eol -d 'Do not print a newline after the response'
complete -c mq -n "__fish_mq_using_subcommand rr" -l json -d 'Print the response as one JSON object (mq sub --json\'s record)'
complete -c mq -n "__fish_mq_using_subcommand rr" -l pretty -d 'Indent JSON: --json records, -F %j/%J'
complete -c mq -n "__fish_mq_using_subcommand rr" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand rr" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand rr" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand rr" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand rr" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand rr" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand rr" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand rr" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand rr" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand rr" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand check" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand check" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand check" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand check" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand check" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l topic-prefix -d 'Topics used by the check live under this prefix [default: mq-check/<random>]' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l max-payload -d 'Largest payload the --probe size search tries: bytes, or with a unit (64KiB, 16MiB)' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l timeout -d 'How long to wait for each acknowledgement or message' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l max-latency -d 'Fail (exit 6) if a round trip takes longer than this' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l min-cert-days -d 'Fail (exit 6) if the broker\'s certificate expires in fewer days than this' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l wait -d 'Retry the whole check until it passes or this long has passed (a broker still starting): exit 0 at the first pass, else the code of the last failure' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l interval -d 'Repeat the check at this interval, one line per run, until Ctrl-C (then a summary)' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l runs -d 'With --interval: stop after this many runs' -r
complete -c mq -n "__fish_mq_using_subcommand check" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand check" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand check" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand check" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand check" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand check" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand check" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand check" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand check" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand check" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand check" -l probe -d 'Also probe capabilities: wildcards, shared subscriptions, maximum payload, will, $SYS'
complete -c mq -n "__fish_mq_using_subcommand check" -l json -d 'Print one JSON object instead of the report'
complete -c mq -n "__fish_mq_using_subcommand check" -l embedded -d 'Check a broker started inside mq on a free loopback port (instead of -h/-p/-L)'
complete -c mq -n "__fish_mq_using_subcommand check" -l require-v5 -d 'Fail (exit 6) if the broker does not accept MQTT 5'
complete -c mq -n "__fish_mq_using_subcommand check" -l require-tls -d 'Fail (exit 6) unless the connection uses TLS'
complete -c mq -n "__fish_mq_using_subcommand capture" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand capture" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand capture" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l trigger -d 'Trigger topic filter (agent; + and # allowed), or the topic to publish the trigger to (--request)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l match -d 'Capture only for a trigger with exactly this payload [default: any payload]; --request sends it' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l match-json -d 'Capture only for a JSON trigger whose value at this JSON pointer equals VALUE: /cmd=capture' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l where -d 'Capture only for a trigger for which this jq expression outputs true, as mq sub --where: \'.cmd == "capture" and .quality > 50\' ($topic, $qos, $retained, $props as there)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l topic -d 'Topic for the captures; {1}, {2}... stand for levels of the trigger\'s topic' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l exec -d 'Source: a shell command whose stdout is the capture; the trigger\'s payload is on its stdin and in $MQ_TRIGGER_PAYLOAD_FILE (env MQ_TRIGGER_TOPIC, MQ_TRIGGER_PAYLOAD)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l file -d 'Source: publish this file (written by another camera tool)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -l timeout -d 'Kill a capture command still running after this long' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l concurrency -d 'Captures running at once, at most' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l on-busy -d 'A trigger that arrives while --concurrency captures run: queue it (up to 100) or drop it (counted)' -r -f -a "queue\t''
drop\t''"
complete -c mq -n "__fish_mq_using_subcommand capture" -l status-topic -d 'Retained online/offline status topic [default: <topic>/status]' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s q -l qos -d 'Quality of service of captures, events and status' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l chunk-size -d 'Data bytes per chunk of a chunked capture (as mq pub --chunk-size)' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -s o -l output -d '--request: where to save the capture (replaced atomically)' -r -F
complete -c mq -n "__fish_mq_using_subcommand capture" -s W -l wait -d '--request: exit 27 if the capture has not arrived after this long' -r
complete -c mq -n "__fish_mq_using_subcommand capture" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand capture" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand capture" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand capture" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand capture" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand capture" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand capture" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand capture" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand capture" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand capture" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand capture" -l request -d 'Request side: publish the trigger, wait for the capture, save it to -o'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s h -l host -d 'Broker host, or a comma-separated list (host or host:port) to spread clients round-robin' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s p -l port -d 'Broker port for hosts given without one [default: 1883, 8883 with TLS]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l prefix -d 'Client id prefix (ids are PREFIX-pub-N, PREFIX-sub-N, PREFIX-conn-N) [default: mq-bench-PID]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s i -l connect-interval -d 'Wait this long between connects (emqtt-bench\'s -i)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s R -l connect-rate -d 'Connects per second, instead of -i (emqtt-bench\'s -R); open loop: connect latency counts from each connect\'s scheduled start' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l source -d '`conn`: local addresses to connect from, round-robin: a list (127.0.0.1,127.0.0.2) or a CIDR block (127.0.0.0/30); each gives one more ephemeral port range per broker' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l churn -d '`conn`: disconnect and reconnect this many held clients per second, timing the reconnects' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l workers -d '`conn`: run the clients in N worker processes of mq (past one process\'s file descriptor limit) and merge their results [default: as many as the limit needs]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l worker -d 'This process is worker K of N (0-based) of a --workers run: its share of the clients' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s c -l publishers -l clients -d 'Publishers (the clients to connect in `conn` mode)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l subscribers -d 'Subscribers (each gets every message, or one share with --shared)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s s -l size -d 'Message size in bytes (at least 32: publisher id, sequence and timestamp, then padding)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s q -l qos -d 'Quality of service: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s I -l interval -d 'Interval between messages of each publisher (open loop) [default: as fast as acked]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l rate -d 'Messages per second, all publishers together (open loop, instead of -I)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s L -l count -d 'Messages to send in total (`sub`: to receive), shared between publishers' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l duration -d 'Stop after this long [default: 10s unless -L is given; `conn`: 0, disconnect at once]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l warmup -d 'Leave messages sent in this first period out of the latency figures' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s t -l topic -d 'Topic template: %i is the publisher number, %s the sequence; subscribers use + there' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s F -l inflight -d 'QoS 1/2 messages in flight per publisher (MQTT 5: the broker\'s receive maximum caps it; 3.1.1: above the broker\'s limit, mosquitto closes QoS 2 connections)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l embedded -d 'Benchmark a broker started inside mq on a free loopback port (instead of -h/-p)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l shared -d 'Subscribers share one subscription ($share/mq-bench/...): each message goes to one'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -s r -l retain -d 'Publish with the retain flag'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -l json -d 'Print the summary as one JSON object (histograms included, for `mq bench merge`)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -f -a "pub" -d 'Publishers only (pair with `mq bench sub` elsewhere)'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -f -a "sub" -d 'Subscribers only: latency and loss of what `mq bench pub` sends'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -f -a "conn" -d 'Connections only: connect -c clients, time each CONNECT, hold them for --duration'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -f -a "merge" -d 'Merge `--json` results of several runs (machines) into one summary'
complete -c mq -n "__fish_mq_using_subcommand bench; and not __fish_seen_subcommand_from pub sub conn merge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s h -l host -d 'Broker host, or a comma-separated list (host or host:port) to spread clients round-robin' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s p -l port -d 'Broker port for hosts given without one [default: 1883, 8883 with TLS]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l prefix -d 'Client id prefix (ids are PREFIX-pub-N, PREFIX-sub-N, PREFIX-conn-N) [default: mq-bench-PID]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s i -l connect-interval -d 'Wait this long between connects (emqtt-bench\'s -i)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s R -l connect-rate -d 'Connects per second, instead of -i (emqtt-bench\'s -R); open loop: connect latency counts from each connect\'s scheduled start' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l source -d '`conn`: local addresses to connect from, round-robin: a list (127.0.0.1,127.0.0.2) or a CIDR block (127.0.0.0/30); each gives one more ephemeral port range per broker' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l churn -d '`conn`: disconnect and reconnect this many held clients per second, timing the reconnects' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l workers -d '`conn`: run the clients in N worker processes of mq (past one process\'s file descriptor limit) and merge their results [default: as many as the limit needs]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l worker -d 'This process is worker K of N (0-based) of a --workers run: its share of the clients' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s c -l publishers -l clients -d 'Publishers (the clients to connect in `conn` mode)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l subscribers -d 'Subscribers (each gets every message, or one share with --shared)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s s -l size -d 'Message size in bytes (at least 32: publisher id, sequence and timestamp, then padding)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s q -l qos -d 'Quality of service: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s I -l interval -d 'Interval between messages of each publisher (open loop) [default: as fast as acked]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l rate -d 'Messages per second, all publishers together (open loop, instead of -I)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s L -l count -d 'Messages to send in total (`sub`: to receive), shared between publishers' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l duration -d 'Stop after this long [default: 10s unless -L is given; `conn`: 0, disconnect at once]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l warmup -d 'Leave messages sent in this first period out of the latency figures' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s t -l topic -d 'Topic template: %i is the publisher number, %s the sequence; subscribers use + there' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s F -l inflight -d 'QoS 1/2 messages in flight per publisher (MQTT 5: the broker\'s receive maximum caps it; 3.1.1: above the broker\'s limit, mosquitto closes QoS 2 connections)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l embedded -d 'Benchmark a broker started inside mq on a free loopback port (instead of -h/-p)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l shared -d 'Subscribers share one subscription ($share/mq-bench/...): each message goes to one'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -s r -l retain -d 'Publish with the retain flag'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from pub" -l json -d 'Print the summary as one JSON object (histograms included, for `mq bench merge`)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s h -l host -d 'Broker host, or a comma-separated list (host or host:port) to spread clients round-robin' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s p -l port -d 'Broker port for hosts given without one [default: 1883, 8883 with TLS]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l prefix -d 'Client id prefix (ids are PREFIX-pub-N, PREFIX-sub-N, PREFIX-conn-N) [default: mq-bench-PID]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s i -l connect-interval -d 'Wait this long between connects (emqtt-bench\'s -i)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s R -l connect-rate -d 'Connects per second, instead of -i (emqtt-bench\'s -R); open loop: connect latency counts from each connect\'s scheduled start' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l source -d '`conn`: local addresses to connect from, round-robin: a list (127.0.0.1,127.0.0.2) or a CIDR block (127.0.0.0/30); each gives one more ephemeral port range per broker' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l churn -d '`conn`: disconnect and reconnect this many held clients per second, timing the reconnects' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l workers -d '`conn`: run the clients in N worker processes of mq (past one process\'s file descriptor limit) and merge their results [default: as many as the limit needs]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l worker -d 'This process is worker K of N (0-based) of a --workers run: its share of the clients' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s c -l publishers -l clients -d 'Publishers (the clients to connect in `conn` mode)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l subscribers -d 'Subscribers (each gets every message, or one share with --shared)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s s -l size -d 'Message size in bytes (at least 32: publisher id, sequence and timestamp, then padding)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s q -l qos -d 'Quality of service: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s I -l interval -d 'Interval between messages of each publisher (open loop) [default: as fast as acked]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l rate -d 'Messages per second, all publishers together (open loop, instead of -I)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s L -l count -d 'Messages to send in total (`sub`: to receive), shared between publishers' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l duration -d 'Stop after this long [default: 10s unless -L is given; `conn`: 0, disconnect at once]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l warmup -d 'Leave messages sent in this first period out of the latency figures' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s t -l topic -d 'Topic template: %i is the publisher number, %s the sequence; subscribers use + there' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s F -l inflight -d 'QoS 1/2 messages in flight per publisher (MQTT 5: the broker\'s receive maximum caps it; 3.1.1: above the broker\'s limit, mosquitto closes QoS 2 connections)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l embedded -d 'Benchmark a broker started inside mq on a free loopback port (instead of -h/-p)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l shared -d 'Subscribers share one subscription ($share/mq-bench/...): each message goes to one'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -s r -l retain -d 'Publish with the retain flag'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from sub" -l json -d 'Print the summary as one JSON object (histograms included, for `mq bench merge`)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s h -l host -d 'Broker host, or a comma-separated list (host or host:port) to spread clients round-robin' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s p -l port -d 'Broker port for hosts given without one [default: 1883, 8883 with TLS]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l prefix -d 'Client id prefix (ids are PREFIX-pub-N, PREFIX-sub-N, PREFIX-conn-N) [default: mq-bench-PID]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s i -l connect-interval -d 'Wait this long between connects (emqtt-bench\'s -i)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s R -l connect-rate -d 'Connects per second, instead of -i (emqtt-bench\'s -R); open loop: connect latency counts from each connect\'s scheduled start' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l source -d '`conn`: local addresses to connect from, round-robin: a list (127.0.0.1,127.0.0.2) or a CIDR block (127.0.0.0/30); each gives one more ephemeral port range per broker' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l churn -d '`conn`: disconnect and reconnect this many held clients per second, timing the reconnects' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l workers -d '`conn`: run the clients in N worker processes of mq (past one process\'s file descriptor limit) and merge their results [default: as many as the limit needs]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l worker -d 'This process is worker K of N (0-based) of a --workers run: its share of the clients' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s c -l publishers -l clients -d 'Publishers (the clients to connect in `conn` mode)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l subscribers -d 'Subscribers (each gets every message, or one share with --shared)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s s -l size -d 'Message size in bytes (at least 32: publisher id, sequence and timestamp, then padding)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s q -l qos -d 'Quality of service: 0, 1 or 2' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s I -l interval -d 'Interval between messages of each publisher (open loop) [default: as fast as acked]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l rate -d 'Messages per second, all publishers together (open loop, instead of -I)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s L -l count -d 'Messages to send in total (`sub`: to receive), shared between publishers' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l duration -d 'Stop after this long [default: 10s unless -L is given; `conn`: 0, disconnect at once]' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l warmup -d 'Leave messages sent in this first period out of the latency figures' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s t -l topic -d 'Topic template: %i is the publisher number, %s the sequence; subscribers use + there' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s F -l inflight -d 'QoS 1/2 messages in flight per publisher (MQTT 5: the broker\'s receive maximum caps it; 3.1.1: above the broker\'s limit, mosquitto closes QoS 2 connections)' -r
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l embedded -d 'Benchmark a broker started inside mq on a free loopback port (instead of -h/-p)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l shared -d 'Subscribers share one subscription ($share/mq-bench/...): each message goes to one'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -s r -l retain -d 'Publish with the retain flag'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from conn" -l json -d 'Print the summary as one JSON object (histograms included, for `mq bench merge`)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from merge" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from merge" -l json -d 'Print the merged summary as JSON'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "pub" -d 'Publishers only (pair with `mq bench sub` elsewhere)'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "sub" -d 'Subscribers only: latency and loss of what `mq bench pub` sends'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "conn" -d 'Connections only: connect -c clients, time each CONNECT, hold them for --duration'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "merge" -d 'Merge `--json` results of several runs (machines) into one summary'
complete -c mq -n "__fish_mq_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mq -n "__fish_mq_using_subcommand topics" -s t -l topic -d 'Topic filter to listen to (repeatable; + and # wildcards) [default: #]' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s T -l filter-out -d 'Leave out topics that match this filter (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s W -l timeout -d 'Listen this long [default: 5s]; with --retained-only, --clear-retained or --watch, an upper bound (they end by themselves, or at Ctrl-C)' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s q -l qos -d 'Subscription QoS: messages arrive at most at this QoS, so the QOS column (shown when above 0) tells what publishers used only up to it' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l max-topics -d 'Remember at most this many topics; messages on further topics are not counted' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l sort -d 'Row order: topic name; rate, count or bytes (highest first); age (most recent first) [default: topic; rate with --watch]' -r -f -a "topic\t''
rate\t''
count\t''
bytes\t''
age\t''"
complete -c mq -n "__fish_mq_using_subcommand topics" -s h -l host -d 'Broker host name or IP address' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s p -l port -d 'Broker port [default: 1883]' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l unix -d 'Connect through this unix domain socket instead of TCP (mosquitto\'s --unix)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l proxy -d 'Connect through this SOCKS5 proxy: socks5h://[user:password@]host[:port] (the proxy resolves the broker\'s name; socks5:// resolves it here) [default port: 1080]' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s A -l bind-address -d 'Connect from this local IP address (mosquitto\'s -A); with --proxy, to the proxy' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s L -l url -d 'Broker URL: mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://host[:port]/path' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s i -l id -d 'Client id [default: assigned by the broker]' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s I -l id-prefix -d 'Client id prefix; the process id is appended' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s (0: no PINGREQ at all)' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s V -l protocol-version -d 'MQTT version: 5 or 311 [default: 5, falling back to 3.1.1 when the broker refuses 5]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand topics" -s x -l session-expiry -d 'MQTT 5 session expiry: seconds, a duration, or -1 / never for no expiry' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s u -l username -d 'User name' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -s P -l password -l pw -d 'Password; `-P -` asks on the terminal. Prefer --password-file or MQ_PASSWORD: a command line is visible to other users' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l password-file -d 'Read the password from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l will-topic -d 'Topic of the last will, published by the broker if mq dies without disconnecting' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l will-payload -d 'Payload of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l will-qos -d 'QoS of the last will' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l connect-timeout -d 'Give up connecting after this long' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l profile -d 'Take unset connection options from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l cafile -d 'Trust the CAs in this PEM file (turns TLS on; default port 8883)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l capath -d 'Trust the PEM CA certificates in this directory (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l cert -d 'Client certificate (PEM), for brokers that require one; needs --key' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l key -d 'Private key of --cert (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; encrypted PKCS#8 too)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l key-password-file -d 'Passphrase of an encrypted --key: the first line of FILE (else MQ_KEY_PASSWORD, else a prompt when stdin is a terminal)' -r -F
complete -c mq -n "__fish_mq_using_subcommand topics" -l tls-version -d 'Speak only this TLS version: 1.2 or 1.3' -r -f -a "1.2\t''
1.3\t''"
complete -c mq -n "__fish_mq_using_subcommand topics" -l ciphers -d 'TLS 1.2 cipher suites to offer, OpenSSL or IANA names separated by \':\' (e.g. ECDHE-RSA-AES128-GCM-SHA256); an unknown name lists the supported ones' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l tls13-ciphers -d 'TLS 1.3 cipher suites to offer, separated by \':\' (e.g. TLS_AES_256_GCM_SHA384)' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l alpn -l tls-alpn -d 'Offer this ALPN protocol in the TLS handshake (repeatable)' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l tls-server-name -l sni -d 'Send NAME as SNI and check the broker\'s certificate against it, instead of the host' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l psk -d 'TLS-PSK key (hex), as mosquitto: not supported (rustls has no external pre-shared keys); mq exits 2 saying so' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l psk-identity -d 'TLS-PSK identity, as mosquitto: not supported, like --psk' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l ws-path -d 'HTTP path of the websocket endpoint [default: /mqtt]' -r
complete -c mq -n "__fish_mq_using_subcommand topics" -l retained-only -d 'Only retained topics: a snapshot of the broker\'s retained store under the filters, ending once no retained message arrived for 1s'
complete -c mq -n "__fish_mq_using_subcommand topics" -l flat -d 'One row per topic instead of a tree of topic levels'
complete -c mq -n "__fish_mq_using_subcommand topics" -l json -d 'Print one JSON document: the filters, the window and one object per topic'
complete -c mq -n "__fish_mq_using_subcommand topics" -l ndjson -d 'Print one JSON object per topic, one per line'
complete -c mq -n "__fish_mq_using_subcommand topics" -l watch -d 'On a terminal, redraw the table every second (sorted by rate) until Ctrl-C, which prints the final table'
complete -c mq -n "__fish_mq_using_subcommand topics" -l clear-retained -d 'Clear every retained message under the filters (an empty retained message to each topic), then subscribe again to verify that none is left'
complete -c mq -n "__fish_mq_using_subcommand topics" -l dry-run -d 'With --clear-retained: list what would be cleared and change nothing'
complete -c mq -n "__fish_mq_using_subcommand topics" -s y -l yes -d 'With --clear-retained: do not ask for confirmation (needed when stdin is not a terminal)'
complete -c mq -n "__fish_mq_using_subcommand topics" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand topics" -l version -d 'Print version (the protocol version is -V)'
complete -c mq -n "__fish_mq_using_subcommand topics" -s c -l disable-clean-session -d 'Keep the session when disconnecting (persistent session; needs -i)'
complete -c mq -n "__fish_mq_using_subcommand topics" -l will-retain -d 'Retain the last will'
complete -c mq -n "__fish_mq_using_subcommand topics" -l print-config -d 'Print the effective connection settings (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand topics" -l tls -l tls-use-os-certs -d 'Use TLS, trusting the system\'s CA store (implied by mqtts://, wss:// and -p 8883)'
complete -c mq -n "__fish_mq_using_subcommand topics" -l insecure -d 'Do not check the broker\'s certificate at all (warns on every run; for testing only)'
complete -c mq -n "__fish_mq_using_subcommand topics" -l ws -d 'Connect over websockets (implied by ws:// and wss:// URLs)'
complete -c mq -n "__fish_mq_using_subcommand topics" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand topics" -l quiet -d 'Do not print runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from -d 'The --from broker\'s URL: mqtt[s]://[user[:password]@]host[:port], or ws[s]://host[:port]/path [default: mqtt://localhost]' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-profile -d 'Take the --from broker\'s unset settings from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-id -d 'Client id base on the --from broker: its connections are ID-out and ID-in [default: --name]' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-username -d 'User name on the --from broker (also user@ in the URL)' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-password-file -d 'Password on the --from broker: the first line of FILE' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-cafile -d 'Trust the CAs in this PEM file for the --from broker (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-cert -d 'Client certificate (PEM) for the --from broker; needs the key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-key -d 'Private key (PEM) of the --from client certificate' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-protocol-version -d 'MQTT version to the --from broker: 5 or 311 [default: 5, else 3.1.1]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to -d 'The --to broker\'s URL: mqtt[s]://[user[:password]@]host[:port], or ws[s]://host[:port]/path [default: mqtt://localhost]' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-profile -d 'Take the --to broker\'s unset settings from this profile in ~/.config/mq/config.toml' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-id -d 'Client id base on the --to broker: its connections are ID-out and ID-in [default: --name]' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-username -d 'User name on the --to broker (also user@ in the URL)' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-password-file -d 'Password on the --to broker: the first line of FILE' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-cafile -d 'Trust the CAs in this PEM file for the --to broker (turns TLS on)' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-cert -d 'Client certificate (PEM) for the --to broker; needs the key' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-key -d 'Private key (PEM) of the --to client certificate' -r -F
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-protocol-version -d 'MQTT version to the --to broker: 5 or 311 [default: 5, else 3.1.1]' -r -f -a "5\t''
311\t''
31\t''"
complete -c mq -n "__fish_mq_using_subcommand bridge" -s t -l topic -d 'What to forward, as mosquitto\'s `topic` line: \'PATTERN [out|in|both [QOS [FROM-PREFIX TO-PREFIX]]]\' ("" for an empty prefix); repeatable' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -s q -l qos -d 'QoS of topic lines that name none (the subscription\'s QoS; a message keeps its own, up to it)' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l name -d 'Name of this bridge: the base of its client ids, and its mark on messages it forwarded [default: mq-bridge-HASH of the brokers and topic lines]' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -s x -l session-expiry -d 'How long the brokers keep the bridge\'s sessions while it is away (MQTT 5): seconds, a duration, or never' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l window -d 'Messages forwarded but not yet acknowledged by the destination, per direction: past it the bridge stops reading the source' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -s k -l keepalive -d 'Keepalive interval: seconds or a duration like 30s' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l connect-timeout -d 'Give up the first connect to either broker after this long' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l stats -d 'Print forwarded/s, in flight, duplicates and lag per direction this often' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l status-topic -d 'Keep a retained {"status":"online"|"offline"} on this topic of the destination broker (offline also by will when the bridge dies)' -r
complete -c mq -n "__fish_mq_using_subcommand bridge" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l version -d 'Print version'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-tls -d 'TLS to the --from broker, trusting the system\'s CA store'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l from-insecure -d 'Do not check the --from broker\'s certificate (testing only)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-tls -d 'TLS to the --to broker, trusting the system\'s CA store'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l to-insecure -d 'Do not check the --to broker\'s certificate (testing only)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l out -d 'Topic lines without a direction forward from --from to --to (the default)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l in -d 'Topic lines without a direction forward from --to to --from'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l both -d 'Topic lines without a direction forward both ways (never back: see the README)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l no-retain -d 'Forward every message with the retain flag off (retained messages are then not kept at the destination)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l json -d 'Print the --stats and connection lines as JSON objects on stdout'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l print-config -d 'Print the effective settings of each connection (passwords masked) and exit'
complete -c mq -n "__fish_mq_using_subcommand bridge" -s d -l debug -d 'Log MQTT packets on stderr (passwords are never shown)'
complete -c mq -n "__fish_mq_using_subcommand bridge" -l quiet -d 'Do not print reconnects and runtime errors (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand completions" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand man" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand serve" -l bind -d 'Address to listen on for MQTT (3.1.1 and 5 on one port)' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -l ws -d 'Also listen for MQTT over websockets (ws://, wss:// with --tls-cert) on this port, same address as --bind' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -s u -l username -d 'Require this user name (with --password or --password-file)' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -s P -l password -d 'The password clients must give' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -l password-file -d 'Read the password clients must give from the first line of FILE (which others must not be able to read)' -r -F
complete -c mq -n "__fish_mq_using_subcommand serve" -l tls-cert -d 'Speak TLS on --bind (and --ws) with this PEM certificate chain (needs --tls-key)' -r -F
complete -c mq -n "__fish_mq_using_subcommand serve" -l tls-key -d 'PEM private key for --tls-cert' -r -F
complete -c mq -n "__fish_mq_using_subcommand serve" -l max-packet-size -d 'Largest packet accepted from a client: bytes, or with a unit (64KiB, 16MiB)' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -l max-connections -d 'Clients served at once; the next ones are refused with a "server busy" CONNACK [default: what the open-file limit allows, at most 100000]' -r
complete -c mq -n "__fish_mq_using_subcommand serve" -l help -d 'Print help'
complete -c mq -n "__fish_mq_using_subcommand serve" -l public -d 'Allow --bind on a non-loopback address (reachable from other machines)'
complete -c mq -n "__fish_mq_using_subcommand serve" -s d -l debug -d 'Log connections on stderr'
complete -c mq -n "__fish_mq_using_subcommand serve" -l quiet -d 'Do not print where the broker listens, nor error text (the exit code still tells)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "pub" -d 'Publish messages (like mosquitto_pub)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "sub" -d 'Subscribe and print messages (like mosquitto_sub)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "rr" -d 'Publish a request and print its response (like mosquitto_rr, with correlation data)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "check" -d 'Diagnose a broker stage by stage: DNS, TCP, MQTT connect, subscribe, round trips, retained'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "capture" -d 'Run a capture (a command\'s output, a file) on each trigger message and publish it; or, with --request, trigger a capture and save what comes back'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "bench" -d 'Load test: publishers and subscribers, end-to-end latency percentiles, loss, JSON results'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "topics" -d 'What is on this broker: one row per topic (messages, rate, bytes, retained, last payload) after listening a few seconds; clears retained messages safely'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "bridge" -d 'Forward messages between two brokers, one way or both, losing none (like a mosquitto bridge, without touching the brokers\' configuration)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "completions" -d 'Print shell completions: bash, zsh, fish, powershell or elvish'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "man" -d 'Print a man page (roff): mq\'s, or a subcommand\'s'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "serve" -d 'Run an MQTT broker in this process (for demos, CI and workshops)'
complete -c mq -n "__fish_mq_using_subcommand help; and not __fish_seen_subcommand_from pub sub rr check capture bench topics bridge completions man serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mq -n "__fish_mq_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "pub" -d 'Publishers only (pair with `mq bench sub` elsewhere)'
complete -c mq -n "__fish_mq_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "sub" -d 'Subscribers only: latency and loss of what `mq bench pub` sends'
complete -c mq -n "__fish_mq_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "conn" -d 'Connections only: connect -c clients, time each CONNECT, hold them for --duration'
complete -c mq -n "__fish_mq_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "merge" -d 'Merge `--json` results of several runs (machines) into one summary'
