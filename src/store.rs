//! Store paths without a store.
//!
//! Interpolating a path (`"${./src}"`) makes C++ Nix copy it to the store and yields
//! `/nix/store/<hash>-src`. The hash depends only on the file tree's NAR serialisation, so gnix
//! computes the same path without writing anything: the string and its context are exactly what
//! C++ Nix produces. (Writing the files is the later store/derivation work.)

use crate::errors::Error;
use crate::io::{EvalIo, FileType};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The store path `path` would be copied to, as `nix-store --add` (`source` type) names it,
/// given the SHA-256 of its NAR serialisation.
pub fn path_to_store(store_dir: &str, path: &Path, nar: &[u8; 32]) -> Result<String, Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_name(&name, path)?;
    let fingerprint = format!("source:sha256:{}:{store_dir}:{name}", hex(nar));
    let digest = compress(&Sha256::digest(fingerprint.as_bytes()));
    Ok(format!("{store_dir}/{}-{name}", nix32(&digest)))
}

fn check_name(name: &str, path: &Path) -> Result<(), Error> {
    let valid = |c: char| c.is_ascii_alphanumeric() || "+-._?=".contains(c);
    match name.chars().find(|&c| !valid(c)) {
        Some(c) => Err(Error::new(format!(
            "invalid store path name '{name}' of path '{}': contains illegal character '{c}'",
            path.display()
        ))),
        None if name.is_empty() || name.starts_with('.') => Err(Error::new(format!(
            "invalid store path name '{name}' of path '{}'",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// Writes NAR strings: length, bytes, padding to eight bytes.
struct Nar(Sha256);

impl Nar {
    fn str(&mut self, s: &[u8]) {
        self.0.update((s.len() as u64).to_le_bytes());
        self.0.update(s);
        self.pad(s.len() as u64);
    }

    fn pad(&mut self, len: u64) {
        let pad = ((8 - len % 8) % 8) as usize;
        self.0.update(&[0u8; 8][..pad]);
    }

    /// A file's contents as a NAR string, streamed.
    fn file(&mut self, fs: &dyn EvalIo, path: &Path) -> Result<(), Error> {
        let len = stream_file(fs, path, true, &mut self.0)?;
        self.pad(len);
        Ok(())
    }
}

/// What the NAR walk writes next.
enum Step {
    /// A file system object: `( type ... )` (a directory's `)` is a separate `Close`).
    Node(PathBuf),
    /// The start of a directory entry: `entry ( name NAME node`.
    Entry(Vec<u8>),
    /// The `)` closing a directory entry or a directory.
    Close,
}

/// C++ Nix's message for a file system error on `p`.
pub fn io_error(e: std::io::Error, p: &Path) -> Error {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => format!("path '{}' does not exist", p.display()),
        _ => format!("cannot read '{}': {e}", p.display()),
    };
    Error::new(message).with_class(crate::errors::ErrorClass::Io)
}

/// The entries of directory `p` with their types, sorted bytewise as C++ Nix lists them.
pub fn sorted_entries(fs: &dyn EvalIo, p: &Path) -> Result<Vec<(OsString, FileType)>, Error> {
    let mut entries = fs.read_dir(p).map_err(|e| io_error(e, p))?;
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(entries)
}

/// SHA-256 of the NAR serialisation of `path` without the entries below it for which `keep`
/// is false (an excluded directory is left out whole), walked with an explicit stack.
pub fn nar_hash_filtered(
    fs: &dyn EvalIo,
    path: &Path,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<[u8; 32], Error> {
    let io = io_error;
    let mut nar = Nar(Sha256::new());
    nar.str(b"nix-archive-1");
    let mut stack = vec![Step::Node(path.to_path_buf())];
    while let Some(step) = stack.pop() {
        let p = match step {
            Step::Close => {
                nar.str(b")");
                continue;
            }
            Step::Entry(name) => {
                for s in [&b"entry"[..], b"(", b"name", &name, b"node"] {
                    nar.str(s);
                }
                continue;
            }
            Step::Node(p) => p,
        };
        let ft = fs.file_type(&p).map_err(|e| io(e, &p))?;
        nar.str(b"(");
        nar.str(b"type");
        if ft == FileType::Symlink {
            let target = fs.read_link(&p).map_err(|e| io(e, &p))?;
            nar.str(b"symlink");
            nar.str(b"target");
            nar.str(target.as_os_str().as_encoded_bytes());
            nar.str(b")");
        } else if ft == FileType::Directory {
            nar.str(b"directory");
            let entries = sorted_entries(fs, &p)?;
            // Popped in order: each entry, its node, its `)`, and last the directory's `)`.
            stack.push(Step::Close);
            for (n, _) in entries.iter().rev() {
                let child = p.join(n);
                if !keep(&child) {
                    continue;
                }
                stack.push(Step::Close);
                stack.push(Step::Node(child));
                stack.push(Step::Entry(n.as_bytes().to_vec()));
            }
        } else if ft == FileType::Regular {
            nar.str(b"regular");
            if fs.is_executable(&p).map_err(|e| io(e, &p))? {
                nar.str(b"executable");
                nar.str(b"");
            }
            nar.str(b"contents");
            nar.file(fs, &p)?;
            nar.str(b")");
        } else {
            return Err(Error::new(format!(
                "file '{}' has an unsupported type",
                p.display()
            )));
        }
    }
    Ok(nar.0.finalize().into())
}

/// SHA-256 of the contents of the regular file `path` (flat ingestion).
pub fn flat_hash(fs: &dyn EvalIo, path: &Path) -> Result<[u8; 32], Error> {
    if fs.file_type(path).map_err(|e| io_error(e, path))? != FileType::Regular {
        return Err(Error::new(format!(
            "file '{}' is not a regular file",
            path.display()
        )));
    }
    let mut hasher = Sha256::new();
    stream_file(fs, path, false, &mut hasher)?;
    Ok(hasher.finalize().into())
}

/// Feeds the contents of the file `path` to `hasher` a piece at a time, so a large file is
/// never held whole; with `len_first`, its length (8 bytes, little-endian) before them, as a
/// NAR string has it. Returns the length.
pub fn stream_file(
    fs: &dyn EvalIo,
    path: &Path,
    len_first: bool,
    hasher: &mut impl sha2::digest::Update,
) -> Result<u64, Error> {
    let stream = fs.open_file(path).map_err(|e| io_error(e, path))?;
    let len = stream.len;
    if len_first {
        hasher.update(&len.to_le_bytes());
    }
    stream
        .for_each_piece(|piece| hasher.update(piece))
        .map_err(|e| io_error(e, path))?;
    Ok(len)
}

/// C++ Nix's `SourceAccessor::resolveSymlinks` (full resolution): every symlink in `path` is
/// replaced by its target, components that do not exist are kept as they are.
pub fn resolve_symlinks(fs: &dyn EvalIo, path: &Path) -> Result<PathBuf, Error> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    let mut todo: VecDeque<OsString> = path
        .as_os_str()
        .as_encoded_bytes()
        .split(|&b| b == b'/')
        .map(bytes_to_os)
        .collect();
    let mut res: Vec<OsString> = Vec::new();
    let mut links_allowed = 1024;
    let join = |res: &[OsString]| {
        let mut p = PathBuf::from("/");
        for c in res {
            p.push(c);
        }
        p
    };
    while let Some(c) = todo.pop_front() {
        if c.is_empty() || c == "." {
            continue;
        }
        if c == ".." {
            res.pop();
            continue;
        }
        res.push(c);
        let current = join(&res);
        let is_link = fs.file_type(&current).is_ok_and(|t| t == FileType::Symlink);
        if !is_link {
            continue;
        }
        if links_allowed == 0 {
            return Err(Error::new(format!(
                "infinite symlink recursion in path '{}'",
                path.display()
            )));
        }
        links_allowed -= 1;
        let target = fs.read_link(&current).map_err(|e| io_error(e, &current))?;
        let target = target.as_os_str().as_encoded_bytes();
        if target.starts_with(b"/") {
            res.clear();
        } else {
            res.pop();
        }
        for part in target.split(|&b| b == b'/').rev() {
            todo.push_front(bytes_to_os(part));
        }
    }
    Ok(join(&res))
}

#[cfg(unix)]
fn bytes_to_os(b: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b).to_os_string()
}

#[cfg(not(unix))]
fn bytes_to_os(b: &[u8]) -> std::ffi::OsString {
    String::from_utf8_lossy(b).into_owned().into()
}

/// `bytes` in lower-case base 16, two digits a byte (by table: formatting each byte was a
/// tenth of the derivation workload's time with `quote`).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Folds a hash to 20 bytes by XOR, as store path digests are.
fn compress(hash: &[u8]) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (i, b) in hash.iter().enumerate() {
        out[i % 20] ^= b;
    }
    out
}

/// Nix's base-32: its own alphabet, least significant bits last.
pub fn nix32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdfghijklmnpqrsvwxyz";
    let len = (bytes.len() * 8).div_ceil(5);
    (0..len)
        .rev()
        .map(|n| {
            let b = n * 5;
            let (i, j) = (b / 8, b % 8);
            let low = bytes.get(i).map_or(0, |&x| (x as u16) >> j);
            let high = bytes.get(i + 1).map_or(0, |&x| (x as u16) << (8 - j));
            ALPHABET[((low | high) & 0x1f) as usize] as char
        })
        .collect()
}

/// The digest of a file's contents with `algo` (`hashFile`), read a piece at a time.
pub(crate) fn digest_file(
    stream: crate::io::FileStream<'_>,
    algo: crate::value::request::HashAlgo,
) -> std::io::Result<Vec<u8>> {
    use crate::value::request::HashAlgo;
    fn digest<D: Digest>(stream: crate::io::FileStream<'_>) -> std::io::Result<Vec<u8>> {
        let mut d = D::new();
        stream.for_each_piece(|piece| Digest::update(&mut d, piece))?;
        Ok(d.finalize().to_vec())
    }
    match algo {
        HashAlgo::Md5 => digest::<md5::Md5>(stream),
        HashAlgo::Sha1 => digest::<sha1::Sha1>(stream),
        HashAlgo::Sha256 => digest::<Sha256>(stream),
        HashAlgo::Sha512 => digest::<sha2::Sha512>(stream),
    }
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// `makeStorePath`: `/nix/store/<nix32 of the compressed fingerprint hash>-<name>`.
pub fn make_store_path(store_dir: &str, kind: &str, hash: &[u8; 32], name: &str) -> String {
    let fingerprint = format!("{kind}:sha256:{}:{store_dir}:{name}", hex(hash));
    format!(
        "{store_dir}/{}-{name}",
        nix32(&compress(&sha256(fingerprint.as_bytes())))
    )
}

/// The path of a text file in the store (`toFile`, `.drv` files): its kind names the store
/// paths it refers to.
pub fn make_text_path<'a>(
    store_dir: &str,
    name: &str,
    contents: &[u8],
    references: impl IntoIterator<Item = &'a String>,
) -> String {
    let mut kind = "text".to_string();
    for r in references {
        kind.push(':');
        kind.push_str(r);
    }
    make_store_path(store_dir, &kind, &sha256(contents), name)
}

/// The path of a fixed-output derivation's output, given its hash.
pub fn make_fixed_output_path(
    store_dir: &str,
    name: &str,
    recursive: bool,
    algo: &str,
    hash: &[u8],
) -> String {
    if let (true, "sha256", Ok(h)) = (recursive, algo, <[u8; 32]>::try_from(hash)) {
        return make_store_path(store_dir, "source", &h, name);
    }
    let method = if recursive { "r:" } else { "" };
    let inner = format!("fixed:out:{method}{algo}:{}:", hex(hash));
    make_store_path(store_dir, "output:out", &sha256(inner.as_bytes()), name)
}

/// `builtins.placeholder`: what an output's path is written as before it is known.
pub fn placeholder(output: &str) -> String {
    format!(
        "/{}",
        nix32(&sha256(format!("nix-output:{output}").as_bytes()))
    )
}

/// Decodes a hash given in base 16, Nix base 32, base 64 or SRI form (`sha256-...`).
pub fn decode_hash(text: &str, algo: Option<&str>) -> Option<(String, Vec<u8>)> {
    let (algo, digest) = match text.split_once('-') {
        Some((a, d)) if ["md5", "sha1", "sha256", "sha512"].contains(&a) => (a.to_string(), d),
        _ => match text.split_once(':') {
            Some((a, d)) => (a.to_string(), d),
            None => (algo?.to_string(), text),
        },
    };
    let size = match algo.as_str() {
        "md5" => 16,
        "sha1" => 20,
        "sha256" => 32,
        "sha512" => 64,
        _ => return None,
    };
    let bytes = if digest.len() == size * 2 {
        (0..size)
            .map(|i| u8::from_str_radix(digest.get(2 * i..2 * i + 2)?, 16).ok())
            .collect()
    } else if digest.len() == (size * 8).div_ceil(5) {
        from_nix32(digest, size)
    } else {
        from_base64(digest)
    }?;
    (bytes.len() == size).then_some((algo, bytes))
}

fn from_nix32(s: &str, size: usize) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"0123456789abcdfghijklmnpqrsvwxyz";
    let mut out = vec![0u8; size];
    for (n, c) in s.bytes().rev().enumerate() {
        let digit = ALPHABET.iter().position(|&a| a == c)? as u16;
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        *out.get_mut(i)? |= (digit << j) as u8;
        if let Some(next) = out.get_mut(i + 1) {
            *next |= (digit >> (8 - j)) as u8;
        }
    }
    Some(out)
}

fn from_base64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6) | ALPHABET.iter().position(|&a| a == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether `name` may name a store path.
pub fn valid_name(name: &str) -> Option<char> {
    name.chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "+-._?=".contains(c)))
}

/// C++ Nix's `checkName`: why `name` cannot name a store path, if it cannot.
pub fn check_store_name(name: &str) -> Result<(), String> {
    const MAX_LEN: usize = 211;
    if name.is_empty() {
        return Err("name must not be empty".into());
    }
    if name.len() > MAX_LEN {
        return Err(format!(
            "name '{name}' must be no longer than {MAX_LEN} characters"
        ));
    }
    for dots in [".", ".."] {
        if name == dots {
            return Err(format!("name '{name}' is not valid"));
        }
        if name.strip_prefix(dots).is_some_and(|r| r.starts_with('-')) {
            return Err(format!(
                "name '{name}' is not valid: first dash-separated component must not be '{dots}'"
            ));
        }
    }
    match valid_name(name) {
        Some(c) => Err(format!("name '{name}' contains illegal character '{c}'")),
        None => Ok(()),
    }
}

/// Checks the name of a computed store path as C++ Nix's `StorePath` constructor does.
pub fn check_store_path_name(path: &str, name: &str) -> Result<(), Error> {
    check_store_name(name).map_err(|why| {
        let base = path.rsplit('/').next().unwrap_or(path);
        Error::new(format!("path '{base}' is not a valid store path: {why}"))
    })
}

/// Whether `path` lies below the store directory (C++ Nix's `isInStore`).
pub fn is_in_store(store_dir: &str, path: &str) -> bool {
    path.strip_prefix(store_dir)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| !r.is_empty())
}

/// The store path `path` is in, checked as C++ Nix's `toStorePath` and `StorePath` do.
pub fn to_store_path(store_dir: &str, path: &str) -> Result<String, Error> {
    if !is_in_store(store_dir, path) {
        return Err(Error::new(format!("path '{path}' is not in the Nix store")));
    }
    let rest = &path[store_dir.len() + 1..];
    let base = rest.split('/').next().unwrap_or(rest);
    check_store_path_base(base)?;
    Ok(format!("{store_dir}/{base}"))
}

/// C++ Nix's `StorePath(baseName)` checks.
pub fn check_store_path_base(base: &str) -> Result<(), Error> {
    const HASH_LEN: usize = 32;
    if base.len() < HASH_LEN + 1 {
        return Err(Error::new(format!(
            "'{base}' is too short to be a valid store path"
        )));
    }
    let bytes = base.as_bytes();
    if bytes[HASH_LEN] != b'-' {
        return Err(Error::new(format!(
            "'{base}' can't name a store path because the hash part is not followed by a '-'"
        )));
    }
    for &c in &bytes[..HASH_LEN] {
        if b"eout".contains(&c) || !(c.is_ascii_digit() || c.is_ascii_lowercase()) {
            return Err(Error::new(format!(
                "store path '{base}' contains illegal base-32 character '{}'",
                char::from(c)
            )));
        }
    }
    check_store_path_name(base, &base[HASH_LEN + 1..])
}

// Hashes in their textual forms, parsed and printed as C++ Nix's `Hash` does.

/// How a hash is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HashFormat {
    Base16,
    Nix32,
    Base64,
    Sri,
}

/// A hash: its algorithm (`md5`, `sha1`, `sha256`, `sha512`) and digest.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Hash {
    pub algo: &'static str,
    pub bytes: Vec<u8>,
}

fn hash_size(algo: &str) -> usize {
    match algo {
        "md5" => 16,
        "sha1" => 20,
        "sha512" => 64,
        _ => 32,
    }
}

/// C++ Nix's `parseHashAlgo`, with its messages.
pub fn parse_hash_algo(name: &str) -> Result<&'static str, Error> {
    Ok(match name {
        "md5" => "md5",
        "sha1" => "sha1",
        "sha256" => "sha256",
        "sha512" => "sha512",
        "blake3" => {
            return Err(Error::new(
                "experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it",
            ));
        }
        _ => {
            return Err(Error::new(format!(
                "unknown hash algorithm '{name}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'"
            ))
            .with_class(crate::errors::ErrorClass::Usage));
        }
    })
}

/// C++ Nix's `parseHashFormat` (`base32` is an alias of `nix32`; the caller warns).
pub fn parse_hash_format(name: &str) -> Result<HashFormat, Error> {
    Ok(match name {
        "base16" => HashFormat::Base16,
        "nix32" | "base32" => HashFormat::Nix32,
        "base64" => HashFormat::Base64,
        "sri" => HashFormat::Sri,
        _ => {
            return Err(Error::new(format!(
                "unknown hash format '{name}', expect 'base16', 'base32', 'base64', or 'sri'"
            ))
            .with_class(crate::errors::ErrorClass::Usage));
        }
    })
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let (mut data, mut bits) = (0u32, 0u32);
    for &b in bytes {
        data = (data << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(BASE64[((data >> bits) & 0x3f) as usize] as char);
        }
        data &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(BASE64[((data << (6 - bits)) & 0x3f) as usize] as char);
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// The decoders of C++ Nix: `None` where it fails on a character (C++ Nix then reports the
/// hash as having length 0).
fn decode_base16(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [a, b] => Some((digit(*a)? << 4) | digit(*b)?),
            _ => None,
        })
        .collect()
}

fn decode_nix32(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"0123456789abcdfghijklmnpqrsvwxyz";
    let mut res: Vec<u8> = Vec::with_capacity((s.len() * 5).div_ceil(8));
    for (n, c) in s.bytes().rev().enumerate() {
        let digit = ALPHABET.iter().position(|&a| a == c)? as u16;
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        if res.len() < i + 1 {
            res.resize(i + 1, 0);
        }
        res[i] |= (digit << j) as u8;
        let carry = digit >> (8 - j);
        if carry != 0 {
            if res.len() < i + 2 {
                res.resize(i + 2, 0);
            }
            res[i + 1] |= carry as u8;
        }
    }
    Some(res)
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut d, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        if c == b'\n' {
            continue;
        }
        let digit = BASE64.iter().position(|&a| a == c)? as u32;
        bits += 6;
        d = (d << 6) | digit;
        if bits >= 8 {
            out.push(((d >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
        d &= (1 << bits) - 1;
    }
    Some(out)
}

/// C++ Nix's `Hash::parseAny`: base 16, Nix base 32 or base 64 (told apart by length), each
/// optionally prefixed with `algo:`, or SRI (`algo-base64`). `algo` is what the context
/// expects, if anything.
pub fn parse_any_hash(original: &str, algo: Option<&'static str>) -> Result<Hash, Error> {
    let mut rest = original;
    let mut sri = false;
    let mut parsed = None;
    if let Some((prefix, r)) = original.split_once(':') {
        parsed = Some(parse_hash_algo(prefix)?);
        rest = r;
    } else if let Some((prefix, r)) = original.split_once('-') {
        parsed = Some(parse_hash_algo(prefix)?);
        rest = r;
        sri = true;
    }
    let algo = match (parsed, algo) {
        (None, None) => {
            return Err(Error::new(format!(
                "hash '{original}' does not include a type, nor is the type otherwise known from context"
            )));
        }
        (Some(p), Some(a)) if p != a => {
            return Err(Error::new(format!(
                "hash '{original}' should have type '{a}'"
            )));
        }
        (Some(a), _) | (None, Some(a)) => a,
    };
    let size = hash_size(algo);
    let (name, decoded) = if sri {
        ("SRI", decode_base64(rest))
    } else if rest.len() == size * 2 {
        ("base16", decode_base16(rest))
    } else if rest.len() == (size * 8).div_ceil(5) {
        ("nix32", decode_nix32(rest))
    } else if rest.len() == size.div_ceil(3) * 4 {
        ("Base64", decode_base64(rest))
    } else {
        return Err(Error::new(format!(
            "hash '{rest}' has wrong length for hash algorithm '{algo}'"
        )));
    };
    let bytes = decoded.unwrap_or_default();
    if bytes.len() != size {
        return Err(Error::new(format!(
            "invalid {name} hash '{rest}', length {} != expected length {size}",
            bytes.len()
        )));
    }
    Ok(Hash { algo, bytes })
}

/// C++ Nix's `Hash::to_string`.
pub fn hash_to_string(hash: &Hash, format: HashFormat, include_algo: bool) -> String {
    let mut s = String::new();
    if format == HashFormat::Sri || include_algo {
        s.push_str(hash.algo);
        s.push(if format == HashFormat::Sri { '-' } else { ':' });
    }
    match format {
        HashFormat::Base16 => s.push_str(&hex(&hash.bytes)),
        HashFormat::Nix32 => s.push_str(&nix32(&hash.bytes)),
        HashFormat::Base64 | HashFormat::Sri => s.push_str(&base64_encode(&hash.bytes)),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip_through_every_format() {
        let h = Hash {
            algo: "sha256",
            bytes: sha256(b"").to_vec(),
        };
        for format in [
            HashFormat::Base16,
            HashFormat::Nix32,
            HashFormat::Base64,
            HashFormat::Sri,
        ] {
            let text = hash_to_string(&h, format, false);
            let back = parse_any_hash(&text, Some("sha256")).map_err(|e| e.message.clone());
            assert_eq!(back, Ok(h.clone()), "{text}");
        }
        assert_eq!(
            hash_to_string(&h, HashFormat::Sri, true),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn nix32_overflow_is_a_length_error() {
        let text = "z".repeat(52);
        let e = parse_any_hash(&text, Some("sha256")).map_err(|e| e.message.clone());
        assert_eq!(
            e,
            Err(format!(
                "invalid nix32 hash '{text}', length 33 != expected length 32"
            ))
        );
    }

    #[test]
    fn symlinks_resolve_without_the_path_existing() {
        assert_eq!(
            resolve_symlinks(&crate::io::StdIo, Path::new("/nonexistent/../a/./b")).ok(),
            Some(PathBuf::from("/a/b"))
        );
    }
}
