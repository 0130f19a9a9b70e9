//! Everything an evaluation reads from or writes to the outside world goes through `EvalIo`, so
//! a host can supply its own filesystem (or none) and capture traces.

use std::io;
use std::path::{Path, PathBuf};

/// The kind of a directory entry, as `builtins.readDir` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    Unknown,
}

impl FileType {
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Regular => "regular",
            FileType::Directory => "directory",
            FileType::Symlink => "symlink",
            FileType::Unknown => "unknown",
        }
    }
}

pub trait EvalIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The type of `path` itself (symlinks are not followed).
    fn file_type(&self, path: &Path) -> io::Result<FileType>;
    fn read_dir(&self, path: &Path) -> io::Result<Vec<(String, FileType)>>;
    /// Resolves symlinks (for the import cache and `pathExists`).
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    fn read_link(&self, path: &Path) -> io::Result<PathBuf>;
    /// Whether a regular file is executable (it matters to its store path).
    fn is_executable(&self, path: &Path) -> io::Result<bool>;
    fn get_env(&self, name: &str) -> Option<String>;
    /// A line for stderr (`trace: ...`, `warning: ...`).
    fn trace(&self, line: &str);
    /// The directory relative paths of the command line and the search path resolve against
    /// (the process's own by default).
    fn current_dir(&self) -> io::Result<PathBuf> {
        std::env::current_dir()
    }
    /// Seconds since the epoch, for `builtins.currentTime` (the system clock by default).
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// The real filesystem and environment.
pub struct StdIo;

fn kind(ft: std::fs::FileType) -> FileType {
    if ft.is_symlink() {
        FileType::Symlink
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_file() {
        FileType::Regular
    } else {
        FileType::Unknown
    }
}

impl EvalIo for StdIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        Ok(kind(std::fs::symlink_metadata(path)?.file_type()))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(String, FileType)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                kind(entry.file_type()?),
            ));
        }
        Ok(out)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::read_link(path)
    }

    #[cfg(unix)]
    fn is_executable(&self, path: &Path) -> io::Result<bool> {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::symlink_metadata(path)?.permissions().mode() & 0o100 != 0)
    }

    #[cfg(not(unix))]
    fn is_executable(&self, _path: &Path) -> io::Result<bool> {
        Ok(false)
    }

    fn get_env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn trace(&self, line: &str) {
        // A closed stderr is no reason to stop evaluating (`eprintln!` would panic).
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
