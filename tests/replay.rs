//! Replay tests: for each incident, a small repository in the broken state the
//! postmortem describes and its fixed twin. Rules compiled from the postmortems must
//! flag every broken twin (citing the right incident) and pass every fixed twin with
//! zero findings from all rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use hindsight::check::{self, Finding, Options};
use hindsight::kb::KnowledgeBase;
use hindsight::owned;
use hindsight::rules::agents::{Budget, Settings};
use hindsight::rules::generate::generate;

/// A knowledge base of the postmortems in `dirs`, with its rules compiled.
fn compiled(dirs: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let kb_dir = tempfile::tempdir().unwrap();
    let inc = kb_dir.path().join("incidents");
    std::fs::create_dir(&inc).unwrap();
    for d in dirs {
        for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(d)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), inc.join(e.file_name())).unwrap();
        }
    }
    let kb = KnowledgeBase::new(kb_dir.path());
    let loaded: Vec<_> = kb
        .postmortem_files(&[inc])
        .unwrap()
        .iter()
        .map(|f| kb.load(f).unwrap())
        .collect();
    let g = generate(
        &kb,
        &loaded,
        &Settings {
            out: kb_dir.path().join("agents"),
            targets: Vec::new(),
            budget: Budget::default(),
        },
    )
    .unwrap();
    owned::apply(&owned::plan(&g.files, &g.owned_dirs)).unwrap();
    let rules = kb.rules_dir();
    (kb_dir, rules)
}

/// A twin's files: path and content.
type Files = Vec<(&'static str, Content)>;

enum Content {
    Text(&'static str),
    Bytes(usize),
}

fn twin(files: &[(&str, Content)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (rel, c) in files {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        match c {
            Content::Text(t) => std::fs::write(&p, t).unwrap(),
            Content::Bytes(n) => std::fs::write(&p, "x".repeat(*n)).unwrap(),
        }
    }
    d
}

fn run(rules: &Path, target: &Path) -> Vec<Finding> {
    run_at(rules, target, None)
}

/// The findings at `stage` (None: every stage but the server's, as `check` runs).
fn run_at(rules: &Path, target: &Path, stage: Option<hindsight::rules::Stage>) -> Vec<Finding> {
    let loaded = check::load_rules(rules).unwrap();
    let opts = Options {
        allow_commands: true,
        stage,
        ..Options::default()
    };
    check::check(&loaded, target, &opts).unwrap().findings
}

fn assert_flags(rules: &Path, target: &Path, incident: &str, what: &str) {
    let f = run(rules, target);
    assert!(
        f.iter()
            .any(|f| f.incidents.iter().any(|i| i == incident) && !f.unevaluated),
        "{what}: expected a finding citing {incident}, got {f:#?}"
    );
}

fn assert_clean(rules: &Path, target: &Path, what: &str) {
    let f = run(rules, target);
    assert!(
        f.is_empty(),
        "{what}: the fixed twin must pass every rule, got {f:#?}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

use Content::{Bytes, Text};

#[test]
fn seeds_rsync_delete() {
    let (_kb, rules) = compiled(&["incidents"]);
    // The incident's deploy synced into the folder a server runs from, then restarted it.
    let broken = twin(&[(
        "deploy.sh",
        Text(
            "#!/bin/sh\nset -e\nnpm ci\nrsync -avz --delete dist/ host:/var/www/app/\nssh host 'pm2 restart app'\n",
        ),
    )]);
    let fixed = twin(&[(
        "deploy.sh",
        Text(
            "#!/bin/sh\nset -e\nnpm ci\nrsync -avz dist/ host:/var/www/app/\nssh host 'pm2 restart app'\n",
        ),
    )]);
    // A static site mirrored into a web root it owns alone: no server, no alarm.
    let mirror = twin(&[(
        "Makefile",
        Text("deploy:\n\thugo && rsync -avz --delete public/ web:/srv/www/site/\n"),
    )]);
    assert_clean(&rules, mirror.path(), "a static mirror");
    assert_flags(
        &rules,
        broken.path(),
        "2025-10-16-fluxstudio-rsync-delete-outage",
        "rsync --delete",
    );
    assert_clean(&rules, fixed.path(), "rsync without --delete");
}

#[test]
fn seeds_missing_worker() {
    let (_kb, rules) = compiled(&["incidents"]);
    let base = [
        ("dist/_routes.json", Text("{\"version\":1}\n")),
        ("dist/static/app.js", Text("console.log(1)\n")),
    ];
    let missing = twin(&base);
    let stub = twin(&[
        base[0].clone_text(),
        base[1].clone_text(),
        ("dist/_worker.js", Bytes(1024)),
    ]);
    let fixed = twin(&[
        base[0].clone_text(),
        base[1].clone_text(),
        ("dist/_worker.js", Bytes(150_000)),
    ]);
    let id = "2026-01-02-cloudflare-pages-missing-worker";
    assert_flags(&rules, missing.path(), id, "no _worker.js");
    assert_flags(&rules, stub.path(), id, "1 KB stub _worker.js");
    assert_clean(&rules, fixed.path(), "150 KB _worker.js");
}

trait CloneText {
    fn clone_text(&self) -> (&'static str, Content);
}

impl CloneText for (&'static str, Content) {
    fn clone_text(&self) -> (&'static str, Content) {
        match &self.1 {
            Text(t) => (self.0, Text(t)),
            Bytes(n) => (self.0, Bytes(*n)),
        }
    }
}

#[test]
fn seeds_process_manager_conflict() {
    let (_kb, rules) = compiled(&["incidents"]);
    let unit = "[Unit]\nDescription=massage-shop\n[Service]\nExecStart=/usr/bin/node server.js\nRestart=always\n";
    let broken = twin(&[
        ("deploy/massage-shop.service", Text(unit)),
        (
            "scripts/restart.sh",
            Text("#!/bin/sh\nssh app@host 'cd /opt/massage-shop && pm2 restart massage-shop'\n"),
        ),
    ]);
    let fixed = twin(&[
        ("deploy/massage-shop.service", Text(unit)),
        (
            "scripts/restart.sh",
            Text("#!/bin/sh\nssh app@host 'sudo systemctl restart massage-shop'\n"),
        ),
    ]);
    assert_flags(
        &rules,
        broken.path(),
        "2025-08-15-pm2-systemd-process-manager-conflict",
        "pm2 beside systemd",
    );
    assert_clean(&rules, fixed.path(), "systemd only");
}

#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn seeds_server_drift() {
    if !have("git") {
        eprintln!("skipped: git is not installed");
        return;
    }
    let (_kb, rules) = compiled(&["incidents"]);
    let repo = |edit: bool| {
        let d = twin(&[(
            "backend/middleware/csrf-protection.js",
            Text("module.exports = () => 'ok';\n"),
        )]);
        git(d.path(), &["init", "-q"]);
        git(d.path(), &["add", "."]);
        git(d.path(), &["commit", "-q", "-m", "init"]);
        if edit {
            std::fs::write(
                d.path().join("backend/middleware/csrf-protection.js"),
                "module.exports = () => 'ok'';\n",
            )
            .unwrap();
        }
        d
    };
    let broken = repo(true);
    let fixed = repo(false);
    let server = Some(hindsight::rules::Stage::Server);
    let f = run_at(&rules, broken.path(), server);
    assert!(
        f.iter()
            .any(|f| f.path == "backend/middleware/csrf-protection.js"
                && f.incidents
                    .iter()
                    .any(|i| i == "2025-08-15-server-crash-loop-code-desync")),
        "uncommitted edit on the server: {f:#?}"
    );
    assert!(
        run_at(&rules, fixed.path(), server).is_empty(),
        "clean checkout"
    );
    // A developer's checkout with work in progress is not drift: not judged by default.
    assert_clean(
        &rules,
        broken.path(),
        "work in progress at the commit and deploy stages",
    );
}

#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn seeds_untested_backend_deploy() {
    if !have("npm") {
        eprintln!("skipped: npm is not installed");
        return;
    }
    let (_kb, rules) = compiled(&["incidents"]);
    let pkg = "{\"name\":\"server\",\"version\":\"1.0.0\",\"private\":true,\"scripts\":{\"build\":\"node build.js\"}}\n";
    let build = "require('./src/workers/leadsSync.js');\nconsole.log('built');\n";
    let broken = twin(&[
        ("package.json", Text(pkg)),
        ("build.js", Text(build)),
        (
            "src/workers/leadsSync.js",
            Text("function sync( {\n  return 1;\n}\n"),
        ),
    ]);
    let fixed = twin(&[
        ("package.json", Text(pkg)),
        ("build.js", Text(build)),
        (
            "src/workers/leadsSync.js",
            Text("function sync() {\n  return 1;\n}\nmodule.exports = sync;\n"),
        ),
    ]);
    assert_flags(
        &rules,
        broken.path(),
        "2026-02-04-backend-deploy-without-local-testing",
        "npm run build fails",
    );
    assert_clean(&rules, fixed.path(), "npm run build passes");

    // The same broken build in server/, the package that defines `build`: found there.
    let in_server = twin(&[
        ("server/package.json", Text(pkg)),
        ("server/build.js", Text(build)),
        (
            "server/src/workers/leadsSync.js",
            Text("function sync( {\n  return 1;\n}\n"),
        ),
    ]);
    let f = run(&rules, in_server.path());
    assert!(
        f.iter().any(|f| f.path == "server" && !f.unevaluated),
        "npm run build fails in server/: {f:#?}"
    );
    // A package without a build script is not what the lesson is about: no
    // "Missing script" alarm.
    let no_build = twin(&[(
        "package.json",
        Text("{\"name\":\"api\",\"scripts\":{\"start\":\"pm2 start app.js\"}}\n"),
    )]);
    assert_clean(&rules, no_build.path(), "a package without a build script");
}

/// Postmortems written for these tests, in the seeds' styles, about other mistakes.
#[test]
fn other_deploy_mistakes() {
    let (_kb, rules) = compiled(&["incidents", "tests/cmd/search.in/incidents"]);
    let cases: [(&str, Files, Files); 5] = [
        (
            "2025-11-03-terraform-destroy-wiped-staging",
            vec![(
                "ci/teardown.sh",
                Text("#!/bin/sh\nterraform destroy -auto-approve -var env=$ENV\n"),
            )],
            vec![(
                "ci/teardown.sh",
                Text("#!/bin/sh\nterraform plan -var env=$ENV\n"),
            )],
        ),
        (
            "2025-12-11-release-missing-migrations",
            vec![(
                "release/migrations/001_currency.sql",
                Text("ALTER TABLE orders ADD currency text;\n"),
            )],
            vec![
                (
                    "release/migrations/001_currency.sql",
                    Text("ALTER TABLE orders ADD currency text;\n"),
                ),
                (
                    "release/migrations/manifest.json",
                    Text("[\"001_currency.sql\"]\n"),
                ),
            ],
        ),
        (
            "2026-03-02-latest-tag-rollout",
            vec![(
                "k8s/deployment.yaml",
                Text(
                    "spec:\n  containers:\n    - name: api\n      image: registry.example.com/api:latest\n",
                ),
            )],
            vec![(
                "k8s/deployment.yaml",
                Text(
                    "spec:\n  containers:\n    - name: api\n      image: registry.example.com/api:4.2.0\n",
                ),
            )],
        ),
        (
            "2026-04-19-force-push-erased-commits",
            vec![(
                "scripts/release.sh",
                Text("#!/bin/sh\ngit push --force origin release:main\n"),
            )],
            vec![(
                "scripts/release.sh",
                Text("#!/bin/sh\ngit push --force-with-lease origin feature/tidy\n"),
            )],
        ),
        (
            "2026-05-30-debug-left-on",
            vec![(
                ".env.production",
                Text("DATABASE_URL=postgres://db/app\nDEBUG=true\n"),
            )],
            vec![(
                ".env.production",
                Text("DATABASE_URL=postgres://db/app\nDEBUG=false\n"),
            )],
        ),
    ];
    for (incident, broken, fixed) in cases {
        let b = twin(&broken);
        let f = twin(&fixed);
        assert_flags(&rules, b.path(), incident, incident);
        assert_clean(&rules, f.path(), incident);
    }
    // A lesson that names nothing checkable stays an agent rule.
    let cert = std::fs::read_dir(&rules)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains("Alert 21 days before a certificate expires"))
        .expect("an agent rule for the certificate lesson");
    assert!(!cert.contains("[[guard]]"), "{cert}");
}

/// A copy of `from` (dotfiles included) in a fresh folder, committed as a repository
/// of its own (ignored files forced in, as the fixtures' README says they are).
fn checkout(from: &Path) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dest = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).unwrap();
            }
        }
    }
    let d = tempfile::tempdir().unwrap();
    copy(from, d.path());
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "-A", "-f"]);
    git(d.path(), &["commit", "-q", "-m", "twin"]);
    d
}

/// The folders in `rel` (from the crate root), sorted.
fn folders_in(rel: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every fixture in tests/replay: rules compiled from the bundled postmortems and the
/// labelled ones in tests/gold/docs catch the broken twin, citing the fixture's own
/// postmortem, and find nothing at all in the fixed twin.
#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn gold_replay_fixtures() {
    if !have("git") {
        eprintln!("skipped: no git");
        return;
    }
    let (_kb, rules) = compiled(&["incidents", "tests/gold/docs"]);
    let fixtures = folders_in("tests/replay");
    assert_eq!(fixtures.len(), 5, "{fixtures:?}");
    for f in fixtures {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        let broken = checkout(&f.join("broken"));
        let fixed = checkout(&f.join("fixed"));
        assert_flags(&rules, broken.path(), &name, &name);
        assert_clean(&rules, fixed.path(), &name);
    }
}

/// The healthy repositories in miniature (tests/healthy) sit next to the lessons of the
/// labelled postmortems (a developer's `prisma migrate reset`, debug on in
/// `.env.example`, rsync into a web root the site owns): rules compiled from them and
/// the bundled postmortems report nothing there.
#[test]
#[allow(clippy::print_stderr)] // says what it could not check here
fn healthy_miniatures_stay_clean_under_every_compiled_rule() {
    if !have("git") {
        eprintln!("skipped: no git");
        return;
    }
    let (_kb, rules) = compiled(&["incidents", "tests/gold/docs"]);
    let repos = folders_in("tests/healthy");
    assert!(repos.len() >= 5, "{repos:?}");
    // As `hindsight check` runs by default (healthy.sh too): commands are not run.
    let loaded = check::load_rules(&rules).unwrap();
    for r in repos {
        let copy = checkout(&r);
        let f = check::check(&loaded, copy.path(), &Options::default())
            .unwrap()
            .findings;
        assert!(f.is_empty(), "{}: {f:#?}", r.display());
    }
}
