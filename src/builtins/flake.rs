//! `builtins.parseFlakeRef` and `builtins.flakeRefToString`: flake references parsed and
//! printed as C++ Nix does (libflake's flakeref.cc with libfetchers' input schemes and libutil's
//! URL handling), without touching the network or the file system.
//!
//! Input schemes: `github`, `gitlab`, `sourcehut`, `git` (`git+https:` etc.), `hg`, `path`,
//! `indirect` (`flake:` and bare flake IDs such as `nixpkgs/branch`), `file` and `tarball`
//! (`https:` and `file:` URLs). Paths are not resolved against a directory, as the builtins do.

use super::attrs_of;
use super::string_no_ctx_of;
use crate::errors::Error;
use crate::value::{Attrs, Symbol, Value};
use crate::vm::request::{Co, force};
use std::collections::BTreeMap;

crate::declare_builtins! {
    /// Parses a flake reference (`github:owner/repo/ref`, `git+https://...`, `path:...`, a
    /// flake ID such as `nixpkgs`, ...) into the attribute set of its input, without fetching
    /// anything.
    ///
    /// ```nix
    /// builtins.parseFlakeRef "github:NixOS/nixpkgs/nixos-23.11?dir=lib"
    /// => { dir = "lib"; owner = "NixOS"; ref = "nixos-23.11"; repo = "nixpkgs"; type = "github"; }
    /// ```
    ///
    /// ```nix
    /// builtins.parseFlakeRef "nixpkgs"
    /// => { id = "nixpkgs"; type = "indirect"; }
    /// ```
    "parseFlakeRef" => fn parse_flake_ref(flake_ref: Strict);

    /// The flake reference URL of an input given as an attribute set (as `parseFlakeRef`
    /// returns): the inverse of `parseFlakeRef`. Values must be strings, Booleans or integers.
    ///
    /// ```nix
    /// builtins.flakeRefToString { type = "github"; owner = "NixOS"; repo = "nixpkgs"; ref = "nixos-23.11"; }
    /// => "github:NixOS/nixpkgs/nixos-23.11"
    /// ```
    "flakeRefToString" => async fn flake_ref_to_string(input: Strict);
}

fn parse_flake_ref(flake_ref: &Value) -> Result<Value, Error> {
    let s = string_no_ctx_of(flake_ref)?;
    let attrs = parse(&s.to_str_lossy()).map_err(FlakeError::into_error)?;
    let entries = attrs
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => Value::string(s),
                Attr::Int(i) => Value::Int(i as i64),
                Attr::Bool(b) => Value::bool(b),
            };
            (Symbol::from(k), v)
        })
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

async fn flake_ref_to_string(co: Co, input: Value) -> Result<Value, Error> {
    let a = attrs_of(&input)?;
    let mut attrs = FetchAttrs::new();
    for (name, v) in a.iter() {
        let name = name.to_str_lossy().into_owned();
        let attr = match force(&co, v.clone()).await {
            Value::Int(i) if i < 0 => {
                return Err(Error::new(format!(
                    "negative value given for flake ref attr {name}: {i}"
                )));
            }
            Value::Int(i) => Attr::Int(i as u64),
            Value::Bool(b) => Attr::Bool(b.get()),
            Value::String(s) => Attr::Str(s.to_str_lossy().into_owned()),
            other => {
                return Err(Error::new(format!(
                    "flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '{name}' is {}",
                    other.type_name()
                )));
            }
        };
        attrs.insert(name, attr);
    }
    let s = to_string(attrs).map_err(FlakeError::into_error)?;
    Ok(Value::string(s))
}

// Attributes of an input (C++ Nix's `fetchers::Attrs`).

#[derive(Clone, PartialEq, Eq)]
pub enum Attr {
    Str(String),
    Int(u64),
    Bool(bool),
}

pub type FetchAttrs = BTreeMap<String, Attr>;

/// C++ Nix's `BadURL` (which makes the URL parser fall back to a path) or any other error.
#[derive(Debug)]
pub enum FlakeError {
    BadUrl(String),
    Other(String),
}

impl FlakeError {
    fn into_error(self) -> Error {
        match self {
            FlakeError::BadUrl(m) | FlakeError::Other(m) => Error::new(m),
        }
    }
}

type FResult<T> = Result<T, FlakeError>;

fn bad<T>(message: String) -> FResult<T> {
    Err(FlakeError::BadUrl(message))
}

fn other<T>(message: String) -> FResult<T> {
    Err(FlakeError::Other(message))
}

fn str_attr<'a>(attrs: &'a FetchAttrs, name: &str) -> FResult<Option<&'a str>> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Attr::Str(s)) => Ok(Some(s)),
        Some(_) => other(format!(
            "input attribute '{name}' is not a string {}",
            attrs_to_json(attrs)
        )),
    }
}

fn required_str_attr<'a>(attrs: &'a FetchAttrs, name: &str) -> FResult<&'a str> {
    str_attr(attrs, name)?
        .ok_or_else(|| FlakeError::Other(format!("input attribute '{name}' is missing")))
}

fn int_attr(attrs: &FetchAttrs, name: &str) -> FResult<Option<u64>> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Attr::Int(i)) => Ok(Some(*i)),
        Some(_) => other(format!("input attribute '{name}' is not an integer")),
    }
}

fn bool_attr(attrs: &FetchAttrs, name: &str) -> FResult<bool> {
    match attrs.get(name) {
        None => Ok(false),
        Some(Attr::Bool(b)) => Ok(*b),
        Some(_) => other(format!("input attribute '{name}' is not a Boolean")),
    }
}

/// nlohmann's compact JSON of the attributes, as C++ Nix puts them in messages.
fn attrs_to_json(attrs: &FetchAttrs) -> String {
    let fields: Vec<String> = attrs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => json_string(s),
                Attr::Int(i) => i.to_string(),
                Attr::Bool(b) => b.to_string(),
            };
            format!("{}:{v}", json_string(k))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// URLs (libutil's `ParsedURL`, for the URLs flake references use).

#[derive(Clone)]
struct Url {
    scheme: String,
    /// The authority as written (`user@host:port`), if the URL has `//`.
    authority: Option<String>,
    /// Path segments, percent-decoded: `/a/b` is `["", "a", "b"]`.
    path: Vec<String>,
    query: BTreeMap<String, String>,
    fragment: String,
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn is_pchar(c: u8) -> bool {
    is_unreserved(c) || b"!$&'()*+,;=:@".contains(&c)
}

/// Percent-encodes every byte but unreserved characters and `keep` (upper-case hex).
fn percent_encode(s: &str, keep: &str) -> String {
    let mut out = String::new();
    for &c in s.as_bytes() {
        if is_unreserved(c) || keep.as_bytes().contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> FResult<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(c) => out.push(c),
                None => {
                    return bad(format!(
                        "invalid URI parameter '{s}': incomplete pct-encoding"
                    ));
                }
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Percent-encodes the characters in `set` (lenient parsing lets some through unencoded).
fn encode_chars(s: &str, set: &[u8]) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii() && set.contains(&(c as u8)) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `s` is made of `allowed` characters and well-formed percent escapes.
fn valid_component(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !b
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else if allowed(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn decode_query(query: &str) -> FResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if query.is_empty() {
        return Ok(out);
    }
    for param in query.split('&') {
        // A parameter without `=` is ignored (C++ Nix warns about it).
        if let Some((k, v)) = param.split_once('=') {
            let k = percent_decode(k)?;
            let v = percent_decode(v)?;
            out.entry(k).or_insert(v);
        }
    }
    Ok(out)
}

/// `parseURL`: an absolute URL (RFC 3986). Lenient parsing also takes unencoded spaces and
/// `"` in the query and fragment, and `^` in the fragment.
fn parse_url(url: &str, lenient: bool) -> FResult<Url> {
    let invalid = |why: &str| FlakeError::BadUrl(format!("'{url}' is not a valid URL: {why}"));
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) if lenient => (r, Some(encode_chars(f, b" \"^"))),
        Some((r, f)) => (r, Some(f.to_string())),
        None => (url, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) if lenient => (r, Some(encode_chars(q, b" \""))),
        Some((r, q)) => (r, Some(q.to_string())),
        None => (rest, None),
    };
    let Some((scheme, hier)) = rest.split_once(':') else {
        return bad(format!("'{url}' doesn't have a scheme"));
    };
    let scheme_ok = scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return bad(format!("'{url}' doesn't have a scheme"));
    }
    let (authority, path) = match hier.strip_prefix("//") {
        Some(h) => {
            let end = h.find('/').unwrap_or(h.len());
            (Some(h[..end].to_string()), &h[end..])
        }
        None => (None, hier),
    };
    let authority_ok = authority.as_deref().is_none_or(|a| {
        valid_component(a, |c| is_unreserved(c) || b"!$&'()*+,;=:@[]".contains(&c))
    });
    if !authority_ok {
        return Err(invalid("invalid authority"));
    }
    if !valid_component(path, |c| is_pchar(c) || c == b'/') {
        return Err(invalid("invalid path"));
    }
    let query_ok = |q: &str| valid_component(q, |c| is_pchar(c) || c == b'/' || c == b'?');
    if query.as_deref().is_some_and(|q| !query_ok(q))
        || fragment.as_deref().is_some_and(|f| !query_ok(f))
    {
        return Err(invalid("invalid character"));
    }
    let transport_is_file = url_scheme(scheme).1 == "file";
    if transport_is_file && authority.as_deref().is_some_and(|a| !a.is_empty()) {
        return bad(format!(
            "file:// URL '{url}' has unexpected authority '{}'",
            authority.unwrap_or_default()
        ));
    }
    let path = if transport_is_file && path.is_empty() {
        "/"
    } else {
        path
    };
    let path = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/')
            .map(percent_decode)
            .collect::<FResult<_>>()?
    };
    Ok(Url {
        scheme: scheme.to_string(),
        authority,
        path,
        query: decode_query(query.as_deref().unwrap_or(""))?,
        fragment: percent_decode(fragment.as_deref().unwrap_or(""))?,
    })
}

/// `(application, transport)` of `application+transport`.
fn url_scheme(scheme: &str) -> (Option<&str>, &str) {
    match scheme.split_once('+') {
        Some((a, t)) => (Some(a), t),
        None => (None, scheme),
    }
}

impl Url {
    fn new(scheme: &str, path: Vec<String>) -> Url {
        Url {
            scheme: scheme.to_string(),
            authority: None,
            path,
            query: BTreeMap::new(),
            fragment: String::new(),
        }
    }

    /// The path segments, without the empty ones.
    fn segments(&self) -> Vec<String> {
        self.path
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect()
    }

    fn render(&self) -> String {
        let mut out = format!("{}:", self.scheme);
        if let Some(a) = &self.authority {
            out.push_str("//");
            out.push_str(a);
        }
        let path: Vec<String> = self.path.iter().map(|p| percent_encode(p, ":@")).collect();
        out.push_str(&path.join("/"));
        if !self.query.is_empty() {
            let params: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        percent_encode(k, ":@/?"),
                        percent_encode(v, ":@/?")
                    )
                })
                .collect();
            out.push('?');
            out.push_str(&params.join("&"));
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&percent_encode(&self.fragment, ""));
        }
        out
    }
}

/// `urlPathToPath`: the file path of a URL's path segments.
fn url_path_to_path(path: &[String]) -> FResult<String> {
    for seg in path {
        if seg.contains('/') {
            return bad(format!(
                "URL path component '{seg}' contains '/', which is not allowed in file names"
            ));
        }
        if seg.contains('\0') {
            return bad(format!(
                "URL path component '{}' contains NUL byte which is not allowed",
                seg.replace('\0', "␀")
            ));
        }
    }
    let mut out = String::new();
    let mut rest = path;
    if let Some((first, tail)) = path.split_first()
        && first.is_empty()
    {
        out.push('/');
        rest = tail;
    }
    for seg in rest {
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(seg);
    }
    Ok(out)
}

/// `pathToUrlPath`: a file path as URL path segments (repeated slashes collapse).
fn path_to_url_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if path.starts_with('/') {
        out.push(String::new());
    }
    out.extend(
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    if path.ends_with('/') && path.len() > 1 || path == "/" {
        out.push(String::new());
    }
    out
}

// Names and revisions.

fn is_flake_id(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// `refRegex`: `[a-zA-Z0-9@][a-zA-Z0-9_.\/@+-]*`.
fn matches_ref_regex(s: &str) -> bool {
    s.as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'@')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_./@+-".contains(&c))
}

fn is_rev(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Git's rules for a branch or tag name (what libgit2 accepts as one).
fn is_legal_ref_name(name: &str) -> bool {
    let bad_char = |c: char| c.is_ascii_control() || " ~^:?*[\\".contains(c);
    !(name.is_empty()
        || name == "@"
        || name.starts_with('-')
        || name == "HEAD"
        || name.starts_with('/')
        || name.ends_with('/')
        || name.ends_with('.')
        || name.contains("..")
        || name.contains("//")
        || name.contains("@{")
        || name.chars().any(bad_char)
        || name
            .split('/')
            .any(|c| c.starts_with('.') || c.ends_with(".lock")))
}

/// A commit hash (SHA-1): C++ Nix's `Hash::parseAny(rev, SHA1)` for the base-16 form.
fn check_rev(rev: &str) -> FResult<()> {
    if is_rev(rev) {
        return Ok(());
    }
    other(format!(
        "hash '{rev}' has wrong length for hash algorithm 'sha1'"
    ))
}

// Flake references.

/// `parseFlakeRef` (no base directory): the input's attributes plus `dir`.
pub fn parse(url: &str) -> FResult<FetchAttrs> {
    let (mut attrs, dir, fragment) = parse_with_fragment(url)?;
    if !fragment.is_empty() {
        return other(format!(
            "unexpected fragment '{fragment}' in flake reference '{url}'"
        ));
    }
    if !dir.is_empty() {
        attrs.insert("dir".into(), Attr::Str(dir));
    }
    Ok(attrs)
}

fn parse_with_fragment(url: &str) -> FResult<(FetchAttrs, String, String)> {
    if let Some(r) = parse_flake_id_ref(url)? {
        return Ok(r);
    }
    match parse_url(url, true).and_then(from_parsed_url) {
        Ok(r) => Ok(r),
        Err(FlakeError::BadUrl(_)) => parse_path_ref(url),
        Err(e) => Err(e),
    }
}

/// `nixpkgs`, `nixpkgs/branch`, `nixpkgs/branch/rev`, with an optional `#fragment`.
fn parse_flake_id_ref(url: &str) -> FResult<Option<(FetchAttrs, String, String)>> {
    let (main, fragment) = match url.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (url, None),
    };
    let fragment_ok =
        fragment.is_none_or(|f| valid_component(f, |c| is_pchar(c) || b"/? \"^".contains(&c)));
    let (id, rest) = match main.split_once('/') {
        Some((id, rest)) => (id, Some(rest)),
        None => (main, None),
    };
    if !fragment_ok || !is_flake_id(id) || rest.is_some_and(|r| !matches_ref_regex(r)) {
        return Ok(None);
    }
    let url = Url::new("flake", main.split('/').map(str::to_string).collect());
    let attrs = from_url(&url)?;
    Ok(Some((
        attrs,
        String::new(),
        percent_decode(fragment.unwrap_or(""))?,
    )))
}

fn from_parsed_url(mut url: Url) -> FResult<(FetchAttrs, String, String)> {
    let dir = url.query.remove("dir").unwrap_or_default();
    let fragment = std::mem::take(&mut url.fragment);
    Ok((from_url(&url)?, dir, fragment))
}

/// A path flake reference: only absolute paths, since there is no base directory.
fn parse_path_ref(url: &str) -> FResult<(FetchAttrs, String, String)> {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, f),
        None => (url, ""),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, encode_chars(q, b" \"")),
        None => (rest, String::new()),
    };
    if !path.starts_with('/') {
        return bad(format!("flake reference '{url}' is not an absolute path"));
    }
    let mut parsed = Url::new("path", path_to_url_path(path));
    parsed.authority = Some(String::new());
    parsed.query = decode_query(&query)?;
    parsed.fragment = percent_decode(fragment)?;
    from_parsed_url(parsed)
}

// Input schemes.

const GIT_ARCHIVE_ATTRS: &[&str] = &[
    "owner",
    "repo",
    "ref",
    "rev",
    "narHash",
    "lastModified",
    "host",
    "treeHash",
];
const GIT_ATTRS: &[&str] = &[
    "url",
    "ref",
    "rev",
    "shallow",
    "submodules",
    "lfs",
    "exportIgnore",
    "lastModified",
    "revCount",
    "narHash",
    "allRefs",
    "name",
    "dirtyRev",
    "dirtyShortRev",
    "verifyCommit",
    "keytype",
    "publicKey",
    "publicKeys",
];
const HG_ATTRS: &[&str] = &["url", "ref", "rev", "revCount", "narHash", "name"];
const INDIRECT_ATTRS: &[&str] = &["id", "ref", "rev", "narHash"];
const PATH_ATTRS: &[&str] = &["path", "rev", "revCount", "lastModified", "narHash"];
const CURL_ATTRS: &[&str] = &[
    "url",
    "narHash",
    "name",
    "unpack",
    "rev",
    "revCount",
    "lastModified",
];

/// The attributes a scheme accepts (besides `type`), or `None` for an unknown scheme.
fn allowed_attrs(scheme: &str) -> Option<&'static [&'static str]> {
    Some(match scheme {
        "github" | "gitlab" | "sourcehut" => GIT_ARCHIVE_ATTRS,
        "git" => GIT_ATTRS,
        "hg" => HG_ATTRS,
        "indirect" => INDIRECT_ATTRS,
        "path" => PATH_ATTRS,
        "file" | "tarball" => CURL_ATTRS,
        _ => return None,
    })
}

fn is_git_archive(scheme: &str) -> bool {
    matches!(scheme, "github" | "gitlab" | "sourcehut")
}

/// `Input::fromURL` for a flake (which must be a tree): the schemes tried in name order.
fn from_url(url: &Url) -> FResult<FetchAttrs> {
    let (application, transport) = url_scheme(&url.scheme);
    let curl = matches!(transport, "file" | "http" | "https");
    let attrs = if curl && application == Some("file") {
        curl_from_url(url, "file")?
    } else if url.scheme == "git" || application == Some("git") {
        git_from_url(url)?
    } else if is_git_archive(&url.scheme) {
        git_archive_from_url(url)?
    } else if matches!(
        url.scheme.as_str(),
        "hg+http" | "hg+https" | "hg+ssh" | "hg+file"
    ) {
        hg_from_url(url)?
    } else if url.scheme == "flake" {
        indirect_from_url(url)?
    } else if url.scheme == "path" {
        path_from_url(url)?
    } else if curl && application.is_none_or(|a| a == "tarball") {
        // A flake must be a tree, so a plain `https:`/`file:` URL is a tarball whatever its
        // extension (`file` needs `file+` then).
        curl_from_url(url, "tarball")?
    } else if application == Some("file") && transport == "git" {
        return other(format!(
            "input '{}' is unsupported; did you mean 'git+file' instead of 'file+git'?",
            url.render()
        ));
    } else {
        return other(format!("input '{}' is unsupported", url.render()));
    };
    fixup(&attrs)?;
    Ok(attrs)
}

/// The checks every input gets: `type` a string, `ref` a string, counts integers.
fn fixup(attrs: &FetchAttrs) -> FResult<()> {
    required_str_attr(attrs, "type")?;
    str_attr(attrs, "ref")?;
    int_attr(attrs, "revCount")?;
    int_attr(attrs, "lastModified")?;
    Ok(())
}

fn git_archive_from_url(url: &Url) -> FResult<FetchAttrs> {
    let path = url.segments();
    let mut attrs = FetchAttrs::new();
    match path.len() {
        0 | 1 => return bad(format!("URL '{}' is invalid", url.render())),
        2 => {}
        3 if is_rev(&path[2]) => {
            attrs.insert("rev".into(), Attr::Str(path[2].clone()));
        }
        _ => {
            attrs.insert("ref".into(), Attr::Str(path[2..].join("/")));
        }
    }
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" | "ref" if attrs.contains_key(name) => {
                let what = if name == "rev" {
                    "commit hashes"
                } else {
                    "branch/tag names"
                };
                return bad(format!("URL '{}' contains multiple {what}", url.render()));
            }
            "rev" | "ref" | "host" | "narHash" => {
                attrs.insert(name.clone(), Attr::Str(value.clone()));
            }
            _ => {
                return bad(format!(
                    "URL '{}' contains unknown parameter '{name}'",
                    url.render()
                ));
            }
        }
    }
    attrs.insert("type".into(), Attr::Str(url.scheme.clone()));
    attrs.insert("owner".into(), Attr::Str(path[0].clone()));
    attrs.insert("repo".into(), Attr::Str(path[1].clone()));
    git_archive_from_attrs(&attrs)?;
    Ok(attrs)
}

fn git_archive_from_attrs(attrs: &FetchAttrs) -> FResult<()> {
    required_str_attr(attrs, "owner")?;
    required_str_attr(attrs, "repo")?;
    let git_ref = str_attr(attrs, "ref")?;
    let rev = str_attr(attrs, "rev")?;
    if let (Some(r), Some(v)) = (git_ref, rev) {
        return bad(format!(
            "input {} contains both a commit hash ('{v}') and a branch/tag name ('{r}')",
            attrs_to_json(attrs)
        ));
    }
    if let Some(v) = rev {
        check_rev(v)?;
    }
    if git_ref.is_some_and(|r| !is_legal_ref_name(r)) {
        return bad(format!(
            "input {} contains an invalid branch/tag name",
            attrs_to_json(attrs)
        ));
    }
    let host_ok = |h: &str| {
        h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
    };
    if str_attr(attrs, "host")?.is_some_and(|h| !host_ok(h)) {
        return bad(format!(
            "input {} contains an invalid instance host",
            attrs_to_json(attrs)
        ));
    }
    Ok(())
}

fn git_from_url(url: &Url) -> FResult<FetchAttrs> {
    let mut url2 = url.clone();
    url2.query.clear();
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), Attr::Str("git".into()));
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" | "ref" | "keytype" | "publicKey" | "publicKeys" => {
                attrs.insert(name.clone(), Attr::Str(value.clone()));
            }
            "shallow" | "submodules" | "lfs" | "exportIgnore" | "allRefs" | "verifyCommit" => {
                attrs.insert(name.clone(), Attr::Bool(value == "1"));
            }
            _ => {
                url2.query.insert(name.clone(), value.clone());
            }
        }
    }
    attrs.insert("url".into(), Attr::Str(url2.render()));
    git_from_attrs(&mut attrs)?;
    Ok(attrs)
}

fn git_from_attrs(attrs: &mut FetchAttrs) -> FResult<()> {
    bool_attr(attrs, "verifyCommit")?;
    if let Some(r) = str_attr(attrs, "ref")?
        && !is_legal_ref_name(r)
    {
        return bad(format!("invalid Git branch/tag name '{r}'"));
    }
    let fixed = fix_git_url(required_str_attr(attrs, "url")?)?;
    attrs.insert("url".into(), Attr::Str(fixed));
    for name in ["shallow", "submodules", "allRefs"] {
        bool_attr(attrs, name)?;
    }
    Ok(())
}

/// `fixGitURL`: an absolute path becomes a `file://` URL; `git+` is dropped from the scheme.
fn fix_git_url(url: &str) -> FResult<String> {
    if url.starts_with('/') {
        let mut u = Url::new("file", path_to_url_path(url));
        u.authority = Some(String::new());
        return Ok(u.render());
    }
    let mut parsed = parse_url(url, false)?;
    if let (Some("git"), transport) = url_scheme(&parsed.scheme) {
        parsed.scheme = transport.to_string();
    }
    Ok(parsed.render())
}

fn hg_from_url(url: &Url) -> FResult<FetchAttrs> {
    let mut url2 = url.clone();
    url2.scheme = url.scheme[3..].to_string();
    url2.query.clear();
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), Attr::Str("hg".into()));
    for (name, value) in &url.query {
        if name == "rev" || name == "ref" {
            attrs.insert(name.clone(), Attr::Str(value.clone()));
        } else {
            url2.query.insert(name.clone(), value.clone());
        }
    }
    attrs.insert("url".into(), Attr::Str(url2.render()));
    hg_from_attrs(&attrs)?;
    Ok(attrs)
}

fn hg_from_attrs(attrs: &FetchAttrs) -> FResult<()> {
    parse_url(required_str_attr(attrs, "url")?, false)?;
    if let Some(r) = str_attr(attrs, "ref")?
        && !matches_ref_regex(r)
    {
        return bad(format!("invalid Mercurial branch/tag name '{r}'"));
    }
    Ok(())
}

fn indirect_from_url(url: &Url) -> FResult<FetchAttrs> {
    let path = url.segments();
    let shown = url.render();
    let (git_ref, rev) = match path.len() {
        1 => (None, None),
        2 if is_rev(&path[1]) => (None, Some(&path[1])),
        2 if is_legal_ref_name(&path[1]) => (Some(&path[1]), None),
        2 => {
            return bad(format!(
                "in flake URL '{shown}', '{}' is not a commit hash or branch/tag name",
                path[1]
            ));
        }
        3 => {
            if !is_legal_ref_name(&path[1]) {
                return bad(format!(
                    "in flake URL '{shown}', '{}' is not a branch/tag name",
                    path[1]
                ));
            }
            if !is_rev(&path[2]) {
                return bad(format!(
                    "in flake URL '{shown}', '{}' is not a commit hash",
                    path[2]
                ));
            }
            (Some(&path[1]), Some(&path[2]))
        }
        _ => return bad(format!("GitHub URL '{shown}' is invalid")),
    };
    let id = path.first().cloned().unwrap_or_default();
    if !is_flake_id(&id) {
        return bad(format!("'{id}' is not a valid flake ID"));
    }
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), Attr::Str("indirect".into()));
    attrs.insert("id".into(), Attr::Str(id));
    if let Some(rev) = rev {
        attrs.insert("rev".into(), Attr::Str(rev.to_ascii_lowercase()));
    }
    if let Some(r) = git_ref {
        attrs.insert("ref".into(), Attr::Str(r.clone()));
    }
    Ok(attrs)
}

fn path_from_url(url: &Url) -> FResult<FetchAttrs> {
    if let Some(a) = url.authority.as_deref().filter(|a| !a.is_empty()) {
        return other(format!(
            "path URL '{}' should not have an authority ('{a}')",
            url.render()
        ));
    }
    let mut attrs = FetchAttrs::new();
    attrs.insert("type".into(), Attr::Str("path".into()));
    attrs.insert("path".into(), Attr::Str(url_path_to_path(&url.path)?));
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" | "narHash" => {
                attrs.insert(name.clone(), Attr::Str(value.clone()));
            }
            "revCount" | "lastModified" => match value.parse::<u64>() {
                Ok(n) => {
                    attrs.insert(name.clone(), Attr::Int(n));
                }
                Err(_) => {
                    return other(format!(
                        "path URL '{}' has invalid parameter '{name}'",
                        url.render()
                    ));
                }
            },
            _ => {
                return other(format!(
                    "path URL '{}' has unsupported parameter '{name}'",
                    url.render()
                ));
            }
        }
    }
    Ok(attrs)
}

fn curl_from_url(url: &Url, scheme: &str) -> FResult<FetchAttrs> {
    let mut url = url.clone();
    url.scheme = url_scheme(&url.scheme).1.to_string();
    let mut attrs = FetchAttrs::new();
    for name in ["narHash", "rev"] {
        if let Some(v) = url.query.get(name) {
            attrs.insert(name.into(), Attr::Str(v.clone()));
        }
    }
    for name in ["revCount", "lastModified"] {
        if let Some(n) = url.query.get(name).and_then(|v| v.parse::<u64>().ok()) {
            attrs.insert(name.into(), Attr::Int(n));
        }
    }
    for name in CURL_ATTRS {
        url.query.remove(*name);
    }
    attrs.insert("type".into(), Attr::Str(scheme.into()));
    attrs.insert("url".into(), Attr::Str(url.render()));
    Ok(attrs)
}

// Printing.

/// `flakeRefToString`: `FlakeRef::fromAttrs` then `to_string`.
pub fn to_string(mut attrs: FetchAttrs) -> FResult<String> {
    let dir = str_attr(&attrs, "dir")?.unwrap_or("").to_string();
    attrs.remove("dir");
    let Some(scheme) = str_attr(&attrs, "type")?.map(str::to_string) else {
        return other(
            "'type' attribute to specify input scheme is required but not provided".into(),
        );
    };
    let Some(allowed) = allowed_attrs(&scheme) else {
        fixup(&attrs)?;
        return other(format!(
            "cannot show unsupported input '{}'",
            attrs_to_json(&attrs)
        ));
    };
    for name in attrs.keys() {
        if name != "type" && name != "__final" && !allowed.contains(&name.as_str()) {
            return other(format!(
                "input attribute '{name}' not supported by scheme '{scheme}'"
            ));
        }
    }
    from_attrs(&scheme, &mut attrs)?;
    fixup(&attrs)?;
    let mut url = to_url(&scheme, &attrs)?;
    if !dir.is_empty() {
        url.query.entry("dir".into()).or_insert(dir);
    }
    Ok(url.render())
}

/// A scheme's `inputFromAttrs` checks (and normalisation, for `git`).
fn from_attrs(scheme: &str, attrs: &mut FetchAttrs) -> FResult<()> {
    match scheme {
        "github" | "gitlab" | "sourcehut" => git_archive_from_attrs(attrs),
        "git" => git_from_attrs(attrs),
        "hg" => hg_from_attrs(attrs),
        "indirect" => {
            let id = required_str_attr(attrs, "id")?;
            if !is_flake_id(id) {
                return bad(format!("'{id}' is not a valid flake ID"));
            }
            Ok(())
        }
        "path" => required_str_attr(attrs, "path").map(|_| ()),
        _ => Ok(()),
    }
}

/// The `rev` attribute as a commit hash (lower-case base 16).
fn rev_attr(attrs: &FetchAttrs) -> FResult<Option<String>> {
    match str_attr(attrs, "rev")? {
        None => Ok(None),
        Some(r) => {
            check_rev(r)?;
            Ok(Some(r.to_ascii_lowercase()))
        }
    }
}

fn to_url(scheme: &str, attrs: &FetchAttrs) -> FResult<Url> {
    let git_ref = str_attr(attrs, "ref")?.map(str::to_string);
    match scheme {
        "github" | "gitlab" | "sourcehut" => {
            let mut path = vec![
                required_str_attr(attrs, "owner")?.to_string(),
                required_str_attr(attrs, "repo")?.to_string(),
            ];
            path.extend(git_ref);
            path.extend(rev_attr(attrs)?);
            let mut url = Url::new(scheme, path);
            for name in ["narHash", "host"] {
                if let Some(v) = str_attr(attrs, name)? {
                    url.query.insert(name.into(), v.to_string());
                }
            }
            Ok(url)
        }
        "git" => git_to_url(attrs),
        "hg" => {
            let mut url = parse_url(required_str_attr(attrs, "url")?, false)?;
            url.scheme = format!("hg+{}", url.scheme);
            if let Some(rev) = rev_attr(attrs)? {
                url.query.insert("rev".into(), rev);
            }
            if let Some(r) = git_ref {
                url.query.insert("ref".into(), r);
            }
            Ok(url)
        }
        "indirect" => {
            let mut path = vec![required_str_attr(attrs, "id")?.to_string()];
            path.extend(git_ref);
            path.extend(rev_attr(attrs)?);
            Ok(Url::new("flake", path))
        }
        "path" => {
            let mut url = Url::new("path", path_to_url_path(required_str_attr(attrs, "path")?));
            for (k, v) in attrs {
                if matches!(k.as_str(), "path" | "type" | "__final") {
                    continue;
                }
                let v = match v {
                    Attr::Str(s) => s.clone(),
                    Attr::Int(i) => i.to_string(),
                    Attr::Bool(b) => if *b { "1" } else { "0" }.to_string(),
                };
                url.query.insert(k.clone(), v);
            }
            Ok(url)
        }
        _ => {
            let mut url = parse_url(required_str_attr(attrs, "url")?, false)?;
            if let Some(h) = str_attr(attrs, "narHash")? {
                url.query.insert("narHash".into(), h.to_string());
            }
            Ok(url)
        }
    }
}

fn git_to_url(attrs: &FetchAttrs) -> FResult<Url> {
    let mut url = parse_url(required_str_attr(attrs, "url")?, false)?;
    if url.scheme != "git" {
        url.scheme = format!("git+{}", url.scheme);
    }
    if let Some(rev) = rev_attr(attrs)? {
        url.query.insert("rev".into(), rev);
    }
    if let Some(r) = str_attr(attrs, "ref")? {
        url.query.insert("ref".into(), r.to_string());
    }
    for name in [
        "shallow",
        "lfs",
        "submodules",
        "exportIgnore",
        "verifyCommit",
    ] {
        if bool_attr(attrs, name)? {
            url.query.insert(name.into(), "1".into());
        }
    }
    if let (Some(t), Some(k)) = (str_attr(attrs, "keytype")?, str_attr(attrs, "publicKey")?) {
        url.query.insert("keytype".into(), t.to_string());
        url.query.insert("publicKey".into(), k.to_string());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs_of(url: &str) -> String {
        match parse(url) {
            Ok(a) => attrs_to_json(&a),
            Err(FlakeError::BadUrl(m) | FlakeError::Other(m)) => format!("error: {m}"),
        }
    }

    fn round_trip(url: &str) -> String {
        match parse(url).and_then(to_string) {
            Ok(s) => s,
            Err(FlakeError::BadUrl(m) | FlakeError::Other(m)) => format!("error: {m}"),
        }
    }

    #[test]
    fn parses_the_common_forms() {
        for (url, want) in [
            (
                "github:NixOS/nixpkgs/23.05?dir=lib",
                r#"{"dir":"lib","owner":"NixOS","ref":"23.05","repo":"nixpkgs","type":"github"}"#,
            ),
            (
                "nixpkgs/nixos-23.05",
                r#"{"id":"nixpkgs","ref":"nixos-23.05","type":"indirect"}"#,
            ),
            ("nixpkgs", r#"{"id":"nixpkgs","type":"indirect"}"#),
            (
                "path:/foo/bar?lastModified=12",
                r#"{"lastModified":12,"path":"/foo/bar","type":"path"}"#,
            ),
            ("/foo/bar", r#"{"path":"/foo/bar","type":"path"}"#),
            (
                "git+https://example.org/repo.git?ref=main&shallow=1",
                r#"{"ref":"main","shallow":true,"type":"git","url":"https://example.org/repo.git"}"#,
            ),
            (
                "https://example.org/x.tar.gz?narHash=abc",
                r#"{"narHash":"abc","type":"tarball","url":"https://example.org/x.tar.gz"}"#,
            ),
        ] {
            assert_eq!(attrs_of(url), want, "{url}");
        }
        assert_eq!(
            attrs_of("foo/bar#baz"),
            "error: unexpected fragment 'baz' in flake reference 'foo/bar#baz'"
        );
        assert_eq!(
            attrs_of("./relative"),
            "error: flake reference './relative' is not an absolute path"
        );
    }

    #[test]
    fn prints_back() {
        for url in [
            "github:NixOS/nixpkgs/23.05?dir=lib",
            "flake:nixpkgs/nixos-23.05",
            "path:/foo/bar?lastModified=12",
            "git+https://example.org/repo.git?ref=main&shallow=1",
            "gitlab:a/b?host=gitlab.example.org",
        ] {
            assert_eq!(round_trip(url), url);
        }
        assert_eq!(round_trip("nixpkgs"), "flake:nixpkgs");
    }
}
