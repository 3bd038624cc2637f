//! `hindsight serve` end to end: it builds, serves the site on 127.0.0.1 with the
//! live-reload script, refuses paths outside the site, and rebuilds when a postmortem
//! changes (the version the pages poll goes up).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Status line and body of a GET, over a raw socket (no client crate needed).
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn serve_builds_serves_and_rebuilds_on_change() {
    let kb = tempfile::tempdir().unwrap();
    let inc = kb.path().join("incidents");
    std::fs::create_dir(&inc).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inc.join(e.file_name())).unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["serve", "--port", "0", "-C"])
        .arg(kb.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serving = Serving(child);
    let mut lines = BufReader::new(serving.0.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its URL").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };

    let (status, body) = get(&addr, "/");
    assert!(status.contains("200"), "{status}");
    assert!(
        body.contains("rsync"),
        "the index lists the FluxStudio incident"
    );
    assert!(
        body.contains("/__hindsight/livereload.js"),
        "live reload injected"
    );
    let (status, _) = get(&addr, "/../../../etc/passwd");
    assert!(status.contains("404"), "{status}");
    let (status, _) = get(&addr, "/.hindsight-site");
    assert!(
        status.contains("404"),
        "the manifest is not served: {status}"
    );
    // A header without end is cut off at the limit, not buffered; a Host that is not
    // this machine (DNS rebinding) gets no page.
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = write!(s, "GET / HTTP/1.1\r\nHost: {addr}\r\nX-Big: ");
    let chunk = vec![b'a'; 1 << 20];
    let mut sent = 0usize;
    while sent < 64 << 20 && s.write_all(&chunk).is_ok() {
        sent += chunk.len();
    }
    assert!(sent < 64 << 20, "the server kept reading a 64 MiB header");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 431"),
        "{reply}"
    );
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 421"), "{reply}");
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: gzip\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let head = String::from_utf8_lossy(&reply[..reply.len().min(400)]).into_owned();
    assert!(
        head.contains("Content-Encoding: gzip"),
        "pages are compressed: {head}"
    );
    let (status, _) = get(&addr, "/rootlink/etc/passwd");
    assert!(status.contains("404"), "{status}");

    let (_, v1) = get(&addr, "/__hindsight/version");

    let page = std::fs::read_dir(&inc)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("\nA line added while serving: zebracorn.\n");
    std::fs::write(&page, text).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, v) = get(&addr, "/__hindsight/version");
        if v != v1 {
            break;
        }
        assert!(Instant::now() < deadline, "no rebuild after an edit");
        std::thread::sleep(Duration::from_millis(200));
    }
    let stem = page.file_stem().unwrap().to_string_lossy().into_owned();
    let site_page = std::fs::read_dir(kb.path().join("site/incidents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read_to_string(p).unwrap().contains("zebracorn"));
    assert!(site_page.is_some(), "the edit of {stem} reached the site");
}
