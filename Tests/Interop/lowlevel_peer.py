"""A server on the Python `mcp` SDK's low-level API, answering plain JSON (no SSE) with sessions, for ledgerchat's
MCP client tests. Its newest protocol version is whatever `mcp` 2.3 supports (2026-07-28).

    lowlevel_peer.py [PORT]        prints its port on stdout's first line; exits when stdin closes

Tools are listed in two pages (the client must follow nextCursor): `echo` on the first, `hang` (sleeps until
the process is killed) on the second.
"""

import asyncio
import contextlib
import os
import socket
import sys
import threading

import uvicorn
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.routing import Mount

ECHO = types.Tool(name="echo", description="Returns its text.", input_schema={
    "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]})
HANG = types.Tool(name="hang", description="Never answers.", input_schema={"type": "object", "properties": {}})


async def list_tools(ctx, params):
    if params is not None and params.cursor == "page-2":
        return types.ListToolsResult(tools=[HANG])
    return types.ListToolsResult(tools=[ECHO], next_cursor="page-2")


async def call_tool(ctx, params):
    if params.name == "echo":
        return types.CallToolResult(content=[types.TextContent(type="text", text=params.arguments["text"])])
    if params.name == "hang":
        await asyncio.sleep(3600)
    return types.CallToolResult(content=[types.TextContent(type="text", text=f"unknown tool {params.name}")], is_error=True)


server = Server("lowlevel-peer", version="1.0", on_list_tools=list_tools, on_call_tool=call_tool)
manager = StreamableHTTPSessionManager(app=server, json_response=True, stateless=False)


@contextlib.asynccontextmanager
async def lifespan(app):
    async with manager.run():
        yield


app = Starlette(routes=[Mount("/mcp", app=manager.handle_request)], lifespan=lifespan)
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
print(sock.getsockname()[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
