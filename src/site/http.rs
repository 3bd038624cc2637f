//! The few parts of HTTP/1.1 that `hindsight serve` speaks, with hard limits: a request
//! head of at most 16 KiB read within 10 seconds, GET and HEAD only, one request a
//! connection, and only the Host names of this machine (a page on another site must
//! not reach the preview through DNS rebinding).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Most bytes of request line and headers read before the request is refused.
pub const MAX_HEAD: usize = 16 << 10;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request as the preview needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub head_only: bool,
    /// The request target as sent (`/incidents/a.html?x`).
    pub target: String,
    pub host: Option<String>,
    pub gzip: bool,
}

/// A request that gets an error status instead of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// 400: not HTTP, or malformed.
    Malformed,
    /// 431: the head is over `MAX_HEAD`.
    TooLarge,
    /// 405: not GET or HEAD.
    Method,
}

impl Refused {
    pub fn status(&self) -> (u16, &'static str) {
        match self {
            Refused::Malformed => (400, "Bad Request"),
            Refused::TooLarge => (431, "Request Header Fields Too Large"),
            Refused::Method => (405, "Method Not Allowed"),
        }
    }
}

/// Read one request head from `stream`. `Ok(None)`: the client went away.
pub fn read_request(stream: &mut TcpStream) -> io::Result<Option<Result<Request, Refused>>> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(READ_TIMEOUT))?;
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    loop {
        let n = match stream.read(&mut buf[len..]) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(None);
        }
        len += n;
        match parse(&buf[..len]) {
            Some(r) => return Ok(Some(r)),
            None if len == buf.len() => return Ok(Some(Err(Refused::TooLarge))),
            None => {}
        }
    }
}

/// The request in `head`, or `None` when more bytes are needed.
pub fn parse(head: &[u8]) -> Option<Result<Request, Refused>> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Partial) => None,
        Err(httparse::Error::TooManyHeaders) => Some(Err(Refused::TooLarge)),
        Err(_) => Some(Err(Refused::Malformed)),
        Ok(httparse::Status::Complete(_)) => Some(request(&req)),
    }
}

fn request(req: &httparse::Request) -> Result<Request, Refused> {
    let head_only = match req.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => return Err(Refused::Method),
    };
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
    };
    let gzip = header("accept-encoding").is_some_and(|v| {
        v.split(',')
            .any(|e| e.split(';').next().is_some_and(|n| n.trim() == "gzip"))
    });
    Ok(Request {
        head_only,
        target: req.path.ok_or(Refused::Malformed)?.to_string(),
        host: header("host").map(str::to_string),
        gzip,
    })
}

/// Whether `host` (a Host header) names this machine on `port`: `localhost`,
/// `127.0.0.1` or `[::1]`, with that port or none.
pub fn local_host(host: &str, port: u16) -> bool {
    let (name, p) = match host.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => (n, Some(p)),
        _ => (host, None),
    };
    let port_ok = p.is_none_or(|p| p.parse::<u16>().ok() == Some(port));
    port_ok
        && matches!(
            name.to_ascii_lowercase().as_str(),
            "localhost" | "127.0.0.1" | "[::1]"
        )
}

/// Write a whole response and close: `body` is compressed when the client takes gzip
/// and the type is text.
pub fn respond(
    stream: &mut TcpStream,
    status: (u16, &str),
    content_type: &str,
    body: &[u8],
    req: Option<&Request>,
) -> io::Result<()> {
    let compress = req.is_some_and(|r| r.gzip) && compressible(content_type) && body.len() > 512;
    let packed;
    let body = if compress {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(body)?;
        packed = enc.finish()?;
        &packed[..]
    } else {
        body
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        status.0,
        status.1,
        body.len()
    );
    if compress {
        head.push_str("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !req.is_some_and(|r| r.head_only) {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("image/svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_and_refuse() {
        let r = parse(b"GET /a.html?x HTTP/1.1\r\nHost: localhost:3000\r\nAccept-Encoding: br, gzip;q=1\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(r.target, "/a.html?x");
        assert_eq!(r.host.as_deref(), Some("localhost:3000"));
        assert!(r.gzip && !r.head_only);
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: x"), None, "partial");
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\n\r\n"),
            Some(Err(Refused::Method))
        );
        assert_eq!(
            parse(b"\x00\x01junk\r\n\r\n"),
            Some(Err(Refused::Malformed))
        );
        let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
        let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(req.as_bytes()), Some(Err(Refused::TooLarge)));
    }

    #[test]
    fn only_this_machine_is_a_host() {
        for ok in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "LOCALHOST",
        ] {
            assert!(local_host(ok, 3000), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "localhost:3001",
            "127.0.0.1.nip.io",
            "localhost.evil",
        ] {
            assert!(!local_host(bad, 3000), "{bad}");
        }
    }
}
