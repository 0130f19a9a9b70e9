//! Path arithmetic shared by every layer: Nix's canonical form of a path, and making a path
//! absolute against a working directory the caller supplies (the evaluation never reads the
//! process's own: a host decides it, through `EvalIo::current_dir`).

use std::path::{Path, PathBuf};

/// Nix's `canonPath`: an absolute path with `.`, `..` and repeated slashes removed, without
/// resolving symlinks.
pub fn canon_path(path: &Path) -> PathBuf {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(s) => parts.push(s),
            std::path::Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    let mut out = PathBuf::from("/");
    for p in parts {
        out.push(p);
    }
    out
}

/// `path` made absolute against `cwd`, `.` and `..` removed.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    canon_path(&cwd.join(path))
}

/// The path a Nix string's bytes name, byte for byte (file names are bytes, as Nix strings are).
pub fn from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// `path` with `bytes` appended to its last component (Nix's `path + "string"`), canonical.
pub fn append(path: &Path, bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let mut joined = path.as_os_str().as_bytes().to_vec();
    joined.extend_from_slice(bytes);
    canon_path(&from_bytes(&joined))
}
