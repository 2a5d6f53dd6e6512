"""A receiver written from docs/transfer.md alone: save N files sent with `mq pub -f` to DIR.

usage: receive.py HOST PORT TOPIC DIR N     (prints "ready" once subscribed, then one path per file)
"""
import hashlib, os, struct, sys
import paho.mqtt.client as mqtt

host, port, topic, out, want = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
transfers, done = {}, []

def on_message(client, userdata, msg):
    p = msg.payload
    if p[:4] != b"\x89MQT":  # a raw message is a whole file
        return finish(os.path.join(out, "raw.%d" % len(done)), p)
    _, ver, flags, hlen, tid, seq, count, size, chunk, n = struct.unpack_from(">4sBBH16sIIQIB", p)
    name = p[45:45 + n].decode()
    assert ver == 1 and "/" not in name and name not in ("", ".", "..")
    if tid not in transfers:
        transfers[tid] = {"seen": set(), "f": open(os.path.join(out, name + ".part"), "wb+")}
    t = transfers[tid]
    t["f"].seek(seq * chunk)
    t["f"].write(p[hlen:])
    t["seen"].add(seq)
    if flags & 1:
        t1 = 45 + n
        t.update(count=count, size=size, sha=p[t1 + 1 + p[t1]:t1 + 1 + p[t1] + 32])
    if "count" in t and len(t["seen"]) == t["count"]:
        t["f"].seek(0)
        data = t["f"].read()
        t["f"].close()
        os.remove(os.path.join(out, name + ".part"))
        del transfers[tid]
        assert len(data) == t["size"] and hashlib.sha256(data).digest() == t["sha"], "corrupted"
        finish(os.path.join(out, name), data)

def finish(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(path, flush=True)
    done.append(path)
    if len(done) == want:
        client.disconnect()

try:  # paho-mqtt 2.x; 1.x (Debian's python3-paho-mqtt) has no callback API versions
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
except AttributeError:
    client = mqtt.Client()
client.on_message = on_message
client.on_subscribe = lambda *a: print("ready", flush=True)
client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
client.connect(host, port)
client.loop_forever()
