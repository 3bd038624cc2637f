//! `hindsight serve`: build, then serve `site/` on 127.0.0.1; poll the inputs once a
//! second, rebuild when they change, and reload open pages. A failed rebuild is
//! reported and the last good site keeps being served.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use tiny_http::{Header, Request, Response, Server};

use super::args::{BuildArgs, ServeArgs};
use super::{Ctx, Outcome};
use crate::site::serve::{self as web, RELOAD_SCRIPT, RELOAD_SCRIPT_PATH, VERSION_PATH};

const WORKERS: usize = 4;
const POLL: Duration = Duration::from_secs(1);

pub fn run(ctx: &Ctx, a: &ServeArgs) -> Result<Outcome> {
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
    let server = Server::http(("127.0.0.1", a.port))
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", a.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .context("the server has no IP address")?;
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
                while let Ok(req) = server.recv() {
                    // A client that hung up is not our problem.
                    let _ = respond(req, &site, watch, &version);
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
                    Ok(()) => {
                        version.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => ctx.error(format!("{e:#} (still serving the last good site)")),
                }
            }
        }
    });
    Ok(Outcome::Clean)
}

fn rebuild(ctx: &Ctx) -> Result<()> {
    let args = BuildArgs {
        check: false,
        force: false,
    };
    super::build::run(ctx, &args).map(|_| ())
}

fn respond(
    req: Request,
    site: &std::path::Path,
    watch: bool,
    version: &AtomicU64,
) -> std::io::Result<()> {
    let url = req.url().to_owned();
    let path = url.split(['?', '#']).next().unwrap_or("");
    if watch && path == VERSION_PATH {
        let body = version.load(Ordering::SeqCst).to_string();
        return req.respond(with_type(Response::from_string(body), "text/plain"));
    }
    if watch && path == RELOAD_SCRIPT_PATH {
        return req.respond(with_type(
            Response::from_string(RELOAD_SCRIPT),
            "text/javascript",
        ));
    }
    let (file, status) = match web::resolve(site, &url) {
        Some(f) => (f, 200),
        None => (site.join("404.html"), 404),
    };
    let Ok(mut body) = std::fs::read(&file) else {
        return req.respond(Response::from_string("not found").with_status_code(404));
    };
    let kind = web::content_type(&file);
    if watch && kind.starts_with("text/html") {
        body = web::inject_reload(&body);
    }
    req.respond(with_type(Response::from_data(body), kind).with_status_code(status))
}

fn with_type<R: std::io::Read>(r: Response<R>, kind: &str) -> Response<R> {
    let no_store = Header::from_bytes("Cache-Control", "no-store").expect("static header");
    match Header::from_bytes("Content-Type", kind) {
        Ok(h) => r.with_header(h).with_header(no_store),
        Err(()) => r.with_header(no_store),
    }
}
