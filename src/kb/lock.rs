//! One writer at a time per knowledge base: `build`, `rules`, `serve`'s rebuilds and
//! every index update hold `.hindsight/lock` while they write. A second process waits
//! for it, then says it waited, or gives up after a while with a clear message; the
//! lock goes with its process, so a killed run never leaves it held.

use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::KnowledgeBase;

/// How long a writer waits for another to finish by default: longer than a build of
/// 100,000 incidents.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(120);

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    /// How long it took to get, when another process held it first.
    pub waited: Option<Duration>,
}

/// Why the lock could not be had.
#[derive(Debug)]
pub enum LockError {
    Io(PathBuf, std::io::Error),
    /// Another process held it for all of `waited`; `holder` is what it wrote.
    Busy {
        path: PathBuf,
        holder: String,
        waited: Duration,
    },
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            LockError::Busy {
                path,
                holder,
                waited,
            } => write!(
                f,
                "{}: another hindsight ({holder}) has been writing this knowledge base for {} s; \
                 nothing was changed, try again when it is done",
                path.display(),
                waited.as_secs()
            ),
        }
    }
}

impl std::error::Error for LockError {}

impl KnowledgeBase {
    /// Take the knowledge base's write lock for `what` (a command name, shown to any
    /// process that has to wait), waiting up to `wait`; `on_wait` is called once if
    /// another process holds it.
    pub fn lock(
        &self,
        what: &str,
        wait: Duration,
        on_wait: impl FnOnce(&str),
    ) -> Result<Lock, LockError> {
        let dir = self
            .ensure_state_dir()
            .map_err(|e| LockError::Io(self.state_dir(), e))?;
        let path = dir.join("lock");
        let io = |e| LockError::Io(path.clone(), e);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let started = Instant::now();
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            let holder = holder(&mut file);
            if started.elapsed() >= wait {
                return Err(LockError::Busy {
                    path,
                    holder,
                    waited: started.elapsed(),
                });
            }
            if let Some(f) = on_wait.take() {
                f(&holder);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "pid {}, {what}", std::process::id()).map_err(io)?;
        let waited = on_wait.is_none().then(|| started.elapsed());
        Ok(Lock {
            _file: file,
            waited,
        })
    }
}

/// What the holder wrote in the lock file (`pid 123, build`).
fn holder(file: &mut File) -> String {
    let mut s = String::new();
    let _ = file
        .rewind()
        .and_then(|_| file.take(200).read_to_string(&mut s));
    if s.trim().is_empty() {
        "a process that is starting".into()
    } else {
        s.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_gives_up_with_the_holder_named() {
        let d = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::new(d.path());
        let first = kb.lock("build", DEFAULT_WAIT, |_| panic!("free")).unwrap();
        assert_eq!(first.waited, None);
        let mut told = String::new();
        let err = kb
            .lock("rules", Duration::from_millis(200), |h| {
                told = h.to_string()
            })
            .unwrap_err();
        assert!(told.contains("build") && told.contains("pid"), "{told}");
        let msg = err.to_string();
        assert!(msg.contains("nothing was changed"), "{msg}");
        drop(first);
        let again = kb.lock("rules", DEFAULT_WAIT, |_| {}).unwrap();
        assert_eq!(again.waited, None);
    }
}
