//! Arithmetic, bitwise and comparison builtins (`add`, `lessThan`, `bitAnd`, `floor`, ...).

use super::int_of;
use super::sort::less;
use crate::errors::Error;
use crate::value::code::Op;
use crate::value::{Ret, Value};
use crate::vm::ops::{self, type_error};
use crate::vm::request::Co;

crate::declare_builtins! {
    /// The sum of two numbers: an integer if both are integers (overflow is an error), else a
    /// float. Unlike `+`, it does not concatenate strings or paths.
    ///
    /// ```nix
    /// [ (builtins.add 1 2) (builtins.add 1 0.5) ]
    /// => [ 3 1.5 ]
    /// ```
    ///
    /// ```nix
    /// builtins.add 9223372036854775807 1
    /// => error: integer overflow in adding 9223372036854775807 + 1
    /// ```
    "add" [speculable] => fn add(a: Strict, b: Strict);

    /// The difference of two numbers: an integer if both are integers, else a float.
    ///
    /// ```nix
    /// [ (builtins.sub 10 3) (builtins.sub 1 0.25) ]
    /// => [ 7 0.75 ]
    /// ```
    "sub" [speculable] => fn sub(a: Strict, b: Strict);

    /// The product of two numbers: an integer if both are integers, else a float.
    ///
    /// ```nix
    /// [ (builtins.mul 6 7) (builtins.mul 2 0.5) ]
    /// => [ 42 1 ]
    /// ```
    "mul" [speculable] => fn mul(a: Strict, b: Strict);

    /// The quotient of two numbers: integer division (rounding towards zero) if both are
    /// integers, else a float. Dividing by zero is an error.
    ///
    /// ```nix
    /// [ (builtins.div 7 2) (builtins.div (-7) 2) (builtins.div 7 2.0) ]
    /// => [ 3 -3 3.5 ]
    /// ```
    ///
    /// ```nix
    /// builtins.div 1 0
    /// => error: division by zero
    /// ```
    "div" [speculable] => fn div(a: Strict, b: Strict);

    /// `a < b`, as the `<` operator: numbers, strings (byte-wise) and paths compare among
    /// themselves, lists lexicographically; anything else is an error.
    ///
    /// ```nix
    /// [ (builtins.lessThan 1 2.5) (builtins.lessThan "b" "a") (builtins.lessThan [ 1 2 ] [ 1 3 ]) ]
    /// => [ true false true ]
    /// ```
    "lessThan" => async fn less_than(a: Strict, b: Strict);

    /// The bitwise AND of two integers.
    ///
    /// ```nix
    /// builtins.bitAnd 12 10
    /// => 8
    /// ```
    "bitAnd" [speculable] => fn bit_and(a: Strict, b: Lazy);

    /// The bitwise OR of two integers.
    ///
    /// ```nix
    /// builtins.bitOr 12 10
    /// => 14
    /// ```
    "bitOr" [speculable] => fn bit_or(a: Strict, b: Lazy);

    /// The bitwise exclusive OR of two integers.
    ///
    /// ```nix
    /// builtins.bitXor 12 10
    /// => 6
    /// ```
    "bitXor" [speculable] => fn bit_xor(a: Strict, b: Lazy);

    /// Rounds a number up to the nearest integer (an integer is returned as it is); a float
    /// outside the integer range is an error.
    ///
    /// ```nix
    /// [ (builtins.ceil 1.2) (builtins.ceil (-1.8)) (builtins.ceil 3) ]
    /// => [ 2 -1 3 ]
    /// ```
    "ceil" [speculable] => fn ceil(number: Strict);

    /// Rounds a number down to the nearest integer (an integer is returned as it is); a float
    /// outside the integer range is an error.
    ///
    /// ```nix
    /// [ (builtins.floor 1.8) (builtins.floor (-1.2)) (builtins.floor 3) ]
    /// => [ 1 -2 3 ]
    /// ```
    "floor" [speculable] => fn floor(number: Strict);
}

/// C++ Nix's arithmetic builtins (both arguments forced first): floats if either side is a
/// float, else integers, each side checked for that type ("expected an integer but found ...").
fn numeric(a: &Value, b: &Value, op: Op) -> Result<Value, Error> {
    if op == Op::Div {
        // The divisor is checked first: `div "foo" 0` is a division by zero.
        let divisor = match b {
            Value::Int(i) => *i as f64,
            Value::Float(f) => f.get(),
            other => return Err(type_error("a float", other)),
        };
        if divisor == 0.0 {
            return Err(Error::new("division by zero"));
        }
    }
    let floats = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
    for v in [a, b] {
        match v {
            Value::Int(_) | Value::Float(_) => {}
            other if floats => return Err(type_error("a float", other)),
            other => return Err(type_error("an integer", other)),
        }
    }
    match op {
        Op::Add => Ok(ops::add(a, b)?.unwrap_or(Value::Null)),
        _ => ops::arith(op, a, b),
    }
}

fn add(a: &Value, b: &Value) -> Result<Value, Error> {
    numeric(a, b, Op::Add)
}

fn sub(a: &Value, b: &Value) -> Result<Value, Error> {
    numeric(a, b, Op::Sub)
}

fn mul(a: &Value, b: &Value) -> Result<Value, Error> {
    numeric(a, b, Op::Mul)
}

fn div(a: &Value, b: &Value) -> Result<Value, Error> {
    numeric(a, b, Op::Div)
}

async fn less_than(co: Co, a: Value, b: Value) -> Result<Value, Error> {
    Ok(Value::bool(less(&co, &a, &b).await?))
}

/// A bitwise operation on two integers. As C++ Nix, the second is evaluated only once the first
/// is known to be an integer.
fn bitwise(a: &Value, b: &Value, op: fn(i64, i64) -> i64) -> Result<Ret, Error> {
    let x = int_of(a)?;
    Ok(Value::Int(op(x, int_of(&forced!(b))?)).into())
}

fn bit_and(a: &Value, b: &Value) -> Result<Ret, Error> {
    bitwise(a, b, |x, y| x & y)
}

fn bit_or(a: &Value, b: &Value) -> Result<Ret, Error> {
    bitwise(a, b, |x, y| x | y)
}

fn bit_xor(a: &Value, b: &Value) -> Result<Ret, Error> {
    bitwise(a, b, |x, y| x ^ y)
}

fn round_with(number: &Value, f: fn(f64) -> f64) -> Result<Value, Error> {
    match number {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(x) => {
            let r = f(x.get());
            if (-9.223372036854776e18..9.223372036854776e18).contains(&r) {
                Ok(Value::Int(r as i64))
            } else {
                Err(Error::new(format!(
                    "cannot convert float {} to an integer",
                    crate::print::format_float_g(x.get())
                )))
            }
        }
        other => Err(type_error("a float", other)),
    }
}

fn ceil(number: &Value) -> Result<Value, Error> {
    round_with(number, f64::ceil)
}

fn floor(number: &Value) -> Result<Value, Error> {
    round_with(number, f64::floor)
}
