"""A tiny HTTP server on 127.0.0.1, in a thread, for the download tests (no internet).

``LocalServer.files`` maps a URL path to the bytes served there; a path in
``truncated`` announces more bytes than it sends, then closes the
connection. ``requests`` lists every path asked for, so a test can check
that a cached file was read without the network.
"""

import http.server
import threading


class LocalServer:
    """Use as a context manager: ``with LocalServer({"/a.npz": data}) as server: server.url("/a.npz")``."""

    def __init__(self, files=None):
        self.files = dict(files or {})
        self.truncated = set()
        self.requests = []
        self.posts = []  # (path, headers dict, body bytes) of every POST
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True

    def _handler_class(self):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                owner.requests.append(self.path)
                body = owner.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                extra = 1000 if self.path in owner.truncated else 0
                self.send_header("Content-Length", str(len(body) + extra))
                self.end_headers()
                self.wfile.write(body)
                if extra:
                    self.close_connection = True

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                owner.posts.append((self.path, dict(self.headers), self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def url(self, path):
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def closed_port_url(path="/file"):
    """A URL on a local port nothing listens on: connecting is refused at once (as offline)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
