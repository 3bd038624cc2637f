//! Signals found anywhere in a postmortem's text: error strings (symptoms), shell
//! commands, and tags for technologies and kinds of failure.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;

/// Error strings as they appear in logs and status pages: errno names, HTTP errors,
/// crash signatures.
pub(super) fn error_strings(text: &str) -> Vec<String> {
    let re = regex!(concat!(
        r"\bE(?:ADDRINUSE|CONNREFUSED|CONNRESET|TIMEDOUT|NOSPC|ACCES|PERM|NOENT|MFILE|PIPE|HOSTUNREACH|NOTFOUND|AI_AGAIN)\b",
        r"|\b[45]\d\d (?:Bad Gateway|Service Unavailable|Server Unavailable|Gateway Timeout|Internal Server Error|Not Found|Forbidden|Unauthorized|Too Many Requests|Bad Request)\b",
        r"|\b(?:Cannot find module|Connection refused|Address already in use|Out of memory|OOMKilled|CrashLoopBackOff|ImagePullBackOff|Segmentation fault|SyntaxError|status=\d+/FAILURE|WRONGPASS|Permission denied|No space left on device|certificate has expired|too many open files|deadlock detected)\b"
    ));
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for m in re.find_iter(text) {
        let s = m.as_str().to_string();
        if seen.insert(s.to_ascii_lowercase()) {
            out.push(s);
        }
    }
    out
}

/// Commands that start a shell line people paste into postmortems.
const COMMAND_WORDS: &[&str] = &[
    "git",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "pm2",
    "systemctl",
    "journalctl",
    "sudo",
    "rsync",
    "scp",
    "ssh",
    "curl",
    "wget",
    "ls",
    "cat",
    "rm",
    "cp",
    "mv",
    "mkdir",
    "chmod",
    "chown",
    "cd",
    "docker",
    "kubectl",
    "helm",
    "terraform",
    "ansible",
    "wrangler",
    "gh",
    "make",
    "cargo",
    "pip",
    "python",
    "python3",
    "node",
    "service",
    "nginx",
    "psql",
    "mysql",
    "redis-cli",
    "aws",
    "gcloud",
    "az",
    "tar",
    "find",
    "grep",
    "kill",
    "pkill",
    "crontab",
    "apt",
    "apt-get",
    "yum",
    "brew",
    "go",
    "deno",
    "bun",
    "vercel",
    "netlify",
    "heroku",
    "flyctl",
    "certbot",
    "openssl",
    "dig",
];

/// True when `line` reads as a shell command.
pub fn is_command(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    let first = first.rsplit('/').next().unwrap_or(first);
    COMMAND_WORDS.contains(&first) || (first.starts_with("./") && first.len() > 2)
}

/// True for a code block language that holds shell (or no language at all).
pub(super) fn is_shell(lang: &str) -> bool {
    matches!(
        lang,
        "bash" | "sh" | "shell" | "console" | "zsh" | "shell-session" | ""
    )
}

/// Shell commands in a code block: one per line, prompts and comments removed.
pub(super) fn commands_in_code(lang: &str, code: &str) -> Vec<String> {
    if !is_shell(lang) {
        return Vec::new();
    }
    code.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("$ ")
                .trim_start_matches("# ")
                .trim()
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !lang.is_empty() || is_command(l))
        .filter(|l| is_command(l) || l.contains(" && ") || l.starts_with("./"))
        .map(str::to_string)
        .collect()
}

/// Commands written as inline code in prose: `` `pm2 delete all` ``.
pub(super) fn commands_inline(text: &str) -> Vec<String> {
    let re = regex!(r"`([^`\n]{2,200})`");
    re.captures_iter(text)
        .map(|c| c[1].trim().to_string())
        .filter(|c| c.contains(' ') && is_command(c))
        .collect()
}

/// (tag, pattern) for technologies and failure kinds. Patterns are case-insensitive.
const TAGS: &[(&str, &str)] = &[
    ("systemd", r"\bsystemd\b|\bsystemctl\b|\bjournalctl\b"),
    ("pm2", r"\bpm2\b"),
    ("rsync", r"\brsync\b"),
    ("git", r"\bgit\b"),
    ("github", r"\bgithub\b"),
    ("npm", r"\bnpm\b|\bnpx\b"),
    ("node", r"\bnode(?:\.js|js)?\b"),
    ("typescript", r"\btypescript\b"),
    ("docker", r"\bdocker\b|\bcontainer image\b"),
    ("kubernetes", r"\bkubernetes\b|\bk8s\b|\bkubectl\b"),
    ("nginx", r"\bnginx\b"),
    ("redis", r"\bredis\b"),
    ("postgres", r"\bpostgres(?:ql)?\b"),
    ("mysql", r"\bmysql\b"),
    ("mongodb", r"\bmongo(?:db)?\b"),
    ("elasticsearch", r"\belasticsearch\b"),
    ("kafka", r"\bkafka\b"),
    ("aws", r"\baws\b|\bamazon web services\b|\bs3\b|\bec2\b"),
    ("azure", r"\bazure\b"),
    ("gcp", r"\bgcp\b|\bgoogle cloud\b"),
    ("cloudflare", r"\bcloudflare\b|\bwrangler\b"),
    ("terraform", r"\bterraform\b"),
    ("dns", r"\bdns\b"),
    ("tls", r"\btls\b|\bssl\b|\bcertificate\b"),
    ("cdn", r"\bcdn\b"),
    ("bgp", r"\bbgp\b"),
    ("database", r"\bdatabase\b"),
    (
        "ci",
        r"\bci/cd\b|\bgithub actions\b|\bci pipeline\b|\bjenkins\b",
    ),
    ("vite", r"\bvite\b"),
    ("deploy", r"\bdeploy(?:ed|ment|ing|s)?\b"),
    ("outage", r"\boutage\b|\bdowntime\b|\bwent down\b"),
    // Data that is gone, not any "deleted" (a deleted branch, pod or key loses nothing).
    (
        "data-loss",
        concat!(
            r"\bdata loss\b|\bloss of (?:\w+ )?(?:data|records|files|messages|emails|uploads|attachments)\b",
            r"|\blost (?:\w+ ){0,4}(?:data|records|files|rows|messages|emails|uploads|attachments|commits)\b",
            r"|\b(?:data|records|files|rows|attachments|uploads|commits) (?:was|were|had been|have been) (?:permanently )?(?:lost|wiped|destroyed|erased|deleted)\b",
            r"|\bwiped\b|\bunrecoverabl|\birrecoverabl"
        ),
    ),
    (
        "crash-loop",
        r"\bcrash(?:-restart)? loop\b|\brestart loop\b|\bcrashloopbackoff\b|\brestarting constantly\b",
    ),
    (
        "port-conflict",
        r"\beaddrinuse\b|\baddress already in use\b",
    ),
    (
        "config",
        r"\bconfig(?:uration)? (?:error|change|mistake)\b|\bmisconfigur",
    ),
    (
        "server-drift",
        r"\bserver drift\b|\bon-server edits?\b|\buncommitted\b|\blocal changes\b",
    ),
    ("rollback", r"\broll(?:ed)? ?back\b|\brevert(?:ed)?\b"),
    (
        "missing-file",
        r"\bmissing\b[^.\n]{0,40}\bfile\b|\bfile\b[^.\n]{0,20}\bmissing\b|\bcannot find module\b",
    ),
    ("timeout", r"\btime[ds]? ?out\b"),
    ("memory", r"\bout of memory\b|\boom\b|\bmemory leak\b"),
    (
        "disk",
        r"\bdisk (?:full|space)\b|\benospc\b|\bno space left\b",
    ),
    (
        "security",
        r"\bcompromise[ds]?\b|\bphish(?:ing)?\b|\bvulnerabilit|\bmalware\b|\bcve-\d",
    ),
    (
        "testing",
        r"\bwithout (?:local )?testing\b|\bdid not test\b|\bnot tested\b",
    ),
];

/// Tags found in `text`, in table order.
pub(super) fn tags(text: &str) -> Vec<String> {
    static RES: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        TAGS.iter()
            .map(|(t, p)| (*t, Regex::new(&format!("(?i){p}")).expect("regex")))
            .collect()
    });
    res.iter()
        .filter(|(_, re)| re.find_iter(text).any(|m| !negated(&text[..m.start()])))
        .map(|(t, _)| t.to_string())
        .collect()
}

/// True when the text before a match ends in a negation: "no data loss", "without
/// downtime" say the opposite of the tag.
fn negated(before: &str) -> bool {
    let tail: String = before
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    let words: Vec<&str> = tail.split_whitespace().collect();
    before.ends_with(char::is_whitespace)
        && words
            .last()
            .is_some_and(|w| matches!(*w, "no" | "without" | "not" | "zero" | "never"))
}

/// Characters a slug keeps: ids and tags name files, and file names are short.
pub(super) const SLUG_CHARS: usize = 100;

/// A tag as a lower-case slug: `Power Loss` -> `power-loss`, at most `SLUG_CHARS`
/// characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut kept = 0;
    for c in s.trim().chars() {
        if kept >= SLUG_CHARS {
            break;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        } else {
            continue;
        }
        kept += 1;
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors() {
        let t = "bind failed: EADDRINUSE; then 502 Bad Gateway and ECONNREFUSED, EADDRINUSE again";
        assert_eq!(
            error_strings(t),
            ["EADDRINUSE", "502 Bad Gateway", "ECONNREFUSED"]
        );
        assert!(error_strings("EADDRINUSEX and E404").is_empty());
    }

    #[test]
    fn commands() {
        let code = "# Step 1\ngit revert HEAD --no-edit\n$ git push origin main\n\n# Azure Portal → Restart\n";
        assert_eq!(
            commands_in_code("bash", code),
            ["git revert HEAD --no-edit", "git push origin main"]
        );
        assert!(commands_in_code("json", "{\"a\": 1}").is_empty());
        assert_eq!(
            commands_inline("ran `pm2 delete all` and `systemd`"),
            ["pm2 delete all"]
        );
    }

    #[test]
    fn tagging() {
        let t = tags("PM2 and systemd fought over port 3000 (EADDRINUSE) after the deploy");
        assert_eq!(t, ["systemd", "pm2", "deploy", "port-conflict"]);
        assert!(tags("We deleted the stale branch and the old pods.").is_empty());
        assert_eq!(tags("The job wiped every attachment"), ["data-loss"]);
        assert_eq!(
            tags("Restored from backups; we lost two hours of uploads"),
            ["data-loss"]
        );
        assert!(
            tags("The outage was resolved with no data loss.")
                .iter()
                .all(|t| t != "data-loss")
        );
        assert_eq!(slug("Power Loss / Lock Service"), "power-loss-lock-service");
        assert!(slug(&"ab ".repeat(1000)).chars().count() <= SLUG_CHARS);
        assert_eq!(slug(&"!".repeat(500)), "");
    }
}
