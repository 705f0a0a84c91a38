#!/usr/bin/python3
"""A misbehaving peer for the client's tests: a Qpid Proton receiver that closes at once.

    /usr/bin/python3 Scripts/peers/closing_receiver.py PORT N [--credit C]

Listens on 127.0.0.1:PORT (SASL ANONYMOUS), takes one connection, grants credit to any
sender, accepts each message, and on the N-th accepts and settles it and closes the
connection straight away (the disposition and the close leave in one write). Prints
`listening` once ready and `closed after N` when done; exits after that one connection.
Run it with Debian's interpreter, the one that imports `proton` here.
"""
import argparse
import sys

from proton import Delivery
from proton.handlers import MessagingHandler
from proton.reactor import Container


class ClosingReceiver(MessagingHandler):
    def __init__(self, port, limit, credit):
        super().__init__(prefetch=credit, auto_accept=False, auto_settle=False)
        self.url = f"127.0.0.1:{port}"
        self.limit = limit
        self.received = 0

    def on_start(self, event):
        self.acceptor = event.container.listen(self.url)
        print("listening", flush=True)

    def on_message(self, event):
        self.received += 1
        event.delivery.update(Delivery.ACCEPTED)
        event.delivery.settle()
        if self.received == self.limit:
            event.connection.close()
            self.acceptor.close()
            print(f"closed after {self.received}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("limit", type=int)
    parser.add_argument("--credit", type=int, default=1000)
    arguments = parser.parse_args()
    Container(ClosingReceiver(arguments.port, arguments.limit, arguments.credit)).run()


if __name__ == "__main__":
    sys.exit(main())
