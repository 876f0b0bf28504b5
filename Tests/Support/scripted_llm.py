"""A scripted LLM server on loopback for deterministic tests of the model providers and the agent loop.

It speaks no model: each POST to a model path (/v1/chat/completions, /chat/completions, /v1/messages) is answered
with the next step of a script the test uploaded, written byte for byte in the wire format under test. Steps say
the status, headers, body chunks, a delay between chunks, and whether to cut the connection mid-stream.

    POST /__script     body: {"steps": [...]} replaces the script and clears the request log
    POST /__release    lets a step with "hold_after": N go on past its chunk N (a test that must see a stream half
                       done says when it has, instead of hoping a delay was long enough)
    GET  /__requests   the requests received so far (path, headers, JSON body)

Serving and stopping as `loopback_serving.py` says (from a shell: prints its port, exits when stdin closes).
Standard library only.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
released = threading.Event()
steps = []
requests = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__requests":
            with lock:
                self.reply(200, json.dumps(requests))
        else:
            self.reply(404, '{"error":"no such path"}')

    def do_POST(self):
        global steps, requests
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/__script":
            with lock:
                steps = json.loads(body)["steps"]
                requests = []
                released.clear()
            self.reply(200, "{}")
            return
        if self.path == "/__release":
            released.set()
            self.reply(200, "{}")
            return
        with lock:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = body.decode(errors="replace")
            requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": parsed})
            step = steps.pop(0) if steps else {"status": 500, "chunks": ['{"error":{"message":"the script has no more steps"}}']}
        self.play(step)

    def play(self, step):
        chunks = step.get("chunks", [])
        self.send_response(step.get("status", 200))
        for name, value in step.get("headers", {}).items():
            self.send_header(name, value)
        if not step.get("stream", False):
            data = "".join(chunks).encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        delay = step.get("delay_ms", 0) / 1000
        for index, chunk in enumerate(chunks):
            if step.get("cut_after") == index:
                self.wfile.flush()
                self.connection.shutdown(2)
                self.close_connection = True
                return
            data = chunk.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            if step.get("hold_after") == index:
                released.wait(timeout=120)
            if delay:
                time.sleep(delay)
        if step.get("cut_after") is not None:
            self.connection.shutdown(2)
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from loopback_serving import serve
    serve(ThreadingHTTPServer, Handler)
