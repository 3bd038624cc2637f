//! Knowing that nothing under `incidents/` changed without looking at every file: on
//! Linux, an inotify watch on each of its folders. Any event, or anything a watch
//! cannot see (a linked-in file or folder, a watch that could not be set, another
//! platform), means "maybe changed", and the index is checked file by file as
//! `hindsight search` checks it.

use std::path::Path;

pub(super) struct Watch {
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

impl Watch {
    /// Watch `dir` and every folder under it, from now on.
    pub(super) fn new(dir: &Path) -> Watch {
        Watch {
            #[cfg(target_os = "linux")]
            fd: linux::watch(dir),
        }
    }

    /// True unless the watch saw nothing happen since it was set or last asked.
    pub(super) fn changed(&mut self) -> bool {
        #[cfg(target_os = "linux")]
        {
            match &self.fd {
                Some(fd) => {
                    let (changed, broken) = linux::drain(fd);
                    if broken {
                        self.fd = None;
                    }
                    changed
                }
                None => true,
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            true
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::path::Path;

    use rustix::fd::OwnedFd;
    use rustix::fs::inotify::{self, CreateFlags, WatchFlags};

    /// Folders watched at most; a larger tree is checked file by file.
    const MAX_FOLDERS: usize = 4096;

    fn flags() -> WatchFlags {
        WatchFlags::MODIFY
            | WatchFlags::ATTRIB
            | WatchFlags::CLOSE_WRITE
            | WatchFlags::CREATE
            | WatchFlags::DELETE
            | WatchFlags::DELETE_SELF
            | WatchFlags::MOVE_SELF
            | WatchFlags::MOVED_FROM
            | WatchFlags::MOVED_TO
    }

    /// An inotify descriptor watching `dir` and its folders, or None when some change
    /// could go unseen (a link inside, a watch refused).
    pub(super) fn watch(dir: &Path) -> Option<OwnedFd> {
        let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK).ok()?;
        let mut todo = vec![dir.to_path_buf()];
        let mut folders = 0;
        while let Some(d) = todo.pop() {
            folders += 1;
            if folders > MAX_FOLDERS {
                return None;
            }
            inotify::add_watch(&fd, d.as_path(), flags()).ok()?;
            for e in std::fs::read_dir(&d).ok()? {
                let e = e.ok()?;
                let t = e.file_type().ok()?;
                if t.is_symlink() {
                    return None; // an edit of what it points to raises no event here
                }
                if t.is_dir() {
                    todo.push(e.path());
                }
            }
        }
        Some(fd)
    }

    /// Read every pending event: (something happened, the watch can no longer be
    /// trusted).
    pub(super) fn drain(fd: &OwnedFd) -> (bool, bool) {
        let mut buf = [0u8; 4096];
        let mut changed = false;
        loop {
            match rustix::io::read(fd, &mut buf) {
                Ok(0) => return (true, true),
                Ok(_) => changed = true,
                Err(rustix::io::Errno::AGAIN) => return (changed, false),
                Err(rustix::io::Errno::INTR) => {}
                Err(_) => return (true, true),
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn edits_additions_and_removals_are_seen() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/a.md"), "a").unwrap();
        let mut w = Watch::new(d.path());
        assert!(!w.changed(), "nothing happened yet");
        std::fs::write(d.path().join("sub/a.md"), "b").unwrap();
        assert!(w.changed(), "an edit in a sub-folder");
        assert!(!w.changed(), "seen once");
        std::fs::write(d.path().join("b.md"), "b").unwrap();
        assert!(w.changed(), "a new file");
        std::fs::remove_file(d.path().join("b.md")).unwrap();
        assert!(w.changed(), "a removal");
    }

    #[test]
    fn a_linked_in_file_cannot_be_watched() {
        let d = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("x.md"), "x").unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("x.md"), d.path().join("x.md")).unwrap();
        let mut w = Watch::new(d.path());
        assert!(w.changed(), "always maybe changed");
        assert!(w.changed());
    }
}
