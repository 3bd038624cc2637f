use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use super::*;
use crate::kb::KnowledgeBase;

/// Collects rendered files in memory.
#[derive(Default)]
struct Mem(Mutex<BTreeMap<String, Vec<u8>>>);

impl Sink for Mem {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap()
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}

fn seeds() -> Vec<Loaded> {
    let kb = KnowledgeBase::new(env!("CARGO_MANIFEST_DIR"));
    let files = kb.postmortem_files(&[kb.incidents_dir()]).unwrap();
    files.iter().map(|f| kb.load(f).unwrap()).collect()
}

fn rules_for(loaded: &[Loaded]) -> Vec<Rule> {
    let texts: Vec<String> = loaded.iter().map(|l| l.text().unwrap()).collect();
    let inputs: Vec<crate::rules::compile::Input> = loaded
        .iter()
        .zip(&texts)
        .map(|(l, text)| crate::rules::compile::Input {
            incident: &l.incident,
            text,
        })
        .collect();
    crate::rules::compile::compile(&inputs).0
}

fn render_mem(loaded: &[Loaded], templates: &Path) -> BTreeMap<String, Vec<u8>> {
    let rules = rules_for(loaded);
    let config = SiteConfig::default();
    let mem = Mem::default();
    let input = Input {
        loaded,
        rules: &rules,
        config: &config,
        templates,
        state: None,
    };
    render(&input, &mem, &|| {}).unwrap();
    mem.0.into_inner().unwrap()
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

#[test]
fn the_bundled_site_has_every_page_and_repaired_text() {
    let loaded = seeds();
    let none = tempfile::tempdir().unwrap();
    let files = render_mem(&loaded, none.path());
    for p in [
        "index.html",
        "rules.html",
        "tags/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "assets/style.css",
        "assets/site.js",
        "search/meta.js",
    ] {
        assert!(files.contains_key(p), "{p}");
    }
    let pages: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("incidents/"))
        .collect();
    assert_eq!(pages.len(), loaded.len());
    let flux = text(
        &files,
        "incidents/2025-10-16-fluxstudio-rsync-delete-outage.html",
    );
    assert!(
        flux.contains("✅") && !flux.contains("âœ…"),
        "repaired text is what is published"
    );
    assert!(
        flux.contains("<code>rsync --delete</code>"),
        "statements show their commands as code"
    );
    assert!(flux.contains("class=\"record\""));
    assert!(
        flux.contains("rules.html#no-rsync-delete"),
        "the rule learned from it is linked"
    );
    assert!(flux.contains("Content-Security-Policy"));
    let cf = text(
        &files,
        "incidents/2026-01-02-cloudflare-pages-missing-worker.html",
    );
    assert!(cf.contains("🚨"));
    let rules = text(&files, "rules.html");
    assert!(rules.contains("id=\"no-rsync-delete\"") && rules.contains("forbid-pattern"));
    let index = text(&files, "index.html");
    assert!(
        index.find("2026-02-04").unwrap() < index.find("2025-08-15").unwrap(),
        "newest first"
    );
    assert!(index.contains("<svg"), "the severity-over-time chart");
    let feed = text(&files, "feed.xml");
    assert!(feed.contains("<updated>2026-02-04T00:00:00Z</updated>"));
    assert!(text(&files, "search/d-0.js").contains("FluxStudio"));
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let loaded = seeds();
    let none = tempfile::tempdir().unwrap();
    assert_eq!(
        render_mem(&loaded, none.path()),
        render_mem(&loaded, none.path())
    );
}

#[test]
fn a_hostile_postmortem_publishes_no_script() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("incidents")).unwrap();
    let hostile = "---\ntitle: \"<script>alert('title')</script>\"\ntags: [\"<img src=x onerror=alert(1)>\"]\n---\n\
# Hostile\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n\n\
## Root Cause\n\n- `<script>alert(4)</script>` in a cause\n";
    std::fs::write(tmp.path().join("incidents/hostile.md"), hostile).unwrap();
    let kb = KnowledgeBase::new(tmp.path());
    let loaded = vec![kb.load(&tmp.path().join("incidents/hostile.md")).unwrap()];
    let files = render_mem(&loaded, tmp.path());
    for (path, bytes) in &files {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let page = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        // The only script element on any page is the site's own.
        let scripts = page.matches("<script").count();
        let own = page.matches("<script src=\"").count();
        assert_eq!(scripts, own, "{path}: {page}");
        assert!(!page.contains("onerror="), "{path}");
        assert!(!page.contains("javascript:"), "{path}");
    }
}

#[test]
fn templates_in_the_knowledge_base_win() {
    let loaded = seeds();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("404.hbs"),
        "{{#> base}}<p>Gone fishing</p>{{/base}}",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/extra.txt"), "mine").unwrap();
    let files = render_mem(&loaded, dir.path());
    assert!(text(&files, "404.html").contains("Gone fishing"));
    assert_eq!(files["assets/extra.txt"], b"mine");
}

fn publish_seeds(site: &Path, force: bool) -> Result<output::Published, SiteError> {
    let loaded = seeds();
    let rules = rules_for(&loaded);
    let config = SiteConfig::default();
    let none = tempfile::tempdir().unwrap();
    let input = Input {
        loaded: &loaded,
        rules: &rules,
        config: &config,
        templates: none.path(),
        state: None,
    };
    output::publish(site, force, |sink| render(&input, sink, &|| {}))
}

#[test]
fn publishing_never_loses_files_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    publish_seeds(&site, false).unwrap();
    assert!(site.join("index.html").exists() && site.join(output::MANIFEST).exists());
    publish_seeds(&site, false).unwrap();

    // A file of the user's: refused, and nothing changes.
    std::fs::write(site.join("CNAME"), "status.example.com").unwrap();
    let before = std::fs::read(site.join("index.html")).unwrap();
    let err = publish_seeds(&site, false).unwrap_err().to_string();
    assert!(err.contains("CNAME") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(site.join("index.html")).unwrap(), before);

    // --force keeps it, in the new site.
    let p = publish_seeds(&site, true).unwrap();
    assert_eq!(p.kept, ["CNAME"]);
    assert_eq!(
        std::fs::read_to_string(site.join("CNAME")).unwrap(),
        "status.example.com"
    );
    assert!(!tmp.path().join(".site.hindsight-old").exists());

    // Said once: later builds keep it without --force, and say nothing of it.
    let p = publish_seeds(&site, false).expect("a kept file needs no second --force");
    assert!(p.kept.is_empty(), "{:?}", p.kept);
    assert_eq!(
        std::fs::read_to_string(site.join("CNAME")).unwrap(),
        "status.example.com"
    );

    // A generated page edited by hand: refused too.
    std::fs::write(site.join("rules.html"), "my notes").unwrap();
    assert!(
        publish_seeds(&site, false)
            .unwrap_err()
            .to_string()
            .contains("rules.html")
    );
}

#[test]
fn a_failed_build_leaves_the_old_site() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    publish_seeds(&site, false).unwrap();
    let before = std::fs::read(site.join("index.html")).unwrap();
    let r = output::publish(&site, false, |sink| {
        sink.put("index.html", b"half").unwrap();
        Err(SiteError::Output("boom".into()))
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read(site.join("index.html")).unwrap(), before);
    assert!(
        !tmp.path().join(".site.hindsight-new").exists(),
        "the half-built folder is removed"
    );
}

/// Copy a folder (files only), for staging what a killed build leaves behind.
fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[test]
fn a_build_killed_during_the_swap_is_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    publish_seeds(&site, false).unwrap();
    let index = std::fs::read(site.join("index.html")).unwrap();

    // Killed between moving the old site aside and moving the new one in.
    let old = tmp.path().join(".site.hindsight-old");
    std::fs::rename(&site, &old).unwrap();
    publish_seeds(&site, false).unwrap();
    assert_eq!(std::fs::read(site.join("index.html")).unwrap(), index);
    assert!(!old.exists());

    // Killed while removing the previous site after the exchange: half its pages gone.
    let new = tmp.path().join(".site.hindsight-new");
    std::fs::create_dir_all(&new).unwrap();
    copy_tree(&site, &new);
    std::fs::remove_file(new.join("index.html")).unwrap();
    publish_seeds(&site, false).unwrap();
    assert!(!new.exists());

    // A leftover holding a file hindsight did not write is kept, and the build says so.
    std::fs::create_dir_all(&new).unwrap();
    copy_tree(&site, &new);
    std::fs::write(new.join("CNAME"), "status.example.com").unwrap();
    let err = publish_seeds(&site, false).unwrap_err().to_string();
    assert!(err.contains(".site.hindsight-new"), "{err}");
    assert_eq!(
        std::fs::read_to_string(new.join("CNAME")).unwrap(),
        "status.example.com"
    );
}

#[test]
fn a_folder_not_ours_is_refused_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(site.join("docs/readme.md"), "hello").unwrap();
    let err = publish_seeds(&site, false).unwrap_err().to_string();
    assert!(err.contains("readme.md"), "{err}");
    assert_eq!(
        std::fs::read_to_string(site.join("docs/readme.md")).unwrap(),
        "hello"
    );
}

#[test]
fn check_lists_what_a_build_would_change() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    publish_seeds(&site, false).unwrap();
    let loaded = seeds();
    let rules = rules_for(&loaded);
    let config = SiteConfig::default();
    let none = tempfile::tempdir().unwrap();
    let input = Input {
        loaded: &loaded,
        rules: &rules,
        config: &config,
        templates: none.path(),
        state: None,
    };
    let check = || output::check(&site, |sink| render(&input, sink, &|| {})).unwrap();
    assert!(check().is_empty());
    std::fs::write(site.join("rules.html"), "stale").unwrap();
    std::fs::remove_file(site.join("feed.xml")).unwrap();
    assert_eq!(check(), ["feed.xml", "rules.html"]);
}

/// `mv site www; ln -s www site`: the build goes into www/, the link stays a link,
/// and a file of the user's in www/ stays there with --force.
#[cfg(unix)]
#[test]
fn a_linked_site_folder_is_built_where_it_points() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    let site = tmp.path().join("site");
    publish_seeds(&www, false).unwrap();
    std::os::unix::fs::symlink(&www, &site).unwrap();
    publish_seeds(&site, false).unwrap();
    assert!(
        std::fs::symlink_metadata(&site)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(www.join("index.html").is_file() && www.join(output::MANIFEST).is_file());
    assert!(!tmp.path().join(".site.hindsight-new").exists());

    std::fs::write(www.join("CNAME"), "mine").unwrap();
    assert!(
        publish_seeds(&site, false).is_err(),
        "refused while it holds CNAME"
    );
    publish_seeds(&site, true).unwrap();
    assert_eq!(std::fs::read_to_string(www.join("CNAME")).unwrap(), "mine");
    assert!(
        std::fs::symlink_metadata(&site)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    publish_seeds(&site, true).unwrap();
    assert_eq!(std::fs::read_to_string(www.join("CNAME")).unwrap(), "mine");

    // A page folder replaced by a link to elsewhere: what is there is not removed.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let page = std::fs::read_dir(www.join("incidents"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    std::fs::write(elsewhere.join(&page), "keep me").unwrap();
    std::fs::rename(www.join("incidents"), tmp.path().join("moved")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, www.join("incidents")).unwrap();
    let _ = publish_seeds(&site, true);
    assert_eq!(
        std::fs::read_to_string(elsewhere.join(&page)).unwrap(),
        "keep me"
    );

    // A dangling link is one clear error.
    let dangling = tmp.path().join("gone");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
    let err = publish_seeds(&dangling, false).unwrap_err().to_string();
    assert!(err.contains("does not exist"), "{err}");
}
