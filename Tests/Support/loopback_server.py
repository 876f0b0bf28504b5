"""A small HTTP server on loopback for the Curl tests: fixed answers, streams, stalls and errors.

Serves as `loopback_serving.py` says, so it never outlives the tests; `loopback_server.py CERT KEY` serves HTTPS.
Standard library only.
"""

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type="text/plain", extra=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def start_chunked(self, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_GET(self):
        path = self.path
        if path == "/hello":
            self.send_body(200, "hello, ledger", extra=[("X-Test", "yes")])
        elif path == "/headers":
            self.send_body(200, json.dumps(dict(self.headers.items())), "application/json")
        elif path == "/sse":
            self.start_chunked("text/event-stream")
            # Split awkwardly: inside a field name, inside a multi-byte character, between CR and LF.
            payload = ": keep-alive\r\nevent: delta\r\ndata: Gr\xc3\xbc\xc3\x9fe\r\n\r\nid: 7\ndata: line one\ndata: line two\n\n".encode("latin-1")
            for piece in (payload[:9], payload[9:32], payload[32:33], payload[33:47], payload[47:]):
                self.chunk(piece)
                time.sleep(0.05)
            self.chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/slow-head":
            # Far longer than any bound the tests check, so a bound met under load still proves the abort.
            time.sleep(30)
            self.send_body(200, "late")
        elif path == "/stall":
            self.start_chunked("text/plain")
            self.chunk(b"first bytes")
            time.sleep(30)
        elif path == "/forever":
            self.start_chunked("text/plain")
            try:
                while True:
                    self.chunk(b"tick\n")
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.send_body(code, json.dumps({"error": {"message": f"status {code} as asked"}}), "application/json",
                           extra=[("Retry-After", "1")])
        else:
            self.send_body(404, "no such path")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        answer = {"method": "POST", "body": body.decode(), "headers": dict(self.headers.items())}
        self.send_body(200, json.dumps(answer), "application/json")

    def do_DELETE(self):
        self.send_body(200, json.dumps({"method": "DELETE"}), "application/json")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from loopback_serving import serve
    wrap = None
    if len(sys.argv) == 3:
        # HTTPS with the given certificate and key: `loopback_server.py CERT KEY`.
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        wrap = lambda listening: context.wrap_socket(listening, server_side=True)
    serve(ThreadingHTTPServer, Handler, wrap)
