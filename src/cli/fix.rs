//! `hindsight fix`: show, print, write or check mojibake repairs.

use std::io::{Read, Write};
use std::path::Path;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::args::{FixArgs, Format};
use super::{Ctx, Outcome};
use crate::fsio;
use crate::ingest::{self, Ingested, Repair, Unresolved};

#[derive(Serialize)]
struct FileReport<'a> {
    path: String,
    encoding: &'a str,
    changed: bool,
    repairs: &'a [Repair],
    unresolved: &'a [Unresolved],
}

pub(super) fn run(ctx: &Ctx, a: &FixArgs) -> Result<Outcome> {
    if a.stdout && a.files.len() != 1 {
        bail!("--stdout prints one file; {} given", a.files.len());
    }
    if a.write && a.files.iter().any(|f| f.as_os_str() == "-") {
        bail!("--write cannot rewrite standard input");
    }
    let machine = a.stdout || a.format == Format::Json;
    let mut out: Box<dyn Write> = if machine {
        Box::new(ctx.raw_stdout())
    } else {
        Box::new(ctx.stdout())
    };
    let mut errors = false;
    let mut needs_repair = false;
    let mut reports = Vec::new();
    // Folders expand to the postmortems in them (not with --stdout: one file only).
    let mut files = Vec::new();
    for f in &a.files {
        if !a.stdout && f.is_dir() {
            match ctx.kb.postmortem_files(std::slice::from_ref(f)) {
                Ok(found) => files.extend(found),
                Err(e) => {
                    ctx.error(e);
                    errors = true;
                }
            }
        } else {
            files.push(f.clone());
        }
    }
    let loaded = files.iter().map(|f| (f, read(f)));
    for (path, bytes) in loaded {
        let shown = path.display().to_string();
        let ing = match bytes
            .as_ref()
            .map_err(|e| format!("{e:#}"))
            .and_then(|b| ingest::ingest(b).map_err(|e| e.to_string()))
        {
            Ok(i) => i,
            Err(e) => {
                ctx.error(format!("{shown}: {e}"));
                errors = true;
                continue;
            }
        };
        needs_repair |= ing.changed();
        if a.stdout {
            out.write_all(ing.text.as_bytes())?;
        } else if a.write {
            if ing.changed() {
                fsio::rewrite(path, ing.text.as_bytes())
                    .with_context(|| format!("{shown}: could not write the repaired file"))?;
                if !ctx.quiet {
                    writeln!(out, "fixed {shown} ({})", describe(&ing))?;
                }
            }
        } else if a.check {
            if ing.changed() {
                writeln!(out, "{shown}: needs repair ({})", describe(&ing))?;
            }
        } else if a.format == Format::Json {
            reports.push((shown, ing));
        } else {
            human(&mut out, ctx, &shown, &ing)?;
        }
    }
    if a.format == Format::Json && !(a.stdout || a.write || a.check) {
        let json: Vec<FileReport> = reports
            .iter()
            .map(|(p, i)| FileReport {
                path: p.clone(),
                encoding: &i.encoding,
                changed: i.changed(),
                repairs: &i.repairs,
                unresolved: &i.unresolved,
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    }
    Ok(if errors {
        Outcome::Errors
    } else if a.check && needs_repair {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .context("reading standard input")?;
        return Ok(v);
    }
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow::anyhow!("no such file"),
        _ => anyhow::anyhow!(e),
    })?;
    if meta.is_dir() {
        bail!("is a folder; fix takes files");
    }
    if meta.len() > ingest::MAX_BYTES as u64 {
        let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        let limit = ingest::MAX_BYTES;
        bail!("{}", ingest::IngestError::TooLarge { size, limit });
    }
    Ok(std::fs::read(path)?)
}

fn describe(i: &Ingested) -> String {
    let mut parts = Vec::new();
    if i.encoding != "utf-8" {
        parts.push(format!("decoded from {}", i.encoding));
    }
    if !i.repairs.is_empty() {
        let n = i.repairs.len();
        parts.push(format!(
            "{n} line{} repaired",
            if n == 1 { "" } else { "s" }
        ));
    }
    if i.lossy() {
        parts.push("lost bytes reconstructed".into());
    }
    parts.join(", ")
}

fn human(out: &mut impl Write, ctx: &Ctx, path: &str, i: &Ingested) -> Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let red = AnsiColor::Red.on_default();
    let green = AnsiColor::Green.on_default();
    if !i.changed() && i.unresolved.is_empty() {
        if !ctx.quiet {
            writeln!(out, "{path}: clean")?;
        }
        return Ok(());
    }
    writeln!(out, "{bold}{path}{bold:#}: {}", describe(i))?;
    for r in &i.repairs {
        let lossy = if r.lossy { ", guessed lost bytes" } else { "" };
        writeln!(
            out,
            "  {dim}{}:{}{dim:#}  {red}{}{red:#} -> {green}{}{green:#}  {dim}({}{lossy}){dim:#}",
            r.line, r.column, r.before, r.after, r.codepage
        )?;
    }
    for u in &i.unresolved {
        writeln!(
            out,
            "  {dim}{}{dim:#}  damaged text left as it is: no repair is clearly right ({})",
            u.line, u.codepage
        )?;
    }
    Ok(())
}
