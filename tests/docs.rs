//! Completions and the man page come from the same model as the parser: every command
//! is in them, and --version names the revision.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_and_man_page_list_every_command() {
    let commands = [
        "build", "fix", "parse", "rules", "check", "lint", "new", "search", "similar", "export",
        "serve", "mcp",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run(&["completions", shell]);
        for c in commands {
            assert!(script.contains(c), "{shell} completions lack {c}");
        }
    }
    let man = run(&["man"]);
    assert!(man.contains(".TH hindsight 1"));
    for c in commands {
        assert!(
            man.contains(&format!("hindsight\\-{c}")) || man.contains(c),
            "man page lacks {c}"
        );
    }
}

#[test]
fn version_names_the_revision() {
    let v = run(&["--version"]);
    assert!(
        v.starts_with(&format!("hindsight {} (", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(v.trim_end().ends_with(')'), "{v}");
}
