use super::*;
use crate::rules::guard::Contains;
use crate::rules::model::When;
use crate::rules::model::{Check, Size};
use regex::Regex;

fn one(statement: &str, origin: Origin) -> Lesson {
    let mut v = lessons(statement, origin);
    assert_eq!(v.len(), 1, "{statement}: {v:?}");
    v.remove(0)
}

fn pattern(g: &Guard) -> Regex {
    match &g.check {
        Check::ForbidPattern { pattern, .. } => Regex::new(pattern).unwrap(),
        other => panic!("not a pattern guard: {other:?}"),
    }
}

#[test]
fn rsync_delete_is_forbidden_precisely() {
    let l = one(
        "Never use `rsync --delete` in production - It can delete critical infrastructure",
        Origin::Lesson,
    );
    assert_eq!(l.polarity, Polarity::Dont);
    assert_eq!(
        l.reason.as_deref(),
        Some("It can delete critical infrastructure")
    );
    let re = pattern(&l.guards[0]);
    assert!(re.is_match("rsync -avz --delete dist/ host:/var/www/app/"));
    assert!(re.is_match("  sudo rsync -a --delete ./ web:/srv"));
    assert!(!re.is_match("rsync -avz dist/ host:/var/www/app/"));
    assert!(
        !re.is_match("git branch --delete old && rsync -a x y"),
        "--delete belongs to git here"
    );
    // Every spelling that deletes, options kept in a variable, rsync run from Python.
    for deleting in [
        "rsync -a --delete-after x y",
        "rsync -a --del x y",
        "rsync -a --delete-excluded x y",
        "RSYNC_OPTS=\"-avz --delete\"",
        "subprocess.run([\"rsync\", \"-a\", \"--delete\", src, dst])",
    ] {
        assert!(re.is_match(deleting), "{deleting}");
    }
    // Ansible's synchronize module, one line or a mapping.
    for deleting in [
        "- synchronize: src=dist/ dest=/var/www delete=yes",
        "- ansible.posix.synchronize:\n    src: dist/\n    dest: /var/www\n    delete: true\n",
    ] {
        assert!(re.is_match(deleting), "{deleting}");
    }
    assert!(!re.is_match(
        "- synchronize:\n    src: dist/\n    dest: /var/www\n- file:\n    delete: yes\n"
    ));
    assert!(!re.is_match("rsync -a --delay-updates x y"));
    assert!(
        !re.is_match("# rsync -avz --delete dist/ host:"),
        "commented out"
    );
    // The fix says the same thing.
    let f = one(
        "Removed dangerous `rsync --delete` flag from deployment",
        Origin::Fix,
    );
    assert_eq!(f.guards, l.guards);
}

#[test]
fn force_push_but_not_force_with_lease() {
    for s in [
        "Never `git push --force` to main.",
        "Don't force push to shared branches.",
    ] {
        // A lesson about protected branches flags pushes that name one; a bot
        // force-pushing its own branch is not the incident.
        let l = one(s, Origin::Lesson);
        let re = pattern(&l.guards[0]);
        assert!(re.is_match("git push --force origin main"), "{s}");
        assert!(re.is_match("git push -f origin HEAD:main"), "{s}");
        assert!(re.is_match("run: git push origin main --force"), "{s}");
        assert!(!re.is_match("git push -f origin HEAD:npm-update"), "{s}");
        assert!(
            !re.is_match("git push --force-with-lease origin main"),
            "{s}"
        );
        assert!(!re.is_match("git push origin main"), "{s}");
    }
}

#[test]
fn bare_tool() {
    let l = one("PM2 should not be installed or used.", Origin::Prevention);
    let re = pattern(&l.guards[0]);
    assert!(re.is_match("pm2 restart all"));
    assert!(re.is_match("ssh host \"cd /app && pm2 restart api\""));
    assert!(re.is_match("npx pm2 start server.js"));
    assert!(re.is_match("ssh root@host \"pm2 restart all\""));
    assert!(!re.is_match("systemctl restart api"));
    assert!(!re.is_match("cp pm2.config.bak /tmp"));
}

#[test]
fn required_file_with_size() {
    let l = one(
        "`dist/_worker.js` exists and is > 100 KB",
        Origin::Prevention,
    );
    assert_eq!(
        l.guards,
        [Guard {
            when: When {
                exists: vec!["dist".into()],
                ..When::default()
            },
            ..Guard::new(Check::RequireFile {
                path: "dist/_worker.js".into(),
                min_size: Some(Size(100_000)),
            })
        }]
    );
    let l = one(
        "Check `dist/_worker.js` exists before deploying",
        Origin::Lesson,
    );
    assert!(
        matches!(&l.guards[0].check, Check::RequireFile { path, min_size: None, .. } if path == "dist/_worker.js")
    );
}

#[test]
fn commands_to_run() {
    let l = one(
        "ALWAYS run `npm run build` before deploying",
        Origin::Lesson,
    );
    assert_eq!(
        l.guards,
        [Guard {
            when: When {
                exists: vec!["**/package.json".into()],
                contains: vec![Contains {
                    files: vec!["**/package.json".into()],
                    pattern: r#""scripts"\s*:\s*\{[^}]*"build"\s*:"#.into(),
                }],
            },
            ..Guard::new(Check::Command {
                argv: vec!["npm".into(), "run".into(), "build".into()],
                cwd: None,
                timeout: 300,
            })
        }]
    );
    // A script runs where a package defines it; a tool's own command needs only a project.
    let yarn = one("Always run `yarn lint` before merging", Origin::Lesson);
    assert!(
        yarn.guards[0].when.contains[0]
            .pattern
            .contains(r#""lint""#),
        "{:?}",
        yarn.guards
    );
    let audit = one("Always run `npm audit` before releasing", Origin::Lesson);
    assert_eq!(audit.guards[0].when.exists, ["package.json"]);
    assert!(audit.guards[0].when.contains.is_empty());
    // Dev servers are not checks.
    assert!(
        one("Run `npm run dev`", Origin::Prevention)
            .guards
            .is_empty()
    );
    assert!(
        one(
            "Test with `wrangler pages dev dist` locally",
            Origin::Lesson
        )
        .guards
        .is_empty()
    );
}

#[test]
fn server_drift_is_git_clean() {
    let ls = lessons(
        "Server Drift is a Critical Risk: This incident highlights the danger. Manual, on-server edits are a primary cause of this and should be strictly forbidden.",
        Origin::Lesson,
    );
    let drift: Vec<&Lesson> = ls.iter().filter(|l| !l.guards.is_empty()).collect();
    assert_eq!(drift.len(), 1, "{ls:?}");
    assert_eq!(
        drift[0].guards,
        [Guard::new(Check::GitClean {
            repo: None,
            untracked: false,
        })]
    );
    assert_eq!(drift[0].polarity, Polarity::Dont);
}

#[test]
fn other_deploy_mistakes() {
    let l = one(
        "Never pin production images to the `:latest` tag.",
        Origin::Lesson,
    );
    let re = pattern(&l.guards[0]);
    assert!(re.is_match("FROM node:latest"));
    assert!(re.is_match("    image: registry.example.com/api:latest"));
    assert!(!re.is_match("FROM node:20.11-alpine"));

    let l = one(
        "Never leave `DEBUG=true` in production env files.",
        Origin::Lesson,
    );
    let re = pattern(&l.guards[0]);
    assert!(re.is_match("DEBUG=true"));
    assert!(re.is_match("export DEBUG='true'"));
    assert!(!re.is_match("DEBUG=false"));
    assert!(!re.is_match("RAILS_DEBUG=true"));

    let l = one(
        "Migrations must never run `DROP TABLE` against production.",
        Origin::Lesson,
    );
    assert!(pattern(&l.guards[0]).is_match("drop   table users;"));

    let l = one("Never commit `.env` files.", Origin::Lesson);
    assert_eq!(
        l.guards,
        [Guard::new(Check::ForbidFile {
            files: vec!["**/.env".into()],
        })]
    );

    let l = one("Never run `rm -rf /` in cleanup scripts.", Origin::Lesson);
    let re = pattern(&l.guards[0]);
    assert!(re.is_match("sudo rm -fr / --no-preserve-root"));
    assert!(!re.is_match("rm -rf /tmp/build"));
}

#[test]
fn nothing_checkable_means_no_guard() {
    for s in [
        "Alert 21 days before a certificate expires.",
        "Never assume the nature of a deployment environment (e.g., process manager, file paths).",
        "NEVER deploy backend changes without local testing. NEVER.",
        "Deploy small, deploy often, deploy safely.",
        "Always verify health endpoints after deployment",
    ] {
        let ls = lessons(s, Origin::Lesson);
        assert!(!ls.is_empty(), "{s} is an instruction");
        assert!(ls.iter().all(|l| l.guards.is_empty()), "{s}: {ls:?}");
    }
}

#[test]
fn narrative_is_not_a_lesson() {
    for s in [
        "Deployed without verifying `_worker.js` exists",
        "The CSRF token failure was a symptom.",
        "Restarted all PM2 services",
    ] {
        assert!(lessons(s, Origin::Lesson).is_empty(), "{s}");
    }
    // Fixes teach only what they name checkably.
    assert!(lessons("Added post-deployment health checks", Origin::Fix).is_empty());
}

#[test]
fn clauses_point_their_own_way() {
    let ls = lessons(
        "Never force push to `main`; use `git push --force-with-lease` only on feature branches.",
        Origin::Lesson,
    );
    let pats: Vec<Regex> = ls
        .iter()
        .flat_map(|l| l.guards.iter())
        .map(pattern)
        .collect();
    assert_eq!(pats.len(), 1, "{ls:?}");
    assert!(pats[0].is_match("git push --force origin main"));
    assert!(!pats[0].is_match("git push --force-with-lease origin feature/x"));
}

#[test]
fn locations_narrow_instead_of_being_forbidden() {
    let l = one(
        "Never leave `DEBUG=true` in `.env.production`.",
        Origin::Lesson,
    );
    assert_eq!(l.guards.len(), 1, "{:?}", l.guards);
    match &l.guards[0].check {
        Check::ForbidPattern { files, .. } => assert_eq!(files, &["**/.env.production"]),
        other => panic!("{other:?}"),
    }
    let l = one(
        "Never run `rsync --delete` from `scripts/`.",
        Origin::Lesson,
    );
    assert!(
        matches!(&l.guards[0].check, Check::ForbidPattern { files, .. } if files == &["scripts/**"])
    );
}

#[test]
fn a_sentence_that_lists_lessons_gives_each() {
    let got = lessons(
        "Key lessons included the importance of prioritizing root cause fixes, the dangers of excessive logging, and the need for thorough testing of extreme conditions.",
        Origin::Lesson,
    );
    let read: Vec<(&str, Polarity)> = got.iter().map(|l| (l.text.as_str(), l.polarity)).collect();
    assert_eq!(
        read,
        vec![
            (
                "the importance of prioritizing root cause fixes",
                Polarity::Do
            ),
            ("the dangers of excessive logging", Polarity::Dont),
            (
                "the need for thorough testing of extreme conditions",
                Polarity::Do
            ),
        ]
    );
    // Every part cites the whole sentence.
    assert!(
        got.iter()
            .all(|l| l.source.starts_with("Key lessons included"))
    );
}

#[test]
fn a_plan_as_a_noun_and_no_matter_are_no_negation() {
    for (s, want) in [
        (
            "Have an incident response plan to notify the most experienced people",
            Polarity::Do,
        ),
        (
            "We plan to notify customers of every maintenance window",
            Polarity::Do,
        ),
    ] {
        assert_eq!(one(s, Origin::Lesson).polarity, want, "{s}");
    }
    let got = lessons(
        "No matter how many transactions a node receives, it will always validate blocks first.",
        Origin::Lesson,
    );
    assert!(got.iter().all(|l| l.polarity == Polarity::Do), "{got:?}");
}
