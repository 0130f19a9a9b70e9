//! Arithmetic, bitwise and comparison builtins (`add`, `lessThan`, `bitAnd`, `floor`, ...).

use super::{arg, force_int};
use crate::compiler::Op;
use crate::errors::Error;
use crate::value::{Builtin, Value};
use crate::vm::ops::{self, type_error};
use crate::vm::request::{Co, force};
use crate::vm::walk;

async fn operands(co: &Co, args: &[Value]) -> (Value, Value) {
    let a = force(co, arg(args, 0)).await;
    let b = force(co, arg(args, 1)).await;
    (a, b)
}

/// C++ Nix's arithmetic builtins (both arguments forced first): floats if either side is a
/// float, else integers, each side checked for that type ("expected an integer but found ...").
fn numeric(args: &[Value], op: Op) -> Result<Value, Error> {
    let (a, b) = (&args[0], &args[1]);
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

fn add(args: &[Value]) -> Result<Value, Error> {
    numeric(args, Op::Add)
}

fn sub(args: &[Value]) -> Result<Value, Error> {
    numeric(args, Op::Sub)
}

fn mul(args: &[Value]) -> Result<Value, Error> {
    numeric(args, Op::Mul)
}

fn div(args: &[Value]) -> Result<Value, Error> {
    numeric(args, Op::Div)
}

async fn less_than(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    Ok(Value::bool(walk::less_than(&co, a, b).await?))
}

async fn bit_and(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(Value::Int(
        force_int(&co, arg(&args, 0)).await? & force_int(&co, arg(&args, 1)).await?,
    ))
}

async fn bit_or(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(Value::Int(
        force_int(&co, arg(&args, 0)).await? | force_int(&co, arg(&args, 1)).await?,
    ))
}

async fn bit_xor(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(Value::Int(
        force_int(&co, arg(&args, 0)).await? ^ force_int(&co, arg(&args, 1)).await?,
    ))
}

async fn round_with(co: &Co, v: Value, f: fn(f64) -> f64) -> Result<Value, Error> {
    match force(co, v).await {
        Value::Int(i) => Ok(Value::Int(i)),
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
        other => Err(type_error("a float", &other)),
    }
}

async fn ceil(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    round_with(&co, arg(&args, 0), f64::ceil).await
}

async fn floor(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    round_with(&co, arg(&args, 0), f64::floor).await
}

pub fn builtins() -> Vec<Builtin> {
    vec![
        strict!("add", 2, add),
        strict!("sub", 2, sub),
        strict!("mul", 2, mul),
        strict!("div", 2, div),
        def!("lessThan", 2, less_than),
        def!("bitAnd", 2, bit_and),
        def!("bitOr", 2, bit_or),
        def!("bitXor", 2, bit_xor),
        def!("ceil", 1, ceil),
        def!("floor", 1, floor),
    ]
}
