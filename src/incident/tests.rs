use super::*;
use crate::ingest;

/// The bundled seed postmortems, parsed as `hindsight parse` would.
fn seed(name: &str) -> Incident {
    let path = format!("incidents/{name}.md");
    let bytes = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    Incident::from_text(&path, &ingest::ingest(&bytes).unwrap())
}

const SEEDS: [&str; 5] = [
    "2025-08-15-server-crash-loop-code-desync",
    "2025-08-15-pm2-systemd-process-manager-conflict",
    "2026-02-04-backend-deploy-without-local-testing",
    "2025-10-16-fluxstudio-rsync-delete-outage",
    "2026-01-02-cloudflare-pages-missing-worker",
];

fn any(list: &[Statement], needle: &str) -> bool {
    list.iter()
        .any(|s| s.text.to_lowercase().contains(&needle.to_lowercase()))
}

#[test]
fn every_seed_has_date_critical_severity_and_fixes() {
    for name in SEEDS {
        let i = seed(name);
        assert_eq!(i.date.as_deref(), Some(&name[..10]), "{name}");
        assert_eq!(i.severity.map(Severity::as_str), Some("critical"), "{name}");
        assert!(!i.fixes.is_empty(), "{name} has no fixes");
        assert!(i.repairs.count > 0, "{name} carries mojibake");
        assert_eq!(i.id, name);
    }
}

#[test]
fn process_manager_conflict() {
    let i = seed(SEEDS[1]);
    assert!(
        any(&i.causes, "pm2") && any(&i.causes, "systemd"),
        "{:?}",
        i.causes
    );
    assert!(any(&i.symptoms, "EADDRINUSE"), "{:?}", i.symptoms);
    assert!(any(&i.symptoms, "restart loop"), "{:?}", i.symptoms);
    assert!(
        !any(&i.causes, "Constant Restarts"),
        "symptoms stay out of causes"
    );
    assert!(i.commands.contains(&"pm2 delete all".to_string()));
    assert!(any(&i.prevention, "PM2 should not be installed or used"));
    assert_eq!(i.status.map(Status::as_str), Some("resolved"));
}

#[test]
fn rsync_delete_outage() {
    let i = seed(SEEDS[3]);
    assert!(any(&i.causes, "`rsync --delete`"), "{:?}", i.causes);
    assert!(any(&i.fixes, "Removed dangerous `rsync --delete` flag"));
    assert!(any(&i.symptoms, "502 Bad Gateway"));
    assert!(any(&i.lessons, "Never use `rsync --delete` in production"));
    assert!(i.tags.contains(&"rsync".to_string()));
}

#[test]
fn cloudflare_missing_worker() {
    let i = seed(SEEDS[4]);
    assert!(any(&i.causes, "`_worker.js`"), "{:?}", i.causes);
    assert!(
        i.symptoms.iter().filter(|s| s.text.contains("404")).count() >= 2,
        "{:?}",
        i.symptoms
    );
    assert!(any(
        &i.prevention,
        "`dist/_worker.js` exists and is > 100 KB"
    ));
    assert!(
        i.timeline.is_empty(),
        "its 'Timeline:' is a chain of causes without times"
    );
    assert!(i.impact.is_empty(), "it has no impact section");
    assert_eq!(i.status.map(Status::as_str), Some("open"));
}

#[test]
fn session_summary_has_a_timeline() {
    let i = seed(SEEDS[2]);
    let times: Vec<&str> = i.timeline.iter().map(|e| e.time.as_str()).collect();
    assert_eq!(times[0], "2026-02-04 09:01 UTC");
    assert_eq!(i.timeline.len(), 6);
    assert!(i.timeline[0].event.contains("a942e4f"));
    assert_eq!(i.status.map(Status::as_str), Some("recovering"));
    assert!(any(
        &i.lessons,
        "NEVER deploy backend changes without local testing"
    ));
    assert!(i.commands.contains(&"git reset --hard 59a77c4".to_string()));
}

#[test]
fn server_drift() {
    let i = seed(SEEDS[0]);
    assert!(any(&i.lessons, "on-server edits"));
    assert!(any(&i.fixes, "git reset --hard origin/testing03"));
    assert!(i.tags.contains(&"server-drift".to_string()));
}

#[test]
fn statement_lines_point_at_the_source() {
    let i = seed(SEEDS[3]);
    let text =
        std::fs::read_to_string(format!("{}/{}", env!("CARGO_MANIFEST_DIR"), i.path)).unwrap();
    for s in &i.lessons {
        let line = text.lines().nth(s.line - 1).unwrap();
        assert_eq!(Some(s.section), i.section_at(s.line));
        let first_word = s.text.split_whitespace().next().unwrap().trim_matches('`');
        assert!(
            line.contains(first_word),
            "line {} {line:?} vs {:?}",
            s.line,
            s.text
        );
    }
}

#[test]
fn front_matter_and_ids() {
    let text = "---\nid: Outage 42\ntitle: DNS outage\nseverity: SEV-2\nstart_time: 2022-11-18T15:40:00Z\ntags: [DNS, Power Loss]\n---\nText.\n";
    let ing = ingest::ingest(text.as_bytes()).unwrap();
    let i = Incident::from_text("incidents/x.md", &ing);
    assert_eq!(i.id, "outage-42");
    assert_eq!(i.title, "DNS outage");
    assert_eq!(i.severity.map(Severity::as_str), Some("high"));
    assert_eq!(i.date.as_deref(), Some("2022-11-18"));
    assert!(i.tags.contains(&"power-loss".to_string()) && i.tags.contains(&"dns".to_string()));
    assert_eq!(
        id_from_path("incidents/2025 Big Outage!.md"),
        "2025-big-outage"
    );
    assert_eq!(id_from_path("incidents/README"), "readme");
}

#[test]
fn metadata_written_inside_a_sentence() {
    let text = "# Ledger outage\n\nDate: 2025-07-23. Severity: SEV-1. Status: resolved.\n\n## Overview\n\nStatus: nothing to see; severity: low.\n";
    let inc = Incident::from_text("incidents/x.md", &ingest::ingest(text.as_bytes()).unwrap());
    assert_eq!(inc.severity.map(Severity::as_str), Some("critical"));
    assert_eq!(inc.status.map(Status::as_str), Some("resolved"));
}
