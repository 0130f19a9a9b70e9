//! Store paths without a store.
//!
//! Interpolating a path (`"${./src}"`) makes C++ Nix copy it to the store and yields
//! `/nix/store/<hash>-src`. The hash depends only on the file tree's NAR serialisation, so gnix
//! computes the same path without writing anything: the string and its context are exactly what
//! C++ Nix produces. (Writing the files is the later store/derivation work.)

use crate::errors::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The store path `path` would be copied to, as `nix-store --add` (`source` type) names it.
pub fn path_to_store(store_dir: &str, path: &Path) -> Result<String, Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_name(&name, path)?;
    let nar = nar_hash(path)?;
    let fingerprint = format!("source:sha256:{}:{store_dir}:{name}", hex(&nar));
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
        let pad = (8 - s.len() % 8) % 8;
        self.0.update(&[0u8; 8][..pad]);
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

/// SHA-256 of the NAR serialisation of `path`, walked with an explicit stack.
fn nar_hash(path: &Path) -> Result<[u8; 32], Error> {
    let io = |e: std::io::Error, p: &Path| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::new(format!("path '{}' does not exist", p.display()))
        }
        _ => Error::new(format!("cannot read '{}': {e}", p.display())),
    };
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
        let meta = std::fs::symlink_metadata(&p).map_err(|e| io(e, &p))?;
        nar.str(b"(");
        nar.str(b"type");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&p).map_err(|e| io(e, &p))?;
            nar.str(b"symlink");
            nar.str(b"target");
            nar.str(target.as_os_str().as_encoded_bytes());
            nar.str(b")");
        } else if meta.is_dir() {
            nar.str(b"directory");
            let mut names: Vec<_> = std::fs::read_dir(&p)
                .map_err(|e| io(e, &p))?
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect();
            names.sort();
            // Popped in order: each entry, its node, its `)`, and last the directory's `)`.
            stack.push(Step::Close);
            for n in names.iter().rev() {
                stack.push(Step::Close);
                stack.push(Step::Node(p.join(n)));
                stack.push(Step::Entry(n.as_encoded_bytes().to_vec()));
            }
        } else {
            nar.str(b"regular");
            if is_executable(&meta) {
                nar.str(b"executable");
                nar.str(b"");
            }
            let contents = std::fs::read(&p).map_err(|e| io(e, &p))?;
            nar.str(b"contents");
            nar.str(&contents);
            nar.str(b")");
        }
    }
    Ok(nar.0.finalize().into())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn hex_of(bytes: &[u8]) -> String {
    hex(bytes)
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
