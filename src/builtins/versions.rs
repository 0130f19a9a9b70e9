//! Package names and versions: `parseDrvName`, `compareVersions`, `splitVersion`, with the
//! component rules of `nix-env -u`.

use super::string_no_ctx_of;
use crate::errors::Error;
use crate::value::{Attrs, NixString, Ret, Value};
use std::cmp::Ordering;

crate::declare_builtins! {
    /// Compares two version strings as `nix-env -u` does: `-1`, `0` or `1` as the first is
    /// older than, the same as or newer than the second. Versions are split into components
    /// (see `builtins.splitVersion`) compared in turn: numbers numerically, a number is newer
    /// than a non-number, `pre` is older than anything else, other strings compare byte-wise.
    ///
    /// ```nix
    /// map (v: builtins.compareVersions v "1.10") [ "1.9" "1.10" "1.10.1" "1.10pre2" ]
    /// => [ -1 0 1 -1 ]
    /// ```
    "compareVersions" => fn compare_versions_builtin(v1: Strict, v2: Lazy);

    /// Splits a version string into its components: runs of digits and runs of other
    /// characters, with `.` and `-` as separators.
    ///
    /// ```nix
    /// builtins.splitVersion "1.2.3pre-rc1"
    /// => [ "1" "2" "3" "pre" "rc" "1" ]
    /// ```
    "splitVersion" => fn split_version(s: Strict);

    /// Splits a derivation name into `name` and `version` at the first `-` not followed by a
    /// letter (`version` is `""` if there is none).
    ///
    /// ```nix
    /// builtins.parseDrvName "nix-unstable-2.18.1-rc2"
    /// => { name = "nix-unstable"; version = "2.18.1-rc2"; }
    /// ```
    "parseDrvName" => fn parse_drv_name(s: Strict);
}

/// The next version component from `*p`: a run of digits, or a run of other characters up to a
/// digit or separator. Separators (`.`, `-`) before it are skipped. Empty at the end.
fn next_component<'a>(s: &'a [u8], p: &mut usize) -> &'a [u8] {
    while *p < s.len() && (s[*p] == b'.' || s[*p] == b'-') {
        *p += 1;
    }
    let start = *p;
    if *p < s.len() && s[*p].is_ascii_digit() {
        while *p < s.len() && s[*p].is_ascii_digit() {
            *p += 1;
        }
    } else {
        while *p < s.len() && !s[*p].is_ascii_digit() && s[*p] != b'.' && s[*p] != b'-' {
            *p += 1;
        }
    }
    &s[start..*p]
}

/// A component as a number, if it is one that fits a C `int`.
fn as_number(c: &[u8]) -> Option<i32> {
    std::str::from_utf8(c).ok()?.parse().ok()
}

fn component_lt(c1: &[u8], c2: &[u8]) -> bool {
    let (n1, n2) = (as_number(c1), as_number(c2));
    match (n1, n2) {
        (Some(a), Some(b)) => a < b,
        _ if c1.is_empty() && n2.is_some() => true,
        _ if c1 == b"pre" && c2 != b"pre" => true,
        _ if c2 == b"pre" => false,
        // `2.3a` < `2.3.1`.
        (_, Some(_)) => true,
        (Some(_), _) => false,
        _ => c1 < c2,
    }
}

pub fn compare_versions(v1: &[u8], v2: &[u8]) -> Ordering {
    let (mut p1, mut p2) = (0, 0);
    while p1 < v1.len() || p2 < v2.len() {
        let c1 = next_component(v1, &mut p1);
        let c2 = next_component(v2, &mut p2);
        if component_lt(c1, c2) {
            return Ordering::Less;
        }
        if component_lt(c2, c1) {
            return Ordering::Greater;
        }
    }
    Ordering::Equal
}

/// `compareVersions`: the second version is evaluated once the first is known to be a string.
fn compare_versions_builtin(v1: &Value, v2: &Value) -> Result<Ret, Error> {
    let a = string_no_ctx_of(v1)?;
    let v2 = forced!(v2);
    let b = string_no_ctx_of(&v2)?;
    Ok(
        Value::Int(match compare_versions(a.as_bytes(), b.as_bytes()) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })
        .into(),
    )
}

fn split_version(s: &Value) -> Result<Value, Error> {
    let bytes = string_no_ctx_of(s)?.as_bytes();
    let mut p = 0;
    let mut out = Vec::new();
    while p < bytes.len() {
        let c = next_component(bytes, &mut p);
        if c.is_empty() {
            break;
        }
        out.push(Value::String(NixString::from(c)));
    }
    Ok(Value::list(out))
}

fn parse_drv_name(s: &Value) -> Result<Value, Error> {
    let bytes = string_no_ctx_of(s)?.as_bytes();
    // The name ends at the first dash not followed by a letter.
    let split = (0..bytes.len())
        .find(|&i| bytes[i] == b'-' && i + 1 < bytes.len() && !bytes[i + 1].is_ascii_alphabetic());
    let (name, version): (&[u8], &[u8]) = match split {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, b""),
    };
    Ok(Value::attrs(Attrs::from_sorted(vec![
        ("name".into(), Value::String(NixString::from(name))),
        ("version".into(), Value::String(NixString::from(version))),
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_like_nix_env() {
        let cmp = |a: &str, b: &str| compare_versions(a.as_bytes(), b.as_bytes());
        assert_eq!(cmp("1.0", "2.3"), Ordering::Less);
        assert_eq!(cmp("2.1", "2.3"), Ordering::Less);
        assert_eq!(cmp("2.3", "2.3"), Ordering::Equal);
        assert_eq!(cmp("2.5", "2.3"), Ordering::Greater);
        assert_eq!(cmp("2.3pre1", "2.3"), Ordering::Less);
        assert_eq!(cmp("2.3a", "2.3.1"), Ordering::Less);
        assert_eq!(cmp("2.3.1", "2.3a"), Ordering::Greater);
        assert_eq!(cmp("1.0", "1.0.0"), Ordering::Less);
    }
}
