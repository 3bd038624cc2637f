//! The stdio framing around the SDK's: one JSON-RPC message per line. A line that is
//! not JSON at all is answered with JSON-RPC's parse error (-32700, id null), which the
//! SDK leaves unanswered; every other line goes to the SDK as it came. Everything bound
//! for stdout, the SDK's messages and those errors, goes through one writer a whole
//! line at a time, so stdout carries protocol messages and nothing else.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// The longest message accepted, as the SDK's own limit.
const MAX_LINE: usize = 16 << 20;
/// Bytes in flight between the framing and the SDK, each way.
const PIPE: usize = 1 << 16;

const PARSE_ERROR: &[u8] =
    br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: not a JSON-RPC message"}}"#;
const TOO_LONG: &[u8] = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: message longer than 16 MiB"}}"#;

/// The SDK's ends of the two pipes (it reads the first, writes the second), and the
/// tasks that connect them to stdin and stdout; they finish once stdin is closed and
/// the SDK has written its last message.
pub(super) struct Wire {
    pub sdk_in: DuplexStream,
    pub sdk_out: DuplexStream,
    pub tasks: Vec<tokio::task::JoinHandle<io::Result<()>>>,
}

/// Start the framing on the process's stdin and stdout (inside a Tokio runtime).
pub(super) fn stdio() -> Wire {
    let (ours_in, sdk_in) = tokio::io::duplex(PIPE);
    let (sdk_out, ours_out) = tokio::io::duplex(PIPE);
    let (tx, rx) = mpsc::channel::<Vec<u8>>(64);
    let tasks = vec![
        tokio::spawn(read_stdin(ours_in, tx.clone())),
        tokio::spawn(forward(ours_out, tx)),
        tokio::spawn(write_stdout(rx)),
    ];
    Wire {
        sdk_in,
        sdk_out,
        tasks,
    }
}

/// Lines from stdin: JSON to the SDK, anything else answered with a parse error. The
/// SDK's input is closed when stdin is.
async fn read_stdin(mut to_sdk: DuplexStream, errors: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut stdin)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            break;
        }
        if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            // Skip the rest of the line, a bounded piece at a time.
            loop {
                line.clear();
                let n = (&mut stdin)
                    .take(PIPE as u64)
                    .read_until(b'\n', &mut line)
                    .await?;
                if n == 0 || line.ends_with(b"\n") {
                    break;
                }
            }
            let _ = errors.send(TOO_LONG.to_vec()).await;
            continue;
        }
        let body = line.trim_ascii();
        if body.is_empty() {
            continue;
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
            let _ = errors.send(PARSE_ERROR.to_vec()).await;
            continue;
        }
        if to_sdk.write_all(body).await.is_err() || to_sdk.write_all(b"\n").await.is_err() {
            break; // the SDK has stopped
        }
    }
    to_sdk.shutdown().await
}

/// The SDK's output, a line at a time, to the writer.
async fn forward(from_sdk: DuplexStream, out: mpsc::Sender<Vec<u8>>) -> io::Result<()> {
    let mut reader = BufReader::new(from_sdk);
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let body = line.trim_ascii_end().to_vec();
        if !body.is_empty() && out.send(body).await.is_err() {
            return Ok(());
        }
    }
}

/// The only writer of stdout: one message, one line, flushed.
async fn write_stdout(mut lines: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    let mut stdout = tokio::io::stdout();
    while let Some(mut line) = lines.recv().await {
        line.push(b'\n');
        stdout.write_all(&line).await?;
        stdout.flush().await?;
    }
    Ok(())
}
