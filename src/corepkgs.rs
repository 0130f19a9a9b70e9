//! The files Nix itself provides under `<nix/...>` (only `fetchurl.nix`): a search-path lookup
//! of a name under `nix/` that no entry of the search path has falls back to them, as in C++
//! Nix. They live at paths under `/__corepkgs__/` (where C++ Nix 2.x kept them too), which
//! `import` reads from here instead of from the host's `EvalIo`: they exist whatever
//! filesystem the host gives, and in pure evaluation.

use std::path::{Path, PathBuf};

/// Where the files appear to be.
const DIR: &str = "/__corepkgs__";

/// The files, by name under `nix/`.
const FILES: &[(&str, &str)] = &[("fetchurl.nix", include_str!("corepkgs/fetchurl.nix"))];

/// The path `<nix/NAME>` falls back to when no search-path entry has it (`rest` is `NAME`),
/// whether or not such a file exists (importing a missing one fails as any missing file does).
pub(crate) fn lookup(rest: &str) -> PathBuf {
    Path::new(DIR).join(rest)
}

/// Whether `path` is under the corepkgs directory, where only these files exist.
pub(crate) fn holds(path: &Path) -> bool {
    path.starts_with(DIR)
}

/// The source of the corepkgs file at `path`, if there is one.
pub(crate) fn source(path: &Path) -> Option<&'static str> {
    let name = path.strip_prefix(DIR).ok()?.to_str()?;
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}
