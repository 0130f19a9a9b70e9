//! String builtins.

use super::{arg, evaluated, force_int, force_list, force_string};
use crate::errors::Error;
use crate::value::{Builtin, NixString, Value};
use crate::vm::request::Co;
use crate::vm::walk::{self, Coercion};

/// `toString` of a value that is already a scalar or string (no `__toString` to call).
fn to_string_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let s = match args.first()?.whnf()? {
        s @ Value::String(_) => return Some(Ok(s)),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::print::format_float_fixed(f.get()),
        Value::Bool(b) => if b.get() { "1" } else { "" }.to_string(),
        Value::Null => String::new(),
        Value::Path(p) => p.display().to_string(),
        _ => return None,
    };
    Some(Ok(Value::string(s)))
}

async fn to_string(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(Value::String(
        walk::coerce_to_string(&co, arg(&args, 0), Coercion::TO_STRING).await?,
    ))
}

async fn string_length(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, arg(&args, 0), Coercion::INTERPOLATION).await?;
    Ok(Value::Int(s.len() as i64))
}

fn string_length_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    match evaluated(args, 0)? {
        Value::String(s) => Some(Ok(Value::Int(s.len() as i64))),
        _ => None,
    }
}

async fn substring(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let start = force_int(&co, arg(&args, 0)).await?;
    let len = force_int(&co, arg(&args, 1)).await?;
    let s = walk::coerce_to_string(&co, arg(&args, 2), Coercion::INTERPOLATION).await?;
    substring_of(start, len, &s)
}

/// `substring` of a string argument (others need coercing: the generator).
fn substring_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let (Value::Int(start), Value::Int(len), Value::String(s)) = (
        evaluated(args, 0)?,
        evaluated(args, 1)?,
        evaluated(args, 2)?,
    ) else {
        return None;
    };
    Some(substring_of(start, len, &s))
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

async fn concat_strings_sep(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let sep = force_string(&co, arg(&args, 0)).await?;
    let l = force_list(&co, arg(&args, 1)).await?;
    let mut parts = Vec::with_capacity(l.len() * 2);
    for (i, item) in l.iter().enumerate() {
        if i > 0 {
            parts.push(sep.clone());
        }
        parts.push(walk::coerce_to_string(&co, item.clone(), Coercion::INTERPOLATION).await?);
    }
    Ok(Value::String(NixString::concat(parts.iter())))
}

async fn replace_strings(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let from = force_list(&co, arg(&args, 0)).await?;
    let to = force_list(&co, arg(&args, 1)).await?;
    if from.len() != to.len() {
        return Err(Error::new(
            "'from' and 'to' arguments passed to builtins.replaceStrings have different lengths",
        ));
    }
    let mut patterns = Vec::with_capacity(from.len());
    for f in from.iter() {
        patterns.push(force_string(&co, f.clone()).await?);
    }
    let s = force_string(&co, arg(&args, 2)).await?;
    let bytes = s.as_bytes();
    // Replacements are forced only when their pattern first matches.
    let mut replacements: Vec<Option<NixString>> = vec![None; to.len()];
    let mut context = s.context().cloned();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    // One past the end too, where only an empty pattern matches.
    let mut p = 0;
    while p <= bytes.len() {
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
                let r = force_string(&co, to[j].clone()).await?;
                if let Some(c) = r.context() {
                    context
                        .get_or_insert_with(Default::default)
                        .extend(c.iter().cloned());
                }
                replacements[j] = Some(r.clone());
                r
            }
        };
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

pub fn builtins() -> Vec<Builtin> {
    vec![
        def_fast!("toString", 1, 1, to_string, to_string_fast),
        def_fast!("stringLength", 1, 0b1, string_length, string_length_fast),
        def_fast!("substring", 3, 0b111, substring, substring_fast),
        def!("concatStringsSep", 2, concat_strings_sep),
        def!("replaceStrings", 3, replace_strings),
    ]
}
