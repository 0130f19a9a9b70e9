//! Operators on values already in weak head normal form: arithmetic with Nix's overflow and
//! division errors, and the shallow cases of `==`, `<` and `+` (the deep cases are generators in
//! `walk`).

use crate::compiler::Op;
use crate::errors::Error;
use crate::paths::canon_path;
use crate::print::print_error_value;
use crate::value::{NixString, Value};
use std::path::PathBuf;
use std::rc::Rc;

/// "expected a set but found an integer: 1".
pub fn type_error(expected: &str, found: &Value) -> Error {
    Error::new(format!(
        "expected {expected} but found {}",
        describe_value(found)
    ))
}

/// "an integer: 1", the way C++ Nix names a value in messages.
pub fn describe_value(v: &Value) -> String {
    format!("{}: {}", v.type_name(), print_error_value(v))
}

/// `a + b` when no coercion that needs evaluation is involved; `Ok(None)` asks for the generator.
#[inline]
pub fn add(a: &Value, b: &Value) -> Result<Option<Value>, Error> {
    Ok(Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => match x.checked_add(*y) {
            Some(r) => Value::Int(r),
            None => return Err(Error::new(format!("integer overflow in adding {x} + {y}"))),
        },
        (Value::Int(x), Value::Float(y)) => Value::float(*x as f64 + y.get()),
        (Value::Float(x), Value::Int(y)) => Value::float(x.get() + *y as f64),
        (Value::Float(x), Value::Float(y)) => Value::float(x.get() + y.get()),
        (Value::Int(_) | Value::Float(_), other) => {
            return Err(Error::new(format!(
                "cannot add {} to {}",
                other.type_name(),
                a.type_name()
            )));
        }
        (Value::String(x), Value::String(y)) => Value::String(NixString::concat([x, y])),
        (Value::Path(p), Value::String(s)) => append_to_path(p, s)?,
        (Value::Path(p), Value::Path(q)) => {
            let joined = format!("{}{}", p.display(), q.display());
            Value::Path(Rc::new(canon_path(&PathBuf::from(joined))))
        }
        _ => return Ok(None),
    }))
}

/// `path + "string"`.
pub fn append_to_path(p: &std::path::Path, s: &NixString) -> Result<Value, Error> {
    if s.has_context() {
        return Err(Error::new(
            "a string that refers to a store path cannot be appended to a path".to_string(),
        ));
    }
    let joined = format!("{}{}", p.display(), s.to_str_lossy());
    Ok(Value::Path(Rc::new(canon_path(&PathBuf::from(joined)))))
}

/// `-`, `*`, `/` (and unary minus as `0 - x`).
#[inline]
pub fn arith(op: Op, a: &Value, b: &Value) -> Result<Value, Error> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_arith(op, *x, *y),
        (Value::Float(_), _) | (_, Value::Float(_)) => {
            let x = as_float(a)?;
            let y = as_float(b)?;
            match op {
                Op::Sub => Ok(Value::float(x - y)),
                Op::Mul => Ok(Value::float(x * y)),
                _ if y == 0.0 => Err(Error::new("division by zero")),
                _ => Ok(Value::float(x / y)),
            }
        }
        (Value::Int(_), other) | (other, _) => Err(type_error("an integer", other)),
    }
}

/// `+`, `-`, `*`, `/` on numbers of which at least one is a float; `None` for anything else
/// and for division by zero.
pub fn float_arith(op: Op, a: &Value, b: &Value) -> Option<Value> {
    let (x, y) = (as_float(a).ok()?, as_float(b).ok()?);
    Some(Value::float(match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div if y != 0.0 => x / y,
        _ => return None,
    }))
}

#[inline]
fn as_float(v: &Value) -> Result<f64, Error> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(f.get()),
        other => Err(type_error("a float", other)),
    }
}

#[inline]
fn int_arith(op: Op, x: i64, y: i64) -> Result<Value, Error> {
    let (r, verb, sym) = match op {
        Op::Sub => (x.checked_sub(y), "subtracting", "-"),
        Op::Mul => (x.checked_mul(y), "multiplying", "*"),
        _ => {
            if y == 0 {
                return Err(Error::new("division by zero"));
            }
            (x.checked_div(y), "dividing", "/")
        }
    };
    r.map(Value::Int)
        .ok_or_else(|| Error::new(format!("integer overflow in {verb} {x} {sym} {y}")))
}

/// `==` when the answer needs no further evaluation; `None` for lists and sets.
#[inline]
pub fn eq_shallow(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.get() == y.get(),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            (*x as f64) == y.get()
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Path(x), Value::Path(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            if x.is_empty() {
                return Some(true);
            }
            return None;
        }
        (Value::Attrs(x), Value::Attrs(y)) => {
            if x.is_empty() && y.is_empty() {
                return Some(true);
            }
            return None;
        }
        _ => false,
    })
}

/// `<` when the answer needs no further evaluation; `Ok(None)` for lists.
#[inline]
pub fn less_shallow(a: &Value, b: &Value) -> Result<Option<bool>, Error> {
    Ok(Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x.get() < y.get(),
        (Value::Int(x), Value::Float(y)) => (*x as f64) < y.get(),
        (Value::Float(x), Value::Int(y)) => x.get() < (*y as f64),
        (Value::String(x), Value::String(y)) => x.as_bytes() < y.as_bytes(),
        (Value::Path(x), Value::Path(y)) => x.as_os_str() < y.as_os_str(),
        (Value::List(_), Value::List(_)) => return Ok(None),
        _ => return Err(incomparable(a, b)),
    }))
}

pub fn incomparable(a: &Value, b: &Value) -> Error {
    if std::mem::discriminant(a) == std::mem::discriminant(b) {
        Error::new(format!(
            "cannot compare {} with {}; values of that type are incomparable (values are {} and {})",
            a.type_name(),
            b.type_name(),
            print_error_value(a),
            print_error_value(b)
        ))
    } else {
        Error::new(format!(
            "cannot compare {} with {}; values are {} and {}",
            a.type_name(),
            b.type_name(),
            print_error_value(a),
            print_error_value(b)
        ))
    }
}
