"""A FastMCP 4.x server for ledgerchat's MCP client tests: a few tools that exercise what real servers do.

    fastmcp_peer.py stdio
    fastmcp_peer.py http-stateless | http-stateful      prints its port on stdout's first line

Tools: add (structured output), explode (raises), slow (progress and log notifications while it works),
crash (the process exits mid-call), drop_stream (closes the SSE stream after an event; stateful HTTP resumes
it from the event store), grow (adds a tool, so the server announces tools/list_changed).
With PEER_TOKEN_FILE set, HTTP requests need `Authorization: Bearer <the file's content>` (re-read per request,
so a test can rotate the token). Exits when stdin closes (HTTP modes).
"""

import asyncio
import os
import socket
import sys
import threading

from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError

mode = sys.argv[1]
mcp = FastMCP("fastmcp-peer")


@mcp.tool
def add(a: int, b: int) -> dict:
    """Adds two integers and returns {"sum": a + b}."""
    return {"sum": a + b}


@mcp.tool
def explode(message: str = "boom") -> str:
    """Always fails with the given message."""
    raise ToolError(f"exploded: {message}")


@mcp.tool
async def slow(seconds: float = 1.0, steps: int = 3, ctx: Context = None) -> str:
    """Works for a while, reporting progress and logging as it goes."""
    for step in range(steps):
        await ctx.report_progress(step, steps, f"step {step + 1} of {steps}")
        await ctx.info(f"working on step {step + 1}")
        await asyncio.sleep(seconds / steps)
    return f"done after {steps} steps"


@mcp.tool
def crash() -> str:
    """Exits the server process in the middle of the call."""
    print("crashing on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@mcp.tool
async def drop_stream(ctx: Context = None) -> str:
    """Closes the answer stream after one progress event, then answers; the client must resume to see it."""
    await ctx.report_progress(1, 2, "halfway")
    await asyncio.sleep(0.2)
    await ctx.close_sse_stream()
    await asyncio.sleep(0.5)
    return "survived the dropped stream"


@mcp.tool
async def grow(ctx: Context = None) -> str:
    """Adds a tool named `extra`, which makes the server announce that its tool list changed."""
    def extra() -> str:
        """Added at run time."""
        return "extra tool answer"

    mcp.tool(extra)
    from mcp.types import ToolListChangedNotification

    await ctx.send_notification(ToolListChangedNotification())
    return "added extra"


class BearerFromFile:
    """ASGI middleware: when PEER_TOKEN_FILE is set, requests need that file's token."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token_file = os.environ.get("PEER_TOKEN_FILE")
        if scope["type"] == "http" and token_file:
            expected = open(token_file).read().strip()
            headers = dict(scope["headers"])
            if headers.get(b"authorization", b"").decode() != f"Bearer {expected}":
                body = b'{"error":"invalid_token","error_description":"the bearer token is missing or expired"}'
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"www-authenticate", b'Bearer error="invalid_token"'),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


if mode == "stdio":
    mcp.run(transport="stdio", show_banner=False)
else:
    import uvicorn
    from fastmcp.server.event_store import EventStore

    stateless = mode == "http-stateless"
    app = mcp.http_app(
        path="/mcp", stateless_http=stateless, json_response=False,
        event_store=None if stateless else EventStore(), retry_interval=100)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(sock.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    config = uvicorn.Config(BearerFromFile(app), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
