//! Files, imports and the search path: `import`, `findFile`, `pathExists`, `readFile`,
//! `getEnv`, `baseNameOf`, `dirOf`.

use super::{arg, force_attrs, force_list, force_string};
use crate::errors::Error;
use crate::eval::Settings;
use crate::io::EvalIo;
use crate::value::{Attrs, Builtin, NixString, Value, sym};
use crate::vm::ops::type_error;
use crate::vm::request::{self, Co, IoRequest, IoResponse, force};
use crate::vm::walk::{self, Coercion};
use std::path::PathBuf;
use std::rc::Rc;

async fn import(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let path = super::files::real_path(&co, arg(&args, 0)).await?;
    Ok(request::import(&co, path, None).await)
}

async fn scoped_import(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let scope = force_attrs(&co, arg(&args, 0)).await?;
    let path = super::files::real_path(&co, arg(&args, 1)).await?;
    Ok(request::import(&co, path, Some(Value::Attrs(scope))).await)
}

async fn find_file(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let entries = force_list(&co, arg(&args, 0)).await?;
    let name = force_string(&co, arg(&args, 1)).await?;
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
            return Err(Error::new("attribute 'path' missing"));
        };
        let path = walk::coerce_to_string(
            &co,
            path.clone(),
            Coercion {
                weak: false,
                copy_to_store: false,
            },
        )
        .await?;
        let rest = if prefix.is_empty() {
            Some(name.as_str())
        } else if name == prefix {
            Some("")
        } else {
            name.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/'))
        };
        let Some(rest) = rest else { continue };
        let candidate = if rest.is_empty() {
            PathBuf::from(path.to_str_lossy().as_ref())
        } else {
            PathBuf::from(path.to_str_lossy().as_ref()).join(rest)
        };
        let candidate = crate::eval::absolute(&candidate);
        if file_type(&co, candidate.clone()).await.is_ok() {
            return Ok(Value::Path(Rc::new(candidate)));
        }
    }
    // C++ Nix throws this as a catchable error (`tryEval <nope>` is a failure, not an abort).
    Err(Error::throw(format!(
        "file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)"
    )))
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
    let answer = request::io(co, IoRequest::ReadFile(path.to_path_buf())).await;
    match answer {
        Ok(IoResponse::Bytes(b)) => Ok(b),
        Ok(_) => Err(Error::new("unexpected answer from the host")),
        Err(e) => Err(match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::new(format!("path '{}' does not exist", path.display()))
            }
            std::io::ErrorKind::IsADirectory => {
                Error::new(format!("file '{}' is not a regular file", path.display()))
            }
            std::io::ErrorKind::PermissionDenied => Error::new(e.to_string()),
            _ => Error::new(format!("reading file '{}': {e}", path.display())),
        }),
    }
}

async fn path_exists(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let v = force(&co, arg(&args, 0)).await;
    // As in C++ Nix, a string ending in `/` or `/.` must name a directory.
    let must_be_dir = matches!(&v, Value::String(s) if s.as_bytes().ends_with(b"/") || s.as_bytes().ends_with(b"/."));
    let p = super::files::real_path(&co, v).await?;
    let exists = match file_type(&co, p).await {
        Ok(t) => !must_be_dir || t == crate::io::FileType::Directory,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::new(e.to_string()));
        }
        Err(_) => false,
    };
    Ok(Value::bool(exists))
}

async fn read_file(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let p = super::files::real_path(&co, arg(&args, 0)).await?;
    Ok(Value::String(NixString::from(read_bytes(&co, &p).await?)))
}

async fn get_env(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let name = force_string(&co, arg(&args, 0)).await?;
    let value = match request::io(&co, IoRequest::GetEnv(name.to_str_lossy().into_owned())).await {
        Ok(IoResponse::Env(v)) => v.unwrap_or_default(),
        _ => String::new(),
    };
    Ok(Value::string(value))
}

async fn base_name_of(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let v = force(&co, arg(&args, 0)).await;
    let s = walk::coerce_to_string(
        &co,
        v,
        Coercion {
            weak: false,
            copy_to_store: false,
        },
    )
    .await?;
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

async fn dir_of(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let v = force(&co, arg(&args, 0)).await;
    let is_path = matches!(v, Value::Path(_));
    let s = walk::coerce_to_string(
        &co,
        v,
        Coercion {
            weak: false,
            copy_to_store: false,
        },
    )
    .await?;
    let bytes = s.as_bytes();
    let dir: &[u8] = match bytes.iter().rposition(|&c| c == b'/') {
        None => b".",
        Some(0) => b"/",
        Some(i) => &bytes[..i],
    };
    if is_path {
        return Ok(Value::Path(Rc::new(PathBuf::from(
            String::from_utf8_lossy(dir).as_ref(),
        ))));
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

pub fn builtins() -> Vec<Builtin> {
    let _ = type_error;
    vec![
        def!("import", 1, import),
        def!("scopedImport", 2, scoped_import),
        def!("findFile", 2, find_file),
        def!("pathExists", 1, path_exists),
        def!("readFile", 1, read_file),
        def!("getEnv", 1, get_env),
        def!("baseNameOf", 1, base_name_of),
        def!("dirOf", 1, dir_of),
    ]
}
