#!/usr/bin/env python3
"""MCP benchmark: `search_incidents` calls to a running `hindsight mcp`.

usage: mcp.py HINDSIGHT CORPUS_DIR WORK_DIR

Prints markdown table rows (the format of bench/run.sh): the latency of a
`tools/call search_incidents` round trip (from writing the request to the server's
stdin to reading its response), p50 and p95 over bench/search.py's queries, and the
call after a postmortem is edited (which must find the new text). The knowledge base is
search.py's (WORK_DIR/kb-N, the corpus linked in), so its index is already built. A
raw JSON-RPC client keeps client overhead out of the figure; ci/mcp/ is where the
official SDK drives the server.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import QUERIES, RUNS, pct, row  # noqa: E402


class Client:
    def __init__(self, exe, kb):
        self.p = subprocess.Popen(
            [exe, "-C", str(kb), "mcp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.next = 0

    def request(self, method, params):
        self.next += 1
        msg = {"jsonrpc": "2.0", "id": self.next, "method": method, "params": params}
        self.p.stdin.write((json.dumps(msg) + "\n").encode())
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                sys.exit(f"hindsight mcp closed stdout while {method} was pending")
            reply = json.loads(line)
            if reply.get("id") == self.next:
                if "error" in reply:
                    sys.exit(f"{method}: {reply['error']}")
                return reply["result"]

    def close(self):
        self.p.stdin.close()
        return self.p.wait(timeout=30)


def main():
    exe, corpus, work = sys.argv[1], Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    n = sum(1 for _ in corpus.glob("*.md"))
    kb = work / f"kb-{n}"
    if not (kb / "incidents").exists():
        kb.mkdir(parents=True, exist_ok=True)
        (kb / "incidents").symlink_to(corpus)
    c = Client(exe, kb)
    t = time.perf_counter()
    c.request("initialize", {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "bench/mcp.py", "version": "0"},
    })
    c.p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    c.p.stdin.flush()
    # The first call waits for the index update the server starts with.
    c.request("tools/call", {"name": "search_incidents", "arguments": {"query": "zzzz-warmup"}})
    first = time.perf_counter() - t
    samples = []
    for _ in range(RUNS):
        for q, _words in QUERIES:
            t = time.perf_counter()
            r = c.request("tools/call", {"name": "search_incidents", "arguments": {"query": q, "limit": 10}})
            samples.append(time.perf_counter() - t)
            if r.get("isError"):
                sys.exit(f"search_incidents {q}: {r['content']}")
    # One file changed: the next call sees it, re-indexing the file first.
    # (a UTF-8 one: some of the corpus is UTF-16, where appended ASCII is not text)
    files = sorted(corpus.glob("*.md"))
    target = next(f for f in files[n // 2:] + files if b"\0" not in f.read_bytes())
    original = target.read_bytes()
    changed = []
    try:
        for i in range(RUNS):
            target.write_bytes(original + f"\n\nAddendum {i}: wombatfirmware{i}\n".encode())
            t = time.perf_counter()
            r = c.request("tools/call", {"name": "search_incidents", "arguments": {"query": f"wombatfirmware{i}"}})
            changed.append(time.perf_counter() - t)
            if not r["structuredContent"]["hits"]:
                sys.exit(f"the edit of {target.name} was not seen")
    finally:
        target.write_bytes(original)
    c.request("tools/call", {"name": "search_incidents", "arguments": {"query": "zzzz-settle"}})
    status = c.close()
    if status != 0:
        sys.exit(f"hindsight mcp exited {status}")
    p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
    row(n, "hindsight mcp, start to first answer", f"{first:.2f} s",
        "initialize, then search_incidents once the start-up index check is done")
    row(n, "hindsight mcp search_incidents, top 10", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
        f"{len(samples)} calls to one server, a round trip each; nothing changed, so the open index answers (target: p50 < 20 ms)")
    row(n, "hindsight mcp search_incidents after a one-file change", f"p50 {pct(changed, 50) * 1000:.0f} ms",
        "the watch on incidents/ saw the edit: every file checked, the file re-indexed, then the search")


if __name__ == "__main__":
    main()
