"""An independent MCP client (the official Python SDK) checks ledgerchat's accounting server.

It connects over stdio or Streamable HTTP, lists the tools, calls each one with realistic arguments,
validates every structuredContent against the tool's outputSchema with jsonschema, and prints one JSON
report on stdout for the Swift test that runs it to assert on.

    peer_client.py --stdio BINARY ARG...      launch the server as a child
    peer_client.py --http URL                 connect to a running server
    --toolset poc (before --stdio)            call the proof-of-concept tools instead
"""

import argparse
import asyncio
import json
import sys

import jsonschema
from mcp import Client, StdioServerParameters

# Arguments for a plain call and for a filtered call of each full-toolset tool.
CALLS = {
    "get_company_info": [{}],
    "list_contacts": [{}, {"category": "supplier", "limit": 3}],
    "get_contact": [{"customer_number": "1001"}],
    "list_invoices": [{"limit": 5}, {"status": "open", "limit": 50}, {"overdue": True}],
    "get_invoice": [{"id": 1}],
    "list_vouchers": [{"limit": 5}, {"category": "rent"}],
    "get_voucher": [{"id": 1}],
    "list_bank_accounts": [{}],
    "list_transactions": [{"limit": 5}, {"direction": "incoming", "status": "unmatched"}],
    "summarize": [{"entity": "invoices", "group_by": "month"}, {"entity": "transactions", "group_by": "status"}],
    "receivables_aging": [{}],
    "create_contact": [{"name": "Interop Test GmbH", "email": "test@interop.example", "idempotency_key": "interop-1"}],
}

# The proof-of-concept toolset: six text tools taking `limit`, and a plainer create_contact.
POC_CALLS = {
    "get_contacts": [{"limit": 3}],
    "get_invoices": [{"limit": 3}],
    "get_vouchers": [{}],
    "get_check_accounts": [{}],
    "get_transactions": [{"limit": 2}],
    "create_contact": [{"name": "Interop Test GmbH", "email": "test@interop.example"}],
}


def field(obj, *names):
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


async def check(server, calls: dict) -> dict:
    report = {"tools": [], "calls": [], "protocol_version": None}
    async with Client(server) as client:
        report["protocol_version"] = client.protocol_version
        listed = await client.list_tools()
        tools = listed.tools
        report["tools"] = [tool.name for tool in tools]
        for tool in tools:
            schema = field(tool, "output_schema", "outputSchema")
            annotations = field(tool, "annotations")
            read_only = field(annotations, "read_only_hint", "readOnlyHint") if annotations else None
            for arguments in calls.get(tool.name, []):
                result = await client.call_tool(tool.name, arguments)
                structured = field(result, "structured_content", "structuredContent")
                texts = [c.text for c in result.content if getattr(c, "type", "") == "text"]
                entry = {
                    "tool": tool.name,
                    "arguments": arguments,
                    "is_error": bool(field(result, "is_error", "isError")),
                    "has_structured": structured is not None,
                    "has_schema": schema is not None,
                    "read_only": read_only,
                    "text": texts[0] if texts else "",
                    "valid": None,
                }
                if schema is not None and structured is not None:
                    try:
                        jsonschema.validate(structured, schema, cls=jsonschema.Draft202012Validator)
                        entry["valid"] = True
                    except jsonschema.ValidationError as error:
                        entry["valid"] = False
                        entry["violation"] = f"{error.message} at {list(error.absolute_path)}"
                report["calls"].append(entry)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--stdio", nargs=argparse.REMAINDER)
    group.add_argument("--http")
    parser.add_argument("--toolset", choices=["full", "poc"], default="full")
    options = parser.parse_args()
    if options.stdio:
        server = StdioServerParameters(command=options.stdio[0], args=options.stdio[1:])
    else:
        server = options.http
    report = asyncio.run(check(server, POC_CALLS if options.toolset == "poc" else CALLS))
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
