//! String builtins.

use super::{force_list, force_string, force_string_within, int_of, list_of, string_of};
use crate::errors::Error;
use crate::value::{NixString, Value};
use crate::vm::request::Co;
use crate::vm::walk::{self, Coercion};

crate::declare_builtins! {
    /// Converts a value to a string: strings as they are, paths as their text (not copied to
    /// the store), integers and floats in decimal, `true` as `"1"`, `false` and `null` as
    /// `""`, lists as their elements' strings separated by spaces, sets through `__toString`
    /// or `outPath`.
    ///
    /// ```nix
    /// toString [ 1 2.5 true false null "a" [ "b" ] ]
    /// => "1 2.500000 1   a b"
    /// ```
    ///
    /// ```nix
    /// toString { __toString = self: "x${toString self.n}"; n = 7; }
    /// => "x7"
    /// ```
    "toString" [top_level, speculable_on_scalars] => async fn to_string(v: Strict);

    /// The length of a string in bytes (not characters). A path or a set with `__toString` or
    /// `outPath` is coerced to a string first, as in interpolation.
    ///
    /// ```nix
    /// [ (builtins.stringLength "abc") (builtins.stringLength "é") ]
    /// => [ 3 2 ]
    /// ```
    "stringLength" [speculable] => async fn string_length(s: Strict);

    /// The part of a string from byte `start` of at most `len` bytes (all the rest for a
    /// negative `len`); a start past the end gives `""`. The string's context is kept.
    ///
    /// ```nix
    /// [ (builtins.substring 1 3 "abcdef") (builtins.substring 4 10 "abcdef") (builtins.substring 2 (-1) "abcdef") (builtins.substring 9 1 "abc") ]
    /// => [ "bcd" "ef" "cdef" "" ]
    /// ```
    ///
    /// ```nix
    /// builtins.substring (-1) 1 "abc"
    /// => error: negative start position in 'substring'
    /// ```
    "substring" => async fn substring(start: Strict, len: Strict, s: Strict);

    /// Joins a list of strings (or values coerced as in interpolation) with a separator.
    ///
    /// ```nix
    /// builtins.concatStringsSep ", " [ "a" "b" { outPath = "/c"; } ]
    /// => "a, b, /c"
    /// ```
    "concatStringsSep" => async fn concat_strings_sep(sep: Strict, list: Lazy);

    /// Replaces, in one left-to-right pass over the string, each occurrence of a string of
    /// `from` by the corresponding string of `to`; at each position the first pattern of
    /// `from` that matches wins. A replacement is evaluated only once its pattern matches.
    ///
    /// ```nix
    /// [ (builtins.replaceStrings [ "ab" "a" ] [ "X" "Y" ] "abac") (builtins.replaceStrings [ "a" "ab" ] [ "X" "Y" ] "abac") ]
    /// => [ "XYc" "XbXc" ]
    /// ```
    ///
    /// ```nix
    /// builtins.replaceStrings [ "" ] [ "-" ] "ab"
    /// => "-a-b-"
    /// ```
    "replaceStrings" => async fn replace_strings(from: Strict, to: Lazy, s: Lazy);
}

/// What `toString` coerces its argument for.
const TO_STRING_ARGUMENT: &str = "while evaluating the first argument passed to builtins.toString";

async fn to_string(co: Co, v: Value) -> Result<Value, Error> {
    if let Value::String(_) = v {
        return Ok(v);
    }
    Ok(Value::String(
        walk::coerce_to_string(&co, v, Coercion::TO_STRING.within(TO_STRING_ARGUMENT)).await?,
    ))
}

async fn string_length(co: Co, s: Value) -> Result<Value, Error> {
    let len = match s {
        Value::String(s) => s.len(),
        s => walk::coerce_to_string(&co, s, Coercion::INTERPOLATION)
            .await?
            .len(),
    };
    Ok(Value::Int(len as i64))
}

async fn substring(co: Co, start: Value, len: Value, s: Value) -> Result<Value, Error> {
    let (start, len) = (int_of(&start)?, int_of(&len)?);
    match s {
        Value::String(s) => substring_of(start, len, &s),
        s => {
            let what =
                "while evaluating the third argument (the string) passed to builtins.substring";
            let s = walk::coerce_to_string(&co, s, Coercion::INTERPOLATION.within(what)).await?;
            substring_of(start, len, &s)
        }
    }
}

fn substring_of(start: i64, len: i64, s: &NixString) -> Result<Value, Error> {
    if start < 0 {
        return Err(Error::new("negative start position in 'substring'"));
    }
    let bytes = s.as_bytes();
    let start = (start as usize).min(bytes.len());
    let end = if len < 0 {
        bytes.len()
    } else {
        start.saturating_add(len as usize).min(bytes.len())
    };
    Ok(Value::String(NixString::new(
        &bytes[start..end],
        s.context().cloned(),
    )))
}

async fn concat_strings_sep(co: Co, sep: Value, list: Value) -> Result<Value, Error> {
    let sep = string_of(&sep)?;
    let l = force_list(&co, list).await?;
    let mut parts = Vec::with_capacity(l.len() * 2);
    for (i, item) in l.iter().enumerate() {
        if i > 0 {
            parts.push(sep.clone());
        }
        let what = "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep";
        let how = Coercion::INTERPOLATION.within(what);
        parts.push(walk::coerce_to_string(&co, item.clone(), how).await?);
    }
    Ok(Value::String(NixString::concat(parts.iter())?))
}

async fn replace_strings(co: Co, from: Value, to: Value, s: Value) -> Result<Value, Error> {
    let from = list_of(&from)?;
    let to = force_list(&co, to).await?;
    if from.len() != to.len() {
        return Err(Error::new(
            "'from' and 'to' arguments passed to builtins.replaceStrings have different lengths",
        ));
    }
    let mut patterns = Vec::with_capacity(from.len());
    for f in from.iter() {
        let what =
            "while evaluating one of the strings to replace passed to builtins.replaceStrings";
        patterns.push(force_string_within(&co, f.clone(), what).await?);
    }
    let s = force_string(&co, s).await?;
    let bytes = s.as_bytes();
    // Replacements are forced only when their pattern first matches.
    let mut replacements: Vec<Option<NixString>> = vec![None; to.len()];
    let mut context = s.context().cloned();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    // The bytes some pattern starts with: the runs between them are copied as they are. (An
    // empty pattern matches everywhere: then every position is tried.)
    let skip = !patterns.iter().any(|pat| pat.is_empty());
    let mut starts = [false; 256];
    for pat in &patterns {
        if let Some(&b) = pat.as_bytes().first() {
            starts[usize::from(b)] = true;
        }
    }
    // One past the end too, where only an empty pattern matches.
    let mut p = 0;
    while p <= bytes.len() {
        if skip {
            let Some(&b) = bytes.get(p) else {
                break;
            };
            if !starts[usize::from(b)] {
                let rest = &bytes[p..];
                let run = rest
                    .iter()
                    .position(|&b| starts[usize::from(b)])
                    .unwrap_or(rest.len());
                out.extend_from_slice(&rest[..run]);
                p += run;
                continue;
            }
        }
        let found = patterns
            .iter()
            .position(|pat| bytes[p..].starts_with(pat.as_bytes()));
        let Some(j) = found else {
            if let Some(&c) = bytes.get(p) {
                out.push(c);
            }
            p += 1;
            continue;
        };
        let replacement = match &replacements[j] {
            Some(r) => r.clone(),
            None => {
                let what = "while evaluating one of the replacement strings passed to builtins.replaceStrings";
                let r = force_string_within(&co, to[j].clone(), what).await?;
                if let Some(c) = r.context() {
                    context
                        .get_or_insert_with(Default::default)
                        .extend(c.iter().cloned());
                }
                replacements[j] = Some(r.clone());
                r
            }
        };
        let grown = out.len().saturating_add(replacement.len());
        crate::allocator::reserve(grown, "a string")?;
        out.extend_from_slice(replacement.as_bytes());
        let len = patterns[j].len();
        if len == 0 {
            if let Some(&c) = bytes.get(p) {
                out.push(c);
            }
            p += 1;
        } else {
            p += len;
        }
    }
    Ok(Value::String(NixString::new(out, context)))
}
