"""A deliberately broken Streamable HTTP MCP server (standard library only) for ledgerchat's fault tests.

    broken_mcp.py MODE      served as Tests/Support/loopback_serving.py says (from a shell: prints its port)

It answers initialize correctly (JSON, with a session id), then answers every other request according to MODE:
  sse-garbage     an SSE event whose data is not JSON
  json-garbage    a 200 application/json body that is not JSON
  sse-cut         an SSE stream that ends without the answer and without event ids
  forget-session  404 for any session id but the newest; POST initialize again starts a new one
"""

import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode = sys.argv[1]
sessions = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send(405, "")

    def do_DELETE(self):
        self.send(200, "")

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if "id" not in message:
            self.send(202, "")
            return
        if message["method"] == "initialize":
            session = uuid.uuid4().hex
            sessions.append(session)
            result = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                      "serverInfo": {"name": "broken", "version": "1"}}
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}),
                      headers={"Mcp-Session-Id": session})
            return
        if mode == "forget-session" and self.headers.get("Mcp-Session-Id") != sessions[-1]:
            self.send(404, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": "Session not found"}}))
            return
        if mode == "forget-session":
            tools = [{"name": "ping_tool", "inputSchema": {"type": "object"}}]
            result = {"tools": tools} if message["method"] == "tools/list" else {"content": [{"type": "text", "text": f"session {sessions[-1]}"}]}
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}))
        elif mode == "sse-garbage":
            self.send(200, "event: message\ndata: {this is not json\n\n", content_type="text/event-stream")
        elif mode == "json-garbage":
            self.send(200, "<html>upstream proxy error</html>")
        elif mode == "sse-cut":
            self.send(200, ": a comment, then nothing\n\n", content_type="text/event-stream")


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Support"))
    from loopback_serving import serve
    serve(ThreadingHTTPServer, Handler)
