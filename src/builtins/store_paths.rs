//! Builtins that name store paths without a store: `path`, `filterSource`, `storePath`,
//! `convertHash`, and the fetchers, which check their arguments as C++ Nix does and then fail
//! (fetching needs the network and a store).
//!
//! `path` and `filterSource` compute the path C++ Nix would add the (filtered) file tree under:
//! the filter is called for every entry below the root in NAR order (an excluded directory is
//! not descended into), then the kept tree is hashed.

use super::paths;
use super::{files, flake, force_attrs, force_bool, force_function, force_string_no_ctx};
use crate::errors::Error;
use crate::io::FileType;
use crate::store::{self, HashFormat};
use crate::value::{NixContext, NixString, Thunk, Value, sym};
use crate::vm::ops::type_error;
use crate::vm::request::{self, Catch, Co, force, try_force};
use crate::vm::request::{IoRequest, IoResponse};
use crate::vm::walk::{self, Coercion};
use std::collections::HashSet;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

// The arguments forced with a trace line of their own (`while evaluating the argument passed
// to ...`) are lazy: the body forces them, so an error in them gets that line.
crate::declare_builtins! {
    /// Copies a file or directory to the store and returns its store path, as a string
    /// depending on it (gnix computes the path without writing to a store). The argument is
    /// `{ path; name ? <base name>; filter ? <keep all>; recursive ? true; sha256 ? null; }`:
    /// `filter` is called with each path below the root and its type (`"regular"`,
    /// `"directory"`, ...) and excludes those it is false for; `recursive = false` copies a
    /// single file as is; `sha256` is the expected hash.
    ///
    /// ```nix
    /// builtins.path { path = ./tests/lang/store-paths; name = "renamed"; }
    /// => "/nix/store/pjwcygbhws7kdpi16yk3w4n120sz6371-renamed"
    /// ```
    ///
    /// ```nix
    /// builtins.path { path = ./tests/lang/store-paths; foo = 1; }
    /// => error: unsupported argument 'foo' to 'builtins.path'
    /// ```
    "path" => async fn path(args: Lazy);

    /// Copies a path to the store like `builtins.path`, leaving out each entry below it for
    /// which the filter, called with its path and its type, is false.
    ///
    /// ```nix
    /// builtins.filterSource (path: type: type != "directory") ./tests/lang/store-paths
    /// => "/nix/store/wqjrfmk96rw6r1ir179ah3d5h6z1vvap-store-paths"
    /// ```
    "filterSource" => async fn filter_source(filter: Lazy, path: Lazy);

    /// A string naming a path in the store (or below one) unchanged, with that store path in
    /// its context, so that what uses it depends on it.
    ///
    /// ```nix
    /// builtins.getContext (builtins.storePath "/nix/store/zzyq8xl8c2xvybcwg21k27zqn5aa5wyq-a.nix/sub")
    /// => { "/nix/store/zzyq8xl8c2xvybcwg21k27zqn5aa5wyq-a.nix" = { path = true; }; }
    /// ```
    ///
    /// ```nix
    /// builtins.storePath "/tmp/x"
    /// => error: path '/tmp/x' is not in the Nix store
    /// ```
    "storePath" => async fn store_path(path: Lazy);

    /// Converts a hash to another format: `{ hash; hashAlgo ? <from hash>; toHashFormat; }`,
    /// with `toHashFormat` one of `"base16"`, `"nix32"`, `"base64"` and `"sri"`. The algorithm
    /// may be left out when the hash is in SRI form (`sha256-...`).
    ///
    /// ```nix
    /// builtins.convertHash { hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; toHashFormat = "nix32"; }
    /// => "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"
    /// ```
    ///
    /// ```nix
    /// builtins.convertHash { hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; hashAlgo = "sha256"; toHashFormat = "sri"; }
    /// => "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    /// ```
    "convertHash" => async fn convert_hash(args: Lazy);

    /// Downloads a file (a URL, or `{ url; sha256 ? ""; name ? <base name of url>; }`) into
    /// the store and returns its path. gnix checks the arguments, then fails: fetching needs
    /// the network and a store.
    ///
    /// ```nix
    /// builtins.fetchurl { url = "https://example.org/a.txt"; md5 = "x"; }
    /// => error: unsupported argument 'md5' to 'fetchurl'
    /// ```
    ///
    /// ```nix
    /// builtins.fetchurl "https://example.org/a.txt"
    /// => error: 'builtins.fetchurl' needs network access and a Nix store
    /// ```
    "fetchurl" => async fn fetchurl(args: Strict);

    /// Downloads and unpacks a tarball (a URL, `channel:<name>` for a NixOS channel, or
    /// `{ url; sha256 ? ""; name ? "source"; }`) into the store and returns its path. gnix
    /// checks the arguments, then fails: fetching needs the network and a store.
    ///
    /// ```nix
    /// builtins.fetchTarball { url = "https://example.org/a.tar.gz"; foo = 1; }
    /// => error: unsupported argument 'foo' to 'fetchTarball'
    /// ```
    "fetchTarball" [top_level] => async fn fetch_tarball(args: Strict);

    /// Fetches a Git repository (a URL, or `{ url; ref ? ; rev ? ; submodules ? ; ... }`) into
    /// the store and returns a set with its `outPath`, `rev` and so on. gnix checks the
    /// arguments, then fails: fetching needs the network and a store.
    ///
    /// ```nix
    /// builtins.fetchGit { url = "https://example.org/r.git"; rev = [ ]; }
    /// => error: argument 'rev' to 'fetchGit' is a list while a string, Boolean or integer is expected
    /// ```
    "fetchGit" [top_level] => async fn fetch_git(args: Strict);

    /// Fetches an input given as a flake reference URL or as an attribute set with a `type`
    /// (`"github"`, `"git"`, `"tarball"`, ...), and returns a set with its `outPath` and
    /// metadata. gnix checks the arguments, then fails: fetching needs the network and a store.
    ///
    /// ```nix
    /// builtins.fetchTree { url = "https://example.org/a.tar.gz"; }
    /// => error: argument 'type' is missing in call to 'fetchTree'
    /// ```
    "fetchTree" [top_level] => async fn fetch_tree(args: Strict);

    /// Fetches a Mercurial repository (a URL, or `{ url; rev ? ; name ? ; }`) into the store.
    /// gnix checks the arguments, then fails: fetching needs the network and a store.
    ///
    /// ```nix
    /// builtins.fetchMercurial { }
    /// => error: 'url' argument required
    /// ```
    "fetchMercurial" [top_level] => async fn fetch_mercurial(args: Strict);

    /// Fetches a store path and its closure from a binary cache:
    /// `{ fromStore; fromPath; toPath ? ; inputAddressed ? false; }`. gnix checks the
    /// arguments, then fails: fetching needs the network and a store.
    ///
    /// ```nix
    /// builtins.fetchClosure { fromPath = "/nix/store/zzyq8xl8c2xvybcwg21k27zqn5aa5wyq-a.nix"; }
    /// => error: attribute 'fromStore' is missing in call to 'fetchClosure'
    /// ```
    "fetchClosure" => async fn fetch_closure(args: Lazy);

    /// Fetches a flake given by its flake reference and returns its outputs with its
    /// metadata. gnix checks the reference, then fails: fetching needs the network and a
    /// store.
    ///
    /// ```nix
    /// builtins.getFlake "nixpkgs"
    /// => error: 'builtins.getFlake' needs network access and a Nix store
    /// ```
    "getFlake" => async fn get_flake(flake_ref: Strict);
}

/// Adds a line to the error's trace (`… while ...`).
fn context(mut e: Error, message: impl Into<String>) -> Error {
    e.add_trace(None, message);
    e
}

/// A string holding a store path, with that path as its context.
fn store_path_string(path: String, mut ctx: NixContext) -> Value {
    ctx.insert(path.clone());
    Value::String(NixString::new(path.into_bytes(), Some(ctx)))
}

fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

// `builtins.path` and `builtins.filterSource`.

/// `baseName` of a source path: its last component, `source` for the root.
fn base_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || "source".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// C++ Nix's `newHashAllowEmpty` for an expected SHA-256: an empty string warns and stands for
/// the all-zero hash.
async fn expected_sha256(co: &Co, text: &str) -> Result<store::Hash, Error> {
    if text.is_empty() {
        let zero = store::Hash {
            algo: "sha256",
            bytes: vec![0; 32],
        };
        let shown = store::hash_to_string(&zero, HashFormat::Sri, true);
        request::trace(co, format!("warning: found empty hash, assuming '{shown}'")).await;
        return Ok(zero);
    }
    store::parse_any_hash(text, Some("sha256"))
}

/// What `addPath` is asked to do.
struct AddPath {
    name: String,
    path: PathBuf,
    filter: Option<Value>,
    recursive: bool,
    expected: Option<store::Hash>,
    context: NixContext,
}

async fn path(co: Co, args: Value) -> Result<Value, Error> {
    let attrs = force_attrs(&co, args)
        .await
        .map_err(|e| context(e, "while evaluating the argument passed to 'builtins.path'"))?;
    let mut source: Option<(PathBuf, NixContext)> = None;
    let mut name = String::new();
    let mut filter = None;
    let mut recursive = true;
    let mut expected = None;
    for (key, value) in attrs.iter() {
        let value = value.clone();
        match key.as_bytes() {
            b"path" => {
                let what = "while evaluating the 'path' attribute passed to 'builtins.path'";
                let (p, s) = files::coerce_to_path(&co, value, what).await?;
                let ctx = s.and_then(|s| s.context().cloned()).unwrap_or_default();
                source = Some((p, ctx));
            }
            b"name" => {
                name = force_string_no_ctx(&co, value)
                    .await
                    .map_err(|e| {
                        context(
                            e,
                            "while evaluating the `name` attribute passed to builtins.path",
                        )
                    })?
                    .to_str_lossy()
                    .into_owned();
            }
            b"filter" => {
                filter = Some(force_function(&co, value).await.map_err(|e| {
                    context(
                        e,
                        "while evaluating the `filter` parameter passed to builtins.path",
                    )
                })?);
            }
            b"recursive" => {
                recursive = force_bool(&co, value).await.map_err(|e| {
                    context(
                        e,
                        "while evaluating the `recursive` attribute passed to builtins.path",
                    )
                })?;
            }
            b"sha256" => {
                let text = force_string_no_ctx(&co, value).await.map_err(|e| {
                    context(
                        e,
                        "while evaluating the `sha256` attribute passed to builtins.path",
                    )
                })?;
                expected = Some(expected_sha256(&co, &text.to_str_lossy()).await?);
            }
            _ => {
                return Err(Error::new(format!(
                    "unsupported argument '{key}' to 'builtins.path'"
                )));
            }
        }
    }
    let Some((path, context)) = source else {
        return Err(Error::new(
            "missing required 'path' attribute in the first argument to 'builtins.path'",
        ));
    };
    if name.is_empty() {
        name = base_name(&path);
    }
    add_path(
        &co,
        AddPath {
            name,
            path,
            filter,
            recursive,
            expected,
            context,
        },
    )
    .await
}

async fn filter_source(co: Co, filter: Value, path: Value) -> Result<Value, Error> {
    let what = "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'";
    let (path, s) = files::coerce_to_path(&co, path, what).await?;
    let filter = force_function(&co, filter).await.map_err(|e| {
        context(
            e,
            "while evaluating the first argument passed to builtins.filterSource",
        )
    })?;
    add_path(
        &co,
        AddPath {
            name: base_name(&path),
            context: s.and_then(|s| s.context().cloned()).unwrap_or_default(),
            path,
            filter: Some(filter),
            recursive: true,
            expected: None,
        },
    )
    .await
}

/// C++ Nix's `addPath` without a store: the path the tree would be added under, checked
/// against the expected hash if there is one (as when the path is not in the store yet).
async fn add_path(co: &Co, job: AddPath) -> Result<Value, Error> {
    let shown = path_string(&job.path);
    let result = add_path_inner(co, &job).await;
    result
        .map(|p| store_path_string(p, job.context))
        .map_err(|e| context(e, format!("while adding path '{shown}'")))
}

async fn add_path_inner(co: &Co, job: &AddPath) -> Result<String, Error> {
    let store_dir = request::store_dir(co).await;
    let expected_path = match &job.expected {
        Some(h) => {
            let p = store::make_fixed_output_path(
                &store_dir,
                &job.name,
                job.recursive,
                h.algo,
                &h.bytes,
            );
            store::check_store_path_name(&p, &job.name)?;
            Some(p)
        }
        None => None,
    };
    let root = request::resolve_symlinks(co, job.path.clone()).await;
    let excluded = match (&job.filter, job.recursive) {
        (Some(f), true) => filtered_out(co, &root, f).await?,
        _ => HashSet::new(),
    };
    let hash = request::store_hash(co, root, job.recursive, excluded).await;
    let actual =
        store::make_fixed_output_path(&store_dir, &job.name, job.recursive, "sha256", &hash);
    store::check_store_path_name(&actual, &job.name)?;
    if let Some(expected) = expected_path
        && expected != actual
    {
        return Err(Error::new(format!(
            "store path mismatch in (possibly filtered) path added from '{}'",
            path_string(&job.path)
        )));
    }
    Ok(actual)
}

/// The entries of a directory with their types, sorted, reversed for popping in order.
async fn children(co: &Co, dir: &Path) -> Result<Vec<(PathBuf, FileType)>, Error> {
    let mut entries = match request::io(co, IoRequest::ReadDir(dir.to_path_buf())).await {
        Ok(IoResponse::Entries(e)) => e,
        Ok(_) => Vec::new(),
        Err(e) => return Err(store::io_error(e, dir)),
    };
    entries.sort_by(|a, b| b.0.as_bytes().cmp(a.0.as_bytes()));
    Ok(entries.into_iter().map(|(n, t)| (dir.join(n), t)).collect())
}

/// Calls the filter on every entry below `root` in the order C++ Nix does (NAR order, a
/// directory's entries right after it is kept) and returns the entries it rejected. Walked
/// with an explicit stack.
async fn filtered_out(co: &Co, root: &Path, filter: &Value) -> Result<HashSet<PathBuf>, Error> {
    let mut excluded = HashSet::new();
    // A missing root is reported by the hashing that follows.
    if paths::file_type(co, root.to_path_buf()).await.ok() != Some(FileType::Directory) {
        return Ok(excluded);
    }
    let mut stack = children(co, root).await?;
    while let Some((p, kind)) = stack.pop() {
        let path_arg = Value::String(NixString::from(p.as_os_str().as_encoded_bytes()));
        // A lazy call forced here, so that its error comes back to say which path was being
        // added (`while adding path`), as C++ Nix's `addPath` says it.
        let args = smallvec::smallvec![path_arg, Value::string(kind.as_str())];
        let call = Value::Thunk(Thunk::apply(filter.clone(), args));
        let verdict = try_force(co, call, Catch::Any).await?;
        let keep = match verdict {
            Value::Bool(b) => b.get(),
            other => {
                return Err(context(
                    type_error("a Boolean", &other),
                    "while evaluating the return value of the path filter function",
                ));
            }
        };
        if !keep {
            excluded.insert(p);
        } else if kind == FileType::Directory {
            stack.extend(children(co, &p).await?);
        }
    }
    Ok(excluded)
}

// `builtins.storePath`.

async fn store_path(co: Co, path: Value) -> Result<Value, Error> {
    let what = "while evaluating the first argument passed to 'builtins.storePath'";
    let (path, s) = files::coerce_to_path(&co, path, what).await?;
    let store_dir = request::store_dir(&co).await;
    let text = path_string(&path);
    // Symlinks are resolved, unless the path itself names a store path (a symlink in the store).
    let is_store_path = Path::new(&text).parent() == Some(Path::new(&store_dir))
        && path
            .file_name()
            .is_some_and(|n| store::check_store_path_base(&n.to_string_lossy()).is_ok());
    let resolved = if is_store_path {
        text
    } else {
        path_string(&request::resolve_symlinks(&co, path.clone()).await)
    };
    let top = store::to_store_path(&store_dir, &resolved)?;
    let mut ctx = s.and_then(|s| s.context().cloned()).unwrap_or_default();
    ctx.insert(top);
    Ok(Value::String(NixString::new(
        resolved.into_bytes(),
        Some(ctx),
    )))
}

// `builtins.convertHash`.

async fn convert_hash(co: Co, args: Value) -> Result<Value, Error> {
    let attrs = force_attrs(&co, args).await.map_err(|e| {
        context(
            e,
            "while evaluating the first argument passed to builtins.convertHash",
        )
    })?;
    let missing = |name: &str| {
        context(
            crate::vm::ops::missing_named(name),
            format!("while locating the attribute '{name}'"),
        )
    };
    let hash = attrs.get(sym!("hash")).ok_or_else(|| missing("hash"))?;
    let hash = force_string_no_ctx(&co, hash.clone())
        .await
        .map_err(|e| context(e, "while evaluating the attribute 'hash'"))?;
    let algo = match attrs.get(sym!("hashAlgo")) {
        Some(a) => {
            let a = force_string_no_ctx(&co, a.clone())
                .await
                .map_err(|e| context(e, "while evaluating the attribute 'hashAlgo'"))?;
            Some(store::parse_hash_algo(&a.to_str_lossy())?)
        }
        None => None,
    };
    let format = attrs
        .get(sym!("toHashFormat"))
        .ok_or_else(|| missing("toHashFormat"))?;
    let format = force_string_no_ctx(&co, format.clone())
        .await
        .map_err(|e| context(e, "while evaluating the attribute 'toHashFormat'"))?;
    let format_name = format.to_str_lossy();
    let format = store::parse_hash_format(&format_name)?;
    if format_name == "base32" {
        request::trace(
            &co,
            r#"warning: "base32" is a deprecated alias for hash format "nix32"."#.into(),
        )
        .await;
    }
    let parsed = store::parse_any_hash(&hash.to_str_lossy(), algo)?;
    Ok(Value::string(store::hash_to_string(
        &parsed,
        format,
        format == HashFormat::Sri,
    )))
}

// The fetchers: arguments checked as C++ Nix checks them, then a clear failure.

fn needs_network(name: &str) -> Error {
    Error::new(format!(
        "'builtins.{name}' needs network access and a Nix store, which gnix does not provide yet"
    ))
}

/// C++ Nix's `baseNameOf` on a string: the last component, trailing slashes ignored.
fn base_name_of(s: &str) -> &str {
    let trimmed = s.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() && !s.is_empty() {
        &s[..1]
    } else {
        trimmed
    };
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

async fn fetchurl(co: Co, args: Value) -> Result<Value, Error> {
    fetch(co, args, "fetchurl", "").await
}

async fn fetch_tarball(co: Co, args: Value) -> Result<Value, Error> {
    fetch(co, args, "fetchTarball", "source").await
}

/// `fetchurl` and `fetchTarball` (C++ Nix's `fetch`) on their evaluated argument.
async fn fetch(co: Co, v: Value, who: &str, default_name: &str) -> Result<Value, Error> {
    let mut name = default_name.to_string();
    let mut name_passed = false;
    let is_attrs = matches!(v, Value::Attrs(_));
    let mut url = match &v {
        Value::Attrs(attrs) => {
            let mut url = None;
            for (key, value) in attrs.iter() {
                let value = value.clone();
                match key.as_bytes() {
                    b"url" => {
                        let s = force_string_no_ctx(&co, value)
                            .await
                            .map_err(|e| context(e, "while evaluating the url we should fetch"))?;
                        url = Some(s.to_str_lossy().into_owned());
                    }
                    b"sha256" => {
                        let s = force_string_no_ctx(&co, value).await.map_err(|e| {
                            context(
                                e,
                                "while evaluating the sha256 of the content we should fetch",
                            )
                        })?;
                        expected_sha256(&co, &s.to_str_lossy()).await?;
                    }
                    b"name" => {
                        name_passed = true;
                        let s = force_string_no_ctx(&co, value).await.map_err(|e| {
                            context(
                                e,
                                "while evaluating the name of the content we should fetch",
                            )
                        })?;
                        name = s.to_str_lossy().into_owned();
                    }
                    _ => {
                        return Err(Error::new(format!(
                            "unsupported argument '{key}' to '{who}'"
                        )));
                    }
                }
            }
            url.ok_or_else(|| Error::new("'url' argument required"))?
        }
        _ => force_string_no_ctx(&co, v.clone())
            .await
            .map_err(|e| context(e, "while evaluating the url we should fetch"))?
            .to_str_lossy()
            .into_owned(),
    };
    if who == "fetchTarball"
        && let Some(channel) = url.strip_prefix("channel:")
    {
        url = format!("https://channels.nixos.org/{channel}/nixexprs.tar.xz");
    }
    if name.is_empty() {
        name = base_name_of(&url).to_string();
    }
    if let Err(why) = store::check_store_name(&name) {
        let resolution = if name_passed {
            format!(
                "Please change the value for the 'name' attribute passed to '{who}', so that it can create a valid store path."
            )
        } else if is_attrs {
            format!(
                "Please add a valid 'name' attribute to the argument for '{who}', so that it can create a valid store path."
            )
        } else {
            format!(
                "Please pass an attribute set with 'url' and 'name' attributes to '{who}',  so that it can create a valid store path."
            )
        };
        return Err(Error::new(format!(
            "invalid store path name when fetching URL '{url}': {why}. {resolution}"
        )));
    }
    Err(needs_network(who))
}

async fn fetch_tree(co: Co, args: Value) -> Result<Value, Error> {
    fetch_tree_like(co, args, "fetchTree").await
}

async fn fetch_git(co: Co, args: Value) -> Result<Value, Error> {
    fetch_tree_like(co, args, "fetchGit").await
}

/// The argument checks of C++ Nix's `fetchTree` (also behind `fetchGit`) on its evaluated
/// argument.
async fn fetch_tree_like(co: Co, v: Value, fetcher: &str) -> Result<Value, Error> {
    let is_git = fetcher == "fetchGit";
    let no_copy = Coercion::PLAIN;
    if let Value::Attrs(attrs) = &v {
        match attrs.get(sym!("type")) {
            Some(_) if is_git => return Err(Error::new("unexpected argument 'type'")),
            Some(t) => {
                force_string_no_ctx(&co, t.clone()).await.map_err(|e| {
                    context(
                        e,
                        format!("while evaluating the `type` argument passed to '{fetcher}'"),
                    )
                })?;
            }
            None if !is_git => {
                return Err(Error::new(format!(
                    "argument 'type' is missing in call to '{fetcher}'"
                )));
            }
            None => {}
        }
        for (key, value) in attrs.iter() {
            if key.as_bytes() == b"type" {
                continue;
            }
            match force(&co, value.clone()).await {
                s @ (Value::String(_) | Value::Path(_)) => {
                    walk::coerce_to_string(&co, s, no_copy).await?;
                }
                Value::Bool(_) => {}
                Value::Int(i) if i < 0 => {
                    return Err(Error::new(format!(
                        "negative value given for '{fetcher}' argument '{key}': {i}"
                    )));
                }
                Value::Int(_) => {}
                _ if key.as_bytes() == b"publicKeys" => {
                    return Err(Error::new(
                        "experimental Nix feature 'verified-fetches' is disabled; add '--extra-experimental-features verified-fetches' to enable it",
                    ));
                }
                other => {
                    return Err(Error::new(format!(
                        "argument '{key}' to '{fetcher}' is {} while a string, Boolean or integer is expected",
                        other.type_name()
                    )));
                }
            }
        }
        if !is_git && attrs.get(sym!("name")).is_some() {
            return Err(Error::new(format!(
                "argument 'name' isn\u{2019}t supported in call to '{fetcher}'"
            )));
        }
        return Err(needs_network(fetcher));
    }
    let url = walk::coerce_to_string(&co, v, no_copy).await.map_err(|e| {
        context(
            e,
            format!("while evaluating the first argument passed to '{fetcher}'"),
        )
    })?;
    let url = url.to_str_lossy().into_owned();
    if !is_git && let Some(tarball) = relative_file_tarball(&url) {
        return Err(context(
            Error::new(format!(
                "tarball '{tarball}' must use an absolute path. The 'file' scheme does not support relative paths."
            )),
            format!("while fetching the input '{url}'"),
        ));
    }
    Err(needs_network(fetcher))
}

/// The URL of a tarball input that names a relative local file (`file:./x.tar.gz`), which C++
/// Nix refuses before downloading anything.
fn relative_file_tarball(url: &str) -> Option<String> {
    let attrs = flake::parse(url).ok()?;
    let kind = attrs.get("type")?;
    let Some(flake::Attr::Str(input_url)) = attrs.get("url") else {
        return None;
    };
    let explicit = url.starts_with("tarball+");
    let tarball_ext = [
        ".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst",
    ]
    .iter()
    .any(|ext| {
        input_url
            .split(['?', '#'])
            .next()
            .is_some_and(|p| p.ends_with(ext))
    });
    let path = input_url.strip_prefix("file:")?;
    let relative = !path.starts_with('/');
    (*kind == flake::Attr::Str("tarball".into()) && (explicit || tarball_ext) && relative)
        .then(|| input_url.clone())
}

async fn fetch_mercurial(co: Co, args: Value) -> Result<Value, Error> {
    let no_copy = Coercion::PLAIN;
    if let Value::Attrs(attrs) = &args {
        let mut url = String::new();
        for (key, value) in attrs.iter() {
            let value = value.clone();
            match key.as_bytes() {
                b"url" => {
                    url = walk::coerce_to_string(&co, value, no_copy)
                        .await
                        .map_err(|e| {
                            context(
                                e,
                                "while evaluating the `url` attribute passed to builtins.fetchMercurial",
                            )
                        })?
                        .to_str_lossy()
                        .into_owned();
                }
                b"rev" | b"name" => {
                    force_string_no_ctx(&co, value).await.map_err(|e| {
                        context(
                            e,
                            format!(
                                "while evaluating the `{key}` attribute passed to builtins.fetchMercurial"
                            ),
                        )
                    })?;
                }
                _ => {
                    return Err(Error::new(format!(
                        "unsupported argument '{key}' to 'fetchMercurial'"
                    )));
                }
            }
        }
        if url.is_empty() {
            return Err(Error::new("'url' argument required"));
        }
    } else {
        walk::coerce_to_string(&co, args, no_copy)
            .await
            .map_err(|e| {
                context(
                    e,
                    "while evaluating the first argument passed to builtins.fetchMercurial",
                )
            })?;
    }
    Err(needs_network("fetchMercurial"))
}

/// C++ Nix's `coerceToStorePath`: a string that is exactly a store path.
async fn coerce_to_store_path(co: &Co, v: Value, what: &str) -> Result<String, Error> {
    let s = walk::coerce_to_string(co, v, Coercion::PLAIN)
        .await
        .map_err(|e| context(e, what))?;
    let s = s.to_str_lossy().into_owned();
    let store_dir = request::store_dir(co).await;
    let p = Path::new(&s);
    let valid = p.parent() == Some(Path::new(&store_dir))
        && p.file_name()
            .is_some_and(|n| store::check_store_path_base(&n.to_string_lossy()).is_ok());
    if !valid {
        return Err(context(
            Error::new(format!("path '{s}' is not in the Nix store")),
            what,
        ));
    }
    Ok(s)
}

async fn fetch_closure(co: Co, args: Value) -> Result<Value, Error> {
    let attrs = force_attrs(&co, args).await.map_err(|e| {
        context(
            e,
            "while evaluating the argument passed to builtins.fetchClosure",
        )
    })?;
    let (mut from_path, mut to_path, mut from_store, mut input_addressed) =
        (false, false, None, false);
    for (key, value) in attrs.iter() {
        let what =
            format!("while evaluating the attribute '{key}' passed to builtins.fetchClosure");
        let value = value.clone();
        match key.as_bytes() {
            b"fromPath" => {
                coerce_to_store_path(&co, value, &what).await?;
                from_path = true;
            }
            b"toPath" => {
                let v = force(&co, value).await;
                if !matches!(&v, Value::String(s) if s.as_bytes().is_empty()) {
                    coerce_to_store_path(&co, v, &what).await?;
                }
                to_path = true;
            }
            b"fromStore" => {
                let s = force_string_no_ctx(&co, value)
                    .await
                    .map_err(|e| context(e, what))?;
                from_store = Some(s.to_str_lossy().into_owned());
            }
            b"inputAddressed" => {
                input_addressed = force_bool(&co, value).await.map_err(|e| context(e, what))?;
            }
            _ => {
                return Err(Error::new(format!(
                    "attribute '{key}' isn't supported in call to 'fetchClosure'"
                )));
            }
        }
    }
    if !from_path {
        return Err(Error::new(
            "attribute 'fromPath' is missing in call to 'fetchClosure'",
        ));
    }
    if input_addressed && to_path {
        return Err(Error::new(
            "attribute 'inputAddressed' is set to true, but 'toPath' is also set. Please remove one of them",
        ));
    }
    let Some(from_store) = from_store else {
        return Err(Error::new(
            "attribute 'fromStore' is missing in call to 'fetchClosure'",
        ));
    };
    let scheme = from_store.split_once("://").map(|(s, _)| s);
    if !matches!(scheme, Some("http" | "https")) {
        return Err(Error::new(
            "'fetchClosure' only supports http:// and https:// stores",
        ));
    }
    if from_store.contains('?') {
        return Err(Error::new(format!(
            "'fetchClosure' does not support URL query parameters (in '{from_store}')"
        )));
    }
    Err(needs_network("fetchClosure"))
}

async fn get_flake(co: Co, flake_ref: Value) -> Result<Value, Error> {
    if !matches!(flake_ref, Value::Path(_)) {
        let s = force_string_no_ctx(&co, flake_ref).await.map_err(|e| {
            context(
                e,
                "while evaluating the argument passed to builtins.getFlake",
            )
        })?;
        let s = s.to_str_lossy();
        if let Err(flake::FlakeError::BadUrl(m) | flake::FlakeError::Other(m)) = flake::parse(&s) {
            return Err(Error::new(m));
        }
    }
    Err(needs_network("getFlake"))
}
