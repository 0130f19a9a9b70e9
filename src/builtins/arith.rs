//! Arithmetic, bitwise and comparison builtins (`add`, `lessThan`, `bitAnd`, `floor`, ...).

use super::{arg, def, force_int};
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

async fn add(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    match (&a, &b) {
        (Value::Int(_) | Value::Float(_), _) => Ok(ops::add(&a, &b)?.unwrap_or(Value::Null)),
        _ => Err(type_error("an integer", &a)),
    }
}

async fn sub(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    ops::arith(Op::Sub, &a, &b)
}

async fn mul(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    ops::arith(Op::Mul, &a, &b)
}

async fn div(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    ops::arith(Op::Div, &a, &b)
}

async fn less_than(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (a, b) = operands(&co, &args).await;
    Ok(Value::Bool(walk::less_than(&co, a, b).await?))
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
            let r = f(x);
            if r.is_finite() && r >= -9.223372036854776e18 && r < 9.223372036854776e18 {
                Ok(Value::Int(r as i64))
            } else {
                Err(Error::new(format!(
                    "cannot convert float {} to an integer",
                    crate::print::format_float_g(x)
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
        def("add", 2, add),
        def("sub", 2, sub),
        def("mul", 2, mul),
        def("div", 2, div),
        def("lessThan", 2, less_than),
        def("bitAnd", 2, bit_and),
        def("bitOr", 2, bit_or),
        def("bitXor", 2, bit_xor),
        def("ceil", 1, ceil),
        def("floor", 1, floor),
    ]
}
