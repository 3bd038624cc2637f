#!/usr/bin/env python3
"""`hindsight mcp` driven by a real MCP client: the official Python SDK (`mcp`).

usage: test_mcp.py HINDSIGHT REPO_ROOT

Builds two knowledge bases in a temporary folder, with their rules compiled by
`hindsight rules`: the seed postmortems (incidents/), and the seeds plus the postmortem
of one replay fixture (tests/gold/docs/). Against the seeds it checks the tools are
listed with their schemas, a paraphrase and a described plan find the right incident
first, `lessons_for` knows the rsync lesson, an unknown id is a tool error, resources
list and read, the prompt renders, ping answers; against the second, that `check`
flags the fixture's broken twin and passes its fixed one. The SDK validates every
structured result against the tool's output schema. Each session ends by closing
stdin, and the server must then exit 0 on its own.
"""
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

RSYNC = "2025-10-16-fluxstudio-rsync-delete-outage"
PM2 = "2025-08-15-pm2-systemd-process-manager-conflict"
FIXTURE = "route-planner-latest-tag"
TOOLS = {"search_incidents", "similar_incidents", "get_incident", "lessons_for", "check"}

failures = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def knowledge_base(exe, root, work, name, extra=()):
    kb = work / name
    (kb / "incidents").mkdir(parents=True)
    for f in sorted((root / "incidents").iterdir()):
        shutil.copy(f, kb / "incidents" / f.name)
    for f in extra:
        shutil.copy(f, kb / "incidents" / f.name)
    subprocess.run([exe, "-q", "-C", str(kb), "rules", "--no-agents"], check=True)
    return kb


def ids(hits):
    return [h["id"] for h in hits]


class Server:
    """One session with `hindsight -C KB mcp`; the process's exit status is checked."""

    def __init__(self, exe, kb, errlog):
        self.params = StdioServerParameters(command=exe, args=["-C", str(kb), "mcp"])
        self.errlog = errlog

    async def __aenter__(self):
        self._client = stdio_client(self.params, errlog=self.errlog)
        read, write = await self._client.__aenter__()
        self._session = ClientSession(read, write)
        return await self._session.__aenter__()

    async def __aexit__(self, *exc):
        # Closed as on success even when a check raised, so the SDK closes the server's
        # stdin and waits for it to exit; the exception goes on afterwards.
        await self._session.__aexit__(None, None, None)
        await self._client.__aexit__(None, None, None)
        return False


async def seeds_session(exe, kb, errlog):
    async with Server(exe, kb, errlog) as s:
        init = await s.initialize()
        expect(init.server_info.name == "hindsight", f"initialize: server is hindsight ({init.server_info.name})")
        expect(init.capabilities.tools is not None and init.capabilities.resources is not None,
               "initialize: tools and resources capabilities")
        print(f"     negotiated protocol {init.protocol_version}")

        await s.send_ping()
        expect(True, "ping answered")

        tools = (await s.list_tools()).tools
        by_name = {t.name: t for t in tools}
        expect(set(by_name) == TOOLS, f"tools/list: the five tools ({sorted(by_name)})")
        for t in tools:
            expect(t.input_schema.get("type") == "object" and "properties" in t.input_schema,
                   f"{t.name}: input schema")
            expect(bool(t.output_schema) and t.output_schema.get("type") == "object",
                   f"{t.name}: output schema")
            expect(bool(t.description), f"{t.name}: description")

        r = await s.call_tool("search_incidents", {"query": "deploy script deleted the backend files"})
        hits = r.structured_content["hits"]
        expect(not r.is_error and hits and hits[0]["id"] == RSYNC,
               f"search_incidents: the paraphrase finds the rsync incident first ({ids(hits)})")
        expect(r.content and r.content[0].type == "text" and RSYNC in r.content[0].text,
               "search_incidents: a text rendering beside the structured result")

        plan = "restart the node app with pm2 on the box where systemd runs it"
        r = await s.call_tool("similar_incidents", {"text": plan})
        results = r.structured_content["results"]
        expect(not r.is_error and results and results[0]["id"] == PM2,
               f"similar_incidents: the plan finds the pm2/systemd incident first ({ids(results)})")
        expect(results and "pm2" in results[0]["shared"], "similar_incidents: pm2 is among the shared words")
        r = await s.call_tool("search_incidents", {"query": plan})
        hits = r.structured_content["hits"]
        expect(hits and hits[0]["id"] == PM2, f"search_incidents: the plan finds the pm2/systemd incident first ({ids(hits)})")
        r = await s.call_tool("similar_incidents", {"id": RSYNC, "limit": 2})
        expect(not r.is_error and RSYNC not in ids(r.structured_content["results"]),
               "similar_incidents by id: the incident itself is not among them")

        r = await s.call_tool("lessons_for", {"paths": ["scripts/deploy.sh"]})
        lessons = r.structured_content["lessons"]
        rsync = [l for l in lessons if l["rule"] == "no-rsync-delete"]
        expect(bool(rsync), f"lessons_for scripts/deploy.sh: the rsync lesson ({[l['rule'] for l in lessons]})")
        if rsync:
            expect(rsync[0]["guarded"] and RSYNC in rsync[0]["incidents"], "lessons_for: guarded, learned from the rsync incident")
        r = await s.call_tool("lessons_for", {"paths": ["README.md"]})
        expect("no-rsync-delete" not in [l["rule"] for l in r.structured_content["lessons"]],
               "lessons_for README.md: not the rsync lesson")
        r = await s.call_tool("lessons_for", {"paths": [], "text": "then `rsync -av --delete dist/ prod:/srv/app`"})
        expect("no-rsync-delete" in [l["rule"] for l in r.structured_content["lessons"]],
               "lessons_for a diff that runs rsync --delete: the rsync lesson")

        r = await s.call_tool("get_incident", {"id": RSYNC})
        inc = r.structured_content["incident"]
        expect(not r.is_error and inc["id"] == RSYNC and inc["lessons"], "get_incident: the record")
        md = r.structured_content["markdown"]
        expect("rsync --delete" in md and "\u201a\u00c4\u00f4" not in md and "‚úÖ" not in md,
               "get_incident: the repaired markdown")
        r = await s.call_tool("get_incident", {"id": "no-such-incident"})
        expect(r.is_error and "no-such-incident" in r.content[0].text, "get_incident: an unknown id is a tool error")

        try:
            await s.call_tool("drop_tables", {})
            expect(False, "an unknown tool is a JSON-RPC error")
        except MCPError as e:
            expect(True, f"an unknown tool is a JSON-RPC error ({e.code})")
        try:
            await s.call_tool("search_incidents", {"query": 3})
            expect(False, "bad arguments are a JSON-RPC error")
        except MCPError as e:
            expect(e.code == -32602, f"bad arguments are a JSON-RPC error ({e.code})")

        res = (await s.list_resources()).resources
        uris = {str(x.uri) for x in res}
        expect(len(res) == len(list((kb / "incidents").iterdir())) and f"hindsight://incident/{RSYNC}" in uris,
               f"resources/list: every incident ({len(res)})")
        templates = (await s.list_resource_templates()).resource_templates
        expect(any(t.uri_template == "hindsight://incident/{id}" for t in templates), "resources/templates/list")
        read = await s.read_resource(f"hindsight://incident/{PM2}")
        expect(read.contents and "pm2" in read.contents[0].text.lower() and read.contents[0].mime_type == "text/markdown",
               "resources/read: the postmortem as markdown")
        try:
            await s.read_resource("hindsight://incident/nope")
            expect(False, "resources/read of an unknown incident is an error")
        except MCPError as e:
            expect(True, f"resources/read of an unknown incident is an error ({e.code})")

        prompts = (await s.list_prompts()).prompts
        expect([p.name for p in prompts] == ["pre_deploy_review"], "prompts/list: pre_deploy_review")
        p = await s.get_prompt("pre_deploy_review", {"paths": "scripts/deploy.sh, package.json", "target": "dist"})
        text = p.messages[0].content.text
        expect("rsync --delete" in text and "check" in text, "prompts/get: the review names the rsync lesson and check")


async def fixture_session(exe, kb, root, work, errlog):
    twins = {}
    for twin in ("broken", "fixed"):
        dest = work / f"{FIXTURE}-{twin}"
        shutil.copytree(root / "tests" / "replay" / FIXTURE / twin, dest)
        twins[twin] = dest
    async with Server(exe, kb, errlog) as s:
        await s.initialize()
        r = await s.call_tool("check", {"target": str(twins["broken"]), "stage": "deploy"})
        found = [f for f in r.structured_content["findings"] if not f.get("skipped")]
        expect(not r.is_error and r.structured_content["failed"] and any(FIXTURE in f["incidents"] for f in found),
               f"check on the broken twin: findings citing {FIXTURE} ({[(f['rule'], f['path']) for f in found]})")
        cli = subprocess.run([exe, "-C", str(kb), "check", str(twins["broken"]), "--stage", "deploy", "--format", "json"],
                             capture_output=True, text=True)
        import json
        expect(json.loads(cli.stdout) == r.structured_content["findings"],
               "check: the same findings as `hindsight check --format json`")
        r = await s.call_tool("check", {"target": str(twins["fixed"]), "stage": "deploy"})
        expect(not r.is_error and not r.structured_content["failed"], "check on the fixed twin: passes")
        r = await s.call_tool("check", {"target": str(twins["broken"] / "k8s" / "deployment.yaml")})
        expect(r.is_error and "not a folder" in r.content[0].text, "check on a file: a tool error")


async def main():
    exe, root = sys.argv[1], Path(sys.argv[2]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = knowledge_base(exe, root, work, "seeds")
        fixture = knowledge_base(exe, root, work, "fixture", [root / "tests" / "gold" / "docs" / f"{FIXTURE}.md"])
        with open(work / "server.log", "w") as errlog:
            await seeds_session(exe, seeds, errlog)
            await fixture_session(exe, fixture, root, work, errlog)
        log = (work / "server.log").read_text()
        expect("panic" not in log, "no panic on the server's stderr")
        # The knowledge base folders hold only what was copied in, rules/ and .hindsight/.
        for kb in (seeds, fixture):
            names = sorted(p.name for p in kb.iterdir())
            expect(names == [".hindsight", "incidents", "rules"], f"{kb.name}: nothing written outside .hindsight/ ({names})")
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("mcp: all checks passed")


if __name__ == "__main__":
    asyncio.run(main())
