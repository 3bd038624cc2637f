//! The site folder, written safely. `site/` is hindsight's only if it holds the
//! manifest `.hindsight-site` (every file written, with its hash); hindsight deletes
//! only files that manifest lists, and refuses a folder holding anything else unless
//! told `--force` (then those files are kept, moved into the new site unchanged, and
//! listed in the manifest as kept: later builds keep them without being told again).
//!
//! A first build (or one after a template, config or hindsight change) renders into a
//! fresh sibling folder and swaps it in with two renames, so a build that fails leaves
//! the old site as it was. A build that finds the last build's state beside an intact
//! site updates it in place: it stages only the files whose bytes changed in the
//! sibling folder, then moves them in and removes the files no longer made; a failure
//! before that leaves the site as it was, and a run killed while moving is finished by
//! the next (the staging folder is marked). `check` renders and compares, and writes
//! nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{Key, Sink, SiteError, Summary};
use crate::search::stamps::Stamp;

pub const MANIFEST: &str = ".hindsight-site";
const HEADER: &str = "hindsight-site 1";
/// The manifest's "hash" for a file the user put in the site and a `--force` build
/// kept: it is moved into each new site and never deleted.
const KEPT: &str = "kept";
/// Marks a half-built folder as ours, so a later build may remove it.
const IN_PROGRESS: &str = ".hindsight-site-in-progress";
/// Marks a staging folder whose files are being moved into the site (an update in
/// place): a later build finishes the move.
const UPDATING: &str = ".hindsight-site-update";

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
    move |e| SiteError::Io(path.to_path_buf(), e)
}

/// The manifest of `dir`: path -> hash, or `None` if there is none.
fn read_manifest(dir: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let mut lines = text.lines();
    (lines.next()? == HEADER).then_some(())?;
    lines
        .map(|l| {
            l.split_once('\t')
                .map(|(h, p)| (p.to_string(), h.to_string()))
        })
        .collect()
}

fn render_manifest(files: &BTreeMap<String, String>) -> String {
    let mut out = format!("{HEADER}\n");
    for (p, h) in files {
        out.push_str(&format!("{h}\t{p}\n"));
    }
    out
}

/// Every file under `dir`, relative, `/`-separated, sorted (symlinks count as files).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// What is in an existing site folder that hindsight must not lose.
#[derive(Debug, Default)]
pub struct Inspection {
    /// Files the manifest does not list.
    pub foreign: Vec<String>,
    /// Files the manifest lists whose content changed since.
    pub edited: Vec<String>,
    /// The user's files an earlier `--force` build kept.
    pub kept: Vec<String>,
    manifest: BTreeMap<String, String>,
    /// Generated files as the manifest says they were written, with their stamps now.
    intact: HashMap<String, Stamp>,
}

pub fn inspect(site: &Path) -> Inspection {
    inspect_with(site, None)
}

/// `inspect`, taking a listed file whose stamp is in `stamps` (as it was written) to
/// be unchanged without reading it.
fn inspect_with(site: &Path, stamps: Option<&HashMap<String, Stamp>>) -> Inspection {
    use rayon::prelude::*;
    let manifest = read_manifest(site).unwrap_or_default();
    // Reading and hashing every page is most of a rebuild's overhead: in parallel, and
    // not at all for a file whose size and time are as the last build left them.
    let found: Vec<(String, bool, Option<Stamp>)> = files_under(site)
        .into_par_iter()
        .filter(|f| f != MANIFEST)
        .map(|f| {
            let mut now = None;
            let known = match manifest.get(&f) {
                None => false,
                Some(h) if h == KEPT => true,
                Some(h) => {
                    now = crate::search::stamps::stamp(&site.join(&f));
                    let same_stamp =
                        now.is_some() && stamps.and_then(|s| s.get(&f)) == now.as_ref();
                    same_stamp
                        || std::fs::read(site.join(&f))
                            .map(|b| hash(&b))
                            .ok()
                            .as_deref()
                            == Some(h.as_str())
                }
            };
            (f, known, now)
        })
        .collect();
    let mut ins = Inspection::default();
    for (f, unchanged, now) in found {
        if manifest.get(&f).is_some_and(|h| h == KEPT) {
            ins.kept.push(f);
        } else if !manifest.contains_key(&f) {
            ins.foreign.push(f);
        } else if !unchanged {
            ins.edited.push(f);
        } else if let Some(now) = now {
            ins.intact.insert(f, now);
        }
    }
    ins.manifest = manifest;
    ins
}

/// What a build leaves for the next in `.hindsight/site-state`: each output unit's key
/// and files, and each file's stamp as written. It holds only beside the manifest it
/// was written with (its digest is recorded), and only for this hindsight.
#[derive(Debug, Default)]
struct State {
    units: HashMap<String, (Key, Vec<String>)>,
    stamps: HashMap<String, Stamp>,
}

const STATE_HEADER: &str = "hindsight-site-state 1";

fn state_key() -> String {
    format!(
        "{STATE_HEADER} {} {}",
        env!("CARGO_PKG_VERSION"),
        env!("HINDSIGHT_SOURCE_DIGEST")
    )
}

fn manifest_digest(text: &str) -> String {
    hash(text.as_bytes())
}

impl State {
    /// The state in `file`, if it goes with `site`'s manifest as it is now.
    fn read(file: &Path, site: &Path) -> Option<State> {
        let text = std::fs::read_to_string(file).ok()?;
        let manifest = std::fs::read_to_string(site.join(MANIFEST)).ok()?;
        let mut lines = text.lines();
        (lines.next()? == state_key()).then_some(())?;
        (lines.next()?.strip_prefix("manifest ")? == manifest_digest(&manifest)).then_some(())?;
        let mut state = State::default();
        for line in lines {
            let mut f = line.split('\t');
            match f.next()? {
                "s" => {
                    let (size, mtime) = (f.next()?.parse().ok()?, f.next()?.parse().ok()?);
                    state.stamps.insert(f.next()?.to_string(), (size, mtime));
                }
                "u" => {
                    let key = unhex(f.next()?)?;
                    let unit = f.next()?.to_string();
                    state
                        .units
                        .insert(unit, (key, f.map(str::to_string).collect()));
                }
                _ => return None,
            }
        }
        Some(state)
    }

    fn render(&self, manifest: &str) -> String {
        let mut out = format!("{}\nmanifest {}\n", state_key(), manifest_digest(manifest));
        let plain = |p: &str| !p.contains(['\t', '\n', '\r']);
        let mut stamps: Vec<_> = self.stamps.iter().filter(|(p, _)| plain(p)).collect();
        stamps.sort();
        for (p, (size, mtime)) in stamps {
            out.push_str(&format!("s\t{size}\t{mtime}\t{p}\n"));
        }
        let mut units: Vec<_> = self.units.iter().collect();
        units.sort_by(|a, b| a.0.cmp(b.0));
        for (unit, (key, files)) in units {
            if plain(unit) && files.iter().all(|f| plain(f)) {
                let key: String = key.iter().map(|b| format!("{b:02x}")).collect();
                out.push_str(&format!("u\t{key}\t{unit}"));
                for f in files {
                    out.push('\t');
                    out.push_str(f);
                }
                out.push('\n');
            }
        }
        out
    }
}

fn unhex(s: &str) -> Option<Key> {
    let mut key = [0; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// Writes into a folder, remembering each file's hash and each unit's key. Updating a
/// site in place, the folder is a staging one and only files whose bytes differ from
/// the site's are written; units the site holds as made from the same inputs are kept.
struct DirSink<'t> {
    root: PathBuf,
    written: Mutex<BTreeMap<String, String>>,
    /// Folders already made: asking again is two system calls per page.
    made: Mutex<BTreeSet<PathBuf>>,
    units: Mutex<HashMap<String, (Key, Vec<String>)>>,
    update: Option<(&'t Inspection, &'t State)>,
}

impl DirSink<'_> {
    /// True when `path` in the site being updated holds exactly the bytes hashing to `h`.
    fn same_in_site(&self, path: &str, h: &str) -> bool {
        self.update.is_some_and(|(ins, _)| {
            ins.intact.contains_key(path) && ins.manifest.get(path).is_some_and(|m| m == h)
        })
    }
}

impl Sink for DirSink<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let h = hash(bytes);
        if self.same_in_site(path, &h) {
            self.written
                .lock()
                .expect("lock")
                .insert(path.to_string(), h);
            return Ok(());
        }
        let full = self.root.join(path);
        if let Some(parent) = full.parent() {
            let mut made = self.made.lock().expect("lock");
            if !made.contains(parent) {
                std::fs::create_dir_all(parent)?;
                made.insert(parent.to_path_buf());
            }
        }
        std::fs::write(&full, bytes)?;
        self.written
            .lock()
            .expect("lock")
            .insert(path.to_string(), h);
        Ok(())
    }

    fn reuse(&self, unit: &str, key: &Key) -> bool {
        let Some((ins, state)) = self.update else {
            return false;
        };
        let Some((last, files)) = state.units.get(unit) else {
            return false;
        };
        if last != key || !files.iter().all(|f| ins.intact.contains_key(f)) {
            return false;
        }
        let mut written = self.written.lock().expect("lock");
        for f in files {
            if let Some(h) = ins.manifest.get(f) {
                written.insert(f.clone(), h.clone());
            }
        }
        drop(written);
        self.units
            .lock()
            .expect("lock")
            .insert(unit.to_string(), (*key, files.clone()));
        true
    }

    fn made(&self, unit: &str, key: &Key, files: Vec<String>) {
        self.units
            .lock()
            .expect("lock")
            .insert(unit.to_string(), (*key, files));
    }

    fn sizes(&self, unit: &str) -> (usize, usize) {
        let Some((ins, state)) = self.update else {
            return (0, 0);
        };
        let files = state.units.get(unit).map_or(&[][..], |(_, f)| &f[..]);
        let bytes = files
            .iter()
            .filter_map(|f| ins.intact.get(f))
            .map(|(size, _)| *size as usize)
            .sum();
        (files.len(), bytes)
    }
}

/// What publishing did besides writing pages.
#[derive(Debug, Default)]
pub struct Published {
    pub summary: Summary,
    /// Files hindsight did not write, kept in the new site (`--force`).
    pub kept: Vec<String>,
    /// Generated files edited by hand, replaced (`--force`).
    pub replaced: Vec<String>,
    /// Files whose content the build changed, added or removed.
    pub changed: usize,
}

fn sibling(site: &Path, what: &str) -> PathBuf {
    let name = site
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    site.with_file_name(format!(".{name}.hindsight-{what}"))
}

/// Build the site into `site` with `render`, safely (see the module notes).
pub fn publish(
    site: &Path,
    force: bool,
    render: impl FnOnce(&dyn Sink) -> Result<Summary, SiteError>,
) -> Result<Published, SiteError> {
    Target::open(site, force, None)?.render(render)?.commit()
}

/// A site folder a build may write: leftovers of killed builds cleared, and what is in
/// it inspected. Nothing has been written when this refuses.
pub struct Target {
    site: PathBuf,
    fresh: PathBuf,
    ins: Inspection,
    /// Where the state for the next build goes (see `State`), if anywhere.
    state_file: Option<PathBuf>,
    /// The last build's state, when it goes with the site as it is: the build then
    /// updates the site in place, writing only what changed.
    last: Option<State>,
}

/// A site rendered beside the folder it will replace, ready to swap in. Dropped
/// without `commit`, the rendered folder is removed and the old site stays.
pub struct Rendered {
    target: Target,
    summary: Summary,
    written: BTreeMap<String, String>,
    units: HashMap<String, (Key, Vec<String>)>,
    committed: bool,
}

impl Target {
    /// Refuses a folder holding files hindsight did not write, or pages edited since,
    /// unless `force`; that error comes before anything is written.
    /// With a `state_file`, a build whose last state is there and still holds updates
    /// the site in place and leaves the state for the next.
    pub fn open(site: &Path, force: bool, state_file: Option<&Path>) -> Result<Target, SiteError> {
        // A site folder that is a link (to a web root, say) is built where it points:
        // the swap renames folders, and renaming the link itself would leave the linked
        // folder to be emptied as the "previous" site.
        let site = resolve_link(site)?;
        // Folders a killed build left beside the site: a half-built one (marked), or
        // the previous site on its way out (it has a manifest). A lost site goes back.
        let fresh = sibling(&site, "new");
        let old = sibling(&site, "old");
        if !site.exists() && read_manifest(&old).is_some() {
            std::fs::rename(&old, &site).map_err(io(&site))?;
        }
        // An update in place that was moving its files in: finish it.
        if fresh.join(UPDATING).exists() && !fresh.join(IN_PROGRESS).exists() {
            finish_update(&site, &fresh)?;
        }
        for leftover in [&fresh, &old] {
            if std::fs::symlink_metadata(leftover).is_ok() {
                discard(leftover)?;
            }
        }
        let exists = site.exists();
        if exists && !site.is_dir() {
            return Err(SiteError::Output(format!(
                "{}: not a folder",
                site.display()
            )));
        }
        let last = state_file
            .filter(|_| exists)
            .and_then(|f| State::read(f, &site));
        let ins = if exists {
            inspect_with(&site, last.as_ref().map(|s| &s.stamps))
        } else {
            Inspection::default()
        };
        let clean = ins.foreign.is_empty() && ins.edited.is_empty();
        if !(force || clean) {
            return Err(refusal(&site, &ins));
        }
        Ok(Target {
            site,
            fresh,
            ins,
            state_file: state_file.map(Path::to_path_buf),
            last,
        })
    }

    /// Render the new site into a fresh folder beside the old one.
    pub fn render(
        self,
        render: impl FnOnce(&dyn Sink) -> Result<Summary, SiteError>,
    ) -> Result<Rendered, SiteError> {
        let fresh = &self.fresh;
        std::fs::create_dir_all(fresh).map_err(io(fresh))?;
        std::fs::write(fresh.join(IN_PROGRESS), b"").map_err(io(fresh))?;
        let sink = DirSink {
            root: fresh.clone(),
            written: Mutex::new(BTreeMap::new()),
            made: Mutex::new(BTreeSet::new()),
            units: Mutex::new(HashMap::new()),
            update: self.last.as_ref().map(|s| (&self.ins, s)),
        };
        let summary = match render(&sink) {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(fresh);
                return Err(e);
            }
        };
        let written = sink.written.into_inner().expect("lock");
        let units = sink.units.into_inner().expect("lock");
        Ok(Rendered {
            target: self,
            summary,
            written,
            units,
            committed: false,
        })
    }
}

impl Rendered {
    /// Put the new site in place: swapped in whole, files hindsight did not write
    /// moved into it (`--force`); or, updating in place, the changed files moved in and
    /// those no longer made removed. Then the state for the next build is written.
    pub fn commit(mut self) -> Result<Published, SiteError> {
        self.committed = true;
        let Target {
            site,
            fresh,
            ins,
            state_file,
            last,
        } = &self.target;
        let mut written = std::mem::take(&mut self.written);
        // Files we did not write stay; where one has the same path as a generated
        // page, the user's file wins. The manifest is written and the in-progress mark
        // removed first: a run killed while moving them leaves them in a folder the
        // next run will not delete.
        for f in ins.foreign.iter().chain(&ins.kept) {
            written.insert(f.clone(), KEPT.to_string());
        }
        let manifest = render_manifest(&written);
        let changed = changes(&ins.manifest, &written);
        // Every file as the manifest has it, on disk as written (none staged: a page
        // deleted or edited by hand is put back), and the manifest the same.
        let unchanged_site = last.is_some()
            && changed == 0
            && written
                .iter()
                .all(|(f, h)| h == KEPT || ins.intact.contains_key(f))
            && std::fs::read_to_string(site.join(MANIFEST)).ok().as_deref() == Some(&manifest);
        if unchanged_site {
            // Nothing to move in, and the manifest is as it was: the site stays untouched.
            std::fs::remove_dir_all(fresh).map_err(io(fresh))?;
        } else if last.is_some() {
            std::fs::write(fresh.join(MANIFEST), &manifest).map_err(io(fresh))?;
            std::fs::write(fresh.join(UPDATING), b"").map_err(io(fresh))?;
            std::fs::remove_file(fresh.join(IN_PROGRESS)).map_err(io(fresh))?;
            finish_update(site, fresh)?;
        } else {
            std::fs::write(fresh.join(MANIFEST), &manifest).map_err(io(fresh))?;
            std::fs::remove_file(fresh.join(IN_PROGRESS)).map_err(io(fresh))?;
            move_into(site, fresh, ins)?;
            swap(site, fresh, &ins.manifest)?;
        }
        let same = last
            .as_ref()
            .is_some_and(|l| changed == 0 && l.units == self.units);
        if let Some(file) = state_file.as_deref().filter(|_| !same) {
            // Best effort: without a state the next build renders everything again.
            let state = State {
                stamps: stamps_after(site, ins, &written, last.is_some()),
                units: std::mem::take(&mut self.units),
            };
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = crate::fsio::write_generated(file, state.render(&manifest).as_bytes());
        }
        let kept = ins.foreign.clone();
        Ok(Published {
            summary: std::mem::take(&mut self.summary),
            kept,
            replaced: ins.edited.clone(),
            changed,
        })
    }
}

/// Files hindsight did not write, moved from the old site into the new one (`--force`).
fn move_into(site: &Path, fresh: &Path, ins: &Inspection) -> Result<(), SiteError> {
    for f in ins.foreign.iter().chain(&ins.kept) {
        let to = fresh.join(f);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let _ = std::fs::remove_file(&to);
        std::fs::rename(site.join(f), &to).map_err(io(&site.join(f)))?;
    }
    Ok(())
}

/// How many files differ between manifests `old` and `new` (changed, added, removed).
fn changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> usize {
    let changed = new.iter().filter(|(f, h)| old.get(*f) != Some(*h)).count();
    changed + old.keys().filter(|f| !new.contains_key(*f)).count()
}

/// The stamp of every generated file of the new site: as inspected for files an
/// update left alone, looked up for the rest.
fn stamps_after(
    site: &Path,
    ins: &Inspection,
    written: &BTreeMap<String, String>,
    in_place: bool,
) -> HashMap<String, Stamp> {
    use rayon::prelude::*;
    written
        .par_iter()
        .filter(|(_, h)| *h != KEPT)
        .filter_map(|(f, h)| {
            let untouched = in_place && ins.manifest.get(f) == Some(h);
            let stamp = match ins.intact.get(f) {
                Some(s) if untouched => Some(*s),
                _ => crate::search::stamps::stamp(&site.join(f)),
            };
            Some((f.clone(), stamp?))
        })
        .collect()
}

/// Finish updating `site` in place from the staging folder `fresh`, which holds the
/// changed files and the new manifest: move the files in, remove the files the old
/// manifest lists and the new one does not, then move the manifest in. Each step can be
/// done again, so a run killed halfway is finished by the next.
fn finish_update(site: &Path, fresh: &Path) -> Result<(), SiteError> {
    use rayon::prelude::*;
    let Some(next) = read_manifest(fresh) else {
        // The manifest was moved in already: only the folder is left.
        return std::fs::remove_dir_all(fresh).map_err(io(fresh));
    };
    let old = read_manifest(site).unwrap_or_default();
    let real_dirs = Mutex::new(BTreeSet::new());
    let staged: Vec<String> = files_under(fresh)
        .into_iter()
        .filter(|f| ![MANIFEST, UPDATING, IN_PROGRESS].contains(&f.as_str()))
        .collect();
    let made = Mutex::new(BTreeSet::new());
    staged.par_iter().try_for_each(|f| {
        let (from, to) = (fresh.join(f), site.join(f));
        // The user's file of the same name wins, as it does in a swapped site.
        if next.get(f).is_some_and(|h| h == KEPT) {
            return std::fs::remove_file(&from).map_err(io(&from));
        }
        if let Some(parent) = to.parent()
            && !made.lock().expect("lock").contains(parent)
        {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            made.lock().expect("lock").insert(parent.to_path_buf());
        }
        if !parents_are_folders(site, f, &real_dirs) {
            return Err(SiteError::Output(format!(
                "{}: a link where the site has a folder; hindsight writes only into folders it made",
                to.display()
            )));
        }
        std::fs::rename(&from, &to).map_err(io(&to))
    })?;
    let gone: Vec<&String> = old
        .iter()
        .filter(|(f, h)| *h != KEPT && !next.contains_key(*f))
        .map(|(f, _)| f)
        .collect();
    gone.par_iter().for_each(|f| {
        if parents_are_folders(site, f, &real_dirs) {
            let _ = std::fs::remove_file(site.join(f));
        }
    });
    // Folders the removed files leave empty go too (never the site itself).
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for f in &gone {
        let mut at = Path::new(f.as_str());
        while let Some(p) = at.parent().filter(|p| !p.as_os_str().is_empty()) {
            dirs.insert(site.join(p));
            at = p;
        }
    }
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
    std::fs::rename(fresh.join(MANIFEST), site.join(MANIFEST)).map_err(io(site))?;
    std::fs::remove_dir_all(fresh).map_err(io(fresh))
}

impl Drop for Rendered {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.target.fresh);
        }
    }
}

/// The error for a site folder holding what a build must not lose.
fn refusal(site: &Path, ins: &Inspection) -> SiteError {
    let mut list: Vec<&String> = ins.foreign.iter().chain(&ins.edited).collect();
    let more = list.len().saturating_sub(5);
    list.truncate(5);
    let names: Vec<String> = list
        .iter()
        .map(|f| site.join(f).display().to_string())
        .collect();
    SiteError::Output(format!(
        "{}: holds {} file(s) hindsight did not write or that were edited since ({}{}); \
         nothing was changed. Move them away, or build with --force to keep them in the new site",
        site.display(),
        ins.foreign.len() + ins.edited.len(),
        names.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    ))
}

/// `site`, or where it points when it is a symbolic link (which must be a folder).
fn resolve_link(site: &Path) -> Result<PathBuf, SiteError> {
    let is_link = std::fs::symlink_metadata(site).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(site.to_path_buf());
    }
    match std::fs::canonicalize(site) {
        Ok(p) if p.is_dir() => Ok(p),
        Ok(p) => Err(SiteError::Output(format!(
            "{}: a link to {}, which is not a folder",
            site.display(),
            p.display()
        ))),
        Err(_) => Err(SiteError::Output(format!(
            "{}: a link to a folder that does not exist; make the folder or remove the link",
            site.display()
        ))),
    }
}

/// Put `fresh` in place of `site`, then delete what the old manifest listed. On Linux
/// the two folders are exchanged in one step, so there is never a moment without a
/// site; elsewhere the old one is renamed aside first.
fn swap(
    site: &Path,
    fresh: &Path,
    old_manifest: &BTreeMap<String, String>,
) -> Result<(), SiteError> {
    if !site.exists() {
        return std::fs::rename(fresh, site).map_err(io(site));
    }
    let previous = if exchange(site, fresh).is_ok() {
        fresh.to_path_buf()
    } else {
        let old = sibling(site, "old");
        std::fs::rename(site, &old).map_err(io(site))?;
        if let Err(e) = std::fs::rename(fresh, site) {
            // Put the old site back before reporting.
            let _ = std::fs::rename(&old, site);
            return Err(SiteError::Io(site.to_path_buf(), e));
        }
        old
    };
    remove_listed(&previous, old_manifest);
    if previous.exists() {
        return Err(SiteError::Output(format!(
            "{}: the previous site, kept because it still holds files hindsight did not write",
            previous.display()
        )));
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Remove the files `manifest` lists from `dir`, then the manifest, then folders left
/// empty: the manifest goes last, so a run killed halfway can finish the job.
fn remove_listed(dir: &Path, manifest: &BTreeMap<String, String>) {
    use rayon::prelude::*;
    // The user's files (kept by `--force`) are never deleted.
    let listed: Vec<&String> = manifest
        .iter()
        .filter(|(_, h)| *h != KEPT)
        .map(|(f, _)| f)
        .collect();
    let real_dirs = Mutex::new(BTreeSet::new());
    listed.par_iter().for_each(|f| {
        // Never through a link: a folder replaced by a link to elsewhere must not have
        // the files of that elsewhere removed.
        if parents_are_folders(dir, f, &real_dirs) {
            let _ = std::fs::remove_file(dir.join(f));
        }
    });
    let _ = std::fs::remove_file(dir.join(MANIFEST));
    remove_empty_dirs(dir);
}

/// True when every folder between `dir` and the file `rel` is a real folder, not a
/// link; `known` remembers folders already seen to be real.
fn parents_are_folders(dir: &Path, rel: &str, known: &Mutex<BTreeSet<PathBuf>>) -> bool {
    let mut at = dir.to_path_buf();
    let Some((parents, _)) = rel.rsplit_once('/') else {
        return true;
    };
    for seg in parents.split('/') {
        at.push(seg);
        if known.lock().expect("lock").contains(&at) {
            continue;
        }
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_dir() => {
                known.lock().expect("lock").insert(at.clone());
            }
            _ => return false,
        }
    }
    true
}

/// Remove a folder a killed build left: all of a half-built one (everything in it was
/// rendered), the listed files of a previous site; anything else is not ours.
fn discard(dir: &Path) -> Result<(), SiteError> {
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        // Only a person (or a hindsight older than 0.2 swapping a linked site) makes a
        // link here; what it points to is not ours to clear.
        return Err(SiteError::Output(format!(
            "{}: a link, not a folder hindsight left; if it was your site folder's link, move it back",
            dir.display()
        )));
    }
    if dir.join(IN_PROGRESS).exists() {
        return std::fs::remove_dir_all(dir).map_err(io(dir));
    }
    if let Some(manifest) = read_manifest(dir) {
        remove_listed(dir, &manifest);
    } else {
        remove_empty_dirs(dir);
    }
    if dir.exists() {
        return Err(SiteError::Output(format!(
            "{}: left from an earlier build and holds files hindsight did not write; move them and build again",
            dir.display()
        )));
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&e.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// Compares rendered files with a folder, writing nothing.
struct CheckSink {
    root: PathBuf,
    produced: Mutex<BTreeMap<String, String>>,
    stale: Mutex<BTreeSet<String>>,
}

impl Sink for CheckSink {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        if std::fs::read(self.root.join(path)).ok().as_deref() != Some(bytes) {
            self.stale.lock().expect("lock").insert(path.to_string());
        }
        self.produced
            .lock()
            .expect("lock")
            .insert(path.to_string(), hash(bytes));
        Ok(())
    }
}

/// Files of `site` that a build would change, add or remove (sorted).
pub fn check(
    site: &Path,
    render: impl FnOnce(&dyn Sink) -> Result<Summary, SiteError>,
) -> Result<Vec<String>, SiteError> {
    let sink = CheckSink {
        root: site.to_path_buf(),
        produced: Mutex::new(BTreeMap::new()),
        stale: Mutex::new(BTreeSet::new()),
    };
    render(&sink)?;
    let mut produced = sink.produced.into_inner().expect("lock");
    let mut stale = sink.stale.into_inner().expect("lock");
    let manifest = read_manifest(site).unwrap_or_default();
    for (f, h) in &manifest {
        if h == KEPT && site.join(f).is_file() {
            // The user's file wins over a page of the same name, as a build does.
            stale.remove(f);
            produced.insert(f.clone(), KEPT.to_string());
        }
    }
    for f in manifest.keys() {
        if !produced.contains_key(f) {
            stale.insert(f.clone());
        }
    }
    if std::fs::read_to_string(site.join(MANIFEST)).ok() != Some(render_manifest(&produced)) {
        stale.insert(MANIFEST.to_string());
    }
    Ok(stale.into_iter().collect())
}
