//! The site's templates and assets: defaults built into the binary (the files in this
//! repository's `templates/`), each replaceable by a file of the same name in the
//! knowledge base's `templates/`. Extra `*.hbs` files there become partials and extra
//! files under `templates/assets/` are published as they are.

use std::path::Path;

use handlebars::Handlebars;

use super::SiteError;

/// Default templates by name (the file is `<name>.hbs`).
const TEMPLATES: &[(&str, &str)] = &[
    ("base", include_str!("../../templates/base.hbs")),
    ("index", include_str!("../../templates/index.hbs")),
    ("incident", include_str!("../../templates/incident.hbs")),
    (
        "incident_table",
        include_str!("../../templates/incident_table.hbs"),
    ),
    (
        "incident_row",
        include_str!("../../templates/incident_row.hbs"),
    ),
    ("pager", include_str!("../../templates/pager.hbs")),
    ("tag", include_str!("../../templates/tag.hbs")),
    ("tags", include_str!("../../templates/tags.hbs")),
    ("rules", include_str!("../../templates/rules.hbs")),
    ("404", include_str!("../../templates/404.hbs")),
];

/// Default assets, by path in the site.
const ASSETS: &[(&str, &[u8])] = &[
    (
        "assets/style.css",
        include_bytes!("../../templates/assets/style.css"),
    ),
    (
        "assets/site.js",
        include_bytes!("../../templates/assets/site.js"),
    ),
    (
        "assets/favicon.svg",
        include_bytes!("../../templates/assets/favicon.svg"),
    ),
];

/// The template registry for a knowledge base whose templates folder is `dir`.
#[cfg(test)]
pub(super) fn registry(dir: &Path) -> Result<Handlebars<'static>, SiteError> {
    registry_and_digest(dir).map(|(hb, _)| hb)
}

/// `registry`, and a digest of every template's name and text as registered: pages
/// made with the same digest were made with the same templates.
pub(super) fn registry_and_digest(
    dir: &Path,
) -> Result<(Handlebars<'static>, super::Key), SiteError> {
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    let mut note = |name: &str, text: &str| {
        for part in [name, text] {
            digest.update((part.len() as u64).to_le_bytes());
            digest.update(part.as_bytes());
        }
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_helper("inline", Box::new(inline));
    for (name, text) in TEMPLATES {
        let path = dir.join(format!("{name}.hbs"));
        let own = read_optional(&path)?;
        let (src, shown) = match &own {
            Some(t) => (t.as_str(), path.display().to_string()),
            None => (*text, format!("(built-in) {name}.hbs")),
        };
        note(name, src);
        hb.register_template_string(name, src)
            .map_err(|e| template_error(&shown, &e))?;
    }
    // Any other template in the folder is a partial the others may use.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut extra: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "hbs"))
            .collect();
        extra.sort();
        for p in extra {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if TEMPLATES.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let text = read_optional(&p)?.unwrap_or_default();
            note(&name, &text);
            hb.register_template_string(&name, text)
                .map_err(|e| template_error(&p.display().to_string(), &e))?;
        }
    }
    Ok((hb, digest.finalize().into()))
}

/// Escaped text with `code spans` as `<code>`: statements quote commands that way.
/// For triple braces (`{{{inline text}}}`): the escaping happens here.
pub(super) fn inline_code(text: &str) -> String {
    static CODE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    let re = CODE.get_or_init(|| regex::Regex::new("`([^`]+)`").expect("regex"));
    re.replace_all(&escaped, "<code>$1</code>").into_owned()
}

handlebars::handlebars_helper!(inline: |s: str| inline_code(s));

fn read_optional(path: &Path) -> Result<Option<String>, SiteError> {
    match std::fs::read(path) {
        Ok(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| SiteError::Template {
                file: path.display().to_string(),
                message: "not UTF-8 text".into(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SiteError::Io(path.to_path_buf(), e)),
    }
}

fn template_error(file: &str, e: &handlebars::TemplateError) -> SiteError {
    let at = e
        .pos()
        .map(|(l, c)| format!(":{l}:{c}"))
        .unwrap_or_default();
    SiteError::Template {
        file: format!("{file}{at}"),
        message: e.reason().to_string(),
    }
}

/// Every asset to publish: the defaults, overridden or added to by files under the
/// knowledge base's `templates/assets/`. Sorted by path.
pub(super) fn assets(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let mut out: std::collections::BTreeMap<String, Vec<u8>> = ASSETS
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    let own = dir.join("assets");
    if own.is_dir() {
        for entry in ignore::WalkBuilder::new(&own)
            .hidden(true)
            .build()
            .flatten()
        {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let key = rel.to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(entry.path())
                .map_err(|e| SiteError::Io(entry.path().to_path_buf(), e))?;
            out.insert(key, bytes);
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_escapes_first() {
        assert_eq!(
            inline_code("use `rsync --delete` <b>&"),
            "use <code>rsync --delete</code> &lt;b&gt;&amp;"
        );
        assert_eq!(inline_code("`<script>`"), "<code>&lt;script&gt;</code>");
    }

    #[test]
    fn broken_templates_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tags.hbs"),
            "{{#> base}}\n{{#each tags}}\n{{/base}}\n",
        )
        .unwrap();
        let e = registry(dir.path()).unwrap_err().to_string();
        assert!(e.contains("tags.hbs:"), "{e}");
    }
}
