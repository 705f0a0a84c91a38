#!/usr/bin/python3
"""Check AMQP bytes produced by our Swift code with Qpid Proton.

Run with the Debian system interpreter:

    /usr/bin/python3 Scripts/proton/check_ours.py VECTORS.json [-v]
    /usr/bin/python3 Scripts/proton/check_ours.py --self-test [FIXTURES_DIR]

VECTORS.json is written by our Swift tests:

    {"values":   [{"name", "hex", "value": TV}],
     "messages": [{"name", "hex", "header", "delivery_annotations", ...}],
     "frames":   [{"name", "hex", "frames": [...], "origin": "client"|"server"}]}

Any key may be absent.  The schemas are those of the proton-*.json fixtures
written by make_fixtures.py (see that file for the typed-JSON "TV" format).

values    proton.Data must decode `hex` completely, and the decoded value must be
          semantically equal to `value` (floats by bit pattern, maps in wire
          order, arrays by element type and elements).
messages  proton.Message().decode must accept `hex`; every section key that is
          present in the vector is compared (null means "section absent"),
          both against a generic section walk with proton.Data and against the
          fields pn_message_decode filled in.
frames    the stream is split into protocol headers and frames, each frame body
          is decoded with proton.Data and compared with the vector's frame list
          (offset/channel/type/performative/payload).  Then the bytes are pushed
          into a proton Transport (SERVER mode for client-originated streams,
          the default; CLIENT mode when "origin" is "server"), and the remote
          state is checked: no transport error, remote container/hostname equal
          the open frame, one remote session per begin, links appear with the
          attach names in order, detach/end/close events match, every complete
          delivery arrives with the transferred bytes and decodes as a message.
          If the stream has no protocol header, one is prepended; if it has no
          open/begin/attach for the frames it contains (e.g. a lone transfer
          frame), minimal synthetic ones are prepended for the engine replay.

Prints one line per vector ("ok NAME" / "FAIL NAME: reason" / "skip NAME:
reason"), then "N passed, M failed"; exits 1 if anything failed.
"""

import json
import os
import struct
import sys
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cproton  # noqa: E402
from proton import (Collector, Connection, Data, Endpoint, Event, Message,  # noqa: E402
                    SASL, Transport)

import make_fixtures as MF  # noqa: E402
from make_fixtures import (DESC, LIST, UL, STR, BOOL, I, message_sections_json,  # noqa: E402
                           parse_stream, performative_code, proton_decode_unsafe, read_tv,
                           tv_diff, AMQP_HEADER, SASL_HEADER, INT_TYPES)


class Fail(Exception):
    pass


class Skip(Exception):
    pass


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

def check_value(vec):
    raw = bytes.fromhex(vec["hex"])
    exp = vec["value"]
    if proton_decode_unsafe(exp):
        raise Skip("contains a described value whose value is described, inside a container: "
                   "proton 0.37's pn_data_decode mis-nests the following values")
    d = Data()
    try:
        n = d.decode(raw)
    except Exception as e:
        raise Fail("proton.Data.decode rejected the bytes: %s" % e)
    if n != len(raw):
        raise Fail("proton decoded %d of %d bytes (trailing bytes)" % (n, len(raw)))
    d.rewind()
    d.next()
    act = read_tv(d)
    diff = tv_diff(exp, act)
    if diff:
        raise Fail(diff)


# --------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------

def _msgid_matches(exp, got):
    """Compare a message-id TV with what pn_message_get_id/get_correlation_id
    returned through SWIG (int for any integer type, str, bytes, or a
    (PN_UUID, bytes) tuple).  The exact wire type was already compared by the
    generic section walk; pn_message_decode also turns non-negative int/long
    ids into ulong, which is fine here because SWIG gives us a plain int."""
    t = exp.get("t")
    if got is None:
        return t == "null"
    if isinstance(got, tuple) and got[0] == cproton.PN_UUID:
        return t == "uuid" and bytes(got[1]).hex() == exp["hex"].lower()
    if isinstance(got, bool):
        return t == "bool" and bool(exp["v"]) == got
    if isinstance(got, int):
        return t in INT_TYPES and int(exp["v"]) == got
    if isinstance(got, bytes):
        return t == "binary" and got.hex() == exp["hex"].lower()
    if isinstance(got, str):
        return t in ("string", "symbol") and got == exp["v"]
    return True  # some other atom type: rely on the generic comparison


def _norm_scalar(key, v):
    if v is None:
        return None
    if key in ("durable", "first_acquirer"):
        return bool(v)
    if key in ("priority", "ttl", "delivery_count", "absolute_expiry_time", "creation_time", "group_sequence"):
        return int(v)
    if key == "user_id":
        return str(v).lower()
    return v


def _compare_dict(section, exp, act):
    if not isinstance(exp, dict):
        raise Fail("%s: expected an object or null, got %r" % (section, exp))
    keys = set(exp) | set(act)
    for k in sorted(keys):
        if k not in exp:
            raise Fail("%s.%s is on the wire (%r) but not in the vector" % (section, k, act[k]))
        if k not in act:
            raise Fail("%s.%s expected %r but not on the wire" % (section, k, exp[k]))
        if k in ("message_id", "correlation_id"):
            diff = tv_diff(exp[k], act[k], "%s.%s" % (section, k))
            if diff:
                raise Fail(diff)
        elif _norm_scalar(k, exp[k]) != _norm_scalar(k, act[k]):
            raise Fail("%s.%s expected %r, wire has %r" % (section, k, exp[k], act[k]))


def check_message(vec):
    raw = bytes.fromhex(vec["hex"])
    m = Message()
    try:
        m.decode(raw)
    except Exception as e:
        raise Fail("proton.Message.decode failed: %s" % e)
    try:
        wire = message_sections_json(raw)
    except Exception as e:
        raise Fail("section walk failed: %s" % e)
    impl = m._msg
    checked = 0
    # header -------------------------------------------------------------
    if "header" in vec:
        checked += 1
        exp = vec["header"]
        if exp is None:
            if wire["header"] is not None:
                raise Fail("header section present but vector says none")
        else:
            if wire["header"] is None:
                raise Fail("header section missing")
            _compare_dict("header", exp, wire["header"])
            getters = {"durable": cproton.pn_message_is_durable, "priority": cproton.pn_message_get_priority,
                       "ttl": cproton.pn_message_get_ttl, "first_acquirer": cproton.pn_message_is_first_acquirer,
                       "delivery_count": cproton.pn_message_get_delivery_count}
            for k, v in exp.items():
                if k in getters and _norm_scalar(k, getters[k](impl)) != _norm_scalar(k, v):
                    raise Fail("pn_message header.%s is %r, expected %r" % (k, getters[k](impl), v))
    # properties -----------------------------------------------------------
    if "properties" in vec:
        checked += 1
        exp = vec["properties"]
        if exp is None:
            if wire["properties"] is not None:
                raise Fail("properties section present but vector says none")
        else:
            if wire["properties"] is None:
                raise Fail("properties section missing")
            _compare_dict("properties", exp, wire["properties"])
            for k, v in exp.items():
                if k in ("message_id", "correlation_id"):
                    got = cproton.pn_message_get_id(impl) if k == "message_id" else \
                        cproton.pn_message_get_correlation_id(impl)
                    if not _msgid_matches(v, got):
                        raise Fail("pn_message %s is %r, expected %r" % (k, got, v))
                    continue
                got = {
                    "user_id": lambda: bytes(cproton.pn_message_get_user_id(impl)).hex(),
                    "to": lambda: m.address, "subject": lambda: m.subject, "reply_to": lambda: m.reply_to,
                    "content_type": lambda: m.content_type, "content_encoding": lambda: m.content_encoding,
                    "absolute_expiry_time": lambda: cproton.pn_message_get_expiry_time(impl),
                    "creation_time": lambda: cproton.pn_message_get_creation_time(impl),
                    "group_id": lambda: m.group_id, "group_sequence": lambda: cproton.pn_message_get_group_sequence(impl),
                    "reply_to_group_id": lambda: m.reply_to_group_id,
                }.get(k)
                if got is None:
                    raise Fail("unknown properties key %r" % k)
                gv = got()
                if k == "group_sequence":
                    gv = gv & 0xffffffff
                if _norm_scalar(k, gv) != _norm_scalar(k, v):
                    raise Fail("pn_message properties.%s is %r, expected %r" % (k, gv, v))
    # annotation-like maps -------------------------------------------------
    for key, getter in (("delivery_annotations", cproton.pn_message_instructions),
                        ("message_annotations", cproton.pn_message_annotations),
                        ("application_properties", cproton.pn_message_properties),
                        ("footer", None)):
        if key not in vec:
            continue
        checked += 1
        exp = vec[key]
        if exp is None:
            if wire[key] is not None:
                raise Fail("%s section present but vector says none" % key)
            continue
        if wire[key] is None:
            raise Fail("%s section missing" % key)
        diff = tv_diff(exp, wire[key], key)
        if diff:
            raise Fail(diff)
        if getter is not None and not proton_decode_unsafe(exp):
            d = Data(getter(impl))
            d.rewind()
            if not d.next():
                raise Fail("pn_message has no %s" % key)
            diff = tv_diff(exp, read_tv(d), "pn_message." + key)
            if diff:
                raise Fail(diff)
    # body -------------------------------------------------------------
    if "body" in vec:
        checked += 1
        exp = vec["body"]
        act = wire["body"]
        if exp is None:
            if act is not None:
                raise Fail("body present (%s) but vector says none" % act["kind"])
        else:
            if act is None:
                raise Fail("no body section on the wire")
            if exp.get("kind") != act["kind"]:
                raise Fail("body kind %s expected, wire has %s" % (exp.get("kind"), act["kind"]))
            if exp["kind"] == "data":
                if exp["hex"].lower() != act["hex"]:
                    raise Fail("data body differs (%d vs %d bytes)" % (len(exp["hex"]) // 2, len(act["hex"]) // 2))
            elif exp["kind"] == "sequence":
                diff = tv_diff(LIST(*exp["v"]), LIST(*act["v"]), "body.sequence")
                if diff:
                    raise Fail(diff)
            else:
                diff = tv_diff(exp["v"], act["v"], "body.value")
                if diff:
                    raise Fail(diff)
            # what pn_message_decode kept (it keeps only the last body section)
            if act.get("sections", 1) == 1 and not (exp["kind"] == "value" and proton_decode_unsafe(exp["v"])):
                d = Data(cproton.pn_message_body(impl))
                d.rewind()
                if not d.next():
                    if exp["kind"] == "value" and exp["v"].get("t") == "null":
                        return ["pn_message_decode drops an amqp-value null body"]
                    raise Fail("pn_message has no body")
                got = read_tv(d)
                inferred = cproton.pn_message_is_inferred(impl)
                if exp["kind"] == "data":
                    ok = inferred and got["t"] == "binary" and got["hex"] == exp["hex"].lower()
                elif exp["kind"] == "sequence":
                    ok = inferred and tv_diff(LIST(*exp["v"]), got) is None
                else:
                    ok = (not inferred) and tv_diff(exp["v"], got) is None
                if not ok:
                    raise Fail("pn_message body (inferred=%s) does not match" % inferred)
    if not checked:
        raise Fail("vector has no section keys to compare")
    return []


# --------------------------------------------------------------------------
# frames
# --------------------------------------------------------------------------

def _field(perf, i):
    """Field i of a performative TV (None if absent or null)."""
    if perf is None or perf.get("t") != "described" or perf["v"].get("t") != "list":
        return None
    items = perf["v"]["v"]
    if i >= len(items) or items[i]["t"] == "null":
        return None
    return items[i]


def _fv(perf, i, default=None):
    f = _field(perf, i)
    if f is None:
        return default
    if f["t"] in INT_TYPES:
        return int(f["v"])
    if f["t"] == "bool":
        return bool(f["v"])
    if f["t"] in ("string", "symbol"):
        return f["v"]
    if f["t"] == "binary":
        return bytes.fromhex(f["hex"])
    return f


def compare_frame_lists(vec, headers, frames):
    exp = vec.get("frames")
    if exp is None:
        raise Fail("vector has no frames list")
    if len(exp) != len(frames):
        raise Fail("vector lists %d frames, stream has %d" % (len(exp), len(frames)))
    for i, (e, a) in enumerate(zip(exp, frames)):
        where = "frame %d" % i
        for k in ("offset", "channel", "type"):
            if k in e and int(e[k]) != a[k]:
                raise Fail("%s: %s expected %s, stream has %s" % (where, k, e[k], a[k]))
        ep = e.get("performative")
        if ep is None:
            if a["performative"] is not None:
                raise Fail("%s: vector says empty frame, stream has a performative" % where)
        else:
            if a["performative"] is None:
                raise Fail("%s: vector has a performative, stream frame is empty" % where)
            if not proton_decode_unsafe(ep):  # see make_fixtures.proton_decode_unsafe
                diff = tv_diff(ep, a["performative"], where + ".performative")
                if diff:
                    raise Fail(diff)
        if "payload_hex" in e and e["payload_hex"].lower() != a["payload_hex"]:
            raise Fail("%s: payload differs (%d vs %d bytes)" % (where, len(e["payload_hex"]) // 2,
                                                                  len(a["payload_hex"]) // 2))
    if "headers" in vec:
        eh = [(int(h["offset"]), h["hex"].lower()) for h in vec["headers"]]
        ah = [(h["offset"], h["hex"]) for h in headers]
        if eh != ah:
            raise Fail("protocol headers %r != %r" % (eh, ah))


class Replay:
    """Feeds a byte stream into a proton Transport and records what it saw."""

    def __init__(self, mode, sasl_mechs=None, local_sessions=0, open_local=False):
        self.t = Transport(mode)
        self.t.max_frame_size = 0  # accept any frame size the stream uses
        self.c = Connection()
        self.c.container = "check_ours-replay"
        self.sasl = None
        if sasl_mechs is not None:
            self.c.user = "user"          # lets a replaying client answer PLAIN offers
            self.c.password = "password"
            self.sasl = self.t.sasl()
            self.sasl.allowed_mechs(sasl_mechs)
            self.sasl.allow_insecure_mechs = True
        self.coll = Collector()
        self.c.collect(self.coll)
        self.t.bind(self.c)
        self.events = []
        self.links = []
        self.attaches = []  # (name, local is receiver, remote source addr, remote target addr, dynamic)
        if open_local or local_sessions:
            self.c.open()
            for _ in range(local_sessions):
                self.c.session().open()
        self.pull()

    def pull(self):
        while True:
            p = self.t.pending()
            if p <= 0:
                return
            self.t.pop(len(self.t.peek(p)))

    def push(self, data):
        """Push `data` one protocol header / frame at a time, answering like a
        real peer in between (proton only grants a session incoming window once
        it has sent its own begin)."""
        pieces = []
        off = 0
        while off < len(data):
            if data[off:off + 4] == b"AMQP":
                n = 8
            elif off + 4 <= len(data):
                n = max(8, struct.unpack(">I", data[off:off + 4])[0])
            else:
                n = len(data) - off
            pieces.append(data[off:off + n])
            off += n
        for piece in pieces:
            view = memoryview(piece)
            while len(view):
                cap = self.t.capacity()
                if cap <= 0:
                    cond = self.t.condition
                    raise Fail("transport stopped accepting input with %d bytes left%s" % (
                        len(view) + sum(len(x) for x in pieces[pieces.index(piece) + 1:]),
                        (" (%s: %s)" % (cond.name, cond.description)) if cond else ""))
                chunk = bytes(view[:cap])
                self.t.push(chunk)
                view = view[len(chunk):]
                self.drain()
                self.pull()

    def drain(self):
        while True:
            e = self.coll.peek()
            if e is None:
                return
            etype = e.type
            rec = (etype, None)
            if etype in (Event.LINK_REMOTE_OPEN, Event.LINK_REMOTE_CLOSE, Event.LINK_REMOTE_DETACH):
                rec = (etype, e.link.name)
            if etype == Event.LINK_REMOTE_OPEN:
                link = e.link
                self.attaches.append((link.name, link.is_receiver, link.remote_source.address,
                                      link.remote_target.address, link.remote_source.dynamic))
            self.events.append(rec)
            self.react(e)
            self.coll.pop()

    def react(self, e):
        etype = e.type
        if etype == Event.CONNECTION_REMOTE_OPEN and self.c.state & Endpoint.LOCAL_UNINIT:
            self.c.open()
        elif etype == Event.SESSION_REMOTE_OPEN and e.session.state & Endpoint.LOCAL_UNINIT:
            e.session.open()
        elif etype == Event.LINK_REMOTE_OPEN:
            link = e.link
            self.links.append(link)
            if link.state & Endpoint.LOCAL_UNINIT:
                link.source.copy(link.remote_source)
                link.target.copy(link.remote_target)
                link.open()
        elif etype == Event.LINK_REMOTE_CLOSE and not e.link.state & Endpoint.LOCAL_CLOSED:
            e.link.close()
        elif etype == Event.LINK_REMOTE_DETACH and not e.link.state & Endpoint.LOCAL_CLOSED:
            e.link.detach()
        elif etype == Event.SESSION_REMOTE_CLOSE and not e.session.state & Endpoint.LOCAL_CLOSED:
            e.session.close()
        elif etype == Event.CONNECTION_REMOTE_CLOSE and not self.c.state & Endpoint.LOCAL_CLOSED:
            self.c.close()

    def count(self, etype):
        return sum(1 for t, _ in self.events if t == etype)


def _expected_deliveries(frames):
    """Group transfer frames into deliveries per link name.

    Returns (deliveries, problems): deliveries is a list of dicts with link,
    payload, aborted, complete, message_format."""
    handles = {}       # (channel, handle) -> link name
    current = {}       # (channel, handle) -> open delivery dict
    out = []
    for fr in frames:
        code = performative_code(fr["performative"])
        p = fr["performative"]
        ch = fr["channel"]
        if code == 0x12:
            handles[(ch, _fv(p, 1))] = _fv(p, 0)
        elif code == 0x14:
            key = (ch, _fv(p, 0))
            more = _fv(p, 5, False)
            aborted = _fv(p, 9, False)
            dlv = current.get(key)
            if dlv is None:
                dlv = {"link": handles.get(key), "payload": b"", "aborted": False, "complete": False,
                       "message_format": _fv(p, 3, 0)}
                out.append(dlv)
                current[key] = dlv
            dlv["payload"] += bytes.fromhex(fr["payload_hex"])
            if aborted:
                dlv["aborted"] = True
            if not more or aborted:
                dlv["complete"] = not aborted
                del current[key]
        elif code == 0x16:
            key = (ch, _fv(p, 0))
            current.pop(key, None)
            handles.pop(key, None)
    return out


def _synthesize_context(amqp_raw, frames):
    """For a stream fragment without an open frame (e.g. a lone transfer), put
    a minimal synthetic open, and begin/attach frames where a frame uses a
    channel or handle the fragment never set up.  Streams that contain an open
    are replayed as they are: they must be self-consistent.

    Returns (new AMQP byte stream, notes)."""
    if any(performative_code(f["performative"]) == 0x10 for f in frames):
        return amqp_raw, []
    notes = ["open"]
    base = frames[0]["offset"] if frames else 8
    out = [amqp_raw[:base],
           MF.frame_bytes(0, 0, DESC(UL(0x10), LIST(STR("check_ours-synthetic-peer"))))]
    begun, attached = set(), set()
    for i, f in enumerate(frames):
        p = f["performative"]
        code = performative_code(p)
        ch = f["channel"]
        if code is not None and code not in (0x10, 0x11, 0x18) and ch not in begun:
            begun.add(ch)
            out.append(MF.frame_bytes(ch, 0, DESC(UL(0x11), LIST(
                {"t": "null"}, I("uint", 0), I("uint", 2147483647), I("uint", 2147483647)))))
            if "begin" not in notes:
                notes.append("begin")
        if code == 0x11:
            begun.add(ch)
        elif code == 0x12:
            attached.add((ch, _fv(p, 1)))
        elif code in (0x13, 0x14, 0x16):
            h = _fv(p, 4) if code == 0x13 else _fv(p, 0)
            if h is not None and (ch, h) not in attached:
                attached.add((ch, h))
                role = code == 0x13  # a lone flow: assume it came from a receiver
                out.append(MF.frame_bytes(ch, 0, DESC(UL(0x12), LIST(
                    STR("synthetic-link-%d-%d" % (ch, h)), I("uint", h), BOOL(role), {"t": "null"},
                    {"t": "null"}, DESC(UL(0x28), LIST()), DESC(UL(0x29), LIST()), {"t": "null"},
                    {"t": "null"}, I("uint", 0)))))
                if "attach" not in notes:
                    notes.append("attach")
        end = frames[i + 1]["offset"] if i + 1 < len(frames) else len(amqp_raw)
        out.append(amqp_raw[f["offset"]:end])
    return b"".join(out), notes


def engine_replay(raw, headers, frames, origin):
    notes = []
    sasl_frames = [f for f in frames if f["type"] == 1]
    amqp_frames = [f for f in frames if f["type"] == 0]
    # where does the AMQP part start?
    amqp_start = None
    for h in headers:
        if h["protocol_id"] == 0:
            amqp_start = h["offset"]
            break
    has_sasl = bool(sasl_frames) or any(h["protocol_id"] == 3 for h in headers)
    if not headers:
        # a bare frame sequence: add the protocol header it needs
        if sasl_frames and not amqp_frames:
            raw = SASL_HEADER + raw
        else:
            raw = AMQP_HEADER + raw
            amqp_start = 0
        notes.append("protocol header prepended")
        headers, frames = parse_stream(raw)
        sasl_frames = [f for f in frames if f["type"] == 1]
        amqp_frames = [f for f in frames if f["type"] == 0]
    replay_mode = Transport.CLIENT if origin == "server" else Transport.SERVER

    def local_sessions_for(amqp):
        # begin frames that answer one of ours (remote-channel set) need a local
        # session on that channel first
        replies = [_fv(f["performative"], 0) for f in amqp if performative_code(f["performative"]) == 0x11]
        replies = [r for r in replies if r is not None]
        return (max(replies) + 1) if replies else 0

    # ---- SASL layer -----------------------------------------------------
    amqp_raw = None
    continue_same_transport = False
    rp = None
    if has_sasl:
        if origin == "server":
            rp = Replay(Transport.CLIENT, sasl_mechs="ANONYMOUS PLAIN EXTERNAL", open_local=True,
                        local_sessions=local_sessions_for(amqp_frames))
            rp.push(raw)
            outcome_frames = [f for f in sasl_frames if performative_code(f["performative"]) == 0x44]
            if outcome_frames:
                code = _fv(outcome_frames[-1]["performative"], 0)
                if rp.sasl.outcome != code:
                    raise Fail("proton client SASL outcome %r, stream says %r" % (rp.sasl.outcome, code))
                if code != 0:
                    return notes + ["sasl outcome %d" % code]
                continue_same_transport = True
            elif rp.t.condition is not None:
                raise Fail("transport error during SASL: %s: %s" % (rp.t.condition.name, rp.t.condition.description))
        else:
            init = [f for f in sasl_frames if performative_code(f["performative"]) == 0x41]
            if not init:
                raise Fail("client SASL stream without sasl-init")
            mech = _fv(init[0]["performative"], 0)
            if mech == "ANONYMOUS":
                rp = Replay(Transport.SERVER, sasl_mechs="ANONYMOUS")
                rp.push(raw)
                if rp.sasl.outcome != SASL.OK:
                    raise Fail("proton server SASL outcome %r for ANONYMOUS" % (rp.sasl.outcome,))
                continue_same_transport = True
            else:
                # proton's built-in server SASL only does ANONYMOUS/EXTERNAL: it must
                # parse the sasl-init and answer "auth failed" (not a framing error)
                sasl_end = amqp_start if amqp_start is not None else len(raw)
                srv = Replay(Transport.SERVER, sasl_mechs="ANONYMOUS")
                try:
                    srv.push(raw[:sasl_end])
                except Fail:
                    pass
                if srv.sasl.outcome != SASL.AUTH:
                    cond = srv.t.condition
                    raise Fail("proton server did not process sasl-init %s (outcome %r, %s)" % (
                        mech, srv.sasl.outcome, cond and cond.description))
                notes.append("sasl-init %s parsed by proton (outcome auth: no server-side %s)" % (mech, mech))
                if amqp_start is None:
                    return notes
                amqp_raw = raw[amqp_start:]
    else:
        amqp_raw = raw

    # ---- AMQP layer -----------------------------------------------------
    if not amqp_frames:
        if rp is not None and rp.t.condition is not None:
            raise Fail("transport error: %s: %s" % (rp.t.condition.name, rp.t.condition.description))
        return notes
    if not continue_same_transport:
        # give stream fragments (no open frame) a minimal synthetic context
        _, own = parse_stream(amqp_raw)
        amqp_raw, snotes = _synthesize_context(amqp_raw, own)
        if snotes:
            notes.append("synthesized " + "/".join(snotes))
            _, allf = parse_stream(amqp_raw)
            amqp_frames = [f for f in allf if f["type"] == 0]
        nlocal = local_sessions_for(amqp_frames)
        rp = Replay(replay_mode, local_sessions=nlocal, open_local=(origin == "server" or bool(nlocal)))
        rp.push(amqp_raw)
    t = rp.t
    if t.condition is not None:
        raise Fail("transport error: %s: %s" % (t.condition.name, t.condition.description))

    # ---- remote state -----------------------------------------------------
    by = {}
    for f in amqp_frames:
        by.setdefault(performative_code(f["performative"]), []).append(f["performative"])
    opens = by.get(0x10, [])
    if rp.count(Event.CONNECTION_REMOTE_OPEN) != len(opens):
        raise Fail("%d open frames but %d remote-open events" % (len(opens), rp.count(Event.CONNECTION_REMOTE_OPEN)))
    if opens:
        cid = _fv(opens[0], 0)
        if rp.c.remote_container != cid:
            raise Fail("remote container %r != open container-id %r" % (rp.c.remote_container, cid))
        host = _fv(opens[0], 1)
        if host is not None and rp.c.remote_hostname != host:
            raise Fail("remote hostname %r != open hostname %r" % (rp.c.remote_hostname, host))
        mfs = _fv(opens[0], 2)
        if mfs is not None and t.remote_max_frame_size != mfs:
            raise Fail("remote max-frame-size %r != %r" % (t.remote_max_frame_size, mfs))
    nb = len(by.get(0x11, []))
    if rp.count(Event.SESSION_REMOTE_OPEN) != nb:
        raise Fail("%d begin frames but %d remote session opens" % (nb, rp.count(Event.SESSION_REMOTE_OPEN)))
    names = [_fv(p, 0) for p in by.get(0x12, [])]
    got = [n for et, n in rp.events if et == Event.LINK_REMOTE_OPEN]
    if got != names:
        raise Fail("links seen by proton %r != attach names %r" % (got, names))
    for i, (p, seen) in enumerate(zip(by.get(0x12, []), rp.attaches)):
        name, local_receiver, src, tgt, dyn = seen
        role = _fv(p, 2, False)  # true = the stream's side is the receiver
        if local_receiver != (not role):
            raise Fail("attach %r: role=%s but proton made the peer link a %s" % (
                name, role, "receiver" if local_receiver else "sender"))
        for idx, got, label in ((5, src, "source"), (6, tgt, "target")):
            term = _field(p, idx)
            if term is None:
                continue
            addr = _fv(term, 0)
            if addr != got:
                raise Fail("attach %r: proton sees remote %s address %r, frame has %r" % (name, label, got, addr))
    nd = len(by.get(0x16, []))
    gd = rp.count(Event.LINK_REMOTE_CLOSE) + rp.count(Event.LINK_REMOTE_DETACH)
    if gd != nd:
        raise Fail("%d detach frames but %d remote detach/close events" % (nd, gd))
    closed_names = [_fv(p, 0) for p in by.get(0x16, []) if _fv(p, 1, False)]
    if rp.count(Event.LINK_REMOTE_CLOSE) != len(closed_names):
        raise Fail("%d detach(closed=true) frames but %d remote link closes" % (
            len(closed_names), rp.count(Event.LINK_REMOTE_CLOSE)))
    ne = len(by.get(0x17, []))
    if rp.count(Event.SESSION_REMOTE_CLOSE) != ne:
        raise Fail("%d end frames but %d remote session closes" % (ne, rp.count(Event.SESSION_REMOTE_CLOSE)))
    nc = len(by.get(0x18, []))
    if rp.count(Event.CONNECTION_REMOTE_CLOSE) != nc:
        raise Fail("%d close frames but %d remote connection closes" % (nc, rp.count(Event.CONNECTION_REMOTE_CLOSE)))
    if nc:
        err = _field(by[0x18][0], 0)
        rc = rp.c.remote_condition
        if err is not None:
            cname = _fv(err, 0)
            if rc is None or rc.name != cname:
                raise Fail("remote close condition %r, close frame says %r" % (rc and rc.name, cname))
        elif rc is not None:
            raise Fail("proton reports a remote close condition %r but the close has no error" % rc.name)
    # deliveries
    expected = _expected_deliveries(amqp_frames)
    actual = {}
    for link in rp.links:
        if not link.is_receiver:
            continue
        lst = actual.setdefault(link.name, [])
        while link.current is not None:
            d = link.current
            if d.aborted:
                lst.append({"payload": None, "aborted": True, "partial": True})
                link.advance()
                continue
            data = b""
            while True:
                chunk = link.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
            lst.append({"payload": data, "aborted": False, "partial": d.partial})
            if d.partial:
                break
            link.advance()
    per_link = {}
    for dl in expected:
        if dl["aborted"]:
            continue
        per_link.setdefault(dl["link"], []).append(dl)
    for name, dls in per_link.items():
        got = [x for x in actual.get(name, []) if not x["aborted"]]
        if len(got) != len(dls):
            raise Fail("link %r: %d deliveries in the stream, proton received %d" % (name, len(dls), len(got)))
        for i, (e, a) in enumerate(zip(dls, got)):
            if e["complete"] == a["partial"]:
                raise Fail("link %r delivery %d: complete=%s but proton partial=%s" % (name, i, e["complete"], a["partial"]))
            if a["payload"] != e["payload"]:
                raise Fail("link %r delivery %d: proton received %d bytes, stream carried %d" % (
                    name, i, len(a["payload"]), len(e["payload"])))
            if e["complete"] and e["message_format"] == 0:
                try:
                    Message().decode(a["payload"])
                    message_sections_json(a["payload"])
                except Exception as ex:
                    raise Fail("link %r delivery %d does not decode as a message: %s" % (name, i, ex))
    ndel = sum(len(v) for v in per_link.values())
    if ndel:
        notes.append("%d deliveries" % ndel)
    return notes


def check_frames(vec):
    raw = bytes.fromhex(vec["hex"])
    try:
        headers, frames = parse_stream(raw)
    except Exception as e:
        raise Fail("cannot split stream: %s" % e)
    compare_frame_lists(vec, headers, frames)
    origin = vec.get("origin", "client")
    if origin not in ("client", "server"):
        raise Fail("origin must be 'client' or 'server'")
    return engine_replay(raw, headers, frames, origin)


# --------------------------------------------------------------------------

def run(doc, out=sys.stdout, verbose=False):
    passed = failed = skipped = 0
    results = []
    for kind, fn in (("values", check_value), ("messages", check_message), ("frames", check_frames)):
        for vec in doc.get(kind, []) or []:
            name = "%s/%s" % (kind[:-1], vec.get("name", "?"))
            try:
                notes = fn(vec)
                passed += 1
                line = "ok %s" % name
                if notes and verbose:
                    line += " (%s)" % "; ".join(notes)
                results.append((name, True))
            except Skip as e:
                skipped += 1
                line = "skip %s: %s" % (name, e)
                results.append((name, None))
            except Fail as e:
                failed += 1
                line = "FAIL %s: %s" % (name, e)
                results.append((name, False))
            except Exception as e:  # a bug in the checker or malformed vector
                failed += 1
                line = "FAIL %s: %s: %s" % (name, type(e).__name__, e)
                if verbose:
                    line += "\n" + traceback.format_exc()
                results.append((name, False))
            if out:
                print(line, file=out)
    if out:
        if skipped:
            print("%d skipped" % skipped, file=out)
        print("%d passed, %d failed" % (passed, failed), file=out)
    return passed, failed, results


def fixtures_as_input(fixture_dir):
    def load(n):
        with open(os.path.join(fixture_dir, n), encoding="utf-8") as f:
            return json.load(f)["vectors"]
    return {"values": load("proton-values.json"), "messages": load("proton-messages.json"),
            "frames": load("proton-frames.json")}


def negative_cases(doc):
    """Corrupted copies of fixture vectors that the checker must reject."""
    import copy
    cases = []

    def pick(kind, pred):
        for v in doc[kind]:
            if pred(v):
                return copy.deepcopy(v)
        raise RuntimeError("no %s vector for negative test" % kind)

    v = pick("values", lambda v: v["value"]["t"] == "int")
    v["value"]["v"] = str(int(v["value"]["v"]) + 1)
    cases.append(("values", "wrong int value", v))
    v = pick("values", lambda v: v["value"]["t"] == "float")
    v["value"]["bits"] = "%08x" % (int(v["value"]["bits"], 16) ^ 1)
    cases.append(("values", "float bit flip", v))
    v = pick("values", lambda v: v["value"]["t"] == "array" and v["value"]["elem"] == "symbol" and v["value"]["v"])
    v["value"]["elem"] = "string"
    for e in v["value"]["v"]:
        e["t"] = "string"
    cases.append(("values", "array element type", v))
    v = pick("values", lambda v: v["value"]["t"] == "map" and len(v["value"]["v"]) > 1)
    v["value"]["v"].reverse()
    cases.append(("values", "map order", v))
    v = pick("values", lambda v: v["value"]["t"] == "string" and v["value"]["v"])
    v["hex"] = v["hex"][:-2]
    cases.append(("values", "truncated string", v))
    v = pick("values", lambda v: v["value"]["t"] == "bool")
    v["hex"] += "40"
    cases.append(("values", "trailing byte", v))
    m = pick("messages", lambda m: m["properties"] and "subject" in m["properties"])
    m["properties"]["subject"] += "x"
    cases.append(("messages", "wrong subject", m))
    m = pick("messages", lambda m: m["header"] is not None and m["header"].get("durable"))
    m["header"]["durable"] = False
    cases.append(("messages", "wrong durable", m))
    m = pick("messages", lambda m: m["body"] and m["body"]["kind"] == "data" and m["body"]["hex"])
    m["body"]["kind"] = "value"
    m["body"]["v"] = {"t": "binary", "hex": m["body"].pop("hex")}
    cases.append(("messages", "data vs value body", m))
    m = pick("messages", lambda m: m["application_properties"] is not None)
    m["application_properties"] = None
    cases.append(("messages", "missing app properties", m))
    m = pick("messages", lambda m: m["footer"] is None and m["body"] is not None)
    m["footer"] = {"t": "map", "v": []}
    cases.append(("messages", "footer expected but absent", m))
    f = pick("frames", lambda f: f["name"].startswith("open with all fields") and f["origin"] == "client")
    f["frames"][0]["performative"]["v"]["v"][0]["v"] = "someone-else"
    cases.append(("frames", "wrong container in frame list", f))
    f = pick("frames", lambda f: f["name"].startswith("transfers with") and f["origin"] == "client")
    raw = bytearray.fromhex(f["hex"])
    first = [fr for fr in f["frames"] if fr["payload_hex"]][0]
    pos = raw.find(b"\x00\x53\x77", first["offset"])
    raw[pos + 2] = 0x7f  # amqp-value section -> unknown section descriptor
    f["hex"] = raw.hex()
    f["headers"], f["frames"] = parse_stream(bytes(raw))
    cases.append(("frames", "transfer payload is not a valid message", f))
    f = pick("frames", lambda f: f["name"].startswith("sessions and links") and f["origin"] == "client")
    raw = bytes.fromhex(f["hex"])
    hdr, frs = parse_stream(raw)
    cut = frs[3]["offset"]  # drop the rest after the first attach... then append a transfer on an unknown handle
    bad = raw[:cut] + MF.frame_bytes(0, 0, DESC(UL(0x14), LIST(I("uint", 7), I("uint", 0), {"t": "binary", "hex": "01"})),
                                     b"\x00\x53\x77\x40")
    f["hex"] = bad.hex()
    f["headers"], f["frames"] = parse_stream(bad)
    cases.append(("frames", "transfer on unattached handle", f))
    return cases


def self_test(fixture_dir, verbose=False):
    doc = fixtures_as_input(fixture_dir)
    print("== positive: proton fixtures must all pass")
    p, f, _ = run(doc, verbose=verbose)
    ok = f == 0
    print("== negative: corrupted vectors must fail")
    neg_ok = 0
    cases = negative_cases(doc)
    for kind, label, vec in cases:
        vec["name"] = "NEGATIVE " + label
        buf = __import__("io").StringIO()
        _, nf, res = run({kind: [vec]}, out=buf)
        if nf == 1:
            neg_ok += 1
            reason = buf.getvalue().splitlines()[0].split(": ", 1)[-1]
            print("ok negative %s (%s)" % (label, reason))
        else:
            print("FAIL negative %s: checker accepted a corrupted vector" % label)
    ok = ok and neg_ok == len(cases)
    print("self-test: %d/%d fixtures passed, %d/%d negative cases rejected -> %s" % (
        p, p + f, neg_ok, len(cases), "OK" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    flags = [a for a in argv[1:] if a.startswith("-")]
    verbose = "-v" in flags or "--verbose" in flags
    if "--self-test" in flags:
        return self_test(args[0] if args else MF.DEFAULT_OUT, verbose)
    if len(args) != 1 or any(f not in ("-v", "--verbose") for f in flags):
        print("\n\n".join(__doc__.strip().split("\n\n")[1:3]), file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        doc = json.load(fh)
    _, failed, _ = run(doc, verbose=verbose)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
