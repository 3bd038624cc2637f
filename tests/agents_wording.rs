//! The committed agent files say what their sources say: no lesson whose source
//! sentence says never/don't/avoid/stop reaches AGENTS.md as a plain "Do:".

use std::path::Path;

fn norm(s: &str) -> String {
    s.to_lowercase()
        .replace(['`', '*', '"', '\u{2019}'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn committed_bullets_keep_their_polarity() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let agents = std::fs::read_to_string(root.join("rules/agents/AGENTS.md")).unwrap();
    let dos: Vec<String> = agents
        .lines()
        .filter_map(|l| l.split_once("**Do:**").map(|(_, rest)| norm(rest)))
        .collect();
    assert!(!dos.is_empty(), "AGENTS.md has Do bullets to read");
    let mut read = 0;
    for e in std::fs::read_dir(root.join("rules")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let rule: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if rule.get("status").and_then(|s| s.as_str()) == Some("proposed") {
            continue;
        }
        let sources = rule
            .get("source")
            .and_then(|s| s.as_array())
            .cloned()
            .unwrap_or_default();
        for s in sources {
            let text = norm(s.get("text").and_then(|t| t.as_str()).unwrap_or(""));
            let Some(rest) = ["never ", "dont ", "don't ", "do not ", "avoid ", "stop "]
                .iter()
                .find_map(|lead| text.strip_prefix(lead))
            else {
                continue;
            };
            read += 1;
            let head: String = rest.split(' ').take(5).collect::<Vec<_>>().join(" ");
            assert!(
                rule.get("dont").is_some(),
                "{}: a negative source compiled to a Do",
                path.display()
            );
            assert!(
                !dos.iter().any(|d| d.starts_with(&head)),
                "{}: rendered as Do: {text}",
                path.display()
            );
        }
    }
    assert!(read > 0, "the bundled rules have negative lessons to check");
}
