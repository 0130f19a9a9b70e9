//! Everything an evaluation reads from or writes to the outside world goes through `EvalIo`, so
//! a host can supply its own filesystem (or none) and capture traces.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// A file opened to be read as a stream (`EvalIo::open_file`): its length, which the NAR
/// serialisation writes before the bytes, and its contents.
pub struct FileStream<'a> {
    /// The file's length in bytes. Reading must give exactly this many (a file that grows or
    /// shrinks while it is read is an error).
    pub len: u64,
    /// The file's contents.
    pub reader: Box<dyn io::Read + 'a>,
}

impl FileStream<'_> {
    /// Reads the whole stream, handing it to `each` a piece at a time; an error if it does not
    /// hold exactly `len` bytes (the file changed while it was read).
    pub fn for_each_piece(mut self, mut each: impl FnMut(&[u8])) -> io::Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match io::Read::read(&mut self.reader, &mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            total += n as u64;
            if total > self.len {
                break;
            }
            each(buf.get(..n).unwrap_or_default());
        }
        match total == self.len {
            true => Ok(()),
            false => Err(io::Error::other("the file changed size while it was read")),
        }
    }
}

/// The kind of a directory entry, as `builtins.readDir` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// Anything else (a socket, a device, a pipe).
    Unknown,
}

impl FileType {
    /// The name `builtins.readDir` and `builtins.readFileType` give it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Regular => "regular",
            FileType::Directory => "directory",
            FileType::Symlink => "symlink",
            FileType::Unknown => "unknown",
        }
    }
}

/// The outside world as an evaluation sees it: every file, directory, environment variable,
/// trace line, working directory and clock reading goes through one of these methods, so a
/// host decides what Nix code may touch (`StdIo`, `MemoryIo`, `NoIo`, or its own). Paths
/// are absolute. An error is reported to Nix code as C++ Nix reports the same failure.
///
/// ```
/// use gnix::io::{EvalIo, FileType, NoIo};
/// use std::path::{Path, PathBuf};
///
/// /// One file, `/config.nix`; nothing else exists.
/// struct OneFile;
///
/// impl EvalIo for OneFile {
///     fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
///         match path == Path::new("/config.nix") {
///             true => Ok(b"{ answer = 42; }".to_vec()),
///             false => NoIo.read_file(path),
///         }
///     }
///     fn file_type(&self, path: &Path) -> std::io::Result<FileType> {
///         match path == Path::new("/config.nix") {
///             true => Ok(FileType::Regular),
///             false => NoIo.file_type(path),
///         }
///     }
///     fn read_dir(&self, path: &Path) -> std::io::Result<Vec<(std::ffi::OsString, FileType)>> {
///         NoIo.read_dir(path)
///     }
///     fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
///         Ok(path.to_path_buf())
///     }
///     fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
///         NoIo.read_link(path)
///     }
///     fn is_executable(&self, _: &Path) -> std::io::Result<bool> {
///         Ok(false)
///     }
///     fn get_env(&self, _: &str) -> Option<String> {
///         None
///     }
///     fn trace(&self, _: &str) {}
/// }
///
/// let mut ev = gnix::Evaluator::with_io(gnix::Settings::default(), Box::new(OneFile));
/// let v = ev.eval_expr("(import /config.nix).answer", Path::new("/"))?;
/// assert_eq!(ev.as_int(&v)?, 42);
/// assert!(ev.eval_expr("builtins.readFile /etc/passwd", Path::new("/")).is_err());
/// # Ok::<(), gnix::Error>(())
/// ```
pub trait EvalIo {
    /// The contents of a file.
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// A file's contents as a stream, for what only needs to see them go by: `hashFile` and
    /// the store path of a file (`"${./file}"`, `builtins.path`), which then never hold a
    /// large file whole. By default `read_file`'s bytes; the real filesystem reads the file in
    /// pieces.
    fn open_file(&self, path: &Path) -> io::Result<FileStream<'_>> {
        let bytes = self.read_file(path)?;
        Ok(FileStream {
            len: bytes.len() as u64,
            reader: Box::new(io::Cursor::new(bytes)),
        })
    }
    /// The type of `path` itself (symlinks are not followed).
    fn file_type(&self, path: &Path) -> io::Result<FileType>;
    /// The entries of a directory: names as the bytes the file system holds (not UTF-8 text).
    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>>;
    /// Resolves symlinks (for the import cache and `pathExists`).
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// The target of a symbolic link.
    fn read_link(&self, path: &Path) -> io::Result<PathBuf>;
    /// Whether a regular file is executable (it matters to its store path).
    fn is_executable(&self, path: &Path) -> io::Result<bool>;
    /// An environment variable (`builtins.getEnv`, `NIX_PATH`, `HOME`, `NIX_STORE_DIR`). The
    /// name, and the value returned, carry bytes that are not UTF-8 as `rawtext` stand-ins
    /// (`rawtext::decode` makes such text of any bytes), so a variable's bytes reach Nix
    /// exactly; plain UTF-8 is just itself.
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

    fn open_file(&self, path: &Path) -> io::Result<FileStream<'_>> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::from(io::ErrorKind::IsADirectory));
        }
        Ok(FileStream {
            len: meta.len(),
            reader: Box::new(file),
        })
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        Ok(kind(std::fs::symlink_metadata(path)?.file_type()))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            out.push((entry.file_name(), kind(entry.file_type()?)));
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
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let name = crate::rawtext::encode(name);
        let value = std::env::var_os(std::ffi::OsStr::from_bytes(&name))?;
        Some(crate::rawtext::decode_owned(value.into_vec()))
    }

    fn trace(&self, line: &str) {
        // A closed stderr is no reason to stop evaluating (`eprintln!` would panic). A
        // string's bytes that are not UTF-8 are written as they are (`rawtext`).
        use std::io::Write;
        let mut bytes = crate::rawtext::encode(line).into_owned();
        bytes.push(b'\n');
        let _ = std::io::stderr().lock().write_all(&bytes);
    }
}

/// No outside world at all: every file access fails (`PermissionDenied`), the environment is
/// empty, the working directory is `/` and the clock reads 0. Traces still reach stderr.
pub struct NoIo;

fn no_access(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("no file access in this evaluation ('{}')", path.display()),
    )
}

impl EvalIo for NoIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        Err(no_access(path))
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        Err(no_access(path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>> {
        Err(no_access(path))
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Err(no_access(path))
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        Err(no_access(path))
    }

    fn is_executable(&self, path: &Path) -> io::Result<bool> {
        Err(no_access(path))
    }

    fn get_env(&self, _name: &str) -> Option<String> {
        None
    }

    fn trace(&self, line: &str) {
        StdIo.trace(line)
    }

    fn current_dir(&self) -> io::Result<PathBuf> {
        Ok(PathBuf::from("/"))
    }

    fn now(&self) -> i64 {
        0
    }
}

/// A file tree, environment and clock held in memory: for hosts that evaluate configuration
/// they supply themselves, and for tests. Paths are absolute; adding a file adds its parent
/// directories. Traces are kept (`traces`) instead of printed.
#[derive(Default)]
pub struct MemoryIo {
    entries: std::collections::BTreeMap<PathBuf, Entry>,
    env: std::collections::BTreeMap<String, String>,
    cwd: PathBuf,
    now: i64,
    traces: std::cell::RefCell<Vec<String>>,
}

enum Entry {
    File { bytes: Vec<u8>, executable: bool },
    Directory,
    Symlink(PathBuf),
}

/// How many symlinks a path may go through (as Linux's `MAXSYMLINKS`).
const MAX_SYMLINKS: usize = 40;

impl MemoryIo {
    /// An empty tree (just `/`), an empty environment, `/` as working directory, time 0.
    pub fn new() -> MemoryIo {
        let mut io = MemoryIo {
            cwd: PathBuf::from("/"),
            ..MemoryIo::default()
        };
        io.entries.insert(PathBuf::from("/"), Entry::Directory);
        io
    }

    /// Adds a regular file (and its parent directories).
    pub fn file(self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> MemoryIo {
        let bytes = contents.into();
        self.with(
            path.as_ref(),
            Entry::File {
                bytes,
                executable: false,
            },
        )
    }

    /// Adds an executable file (and its parent directories).
    pub fn executable(self, path: impl AsRef<Path>, contents: impl Into<Vec<u8>>) -> MemoryIo {
        let bytes = contents.into();
        self.with(
            path.as_ref(),
            Entry::File {
                bytes,
                executable: true,
            },
        )
    }

    /// Adds a symbolic link to `target` (and the link's parent directories).
    pub fn symlink(self, path: impl AsRef<Path>, target: impl Into<PathBuf>) -> MemoryIo {
        self.with(path.as_ref(), Entry::Symlink(target.into()))
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> MemoryIo {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the working directory.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> MemoryIo {
        self.cwd = dir.into();
        self
    }

    /// Sets the clock (`builtins.currentTime`).
    pub fn time(mut self, seconds: i64) -> MemoryIo {
        self.now = seconds;
        self
    }

    /// The trace and warning lines written so far.
    pub fn traces(&self) -> Vec<String> {
        self.traces.borrow().clone()
    }

    fn with(mut self, path: &Path, entry: Entry) -> MemoryIo {
        for dir in path.ancestors().skip(1) {
            self.entries
                .entry(dir.to_path_buf())
                .or_insert(Entry::Directory);
        }
        self.entries.insert(path.to_path_buf(), entry);
        self
    }

    fn entry(&self, path: &Path) -> io::Result<&Entry> {
        self.entries.get(path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("'{}' does not exist", path.display()),
            )
        })
    }

    /// `path` with every symlink in it resolved, `.` and `..` removed.
    fn resolve(&self, path: &Path) -> io::Result<PathBuf> {
        let mut pending: Vec<std::ffi::OsString> = path
            .components()
            .rev()
            .map(|c| c.as_os_str().to_os_string())
            .collect();
        let mut out = PathBuf::from("/");
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.to_str() {
                Some("/") | Some(".") => continue,
                Some("..") => {
                    out.pop();
                    continue;
                }
                _ => {}
            }
            let next = out.join(&part);
            if let Entry::Symlink(target) = self.entry(&next)? {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(io::Error::other(format!(
                        "too many levels of symbolic links at '{}'",
                        next.display()
                    )));
                }
                if target.is_absolute() {
                    out = PathBuf::from("/");
                }
                pending.extend(
                    target
                        .components()
                        .rev()
                        .map(|c| c.as_os_str().to_os_string()),
                );
                continue;
            }
            out = next;
        }
        Ok(out)
    }

    /// The entry `path` leads to, symlinks followed.
    fn followed(&self, path: &Path) -> io::Result<&Entry> {
        self.entry(&self.resolve(path)?)
    }
}

impl EvalIo for MemoryIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.followed(path)? {
            Entry::File { bytes, .. } => Ok(bytes.clone()),
            _ => Err(io::Error::other(format!(
                "'{}' is not a regular file",
                path.display()
            ))),
        }
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        Ok(match self.entry(path)? {
            Entry::File { .. } => FileType::Regular,
            Entry::Directory => FileType::Directory,
            Entry::Symlink(_) => FileType::Symlink,
        })
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>> {
        let dir = self.resolve(path)?;
        if !matches!(self.entry(&dir)?, Entry::Directory) {
            return Err(io::Error::other(format!(
                "'{}' is not a directory",
                path.display()
            )));
        }
        // Paths order component by component, so a directory's descendants follow it.
        let after = (
            std::ops::Bound::Excluded(dir.as_path()),
            std::ops::Bound::Unbounded,
        );
        let children = self
            .entries
            .range::<Path, _>(after)
            .map(|(p, _)| p)
            .take_while(|p| p.starts_with(&dir))
            .filter(|p| p.parent() == Some(dir.as_path()))
            .filter_map(|p| {
                let name = p.file_name()?.to_os_string();
                Some((name, self.file_type(p).ok()?))
            });
        Ok(children.collect())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let resolved = self.resolve(path)?;
        self.entry(&resolved)?;
        Ok(resolved)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        match self.entry(path)? {
            Entry::Symlink(target) => Ok(target.clone()),
            _ => Err(io::Error::other(format!(
                "'{}' is not a symbolic link",
                path.display()
            ))),
        }
    }

    fn is_executable(&self, path: &Path) -> io::Result<bool> {
        Ok(matches!(
            self.entry(path)?,
            Entry::File {
                executable: true,
                ..
            }
        ))
    }

    fn get_env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn trace(&self, line: &str) {
        self.traces.borrow_mut().push(line.to_string());
    }

    fn current_dir(&self) -> io::Result<PathBuf> {
        Ok(self.cwd.clone())
    }

    fn now(&self) -> i64 {
        self.now
    }
}

/// A shared `EvalIo`: the host keeps a clone to look at afterwards (`MemoryIo::traces`).
impl<T: EvalIo + ?Sized> EvalIo for std::rc::Rc<T> {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        (**self).read_file(path)
    }

    fn open_file(&self, path: &Path) -> io::Result<FileStream<'_>> {
        (**self).open_file(path)
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        (**self).file_type(path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>> {
        (**self).read_dir(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        (**self).canonicalize(path)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        (**self).read_link(path)
    }

    fn is_executable(&self, path: &Path) -> io::Result<bool> {
        (**self).is_executable(path)
    }

    fn get_env(&self, name: &str) -> Option<String> {
        (**self).get_env(name)
    }

    fn trace(&self, line: &str) {
        (**self).trace(line)
    }

    fn current_dir(&self) -> io::Result<PathBuf> {
        (**self).current_dir()
    }

    fn now(&self) -> i64 {
        (**self).now()
    }
}
