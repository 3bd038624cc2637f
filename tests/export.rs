//! `export --ndjson` and the index definitions in search/: every record parses, and the
//! Quickwit and OpenSearch mappings name exactly the fields the records carry (minus
//! the ones deliberately left unindexed), so neither can drift from the other.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const UNINDEXED: &[&str] = &["sections", "repairs", "lines", "parents"];

fn export() -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["export", "--ndjson"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn record_fields(records: &[serde_json::Value]) -> BTreeSet<String> {
    records
        .iter()
        .flat_map(|r| r.as_object().unwrap().keys().cloned())
        .collect()
}

#[test]
fn ndjson_has_one_record_per_postmortem() {
    let records = export();
    let files = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents"))
        .unwrap()
        .count();
    assert_eq!(records.len(), files);
    let date = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap();
    for r in &records {
        assert!(r["id"].as_str().is_some_and(|s| !s.is_empty()));
        if let Some(d) = r["date"].as_str() {
            assert!(date.is_match(d), "{d}: the mappings parse yyyy-MM-dd");
        }
    }
}

#[test]
fn quickwit_config_maps_the_exported_fields() {
    let records = export();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("search/quickwit-index.yaml"),
    )
    .unwrap();
    let cfg: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mapped: BTreeSet<String> = cfg["doc_mapping"]["field_mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = record_fields(&records)
        .into_iter()
        .filter(|k| !UNINDEXED.contains(&k.as_str()))
        .collect();
    assert_eq!(mapped, expected);
    for f in cfg["search_settings"]["default_search_fields"]
        .as_array()
        .unwrap()
    {
        assert!(mapped.contains(f.as_str().unwrap()), "{f}");
    }
}

#[test]
fn opensearch_mapping_maps_the_exported_fields() {
    let records = export();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("search/opensearch-mapping.json"),
    )
    .unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        m["mappings"]["dynamic"], false,
        "unmapped fields stay in _source only"
    );
    let mapped: BTreeSet<String> = m["mappings"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let expected: BTreeSet<String> = record_fields(&records)
        .into_iter()
        .filter(|k| !UNINDEXED.contains(&k.as_str()))
        .collect();
    assert_eq!(mapped, expected);
    let timeline: BTreeSet<String> = m["mappings"]["properties"]["timeline"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let entry_keys: BTreeSet<String> = records
        .iter()
        .flat_map(|r| {
            r["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|e| e.as_object().unwrap().keys().cloned())
        })
        .collect();
    assert_eq!(timeline, entry_keys);
}
