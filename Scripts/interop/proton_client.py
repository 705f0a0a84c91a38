#!/usr/bin/python3
"""Independent AMQP 1.0 interop client built on Qpid Proton (Debian python3-qpid-proton).

Run it with Debian's interpreter, which is the only one that can import `proton` here:

    /usr/bin/python3 Scripts/interop/proton_client.py URL ADDRESS [-n N] [--size BYTES]
                     [--presettled] [--timeout SECONDS]
                     [--ca CAFILE [--cert CERTFILE --key KEYFILE]] [--mech MECHANISM]

    URL      amqp://127.0.0.1:5672  (SASL ANONYMOUS)
             amqp://user:password@127.0.0.1:5672  (SASL PLAIN, allowed over plain TCP)
             amqps://[user:password@]localhost:5671  (TLS; see below)
    ADDRESS  node address used as the sender's target and the receiver's source.

TLS (amqps:// only; --ca, --cert and --key with an amqp:// URL are an error):
    --ca CAFILE          trust exactly the CA certificates in CAFILE (PEM) and verify the
                         peer's certificate and its name against the URL's host
                         (VERIFY_PEER_NAME; proton matches DNS names and the CN, so use
                         amqps://localhost:..., not 127.0.0.1, with make-certs.sh material).
                         Without --ca an amqps:// URL uses proton's default client domain:
                         the system's CAs, also with name verification.
    --cert/--key FILE    a client certificate and its unencrypted private key (PEM), sent
                         when the server asks for one. Both or neither.
    --mech MECHANISM     SASL mechanism(s) to allow instead of the default (PLAIN with a
                         user in the URL, else ANONYMOUS), e.g. EXTERNAL.

What it does, in one connection and one session, all through the event-driven
`proton.reactor.Container` + `proton.handlers.MessagingHandler` API:

 1. attaches a sender to ADDRESS (snd-settle-mode `settled` when --presettled, via
    `AtMostOnce`; otherwise unsettled, and every delivery must come back `accepted`);
 2. sends N messages as credit allows. Message i has a single AMQP *data* section
    (`inferred=True`) of `--size` bytes: f"{i:08d}" padded with b"x", message-id
    f"m-{i}", application properties {"index": i, "run": <uuid of this run>};
 3. when every delivery is settled by the peer (or, pre-settled, when all are
    written), detaches the sender and attaches a receiver to ADDRESS with a
    prefetch window; every delivery is checked and then explicitly accepted;
 4. stops when N messages of this run arrived, and prints exactly one JSON line.

The receiver requires each index 0..N-1 exactly once with the exact expected body.
Reordering is reported (`in_order`, `out_of_order`) but is not a failure.
Messages without our `run` id (leftovers of an older run on the same address) are
accepted to drain them, counted in `stale`, and otherwise ignored.

Exit status 0 only when `ok` is true. On --timeout the JSON has ok=false and the error.
"""

import argparse
import json
import sys
import time
import uuid
from urllib.parse import urlparse

from proton import Message, SSLDomain, SSLException, Url
from proton.handlers import MessagingHandler
from proton.reactor import AtMostOnce, Container

from receive_tally import ReceiveTally

CLIENT = "python-qpid-proton"


def make_body(i, size):
    head = b"%08d" % i
    return head + b"x" * (size - len(head))


class _Stop:
    def __init__(self, container):
        self.container = container

    def on_timer_task(self, event):
        self.container.stop()


def make_ssl_domain(args):
    """The client SSLDomain for --ca/--cert/--key, or None to keep proton's default."""
    if not (args.ca or args.cert):
        return None
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    if args.ca:
        domain.set_trusted_ca_db(args.ca)
        domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME, args.ca)
    if args.cert:
        domain.set_credentials(args.cert, args.key, None)
    return domain


class InteropClient(MessagingHandler):
    def __init__(self, args, ssl_domain=None):
        # auto_accept=False: we accept explicitly after checking each message.
        # auto_settle=True: outgoing deliveries are settled locally once the peer settles.
        super().__init__(prefetch=args.prefetch, auto_accept=False, auto_settle=True)
        self.args = args
        self.ssl_domain = ssl_domain
        self.run_id = str(uuid.uuid4())
        self.n = args.count
        self.conn = None
        self.container = None
        self.stopping = False
        self.sender = None
        self.receiver = None
        self.timer = None
        self.started = time.monotonic()
        self.finished = False
        # counters
        self.sent = 0
        self.accepted = 0
        self.rejected = 0
        self.released = 0
        self.modified = 0
        self.settled_remote = 0
        self.stale = 0
        self.tally = ReceiveTally(self.n)
        self.error = None
        self.send_done_at = None

    # ---- helpers -------------------------------------------------------------
    def fail(self, msg):
        if self.error is None:
            self.error = msg
        self.finish()
        # A failed/unresponsive peer may never complete the close handshake (and proton
        # lingers a few seconds on a dead transport): give close frames 0.5 s, then stop.
        if self.container is not None and not self.stopping:
            self.stopping = True
            self.container.schedule(0.5, _Stop(self.container))

    def finish(self):
        if self.finished:
            return
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
        if self.conn is not None:
            self.conn.close()

    # ---- lifecycle ------------------------------------------------------------
    def on_start(self, event):
        a = self.args
        self.container = event.container
        url = Url(a.url)
        kwargs = dict(reconnect=False, sasl_enabled=True, allow_insecure_mechs=True)
        if a.mech:
            kwargs["allowed_mechs"] = a.mech
        elif url.username:
            kwargs["allowed_mechs"] = "PLAIN"
        else:
            kwargs["allowed_mechs"] = "ANONYMOUS"
        if a.max_frame_size:
            kwargs["max_frame_size"] = a.max_frame_size
        if self.ssl_domain is not None:
            kwargs["ssl_domain"] = self.ssl_domain
        self.conn = event.container.connect(a.url, **kwargs)
        opts = [AtMostOnce()] if a.presettled else None
        self.sender = event.container.create_sender(self.conn, a.address, options=opts)
        self.timer = event.container.schedule(a.timeout, self)

    def on_timer_task(self, event):
        self.timer = None
        self.fail("timeout after %ss (phase=%s)" % (self.args.timeout,
                                                 "receive" if self.receiver else "send"))

    def on_sendable(self, event):
        snd = event.sender
        if snd != self.sender:
            return
        while snd.credit > 0 and self.sent < self.n:
            i = self.sent
            m = Message()
            m.id = "m-%d" % i
            m.inferred = True           # bytes body -> AMQP data section
            m.body = make_body(i, self.args.size)
            m.properties = {"index": i, "run": self.run_id}
            snd.send(m)
            self.sent += 1
        if self.args.presettled and self.sent == self.n:
            self.start_receiving(event)

    def on_accepted(self, event):
        self.accepted += 1

    def on_rejected(self, event):
        self.rejected += 1

    def on_released(self, event):
        d = event.delivery
        if d.remote_state == d.MODIFIED:
            self.modified += 1
        else:
            self.released += 1

    def on_settled(self, event):
        # Called (after on_accepted & co.) when the peer settles one of our deliveries.
        if event.link != self.sender:
            return
        self.settled_remote += 1
        if self.settled_remote == self.n and self.receiver is None:
            self.start_receiving(event)

    def start_receiving(self, event):
        if self.receiver is not None:
            return
        self.send_done_at = time.monotonic()
        if self.sender is not None:
            self.sender.close()
        if self.args.no_receive:
            self.finish()
            return
        self.receiver = event.container.create_receiver(self.conn, self.args.address)

    def on_message(self, event):
        if event.receiver != self.receiver:
            return
        m = event.message
        d = event.delivery
        props = m.properties or {}
        if props.get("run") != self.run_id:
            self.stale += 1
            self.accept(d)
            return
        idx = props.get("index")
        body = m.body
        try:
            idx = int(idx)
        except (TypeError, ValueError):
            self.tally.note_bad("missing/invalid index property: %r" % (idx,))
            self.accept(d)
            return
        if isinstance(body, memoryview):
            body = body.tobytes()
        if not isinstance(body, (bytes, bytearray)) or not m.inferred:
            self.tally.note_bad("index %d: body is not a data section (%s, inferred=%s)"
                          % (idx, type(body).__name__, m.inferred))
        elif bytes(body) != make_body(idx, self.args.size):
            self.tally.note_bad("index %d: body mismatch (len %d, head %r)"
                          % (idx, len(body), bytes(body[:12])))
        if str(m.id) != "m-%d" % idx:
            self.tally.note_bad("index %d: message-id %r" % (idx, m.id))
        self.tally.count(idx)
        self.accept(d)
        if self.tally.complete:
            self.finish()

    # ---- errors ----------------------------------------------------------------
    def _cond(self, what, endpoint_cond):
        if endpoint_cond is None:
            return None
        return "%s: %s %s" % (what, endpoint_cond.name, endpoint_cond.description or "")

    def on_transport_error(self, event):
        c = event.transport.condition
        self.fail(self._cond("transport error", c) or "transport error")

    def on_connection_error(self, event):
        self.fail(self._cond("connection closed by peer", event.connection.remote_condition)
                  or "connection error")

    def on_session_error(self, event):
        self.fail(self._cond("session ended by peer", event.session.remote_condition)
                  or "session error")

    def on_link_error(self, event):
        self.fail(self._cond("link detached by peer", event.link.remote_condition) or "link error")

    def on_link_closed(self, event):
        if not self.finished and event.link == self.receiver:
            self.fail("receiver link closed by peer")

    def on_connection_closed(self, event):
        if not self.finished:
            self.fail("connection closed by peer")

    def on_disconnected(self, event):
        if not self.finished:
            c = event.transport.condition if event.transport else None
            self.fail(self._cond("disconnected", c) or "disconnected")

    # ---- result ----------------------------------------------------------------
    def result(self):
        elapsed = time.monotonic() - self.started
        p = self.args.presettled
        problems = []
        if self.sent != self.n:
            problems.append("sent %d of %d" % (self.sent, self.n))
        if not p and self.accepted != self.n:
            problems.append("accepted %d of %d (rejected %d, released %d, modified %d)"
                            % (self.accepted, self.n, self.rejected, self.released, self.modified))
        problems += self.tally.problems(received_checked=not self.args.no_receive)
        error = self.error
        if problems and error is None:
            error = "; ".join(problems)
        elif problems:
            error = error + " | " + "; ".join(problems)
        ok = error is None
        send_s = (self.send_done_at - self.started) if self.send_done_at else None
        return {
            "client": CLIENT,
            "sent": self.sent,
            "accepted": self.accepted,
            "ok": ok,
            "error": error,
            "count": self.n,
            "size": self.args.size,
            "presettled": p,
            **self.tally.fields(),
            "stale": self.stale,
            "send_seconds": round(send_s, 3) if send_s is not None else None,
            "seconds": round(elapsed, 3),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("url", help="amqp://[user:password@]host:port")
    ap.add_argument("address", help="node address (queue) to send to and receive from")
    ap.add_argument("-n", "--count", type=int, default=100)
    ap.add_argument("--size", type=int, default=1024, help="body bytes (>= 8)")
    ap.add_argument("--presettled", action="store_true", help="send pre-settled (at-most-once)")
    ap.add_argument("--timeout", type=float, default=30.0, help="overall seconds")
    ap.add_argument("--prefetch", type=int, default=100, help="receiver credit window")
    ap.add_argument("--max-frame-size", type=int, default=0, help="local max-frame-size (0 = proton default)")
    ap.add_argument("--no-receive", action="store_true", help="only send (debugging)")
    ap.add_argument("--ca", metavar="CAFILE",
                    help="amqps: trust this CA (PEM) and verify the peer's certificate and name")
    ap.add_argument("--cert", metavar="CERTFILE", help="amqps: client certificate (PEM)")
    ap.add_argument("--key", metavar="KEYFILE", help="amqps: client certificate's private key")
    ap.add_argument("--mech", help="SASL mechanism(s) to allow (default PLAIN with a user, "
                                   "else ANONYMOUS)")
    args = ap.parse_args()

    def bail(msg):
        print(json.dumps({"client": CLIENT, "sent": 0, "accepted": 0, "received": 0,
                          "ok": False, "error": msg}), flush=True)
        sys.exit(1)

    if args.size < 8:
        bail("--size must be >= 8")
    if args.count < 1:
        bail("--count must be >= 1")
    scheme = urlparse(args.url).scheme
    if scheme not in ("amqp", "amqps"):
        bail("URL must start with amqp:// or amqps://")
    if (args.ca or args.cert or args.key) and scheme != "amqps":
        bail("--ca, --cert and --key need an amqps:// URL")
    if bool(args.cert) != bool(args.key):
        bail("--cert and --key go together")
    for path in (args.ca, args.cert, args.key):
        if path is not None:
            try:
                open(path, "rb").close()
            except OSError as e:
                bail("cannot read %s: %s" % (path, e.strerror))
    try:
        ssl_domain = make_ssl_domain(args)
    except SSLException as e:
        bail("TLS setup failed: %s" % (e,))

    handler = InteropClient(args, ssl_domain)
    try:
        Container(handler).run()
    except Exception as e:  # noqa: BLE001 - anything here is a failure to report
        if handler.error is None:
            handler.error = "%s: %s" % (type(e).__name__, e)
    res = handler.result()
    print(json.dumps(res), flush=True)
    sys.exit(0 if res["ok"] else 1)


if __name__ == "__main__":
    main()
