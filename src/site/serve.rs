//! What `hindsight serve` needs besides a socket: mapping a URL to a file in `site/`
//! without escaping it, content types, the live-reload script, and a cheap fingerprint
//! of the inputs to notice when a rebuild is due.

use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};

/// Where the injected live-reload script and the build version are served.
pub const RELOAD_SCRIPT_PATH: &str = "/__hindsight/livereload.js";
pub const VERSION_PATH: &str = "/__hindsight/version";

/// Polls the build version and reloads the page when it changes. Same-origin `fetch`,
/// so the site's Content-Security-Policy (`default-src 'self'`) allows it.
pub const RELOAD_SCRIPT: &str = r#"(function () {
  var seen = null;
  function poll() {
    fetch("/__hindsight/version", { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen === null) seen = v;
        else if (v !== seen) { location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
"#;

/// The file in `site` a request path names, or None when it names nothing servable:
/// `..` segments, hidden files (the manifest) and anything outside `site` are refused.
/// A folder means its `index.html`.
pub fn resolve(site: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    // The site folder may itself be a link; nothing inside it may be one.
    let mut out = site.canonicalize().ok()?;
    for seg in decoded.split('/') {
        if seg.is_empty() || seg == "." {
            continue;
        }
        if seg == ".." || seg.starts_with('.') || seg.contains('\\') || seg.contains('\0') {
            return None;
        }
        // A segment must stay one normal component (no drive prefixes and the like).
        let mut comps = Path::new(seg).components();
        if !matches!(comps.next(), Some(Component::Normal(_))) || comps.next().is_some() {
            return None;
        }
        out.push(seg);
        if std::fs::symlink_metadata(&out)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return None;
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    let meta = std::fs::symlink_metadata(&out).ok()?;
    meta.file_type().is_file().then_some(out)
}

/// `404.html`, whose links are relative to the site root, served for a request `depth`
/// folders down: each relative link (and the script's root) gets `../` per folder.
pub fn not_found_at(html: &[u8], depth: usize) -> Vec<u8> {
    static LINK: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    if depth == 0 {
        return html.to_vec();
    }
    let re = LINK.get_or_init(|| {
        regex::bytes::Regex::new(r#"\b(href|src|data-root)="([^"]*)""#).expect("regex")
    });
    let up = "../".repeat(depth);
    re.replace_all(html, |c: &regex::bytes::Captures| {
        let value = &c[2];
        let scheme = value.iter().position(|&b| b == b':').is_some_and(|i| {
            i > 0
                && value[0].is_ascii_alphabetic()
                && value[..i]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
        });
        let absolute = value.starts_with(b"/") || value.starts_with(b"#") || scheme;
        let mut out = c[1].to_vec();
        out.extend_from_slice(b"=\"");
        if !absolute {
            out.extend_from_slice(up.as_bytes());
        }
        out.extend_from_slice(value);
        out.push(b'"');
        out
    })
    .into_owned()
}

/// The Content-Type for a file served from the site.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "toml" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `html` with the live-reload script added before its last `</body>`, or at the end.
pub fn inject_reload(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{RELOAD_SCRIPT_PATH}\"></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// A value that changes when any file under `roots` is added, removed, resized or
/// modified. Missing roots count as empty; unreadable entries are skipped (the build
/// that follows reports them properly).
pub fn fingerprint(roots: &[PathBuf]) -> u64 {
    let mut entries = Vec::new();
    for root in roots {
        collect(root, &mut entries);
    }
    entries.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

fn collect(path: &Path, out: &mut Vec<(PathBuf, u64, u128)>) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_dir() {
        let Ok(dir) = std::fs::read_dir(path) else {
            return;
        };
        for entry in dir.flatten() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                collect(&entry.path(), out);
            }
        }
        return;
    }
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    out.push((path.to_path_buf(), meta.len(), modified));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_links_reach_the_root_from_below() {
        let page = br##"<body data-root=""><a href="index.html">i</a><link href="assets/s.css"><script src="assets/site.js"></script><a href="https://x.io/">x</a><a href="#m">m</a><a href="/abs">a</a>"##;
        let out = String::from_utf8(not_found_at(page, 2)).unwrap();
        assert!(out.contains(r#"data-root="../../""#), "{out}");
        assert!(out.contains(r#"href="../../index.html""#), "{out}");
        assert!(out.contains(r#"src="../../assets/site.js""#), "{out}");
        assert!(out.contains(r#"href="https://x.io/""#), "{out}");
        assert!(
            out.contains(r##"href="#m""##) && out.contains(r#"href="/abs""#),
            "{out}"
        );
        assert_eq!(not_found_at(page, 0), page.to_vec());
    }

    fn site() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("incidents")).unwrap();
        std::fs::write(d.path().join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(d.path().join("incidents/a b.html"), "a").unwrap();
        std::fs::write(d.path().join(".hindsight-site"), "m").unwrap();
        d
    }

    #[test]
    fn urls_map_inside_the_site_only() {
        let d = site();
        let r = |u: &str| {
            resolve(d.path(), u).map(|p| {
                p.strip_prefix(d.path().canonicalize().unwrap())
                    .unwrap()
                    .to_owned()
            })
        };
        assert_eq!(r("/"), Some(PathBuf::from("index.html")));
        assert_eq!(r("/index.html?q=1#x"), Some(PathBuf::from("index.html")));
        assert_eq!(
            r("/incidents/a%20b.html"),
            Some(PathBuf::from("incidents/a b.html"))
        );
        assert_eq!(r("/incidents/"), None, "no index.html in that folder");
        for bad in [
            "/../etc/passwd",
            "/incidents/%2e%2e/%2e%2e/x",
            "/.hindsight-site",
            "/nope.html",
            "/%ff",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
    }

    /// Links inside the site are never followed (a page must not be a way to read
    /// the machine); the site folder itself may be a link.
    #[cfg(unix)]
    #[test]
    fn links_inside_the_site_are_not_served() {
        let d = site();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path(), d.path().join("rootlink")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), d.path().join("s.html")).unwrap();
        assert_eq!(resolve(d.path(), "/rootlink/secret"), None);
        assert_eq!(resolve(d.path(), "/s.html"), None);
        let link = outside.path().join("site-link");
        std::os::unix::fs::symlink(d.path(), &link).unwrap();
        assert!(resolve(&link, "/index.html").is_some());
    }

    #[test]
    fn the_reload_script_goes_before_the_last_body_end() {
        let out = inject_reload(b"<body><p>x</p></BODY>");
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.ends_with("<script src=\"/__hindsight/livereload.js\"></script></BODY>"),
            "{s}"
        );
        let s = String::from_utf8(inject_reload(b"no body")).unwrap();
        assert!(s.starts_with("no body<script"), "{s}");
    }

    #[test]
    fn the_fingerprint_follows_edits_additions_and_removals() {
        let d = tempfile::tempdir().unwrap();
        let roots = [d.path().join("incidents"), d.path().join("hindsight.toml")];
        let empty = fingerprint(&roots);
        std::fs::create_dir(&roots[0]).unwrap();
        std::fs::write(roots[0].join("a.md"), "one").unwrap();
        let one = fingerprint(&roots);
        assert_ne!(one, empty);
        assert_eq!(fingerprint(&roots), one, "stable when nothing changes");
        std::fs::write(roots[0].join("a.md"), "three").unwrap();
        let edited = fingerprint(&roots);
        assert_ne!(edited, one);
        std::fs::write(&roots[1], "[site]").unwrap();
        assert_ne!(fingerprint(&roots), edited);
        std::fs::remove_file(&roots[1]).unwrap();
        assert_eq!(fingerprint(&roots), edited);
    }
}
