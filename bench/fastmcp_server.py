"""The peer for `make bench`: a FastMCP server exposing the same `list_invoices` over the same SQLite
ledger, with the same default (newest 25, with total count) and the same structured answer shape.

    python fastmcp_server.py LEDGER.sqlite PORT
"""

import sqlite3
import sys
import threading

from fastmcp import FastMCP

ledger_path, port = sys.argv[1], int(sys.argv[2])
mcp = FastMCP("fastmcp-ledger")


_local = threading.local()


def connect() -> sqlite3.Connection:
    # One open connection per worker thread, as ledgerchat keeps a pool: the comparison is of servers, not of
    # opening files.
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(f"file:{ledger_path}?mode=ro", uri=True, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        _local.connection = connection
    return connection


@mcp.tool
def list_invoices(limit: int = 25, offset: int = 0, status: str | None = None) -> dict:
    """Lists sales invoices, newest first."""
    connection = connect()
    where, arguments = ("WHERE i.status = ?", [status]) if status else ("", [])
    total = connection.execute(
        f"SELECT COUNT(*) FROM invoice i JOIN contact c ON c.id = i.contact_id {where}", arguments
    ).fetchone()[0]
    rows = connection.execute(
        f"""SELECT i.id, i.number, i.contact_id, c.name AS contact_name, i.invoice_date, i.delivery_date,
                   i.due_date, i.status, i.currency, i.title, i.net_cents, i.tax_cents, i.gross_cents,
                   i.paid_cents, i.discount_cents
            FROM invoice i JOIN contact c ON c.id = i.contact_id {where}
            ORDER BY i.invoice_date DESC, i.number DESC LIMIT ? OFFSET ?""",
        arguments + [limit, offset],
    ).fetchall()
    items = [dict(row) for row in rows]
    return {
        "items": items,
        "total": total,
        "offset": offset,
        "limit": limit,
        "has_more": offset + len(items) < total,
        "summary": f"Showing {offset + 1}–{offset + len(items)} of {total} invoices",
    }


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=port, stateless_http=True, json_response=True, show_banner=False, log_level="WARNING")
