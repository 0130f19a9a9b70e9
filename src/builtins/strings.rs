//! String builtins.

use super::{arg, def, force_int, force_list, force_string};
use crate::errors::Error;
use crate::value::{Builtin, NixString, Value};
use crate::vm::request::Co;
use crate::vm::walk::{self, Coercion};

async fn to_string(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(Value::String(
        walk::coerce_to_string(&co, arg(&args, 0), Coercion::TO_STRING).await?,
    ))
}

async fn string_length(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, arg(&args, 0), Coercion::INTERPOLATION).await?;
    Ok(Value::Int(s.len() as i64))
}

async fn substring(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let start = force_int(&co, arg(&args, 0)).await?;
    let len = force_int(&co, arg(&args, 1)).await?;
    let s = walk::coerce_to_string(&co, arg(&args, 2), Coercion::INTERPOLATION).await?;
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

pub fn builtins() -> Vec<Builtin> {
    vec![
        def("toString", 1, to_string),
        def("stringLength", 1, string_length),
        def("substring", 3, substring),
        def("concatStringsSep", 2, concat_strings_sep),
    ]
}
