//! `hindsight new TITLE`: start a postmortem from `templates/incident.md`.

use std::io::Write;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::args::NewArgs;
use super::{Ctx, Outcome};
use crate::incident::{find_date, slug};

/// The scaffold when the knowledge base has no `templates/incident.md` of its own.
const TEMPLATE: &str = include_str!("../../templates/incident.md");

pub(super) fn run(ctx: &Ctx, a: &NewArgs) -> Result<Outcome> {
    let title = a.title.trim();
    if title.is_empty() {
        bail!("the title is empty");
    }
    let date = match &a.date {
        Some(d) => match find_date(d, None) {
            Some(iso) if iso.len() == 10 => iso,
            _ => bail!("--date {d}: not a day (use YYYY-MM-DD)"),
        },
        None => today(),
    };
    let own = ctx.kb.templates_dir().join("incident.md");
    let (template, shown) = match std::fs::read_to_string(&own) {
        Ok(t) => (t, own.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (TEMPLATE.to_string(), "(built-in) incident.md".to_string())
        }
        Err(e) => return Err(e).with_context(|| format!("{}", own.display())),
    };
    let mut hb = handlebars::Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    let text = hb
        .render_template(
            &template,
            &json!({
                "title": title,
                "title_json": serde_json::to_string(title)?,
                "date": date,
                "slug": slug(title),
            }),
        )
        .map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    let stem = match slug(title) {
        s if s.is_empty() => "incident".to_string(),
        s => s
            .chars()
            .take(60)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string(),
    };
    let dir = ctx.kb.incidents_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    let path = dir.join(format!("{date}-{stem}.md"));
    // Written beside and linked into place only if nothing is there: never overwrites.
    let mut tmp = tempfile::Builder::new()
        .prefix(".hindsight-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .with_context(|| format!("{}", dir.display()))?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(&path) {
        Ok(_) => {}
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{}: already exists; not overwritten",
                ctx.kb.relative(&path)
            )
        }
        Err(e) => return Err(e.error).with_context(|| format!("{}", path.display())),
    }
    writeln!(ctx.raw_stdout(), "{}", ctx.kb.relative(&path))?;
    Ok(Outcome::Clean)
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::search::schema::iso_date(i64::try_from(secs).unwrap_or(0))
}
