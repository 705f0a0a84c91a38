#!/usr/bin/env python3
"""Waits until an AMQP 1.0 listener really answers (any python3, standard library only).

    wait-amqp.py [--header sasl|amqp] [--pid PID] [--tls CAFILE [--servername NAME]]
                 HOST PORT TIMEOUT

Connects to HOST:PORT, sends an AMQP 1.0 protocol header (SASL `AMQP 3 1 0 0` by default,
plain `AMQP 0 1 0 0` with --header amqp) and succeeds as soon as 8 bytes starting with
`AMQP` come back. Refused connections, resets and short reads are retried until TIMEOUT
seconds have passed. With --pid, gives up at once when that process is gone (a peer that
crashed while starting). Exit status: 0 ready; 1 timeout, dead process or an answer that
is not AMQP 1.0 (for example RabbitMQ's 0-9-1 header when its 1.0 plugin is not loaded).

With --tls CAFILE the header exchange happens inside TLS: the server's certificate must chain
to CAFILE and match --servername (default localhost; also sent as SNI). A certificate that
fails verification ends the wait at once (exit 1) instead of being retried.
"""
import argparse
import os
import socket
import ssl
import sys
import time

HEADERS = {"sasl": b"AMQP\x03\x01\x00\x00", "amqp": b"AMQP\x00\x01\x00\x00"}


def process_alive(pid):
    """True while pid exists and is not a zombie (an unreaped child still answers kill -0)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def probe(host, port, header, timeout, tls=None, servername=None):
    """One attempt: returns the 8 bytes the peer answered with; raises OSError otherwise."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.settimeout(timeout)
        if tls:  # the handshake happens here; the TLS socket takes over the descriptor
            sock = tls.wrap_socket(sock, server_hostname=servername)
        sock.sendall(header)
        reply = b""
        while len(reply) < 8:
            chunk = sock.recv(8 - len(reply))
            if not chunk:
                raise OSError(f"connection closed after {len(reply)} bytes {reply!r}")
            reply += chunk
        return reply
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--header", choices=sorted(HEADERS), default="sasl")
    parser.add_argument("--pid", type=int, help="give up when this process has exited")
    parser.add_argument("--tls", metavar="CAFILE", help="speak TLS, trusting only this CA")
    parser.add_argument("--servername", default="localhost",
                        help="host name the TLS certificate must match (default localhost)")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("timeout", type=float)
    args = parser.parse_args()

    where = f"{args.host}:{args.port}"
    tls = None
    if args.tls:
        try:
            tls = ssl.create_default_context(cafile=args.tls)  # verifies chain and host name
        except (OSError, ssl.SSLError) as error:
            sys.exit(f"wait-amqp: cannot load CA file {args.tls}: {error}")
        where = f"{where} (TLS, {args.servername})"
    start = time.monotonic()
    deadline = start + args.timeout
    last_error = "no attempt made"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if args.pid is not None and not process_alive(args.pid):
            sys.exit(f"wait-amqp: process {args.pid} exited before {where} answered ({last_error})")
        try:
            reply = probe(args.host, args.port, HEADERS[args.header], min(2.0, remaining),
                          tls, args.servername)
        except ssl.SSLCertVerificationError as error:  # retrying cannot fix a wrong certificate
            sys.exit(f"wait-amqp: {where}: certificate verification failed: {error.verify_message}")
        except OSError as error:  # refused, reset, timed out, closed early
            last_error = str(error) or type(error).__name__
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            continue
        if not reply.startswith(b"AMQP"):
            sys.exit(f"wait-amqp: {where} answered {reply!r}, not an AMQP header")
        version = ".".join(str(b) for b in reply[4:])
        if reply[5:] != b"\x01\x00\x00":
            sys.exit(f"wait-amqp: {where} answered protocol {version}, not AMQP 1.0")
        print(f"wait-amqp: {where} answered AMQP {version} to the {args.header} header "
              f"after {time.monotonic() - start:.2f} s")
        return
    sys.exit(f"wait-amqp: {where} did not answer the {args.header} header within "
             f"{args.timeout:g} s (last error: {last_error})")


if __name__ == "__main__":
    main()
