//! `hindsight completions SHELL` and `hindsight man`: generated from the clap model,
//! so they never drift from the real flags.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::args::{Args, CompletionsArgs};
use super::{Ctx, Outcome};

pub(super) fn completions(ctx: &Ctx, a: &CompletionsArgs) -> Result<Outcome> {
    let mut cmd = Args::command();
    let mut out = ctx.raw_stdout();
    clap_complete::generate(a.shell, &mut cmd, "hindsight", &mut out);
    out.flush()?;
    Ok(Outcome::Clean)
}

pub(super) fn man(ctx: &Ctx) -> Result<Outcome> {
    let mut out = ctx.raw_stdout();
    out.write_all(man_page().as_bytes())?;
    out.flush()?;
    Ok(Outcome::Clean)
}

/// One complete man page: every command with its options (there are no per-command
/// pages to point to), and the exit codes under EXIT STATUS.
pub(crate) fn man_page() -> String {
    let mut cmd = Args::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut head = Vec::new();
    let _ = man.render_title(&mut head);
    let _ = man.render_name_section(&mut head);
    let _ = man.render_synopsis_section(&mut head);
    let _ = man.render_description_section(&mut head);
    let _ = man.render_options_section(&mut head);
    let mut page = String::from_utf8_lossy(&head).into_owned();
    page.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = sub.get_name();
        let usage = sub
            .clone()
            .bin_name(format!("hindsight {name}"))
            .render_usage()
            .to_string();
        let usage = usage.trim_start_matches("Usage: ").trim();
        page.push_str(&format!(".SS \"hindsight {}\"\n", roff(name)));
        page.push_str(&format!(".B {}\n.br\n", roff(usage)));
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            page.push_str(&format!("{}\n", roff(&about.to_string())));
        }
        for arg in sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
        {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let mut names = Vec::new();
            if let Some(c) = arg.get_short() {
                names.push(format!("-{c}"));
            }
            if let Some(l) = arg.get_long() {
                names.push(format!("--{l}"));
            }
            let value = arg
                .get_value_names()
                .map(|v| {
                    v.iter()
                        .map(|n| format!("<{n}>"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            let takes = arg.get_num_args().is_some_and(|n| n.takes_values());
            let shown = match (names.is_empty(), takes) {
                (true, _) => {
                    if value.is_empty() {
                        format!("<{}>", id.to_uppercase())
                    } else {
                        value
                    }
                }
                (false, true) if !value.is_empty() => format!("{} {value}", names.join(", ")),
                _ => names.join(", "),
            };
            page.push_str(&format!(".TP\n\\fB{}\\fR\n", roff(&shown)));
            let mut help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if takes && !possible.is_empty() {
                help.push_str(&format!(" [values: {}]", possible.join(", ")));
            }
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if takes && !defaults.is_empty() {
                help.push_str(&format!(" [default: {}]", defaults.join(", ")));
            }
            page.push_str(&format!("{}\n", roff(help.trim())));
        }
    }
    page.push_str(".SH \"EXIT STATUS\"\n");
    page.push_str(&format!("{}\n", roff(super::args::EXIT_CODES)));
    let mut tail = Vec::new();
    let _ = man.render_version_section(&mut tail);
    page.push_str(&String::from_utf8_lossy(&tail));
    page
}

/// Text as roff reads it: backslashes doubled, a leading `.` or `'` escaped.
fn roff(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\\\").replace('-', "\\-");
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
