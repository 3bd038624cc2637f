//! `hindsight serve`: build, then serve `site/` on 127.0.0.1; poll the inputs once a
//! second, rebuild when they change, and reload open pages. A failed rebuild is
//! reported and the last good site keeps being served.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::args::{BuildArgs, ServeArgs};
use super::{Ctx, Outcome};
use crate::site::http::{self, Request};
use crate::site::serve::{self as web, RELOAD_SCRIPT, RELOAD_SCRIPT_PATH, VERSION_PATH};

const WORKERS: usize = 4;
const POLL: Duration = Duration::from_secs(1);

pub(super) fn run(ctx: &Ctx, a: &ServeArgs) -> Result<Outcome> {
    let watch = !a.no_watch;
    let inputs = vec![
        ctx.kb.incidents_dir(),
        ctx.kb.templates_dir(),
        crate::kb::under(&ctx.kb.root, "hindsight.toml"),
    ];
    let mut seen = web::fingerprint(&inputs);
    if watch {
        rebuild(ctx)?;
    }
    let site = ctx.kb.site_dir();
    if !site.join("index.html").is_file() {
        anyhow::bail!(
            "{} has no index.html; run `hindsight build` first",
            site.display()
        );
    }
    let listener = std::net::TcpListener::bind(("127.0.0.1", a.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", a.port))?;
    let addr = listener.local_addr().context("the server has no address")?;
    {
        let mut out = ctx.stdout();
        writeln!(
            out,
            "serving {} at http://{addr}/ (Ctrl-C to stop)",
            ctx.kb.relative(&site)
        )?;
        out.flush()?;
    }
    let version = AtomicU64::new(1);
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                // A client that hung up or timed out is not our problem.
                for mut stream in listener.incoming().flatten() {
                    let _ = serve_one(&mut stream, addr.port(), &site, watch, &version);
                }
            });
        }
        if watch {
            loop {
                std::thread::sleep(POLL);
                let now = web::fingerprint(&inputs);
                if now == seen {
                    continue;
                }
                seen = now;
                match rebuild(ctx) {
                    // Open pages reload only when the build changed a file.
                    Ok(changed) if changed > 0 => {
                        version.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(_) => {}
                    Err(e) => ctx.error(format!("{e:#} (still serving the last good site)")),
                }
            }
        }
    });
    Ok(Outcome::Clean)
}

/// Build (incrementally, as `build` does); how many files changed.
fn rebuild(ctx: &Ctx) -> Result<usize> {
    let args = BuildArgs {
        check: false,
        force: false,
    };
    super::build::run_counting(ctx, &args).map(|(_, changed)| changed)
}

/// Read one request from `stream` and answer it.
fn serve_one(
    stream: &mut std::net::TcpStream,
    port: u16,
    site: &std::path::Path,
    watch: bool,
    version: &AtomicU64,
) -> std::io::Result<()> {
    let req = match http::read_request(stream)? {
        None => return Ok(()),
        Some(Err(refused)) => {
            return http::respond(stream, refused.status(), "text/plain", b"refused\n", None);
        }
        Some(Ok(r)) => r,
    };
    if !req
        .host
        .as_deref()
        .is_some_and(|h| http::local_host(h, port))
    {
        let body = b"this preview answers only to localhost and 127.0.0.1\n";
        return http::respond(
            stream,
            (421, "Misdirected Request"),
            "text/plain",
            body,
            None,
        );
    }
    let (status, kind, body) = answer(&req, site, watch, version);
    http::respond(stream, status, kind, &body, Some(&req))
}

/// Status, content type and body for a request.
fn answer(
    req: &Request,
    site: &std::path::Path,
    watch: bool,
    version: &AtomicU64,
) -> ((u16, &'static str), &'static str, Vec<u8>) {
    const OK: (u16, &str) = (200, "OK");
    let path = req.target.split(['?', '#']).next().unwrap_or("");
    if watch && path == VERSION_PATH {
        let v = version.load(Ordering::SeqCst).to_string();
        return (OK, "text/plain; charset=utf-8", v.into_bytes());
    }
    if watch && path == RELOAD_SCRIPT_PATH {
        return (
            OK,
            "text/javascript; charset=utf-8",
            RELOAD_SCRIPT.as_bytes().to_vec(),
        );
    }
    let (file, status) = match web::resolve(site, &req.target) {
        Some(f) => (f, OK),
        None => (site.join("404.html"), (404, "Not Found")),
    };
    let Ok(mut body) = std::fs::read(&file) else {
        return ((404, "Not Found"), "text/plain", b"not found\n".to_vec());
    };
    if status.0 == 404 {
        body = web::not_found_at(&body, path.trim_start_matches('/').matches('/').count());
    }
    let kind = web::content_type(&file);
    if watch && kind.starts_with("text/html") {
        body = web::inject_reload(&body);
    }
    (status, kind, body)
}
