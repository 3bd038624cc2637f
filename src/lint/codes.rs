//! The lint codes: stable names, default levels, and what `lint --explain` says.

use crate::report::Level;

/// The codes, written once: the enum, `Code::ALL` and each code's name, level,
/// summary and explanation come from this list (a mistyped code is a compile error).
macro_rules! lint_codes {
    ($($code:ident = $name:literal, $level:ident, $summary:expr, $explain:expr;)*) => {
        /// One check hindsight lint runs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($code,)*
        }

        impl Code {
            /// Every code, in the order `--explain` lists them.
            pub const ALL: &[Code] = &[$(Code::$code,)*];

            /// Stable name, used in output, `hindsight.toml` and suppressions.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$code => $name,)*
                }
            }

            /// The level a finding has unless `hindsight.toml` says otherwise.
            pub fn level(self) -> Level {
                match self {
                    $(Code::$code => Level::$level,)*
                }
            }

            /// One line: what the finding means.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => $summary,)*
                }
            }

            /// Why it matters and what to do.
            pub fn explain(self) -> &'static str {
                match self {
                    $(Code::$code => $explain,)*
                }
            }
        }
    };
}

lint_codes! {
    MissingSection = "missing-section", Error,
        "a required section is missing",
        "Reviewers and tools look for the same parts in every postmortem: summary, impact, \
         timeline, cause, resolution, action items and lessons by default. Headings are \
         matched by meaning ('Root Cause Analysis', 'Contributing Factors' and \
         '🔍 ROOT CAUSE ANALYSIS' all count as the cause). Set the list with \
         `[lint] required = [...]` in hindsight.toml.";
    EmptySection = "empty-section", Warning,
        "a section has a heading and nothing under it",
        "An empty section reads as done when it is not. Fill it in or remove the heading.";
    Placeholder = "placeholder", Error,
        "template text was left in",
        "Text such as TODO, TBD, HH:MM, YYYY-MM-DD, [???] or 'Lorem ipsum' means a part of \
         the postmortem was never written. `hindsight new` marks every prompt this way.";
    HtmlAsText = "html-as-text", Warning,
        "a tag that is not formatting is shown as text",
        "Raw HTML such as <script>, <style>, <template> or an unclosed <!-- is not \
         formatting a postmortem can use: the site shows it as the text you wrote (it \
         would otherwise hide everything after it). Put a tag you are writing about in \
         backticks (`<script>`) to make that plain.";
    DuplicateSection = "duplicate-section", Warning,
        "two sections of the same kind at the same level",
        "Two timelines or two root-cause sections split what belongs together; readers \
         find one and miss the other. Merge them.";
    FrontMatter = "front-matter", Error,
        "the front matter block cannot be read",
        "The YAML (---) or TOML (+++) block at the top does not parse, so its title, date, \
         severity and tags are lost. The message names the error.";
    MissingTitle = "missing-title", Error,
        "no title",
        "Give the postmortem a `# Title` heading or a `title:` in its front matter.";
    MissingDate = "missing-date", Error,
        "no incident date",
        "Search, the site and recurrence checks order incidents by date. State it as \
         `date: 2025-10-16` in the front matter or `**Date:** 2025-10-16`, or start the \
         file name with it.";
    BadDate = "bad-date", Error,
        "a stated date does not parse",
        "hindsight reads ISO dates (2025-10-16), 'October 16, 2025', '16 Oct 2025' and \
         similar. A date it cannot read is as good as none.";
    MissingSeverity = "missing-severity", Warning,
        "no severity",
        "State how bad it was (`severity: critical|high|medium|low`, or SEV-1, P0 ...), \
         so the index and the chart can show it.";
    BadSeverity = "bad-severity", Error,
        "a stated severity is not one hindsight knows",
        "Severity normalises to critical, high, medium or low (SEV-0..4, P0..P4, major, \
         minor ... are understood).";
    MissingStatus = "missing-status", Warning,
        "no status",
        "State where things stand: resolved, recovering, investigating or open.";
    BadStatus = "bad-status", Error,
        "a stated status is not one hindsight knows",
        "Status normalises to resolved, recovering, investigating or open.";
    TimelineOrder = "timeline-order", Warning,
        "a timeline entry is earlier than the one before it",
        "Times that go backwards without a new date usually mean a typo (09:50 for 19:50) \
         or an entry out of place. A jump back of more than twelve hours is read as the \
         next day.";
    TimelineTime = "timeline-time", Warning,
        "a timeline entry's time cannot be read",
        "Write entry times as HH:MM (24-hour, or with am/pm), optionally after an ISO date.";
    ActionOwner = "action-owner", Warning,
        "an action item has no owner",
        "Action items without an owner are the ones that do not get done. Name one: \
         `@alice`, `(owner: alice)`, `Owner: alice`, or an Owner column in a table.";
    Mojibake = "mojibake", Warning,
        "damaged text (mojibake or lost bytes)",
        "Text was decoded with the wrong code page somewhere on its way (`âœ…` for ✅). \
         The finding shows the repair; `hindsight lint --fix` (or `hindsight fix --write`) \
         applies every repair atomically.";
    DuplicateId = "duplicate-id", Error,
        "two postmortems have the same id",
        "Ids name pages, search results and rule sources; two files with one id shadow \
         each other. Rename one file or set a distinct `id:` in its front matter.";
    BrokenLink = "broken-link", Warning,
        "a relative link points to a file that does not exist",
        "Links to runbooks, graphs and other postmortems rot when files move. Fix the \
         path or link to where the file is now.";
    UnsafeLink = "unsafe-link", Error,
        "a link with a script URL",
        "javascript:, vbscript: and data: links run code or hide content; the site drops \
         them, and a postmortem has no need for them.";
    BadSuppression = "bad-suppression", Error,
        "a lint suppression without a reason, or for a code that does not exist",
        "Write `<!-- hindsight-lint: allow CODE -- why -->`. The reason is required so the \
         next reader knows why the rule does not apply.";
}

impl Code {
    /// The code named `name`.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The code nearest to a mistyped `name`, if one is close.
    pub fn suggest(name: &str) -> Option<Code> {
        let names = Code::ALL.iter().map(|c| c.name());
        crate::suggest::closest(name, names).and_then(Code::from_name)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(Code::suggest("missing-sectoin"), Some(Code::MissingSection));
        assert_eq!(Code::suggest("mojibak"), Some(Code::Mojibake));
        assert_eq!(Code::suggest("completely-unrelated-words"), None);
    }
}
