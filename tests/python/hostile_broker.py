"""A hostile MQTT 5 broker for the terminal-safety tests: every string it sends carries ESC
sequences and U+202E (right-to-left override).

usage: hostile_broker.py     (prints its port, then serves for 20 s, up to 20 connections)

Each connection: a CONNACK with a reason string, an assigned client id and a user property;
a SUBACK for each SUBSCRIBE, then a PUBLISH on a topic with ESC and U+202E, then a DISCONNECT
with a reason string. An MQTT 3.1.1 CONNECT is refused (unacceptable protocol version).
"""
import socket, struct, threading, time

EVIL = b"\x1b]0;PWNED\x07\x1b[2J\xe2\x80\xae"

def varint(n):
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)

def s(b):
    return struct.pack(">H", len(b)) + b

def packet(first, body):
    return bytes([first]) + varint(len(body)) + body

def props(*items):
    b = b"".join(items)
    return varint(len(b)) + b

def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        c = sock.recv(n - len(buf))
        if not c:
            raise EOFError("closed")
        buf += c
    return buf

def read_packet(sock):
    first = recv_exact(sock, 1)[0]
    mult, n = 1, 0
    while True:
        b = recv_exact(sock, 1)[0]
        n += (b & 0x7F) * mult
        mult *= 128
        if not b & 0x80:
            break
    return first, recv_exact(sock, n)

def read_varint(b, i):
    mult, n = 1, 0
    while True:
        n += (b[i] & 0x7F) * mult
        mult *= 128
        i += 1
        if not b[i - 1] & 0x80:
            return n, i

def serve(c):
    _, connect = read_packet(c)
    if connect[6] != 5:
        c.sendall(b"\x20\x02\x00\x01")
        return
    c.sendall(packet(0x20, b"\x00\x00" + props(
        b"\x1f" + s(b"reason " + EVIL),
        b"\x12" + s(b"id" + EVIL),
        b"\x26" + s(b"k" + EVIL) + s(b"v" + EVIL))))
    while True:
        t, body = read_packet(c)
        if t & 0xF0 == 0x80:  # SUBSCRIBE: one granted QoS 0 per filter
            n, i = read_varint(body, 2)
            i += n
            count = 0
            while i < len(body):
                i += 2 + struct.unpack(">H", body[i:i + 2])[0] + 1
                count += 1
            c.sendall(packet(0x90, body[:2] + props() + b"\x00" * count))
            time.sleep(0.2)
            c.sendall(packet(0x30, s(b"esc/" + EVIL) + props() + b"x"))
            time.sleep(0.2)
            c.sendall(packet(0xE0, b"\x80" + props(b"\x1f" + s(b"bye " + EVIL))))
            time.sleep(0.5)
            return
        if t & 0xF0 == 0xC0:  # PINGREQ
            c.sendall(b"\xd0\x00")

def one(c):
    c.settimeout(10)
    try:
        serve(c)
    except Exception:
        pass
    finally:
        c.close()

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
srv.settimeout(1)
print(srv.getsockname()[1], flush=True)
end = time.time() + 20
for _ in range(20):
    while time.time() < end:
        try:
            c, _ = srv.accept()
            break
        except socket.timeout:
            continue
    else:
        break
    threading.Thread(target=one, args=(c,), daemon=True).start()
