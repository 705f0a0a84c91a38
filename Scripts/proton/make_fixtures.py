#!/usr/bin/python3
"""Generate AMQP 1.0 interop fixtures with Qpid Proton.

Run with the Debian system interpreter (the python3-qpid-proton binding is only
installed for it):

    /usr/bin/python3 Scripts/proton/make_fixtures.py [OUTPUT_DIR]

OUTPUT_DIR defaults to Tests/AMQPCoreTests/Fixtures (relative to the repository
root).  Three files are written:

  proton-values.json    values encoded by proton.Data.encode()
  proton-messages.json  messages encoded by proton.Message / pn_message_encode()
  proton-frames.json    raw byte streams written by proton Transports

Everything is deterministic (fixed seeds, fixed timestamps and uuids): running
the script twice produces byte-identical files.

This module also contains the typed-JSON ("TV") helpers used by check_ours.py:
put_tv / read_tv convert between TVs and proton.Data, tv_diff compares two TVs
semantically, parse_stream splits a byte stream into protocol headers and
frames, and message_sections_json turns an encoded message into the JSON shape
used by proton-messages.json.
"""

import json
import os
import random
import struct
import sys
import uuid

import proton
from proton import (Array, Collector, Condition, Connection, Data, Delivery,
                    Endpoint, Event, Link, Message, SASL, Terminus,
                    Transport, symbol, ulong, UNDESCRIBED)
import cproton

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "Tests", "AMQPCoreTests", "Fixtures")

GENERATOR = "python3-qpid-proton %s (Scripts/proton/make_fixtures.py)" % (
    ".".join(str(x) for x in proton.VERSION))

# --------------------------------------------------------------------------
# Typed-JSON values (TV) <-> proton.Data
# --------------------------------------------------------------------------

TYPE_CODES = {name: code for code, name in Data.type_names.items()}
INT_TYPES = ("ubyte", "ushort", "uint", "ulong", "byte", "short", "int", "long")
INT_RANGES = {
    "ubyte": (0, 2**8 - 1), "ushort": (0, 2**16 - 1),
    "uint": (0, 2**32 - 1), "ulong": (0, 2**64 - 1),
    "byte": (-2**7, 2**7 - 1), "short": (-2**15, 2**15 - 1),
    "int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
}


class TVError(Exception):
    pass


def _hexbytes(tv, key="hex"):
    return bytes.fromhex(tv[key])


def put_tv(d, tv):
    """Append the TV `tv` after the current node of proton.Data `d`."""
    t = tv["t"]
    if t == "null":
        d.put_null()
    elif t == "bool":
        d.put_bool(bool(tv["v"]))
    elif t in INT_TYPES:
        getattr(d, "put_" + t)(int(tv["v"]))
    elif t == "float":
        d.put_float(struct.unpack(">f", bytes.fromhex(tv["bits"]))[0])
    elif t == "double":
        d.put_double(struct.unpack(">d", bytes.fromhex(tv["bits"]))[0])
    elif t == "decimal32":
        d.put_decimal32(int.from_bytes(_hexbytes(tv), "big"))
    elif t == "decimal64":
        d.put_decimal64(int.from_bytes(_hexbytes(tv), "big"))
    elif t == "decimal128":
        d.put_decimal128(_hexbytes(tv))
    elif t == "char":
        d.put_char(chr(int(tv["v"])))
    elif t == "timestamp":
        d.put_timestamp(int(tv["v"]))
    elif t == "uuid":
        d.put_uuid(uuid.UUID(bytes=_hexbytes(tv)))
    elif t == "binary":
        d.put_binary(_hexbytes(tv))
    elif t == "string":
        d.put_string(tv["v"])
    elif t == "symbol":
        d.put_symbol(tv["v"])
    elif t == "list":
        d.put_list()
        d.enter()
        for e in tv["v"]:
            put_tv(d, e)
        d.exit()
    elif t == "map":
        d.put_map()
        d.enter()
        for k, v in tv["v"]:
            put_tv(d, k)
            put_tv(d, v)
        d.exit()
    elif t == "array":
        elem = tv["elem"]
        if elem == "described":
            d.put_array(True, TYPE_CODES[tv["inner"]])
            d.enter()
            put_tv(d, tv["descriptor"])
        else:
            d.put_array(False, TYPE_CODES[elem])
            d.enter()
        for e in tv["v"]:
            put_tv(d, e)
        d.exit()
    elif t == "described":
        d.put_described()
        d.enter()
        put_tv(d, tv["descriptor"])
        put_tv(d, tv["v"])
        d.exit()
    else:
        raise TVError("unknown TV type %r" % (t,))


def read_tv(d):
    """Convert the current node of proton.Data `d` into a TV."""
    code = d.type()
    if code is None:
        raise TVError("no current node")
    t = Data.type_names[code]
    if t == "null":
        return {"t": "null"}
    if t == "bool":
        return {"t": "bool", "v": bool(d.get_bool())}
    if t in INT_TYPES:
        return {"t": t, "v": str(int(getattr(d, "get_" + t)()))}
    if t == "float":
        return {"t": "float", "bits": struct.pack(">f", d.get_float()).hex()}
    if t == "double":
        return {"t": "double", "bits": struct.pack(">d", d.get_double()).hex()}
    if t == "decimal32":
        return {"t": t, "hex": (int(d.get_decimal32()) & 0xffffffff).to_bytes(4, "big").hex()}
    if t == "decimal64":
        return {"t": t, "hex": (int(d.get_decimal64()) & 0xffffffffffffffff).to_bytes(8, "big").hex()}
    if t == "decimal128":
        return {"t": t, "hex": bytes(d.get_decimal128()).hex()}
    if t == "char":
        return {"t": "char", "v": str(ord(d.get_char()))}
    if t == "timestamp":
        return {"t": "timestamp", "v": str(int(d.get_timestamp()))}
    if t == "uuid":
        return {"t": "uuid", "hex": d.get_uuid().bytes.hex()}
    if t == "binary":
        return {"t": "binary", "hex": bytes(d.get_binary()).hex()}
    if t == "string":
        return {"t": "string", "v": str(d.get_string())}
    if t == "symbol":
        return {"t": "symbol", "v": str(d.get_symbol())}
    # Children are walked as siblings rather than by pn_data_get_list/map/array
    # counts: proton 0.37's decoder miscounts the children of a list that holds
    # a described value whose value is itself described.
    if t == "list":
        d.enter()
        out = []
        while d.next() is not None:
            out.append(read_tv(d))
        d.exit()
        return {"t": "list", "v": out}
    if t == "map":
        d.enter()
        items = []
        while d.next() is not None:
            items.append(read_tv(d))
        d.exit()
        if len(items) % 2:
            raise TVError("map with odd number of entries")
        return {"t": "map", "v": [[items[i], items[i + 1]] for i in range(0, len(items), 2)]}
    if t == "array":
        _, described, etype = d.get_array()
        ename = Data.type_names[etype] if etype is not None else "null"
        d.enter()
        res = {"t": "array"}
        if described:
            d.next()
            res["elem"] = "described"
            res["descriptor"] = read_tv(d)
            res["inner"] = ename
        else:
            res["elem"] = ename
        out = []
        while d.next() is not None:
            out.append(read_tv(d))
        d.exit()
        res["v"] = out
        return res
    if t == "described":
        d.enter()
        d.next()
        desc = read_tv(d)
        d.next()
        val = read_tv(d)
        d.exit()
        return {"t": "described", "descriptor": desc, "v": val}
    raise TVError("unsupported proton type %s" % t)


def proton_decode_unsafe(tv, top=True):
    """True if `tv` contains a described value whose value is itself described
    somewhere below the top level.  pn_data_decode in proton 0.37 exits only one
    level after such a value, so the values that follow it end up inside the
    outer described node (and re-encoding that pn_data_t writes wrong counts).
    A chain of described values at the very top level is decoded correctly."""
    t = tv.get("t")
    if t == "described":
        if tv["v"].get("t") == "described" and not top:
            return True
        return proton_decode_unsafe(tv["descriptor"], False) or proton_decode_unsafe(tv["v"], top)
    if t in ("list", "array"):
        if t == "array" and tv.get("elem") == "described" and proton_decode_unsafe(tv["descriptor"], False):
            return True
        return any(proton_decode_unsafe(e, False) for e in tv["v"])
    if t == "map":
        return any(proton_decode_unsafe(k, False) or proton_decode_unsafe(v, False) for k, v in tv["v"])
    return False


def encode_tv(tv):
    d = Data()
    put_tv(d, tv)
    return d.encode()


def decode_one(raw):
    """Decode exactly one AMQP value from `raw` with proton.Data -> (TV, consumed)."""
    d = Data()
    n = d.decode(raw)
    d.rewind()
    if not d.next():
        raise TVError("proton decoded no value")
    return read_tv(d), n


def _int(x):
    return int(x)


def tv_diff(exp, act, path="$"):
    """Return None if TVs are semantically equal, else a description."""
    if not isinstance(exp, dict) or not isinstance(act, dict):
        return "%s: malformed TV (%r vs %r)" % (path, exp, act)
    te, ta = exp.get("t"), act.get("t")
    if te != ta:
        return "%s: type %s != %s" % (path, te, ta)
    t = te
    try:
        if t == "null":
            return None
        if t == "bool":
            return None if bool(exp["v"]) == bool(act["v"]) else "%s: bool %r != %r" % (path, exp["v"], act["v"])
        if t in INT_TYPES or t in ("char", "timestamp"):
            return None if _int(exp["v"]) == _int(act["v"]) else "%s: %s %s != %s" % (path, t, exp["v"], act["v"])
        if t in ("float", "double"):
            return None if int(exp["bits"], 16) == int(act["bits"], 16) else "%s: %s bits %s != %s" % (path, t, exp["bits"], act["bits"])
        if t in ("decimal32", "decimal64", "decimal128", "uuid", "binary"):
            a, b = exp["hex"].lower(), act["hex"].lower()
            if a == b:
                return None
            return "%s: %s %s != %s" % (path, t, _short(a), _short(b))
        if t in ("string", "symbol"):
            return None if exp["v"] == act["v"] else "%s: %s %r != %r" % (path, t, _short(exp["v"]), _short(act["v"]))
        if t == "list":
            if len(exp["v"]) != len(act["v"]):
                return "%s: list length %d != %d" % (path, len(exp["v"]), len(act["v"]))
            for i, (a, b) in enumerate(zip(exp["v"], act["v"])):
                r = tv_diff(a, b, "%s[%d]" % (path, i))
                if r:
                    return r
            return None
        if t == "map":
            if len(exp["v"]) != len(act["v"]):
                return "%s: map size %d != %d" % (path, len(exp["v"]), len(act["v"]))
            for i, (a, b) in enumerate(zip(exp["v"], act["v"])):
                r = tv_diff(a[0], b[0], "%s{key %d}" % (path, i)) or tv_diff(a[1], b[1], "%s{value %d}" % (path, i))
                if r:
                    return r
            return None
        if t == "array":
            if exp["elem"] != act["elem"]:
                return "%s: array element type %s != %s" % (path, exp["elem"], act["elem"])
            if exp["elem"] == "described":
                if exp["inner"] != act["inner"]:
                    return "%s: described array inner type %s != %s" % (path, exp["inner"], act["inner"])
                r = tv_diff(exp["descriptor"], act["descriptor"], path + ".descriptor")
                if r:
                    return r
            if len(exp["v"]) != len(act["v"]):
                return "%s: array length %d != %d" % (path, len(exp["v"]), len(act["v"]))
            for i, (a, b) in enumerate(zip(exp["v"], act["v"])):
                r = tv_diff(a, b, "%s[%d]" % (path, i))
                if r:
                    return r
            return None
        if t == "described":
            return (tv_diff(exp["descriptor"], act["descriptor"], path + ".descriptor")
                    or tv_diff(exp["v"], act["v"], path + ".value"))
    except (KeyError, TypeError, ValueError) as e:
        return "%s: malformed TV (%s: %s)" % (path, type(e).__name__, e)
    return "%s: unknown TV type %r" % (path, t)


def _short(s, n=40):
    s = str(s)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


# TV construction shorthands ------------------------------------------------

def NULL():
    return {"t": "null"}


def BOOL(b):
    return {"t": "bool", "v": bool(b)}


def I(t, v):
    lo, hi = INT_RANGES[t]
    assert lo <= v <= hi, (t, v)
    return {"t": t, "v": str(v)}


def FLT(bits):
    return {"t": "float", "bits": "%08x" % bits}


def FLTv(x):
    return {"t": "float", "bits": struct.pack(">f", x).hex()}


def DBL(bits):
    return {"t": "double", "bits": "%016x" % bits}


def DBLv(x):
    return {"t": "double", "bits": struct.pack(">d", x).hex()}


def DEC(t, hexstr):
    return {"t": t, "hex": hexstr}


def CHAR(cp):
    return {"t": "char", "v": str(cp)}


def TS(ms):
    return {"t": "timestamp", "v": str(ms)}


def UUID(s):
    return {"t": "uuid", "hex": uuid.UUID(s).bytes.hex()}


def BIN(b):
    return {"t": "binary", "hex": bytes(b).hex()}


def STR(s):
    return {"t": "string", "v": s}


def SYM(s):
    return {"t": "symbol", "v": s}


def LIST(*items):
    return {"t": "list", "v": list(items)}


def MAP(*pairs):
    return {"t": "map", "v": [[k, v] for k, v in pairs]}


def ARR(elem, items):
    return {"t": "array", "elem": elem, "v": list(items)}


def DARR(descriptor, inner, items):
    return {"t": "array", "elem": "described", "descriptor": descriptor, "inner": inner, "v": list(items)}


def DESC(descriptor, value):
    return {"t": "described", "descriptor": descriptor, "v": value}


def UL(v):
    return I("ulong", v)


def pattern(n, seed=0):
    return bytes((i * 7 + seed) % 256 for i in range(n))


# --------------------------------------------------------------------------
# proton-values.json
# --------------------------------------------------------------------------

def random_tv(rng, depth=0):
    """Seeded random TV (only values that survive a Python round trip exactly)."""
    scalars = ["null", "bool", "ubyte", "ushort", "uint", "ulong", "byte", "short",
               "int", "long", "float", "double", "char", "timestamp", "uuid",
               "binary", "string", "symbol", "decimal32", "decimal64", "decimal128"]
    compounds = ["list", "map", "array", "described"]
    kinds = scalars + (compounds * 3 if depth < 3 else [])
    k = rng.choice(kinds)
    return random_of_type(rng, k, depth)


def _rand_int(rng, t):
    lo, hi = INT_RANGES[t]
    mode = rng.random()
    if mode < 0.4:
        # small values (fit the compact encodings)
        v = rng.randint(max(lo, -128), min(hi, 255))
    elif mode < 0.5:
        v = rng.choice([lo, hi, 0])
    else:
        v = rng.randint(lo, hi)
    return I(t, v)


def _rand_float_bits(rng):
    while True:
        b = rng.getrandbits(32)
        if (b >> 23) & 0xff == 0xff and (b & 0x7fffff) != 0:
            continue  # avoid NaNs with payloads (Python float conversion)
        return b


def _rand_double_bits(rng):
    while True:
        b = rng.getrandbits(64)
        if (b >> 52) & 0x7ff == 0x7ff and (b & 0xfffffffffffff) != 0:
            continue
        return b


def _rand_text(rng, n):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/"
    extra = ["é", "ß", "Ω", "中", "文", "€", "😀", "🚀"]
    out = []
    for _ in range(n):
        if rng.random() < 0.1:
            out.append(rng.choice(extra))
        else:
            out.append(rng.choice(alphabet))
    return "".join(out)


def _rand_sym(rng, n):
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789:-._"
    return "".join(rng.choice(alphabet) for _ in range(n))


def random_of_type(rng, k, depth):
    if k == "null":
        return NULL()
    if k == "bool":
        return BOOL(rng.random() < 0.5)
    if k in INT_TYPES:
        return _rand_int(rng, k)
    if k == "float":
        return FLT(_rand_float_bits(rng))
    if k == "double":
        return DBL(_rand_double_bits(rng))
    if k == "char":
        cp = rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0xd7ff), rng.randint(0x10000, 0x10ffff)])
        return CHAR(cp)
    if k == "timestamp":
        return TS(rng.randint(-2**40, 2**42))
    if k == "uuid":
        return {"t": "uuid", "hex": "%032x" % rng.getrandbits(128)}
    if k == "binary":
        n = rng.choice([0, 1, rng.randint(2, 40), rng.randint(200, 300)])
        return BIN(bytes(rng.getrandbits(8) for _ in range(n)))
    if k == "string":
        return STR(_rand_text(rng, rng.choice([0, rng.randint(1, 20), rng.randint(100, 300)])))
    if k == "symbol":
        return SYM(_rand_sym(rng, rng.choice([1, rng.randint(2, 30), rng.randint(250, 270)])))
    if k == "decimal32":
        return DEC(k, "%08x" % rng.getrandbits(32))
    if k == "decimal64":
        return DEC(k, "%016x" % rng.getrandbits(64))
    if k == "decimal128":
        return DEC(k, "%032x" % rng.getrandbits(128))
    if k == "list":
        n = rng.choice([0, rng.randint(1, 5), rng.randint(6, 20)])
        return LIST(*[random_tv(rng, depth + 1) for _ in range(n)])
    if k == "map":
        n = rng.choice([0, rng.randint(1, 4), rng.randint(5, 12)])
        pairs = []
        seen = set()
        for _ in range(n):
            kt = rng.choice(["symbol", "string", "ulong", "int", "symbol"])
            key = random_of_type(rng, kt, 3)
            marker = json.dumps(key, sort_keys=True)
            value = random_tv(rng, depth + 1)
            if marker in seen:
                continue  # map keys are distinct (spec 1.6.23)
            seen.add(marker)
            pairs.append([key, value])
        return {"t": "map", "v": pairs}
    if k == "array":
        et = rng.choice(["int", "long", "ulong", "uint", "ubyte", "short", "symbol", "string",
                         "bool", "double", "float", "uuid", "binary", "timestamp", "char",
                         "list", "map", "described"])
        n = rng.choice([0, rng.randint(1, 4), rng.randint(5, 30)])
        if et == "described":
            inner = rng.choice(["string", "long", "list", "binary"])
            desc = rng.choice([UL(rng.randint(0, 0xffff)), SYM(_rand_sym(rng, rng.randint(3, 20)))])
            items = [random_of_type(rng, inner, 3) for _ in range(n)]
            return DARR(desc, inner, items)
        if et in ("list", "map"):
            items = [random_of_type(rng, et, max(depth + 1, 2)) for _ in range(n)]
        else:
            items = [random_of_type(rng, et, 3) for _ in range(n)]
        return ARR(et, items)
    if k == "described":
        desc = rng.choice([UL(rng.randint(0, 0x7f)), UL(rng.getrandbits(64)),
                           SYM("example:" + _rand_sym(rng, rng.randint(1, 20)))])
        value = random_tv(rng, depth + 1)
        while value["t"] == "described":
            # see proton_decode_unsafe(): proton 0.37 mis-decodes these
            value = random_tv(rng, depth + 1)
        return DESC(desc, value)
    raise ValueError(k)


def value_vectors():
    V = []

    def add(name, tv):
        V.append((name, tv))

    add("null", NULL())
    add("bool true", BOOL(True))
    add("bool false", BOOL(False))
    for t, vals in [
        ("ubyte", [0, 1, 127, 128, 255]),
        ("ushort", [0, 1, 255, 256, 65535]),
        ("uint", [0, 1, 255, 256, 65535, 65536, 2**32 - 1]),
        ("ulong", [0, 1, 255, 256, 2**32, 2**63, 2**64 - 1]),
        ("byte", [-128, -1, 0, 1, 127]),
        ("short", [-32768, -129, -128, -1, 0, 1, 127, 128, 32767]),
        ("int", [-2**31, -129, -128, -1, 0, 1, 127, 128, 255, 256, 2**31 - 1]),
        ("long", [-2**63, -2**31 - 1, -129, -128, -1, 0, 1, 127, 128, 2**31, 2**63 - 1]),
    ]:
        for v in vals:
            add("%s %d" % (t, v), I(t, v))
    for label, bits in [("0.0", 0), ("-0.0", 0x80000000), ("1.0", 0x3f800000), ("-1.5", 0xbfc00000),
                        ("pi", 0x40490fdb), ("max", 0x7f7fffff), ("min subnormal", 0x00000001),
                        ("min normal", 0x00800000), ("+inf", 0x7f800000), ("-inf", 0xff800000),
                        ("NaN", 0x7fc00000)]:
        add("float %s" % label, FLT(bits))
    for label, bits in [("0.0", 0), ("-0.0", 0x8000000000000000), ("1.0", 0x3ff0000000000000),
                        ("-1.5", 0xbff8000000000000), ("0.1", 0x3fb999999999999a),
                        ("max", 0x7fefffffffffffff), ("min subnormal", 1), ("+inf", 0x7ff0000000000000),
                        ("-inf", 0xfff0000000000000), ("NaN", 0x7ff8000000000000)]:
        add("double %s" % label, DBL(bits))
    add("decimal32 zero", DEC("decimal32", "22500000"))
    add("decimal32 -1.5", DEC("decimal32", "b2000f00"))
    add("decimal32 pattern", DEC("decimal32", "01234567"))
    add("decimal64 zero", DEC("decimal64", "2238000000000000"))
    add("decimal64 pattern", DEC("decimal64", "0123456789abcdef"))
    add("decimal128 zero", DEC("decimal128", "22080000000000000000000000000000"))
    add("decimal128 pattern", DEC("decimal128", "0123456789abcdeffedcba9876543210"))
    for label, cp in [("NUL", 0), ("A", 0x41), ("e-acute", 0xe9), ("euro", 0x20ac), ("U+FFFD", 0xfffd),
                      ("grinning face U+1F600", 0x1f600), ("U+10FFFF", 0x10ffff)]:
        add("char %s" % label, CHAR(cp))
    for label, ms in [("epoch", 0), ("2023-11-14T22:13:20.123Z", 1700000000123), ("-1 ms", -1),
                      ("0001-01-01", -62135596800000), ("9999-12-31T23:59:59.999Z", 253402300799999)]:
        add("timestamp %s" % label, TS(ms))
    add("uuid nil", UUID("00000000-0000-0000-0000-000000000000"))
    add("uuid rfc4122 example", UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"))
    add("uuid all ones", UUID("ffffffff-ffff-ffff-ffff-ffffffffffff"))
    for n in [0, 1, 255, 256, 70000]:
        add("binary %d bytes" % n, BIN(pattern(n)))
    add("string empty", STR(""))
    add("string ascii", STR("hello, world"))
    add("string latin-1 supplement", STR("héllo wörld"))
    add("string CJK", STR("日本語テキスト"))
    add("string emoji (4-byte UTF-8)", STR("🚀 launch 😀"))
    add("string 255 bytes ascii", STR("x" * 255))
    add("string 256 bytes ascii", STR("y" * 256))
    add("string 255 bytes 3-byte chars", STR("€" * 85))
    add("string 256 bytes mixed", STR("€" * 85 + "!"))
    add("string 70000 bytes", STR(("abcdefghij" * 7000)))
    add("string >64KiB multibyte", STR("ünïcödé😀" * 5000))
    add("symbol empty", SYM(""))
    add("symbol short", SYM("a"))
    add("symbol amqp", SYM("amqp:accepted:list"))
    add("symbol 255 bytes", SYM("s" * 255))
    add("symbol 256 bytes", SYM("t" * 256))
    # lists
    add("list empty", LIST())
    add("list [int 1]", LIST(I("int", 1)))
    add("list [null,true,false]", LIST(NULL(), BOOL(True), BOOL(False)))
    add("list mixed scalars", LIST(I("ubyte", 7), I("long", -3), STR("s"), SYM("y"), DBLv(2.5), TS(1700000000000),
                                   UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), BIN(b"\x00\x01")))
    add("list >255 bytes", LIST(*[STR("element-%02d" % i) for i in range(30)]))
    add("list 300 elements", LIST(*[I("int", i) for i in range(300)]))
    add("list nested", LIST(LIST(), LIST(I("int", 1), LIST(I("int", 2), LIST(I("int", 3)))), MAP()))
    add("list of empty lists", LIST(LIST(), LIST(), LIST()))
    add("list with trailing nulls", LIST(STR("a"), NULL(), NULL()))
    # maps
    add("map empty", MAP())
    add("map symbol->string", MAP((SYM("key"), STR("value"))))
    add("map string->int", MAP((STR("one"), I("int", 1)), (STR("two"), I("int", 2)), (STR("three"), I("int", 3))))
    add("map mixed key types", MAP((I("int", 1), STR("int key")), (STR("s"), STR("string key")),
                                   (SYM("y"), STR("symbol key")), (UL(0x7fffffffffff), STR("ulong key")),
                                   (NULL(), STR("null key")), (BOOL(True), STR("bool key")),
                                   (BIN(b"\xca\xfe"), STR("binary key")),
                                   (UUID("00000000-0000-0000-0000-000000000001"), STR("uuid key")),
                                   (LIST(I("int", 1)), STR("list key"))))
    add("map large (100 entries)", MAP(*[(SYM("key-%03d" % i), I("long", i * 1000003)) for i in range(100)]))
    add("map nested", MAP((SYM("outer"), MAP((SYM("inner"), MAP((SYM("deep"), LIST(I("int", 1), I("int", 2))))))),
                          (SYM("x"), NULL())))
    add("map wire order preserved (unsorted keys)", MAP((STR("z"), I("int", 1)), (STR("a"), I("int", 2)),
                                                        (STR("m"), I("int", 3))))
    add("map duplicate keys", MAP((STR("dup"), I("int", 1)), (STR("dup"), I("int", 2))))
    # arrays
    add("array int", ARR("int", [I("int", v) for v in (1, 2, 3, -1, 2**31 - 1)]))
    add("array int empty", ARR("int", []))
    add("array symbol", ARR("symbol", [SYM("amqp:link:redirect"), SYM("ANONYMOUS"), SYM("PLAIN")]))
    add("array symbol single", ARR("symbol", [SYM("only")]))
    add("array symbol empty", ARR("symbol", []))
    add("array string", ARR("string", [STR("a"), STR(""), STR("ünï"), STR("z" * 300)]))
    add("array bool", ARR("bool", [BOOL(True), BOOL(False), BOOL(True)]))
    add("array ulong", ARR("ulong", [UL(0), UL(1), UL(255), UL(256), UL(2**64 - 1)]))
    add("array long", ARR("long", [I("long", v) for v in (0, -1, 127, -2**63)]))
    add("array uint", ARR("uint", [I("uint", v) for v in (0, 1, 2**32 - 1)]))
    add("array ubyte", ARR("ubyte", [I("ubyte", v) for v in (0, 1, 255)]))
    add("array short", ARR("short", [I("short", v) for v in (-32768, 0, 32767)]))
    add("array double", ARR("double", [DBLv(0.5), DBL(0x7ff8000000000000), DBLv(-1e300)]))
    add("array float", ARR("float", [FLTv(0.5), FLT(0x80000000)]))
    add("array char", ARR("char", [CHAR(0x41), CHAR(0x1f600)]))
    add("array timestamp", ARR("timestamp", [TS(0), TS(1700000000123), TS(-1)]))
    add("array uuid", ARR("uuid", [UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
                                   UUID("00000000-0000-0000-0000-000000000000")]))
    add("array binary", ARR("binary", [BIN(b""), BIN(b"\x01\x02"), BIN(pattern(300))]))
    add("array 300 ints", ARR("int", [I("int", i * 3 - 450) for i in range(300)]))
    add("array list", ARR("list", [LIST(), LIST(I("int", 1), STR("x")), LIST(NULL())]))
    add("array map", ARR("map", [MAP(), MAP((SYM("k"), I("int", 1)))]))
    add("array of arrays (int)", ARR("array", [ARR("int", [I("int", 1)]), ARR("int", [I("int", 2), I("int", 3)])]))
    add("array of arrays (mixed element types)", ARR("array", [ARR("symbol", [SYM("a")]), ARR("long", [I("long", 5)])]))
    add("array of empty arrays", ARR("array", [ARR("int", []), ARR("int", [])]))
    add("array described ulong/string", DARR(UL(0x77), "string", [STR("x"), STR("y")]))
    add("array described symbol/list", DARR(SYM("example:point:list"), "list",
                                            [LIST(I("int", 1), I("int", 2)), LIST(I("int", 3), I("int", 4))]))
    add("array described empty", DARR(UL(0x75), "binary", []))
    add("array null", ARR("null", [NULL(), NULL()]))
    # described
    add("described ulong/list (header-like)", DESC(UL(0x70), LIST(BOOL(True), I("ubyte", 4))))
    add("described ulong/empty list", DESC(UL(0x24), LIST()))
    add("described symbol/list0", DESC(SYM("amqp:accepted:list"), LIST()))
    add("described symbol/string", DESC(SYM("example:string"), STR("payload")))
    add("described ulong/binary (data section)", DESC(UL(0x75), BIN(pattern(10))))
    add("described vendor ulong 0x468c00000001", DESC(UL(0x0000468C00000001), MAP((SYM("k"), STR("v")))))
    add("described max ulong descriptor", DESC(UL(2**64 - 1), NULL()))
    add("described nested", DESC(UL(1), DESC(SYM("inner"), I("int", 42))))
    add("described in list", LIST(DESC(UL(0x24), LIST()), DESC(UL(0x25), LIST(DESC(UL(0x1d), LIST(SYM("amqp:x")))))))
    add("described descriptor is string", DESC(STR("string-descriptor"), I("int", 1)))
    # seeded random
    rng = random.Random(42)
    for i in range(40):
        add("random %02d" % i, random_tv(rng))
    return V


def build_values():
    out = []
    for name, tv in value_vectors():
        raw = encode_tv(tv)
        back, n = decode_one(raw)
        assert n == len(raw), (name, n, len(raw))
        diff = tv_diff(tv, back)
        assert diff is None, (name, diff)
        # re-encoding proton's decode must reproduce the same bytes
        assert encode_tv(back) == raw, name
        out.append({"name": name, "hex": raw.hex(), "value": back})
    names = [v["name"] for v in out]
    assert len(set(names)) == len(names)
    return out


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------

SECTION_NAMES = {
    0x70: "header", 0x71: "delivery_annotations", 0x72: "message_annotations",
    0x73: "properties", 0x74: "application_properties", 0x75: "data",
    0x76: "amqp_sequence", 0x77: "amqp_value", 0x78: "footer",
}
SECTION_SYMBOLS = {
    "amqp:header:list": 0x70, "amqp:delivery-annotations:map": 0x71,
    "amqp:message-annotations:map": 0x72, "amqp:properties:list": 0x73,
    "amqp:application-properties:map": 0x74, "amqp:data:binary": 0x75,
    "amqp:amqp-sequence:list": 0x76, "amqp:amqp-value:*": 0x77, "amqp:footer:map": 0x78,
}
HEADER_FIELDS = ["durable", "priority", "ttl", "first_acquirer", "delivery_count"]
PROPERTY_FIELDS = ["message_id", "user_id", "to", "subject", "reply_to", "correlation_id",
                   "content_type", "content_encoding", "absolute_expiry_time", "creation_time",
                   "group_id", "group_sequence", "reply_to_group_id"]


class MessageFormatError(Exception):
    pass


def descriptor_code(tv):
    if tv["t"] == "ulong":
        return int(tv["v"])
    if tv["t"] == "symbol":
        return SECTION_SYMBOLS.get(tv["v"])
    return None


def split_sections(raw):
    """Split an encoded message into [(code, value TV, offset, size)] using proton.Data."""
    out = []
    off = 0
    while off < len(raw):
        d = Data()
        try:
            n = d.decode(raw[off:])
        except Exception as e:
            raise MessageFormatError("proton.Data cannot decode section at offset %d: %s" % (off, e))
        d.rewind()
        d.next()
        tv = read_tv(d)
        if tv["t"] != "described":
            raise MessageFormatError("section at offset %d is not described (%s)" % (off, tv["t"]))
        code = descriptor_code(tv["descriptor"])
        if code not in SECTION_NAMES:
            raise MessageFormatError("unknown section descriptor at offset %d: %r" % (off, tv["descriptor"]))
        out.append((code, tv["v"], off, n))
        off += n
    return out


def _tv_scalar(tv, expect):
    if tv["t"] == "null":
        return None
    if tv["t"] not in expect:
        raise MessageFormatError("field has type %s, expected %s" % (tv["t"], "/".join(expect)))
    if tv["t"] in INT_TYPES or tv["t"] == "timestamp":
        return int(tv["v"])
    if tv["t"] == "bool":
        return bool(tv["v"])
    if tv["t"] == "binary":
        return tv["hex"]
    return tv["v"]


def message_sections_json(raw):
    """Build the proton-messages.json record (minus name/hex) from wire bytes."""
    rec = {"header": None, "delivery_annotations": None, "message_annotations": None,
           "properties": None, "application_properties": None, "body": None, "footer": None}
    body_sections = []
    for code, tv, off, n in split_sections(raw):
        name = SECTION_NAMES[code]
        if name == "header":
            if tv["t"] != "list":
                raise MessageFormatError("header is not a list")
            h = {}
            types = [("bool",), ("ubyte",), ("uint",), ("bool",), ("uint",)]
            for i, f in enumerate(tv["v"]):
                if i >= len(HEADER_FIELDS):
                    break
                v = _tv_scalar(f, types[i])
                if v is not None:
                    h[HEADER_FIELDS[i]] = v
            rec["header"] = h
        elif name == "properties":
            if tv["t"] != "list":
                raise MessageFormatError("properties is not a list")
            p = {}
            for i, f in enumerate(tv["v"]):
                if i >= len(PROPERTY_FIELDS):
                    break
                key = PROPERTY_FIELDS[i]
                if f["t"] == "null":
                    continue
                if key in ("message_id", "correlation_id"):
                    p[key] = f
                elif key == "user_id":
                    p[key] = _tv_scalar(f, ("binary",))
                elif key in ("to", "reply_to"):
                    p[key] = _tv_scalar(f, ("string",))
                elif key in ("subject", "group_id", "reply_to_group_id"):
                    p[key] = _tv_scalar(f, ("string",))
                elif key in ("content_type", "content_encoding"):
                    p[key] = _tv_scalar(f, ("symbol",))
                elif key in ("absolute_expiry_time", "creation_time"):
                    p[key] = _tv_scalar(f, ("timestamp",))
                elif key == "group_sequence":
                    p[key] = _tv_scalar(f, ("uint",))
            rec["properties"] = p
        elif name in ("delivery_annotations", "message_annotations", "application_properties", "footer"):
            if tv["t"] != "map":
                raise MessageFormatError("%s is not a map" % name)
            rec[name] = tv
        else:
            body_sections.append((name, tv))
    if body_sections:
        kinds = {k for k, _ in body_sections}
        if len(kinds) != 1:
            raise MessageFormatError("mixed body section kinds %s" % sorted(kinds))
        kind = body_sections[0][0]
        if kind == "data":
            rec["body"] = {"kind": "data", "hex": "".join(tv["hex"] for _, tv in body_sections)}
            if len(body_sections) > 1:
                rec["body"]["sections"] = len(body_sections)
        elif kind == "amqp_sequence":
            items = []
            for _, tv in body_sections:
                if tv["t"] != "list":
                    raise MessageFormatError("amqp-sequence is not a list")
                items.extend(tv["v"])
            rec["body"] = {"kind": "sequence", "v": items}
            if len(body_sections) > 1:
                rec["body"]["sections"] = len(body_sections)
        else:
            if len(body_sections) > 1:
                raise MessageFormatError("more than one amqp-value section")
            rec["body"] = {"kind": "value", "v": body_sections[0][1]}
    return rec


def pn_encode_message(msg):
    """pn_message_encode with growing buffer (msg is a proton.Message whose
    pn_data sections were already filled)."""
    sz = 256
    while True:
        err, data = cproton.pn_message_encode(msg._msg, sz)
        if err == cproton.PN_OVERFLOW:
            sz *= 2
            continue
        if err < 0:
            raise RuntimeError("pn_message_encode failed: %d" % err)
        return data


def build_proton_message(spec):
    """Create a proton.Message from a spec dict and return (encoded bytes, note)."""
    m = Message()
    impl = m._msg
    h = spec.get("header", {})
    if "durable" in h:
        cproton.pn_message_set_durable(impl, h["durable"])
    if "priority" in h:
        cproton.pn_message_set_priority(impl, h["priority"])
    if "ttl" in h:
        cproton.pn_message_set_ttl(impl, h["ttl"])
    if "first_acquirer" in h:
        cproton.pn_message_set_first_acquirer(impl, h["first_acquirer"])
    if "delivery_count" in h:
        cproton.pn_message_set_delivery_count(impl, h["delivery_count"])
    p = spec.get("properties", {})
    if "message_id" in p:
        m.id = p["message_id"]
    if "user_id" in p:
        m.user_id = p["user_id"]
    if "to" in p:
        m.address = p["to"]
    if "subject" in p:
        m.subject = p["subject"]
    if "reply_to" in p:
        m.reply_to = p["reply_to"]
    if "correlation_id" in p:
        m.correlation_id = p["correlation_id"]
    if "content_type" in p:
        m.content_type = p["content_type"]
    if "content_encoding" in p:
        m.content_encoding = p["content_encoding"]
    if "absolute_expiry_time" in p:
        cproton.pn_message_set_expiry_time(impl, p["absolute_expiry_time"])
    if "creation_time" in p:
        cproton.pn_message_set_creation_time(impl, p["creation_time"])
    if "group_id" in p:
        m.group_id = p["group_id"]
    if "group_sequence" in p:
        m.group_sequence = p["group_sequence"]
    if "reply_to_group_id" in p:
        m.reply_to_group_id = p["reply_to_group_id"]
    m._pre_encode()  # clears the pn_data members (python-side dicts are None)
    for key, getter in (("delivery_annotations", cproton.pn_message_instructions),
                        ("message_annotations", cproton.pn_message_annotations),
                        ("application_properties", cproton.pn_message_properties)):
        if key in spec:
            d = Data(getter(impl))
            d.clear()
            put_tv(d, spec[key])
    body = spec.get("body")
    if body is not None:
        d = Data(cproton.pn_message_body(impl))
        d.clear()
        if body["kind"] == "data":
            d.put_binary(bytes.fromhex(body["hex"]))
            cproton.pn_message_set_inferred(impl, True)
        elif body["kind"] == "sequence":
            put_tv(d, LIST(*body["v"]))
            cproton.pn_message_set_inferred(impl, True)
        else:
            put_tv(d, body["v"])
            cproton.pn_message_set_inferred(impl, False)
    raw = pn_encode_message(m)
    note = None
    if "footer" in spec:
        # pn_message_t has no footer support: append a footer section encoded
        # by proton.Data after the bytes pn_message_encode produced.
        raw += encode_tv(DESC(UL(0x78), spec["footer"]))
        note = "footer section appended with proton.Data (pn_message has no footer API)"
    return raw, note


EVENT_JSON = json.dumps({
    "id": "5f0c2a4e-8d9b-4c3a-9e1f-0a1b2c3d4e5f",
    "source": "/devices/sensor-17",
    "type": "com.example.telemetry.reading",
    "time": "2023-11-14T22:13:20.123Z",
    "data": {"readings": [{"ts": 1700000000000 + i * 1000, "temperature": 20.0 + i / 8.0,
                           "humidity": 40 + i, "status": "ok"} for i in range(12)]},
}, separators=(",", ":"))


def message_specs():
    S = []

    def add(name, **spec):
        S.append((name, spec))

    fixed_uuid = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    add("minimal string body", body={"kind": "value", "v": STR("hello")})
    add("empty message (no body)")
    add("data body 0 bytes", body={"kind": "data", "hex": ""})
    add("data body 1 KiB", body={"kind": "data", "hex": pattern(1024).hex()})
    add("data body 64 KiB", body={"kind": "data", "hex": pattern(65536, 3).hex()})
    add("amqp-value null", body={"kind": "value", "v": NULL()})
    add("amqp-value int", body={"kind": "value", "v": I("int", 42)})
    add("amqp-value binary (value, not data)", body={"kind": "value", "v": BIN(b"\x01\x02\x03")})
    add("amqp-value map", body={"kind": "value", "v": MAP((STR("k"), STR("v")), (STR("n"), I("long", -7)),
                                                           (STR("list"), LIST(I("int", 1), BOOL(False))))})
    add("amqp-value list", body={"kind": "value", "v": LIST(STR("a"), I("int", 2), DBLv(3.0))})
    add("amqp-value array of symbol", body={"kind": "value", "v": ARR("symbol", [SYM("x"), SYM("y")])})
    add("amqp-value described", body={"kind": "value", "v": DESC(SYM("example:type"), MAP((SYM("f"), I("int", 1))))})
    add("amqp-value uuid", body={"kind": "value", "v": UUID(fixed_uuid)})
    add("amqp-sequence", body={"kind": "sequence", "v": [I("int", 1), STR("two"), LIST(I("int", 3))]})
    add("amqp-sequence empty", body={"kind": "sequence", "v": []})
    add("header all fields",
        header={"durable": True, "priority": 9, "ttl": 60000, "first_acquirer": True, "delivery_count": 3},
        body={"kind": "value", "v": STR("h")})
    add("header durable only", header={"durable": True}, body={"kind": "value", "v": STR("d")})
    add("header default priority 4 (omitted by proton)", header={"priority": 4}, body={"kind": "value", "v": STR("p")})
    add("header priority 0", header={"priority": 0}, body={"kind": "value", "v": STR("p0")})
    add("properties all fields",
        properties={"message_id": "msg-0001", "user_id": b"guest", "to": "queue://orders",
                    "subject": "order.created", "reply_to": "queue://replies", "correlation_id": "corr-77",
                    "content_type": "text/plain", "content_encoding": "utf-8",
                    "absolute_expiry_time": 1700000060000, "creation_time": 1700000000123,
                    "group_id": "group-a", "group_sequence": 7, "reply_to_group_id": "group-r"},
        body={"kind": "value", "v": STR("all properties")})
    add("message-id ulong", properties={"message_id": 12345678901234}, body={"kind": "value", "v": STR("x")})
    add("message-id ulong 0", properties={"message_id": 0}, body={"kind": "value", "v": STR("x")})
    add("message-id uuid", properties={"message_id": uuid.UUID(fixed_uuid),
                                       "correlation_id": uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")},
        body={"kind": "value", "v": STR("x")})
    add("message-id binary", properties={"message_id": b"\x00\x01\x02\xff", "correlation_id": b"\xfe"},
        body={"kind": "value", "v": STR("x")})
    add("message-id string + correlation ulong", properties={"message_id": "id-ü", "correlation_id": 99},
        body={"kind": "value", "v": STR("x")})
    add("group sequence without group id", properties={"group_sequence": 5}, body={"kind": "value", "v": STR("g")})
    add("annotations symbol and ulong keys",
        delivery_annotations=MAP((SYM("x-opt-delivery"), STR("da")), (UL(1234), I("int", 1))),
        message_annotations=MAP((SYM("x-opt-partition-key"), STR("pk-1")),
                                (SYM("x-opt-enqueued-time"), TS(1700000000123)),
                                (SYM("x-opt-sequence-number"), I("long", 9876543210)),
                                (UL(0x468C00000001), SYM("vendor"))),
        body={"kind": "value", "v": STR("annotated")})
    add("application properties many types",
        application_properties=MAP(
            (STR("null"), NULL()), (STR("bool"), BOOL(True)), (STR("ubyte"), I("ubyte", 200)),
            (STR("ushort"), I("ushort", 60000)), (STR("uint"), I("uint", 4000000000)),
            (STR("ulong"), UL(2**64 - 1)), (STR("byte"), I("byte", -100)), (STR("short"), I("short", -30000)),
            (STR("int"), I("int", -2000000000)), (STR("long"), I("long", -2**62)), (STR("float"), FLTv(1.25)),
            (STR("double"), DBLv(-2.5e-10)), (STR("char"), CHAR(0x1f600)), (STR("timestamp"), TS(1700000000123)),
            (STR("uuid"), UUID(fixed_uuid)), (STR("binary"), BIN(b"\x00\xff")), (STR("string"), STR("ßtring")),
            (STR("symbol"), SYM("sym")), (STR("decimal64"), DEC("decimal64", "2238000000000000"))),
        body={"kind": "value", "v": STR("props")})
    add("footer", body={"kind": "data", "hex": b"payload".hex()},
        footer=MAP((SYM("x-opt-checksum"), BIN(b"\xde\xad\xbe\xef")), (SYM("x-opt-signer"), STR("k1"))))
    add("all sections",
        header={"durable": True, "priority": 7, "ttl": 30000, "delivery_count": 1},
        delivery_annotations=MAP((SYM("x-opt-lock-token"), UUID("01234567-89ab-cdef-0123-456789abcdef"))),
        message_annotations=MAP((SYM("x-opt-scheduled-enqueue-time"), TS(1700003600000))),
        properties={"message_id": uuid.UUID(fixed_uuid), "to": "topic/a", "subject": "s",
                    "content_type": "application/octet-stream", "creation_time": 1700000000000},
        application_properties=MAP((STR("k"), STR("v")), (STR("n"), I("int", 5))),
        body={"kind": "data", "hex": pattern(100).hex()},
        footer=MAP((SYM("x-opt-f"), BOOL(True))))
    add("event-like (JSON body)",
        properties={"message_id": "5f0c2a4e-8d9b-4c3a-9e1f-0a1b2c3d4e5f", "subject": "com.example.telemetry.reading",
                    "content_type": "application/json", "creation_time": 1700000000123},
        application_properties=MAP((STR("source"), STR("/devices/sensor-17")),
                                   (STR("type"), STR("com.example.telemetry.reading")),
                                   (STR("specVersion"), STR("1.0")),
                                   (STR("Diagnostic-Id"), STR("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))),
        body={"kind": "data", "hex": EVENT_JSON.encode().hex()})
    return S


def build_messages():
    out = []
    for name, spec in message_specs():
        raw, note = build_proton_message(spec)
        rec = {"name": name, "hex": raw.hex()}
        rec.update(message_sections_json(raw))
        if note:
            rec["note"] = note
        # sanity: proton can decode what it produced
        m = Message()
        m.decode(raw)
        out.append(rec)
    return out


# --------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"

PERFORMATIVES = {
    0x10: "open", 0x11: "begin", 0x12: "attach", 0x13: "flow", 0x14: "transfer",
    0x15: "disposition", 0x16: "detach", 0x17: "end", 0x18: "close",
    0x40: "sasl-mechanisms", 0x41: "sasl-init", 0x42: "sasl-challenge",
    0x43: "sasl-response", 0x44: "sasl-outcome",
}
PERFORMATIVE_SYMBOLS = {
    "amqp:open:list": 0x10, "amqp:begin:list": 0x11, "amqp:attach:list": 0x12, "amqp:flow:list": 0x13,
    "amqp:transfer:list": 0x14, "amqp:disposition:list": 0x15, "amqp:detach:list": 0x16,
    "amqp:end:list": 0x17, "amqp:close:list": 0x18, "amqp:sasl-mechanisms:list": 0x40,
    "amqp:sasl-init:list": 0x41, "amqp:sasl-challenge:list": 0x42, "amqp:sasl-response:list": 0x43,
    "amqp:sasl-outcome:list": 0x44,
}


class FrameFormatError(Exception):
    pass


def performative_code(tv):
    if tv is None or tv.get("t") != "described":
        return None
    d = tv["descriptor"]
    if d["t"] == "ulong":
        return int(d["v"])
    if d["t"] == "symbol":
        return PERFORMATIVE_SYMBOLS.get(d["v"])
    return None


def parse_stream(raw):
    """Split a byte stream into protocol headers and frames.

    Returns (headers, frames) where headers is [{"offset", "protocol_id", "hex"}]
    and frames is the proton-frames.json frame list."""
    headers, frames = [], []
    off = 0
    while off < len(raw):
        if raw[off:off + 4] == b"AMQP":
            if off + 8 > len(raw):
                raise FrameFormatError("truncated protocol header at %d" % off)
            h = raw[off:off + 8]
            headers.append({"offset": off, "protocol_id": h[4], "hex": h.hex()})
            off += 8
            continue
        if off + 8 > len(raw):
            raise FrameFormatError("truncated frame header at %d" % off)
        size, doff, ftype, channel = struct.unpack(">IBBH", raw[off:off + 8])
        if size < 8 or doff < 2 or doff * 4 > size:
            raise FrameFormatError("bad frame header at %d (size %d, doff %d)" % (off, size, doff))
        if off + size > len(raw):
            raise FrameFormatError("truncated frame at %d (size %d, %d available)" % (off, size, len(raw) - off))
        body = raw[off + doff * 4:off + size]
        fr = {"offset": off, "channel": channel, "type": ftype}
        if doff > 2:
            fr["extended_header_hex"] = raw[off + 8:off + doff * 4].hex()
        if body:
            d = Data()
            try:
                n = d.decode(body)
            except Exception as e:
                raise FrameFormatError("proton.Data cannot decode performative at %d: %s" % (off, e))
            d.rewind()
            d.next()
            fr["performative"] = read_tv(d)
            fr["payload_hex"] = body[n:].hex()
        else:
            fr["performative"] = None
            fr["payload_hex"] = ""
        frames.append(fr)
        off += size
    return headers, frames


class Peer:
    """A proton Connection bound to a Transport, driven by hand."""

    def __init__(self, mode, container, max_frame=None, idle_timeout=None, sasl_mechs=None,
                 user=None, password=None):
        self.transport = Transport(mode)
        if max_frame is not None:
            self.transport.max_frame_size = max_frame
        if idle_timeout is not None:
            self.transport.idle_timeout = idle_timeout
        self.sasl = None
        if sasl_mechs is not None:
            self.sasl = self.transport.sasl()
            self.sasl.allowed_mechs(sasl_mechs)
            self.sasl.allow_insecure_mechs = True
        self.conn = Connection()
        self.conn.container = container
        if user is not None:  # must be set before bind() for the SASL layer to see it
            self.conn.user = user
            self.conn.password = password
        self.collector = Collector()
        self.conn.collect(self.collector)
        self.transport.bind(self.conn)
        self.written = bytearray()
        self.events = []

    def pull(self):
        chunks = bytearray()
        while True:
            p = self.transport.pending()
            if p <= 0:
                break
            b = self.transport.peek(p)
            self.transport.pop(len(b))
            chunks += b
        self.written += chunks
        return bytes(chunks)

    def push(self, data):
        view = memoryview(data)
        while len(view):
            cap = self.transport.capacity()
            if cap <= 0:
                raise RuntimeError("transport has no input capacity (closed?)")
            chunk = bytes(view[:cap])
            self.transport.push(chunk)
            view = view[len(chunk):]

    def drain_events(self):
        evs = []
        while True:
            e = self.collector.peek()
            if e is None:
                break
            evs.append(e)
            self.collector.pop()
        self.events.extend(evs)
        return evs


def pump(a, b, react_a=None, react_b=None, max_rounds=100):
    for _ in range(max_rounds):
        moved = False
        out = a.pull()
        if out:
            b.push(out)
            moved = True
        out = b.pull()
        if out:
            a.push(out)
            moved = True
        for peer, react in ((a, react_a), (b, react_b)):
            evs = peer.drain_events()
            if react:
                for e in evs:
                    react(peer, e)
        if not moved and not a.transport.pending() > 0 and not b.transport.pending() > 0:
            # let reactions generate output once more
            if not a.pull() and not b.pull():
                return
            else:
                raise RuntimeError("unexpected output after quiescence")  # pragma: no cover
    raise RuntimeError("pump did not settle")


class AutoResponder:
    """Mirrors opens/attaches, grants credit, accepts (or settles) deliveries."""

    def __init__(self, credit=10, accept=True, settle=True):
        self.credit = credit
        self.accept = accept
        self.settle = settle
        self.received = []

    def __call__(self, peer, e):
        t = e.type
        if t == Event.CONNECTION_REMOTE_OPEN and peer.conn.state & Endpoint.LOCAL_UNINIT:
            peer.conn.open()
        elif t == Event.SESSION_REMOTE_OPEN and e.session.state & Endpoint.LOCAL_UNINIT:
            e.session.open()
        elif t == Event.LINK_REMOTE_OPEN and e.link.state & Endpoint.LOCAL_UNINIT:
            link = e.link
            link.source.copy(link.remote_source)
            link.target.copy(link.remote_target)
            link.open()
            if link.is_receiver and self.credit:
                link.flow(self.credit)
        elif t == Event.DELIVERY:
            d = e.delivery
            link = d.link
            if link.is_receiver and d.readable and not d.partial:
                data = link.recv(d.pending)
                self.received.append(data)
                link.advance()
                if self.accept:
                    d.update(Delivery.ACCEPTED)
                if self.settle:
                    d.settle()
        elif t == Event.LINK_REMOTE_CLOSE and not (e.link.state & Endpoint.LOCAL_CLOSED):
            e.link.close()
        elif t == Event.LINK_REMOTE_DETACH and not (e.link.state & Endpoint.LOCAL_CLOSED):
            e.link.detach()
        elif t == Event.SESSION_REMOTE_CLOSE and not (e.session.state & Endpoint.LOCAL_CLOSED):
            e.session.close()
        elif t == Event.CONNECTION_REMOTE_CLOSE and not (e.connection.state & Endpoint.LOCAL_CLOSED):
            e.connection.close()


def put_symbol_array(data, symbols):
    data.clear()
    data.put_array(False, Data.SYMBOL)
    data.enter()
    for s in symbols:
        data.put_symbol(s)
    data.exit()


def encode_message(body=None, **props):
    m = Message(body=body)
    for k, v in props.items():
        setattr(m, k, v)
    return m.encode()


def frame_bytes(channel, ftype, performative_tv, payload=b""):
    body = encode_tv(performative_tv) + payload
    return struct.pack(">IBBH", 8 + len(body), 2, ftype, channel) + body


def scenario_minimal():
    client = Peer(Transport.CLIENT, "client-minimal")
    server = Peer(Transport.SERVER, "server-minimal")
    resp = AutoResponder()
    client.conn.open()
    pump(client, server, react_b=resp)
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("open-close minimal (client)", client, "client"),
            ("open-close minimal (server)", server, "server")]


def scenario_open_full():
    client = Peer(Transport.CLIENT, "client-full-open", max_frame=16384, idle_timeout=30)
    client.transport.channel_max = 255
    server = Peer(Transport.SERVER, "server-full-open", max_frame=65536, idle_timeout=60)
    resp = AutoResponder()
    c = client.conn
    c.hostname = "broker.example.com"
    c.properties = {symbol("product"): "amqp-fixtures", symbol("version"): "1.0",
                    symbol("platform"): "python", symbol("pid"): ulong(4242)}
    # a Python list becomes an AMQP *list* of symbols; Array gives a proper array
    c.offered_capabilities = Array(UNDESCRIBED, Data.SYMBOL, symbol("ANONYMOUS-RELAY"), symbol("DELAYED_DELIVERY"))
    c.desired_capabilities = Array(UNDESCRIBED, Data.SYMBOL, symbol("SHARED-SUBS"))
    c.open()
    pump(client, server, react_b=resp)
    c.condition = Condition("amqp:connection:forced", "shutting down for maintenance",
                            {symbol("retry-after"): ulong(30)})
    c.close()
    pump(client, server, react_b=resp)
    return [("open with all fields, close with error (client)", client, "client"),
            ("open with all fields, close with error (server)", server, "server")]


def scenario_capabilities_list():
    client = Peer(Transport.CLIENT, "client-caps")
    server = Peer(Transport.SERVER, "server-caps")
    client.conn.offered_capabilities = ["single-cap"]
    client.conn.desired_capabilities = ["cap-a", "cap-b"]
    client.conn.open()
    pump(client, server, react_b=AutoResponder())
    return [("open with python-list capabilities (client)", client, "client")]


def _setup_links(peer, ssn):
    snd = ssn.sender("sender-link-1")
    snd.source.address = "client-outbox"
    snd.target.address = "queue://orders"
    snd.target.durability = Terminus.DELIVERIES
    snd.target.expiry_policy = Terminus.EXPIRE_NEVER
    put_symbol_array(snd.target.capabilities, ["queue", "shared"])
    snd.snd_settle_mode = Link.SND_MIXED
    snd.rcv_settle_mode = Link.RCV_FIRST
    snd.max_message_size = 1048576
    snd.properties = {symbol("x-opt-priority"): 5}
    rcv = ssn.receiver("receiver-link-1")
    rcv.source.address = "queue://events"
    rcv.source.distribution_mode = Terminus.DIST_MODE_COPY
    rcv.source.timeout = 120
    rcv.source.expiry_policy = Terminus.EXPIRE_WITH_SESSION
    f = rcv.source.filter
    f.put_map()
    f.enter()
    f.put_symbol("apache.org:selector-filter:string")
    f.put_described()
    f.enter()
    f.put_symbol("apache.org:selector-filter:string")
    f.put_string("color = 'red' AND size > 3")
    f.exit()
    f.put_symbol("apache.org:legacy-amqp-direct-binding:string")
    f.put_described()
    f.enter()
    f.put_ulong(0x0000468C00000000)
    f.put_string("routing.key")
    f.exit()
    f.exit()
    o = rcv.source.outcomes
    o.put_array(False, Data.SYMBOL)
    o.enter()
    for s in ("amqp:accepted:list", "amqp:rejected:list", "amqp:released:list", "amqp:modified:list"):
        o.put_symbol(s)
    o.exit()
    put_symbol_array(rcv.source.capabilities, ["topic"])
    rcv.target.address = "client-inbox"
    return snd, rcv


def scenario_session_links():
    client = Peer(Transport.CLIENT, "client-links")
    server = Peer(Transport.SERVER, "server-links")
    resp = AutoResponder(credit=0)
    client.conn.open()
    ssn = client.conn.session()
    ssn.open()
    snd, rcv = _setup_links(client, ssn)
    snd.open()
    rcv.open()
    pump(client, server, react_b=resp)
    # second session with a dynamic receiver
    ssn2 = client.conn.session()
    ssn2.open()
    dyn = ssn2.receiver("dynamic-receiver")
    dyn.source.dynamic = True
    dyn.target.address = None
    dyn.open()
    pump(client, server, react_b=resp)
    # detach (not closed) one link, close another with an error
    snd.detach()
    rcv.condition = Condition("amqp:link:detach-forced", "link stolen", None)
    rcv.close()
    pump(client, server, react_b=resp)
    ssn2.condition = Condition("amqp:session:unattached-handle", "session error")
    ssn2.close()
    pump(client, server, react_b=resp)
    ssn.close()
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("sessions and links lifecycle (client)", client, "client"),
            ("sessions and links lifecycle (server)", server, "server")]


def scenario_transfers():
    client = Peer(Transport.CLIENT, "client-transfers")
    server = Peer(Transport.SERVER, "server-transfers")
    resp = AutoResponder(credit=10, accept=True, settle=False)
    client.conn.open()
    ssn = client.conn.session()
    ssn.open()
    snd = ssn.sender("transfer-sender")
    snd.target.address = "queue://orders"
    snd.source.address = "client"
    snd.open()
    pump(client, server, react_b=resp)
    assert snd.credit == 10, snd.credit
    payloads = [
        encode_message("hello", id="m1"),
        encode_message(b"\x00\x01\x02" * 10, id=ulong(2), subject="binary", inferred=True),
        encode_message({"k": "v", "n": 1}, id="m3", properties={"a": 1}),
    ]
    for i, p in enumerate(payloads):
        d = snd.delivery("tag-%d" % i)
        snd.send(p)
        snd.advance()
    # one pre-settled
    d = snd.delivery("presettl")
    snd.send(encode_message("fire and forget"))
    snd.advance()
    d.settle()
    pump(client, server, react_b=resp)
    # settle what the receiver accepted
    for d in list(_unsettled_deliveries(client)):
        d.settle()
    pump(client, server, react_b=resp)
    snd.close()
    ssn.close()
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("transfers with accepted outcome (client)", client, "client"),
            ("transfers with accepted outcome (server)", server, "server")]


def _unsettled_deliveries(peer):
    for e in peer.events:
        if e.type == Event.DELIVERY and e.delivery.updated and not e.delivery.settled:
            yield e.delivery


def scenario_multiframe():
    client = Peer(Transport.CLIENT, "client-multiframe", max_frame=512)
    server = Peer(Transport.SERVER, "server-multiframe", max_frame=512)
    resp = AutoResponder(credit=5, accept=True, settle=True)
    client.conn.open()
    ssn = client.conn.session()
    ssn.open()
    snd = ssn.sender("big-sender")
    snd.target.address = "queue://big"
    snd.open()
    pump(client, server, react_b=resp)
    small = encode_message("small", id="small-1")
    big = encode_message(pattern(2000, 11), id="big-1", inferred=True, subject="2000 byte data section")
    for tag, p in (("s1", small), ("b1", big)):
        snd.delivery(tag)
        snd.send(p)
        snd.advance()
    pump(client, server, react_b=resp)
    assert resp.received == [small, big], "server did not get the multiframe message intact"
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("max-frame-size 512 multi-frame transfer (client)", client, "client"),
            ("max-frame-size 512 multi-frame transfer (server)", server, "server")]


def scenario_outcomes():
    """Client receiver: server sends, client settles with every outcome."""
    client = Peer(Transport.CLIENT, "client-outcomes")
    server = Peer(Transport.SERVER, "server-outcomes")
    state = {"sender": None}

    def server_react(peer, e):
        AutoResponder(credit=0)(peer, e)
        if e.type == Event.LINK_REMOTE_OPEN and e.link.is_sender:
            state["sender"] = e.link

    client.conn.open()
    ssn = client.conn.session()
    ssn.open()
    rcv = ssn.receiver("outcome-receiver")
    rcv.source.address = "queue://work"
    rcv.target.address = "client"
    rcv.open()
    rcv.flow(10)
    pump(client, server, react_b=server_react)
    snd = state["sender"]
    assert snd is not None and snd.credit == 10, snd and snd.credit
    for i in range(5):
        snd.delivery("d%d" % i)
        snd.send(encode_message("work item %d" % i, id="w%d" % i))
        snd.advance()
    pump(client, server, react_b=server_react)
    got = []
    while rcv.current is not None:
        d = rcv.current
        rcv.recv(d.pending)
        rcv.advance()
        got.append(d)
    assert len(got) == 5, len(got)
    got[0].update(Delivery.ACCEPTED)
    got[0].settle()
    got[1].local.condition = Condition("amqp:decode-error", "could not parse body",
                                       {symbol("offset"): 17})
    got[1].update(Delivery.REJECTED)
    got[1].settle()
    got[2].update(Delivery.RELEASED)
    got[2].settle()
    got[3].local.failed = True
    got[3].local.undeliverable = True
    got[3].local.annotations = {symbol("x-opt-retry-count"): 3, symbol("x-opt-reason"): "timeout"}
    got[3].update(Delivery.MODIFIED)
    got[3].settle()
    got[4].update(Delivery.ACCEPTED)  # unsettled accept (settled later)
    pump(client, server, react_b=server_react)
    got[4].settle()
    # drain the remaining credit
    rcv.drain(0)
    pump(client, server, react_b=server_react)
    rcv.close()
    client.conn.close()
    pump(client, server, react_b=server_react)
    return [("receiver dispositions with every outcome (client)", client, "client"),
            ("receiver dispositions with every outcome (server)", server, "server")]


def scenario_heartbeat():
    client = Peer(Transport.CLIENT, "client-heartbeat", idle_timeout=2)
    server = Peer(Transport.SERVER, "server-heartbeat", idle_timeout=4)
    resp = AutoResponder()
    client.conn.open()
    pump(client, server, react_b=resp)
    now = 1000.0
    client.transport.tick(now)
    server.transport.tick(now)
    pump(client, server, react_b=resp)
    for step in range(6):
        now += 1.05
        client.transport.tick(now)
        server.transport.tick(now)
        pump(client, server, react_b=resp)
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("idle timeout heartbeats (client)", client, "client"),
            ("idle timeout heartbeats (server)", server, "server")]


def scenario_sasl_anonymous():
    client = Peer(Transport.CLIENT, "client-sasl-anon", sasl_mechs="ANONYMOUS")
    server = Peer(Transport.SERVER, "server-sasl-anon", sasl_mechs="ANONYMOUS")
    resp = AutoResponder()
    client.conn.hostname = "sasl.example.com"
    client.conn.open()
    pump(client, server, react_b=resp)
    assert client.sasl.outcome == SASL.OK, client.sasl.outcome
    client.conn.close()
    pump(client, server, react_b=resp)
    return [("SASL ANONYMOUS then AMQP (client)", client, "client"),
            ("SASL ANONYMOUS then AMQP (server)", server, "server")]


def scenario_sasl_plain():
    """PLAIN client against a hand-made server (proton's built-in server SASL
    only implements ANONYMOUS/EXTERNAL)."""
    client = Peer(Transport.CLIENT, "client-sasl-plain", sasl_mechs="PLAIN", user="guest", password="secret")
    client.conn.hostname = "broker.example.com"
    client.conn.open()
    client.pull()
    mechs = SASL_HEADER + frame_bytes(0, 1, DESC(UL(0x40), LIST(ARR("symbol", [SYM("PLAIN"), SYM("ANONYMOUS")]))))
    client.push(mechs)
    client.pull()
    outcome = frame_bytes(0, 1, DESC(UL(0x44), LIST(I("ubyte", 0))))
    client.push(outcome)
    client.pull()
    assert client.sasl.outcome == SASL.OK, client.sasl.outcome
    server_open = AMQP_HEADER + frame_bytes(0, 0, DESC(UL(0x10), LIST(STR("fake-server"))))
    client.push(server_open)
    client.pull()
    client.conn.close()
    client.pull()
    assert client.transport.condition is None, client.transport.condition
    return [("SASL PLAIN then AMQP (client)", client, "client")]


def scenario_sasl_failure():
    """Proton server rejecting a mechanism it does not implement -> sasl-outcome
    with code 1 (auth).  The client side is hand-made (a proton client would not
    pick a mechanism the server did not offer)."""
    server = Peer(Transport.SERVER, "server-sasl-fail", sasl_mechs="ANONYMOUS PLAIN")
    server.pull()
    init = SASL_HEADER + frame_bytes(0, 1, DESC(UL(0x41), LIST(SYM("PLAIN"), BIN(b"\x00guest\x00wrong"),
                                                              STR("broker.example.com"))))
    server.push(init)
    server.pull()
    assert server.sasl.outcome == SASL.AUTH, server.sasl.outcome
    return [("SASL authentication failure (server)", server, "server")]


SCENARIOS = [scenario_minimal, scenario_open_full, scenario_capabilities_list, scenario_session_links,
             scenario_transfers, scenario_multiframe, scenario_outcomes, scenario_heartbeat,
             scenario_sasl_anonymous, scenario_sasl_plain, scenario_sasl_failure]


def build_frames():
    out = []
    for sc in SCENARIOS:
        for name, peer, origin in sc():
            raw = bytes(peer.written)
            headers, frames = parse_stream(raw)
            # (engine output uses proton's generated emitters, not pn_data: not byte-comparable)
            out.append({"name": name, "origin": origin, "hex": raw.hex(),
                        "headers": headers, "frames": frames})
    return out


# --------------------------------------------------------------------------

def write_json(path, vectors):
    doc = {"generator": GENERATOR, "vectors": vectors}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main(argv):
    out_dir = argv[1] if len(argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    values = build_values()
    messages = build_messages()
    frames = build_frames()
    write_json(os.path.join(out_dir, "proton-values.json"), values)
    write_json(os.path.join(out_dir, "proton-messages.json"), messages)
    write_json(os.path.join(out_dir, "proton-frames.json"), frames)
    seen = set()
    for v in frames:
        for fr in v["frames"]:
            seen.add(PERFORMATIVES.get(performative_code(fr["performative"]), "empty"))
    print("wrote %d values, %d messages, %d frame streams to %s" % (len(values), len(messages), len(frames), out_dir))
    print("frame kinds covered: %s" % ", ".join(sorted(seen)))
    missing = sorted(set(PERFORMATIVES.values()) - seen)
    if missing:
        print("not emitted by proton: %s" % ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
