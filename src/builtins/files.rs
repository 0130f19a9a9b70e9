//! Filesystem builtins over real paths: `toPath`, `readDir`, `readFileType`, and the path
//! coercion they share with `hashFile`.

use super::{arg, def};
use crate::errors::Error;
use crate::value::{Attrs, Builtin, NixString, Value};
use crate::vm::request::{Co, force};
use crate::vm::walk::{self, Coercion};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// C++ Nix's `coerceToPath`: a path, or a string (possibly through `__toString`/`outPath`)
/// holding an absolute path, canonicalised. The string's context is returned with it.
pub async fn coerce_to_path(co: &Co, v: Value) -> Result<(PathBuf, Option<NixString>), Error> {
    let v = force(co, v).await;
    if let Value::Path(p) = &v {
        return Ok((p.as_ref().clone(), None));
    }
    let s = walk::coerce_to_string(
        co,
        v,
        Coercion {
            weak: false,
            copy_to_store: false,
        },
    )
    .await?;
    if !s.as_bytes().starts_with(b"/") {
        return Err(Error::new(format!(
            "string '{s}' doesn't represent an absolute path"
        )));
    }
    let path = Path::new(std::ffi::OsStr::from_bytes(s.as_bytes()));
    Ok((crate::compiler::canon_path(path), Some(s)))
}

/// The path a value denotes, for reading it.
pub async fn real_path(co: &Co, v: Value) -> Result<PathBuf, Error> {
    Ok(coerce_to_path(co, v).await?.0)
}

fn missing(path: &Path) -> Error {
    Error::new(format!("path '{}' does not exist", path.display()))
}

/// Reads a whole file with C++ Nix's messages.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => missing(path),
        std::io::ErrorKind::IsADirectory => {
            Error::new(format!("file '{}' is not a regular file", path.display()))
        }
        _ => Error::new(format!("reading file '{}': {e}", path.display())),
    })
}

fn type_name(ft: std::fs::FileType) -> &'static str {
    if ft.is_symlink() {
        "symlink"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_file() {
        "regular"
    } else {
        "unknown"
    }
}

async fn to_path(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (path, s) = coerce_to_path(&co, arg(&args, 0)).await?;
    let context = s.and_then(|s| s.context().cloned());
    Ok(Value::String(NixString::new(
        path.as_os_str().as_bytes(),
        context,
    )))
}

async fn read_file_type(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let path = real_path(&co, arg(&args, 0)).await?;
    let meta = std::fs::symlink_metadata(&path).map_err(|_| missing(&path))?;
    Ok(Value::string(type_name(meta.file_type())))
}

async fn read_dir(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let path = real_path(&co, arg(&args, 0)).await?;
    let meta = std::fs::metadata(&path).map_err(|_| missing(&path))?;
    if !meta.is_dir() {
        return Err(Error::new(format!(
            "'{}' is not a directory",
            path.display()
        )));
    }
    let entries = std::fs::read_dir(&path)
        .map_err(|e| Error::new(format!("reading directory '{}': {e}", path.display())))?;
    let mut out: Vec<(NixString, Value)> = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| Error::new(format!("reading directory '{}': {e}", path.display())))?;
        let kind = match entry.file_type() {
            Ok(ft) => type_name(ft),
            Err(_) => "unknown",
        };
        out.push((
            NixString::from(entry.file_name().as_bytes()),
            Value::string(kind),
        ));
    }
    Ok(Value::attrs(Attrs::from_unsorted(out)))
}

pub fn builtins() -> Vec<Builtin> {
    vec![
        def("toPath", 1, to_path),
        def("readFileType", 1, read_file_type),
        def("readDir", 1, read_dir),
    ]
}
