//! Filesystem builtins over real paths: `toPath`, `readDir`, `readFileType`, and the path
//! coercion they share with `hashFile`.

use super::paths;
use crate::errors::{Error, ErrorClass, Span};
use crate::value::{Attrs, NixString, Symbol, Value, sym};
use crate::vm::request::{self, Catch, Co, IoRequest, IoResponse, force, try_force};
use crate::vm::walk::{self, Coercion};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

crate::declare_builtins! {
    /// A path or a string holding an absolute path (a set through `__toString` or `outPath`),
    /// as a string with `.` and `..` resolved. Deprecated: `/. + "/a/b"` makes a path value.
    ///
    /// ```nix
    /// builtins.toPath "/a/b/../c/./d"
    /// => "/a/c/d"
    /// ```
    ///
    /// ```nix
    /// builtins.toPath "a/b"
    /// => error: string 'a/b' doesn't represent an absolute path
    /// ```
    "toPath" => async fn to_path(path: Strict);

    /// The type of the file at a path, without following a final symlink: `"regular"`,
    /// `"directory"`, `"symlink"` or `"unknown"`.
    ///
    /// ```nix
    /// map builtins.readFileType [ ./Cargo.toml ./src ]
    /// => [ "regular" "directory" ]
    /// ```
    "readFileType" => async fn read_file_type(path: Strict);

    /// The entries of a directory: a set mapping each name to its type (`"regular"`,
    /// `"directory"`, `"symlink"` or `"unknown"`, as `readFileType` says).
    ///
    /// ```nix
    /// (builtins.readDir ./src).builtins
    /// => "directory"
    /// ```
    "readDir" => async fn read_dir(path: Strict);
}

/// C++ Nix's `coerceToPath`: a path, or a string (possibly through `__toString`/`outPath`)
/// holding an absolute path, canonicalised. The string's context is returned with it. A value
/// that is no such string fails with the line `what` (what the path is for), and the lines of
/// the `__toString` results and `outPath`s followed to it (C++ Nix's `peelToStringOutPath`).
pub async fn coerce_to_path(
    co: &Co,
    v: Value,
    what: &'static str,
) -> Result<(PathBuf, Option<NixString>), Error> {
    let mut v = force(co, v).await;
    // The steps taken, innermost last: whether through `__toString`, and where.
    let mut steps: Vec<(bool, Option<Span>)> = Vec::new();
    let through = |mut e: Error, steps: &[(bool, Option<Span>)], forcing: bool| {
        for (i, &(to_string, at)) in steps.iter().enumerate().rev() {
            let verb = match forcing && i + 1 == steps.len() {
                true => "evaluating",
                false => "using",
            };
            let what = match to_string {
                true => format!("while {verb} the result of the `__toString` attribute"),
                false => format!("while {verb} the `outPath` attribute"),
            };
            e.add_trace(at, what);
        }
        e
    };
    while let Value::Attrs(a) = &v {
        if let Some(f) = a.get(sym!("__toString")) {
            let at = a.position(sym!("__toString"));
            v = match request::try_call_at(co, f.clone(), v.clone(), at).await {
                Ok(r) => r,
                Err(mut e) => {
                    e.add_trace(at, "while calling the `__toString` attribute");
                    return Err(through(e, &steps, false));
                }
            };
            steps.push((true, at));
        } else if let Some(p) = a.get(sym!("outPath")) {
            steps.push((false, a.position(sym!("outPath"))));
            v = try_force(co, p.clone(), Catch::Any)
                .await
                .map_err(|e| through(e, &steps, true))?;
        } else {
            break;
        }
        // Each step counts towards max-call-depth, as C++ Nix's recursion does: a set whose
        // `outPath` is itself stops there.
        request::depth(co, steps.len() as u32).await;
    }
    if let Value::Path(p) = &v {
        return Ok((p.as_ref().clone(), None));
    }
    let s = walk::coerce_to_string(co, v, Coercion::PLAIN.within(what))
        .await
        .map_err(|e| through(e, &steps, false))?;
    if !s.as_bytes().starts_with(b"/") {
        let mut e = Error::new(format!("string '{s}' doesn't represent an absolute path"));
        e.add_trace(None, what);
        return Err(through(e, &steps, false));
    }
    let path = Path::new(std::ffi::OsStr::from_bytes(s.as_bytes()));
    Ok((crate::paths::canon_path(path), Some(s)))
}

/// The path a value denotes, for reading it (C++ Nix's `realisePath`).
pub async fn real_path(co: &Co, v: Value) -> Result<PathBuf, Error> {
    Ok(
        coerce_to_path(co, v, "while realising the context of a path")
            .await?
            .0,
    )
}

fn missing(path: &Path) -> Error {
    Error::new(format!("path '{}' does not exist", path.display())).with_class(ErrorClass::Io)
}

async fn to_path(co: Co, path: Value) -> Result<Value, Error> {
    let what = "while evaluating the first argument passed to builtins.toPath";
    let (path, s) = coerce_to_path(&co, path, what).await?;
    let context = s.and_then(|s| s.context().cloned());
    Ok(Value::String(NixString::new(
        path.as_os_str().as_bytes(),
        context,
    )))
}

async fn read_file_type(co: Co, path: Value) -> Result<Value, Error> {
    let path = real_path(&co, path).await?;
    match paths::file_type(&co, path.clone()).await {
        Ok(t) => Ok(Value::string(t.as_str())),
        Err(e) => Err(io_error(e, &path)),
    }
}

async fn read_dir(co: Co, path: Value) -> Result<Value, Error> {
    let path = real_path(&co, path).await?;
    let entries = match request::io(&co, IoRequest::ReadDir(path.clone())).await {
        Ok(IoResponse::Entries(e)) => e,
        Ok(_) => return Err(Error::new("unexpected answer from the host")),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            // C++ Nix reads the directory at the path with its symlinks resolved, and names
            // that one (`readDir ./link-to-a-file`).
            let resolved = request::resolve_symlinks(&co, path).await;
            return Err(Error::new(format!(
                "'{}' is not a directory",
                resolved.display()
            )));
        }
        Err(e) => return Err(io_error(e, &path)),
    };
    let out = entries
        .into_iter()
        .map(|(name, t)| (Symbol::new(name.as_bytes()), Value::string(t.as_str())))
        .collect();
    Ok(Value::attrs(Attrs::from_unsorted(out)))
}

fn io_error(e: std::io::Error, path: &Path) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => missing(path),
        std::io::ErrorKind::PermissionDenied => Error::new(e.to_string()),
        _ => Error::new(format!("reading '{}': {e}", path.display())),
    }
}
