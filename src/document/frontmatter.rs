//! Front matter: a YAML (`---`) or TOML (`+++`) block at the top of a postmortem.

use serde_json::{Map, Value};

/// Front matter split from its document.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// The fields, as JSON values (YAML and TOML both map onto them).
    pub fields: Map<String, Value>,
    /// Byte length of the block, delimiters included: where the markdown body starts.
    pub len: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
    /// Why the block could not be read, if it could not (the body is still parsed).
    pub error: Option<String>,
}

impl FrontMatter {
    /// The first of `keys` that holds a string (or a scalar, stringified).
    pub fn text(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| match self.get(k)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    /// The first of `keys` that holds a list of strings (a lone string counts, and a
    /// comma-separated one is split).
    pub fn list(&self, keys: &[&str]) -> Vec<String> {
        for k in keys {
            match self.get(k) {
                Some(Value::Array(items)) => {
                    return items
                        .iter()
                        .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                        .filter(|s| !s.is_empty())
                        .collect();
                }
                Some(Value::String(s)) => {
                    return s
                        .split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect();
                }
                _ => {}
            }
        }
        Vec::new()
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

/// Deepest nesting front matter may have; real ones are two or three levels deep.
const MAX_NESTING: usize = 64;

/// An upper bound on how deep `raw` (YAML or TOML) nests: open brackets, plus the
/// indentation levels and `- ` sequence markers that stack up to a line.
fn nesting(raw: &str) -> usize {
    let mut deepest = 0;
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    for line in raw.lines() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        while indents.last().is_some_and(|&i| i >= indent) {
            indents.pop();
        }
        indents.push(indent);
        let dashes = body
            .split(' ')
            .take_while(|t| *t == "-" || t.is_empty())
            .filter(|t| !t.is_empty())
            .count();
        let mut quote = None;
        for c in body.chars() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(flow + indents.len() + dashes);
        }
        deepest = deepest.max(flow + indents.len() + dashes);
    }
    deepest
}

/// Split front matter off the start of `text`, if there is a well-formed block.
pub fn split(text: &str) -> FrontMatter {
    let (open, yaml) = if text.starts_with("---") {
        ("---", true)
    } else if text.starts_with("+++") {
        ("+++", false)
    } else {
        return FrontMatter::default();
    };
    let first_eol = match text.find('\n') {
        Some(i) if text[open.len()..i].trim().is_empty() => i + 1,
        _ => return FrontMatter::default(),
    };
    // Find the closing delimiter on a line of its own.
    let mut pos = first_eol;
    let mut end = None;
    for line in text[first_eol..].split_inclusive('\n') {
        if line.trim_end() == open || (yaml && line.trim_end() == "...") {
            end = Some((pos, pos + line.len()));
            break;
        }
        pos += line.len();
    }
    let Some((body_end, block_end)) = end else {
        return FrontMatter::default();
    };
    let raw = &text[first_eol..body_end];
    let parsed: Result<Value, String> = if nesting(raw) > MAX_NESTING {
        // The parsers take time (and stack) with the depth: 100,000 levels took 41 s.
        Err(format!("nested more than {MAX_NESTING} levels deep"))
    } else if yaml {
        serde_yaml_ng::from_str::<Value>(raw).map_err(|e| e.to_string())
    } else {
        toml::from_str::<toml::Table>(raw)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::to_value(t).map_err(|e| e.to_string()))
    };
    let body_line = text[..block_end].matches('\n').count() + 1;
    match parsed {
        Ok(Value::Object(fields)) => FrontMatter {
            fields,
            len: block_end,
            body_line,
            error: None,
        },
        Ok(Value::Null) => FrontMatter {
            len: block_end,
            body_line,
            ..FrontMatter::default()
        },
        Ok(_) => FrontMatter {
            len: block_end,
            body_line,
            error: Some("front matter is not a key/value map".into()),
            ..FrontMatter::default()
        },
        Err(e) => FrontMatter {
            len: block_end,
            body_line,
            error: Some(e),
            ..FrontMatter::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml() {
        let fm = split("---\ntitle: Outage\ntags: [dns, tls]\n---\n# Body\n");
        assert_eq!(fm.text(&["title"]).as_deref(), Some("Outage"));
        assert_eq!(fm.list(&["tags"]), ["dns", "tls"]);
        assert_eq!(fm.body_line, 5);
        let fm = split("+++\ntitle = \"Crates\"\n+++\nBody");
        assert_eq!(fm.text(&["TITLE"]).as_deref(), Some("Crates"));
        assert_eq!(fm.len, 25);
    }

    #[test]
    fn broken_or_absent() {
        let fm = split("---\ntitle: [unclosed\n---\nBody");
        assert!(fm.error.is_some());
        assert!(fm.len > 0, "the block is still skipped");
        assert_eq!(split("--- not front matter\n").len, 0);
        assert_eq!(split("---\nno closing line").len, 0);
        assert_eq!(split("# Title\n---\n").len, 0);
    }

    /// Deep nesting is refused before a parser sees it, and counted whichever way it
    /// is written; ordinary front matter is not near the limit.
    #[test]
    fn deep_nesting_is_refused() {
        for deep in [
            format!(
                "---\na: {}{}\n---\n# T\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            format!("---\n{}x\n---\n# T\n", "- ".repeat(5_000)),
            format!(
                "+++\na = {}1{}\n+++\n# T\n",
                "[".repeat(500),
                "]".repeat(500)
            ),
        ] {
            let fm = split(&deep);
            assert!(
                fm.error
                    .as_deref()
                    .is_some_and(|e| e.contains("levels deep")),
                "{:?}",
                fm.error
            );
            assert!(fm.len > 0);
        }
        let ok = split("---\ntitle: \"[x] {y}\"\nimpact:\n  users:\n    - a: [1, {b: 2}]\n---\n");
        assert_eq!(ok.error, None);
        assert!(nesting("a:\n  b:\n    c: [1, [2]]\n") < 8);
    }
}
