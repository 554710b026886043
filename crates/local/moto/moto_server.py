"""The embedded AWS of the local stack: moto in server mode, DynamoDB served one request at a time.

moto does not make concurrent conditional DynamoDB writes atomic (two guarded writes can both see
the old item), so requests whose X-Amz-Target starts with `DynamoDB_` go through one lock; every
other service stays concurrent. The server prints `READY <port>` once it listens (port 0 picks a
free one) and exits by itself when the process that started it goes away, so a killed `make dev`
or test run never leaves a moto behind.
"""

import argparse
import os
import sys
import threading
import time

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


class QuietHandler(MotoRequestHandler):
    """Access logs of every SDK call drown the stack's own logs; errors still reach stderr."""

    def log_request(self, code="-", size="-"):
        pass


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, everything else untouched."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # Materialize the body inside the lock so the whole request is served under it.
            return list(self.app(environ, start_response))


def watch_parent(parent_pid, server):
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            server.shutdown()
            return


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    app = SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=watch_parent, args=(os.getppid(), server), daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
