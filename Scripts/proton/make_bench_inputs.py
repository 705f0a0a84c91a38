#!/usr/bin/python3
"""Write codec benchmark inputs with Qpid Proton.

    /usr/bin/python3 Scripts/proton/make_bench_inputs.py OUTPUT_DIR

Writes into OUTPUT_DIR:

  message-1k.bin    an encoded AMQP message (sections only): data body of 1024
  message-64k.bin   / 65536 bytes, properties (message-id string, to, subject,
                    content-type application/json, creation-time,
                    correlation-id) and 5 application properties (strings, ints);
                    encoded by pn_message_encode (so with proton's empty header
                    section in front)
  transfer-1k.bin   the same messages inside one complete transfer frame on
  transfer-64k.bin  channel 0: transfer(handle 0, delivery-id 1, 8-byte
                    delivery-tag, message-format 0, settled false), performative
                    encoded by proton.Data, single frame (no max-frame-size
                    split)

The output is deterministic.
"""

import os
import struct
import sys

from proton import Data, Message
import cproton


def payload(n):
    return bytes((i * 31 + 7) % 256 for i in range(n))


def build_message(body_size):
    m = Message()
    m.id = "msg-7f3c9a12-0001"
    m.address = "queue://bench"
    m.subject = "bench.payload"
    m.content_type = "application/json"
    cproton.pn_message_set_creation_time(m._msg, 1700000000123)
    m.correlation_id = "corr-0042"
    m.properties = {"source": "bench", "type": "com.example.bench", "sequence": 42,
                    "partition": 7, "region": "eu-west-1"}
    m.body = payload(body_size)
    m.inferred = True  # binary + inferred -> one data section
    return m.encode()


def transfer_frame(message_bytes):
    d = Data()
    d.put_described()
    d.enter()
    d.put_ulong(0x14)
    d.put_list()
    d.enter()
    d.put_uint(0)                              # handle
    d.put_uint(1)                              # delivery-id
    d.put_binary(b"\x00\x00\x00\x00\x00\x00\x00\x01")  # delivery-tag (8 bytes)
    d.put_uint(0)                              # message-format
    d.put_bool(False)                          # settled
    d.exit()
    d.exit()
    body = d.encode() + message_bytes
    return struct.pack(">IBBH", 8 + len(body), 2, 0, 0) + body


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for label, size in (("1k", 1024), ("64k", 65536)):
        msg = build_message(size)
        check = Message()
        check.decode(msg)
        assert check.body == payload(size) and check.subject == "bench.payload"
        frame = transfer_frame(msg)
        for name, data in (("message-%s.bin" % label, msg), ("transfer-%s.bin" % label, frame)):
            path = os.path.join(out, name)
            with open(path, "wb") as f:
                f.write(data)
            print("%s %d bytes" % (path, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
