//! SARIF 2.1.0 output, as GitHub code scanning reads it: repo-relative URIs, stable rule
//! ids, code-point columns, `results: []` when clean so alerts close.

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Diagnostic, Level, Notice, Report};

/// Collects diagnostics and notices and writes one SARIF document at the end.
pub(super) struct Sarif<'a> {
    out: Box<dyn Write + 'a>,
    tool: &'a str,
    rules: Vec<SarifRule>,
    diags: Vec<Diagnostic>,
    notices: Vec<Notice>,
}

impl<'a> Sarif<'a> {
    pub(super) fn new(out: Box<dyn Write + 'a>, tool: &'a str, rules: Vec<SarifRule>) -> Self {
        Sarif {
            out,
            tool,
            rules,
            diags: Vec::new(),
            notices: Vec::new(),
        }
    }
}

impl Report for Sarif<'_> {
    fn diagnostic(&mut self, d: &Diagnostic) -> io::Result<()> {
        self.diags.push(d.clone());
        Ok(())
    }

    fn notice(&mut self, n: &Notice) -> io::Result<()> {
        self.notices.push(n.clone());
        Ok(())
    }

    fn finish(mut self: Box<Self>, succeeded: bool) -> io::Result<()> {
        let doc = sarif(
            self.tool,
            &self.rules,
            &self.diags,
            &self.notices,
            succeeded,
        );
        serde_json::to_writer_pretty(&mut self.out, &doc).map_err(io::Error::other)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

/// A rule as SARIF describes it.
pub struct SarifRule {
    pub id: String,
    pub short: String,
    pub full: String,
    pub help: String,
    pub level: Level,
}

/// A fingerprint that survives line moves: rule, path and the matched line's text.
fn fingerprint(d: &Diagnostic) -> String {
    let text = d
        .source_line
        .as_ref()
        .map_or("", |e| e.text.as_str())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let h = Sha256::digest(format!("{}\0{}\0{}", d.code, d.path, text).as_bytes());
    h.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The SARIF document for one run of `tool` (`check` or `lint`); `notices` become the
/// invocation's tool execution notifications.
fn sarif(
    tool: &str,
    rules: &[SarifRule],
    diags: &[Diagnostic],
    notices: &[Notice],
    succeeded: bool,
) -> Value {
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut region = json!({ "startLine": d.line.max(1) });
            if d.line > 0 && d.column > 0 {
                region["startColumn"] = json!(d.column);
                if d.end_column > d.column {
                    region["endColumn"] = json!(d.end_column);
                }
            }
            let mut r = json!({
                "ruleId": d.code,
                "level": d.level.as_str(),
                "message": { "text": d.title },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.path },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "hindsight/v1": fingerprint(d) },
            });
            if let Some(i) = rule_index(&d.code) {
                r["ruleIndex"] = json!(i);
            }
            r
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": r.level.as_str() },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "hindsight",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": { "id": format!("hindsight/{tool}/") },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": succeeded,
                "toolExecutionNotifications": notices
                    .iter()
                    .map(|n| json!({
                        "level": "note",
                        "message": { "text": n.message },
                        "associatedRule": { "id": n.rule },
                    }))
                    .collect::<Vec<_>>(),
            }],
            "results": results,
        }]
    })
}
