//! Properties that hold for any input: repair is idempotent and leaves clean text
//! alone, and reading, parsing and linting never panic, whatever the bytes.

use hindsight::document::Document;
use hindsight::incident::Incident;
use hindsight::ingest;
use hindsight::lint::{self, Settings};
use proptest::prelude::*;

/// Text that looks like a postmortem: headings, lists, times, emoji, and pieces of
/// mojibake, joined in any order.
fn postmortem_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Outage\n".to_string()),
        Just("## Timeline\n".to_string()),
        Just("## Root Cause\n".to_string()),
        Just("- 09:41 deploy started ✅\n".to_string()),
        Just("- 23:59 rollback 🚨\n".to_string()),
        Just("**Severity:** SEV-1\n".to_string()),
        Just("---\ntitle: x\n---\n".to_string()),
        Just("âœ… done ‚úÖ ok âŒ failed\n".to_string()),
        Just("ğŸ“Š stats â€” “quoted”\n".to_string()),
        Just("```sh\nrsync -av --delete dist/ host:/srv\n```\n".to_string()),
        Just("| a | b |\n|---|---|\n| 1 | 2 |\n".to_string()),
        Just("<!-- hindsight-lint: allow placeholder -- ok -->\n".to_string()),
        "[a-zA-Z0-9 :.,#*_`\\-\\[\\]()!|\n]{0,40}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

const CLEAN_WORDS: &[&str] = &[
    "déjà",
    "naïve",
    "café",
    "Straße",
    "größer",
    "Ærø",
    "São",
    "Paulo",
    "señor",
    "año",
    "Kraków",
    "Łódź",
    "żółw",
    "čeština",
    "Ελλάδα",
    "привет",
    "мир",
    "日本語",
    "中文",
    "한국어",
    "עברית",
    "العربية",
    "हिन्दी",
    "€5",
    "£3",
    "¥100",
    "±2",
    "°C",
    "µs",
    "—",
    "–",
    "“quoted”",
    "‘single’",
    "…",
    "•",
    "→",
    "✅",
    "❌",
    "🚨",
    "⚠️",
    "🟢",
    "📊",
    "№1",
    "½",
    "×",
    "÷",
    "©",
    "®",
    "™",
    "§4",
    "¶",
    "«guillemets»",
    "Ünïcödé",
    "Œuvre",
    "rsync",
    "--delete",
    "dist/_worker.js",
    "09:41",
    "2025-10-16",
    "SEV-1",
    "P0",
];

fn repaired(text: &str) -> String {
    ingest::ingest(text.as_bytes()).unwrap().text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn repair_is_idempotent(text in postmortem_like()) {
        let once = repaired(&text);
        prop_assert_eq!(repaired(&once), once.clone());
    }

    #[test]
    fn clean_text_is_left_alone(words in prop::collection::vec(prop::sample::select(CLEAN_WORDS), 0..60)) {
        // Real words in many scripts, with accents, symbols and emoji: no mojibake, so
        // nothing may change.
        let text = words.join(" ");
        let out = ingest::ingest(text.as_bytes()).unwrap();
        prop_assert!(out.repairs.is_empty(), "{:?}", out.repairs);
        prop_assert_eq!(out.text, text);
    }

    #[test]
    fn ascii_is_never_changed(text in "[ -~\n\t]{0,300}") {
        prop_assert_eq!(repaired(&text), text);
    }

    #[test]
    fn any_bytes_read_parse_and_lint_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(ing) = ingest::ingest(&bytes) {
            let doc = Document::parse(&ing.text);
            let inc = Incident::from_document("incidents/x.md", &doc, &ing);
            let input = lint::Input { dir: None, original: &ing.text, ingested: &ing, doc: &doc, incident: &inc };
            let _ = lint::lint(&input, &Settings::default());
        }
    }

    #[test]
    fn postmortem_like_text_parses_and_lints(text in postmortem_like()) {
        let ing = ingest::ingest(text.as_bytes()).unwrap();
        let doc = Document::parse(&ing.text);
        let inc = Incident::from_document("incidents/x.md", &doc, &ing);
        for e in &inc.timeline {
            prop_assert!(e.line >= 1 && e.line <= ing.text.lines().count().max(1));
        }
        let input = lint::Input { dir: None, original: &text, ingested: &ing, doc: &doc, incident: &inc };
        for f in lint::lint(&input, &Settings::default()) {
            prop_assert!(f.line <= ing.text.lines().count(), "{:?}", f);
        }
    }
}

/// Inputs the fuzz targets (`fuzz/`) found, kept as regression tests.
#[test]
fn fuzz_findings_stay_fixed() {
    // ingest: repairing the ingested text again changed it (mac_roman under cp1252).
    let bytes = b"sela\xf5at berpuasa \xffob (\xc3\x83\xc2\xa0\x92\xc3\x82\xc2\x81)\xc3\x83\xc2\xa0\xc3\x82\xc2\xb8\xc3\xa2\xe2\x82\xac\xc2\xa1[";
    let ing = ingest::ingest(bytes).unwrap();
    assert_eq!(repaired(&ing.text), ing.text);
}
