//! Severity and status, normalised from the many ways postmortems state them.

use std::sync::OnceLock;

use regex::Regex;

/// `critical`, `high`, `medium` or `low` from `SEV-1`, `P0`, `CRITICAL`, `Priority: HIGH`...
pub fn severity(s: &str) -> Option<&'static str> {
    static SEV: OnceLock<Regex> = OnceLock::new();
    let re = SEV.get_or_init(|| {
        Regex::new(r"(?i)\b(?:sev(?:erity)?|s)[-\s]?([0-5])\b|\bp([0-5])\b").expect("regex")
    });
    if let Some(c) = re.captures(s) {
        let n: u32 = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|m| m.as_str().parse().ok())?;
        return Some(match n {
            0 | 1 => "critical",
            2 => "high",
            3 => "medium",
            _ => "low",
        });
    }
    let l = s.to_ascii_lowercase();
    let words: Vec<&str> = l.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let has = |w: &str| words.contains(&w);
    if l.contains("non-critical") || l.contains("not critical") {
        return None;
    }
    if has("critical") || has("blocker") || has("emergency") || has("catastrophic") {
        Some("critical")
    } else if has("high") || has("major") || has("severe") {
        Some("high")
    } else if has("medium") || has("moderate") || has("normal") {
        Some("medium")
    } else if has("low") || has("minor") || has("trivial") {
        Some("low")
    } else {
        None
    }
}

/// Outage language that makes an unrated incident critical.
pub fn outage_severity(s: &str) -> Option<&'static str> {
    let l = s.to_ascii_lowercase();
    const PHRASES: [&str; 10] = [
        "complete outage",
        "service outage",
        "production down",
        "production completely offline",
        "completely offline",
        "complete site outage",
        "site down",
        "site completely offline",
        "entire production application was down",
        "all services down",
    ];
    PHRASES.iter().any(|p| l.contains(p)).then_some("critical")
}

/// `resolved`, `recovering`, `investigating` or `open`.
pub fn status(s: &str) -> Option<&'static str> {
    let l = s.to_ascii_lowercase();
    let words: Vec<&str> = l.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let has = |w: &str| words.contains(&w);
    if has("unresolved") || l.contains("not resolved") {
        return Some("open");
    }
    if has("resolved")
        || has("fixed")
        || has("closed")
        || has("done")
        || has("completed")
        || has("restored")
    {
        Some("resolved")
    } else if has("recovering") || has("mitigated") || has("monitoring") || has("degraded") {
        Some("recovering")
    } else if has("investigating") || has("identified") || has("triage") || has("triaging") {
        Some("investigating")
    } else if has("open")
        || has("ongoing")
        || has("active")
        || has("offline")
        || has("down")
        || has("waiting")
    {
        Some("open")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities() {
        for (s, want) in [
            ("CRITICAL", Some("critical")),
            ("SEV-1", Some("critical")),
            ("sev2", Some("high")),
            ("P0", Some("critical")),
            ("Priority: HIGH", Some("high")),
            ("Low (system works without Redis cache)", Some("low")),
            ("Minor Issues Identified (Non-Critical)", None),
            ("P3", Some("medium")),
            ("soon", None),
        ] {
            assert_eq!(severity(s), want, "{s}");
        }
        assert_eq!(
            outage_severity("Complete backend service outage (502 Bad Gateway errors)"),
            Some("critical")
        );
    }

    #[test]
    fn statuses() {
        for (s, want) in [
            ("✅ RESOLVED", Some("resolved")),
            ("⚠️ RECOVERING", Some("recovering")),
            ("Production completely offline (404)", Some("open")),
            ("WAITING FOR ROLLBACK", Some("open")),
            ("Investigating", Some("investigating")),
            ("unresolved", Some("open")),
            ("draft", None),
        ] {
            assert_eq!(status(s), want, "{s}");
        }
    }
}
