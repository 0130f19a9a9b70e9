//! How the upstream corpus's cases see the world, for the test files that run them in process
//! (`engines.rs`, `soak.rs`): the host's files, the environment `nix-lang-conformance` gives a
//! case, and traces kept rather than printed.

use gnix::io::{EvalIo, FileType, StdIo};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// The host's files, the case's environment, and traces kept instead of printed.
pub struct CaseIo {
    /// Variables set (`Some`) or unset (`None`) over the process's own.
    pub env: Arc<HashMap<String, Option<String>>>,
    /// What `builtins.trace` and warnings printed.
    pub traces: Rc<RefCell<Vec<String>>>,
}

impl EvalIo for CaseIo {
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        StdIo.read_file(path)
    }
    fn open_file(&self, path: &Path) -> std::io::Result<gnix::io::FileStream<'_>> {
        StdIo.open_file(path)
    }
    fn file_type(&self, path: &Path) -> std::io::Result<FileType> {
        StdIo.file_type(path)
    }
    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<(OsString, FileType)>> {
        StdIo.read_dir(path)
    }
    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        StdIo.canonicalize(path)
    }
    fn read_link(&self, path: &Path) -> std::io::Result<PathBuf> {
        StdIo.read_link(path)
    }
    fn is_executable(&self, path: &Path) -> std::io::Result<bool> {
        StdIo.is_executable(path)
    }
    fn get_env(&self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(v) => v.clone(),
            None => StdIo.get_env(name),
        }
    }
    fn trace(&self, line: &str) {
        self.traces.borrow_mut().push(line.to_string());
    }
}

/// The environment `nix-lang-conformance` runs a corpus case in (`HOME` set per case kind).
pub fn corpus_environment(home: &str) -> HashMap<String, Option<String>> {
    let unset = [
        "NIX_PATH",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "XDG_CONFIG_DIRS",
        "XDG_CACHE_HOME",
        "GIT_DIR",
    ];
    let set = [
        ("TEST_VAR", "foo"),
        ("NIX_REMOTE", "dummy://"),
        ("NIX_STORE_DIR", "/nix/store"),
        ("HOME", home),
        ("PAGER", "cat"),
        ("IMPURE_VAR1", "foo"),
        ("IMPURE_VAR2", "bar"),
    ];
    let unset = unset.iter().map(|k| (k.to_string(), None));
    let set = set
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())));
    unset.chain(set).collect()
}
