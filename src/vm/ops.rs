//! Operators on values already in weak head normal form: one function per op, the only
//! definition of what the op computes and when it fails. The dispatch loop (`run.rs`) calls
//! them and turns an error into an unwind; speculation (`speculate.rs`) calls the same ones and
//! turns an error, or a case that needs a generator, into giving up. Having a single definition
//! is what guarantees that speculation never computes a value the dispatch loop would not, and
//! gives up wherever it would fail. Integer arithmetic is `int_binary`, which the dispatch
//! loop's in-place fast path and speculation's `Arith` call too. The deep cases of `==`, `<` and
//! `+` (walks that force inside structures) are generators in `walk`.
//!
//! Error messages are built only on the way out, in functions kept out of line (`#[cold]`), so
//! that the success paths the dispatch loop inlines stay small.

use crate::errors::{Error, ErrorClass};
use crate::print::print_error_value;
use crate::value::code::Op;
use crate::value::{NixString, Symbol, Value};
use std::rc::Rc;

/// "expected a set but found an integer: 1".
#[cold]
pub fn type_error(expected: &str, found: &Value) -> Error {
    let message = format!("expected {expected} but found {}", describe_value(found));
    let mut e = Error::new(message).with_class(ErrorClass::Type);
    e.subject = Some(found.identity());
    e
}

/// "an integer: 1", the way C++ Nix names a value in messages.
pub fn describe_value(v: &Value) -> String {
    format!("{}: {}", v.type_name(), print_error_value(v))
}

/// A Boolean operand (`if`, `!`, `&&`, `||`, the condition of `assert`): its truth, or the
/// type error.
#[inline]
pub fn boolean(v: &Value) -> Result<bool, Error> {
    match v {
        Value::Bool(b) => Ok(b.get()),
        other => Err(type_error("a Boolean", other)),
    }
}

/// `v.name`.
#[inline]
pub fn select(v: &Value, name: Symbol) -> Result<Value, Error> {
    match v {
        Value::Attrs(a) => match a.get(name) {
            Some(x) => Ok(x.clone()),
            None => Err(missing(name)),
        },
        other => Err(type_error("a set", other)),
    }
}

/// `v ? name` (anything but a set has no attributes).
#[inline]
pub fn has_attr(v: &Value, name: Symbol) -> bool {
    matches!(v, Value::Attrs(a) if a.contains(name))
}

/// `v.${name}`.
#[inline]
pub fn dyn_select(v: &Value, name: &Value) -> Result<Value, Error> {
    let name = attr_name(name)?;
    match v {
        Value::Attrs(a) => match a.get_string(name) {
            Some(x) => Ok(x.clone()),
            None => Err(missing_bytes(name.as_bytes())),
        },
        other => Err(type_error("a set", other)),
    }
}

/// `v.${name} or default`: the attribute, or `None` for the default (also when `v` is not a
/// set).
#[inline]
pub fn dyn_select_or(v: &Value, name: &Value) -> Result<Option<Value>, Error> {
    let name = attr_name(name)?;
    Ok(match v {
        Value::Attrs(a) => a.get_string(name).cloned(),
        _ => None,
    })
}

/// `v ? ${name}`.
#[inline]
pub fn dyn_has_attr(v: &Value, name: &Value) -> Result<bool, Error> {
    let name = attr_name(name)?;
    Ok(matches!(v, Value::Attrs(a) if a.get_string(name).is_some()))
}

/// A variable looked up in the set of one `with`: its value, or `None` to try the next `with`
/// out.
#[inline]
pub fn with_lookup(set: &Value, name: Symbol) -> Result<Option<Value>, Error> {
    match set {
        Value::Attrs(a) => Ok(a.get(name).cloned()),
        other => Err(type_error("a set", other)),
    }
}

/// The name of a dynamic attribute: a string without context (C++ Nix's
/// `forceStringNoCtx`), or the error.
#[inline]
pub fn attr_name(name: &Value) -> Result<&NixString, Error> {
    match name {
        Value::String(s) if s.context().is_none() => Ok(s),
        Value::String(s) => Err(context_not_allowed(s)),
        other => Err(type_error("a string", other)),
    }
}

/// The error for a string with a context where none may be (an attribute name, a regex).
#[cold]
#[inline(never)]
pub fn context_not_allowed(s: &NixString) -> Error {
    let first = s.context().and_then(|c| c.iter().next());
    Error::new(format!(
        "the string '{s}' is not allowed to refer to a store path (such as '{}')",
        first.map_or_else(String::new, |e| crate::value::display_context_element(e))
    ))
}

#[cold]
#[inline(never)]
fn missing(name: Symbol) -> Error {
    missing_named(&name.to_string())
}

/// "attribute 'x' missing", of class `MissingAttribute`.
#[cold]
pub fn missing_named(name: &str) -> Error {
    Error::new(format!("attribute '{name}' missing")).with_class(ErrorClass::MissingAttribute)
}

#[cold]
#[inline(never)]
fn missing_bytes(name: &[u8]) -> Error {
    missing_named(&String::from_utf8_lossy(name))
}

/// `-v` (as `0 - v`, the way Nix negates: `-0.0` is `0`).
#[inline]
pub fn negate(v: &Value) -> Result<Value, Error> {
    arith(Op::Sub, &Value::Int(0), v)
}

/// `+`, `-`, `*`, `/` and the comparisons on two integers, the one definition every path
/// uses (the dispatch loop's in-place fast path, speculation's `Arith`, `add`, `arith`):
/// `None` where Nix fails, on overflow and division by zero (`int_error` says which).
#[inline(always)]
pub fn int_binary(op: Op, x: i64, y: i64) -> Option<Value> {
    Some(match op {
        Op::Add => Value::Int(x.checked_add(y)?),
        Op::Sub => Value::Int(x.checked_sub(y)?),
        Op::Mul => Value::Int(x.checked_mul(y)?),
        Op::Div if y != 0 => Value::Int(x.checked_div(y)?),
        Op::Eq => Value::bool(x == y),
        Op::NotEq => Value::bool(x != y),
        Op::Less => Value::bool(x < y),
        Op::LessEq => Value::bool(x <= y),
        Op::Greater => Value::bool(x > y),
        Op::GreaterEq => Value::bool(x >= y),
        _ => return None,
    })
}

/// `+`, `-`, `*`, `/` on two integers, with Nix's errors: why `int_binary` refused.
#[inline(always)]
fn int_arith(op: Op, x: i64, y: i64) -> Result<Value, Error> {
    if let Some(v) = int_binary(op, x, y) {
        return Ok(v);
    }
    // (The error functions take no `Op`: one passed out of line has to be in memory, and the
    // dispatch loops that inline this then store every op they run.)
    Err(match op {
        Op::Add => overflow("adding", "+", x, y),
        Op::Sub => overflow("subtracting", "-", x, y),
        Op::Mul => overflow("multiplying", "*", x, y),
        _ if y == 0 => division_by_zero(),
        _ => overflow("dividing", "/", x, y),
    })
}

#[cold]
#[inline(never)]
fn overflow(verb: &str, sym: &str, x: i64, y: i64) -> Error {
    Error::new(format!("integer overflow in {verb} {x} {sym} {y}"))
}

#[cold]
#[inline(never)]
fn division_by_zero() -> Error {
    Error::new("division by zero")
}

/// `a + b` when no coercion that needs evaluation is involved; `Ok(None)` asks for the generator.
#[inline]
pub fn add(a: &Value, b: &Value) -> Result<Option<Value>, Error> {
    Ok(Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_arith(Op::Add, *x, *y)?,
        (Value::Int(x), Value::Float(y)) => Value::float(*x as f64 + y.get()),
        (Value::Float(x), Value::Int(y)) => Value::float(x.get() + *y as f64),
        (Value::Float(x), Value::Float(y)) => Value::float(x.get() + y.get()),
        (Value::Int(_) | Value::Float(_), other) => return Err(cannot_add(a, other)),
        (Value::String(x), Value::String(y)) => Value::String(NixString::concat([x, y])?),
        (Value::Path(p), Value::String(s)) => append_to_path(p, s)?,
        (Value::Path(p), Value::Path(q)) => {
            let q = q.as_os_str().as_encoded_bytes();
            Value::Path(Rc::new(crate::paths::append(p, q)))
        }
        _ => return Ok(None),
    }))
}

#[cold]
#[inline(never)]
fn cannot_add(a: &Value, b: &Value) -> Error {
    let message = format!("cannot add {} to {}", b.type_name(), a.type_name());
    Error::new(message).with_class(ErrorClass::Type)
}

/// `path + "string"`.
pub fn append_to_path(p: &std::path::Path, s: &NixString) -> Result<Value, Error> {
    if s.has_context() {
        return Err(Error::new(
            "a string that refers to a store path cannot be appended to a path".to_string(),
        ));
    }
    Ok(Value::Path(Rc::new(crate::paths::append(p, s.as_bytes()))))
}

/// `-`, `*`, `/` (`+` is `add`): integers if both are, else floats.
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
                _ if y == 0.0 => Err(division_by_zero()),
                _ => Ok(Value::float(x / y)),
            }
        }
        (Value::Int(_), other) | (other, _) => Err(type_error("an integer", other)),
    }
}

#[inline]
fn as_float(v: &Value) -> Result<f64, Error> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(f.get()),
        other => Err(type_error("a float", other)),
    }
}

/// `<`, `<=`, `>`, `>=` as `x < y`, negated or not: `a > b` is `b < a`, `a <= b` is
/// `!(b < a)`, `a >= b` is `!(a < b)` (so the operands are compared, and reported in errors,
/// in C++ Nix's order).
#[inline(always)]
pub fn as_less<T>(op: Op, a: T, b: T) -> (T, T, bool) {
    match op {
        Op::Less => (a, b, false),
        Op::Greater => (b, a, false),
        Op::LessEq => (b, a, true),
        _ => (a, b, true),
    }
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
    let (x, y) = (a.type_name(), b.type_name());
    let (va, vb) = (print_error_value(a), print_error_value(b));
    let message = match std::mem::discriminant(a) == std::mem::discriminant(b) {
        true => format!(
            "cannot compare {x} with {y}; values of that type are incomparable (values are {va} and {vb})"
        ),
        false => format!("cannot compare {x} with {y}; values are {va} and {vb}"),
    };
    Error::new(message).with_class(ErrorClass::Type)
}
