//! Severity and status, normalised from the many ways postmortems state them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad an incident was, as the record states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    /// Most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// A sortable digit: critical 4 ... low 1 (0 is left for "not stated").
    pub fn rank(self) -> u8 {
        4 - self as u8
    }

    /// The severity named exactly (`critical`, ...), as the record writes it.
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Resolved,
    Recovering,
    Investigating,
    Open,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Resolved,
        Status::Recovering,
        Status::Investigating,
        Status::Open,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Resolved => "resolved",
            Status::Recovering => "recovering",
            Status::Investigating => "investigating",
            Status::Open => "open",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `critical`, `high`, `medium` or `low` from `SEV-1`, `P0`, `CRITICAL`, `Priority: HIGH`...
pub fn severity(s: &str) -> Option<Severity> {
    let re = regex!(r"(?i)\b(?:sev(?:erity)?|s)[-\s]?([0-5])\b|\bp([0-5])\b");
    if let Some(c) = re.captures(s) {
        let n: u32 = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|m| m.as_str().parse().ok())?;
        return Some(match n {
            0 | 1 => Severity::Critical,
            2 => Severity::High,
            3 => Severity::Medium,
            _ => Severity::Low,
        });
    }
    let l = s.to_ascii_lowercase();
    let words: Vec<&str> = l.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let has = |w: &str| words.contains(&w);
    if l.contains("non-critical") || l.contains("not critical") {
        return None;
    }
    if has("critical") || has("blocker") || has("emergency") || has("catastrophic") {
        Some(Severity::Critical)
    } else if has("high") || has("major") || has("severe") {
        Some(Severity::High)
    } else if has("medium") || has("moderate") || has("normal") {
        Some(Severity::Medium)
    } else if has("low") || has("minor") || has("trivial") {
        Some(Severity::Low)
    } else {
        None
    }
}

/// A level stated outright in a title or heading: `SEV-1`, `P0`, `Sev 2`, or a level word
/// written in capitals as a label (`🚨 CRITICAL INCIDENT`). Prose ("critical gaps in
/// our process", "a major outage") states no level.
pub(super) fn stated_severity(s: &str) -> Option<Severity> {
    let re = regex!(r"(?i)\b(?:sev(?:erity)?|s)[-\s]?[0-5]\b|\bp[0-5]\b");
    if re.is_match(s) {
        return severity(s);
    }
    let capitals = regex!(r"\b(?:CRITICAL|HIGH|MEDIUM|LOW|MAJOR|MINOR)\b");
    let shouted = s
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| !c.is_lowercase());
    if capitals.is_match(s) && shouted {
        return severity(s);
    }
    None
}

/// `resolved`, `recovering`, `investigating` or `open`.
pub fn status(s: &str) -> Option<Status> {
    let l = s.to_ascii_lowercase();
    let words: Vec<&str> = l.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let has = |w: &str| words.contains(&w);
    if has("unresolved") || l.contains("not resolved") {
        return Some(Status::Open);
    }
    if has("resolved")
        || has("fixed")
        || has("closed")
        || has("done")
        || has("completed")
        || has("restored")
    {
        Some(Status::Resolved)
    } else if has("recovering") || has("mitigated") || has("monitoring") || has("degraded") {
        Some(Status::Recovering)
    } else if has("investigating") || has("identified") || has("triage") || has("triaging") {
        Some(Status::Investigating)
    } else if has("open")
        || has("ongoing")
        || has("active")
        || has("offline")
        || has("down")
        || has("waiting")
    {
        Some(Status::Open)
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
            assert_eq!(severity(s).map(Severity::as_str), want, "{s}");
        }
        assert_eq!(
            stated_severity("🚨 CRITICAL INCIDENT"),
            Some(Severity::Critical)
        );
        assert_eq!(
            stated_severity("SEV-2: checkout errors"),
            Some(Severity::High)
        );
        for prose in [
            "Critical gaps in our process",
            "A major outage of the API",
            "Complete backend service outage (502 Bad Gateway errors)",
        ] {
            assert_eq!(stated_severity(prose), None, "{prose}");
        }
        assert_eq!(Severity::Critical.rank(), 4);
        assert_eq!(Severity::Low.rank(), 1);
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
            assert_eq!(status(s).map(Status::as_str), want, "{s}");
        }
    }
}
