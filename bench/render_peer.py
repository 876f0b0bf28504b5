"""The peer of ledgerchat's frame benchmark: Python's rich (as Python terminal apps use it) rendering the same
10,000-row invoice table and the same 1,000-message Markdown transcript to a 100-column console.

rich has no paging or viewport: rendering is the whole table or transcript, which is what a rich-based chat
would redraw. Prints one JSON object: milliseconds (median of runs) and the process's resident memory.
"""

import io
import json
import statistics
import sys
import time

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
messages = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
names = ["Autohaus Becker KG", "Café Zimt & Zucker", "東京デザイン株式会社"]


def money(cents):
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d} €"


def render(renderable):
    console = Console(file=io.StringIO(), width=100, height=30, color_system="256", force_terminal=True)
    started = time.perf_counter()
    console.print(renderable)
    return (time.perf_counter() - started) * 1000


def table():
    result = Table()
    for title in ["Number", "Contact name", "Invoice date", "Status"]:
        result.add_column(title)
    result.add_column("Gross", justify="right")
    for index in range(rows):
        result.add_row(f"RE-2026-{rows - index:05d}", names[index % 3], "2026-11-25", "open", money(100000 + index * 7))
    return result


def transcript():
    parts = []
    for index in range(messages // 2):
        parts.append(f"**You:** Question {index}: which invoices of Autohaus Becker KG are overdue?")
        parts.append(
            f"## Overdue\n**{index % 7} invoices** are overdue, the oldest `RE-2026-{index}`:\n"
            "- first item with some words to wrap around the line\n- second item\n\nTotal: 1.234,56 €"
        )
    return Markdown("\n\n".join(parts))


def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


table_ms = statistics.median(render(table()) for _ in range(3))
transcript_ms = statistics.median(render(transcript()) for _ in range(3))
print(json.dumps({"table_ms": round(table_ms, 1), "transcript_ms": round(transcript_ms, 1), "rss_kb": rss_kb()}))
