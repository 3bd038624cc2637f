//! `hindsight mcp` spoken to over stdio, one JSON-RPC message per line, for what a real
//! MCP client never sends: malformed JSON, unknown tools and methods, bad arguments.
//! Each is a JSON-RPC error and the server goes on; stdout carries only protocol
//! messages, and closing stdin stops it cleanly. (ci/mcp/ drives it with the official
//! Python SDK for the rest.)

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

/// A knowledge base of the seed postmortems, with its rules compiled.
fn seeds() -> tempfile::TempDir {
    let kb = tempfile::tempdir().unwrap();
    let inc = kb.path().join("incidents");
    std::fs::create_dir(&inc).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    for e in std::fs::read_dir(seeds).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inc.join(e.file_name())).unwrap();
    }
    let ok = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["-q", "-C"])
        .arg(kb.path())
        .args(["rules", "--no-agents"])
        .status()
        .unwrap()
        .success();
    assert!(ok, "hindsight rules");
    kb
}

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Every line the server wrote, in order.
    seen: Vec<String>,
}

impl Server {
    fn start(kb: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("-C")
            .arg(kb)
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Server {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, msg: &Value) {
        self.send_raw(&msg.to_string());
    }

    /// The next message whose id is `id` (other messages are kept in `seen`).
    fn reply(&mut self, id: &Value) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no reply for id {id}; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            let msg: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout holds a line that is not JSON ({e}): {line}"));
            assert_eq!(msg["jsonrpc"], "2.0", "{line}");
            if &msg["id"] == id {
                return msg;
            }
        }
    }

    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.reply(&json!(id))
    }

    fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        self.request(
            id,
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
    }

    fn initialize(&mut self) -> Value {
        let r = self.request(
            0,
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "tests/mcp.rs", "version": "0"}
            }),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        r
    }

    /// Close stdin; the server must exit 0 soon after.
    fn close(mut self) {
        drop(self.stdin.take());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                // Whatever is left on stdout is still protocol messages.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    let msg: Value = serde_json::from_str(&line).unwrap();
                    assert_eq!(msg["jsonrpc"], "2.0", "{line}");
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the server did not exit after stdin was closed");
    }
}

fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected a JSON-RPC error, got {reply}"))
}

#[test]
fn protocol_errors_are_json_rpc_errors_and_the_server_goes_on() {
    let kb = seeds();
    let mut s = Server::start(kb.path());
    let init = s.initialize();
    assert_eq!(init["result"]["serverInfo"]["name"], "hindsight", "{init}");
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18", "{init}");
    assert!(
        init["result"]["capabilities"]["tools"].is_object(),
        "{init}"
    );

    // Not JSON at all: a parse error, id null.
    s.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let r = s.reply(&Value::Null);
    assert_eq!(error_code(&r), -32700, "{r}");
    s.send_raw("\u{feff}not json \u{1b}[31m");
    assert_eq!(error_code(&s.reply(&Value::Null)), -32700);

    // JSON, but not a request.
    s.send_raw("[1, 2, 3]");
    let r = s.reply(&Value::Null);
    assert_eq!(error_code(&r), -32600, "{r}");

    // An unknown method, an unknown tool.
    let r = s.request(1, "hindsight/nothing", json!({}));
    assert_eq!(error_code(&r), -32601, "{r}");
    let r = s.call(2, "drop_tables", json!({}));
    assert_eq!(error_code(&r), -32602, "{r}");

    // Arguments that do not fit the schema: each a JSON-RPC invalid-params error.
    for (id, tool, args) in [
        (3, "search_incidents", json!({})),
        (4, "search_incidents", json!({"query": 5})),
        (5, "search_incidents", json!({"query": "rsync", "limit": 0})),
        (
            6,
            "search_incidents",
            json!({"query": "rsync", "limits": 3}),
        ),
        (7, "similar_incidents", json!({})),
        (8, "similar_incidents", json!({"text": "a", "id": "b"})),
        (9, "get_incident", json!({"id": ["x"]})),
        (10, "lessons_for", json!({"paths": "scripts/deploy.sh"})),
        (11, "check", json!({"target": "."  , "stage": "prod"})),
    ] {
        let r = s.call(id, tool, args.clone());
        assert_eq!(error_code(&r), -32602, "{tool} {args}: {r}");
        assert!(
            r["error"]["message"].as_str().unwrap().contains(tool),
            "the message names the tool: {r}"
        );
    }

    // A failure the caller can act on is a tool error, not a protocol error.
    let r = s.call(20, "get_incident", json!({"id": "no-such-incident"}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("no-such-incident"), "{text}");
    let r = s.call(21, "check", json!({"target": "/no/such/folder"}));
    assert_eq!(r["result"]["isError"], true, "{r}");

    // Still serving: a real call works, with structured content and text.
    let r = s.call(30, "search_incidents", json!({"query": "rsync --delete"}));
    let hits = r["result"]["structuredContent"]["hits"].as_array().unwrap();
    assert!(hits[0]["id"].as_str().unwrap().contains("rsync"), "{r:#}");
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("rsync")
    );
    let r = s.request(31, "ping", json!({}));
    assert_eq!(r["result"], json!({}), "{r}");
    s.close();
}

#[test]
fn tools_list_every_tool_with_input_and_output_schemas() {
    let kb = seeds();
    let mut s = Server::start(kb.path());
    s.initialize();
    let r = s.request(1, "tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "check",
            "get_incident",
            "lessons_for",
            "search_incidents",
            "similar_incidents"
        ]
    );
    for t in tools {
        for key in ["inputSchema", "outputSchema"] {
            assert_eq!(t[key]["type"], "object", "{key} of {t:#}");
            assert!(t[key]["properties"].is_object(), "{key} of {t:#}");
        }
        assert_eq!(t["annotations"]["readOnlyHint"], true, "{t:#}");
    }
    let search = tools
        .iter()
        .find(|t| t["name"] == "search_incidents")
        .unwrap();
    assert_eq!(search["inputSchema"]["required"], json!(["query"]));
    assert!(search["outputSchema"]["properties"]["hits"].is_object());
    s.close();
}

#[test]
fn closing_stdin_before_initialize_exits_cleanly() {
    let kb = seeds();
    let s = Server::start(kb.path());
    s.close();
}

#[test]
fn a_root_without_incidents_is_an_error_before_serving() {
    let d = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("-C")
        .arg(d.path())
        .arg("mcp")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("incidents"), "{err}");
}

/// The server keeps its index open between calls; an edit, a new postmortem and a
/// removed one are each seen by the very next call.
#[test]
fn changes_to_postmortems_are_seen_by_the_next_call() {
    let kb = seeds();
    let mut s = Server::start(kb.path());
    s.initialize();
    let hits = |r: &Value| {
        r["result"]["structuredContent"]["hits"]
            .as_array()
            .unwrap()
            .clone()
    };
    let r = s.call(1, "search_incidents", json!({"query": "wombatfirmware"}));
    assert!(hits(&r).is_empty(), "{r}");

    let edited = kb
        .path()
        .join("incidents/2025-08-15-server-crash-loop-code-desync.md");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\n\nAddendum: the wombatfirmware rollout.\n");
    std::fs::write(&edited, text).unwrap();
    let r = s.call(2, "search_incidents", json!({"query": "wombatfirmware"}));
    let found = hits(&r);
    assert_eq!(found.len(), 1, "{r}");
    assert_eq!(found[0]["id"], "2025-08-15-server-crash-loop-code-desync");

    let new = kb.path().join("incidents/2026-03-01-quokka-outage.md");
    std::fs::write(
        &new,
        "# Quokka outage\n\n## Summary\nThe quokkafirmware push failed.\n",
    )
    .unwrap();
    let r = s.call(3, "get_incident", json!({"id": "2026-03-01-quokka-outage"}));
    assert_eq!(r["result"]["isError"], false, "{r}");
    assert_eq!(
        r["result"]["structuredContent"]["incident"]["title"],
        "Quokka outage"
    );

    std::fs::remove_file(&new).unwrap();
    let r = s.call(4, "get_incident", json!({"id": "2026-03-01-quokka-outage"}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let r = s.call(5, "search_incidents", json!({"query": "quokkafirmware"}));
    assert!(hits(&r).is_empty(), "{r}");
    s.close();
}
