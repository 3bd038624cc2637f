//! The index schema, and an Incident as an index document.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, FacetOptions, Field, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DateTime, TantivyDocument};

use crate::incident::{Incident, join};

/// Bumped whenever the schema or what goes into it changes: the index is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// The fields, by name. Text fields are stemmed English with positions (for phrases).
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub path: Field,
    pub title: Field,
    pub summary: Field,
    pub cause: Field,
    pub symptom: Field,
    pub fix: Field,
    pub lesson: Field,
    pub prevention: Field,
    pub tag: Field,
    pub body: Field,
    pub severity: Field,
    pub status: Field,
    pub date: Field,
    pub tags_facet: Field,
    pub severity_facet: Field,
    /// A number from the id, to break ties between equal scores the same way every time
    /// (which of many equal hits makes the top N must not depend on segment order).
    pub order: Field,
}

/// Text fields searched when a query names no field, with their boosts: a word in the
/// title or the cause says more than one in the body.
pub fn default_fields(f: &Fields) -> [(Field, f32); 9] {
    [
        (f.title, 3.0),
        (f.cause, 2.0),
        (f.symptom, 1.6),
        (f.tag, 1.5),
        (f.summary, 1.4),
        (f.fix, 1.2),
        (f.lesson, 1.2),
        (f.prevention, 1.0),
        (f.body, 1.0),
    ]
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored { o.set_stored() } else { o }
    };
    let date = DateOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored()
        .set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        path: b.add_text_field("path", STRING | STORED),
        title: b.add_text_field("title", text(true)),
        summary: b.add_text_field("summary", text(true)),
        cause: b.add_text_field("cause", text(false)),
        symptom: b.add_text_field("symptom", text(false)),
        fix: b.add_text_field("fix", text(false)),
        lesson: b.add_text_field("lesson", text(false)),
        prevention: b.add_text_field("prevention", text(false)),
        tag: b.add_text_field("tag", text(true)),
        body: b.add_text_field("body", text(true)),
        severity: b.add_text_field("severity", STRING | STORED),
        status: b.add_text_field("status", STRING | STORED),
        date: b.add_date_field("date", date),
        tags_facet: b.add_facet_field("tags", FacetOptions::default()),
        severity_facet: b.add_facet_field("severities", FacetOptions::default()),
        order: b.add_u64_field("order", FAST),
    };
    (b.build(), fields)
}

/// Fields looked up by name in an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    Ok(Fields {
        id: f("id")?,
        path: f("path")?,
        title: f("title")?,
        summary: f("summary")?,
        cause: f("cause")?,
        symptom: f("symptom")?,
        fix: f("fix")?,
        lesson: f("lesson")?,
        prevention: f("prevention")?,
        tag: f("tag")?,
        body: f("body")?,
        severity: f("severity")?,
        status: f("status")?,
        date: f("date")?,
        tags_facet: f("tags")?,
        severity_facet: f("severities")?,
        order: f("order")?,
    })
}

/// The tie-breaking number of an id: the first eight bytes of its SHA-256.
pub fn order_of(id: &str) -> u64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(id.as_bytes());
    u64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// Midnight UTC of an ISO date.
pub fn date_value(iso: &str) -> Option<DateTime> {
    let mut parts = iso.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    // Days since 1970-01-01 (civil calendar; Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(DateTime::from_timestamp_secs(days * 86_400))
}

/// Seconds since the epoch to `YYYY-MM-DD` (civil calendar).
pub fn iso_date(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day after an ISO date.
pub fn next_day(iso: &str) -> String {
    iso_date(date_value(iso).map_or(0, |d| d.into_timestamp_secs()) + 86_400)
}

/// The index document for one incident and its repaired text.
pub fn document(f: &Fields, inc: &Incident, body: &str) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &inc.id);
    d.add_u64(f.order, order_of(&inc.id));
    d.add_text(f.path, &inc.path);
    d.add_text(f.title, &inc.title);
    d.add_text(f.summary, format!("{}\n{}", inc.summary, inc.impact));
    d.add_text(f.cause, join(&inc.causes, "\n"));
    d.add_text(f.symptom, join(&inc.symptoms, "\n"));
    d.add_text(
        f.fix,
        format!("{}\n{}", join(&inc.fixes, "\n"), inc.commands.join("\n")),
    );
    d.add_text(f.lesson, join(&inc.lessons, "\n"));
    d.add_text(f.prevention, join(&inc.prevention, "\n"));
    for t in &inc.tags {
        d.add_text(f.tag, t);
    }
    d.add_text(f.body, body);
    if let Some(s) = inc.severity {
        d.add_text(f.severity, s.as_str());
        d.add_facet(f.severity_facet, format!("/{s}").as_str());
    }
    if let Some(s) = inc.status {
        d.add_text(f.status, s.as_str());
    }
    if let Some(dt) = inc.date.as_deref().and_then(date_value) {
        d.add_date(f.date, dt);
    }
    for t in &inc.tags {
        d.add_facet(f.tags_facet, format!("/{t}").as_str());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_value("1970-01-01").unwrap().into_timestamp_secs(), 0);
        assert_eq!(
            date_value("2025-08-15").unwrap().into_timestamp_secs(),
            1_755_216_000
        );
        assert_eq!(
            date_value("2000-03-01").unwrap().into_timestamp_secs(),
            951_868_800
        );
        assert!(date_value("nope").is_none());
        assert_eq!(iso_date(1_755_216_000), "2025-08-15");
        assert_eq!(next_day("2024-02-28"), "2024-02-29");
        assert_eq!(next_day("2025-12-31"), "2026-01-01");
    }
}
