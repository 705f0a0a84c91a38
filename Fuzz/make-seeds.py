#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets into Fuzz/Seeds/<Target>/.

    python3 Fuzz/make-seeds.py [FIXTURES_DIR]

The seeds are encoded here by hand from the AMQP 1.0 spec (part 1 types, part 2 frames and
performatives, part 3 message sections, part 5 SASL), including the non-canonical encodings
our encoder never writes (0x56 booleans, 0x70 for small uints, str32 for short strings,
list32/map32/array32, symbolic descriptors, doff > 2). If FIXTURES_DIR (default
Tests/AMQPCoreTests/Fixtures) holds proton-values.json, proton-messages.json or
proton-frames.json, their vectors' "hex" fields are added too (vectors over 8 KiB skipped).
Output is deterministic; each Seeds/<Target>/ folder is rewritten whole.
"""

import json
import os
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MAX_FIXTURE_SEED = 8 * 1024

# --- primitive encodings (spec 1.6) -----------------------------------------------------

def null(): return b"\x40"
def true(): return b"\x41"
def false(): return b"\x42"
def boolean(v): return b"\x56" + bytes([1 if v else 0])
def ubyte(v): return b"\x50" + struct.pack(">B", v)
def ushort(v): return b"\x60" + struct.pack(">H", v)
def uint(v):
    if v == 0: return b"\x43"
    if v <= 0xFF: return b"\x52" + bytes([v])
    return b"\x70" + struct.pack(">I", v)
def uint_wide(v): return b"\x70" + struct.pack(">I", v)
def ulong(v):
    if v == 0: return b"\x44"
    if v <= 0xFF: return b"\x53" + bytes([v])
    return b"\x80" + struct.pack(">Q", v)
def ulong_wide(v): return b"\x80" + struct.pack(">Q", v)
def byte(v): return b"\x51" + struct.pack(">b", v)
def short(v): return b"\x61" + struct.pack(">h", v)
def int_(v): return (b"\x54" + struct.pack(">b", v)) if -128 <= v <= 127 else (b"\x71" + struct.pack(">i", v))
def int_wide(v): return b"\x71" + struct.pack(">i", v)
def long(v): return (b"\x55" + struct.pack(">b", v)) if -128 <= v <= 127 else (b"\x81" + struct.pack(">q", v))
def long_wide(v): return b"\x81" + struct.pack(">q", v)
def float_(v): return b"\x72" + struct.pack(">f", v)
def float_bits(bits): return b"\x72" + struct.pack(">I", bits)
def double(v): return b"\x82" + struct.pack(">d", v)
def double_bits(bits): return b"\x82" + struct.pack(">Q", bits)
def decimal32(bits): return b"\x74" + struct.pack(">I", bits)
def decimal64(bits): return b"\x84" + struct.pack(">Q", bits)
def decimal128(raw): return b"\x94" + raw
def char(c): return b"\x73" + struct.pack(">I", ord(c))
def timestamp(ms): return b"\x83" + struct.pack(">q", ms)
def uuid(raw): return b"\x98" + raw

def _variable(code8, code32, raw, wide=False):
    if len(raw) <= 0xFF and not wide:
        return bytes([code8, len(raw)]) + raw
    return bytes([code32]) + struct.pack(">I", len(raw)) + raw

def binary(raw, wide=False): return _variable(0xA0, 0xB0, raw, wide)
def string(s, wide=False): return _variable(0xA1, 0xB1, s.encode("utf-8"), wide)
def symbol(s, wide=False): return _variable(0xA3, 0xB3, s.encode("ascii"), wide)

def _compound(code8, code32, count, body, wide):
    if not wide and len(body) + 1 <= 0xFF and count <= 0xFF:
        return bytes([code8, len(body) + 1, count]) + body
    return bytes([code32]) + struct.pack(">II", len(body) + 4, count) + body

def lst(items, wide=False):
    if not items and not wide: return b"\x45"
    return _compound(0xC0, 0xD0, len(items), b"".join(items), wide)
def list8_empty(): return b"\xC0\x01\x00"
def mp(pairs, wide=False):
    return _compound(0xC1, 0xD1, 2 * len(pairs), b"".join(k + v for k, v in pairs), wide)
def array(constructor, elements, wide=False):
    """constructor: the element constructor bytes; elements: encodings without constructor."""
    return _compound(0xE0, 0xF0, len(elements), constructor + b"".join(elements), wide)
def described(descriptor, value): return b"\x00" + descriptor + value
def composite(code, fields, symbolic=None):
    descriptor = symbol(symbolic) if symbolic else ulong(code)
    return described(descriptor, lst(fields))
def symbols(*names):
    return array(b"\xA3", [bytes([len(n)]) + n.encode() for n in names])

UUID = bytes(range(0x10, 0x20))

# --- transport (spec 2), messaging (spec 3), security (spec 5) ---------------------------

def error(condition="amqp:internal-error", description="boom"):
    return composite(0x1D, [symbol(condition), string(description), mp([(symbol("k"), string("v"))])])

def fields_map(): return mp([(symbol("product"), string("fuzz")), (symbol("version"), uint(1))])

def open_(full=True):
    if not full: return composite(0x10, [string("c")])
    return composite(0x10, [string("container-1"), string("localhost"), uint_wide(65536), ushort(2047),
                            uint(30000), symbols("en-US"), symbols("en-US", "de-DE"),
                            symbols("ANONYMOUS-RELAY"), symbols("DELAYED_DELIVERY"), fields_map()])
def begin(remote=True):
    return composite(0x11, [ushort(0) if remote else null(), uint(1), uint(5000), uint(5000), uint(1023),
                            symbol("cap"), symbols("a", "b"), fields_map()])
def source(full=True):
    if not full: return composite(0x28, [string("queue")])
    filters = mp([(symbol("sel"), described(symbol("apache.org:selector-filter:string"), string("a = 1")))])
    return composite(0x28, [string("queue"), uint(2), symbol("never"), uint(60), true(),
                            mp([(symbol("lifetime-policy"), composite(0x2B, []))]), symbol("move"), filters,
                            composite(0x24, []), symbols("amqp:accepted:list", "amqp:rejected:list"),
                            symbols("queue")])
def target(full=True):
    if not full: return composite(0x29, [string("topic")])
    return composite(0x29, [string("topic"), uint(1), symbol("link-detach"), uint(0), false(),
                            mp([(symbol("lifetime-policy"), composite(0x2C, []))]), symbols("topic")])
def coordinator(): return composite(0x30, [symbols("amqp:local-transactions")])
def attach(role=False, full=True, tgt=None):
    if not full: return composite(0x12, [string("l"), uint(0), boolean(role)])
    unsettled = mp([(binary(b"\x01"), composite(0x24, [])), (binary(b"\x02"), null())])
    return composite(0x12, [string("link-1"), uint(0), boolean(role), ubyte(2), ubyte(0), source(),
                            tgt if tgt is not None else target(), unsettled, false(), uint(0), ulong_wide(1 << 20),
                            symbols("x"), symbols("y"), fields_map()])
def flow(full=True):
    if not full: return composite(0x13, [null(), uint(100), uint(0), uint(100)])
    return composite(0x13, [uint(1), uint(2047), uint(1), uint(2047), uint(0), uint(0), uint(100), uint(0),
                            true(), false(), fields_map()])
def delivery_states():
    return [composite(0x23, [uint(0), ulong(12)]), composite(0x24, []), composite(0x25, [error()]),
            composite(0x26, []), composite(0x27, [true(), false(), mp([(symbol("x-opt"), string("v"))])]),
            composite(0x33, [binary(b"txn1")]), composite(0x34, [binary(b"txn1"), composite(0x24, [])])]
def transfer(state=None, full=True):
    if not full: return composite(0x14, [uint(0)])
    return composite(0x14, [uint(0), uint(7), binary(b"\x00\x00\x00\x07"), uint(0), false(), false(), null(),
                            state if state is not None else null(), false(), false(), false()])
def disposition(state):
    return composite(0x15, [true(), uint(3), uint(9), true(), state, false()])
def detach(err=True): return composite(0x16, [uint(0), true(), error() if err else null()])
def end(err=False): return composite(0x17, [error() if err else null()] if err else [])
def close(err=False): return composite(0x18, [error("amqp:connection:forced", "bye")] if err else [])

def sasl_mechanisms(): return composite(0x40, [symbols("PLAIN", "ANONYMOUS", "EXTERNAL")])
def sasl_mechanisms_single(): return composite(0x40, [symbol("ANONYMOUS")])
def sasl_init(): return composite(0x41, [symbol("PLAIN"), binary(b"\x00user\x00secret"), string("host")])
def sasl_challenge(): return composite(0x42, [binary(b"challenge")])
def sasl_response(): return composite(0x43, [binary(b"response")])
def sasl_outcome(code=0): return composite(0x44, [ubyte(code), binary(b"welcome")])

def frame(body, kind=0, channel=0, ext=b"", payload=b""):
    doff = 2 + len(ext) // 4
    data = ext + body + payload
    return struct.pack(">IBBH", 8 + len(data), doff, kind, channel) + data

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"
TLS_HEADER = b"AMQP\x02\x01\x00\x00"

def header_section(): return composite(0x70, [true(), ubyte(9), uint(60000), false(), uint(2)])
def annotations(code): return described(ulong(code), mp([(symbol("x-opt-a"), string("a")), (ulong(7), int_(-1))]))
def properties_section(message_id=None):
    return composite(0x73, [message_id or string("id-1"), binary(b"user"), string("queue"), string("subject"),
                            string("reply"), ulong(42), symbol("text/plain"), symbol("gzip"),
                            timestamp(1700000000000), timestamp(1600000000000), string("group"), uint(3),
                            string("reply-group")])
def app_properties():
    return described(ulong(0x74), mp([(string("s"), string("x")), (string("i"), int_(5)),
                                      (string("b"), true()), (string("d"), double(2.5)), (string("n"), null())]))
def data_section(raw): return described(ulong(0x75), binary(raw))
def sequence_section(items): return described(ulong(0x76), lst(items))
def value_section(value): return described(ulong(0x77), value)
def footer_section(): return described(ulong(0x78), mp([(symbol("x-opt-hash"), binary(b"\xAA" * 8))]))

# --- seed sets ---------------------------------------------------------------------------

def value_seeds():
    s = {}
    primitives = {
        "null": null(), "true": true(), "false": false(), "boolean-0x56-true": boolean(True),
        "boolean-0x56-false": boolean(False), "ubyte": ubyte(200), "ushort": ushort(65535),
        "uint0": uint(0), "smalluint": uint(7), "uint": uint(1 << 20), "uint-wide-small": uint_wide(1),
        "ulong0": ulong(0), "smallulong": ulong(9), "ulong": ulong(1 << 40), "ulong-wide-small": ulong_wide(2),
        "byte": byte(-5), "short": short(-30000), "smallint": int_(-3), "int": int_(-70000),
        "int-wide-small": int_wide(1), "smalllong": long(100), "long": long(-(1 << 40)),
        "long-wide-small": long_wide(-1), "float": float_(1.5), "float-nan": float_bits(0x7FC00001),
        "float-negzero": float_bits(0x80000000), "double": double(-0.125), "double-nan": double_bits(0x7FF8000000000001),
        "double-inf": double(float("inf")), "decimal32": decimal32(0x22500001), "decimal64": decimal64(0x2238000000000001),
        "decimal128": decimal128(bytes(range(16))), "char": char("é"), "char-astral": char("\U0001F600"),
        "timestamp": timestamp(1700000000000), "timestamp-negative": timestamp(-1), "uuid": uuid(UUID),
        "vbin8": binary(b"\x00\x01\xFF"), "vbin8-empty": binary(b""), "vbin32": binary(b"abc", wide=True),
        "vbin32-300": binary(bytes(300)), "str8": string("héllo"), "str8-empty": string(""),
        "str32": string("wide", wide=True), "str8-emoji": string("\U0001F600 ok"),
        "sym8": symbol("amqp:accepted:list"), "sym32": symbol("wide", wide=True),
    }
    s.update(primitives)
    scalars = [null(), true(), ubyte(1), ushort(2), uint(3), ulong(4), byte(-1), short(-2), int_(-3), long(-4),
               float_(1.0), double(2.0), char("a"), timestamp(5), uuid(UUID), binary(b"b"), string("s"), symbol("y")]
    s["list0"] = lst([])
    s["list8-empty"] = list8_empty()
    s["list8"] = lst(scalars)
    s["list32"] = lst(scalars, wide=True)
    s["list-nested"] = lst([lst([lst([string("deep")])]), mp([]), lst([])])
    s["map8-empty"] = mp([])
    s["map8"] = mp([(symbol("a"), uint(1)), (string("b"), lst([null()])), (ulong(3), mp([(null(), null())]))])
    s["map32"] = mp([(string("k%d" % i), int_(i)) for i in range(4)], wide=True)
    s["map-float-keys"] = mp([(double_bits(0x7FF8000000000000), true()), (double(0.0), false()), (double(-0.0), null())])
    s["map-40-keys"] = mp([(uint(i), null()) for i in range(40)])
    arrays = {
        "array-null": array(b"\x40", [b""] * 3), "array-true": array(b"\x41", [b""] * 4),
        "array-boolean": array(b"\x56", [b"\x00", b"\x01"]), "array-ubyte": array(b"\x50", [b"\x01", b"\x02"]),
        "array-ushort": array(b"\x60", [b"\x00\x01"]), "array-uint0": array(b"\x43", [b""] * 2),
        "array-smalluint": array(b"\x52", [b"\x05", b"\x06"]), "array-uint": array(b"\x70", [b"\x00\x00\x01\x00"]),
        "array-ulong0": array(b"\x44", [b""]), "array-smallulong": array(b"\x53", [b"\x10"]),
        "array-ulong": array(b"\x80", [bytes(8)]), "array-byte": array(b"\x51", [b"\xFF"]),
        "array-short": array(b"\x61", [b"\x80\x00"]), "array-smallint": array(b"\x54", [b"\x80"]),
        "array-int": array(b"\x71", [b"\x00\x01\x00\x00"]), "array-smalllong": array(b"\x55", [b"\x7F"]),
        "array-long": array(b"\x81", [bytes(8)]), "array-float": array(b"\x72", [b"\x3F\x80\x00\x00"]),
        "array-double": array(b"\x82", [bytes(8)]), "array-decimal32": array(b"\x74", [bytes(4)]),
        "array-decimal64": array(b"\x84", [bytes(8)]), "array-decimal128": array(b"\x94", [bytes(16)]),
        "array-char": array(b"\x73", [b"\x00\x00\x00\x41"]), "array-timestamp": array(b"\x83", [bytes(8)]),
        "array-uuid": array(b"\x98", [UUID, UUID]), "array-vbin8": array(b"\xA0", [b"\x01x", b"\x00"]),
        "array-vbin32": array(b"\xB0", [b"\x00\x00\x00\x01x"]), "array-str8": array(b"\xA1", [b"\x02hi"]),
        "array-str32": array(b"\xB1", [b"\x00\x00\x00\x02hi"]), "array-sym8": symbols("a", "bc"),
        "array-sym32": array(b"\xB3", [b"\x00\x00\x00\x01z"]), "array-list0": array(b"\x45", [b""] * 3),
        "array-list8": array(b"\xC0", [b"\x03\x01\x52\x01", b"\x01\x00"]),
        "array-list32": array(b"\xD0", [struct.pack(">II", 4, 0)]),
        "array-map8": array(b"\xC1", [b"\x05\x02\xA3\x01k\x40"]),
        "array-map32": array(b"\xD1", [struct.pack(">II", 4, 0)]),
        "array-array8": array(b"\xE0", [b"\x03\x02\x50\x01\x02"]),
        "array-array32": array(b"\xF0", [struct.pack(">II", 5, 1) + b"\x40"]),
        "array32-uint": array(b"\x70", [bytes(4)] * 2, wide=True), "array-empty": array(b"\x50", []),
        "array-described-ulong": array(b"\x00\x53\x24\x45", [b""] * 2),
        "array-described-symbol": array(b"\x00\xA3\x03foo\xA1", [b"\x01a", b"\x01b"]),
        "array-described-nested": array(b"\x00\x53\x01\x00\x53\x02\x50", [b"\x07"]),
    }
    s.update(arrays)
    s["described-ulong"] = described(ulong(0x24), lst([]))
    s["described-symbol"] = described(symbol("com.example:thing"), string("x"))
    s["described-ulong-wide"] = described(ulong_wide(0x0000468C00000001), binary(b"\x01"))
    s["described-described"] = described(ulong(1), described(ulong(2), null()))
    deep = string("bottom")
    for _ in range(40): deep = lst([deep])
    s["nested-40-lists"] = deep
    deep = null()
    for _ in range(47): deep = lst([deep])
    s["nested-47-lists"] = deep
    deep = null()
    for i in range(20): deep = mp([(uint(i), deep)]) if i % 2 else described(ulong(i), deep)
    s["nested-maps-described"] = deep
    s["composite-open"] = open_()
    s["composite-attach"] = attach()
    s["composite-transfer-state"] = transfer(delivery_states()[6])
    s["composite-properties"] = properties_section(uuid(UUID))
    for i, state in enumerate(delivery_states()): s["delivery-state-%d" % i] = state
    return s

def frame_seeds():
    s = {}
    s["header-amqp"] = AMQP_HEADER
    s["header-sasl"] = SASL_HEADER
    s["header-tls"] = TLS_HEADER
    s["header-amqp-0-9-1"] = b"AMQP\x00\x00\x09\x01"
    s["heartbeat"] = frame(b"")
    s["heartbeat-extended-header"] = frame(b"", ext=b"\x00\x00\x00\x00")
    s["open"] = frame(open_())
    s["open-minimal"] = frame(open_(False))
    s["open-symbolic-descriptor"] = frame(composite(0x10, [string("c"), null(), uint(512)], symbolic="amqp:open:list"))
    s["open-list32"] = frame(described(ulong(0x10), lst([string("c")], wide=True)))
    s["open-extended-header"] = frame(open_(False), ext=b"\xDE\xAD\xBE\xEF")
    s["begin"] = frame(begin(), channel=1)
    s["begin-no-remote"] = frame(begin(False))
    s["attach-sender"] = frame(attach(False), channel=1)
    s["attach-receiver"] = frame(attach(True), channel=1)
    s["attach-coordinator"] = frame(attach(False, tgt=coordinator()))
    s["attach-minimal"] = frame(attach(full=False))
    s["attach-minimal-terminus"] = frame(composite(0x12, [string("l"), uint(1), false(), null(), null(),
                                                          source(False), target(False)]))
    s["flow"] = frame(flow(), channel=1)
    s["flow-session"] = frame(flow(False))
    s["transfer"] = frame(transfer(), channel=1,
                          payload=data_section(b"hello") )
    s["transfer-minimal"] = frame(transfer(full=False), payload=b"\x00\x53\x77\xA1\x02hi")
    s["transfer-no-payload"] = frame(transfer(full=False))
    for i, state in enumerate(delivery_states()):
        s["transfer-state-%d" % i] = frame(transfer(state), payload=b"x")
        s["disposition-state-%d" % i] = frame(disposition(state), channel=2)
    s["detach"] = frame(detach())
    s["detach-plain"] = frame(detach(False))
    s["end"] = frame(end())
    s["end-error"] = frame(end(True))
    s["close"] = frame(close())
    s["close-error"] = frame(close(True))
    s["sasl-mechanisms"] = frame(sasl_mechanisms(), kind=1)
    s["sasl-mechanisms-single"] = frame(sasl_mechanisms_single(), kind=1)
    s["sasl-init"] = frame(sasl_init(), kind=1)
    s["sasl-challenge"] = frame(sasl_challenge(), kind=1)
    s["sasl-response"] = frame(sasl_response(), kind=1)
    s["sasl-outcome"] = frame(sasl_outcome(), kind=1)
    s["sasl-outcome-auth-failed"] = frame(composite(0x44, [ubyte(1)]), kind=1)
    s["stream-sasl"] = (SASL_HEADER + frame(sasl_mechanisms(), kind=1) + frame(sasl_init(), kind=1)
                        + frame(sasl_outcome(), kind=1))
    s["stream-client"] = (AMQP_HEADER + frame(open_()) + frame(begin(False)) + frame(attach(False))
                          + frame(transfer(), payload=data_section(b"m1")) + frame(b"")
                          + frame(disposition(delivery_states()[1])) + frame(detach(False)) + frame(end())
                          + frame(close()))
    s["stream-server"] = (AMQP_HEADER + frame(open_(False)) + frame(begin()) + frame(attach(True))
                          + frame(flow()) + frame(detach()) + frame(end(True)) + frame(close(True)))
    s["stream-multi-frame-transfer"] = (frame(composite(0x14, [uint(0), uint(1), binary(b"t"), uint(0), false(), true()]),
                                              payload=b"\x00\x53\x75\xA0\x06abc")
                                        + frame(composite(0x14, [uint(0)]), payload=b"def"))
    return s

def message_seeds():
    s = {}
    s["data"] = data_section(b"hello")
    s["data-empty"] = data_section(b"")
    s["data-vbin32"] = described(ulong(0x75), binary(b"wide", wide=True))
    s["data-many"] = data_section(b"a") + data_section(b"b") + data_section(b"c")
    s["data-300"] = data_section(bytes(range(256)) + bytes(44))
    s["value-string"] = value_section(string("text"))
    s["value-null"] = value_section(null())
    s["value-map"] = value_section(mp([(string("k"), lst([int_(1), double(2.0)]))]))
    s["value-described"] = value_section(described(symbol("x:y"), binary(b"z")))
    s["value-array"] = value_section(symbols("a", "b"))
    s["sequence"] = sequence_section([int_(1), string("two")])
    s["sequence-many"] = sequence_section([]) + sequence_section([null()]) + described(ulong(0x76), list8_empty())
    s["header-only"] = header_section()
    s["header-empty"] = composite(0x70, [])
    s["properties-string-id"] = properties_section() + data_section(b"x")
    s["properties-ulong-id"] = properties_section(ulong(99)) + data_section(b"x")
    s["properties-uuid-id"] = properties_section(uuid(UUID)) + data_section(b"x")
    s["properties-binary-id"] = properties_section(binary(b"\x01\x02")) + data_section(b"x")
    s["application-properties"] = app_properties() + value_section(string("v"))
    s["all-sections"] = (header_section() + annotations(0x71) + annotations(0x72) + properties_section()
                         + app_properties() + data_section(b"body") + footer_section())
    s["all-sections-sequence"] = (header_section() + annotations(0x71) + annotations(0x72) + properties_section()
                                  + app_properties() + sequence_section([uint(1)]) + sequence_section([])
                                  + footer_section())
    s["all-sections-value"] = (header_section() + annotations(0x72) + properties_section(ulong(1))
                               + app_properties() + value_section(lst([])) + footer_section())
    s["symbolic-descriptors"] = (described(symbol("amqp:header:list"), lst([true()]))
                                 + described(symbol("amqp:data:binary"), binary(b"x")))
    s["no-body"] = header_section() + annotations(0x72)
    s["footer-only"] = footer_section()
    return s

# --- output -------------------------------------------------------------------------------

# --- integration-event envelopes (shared/docs/events.md) ------------------------------------

ACTIVITY = "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00"

def envelope(payload="{}", **changes):
    members = [("id", '"SubscriptionCreated-licensekey-8a52c8af-2408-486f-ba4a-d277079de2b0"'),
               ("source", '"Octofront"'), ("type", '"SubscriptionCreatedV1"'),
               ("occurredTimeUtc", '"2021-11-08T12:33:00Z"'), ("activityId", '"%s"' % ACTIVITY),
               ("specVersion", '"1"'), ("payload", payload)]
    members = [(name, changes.get(name, value)) for name, value in members]
    return ("{" + ",".join('"%s":%s' % m for m in members if m[1] is not None) + "}").encode("utf-8")

def envelope_seeds():
    nested = '{"licenseKey":"k","seats":5,"price":12.5,"trial":false,"features":["a","b"],"owner":{"name":"n","tenant":42},"note":null}'
    return {
        "spec-example": envelope(),
        "nested-payload": envelope(nested),
        "escapes": envelope('{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}', id='"a\\"b\\u0041"'),
        "non-ascii": envelope('{"Größe":"系统😀"}', source='"Größe"'),
        "numbers": envelope('{"a":[0,-0,1.5,-1e10,1E+2,2e-3,123456789012345678901234567890,18446744073709551615,-9223372036854775808,1e400]}'),
        "whitespace": b' \r\n\t' + envelope('{ "a" : [ 1 , { } ] }').replace(b",", b" ,\n ") + b" \n",
        "fraction-time": envelope(occurredTimeUtc='"2024-02-29T23:59:59.9876543Z"'),
        "later-traceparent": envelope(activityId='"01-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-01-x"'),
        "many-members": envelope("{" + ",".join('"k%d":%d' % (i, i) for i in range(200)) + "}"),
        "deep": envelope('{"a":' + "[" * 60 + "]" * 60 + "}"),
        "payload-only": nested.encode("utf-8"),
        "repeated-name": envelope('{"a":1,"b":{"c":2,"c":3}}'),
        "spec-version-2": envelope(specVersion='"2"'),
        "missing-id": envelope(id=None),
        # The sections before an envelope body (checkProperties): the usual encodings and others.
        "properties-usual": composite(0x73, [string("e-1"), null(), null(), string("SubscriptionCreatedV1"), null(),
                                             null(), symbol("application/json")]),
        "properties-wide": described(ulong(0x73), lst([string("e-1", True), null(), null(),
                                                       string("SubscriptionCreatedV1", True), null(), null(),
                                                       symbol("application/json; charset=utf-8", True)], True)),
        "properties-mismatch": properties_section() + app_properties(),
        "properties-ulong-id": composite(0x73, [ulong(7)]),
    }

def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "vector"

def fixture_seeds(fixtures_dir, filename):
    path = os.path.join(fixtures_dir, filename)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = {}
    for vector in doc.get("vectors", []):
        raw = bytes.fromhex(vector.get("hex", ""))
        if raw and len(raw) <= MAX_FIXTURE_SEED:
            out["proton-" + slug(vector.get("name", ""))] = raw
    return out

def write(target, seeds):
    folder = os.path.join(HERE, "Seeds", target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, raw in sorted(seeds.items()):
        with open(os.path.join(folder, slug(name) + ".bin"), "wb") as f:
            f.write(raw)
    return len(seeds), sum(len(raw) for raw in seeds.values())

def main(argv):
    fixtures = argv[1] if len(argv) > 1 else os.path.join(REPO, "Tests", "AMQPCoreTests", "Fixtures")
    sets = {
        "FuzzValueDecoder": {**value_seeds(), **fixture_seeds(fixtures, "proton-values.json")},
        "FuzzFrameDecoder": {**frame_seeds(), **fixture_seeds(fixtures, "proton-frames.json")},
        "FuzzMessageDecoder": {**message_seeds(), **fixture_seeds(fixtures, "proton-messages.json")},
        "FuzzEnvelopeDecoder": envelope_seeds(),
    }
    for target, seeds in sets.items():
        count, size = write(target, seeds)
        print("%s: %d seeds, %d bytes" % (target, count, size))
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
