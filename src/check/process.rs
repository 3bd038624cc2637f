//! Running a program for a guard: with a time limit, in a process group of its own so
//! that the limit ends everything it started, and with its output capped.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Output kept from a guard's program: enough for the last lines of an error.
const OUTPUT_CAP: u64 = 64 << 10;

/// Run `cmd` for at most `timeout`; returns the exit code and stdout then stderr (each
/// cut at 64 KiB). A timeout is an error (the guard fails closed). Whether the program
/// exits or is killed, every process left in its group is killed too: a background
/// grandchild must not outlive the check, nor hold its output pipes open.
pub(super) fn run(cmd: &mut Command, timeout: Duration) -> Result<(i32, String), String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("`{}` is not installed", cmd.get_program().to_string_lossy())
        }
        _ => e.to_string(),
    })?;
    let readers = [
        reader(
            child
                .stdout
                .take()
                .map(|o| Box::new(o) as Box<dyn Read + Send>),
        ),
        reader(
            child
                .stderr
                .take()
                .map(|e| Box::new(e) as Box<dyn Read + Send>),
        ),
    ];
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if start.elapsed() > timeout => {
                break Err(format!("timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => break Err(e.to_string()),
        }
    };
    kill_group(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let status = status?;
    let mut text = String::new();
    for r in readers {
        text.push_str(&r.join().unwrap_or_default());
    }
    Ok((status.code().unwrap_or(-1), text))
}

fn reader(stream: Option<Box<dyn Read + Send>>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(s) = stream {
            let mut s = s.take(OUTPUT_CAP);
            let _ = s.read_to_end(&mut bytes);
            // Drain the rest so the program is never blocked on a full pipe.
            let _ = std::io::copy(&mut s.into_inner(), &mut std::io::sink());
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    use rustix::process::{Pid, Signal, kill_process_group};
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pid, Signal::KILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_: u32) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A grandchild in the background dies with the check, at the timeout or when
    /// its parent exits, and does not hold the check open.
    #[test]
    fn background_grandchildren_are_ended() {
        let dir = tempfile::tempdir().unwrap();
        let late = dir.path().join("late");
        let script = format!("(sleep 2; touch {}) & exit 0", late.display());
        let (code, _) = run(
            Command::new("sh").args(["-c", &script]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(code, 0);
        let script = format!("(sleep 2; touch {}) & sleep 60", late.display());
        let err = run(
            Command::new("sh").args(["-c", &script]),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(err.contains("timed out"), "{err}");
        std::thread::sleep(Duration::from_secs(3));
        assert!(!late.exists(), "a grandchild outlived the check");
    }

    #[test]
    fn output_is_capped() {
        let (code, out) = run(
            Command::new("sh").args(["-c", "yes | head -c 10000000; echo done >&2"]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(code, 0);
        assert!(out.len() <= 2 * OUTPUT_CAP as usize, "{}", out.len());
        assert!(out.ends_with("done\n"), "stderr is kept");
    }
}
