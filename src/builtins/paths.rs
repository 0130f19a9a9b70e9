//! Files, imports and the search path: `import`, `findFile`, `pathExists`, `readFile`,
//! `getEnv`, `baseNameOf`, `dirOf`.

use super::{attrs_of, force_attrs, force_string, list_of, string_of};
use crate::errors::{Error, ErrorClass};
use crate::io::EvalIo;
use crate::settings::Settings;
use crate::value::{Attrs, NixString, Value, sym};
use crate::vm::request::{self, Co, IoRequest, IoResponse};
use crate::vm::walk::{self, Coercion};
use std::path::PathBuf;
use std::rc::Rc;

crate::declare_builtins! {
    /// Evaluates the Nix file at a path (a directory stands for its `default.nix`) and
    /// returns its value. Each file is evaluated once per evaluation.
    ///
    /// ```nix
    /// import ./tests/lang/lib/value.nix
    /// => [ 1 2 7 ]
    /// ```
    "import" [top_level] => async fn import(path: Strict);

    /// Like `import`, but the file is evaluated with the attributes of a set in scope as
    /// variables (shadowing the builtins of the same names).
    ///
    /// ```nix
    /// builtins.scopedImport { a = 42; } ./tests/lang/store-paths/a.nix
    /// => 42
    /// ```
    "scopedImport" [top_level] => async fn scoped_import(scope: Strict, path: Lazy);

    /// Looks a name up in a search path (a list of `{ prefix; path; }`, as `builtins.nixPath`):
    /// the first entry whose prefix matches and under whose path the rest of the name exists.
    /// This is what `<name>` means.
    ///
    /// ```nix
    /// builtins.findFile [ { prefix = "lang"; path = ./tests/lang; } ] "lang/lib/value.nix" == ./tests/lang/lib/value.nix
    /// => true
    /// ```
    ///
    /// ```nix
    /// builtins.findFile [ ] "nixpkgs"
    /// => error: file 'nixpkgs' was not found in the Nix search path (add it using $NIX_PATH or -I)
    /// ```
    "findFile" => async fn find_file(search_path: Strict, name: Lazy);

    /// Whether a path exists (a string ending in `/` must name a directory).
    ///
    /// ```nix
    /// map builtins.pathExists [ ./Cargo.toml ./no-such-file "${toString ./Cargo.toml}/" ]
    /// => [ true false false ]
    /// ```
    "pathExists" => async fn path_exists(path: Strict);

    /// The contents of a file as a string.
    ///
    /// ```nix
    /// builtins.readFile ./tests/lang/lib/value.nix
    /// => "# an imported file whose value is not a function\n[ 1 2 (3 + 4) ]\n"
    /// ```
    "readFile" => async fn read_file(path: Strict);

    /// The value of an environment variable of the evaluator: `""` if it is not set, and
    /// always in pure evaluation mode.
    ///
    /// ```nix
    /// builtins.getEnv "GNIX_DOC_EXAMPLE_SURELY_UNSET"
    /// => ""
    /// ```
    "getEnv" => async fn get_env(name: Strict);

    /// The last component of a path or string (a trailing `/` ignored), as a string.
    ///
    /// ```nix
    /// map baseNameOf [ "/a/b/c.nix" "/a/b/" ./src ]
    /// => [ "c.nix" "b" "src" ]
    /// ```
    "baseNameOf" [top_level] => async fn base_name_of(path: Strict);

    /// Everything before the last `/` of a path or string (`"."` if there is none): a path
    /// for a path, a string for a string.
    ///
    /// ```nix
    /// [ (dirOf "/a/b/c.nix") (dirOf "/a/b/") (dirOf "c") (dirOf ./src == ./.) ]
    /// => [ "/a/b" "/a/b" "." true ]
    /// ```
    "dirOf" [top_level] => async fn dir_of(path: Strict);
}

async fn import(co: Co, path: Value) -> Result<Value, Error> {
    let path = super::files::real_path(&co, path).await?;
    Ok(request::import(&co, path, None).await)
}

async fn scoped_import(co: Co, scope: Value, path: Value) -> Result<Value, Error> {
    let scope = attrs_of(&scope)?.clone();
    let path = super::files::real_path(&co, path).await?;
    Ok(request::import(&co, path, Some(Value::Attrs(scope))).await)
}

async fn find_file(co: Co, search_path: Value, name: Value) -> Result<Value, Error> {
    let entries = list_of(&search_path)?;
    let name = force_string(&co, name).await?;
    let name = name.to_str_lossy().into_owned();
    for entry in entries.iter() {
        let entry = force_attrs(&co, entry.clone()).await?;
        let prefix = match entry.get(sym!("prefix")) {
            Some(p) => force_string(&co, p.clone())
                .await?
                .to_str_lossy()
                .into_owned(),
            None => String::new(),
        };
        let Some(path) = entry.get(sym!("path")) else {
            return Err(crate::vm::ops::missing_named("path"));
        };
        let path = walk::coerce_to_string(&co, path.clone(), Coercion::PLAIN).await?;
        let rest = if prefix.is_empty() {
            Some(name.as_str())
        } else if name == prefix {
            Some("")
        } else {
            name.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/'))
        };
        let Some(rest) = rest else { continue };
        let candidate = if rest.is_empty() {
            crate::paths::from_bytes(path.as_bytes())
        } else {
            crate::paths::from_bytes(path.as_bytes()).join(rest)
        };
        let candidate = crate::paths::absolute(&candidate, &working_dir(&co).await?);
        if file_type(&co, candidate.clone()).await.is_ok() {
            return Ok(Value::Path(Rc::new(candidate)));
        }
    }
    // Nix's own files come last, whatever the search path holds.
    if let Some(rest) = name.strip_prefix("nix/") {
        return Ok(Value::Path(Rc::new(crate::corepkgs::lookup(rest))));
    }
    // C++ Nix throws this as a catchable error (`tryEval <nope>` is a failure, not an abort).
    Err(Error::throw(
        match request::flag(&co, request::Flag::Pure).await {
            true => format!(
                "cannot look up '<{name}>' in pure evaluation mode (use '--impure' to override)"
            ),
            false => format!(
                "file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)"
            ),
        },
    ))
}

/// The type of a path itself, through the host's `EvalIo`.
pub(super) async fn file_type(co: &Co, path: PathBuf) -> std::io::Result<crate::io::FileType> {
    match request::io(co, IoRequest::FileType(path)).await? {
        IoResponse::Type(t) => Ok(t),
        _ => Err(std::io::Error::other("unexpected answer")),
    }
}

/// A whole file, through the host's `EvalIo`, with C++ Nix's messages.
pub(super) async fn read_bytes(co: &Co, path: &std::path::Path) -> Result<Vec<u8>, Error> {
    read_io(co, IoRequest::ReadFile(path.to_path_buf()), path).await
}

/// The bytes the host answers `req` about the file `path` with (its contents, or a digest of
/// them), its failures as C++ Nix words them for a file read.
pub(super) async fn read_io(
    co: &Co,
    req: IoRequest,
    path: &std::path::Path,
) -> Result<Vec<u8>, Error> {
    let answer = request::io(co, req).await;
    match answer {
        Ok(IoResponse::Bytes(b)) => Ok(b),
        Ok(_) => Err(Error::new("unexpected answer from the host")),
        Err(e) => Err(match e.kind() {
            // Pure evaluation's refusal (an error of its own, as in C++ Nix).
            std::io::ErrorKind::PermissionDenied => Error::new(e.to_string()),
            std::io::ErrorKind::NotFound => crate::store::io_error(e, path),
            std::io::ErrorKind::IsADirectory => {
                let message = format!("file '{}' is not a regular file", path.display());
                Error::new(message).with_class(ErrorClass::Io)
            }
            _ => Error::new(format!("reading file '{}': {e}", path.display()))
                .with_class(ErrorClass::Io),
        }),
    }
}

async fn path_exists(co: Co, path: Value) -> Result<Value, Error> {
    // As in C++ Nix, a string ending in `/` or `/.` must name a directory.
    let must_be_dir = matches!(&path, Value::String(s) if s.as_bytes().ends_with(b"/") || s.as_bytes().ends_with(b"/."));
    let p = super::files::real_path(&co, path).await?;
    let exists = match file_type(&co, p).await {
        Ok(t) => !must_be_dir || t == crate::io::FileType::Directory,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::new(e.to_string()));
        }
        Err(_) => false,
    };
    Ok(Value::bool(exists))
}

async fn read_file(co: Co, path: Value) -> Result<Value, Error> {
    let p = super::files::real_path(&co, path).await?;
    let bytes = read_bytes(&co, &p).await?;
    // Nix strings end at a NUL byte in C++ Nix, which refuses such a file rather than cut it.
    if bytes.contains(&0) {
        return Err(Error::new(format!(
            "the contents of the file '{}' cannot be represented as a Nix string",
            p.display()
        )));
    }
    Ok(Value::String(NixString::from(bytes)))
}

async fn get_env(co: Co, name: Value) -> Result<Value, Error> {
    let name = string_of(&name)?;
    // Names and values travel as text with stand-ins for bytes that are not UTF-8 (`rawtext`).
    let value = match request::io(&co, IoRequest::GetEnv(name.to_text().into_owned())).await {
        Ok(IoResponse::Env(v)) => v.unwrap_or_default(),
        _ => String::new(),
    };
    Ok(Value::string(crate::rawtext::encode(&value).as_ref()))
}

async fn base_name_of(co: Co, path: Value) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, path, Coercion::PLAIN).await?;
    let bytes = s.as_bytes();
    let trimmed = bytes.strip_suffix(b"/").unwrap_or(bytes);
    let start = trimmed
        .iter()
        .rposition(|&c| c == b'/')
        .map_or(0, |i| i + 1);
    Ok(Value::String(NixString::new(
        &trimmed[start..],
        s.context().cloned(),
    )))
}

async fn dir_of(co: Co, path: Value) -> Result<Value, Error> {
    let is_path = matches!(path, Value::Path(_));
    let s = walk::coerce_to_string(&co, path, Coercion::PLAIN).await?;
    let bytes = s.as_bytes();
    let dir: &[u8] = match bytes.iter().rposition(|&c| c == b'/') {
        None => b".",
        Some(0) => b"/",
        Some(i) => &bytes[..i],
    };
    if is_path {
        return Ok(Value::Path(Rc::new(crate::paths::from_bytes(dir))));
    }
    Ok(Value::String(NixString::new(dir, s.context().cloned())))
}

/// `builtins.nixPath`: the search path as `[ { path; prefix; } ]`.
pub fn nix_path(settings: &Settings, _io: &dyn EvalIo) -> Value {
    let entries = settings
        .search_path
        .iter()
        .map(|e| {
            let (prefix, path) = match e.split_once('=') {
                Some((p, rest)) => (p, rest),
                None => ("", e.as_str()),
            };
            Value::attrs(Attrs::from_sorted(vec![
                ("path".into(), Value::string(path)),
                ("prefix".into(), Value::string(prefix)),
            ]))
        })
        .collect();
    Value::list(entries)
}

/// The host's working directory (relative search-path entries resolve against it).
async fn working_dir(co: &Co) -> Result<PathBuf, Error> {
    match request::io(co, IoRequest::WorkingDir).await {
        Ok(IoResponse::Dir(d)) => Ok(d),
        Ok(_) => unreachable!("a working directory request answered with something else"),
        Err(e) => Err(Error::new(format!(
            "cannot read the working directory: {e}"
        ))),
    }
}
