use super::*;
use crate::ingest;

fn seeds() -> Vec<(Incident, String)> {
    let dir = format!("{}/incidents", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let ing = ingest::ingest(&std::fs::read(format!("{dir}/{n}")).unwrap()).unwrap();
            (
                Incident::from_text(&format!("incidents/{n}"), &ing),
                ing.text,
            )
        })
        .collect()
}

fn compile_seeds() -> Vec<Rule> {
    let s = seeds();
    let inputs: Vec<Input> = s
        .iter()
        .map(|(i, t)| Input {
            incident: i,
            text: t,
        })
        .collect();
    let (rules, errors) = compile(&inputs);
    assert!(errors.is_empty(), "{errors:?}");
    rules
}

fn find<'a>(rules: &'a [Rule], id: &str) -> &'a Rule {
    rules.iter().find(|r| r.id == id).unwrap_or_else(|| {
        panic!(
            "no rule {id}: {:?}",
            rules.iter().map(|r| &r.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn seed_guards() {
    let rules = compile_seeds();
    let rsync = find(&rules, "no-rsync-delete");
    assert_eq!(
        rsync.incidents,
        ["2025-10-16-fluxstudio-rsync-delete-outage"]
    );
    assert!(
        rsync.sources.len() >= 2,
        "lesson and fix merge: {:?}",
        rsync.sources
    );
    let worker = find(&rules, "require-dist-worker-js");
    assert!(
        matches!(&worker.guards[0].check, Check::RequireFile { min_size: Some(s), .. } if s.0 == 100_000)
    );
    assert_eq!(
        worker.incidents,
        ["2026-01-02-cloudflare-pages-missing-worker"]
    );
    let pm2 = find(&rules, "no-pm2");
    assert_eq!(
        pm2.incidents,
        ["2025-08-15-pm2-systemd-process-manager-conflict"]
    );
    let drift = find(&rules, "no-uncommitted-server-changes");
    assert_eq!(
        drift.incidents,
        ["2025-08-15-server-crash-loop-code-desync"]
    );
    // `Run npm run build` is a step of "test backend locally": checked for that lesson,
    // never a rule of its own.
    let local = find(&rules, "always-test-backend-locally-before-deploying");
    assert!(
        local.guards.iter().any(
            |g| matches!(&g.check, Check::Command { argv, .. } if argv.join(" ") == "npm run build")
        ),
        "{local:#?}"
    );
    assert!(
        local
            .steps
            .iter()
            .any(|s| s.contains("Test endpoints with curl"))
    );
    assert!(
        !rules
            .iter()
            .any(|r| r.id == "run-npm-run-dev" || r.id.contains("endpoints-with-curl"))
    );
    // Agent-only lessons carry no guard.
    assert!(
        rules
            .iter()
            .any(|r| r.guards.is_empty() && r.title.contains("without local testing"))
    );
    // Nothing guards `git reset --hard`: the postmortem recommends it, with caution.
    assert!(
        !rules.iter().any(|r| r.id.contains("reset")),
        "{:?}",
        rules.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
}

#[test]
fn deterministic_and_merging() {
    let a = compile_seeds();
    let b = compile_seeds();
    assert_eq!(a, b);
    let ids: Vec<&String> = a.iter().map(|r| &r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "sorted and unique");
}

#[test]
fn same_lesson_in_two_incidents_is_one_rule() {
    let mk = |id: &str| {
        let text = format!(
            "# {id}\n\n## Lessons Learned\n- Never use `git push --force` on main.\n- Always write the postmortem within a week.\n"
        );
        let ing = ingest::ingest(text.as_bytes()).unwrap();
        (
            Incident::from_text(&format!("incidents/{id}.md"), &ing),
            ing.text,
        )
    };
    let (a, b) = (mk("2024-01-01-a"), mk("2024-02-02-b"));
    let inputs = [
        Input {
            incident: &a.0,
            text: &a.1,
        },
        Input {
            incident: &b.0,
            text: &b.1,
        },
    ];
    let (rules, _) = compile(&inputs);
    assert_eq!(rules.len(), 2, "{rules:?}");
    for r in &rules {
        assert_eq!(r.incidents, ["2024-01-01-a", "2024-02-02-b"]);
    }
}

#[test]
fn explicit_guards_win() {
    let text = "# X\n\n## Lessons Learned\n- Never use `rsync --delete`.\n\n```hindsight-guard\nid = \"no-delete-sync\"\ntitle = \"No deleting syncs\"\n[[guard]]\nkind = \"forbid-pattern\"\npattern = 'rsync.*--delete'\nfiles = [\"deploy.sh\"]\n```\n";
    let ing = ingest::ingest(text.as_bytes()).unwrap();
    let inc = Incident::from_text("incidents/x.md", &ing);
    let (rules, errors) = compile(&[Input {
        incident: &inc,
        text: &ing.text,
    }]);
    assert!(errors.is_empty());
    let r = find(&rules, "no-delete-sync");
    assert!(
        matches!(&r.guards[0].check, Check::ForbidPattern { files, .. } if files == &["deploy.sh"])
    );
    assert!(
        rules.iter().filter(|r| !r.guards.is_empty()).count() == 1,
        "the inferred guard gave way: {rules:?}"
    );

    let broken = text.replace("kind = \"forbid-pattern\"", "kind = 7");
    let ing = ingest::ingest(broken.as_bytes()).unwrap();
    let inc = Incident::from_text("incidents/x.md", &ing);
    let (_, errors) = compile(&[Input {
        incident: &inc,
        text: &ing.text,
    }]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 10, "{}", errors[0]);
}

/// A block is judged as a rule file is: an id that is not a slug, or a path out of
/// the target, is an error at its line, and the block makes no rule.
#[test]
fn hostile_blocks_are_errors_at_their_line() {
    for (field, line) in [
        ("id = \"../../../../tmp/x/escaped\"", 7),
        (
            "id = \"ok\"\n[[guard]]\nkind = \"require-file\"\npath = \"../../etc/passwd\"",
            10,
        ),
        (
            "id = \"ok\"\n[[guard]]\nkind = \"forbid-file\"\nfiles = [\"/etc/*\"]",
            10,
        ),
    ] {
        let text = format!(
            "# X\n\n## Lessons Learned\n- Never use `rsync --delete`.\n\n```hindsight-guard\n{field}\n[[guard]]\nkind = \"forbid-file\"\nfiles = [\"x\"]\n```\n"
        );
        let ing = ingest::ingest(text.as_bytes()).unwrap();
        let inc = Incident::from_text("incidents/x.md", &ing);
        let (rules, errors) = compile(&[Input {
            incident: &inc,
            text: &ing.text,
        }]);
        assert_eq!(errors.len(), 1, "{field}: {errors:?}");
        assert_eq!(errors[0].line, line, "{field}: {}", errors[0]);
        assert!(
            rules.iter().all(|r| crate::rules::model::is_rule_id(&r.id)),
            "{rules:?}"
        );
    }
}
