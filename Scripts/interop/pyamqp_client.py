#!/usr/bin/env python3
"""Independent AMQP 1.0 interop client built on azure-servicebus's pure-Python stack `_pyamqp`.

    python3 Scripts/interop/pyamqp_client.py URL ADDRESS [-n N] [--size BYTES]
            [--presettled] [--timeout SECONDS] [--credit-mode strict|library] ...

    URL      amqp://127.0.0.1:5672                 SASL ANONYMOUS
             amqp://user:password@127.0.0.1:5672   SASL PLAIN
    ADDRESS  node address: sender target and receiver source.

Needs the PyPI package pinned in Scripts/interop/requirements.txt, installed into the
`python3` that runs this file (NOT Debian's /usr/bin/python3):
    python3 -m pip install -r Scripts/interop/requirements.txt

How `_pyamqp` is driven here, and why (read from azure/servicebus/_pyamqp/*.py, 7.15.0)
-------------------------------------------------------------------------------------
* Plain TCP, no TLS. `Connection(endpoint, use_tls=False, ...)` is the emulator path
  (`;UseDevelopmentEmulator=true` makes the SDK pass use_tls=False): only then does
  Connection keep the port from the URL (`if parsed_url.port and not use_tls`); with TLS
  it forces 5671. With `sasl_credential=` it builds a `SASLTransport`, which is an
  `SSLTransport` whose `_setup_transport` skips `wrap_socket` when use_tls is False.
* No CBS. CBS (`$cbs` put-token) only happens in `AMQPClient.open()` when
  `auth.auth_type == AUTH_TYPE_CBS` (SASTokenAuth/JWTTokenAuth, what ServiceBusClient
  always uses, emulator included). We never use AMQPClient: we build
  `Connection` -> `Session` -> `SenderLink`/`ReceiverLink` ourselves and pass a plain SASL
  credential (`sasl.SASLAnonymousCredential` / `sasl.SASLPlainCredential`), so the wire
  carries only SASL + open/begin/attach/flow/transfer/disposition/detach/end/close.
  (For the record, the CBS exchange the SDK would do: on the same session it attaches a
  sender link with target "$cbs" (source "$cbs", snd-settle unsettled, rcv-settle first)
  and a receiver link with source "$cbs" (target "$cbs"); it sends one message, body
  amqp-value string = SAS token "SharedAccessSignature sr=...&sig=...&se=...&skn=...",
  properties.message-id = a UUID, NO reply-to, application-properties
  {"name": <audience: "sb://<host>/<entity>">, "operation": "put-token",
   "type": "servicebus.windows.net:sastoken", "expiration": <timestamp>};
  it waits for a message on the receiver link whose properties.correlation-id equals that
  UUID and whose application-properties "status-code" is an int in 200..299
  ("status-description" optional); a rejected disposition fails it.)
* Settlement: receiver links use rcv-settle-mode first (or second with
  --rcv-settle-mode second, which is what ServiceBusReceiver PEEK_LOCK puts in its attach).
  Every transfer the peer did not pre-settle is answered, from the main loop, with
  `ReceiverLink.send_disposition(settled=True, state=Accepted())`, exactly what
  ServiceBusReceiver.complete_message() -> ReceiveClient.settle_messages() does: one
  disposition(role=receiver, first=delivery-id, last=null, settled=true, accepted) per
  message, even in rcv-settle-mode second. (Returning Accepted() from on_transfer does
  NOT work: the library tests it for truth and the empty namedtuple is falsy.)
* Flow control. SenderLink in this version does NOT wait for the receiver's credit:
  on the attach reply it sets its credit to its own `link_credit` (default 10000), sends
  a sender-side flow, and whenever its credit reaches 0 it resets it to link_credit
  again (`update_pending_deliveries`). Left alone it would therefore transfer beyond the
  credit the peer granted. `--credit-mode strict` (default) keeps this program a correct
  AMQP sender: it observes the peer's flow frames on the link (delivery-count +
  link-credit) and hands a message to the library only while the peer's credit allows.
  `--credit-mode library` hands every message to the library at once (what SendClient
  does) to exercise the library's own behaviour; a peer then sees transfers beyond
  credit.

Message i: one data section of --size bytes, f"{i:08d}" padded with b"x";
properties.message-id = f"m-{i}"; application-properties {"index": i (AMQP int),
"run": <uuid of this run>}. Messages without our run id are accepted and counted as
`stale`. Receiving checks each index 0..N-1 exactly once with the exact body;
reordering is reported, not failed. Exactly one JSON line on stdout; exit 0 iff ok.
"""

import argparse
import json
import logging
import signal
import sys
import time
import uuid
from functools import partial
from urllib.parse import unquote, urlparse

from receive_tally import ReceiveTally

CLIENT = "azure-servicebus-pyamqp"


def _emit(obj, code):
    print(json.dumps(obj), flush=True)
    sys.exit(code)


try:
    from azure.servicebus._pyamqp import Connection
    from azure.servicebus._pyamqp.constants import (
        INCOMING_WINDOW,
        LINK_MAX_MESSAGE_SIZE,
        MAX_FRAME_SIZE_BYTES,
        OUTGOING_WINDOW,
        LinkDeliverySettleReason,
        LinkState,
        ReceiverSettleMode,
        SenderSettleMode,
        SessionState,
    )
    from azure.servicebus._pyamqp.message import Message, Properties
    from azure.servicebus._pyamqp.outcomes import Accepted
    from azure.servicebus._pyamqp.sasl import SASLAnonymousCredential, SASLPlainCredential
    try:
        from azure.servicebus import __version__ as SB_VERSION
    except Exception:  # pragma: no cover
        SB_VERSION = None
except ImportError as e:  # keep the one-JSON-line contract even when not installed
    _emit({"client": CLIENT, "sent": 0, "accepted": 0, "received": 0, "ok": False,
           "error": "cannot import azure.servicebus._pyamqp (%s); run: python3 -m pip install "
                    "-r Scripts/interop/requirements.txt" % e}, 1)


class Deadline(BaseException):
    """Raised from SIGALRM; BaseException so the library's `except Exception` can't eat it."""


class Failure(Exception):
    pass


def make_body(i, size):
    head = b"%08d" % i
    return head + b"x" * (size - len(head))


def _s(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).decode("utf-8", "replace")
    return v


def _err(e):
    cond = getattr(e, "condition", None)
    desc = getattr(e, "description", None)
    if cond is not None:
        cond = getattr(cond, "value", cond)
        return "%s: %s %s" % (type(e).__name__, _s(cond), _s(desc) or "")
    return "%s: %s" % (type(e).__name__, e)


class Run:
    def __init__(self, args):
        self.a = args
        self.n = args.count
        self.run_id = str(uuid.uuid4())
        self.started = time.monotonic()
        self.deadline = self.started + args.timeout
        self.phase = "connect"
        self.conn = None
        self.session = None
        self.sender = None
        self.receiver = None
        # sender state
        self.sent = 0
        self.accepted = 0
        self.settled_local = 0      # pre-settled deliveries written
        self.outcomes = {}          # non-accepted outcome name -> count
        self.done_sends = 0
        self.presettled_pending = []
        self.peer_limit = None      # peer's delivery-count + link-credit (strict mode)
        self.flows_seen = 0
        self.send_done_at = None
        # receiver state
        self.inbox = []
        self.dispositions = 0
        self.stale = 0
        self.tally = ReceiveTally(self.n)
        self.error = None
        self.remote_max_frame_size = None

    # ---------------------------------------------------------------------------------
    def check_health(self):
        # Connection errors are raised by conn.listen(); links raise their _error here.
        for link, name in ((self.sender, "sender"), (self.receiver, "receiver")):
            if link is None:
                continue
            if name == "sender" and self.phase != "send":
                continue
            link.get_state()  # raises AMQPLinkError if the peer detached with (or without) error
            if link.state in (LinkState.DETACHED, LinkState.ERROR):
                raise Failure("%s link detached by peer" % name)
        if self.session is not None and self.session.state in (
                SessionState.END_RCVD, SessionState.DISCARDING, SessionState.UNMAPPED):
            raise Failure("session ended by peer (state %s)" % self.session.state.name)

    def pump(self):
        if time.monotonic() > self.deadline:
            raise Deadline()
        self.conn.listen(wait=self.a.socket_timeout, batch=self.a.batch)
        if self.conn._error is not None:        # e.g. close(error) received from the peer
            raise self.conn._error
        self.check_health()

    def wait_attached(self, link, what):
        while link.state != LinkState.ATTACHED:
            self.pump()
            if link.state in (LinkState.DETACHED, LinkState.ERROR):
                link.get_state()
                raise Failure("%s attach refused (detached)" % what)

    # ---------------------------------------------------------------------------------
    def connect(self):
        a = self.a
        u = urlparse(a.url)
        if u.scheme != "amqp":
            raise Failure("only amqp:// (no TLS) is supported by this client")
        host = u.hostname
        port = u.port or 5672
        hostport = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
        kwargs = dict(
            use_tls=False,
            container_id="pyamqp-interop-" + self.run_id[:8],
            max_frame_size=a.max_frame_size,
            channel_max=65535,
            idle_timeout=a.idle_timeout or None,
            socket_timeout=a.socket_timeout,
            network_trace=a.trace,
        )
        # Always with SASL: without a sasl_credential, Connection falls back to a bare
        # SSLTransport whose negotiate() writes the *TLS* protocol header AMQP\x02\x01\x00\x00
        # even with use_tls=False and blocks for the reply, so "no SASL" is not usable.
        if a.sasl != "anonymous" and (u.username is not None or a.sasl == "plain"):
            kwargs["sasl_credential"] = SASLPlainCredential(unquote(u.username or ""),
                                                            unquote(u.password or ""))
        else:
            kwargs["sasl_credential"] = SASLAnonymousCredential()
        self.conn = Connection("amqp://" + hostport, **kwargs)
        self.conn.open()          # TCP + SASL (blocking) + AMQP header + open (pipelined)
        self.session = self.conn.create_session(incoming_window=INCOMING_WINDOW,
                                                outgoing_window=OUTGOING_WINDOW)
        self.session.begin()      # pipelined as well, like AMQPClient.open()

    # ---------------------------------------------------------------------------------
    def _on_send_complete(self, i, reason, state):
        if reason == LinkDeliverySettleReason.SETTLED:
            return  # pre-settled: counted from PendingDelivery.sent in send_phase()
        self.done_sends += 1
        if reason == LinkDeliverySettleReason.DISPOSITION_RECEIVED:
            if state and "accepted" in state:
                self.accepted += 1
            else:
                key = ",".join(_s(k) for k in state) if state else "no-state"
                self.outcomes[key] = self.outcomes.get(key, 0) + 1
        else:
            self.outcomes[reason.name] = self.outcomes.get(reason.name, 0) + 1

    def _spy_flow(self, orig, frame):
        # FlowFrame fields: 4 handle, 5 delivery_count, 6 link_credit
        if self.a.credit_mode == "strict" and self.phase != "send":
            # After our detach, the library would still run update_pending_deliveries() on a
            # late flow and, if its credit computes to <= 0, send a flow on the detached
            # handle (proton answers with close amqp:invalid-field "no such handle").
            # Strict mode drops such late flows; library mode keeps the bug.
            return None
        if frame[4] is not None and frame[6] is not None:
            dc = frame[5] if frame[5] is not None else 0
            self.peer_limit = dc + frame[6]
            self.flows_seen += 1
        return orig(frame)

    def send_phase(self):
        a = self.a
        self.phase = "attach-sender"
        self.sender = self.session.create_sender_link(
            a.address,
            send_settle_mode=SenderSettleMode.Settled if a.presettled else SenderSettleMode.Unsettled,
            rcv_settle_mode=ReceiverSettleMode.First,
            max_message_size=LINK_MAX_MESSAGE_SIZE,   # 0, as SendClient does
        )
        self.sender._incoming_flow = partial(self._spy_flow, self.sender._incoming_flow)
        self.sender.attach()
        self.wait_attached(self.sender, "sender")
        self.remote_max_frame_size = self.conn._remote_max_frame_size
        self.phase = "send"
        library = a.credit_mode == "library"
        while self.done_sends < self.n:
            while self.sent < self.n:
                if not library:
                    if self.peer_limit is None or self.sent >= self.peer_limit:
                        break
                    if a.window and self.sent - self.done_sends >= a.window:
                        break
                i = self.sent
                msg = Message(
                    properties=Properties(message_id="m-%d" % i),
                    application_properties={"index": i, "run": self.run_id},
                    data=[make_body(i, a.size)],
                )
                d = self.sender.send_transfer(msg, send_async=library,
                                              on_send_complete=partial(self._on_send_complete, i))
                self.sent += 1
                if a.presettled:
                    # PendingDelivery.on_settled() skips the callback when the delivery was
                    # created settled (library quirk), so pre-settled completion = written.
                    self.presettled_pending.append(d)
            if self.presettled_pending:
                still = [d for d in self.presettled_pending if not d.sent]
                written = len(self.presettled_pending) - len(still)
                self.settled_local += written
                self.done_sends += written
                self.presettled_pending = still
            if any(not d.sent for d in self.sender._pending_deliveries):
                self.sender.update_pending_deliveries()   # session window was full
            if self.done_sends >= self.n:
                break
            self.pump()
        self.send_done_at = time.monotonic()
        self.phase = "detach-sender"
        self.sender.detach(close=True)

    # ---------------------------------------------------------------------------------
    def _on_transfer(self, frame, message):
        # Only queue it. Returning Accepted() here would NOT settle: ReceiverLink tests the
        # callback's return value for truth and an `Accepted()` namedtuple is empty, i.e.
        # falsy (library bug), so no disposition would ever be sent. Like ReceiveClient /
        # ServiceBusReceiver we settle from the main loop with link.send_disposition().
        self.inbox.append((frame, message))

    def _settle_inbox(self):
        while self.inbox:
            frame, message = self.inbox.pop(0)
            try:
                self._check(message)
            except Exception as e:  # never let a checking bug drop the accept
                self.tally.note_bad("checker error: %r" % (e,))
            if not frame[4]:  # transfer not pre-settled by the peer -> accept + settle
                self.receiver.send_disposition(
                    first_delivery_id=frame[1], delivery_tag=frame[2],
                    settled=True, delivery_state=Accepted(), wait=False)
                self.dispositions += 1

    def _check(self, m):
        ap = {_s(k): v for k, v in (m.application_properties or {}).items()}
        if _s(ap.get("run")) != self.run_id:
            self.stale += 1
            return
        idx = ap.get("index")
        if not isinstance(idx, int):
            self.tally.note_bad("missing/invalid index property %r" % (idx,))
            return
        if m.data is None:
            self.tally.note_bad("index %d: no data section (value=%r)" % (idx, type(m.value).__name__))
        else:
            body = b"".join(bytes(x) for x in m.data)
            if body != make_body(idx, self.a.size):
                self.tally.note_bad("index %d: body mismatch (len %d, %d sections, head %r)"
                              % (idx, len(body), len(m.data), body[:12]))
        mid = _s(m.properties.message_id) if m.properties else None
        if mid != "m-%d" % idx:
            self.tally.note_bad("index %d: message-id %r" % (idx, mid))
        self.tally.count(idx)

    def receive_phase(self):
        a = self.a
        self.phase = "attach-receiver"
        self.receiver = self.session.create_receiver_link(
            a.address,
            send_settle_mode=SenderSettleMode.Unsettled,
            rcv_settle_mode=(ReceiverSettleMode.Second if a.rcv_settle_mode == "second"
                             else ReceiverSettleMode.First),
            max_message_size=MAX_FRAME_SIZE_BYTES,   # what ReceiveClient puts in its attach
            link_credit=a.prefetch,                  # flowed as soon as the attach reply arrives
            on_transfer=self._on_transfer,
        )
        self.receiver.attach()
        self.wait_attached(self.receiver, "receiver")
        self.phase = "receive"
        while True:
            self._settle_inbox()
            if self.tally.complete:
                break
            if self.receiver.current_link_credit <= a.prefetch // 2:
                self.receiver.flow(link_credit=a.prefetch)
            self.pump()
        self.phase = "close"

    def close(self):
        # Same order and (no-)waiting as AMQPClient.close(): detach, end, close, disconnect.
        try:
            if self.receiver is not None:
                self.receiver.detach(close=True)
            if self.session is not None:
                self.session.end()
            if self.conn is not None:
                self.conn.close()
        except BaseException:
            pass

    # ---------------------------------------------------------------------------------
    def result(self):
        p = self.a.presettled
        problems = []
        if self.sent != self.n:
            problems.append("sent %d of %d" % (self.sent, self.n))
        if not p and self.accepted != self.n:
            problems.append("accepted %d of %d (others: %s)" % (self.accepted, self.n, self.outcomes or "none"))
        if p and self.outcomes:
            problems.append("send outcomes: %s" % self.outcomes)
        problems += self.tally.problems(received_checked=not self.a.no_receive)
        error = self.error
        if problems:
            error = (error + " | " if error else "") + "; ".join(problems)
        send_s = (self.send_done_at - self.started) if self.send_done_at else None
        return {
            "client": CLIENT,
            "sent": self.sent,
            "accepted": self.accepted,
            "ok": error is None,
            "error": error,
            "count": self.n,
            "size": self.a.size,
            "presettled": p,
            "credit_mode": self.a.credit_mode,
            **self.tally.fields(),
            "stale": self.stale,
            "dispositions_sent": self.dispositions,
            "peer_max_frame_size": self.remote_max_frame_size,
            "library_version": SB_VERSION,
            "send_seconds": round(send_s, 3) if send_s is not None else None,
            "seconds": round(time.monotonic() - self.started, 3),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url", help="amqp://[user:password@]host:port")
    ap.add_argument("address", help="node address (queue) to send to and receive from")
    ap.add_argument("-n", "--count", type=int, default=100)
    ap.add_argument("--size", type=int, default=1024, help="body bytes (>= 8)")
    ap.add_argument("--presettled", action="store_true", help="send pre-settled (snd-settle-mode settled)")
    ap.add_argument("--timeout", type=float, default=30.0, help="overall seconds")
    ap.add_argument("--credit-mode", choices=("strict", "library"), default="strict",
                    help="strict: never exceed the peer's link credit; library: let _pyamqp send as it does")
    ap.add_argument("--window", type=int, default=0,
                    help="max unsettled in flight when sending (0 = limited by credit only)")
    ap.add_argument("--prefetch", type=int, default=300, help="receiver credit (ReceiveClient default 300)")
    ap.add_argument("--rcv-settle-mode", choices=("first", "second"), default="first",
                    help="receiver attach rcv-settle-mode (second = ServiceBus PEEK_LOCK attach)")
    ap.add_argument("--sasl", choices=("auto", "anonymous", "plain"), default="auto",
                    help="auto: PLAIN if the URL has user:password, else ANONYMOUS")
    ap.add_argument("--max-frame-size", type=int, default=MAX_FRAME_SIZE_BYTES,
                    help="our open.max-frame-size (library default %d)" % MAX_FRAME_SIZE_BYTES)
    ap.add_argument("--idle-timeout", type=float, default=0, help="our open.idle-time-out in seconds (0 = none)")
    ap.add_argument("--socket-timeout", type=float, default=0.2, help="library socket timeout (default 0.2)")
    ap.add_argument("--batch", type=int, default=1, help="frames read per listen() call")
    ap.add_argument("--no-receive", action="store_true", help="only send (debugging)")
    ap.add_argument("--trace", action="store_true", help="library frame trace to stderr")
    args = ap.parse_args()

    def bail(msg):
        _emit({"client": CLIENT, "sent": 0, "accepted": 0, "received": 0, "ok": False, "error": msg}, 1)

    if args.size < 8:
        bail("--size must be >= 8")
    if args.count < 1:
        bail("--count must be >= 1")
    if args.prefetch < 1:
        bail("--prefetch must be >= 1")
    if args.trace:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                            format="%(asctime)s %(name)s %(message)s")
    else:
        logging.disable(logging.CRITICAL)   # keep stdout/stderr clean; stdout is the JSON line

    run = Run(args)

    def on_alarm(signum, frame):
        raise Deadline()

    signal.signal(signal.SIGALRM, on_alarm)
    # Hard stop for the blocking parts (SASL negotiation blocks without timeout in the library).
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    try:
        run.connect()
        run.send_phase()
        if not args.no_receive:
            run.receive_phase()
    except Deadline:
        run.error = "timeout after %ss (phase=%s)" % (args.timeout, run.phase)
    except Failure as e:
        run.error = "%s (phase=%s)" % (e, run.phase)
    except Exception as e:  # noqa: BLE001 - library errors, socket errors, ...
        run.error = "%s (phase=%s)" % (_err(e), run.phase)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    signal.setitimer(signal.ITIMER_REAL, 5)   # close must not hang either (Deadline is swallowed)
    run.close()
    signal.setitimer(signal.ITIMER_REAL, 0)
    res = run.result()
    _emit(res, 0 if res["ok"] else 1)


if __name__ == "__main__":
    main()
