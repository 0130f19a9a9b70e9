//! Control and debugging: `throw`, `abort`, `seq`, `deepSeq`, `tryEval`, `trace`, `warn`,
//! `break`, `traceVerbose`, `addErrorContext`.

use super::arg;
use crate::errors::{Error, ErrorClass};
use crate::value::{Attrs, Builtin, Value};
use crate::vm::request::{self, Co, force, try_force};
use crate::vm::walk::{self, Coercion};

async fn message(co: &Co, v: Value) -> Result<String, Error> {
    let s = walk::coerce_to_string(co, v, Coercion::INTERPOLATION).await?;
    Ok(s.to_str_lossy().into_owned())
}

async fn throw(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Err(Error::throw(message(&co, arg(&args, 0)).await?))
}

async fn abort(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let msg = message(&co, arg(&args, 0)).await?;
    Err(Error::new(format!(
        "evaluation aborted with the following error message: '{msg}'"
    ))
    .with_class(ErrorClass::Abort))
}

async fn seq(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    force(&co, arg(&args, 0)).await;
    Ok(arg(&args, 1))
}

/// `seq` (once its first argument is evaluated) and `addErrorContext`: the second argument,
/// which the scheduler then forces.
fn second_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    Some(Ok(arg(args, 1)))
}

async fn deep_seq(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    walk::deep_force(&co, arg(&args, 0)).await?;
    Ok(arg(&args, 1))
}

async fn try_eval(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let (success, value) = match try_force(&co, arg(&args, 0)).await {
        Ok(v) => (true, v),
        Err(_) => (false, Value::bool(false)),
    };
    Ok(Value::attrs(Attrs::from_sorted(vec![
        ("success".into(), Value::bool(success)),
        ("value".into(), value),
    ])))
}

async fn trace(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let v = walk::deep_force(&co, arg(&args, 0)).await?;
    let shown = match &v {
        Value::String(s) => s.to_str_lossy().into_owned(),
        other => crate::print::print_with(other, crate::print::PrintOptions::OUTPUT),
    };
    request::trace(&co, format!("trace: {shown}")).await;
    Ok(arg(&args, 1))
}

async fn warn(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let msg = super::force_string(&co, arg(&args, 0)).await?;
    let msg = msg.to_str_lossy();
    // Continuation lines line up after the prefix, unless the message starts on its own line.
    let line = if msg.starts_with('\n') {
        format!("evaluation warning:{msg}")
    } else {
        format!(
            "evaluation warning: {}",
            msg.replace('\n', &format!("\n{}", " ".repeat(20)))
        )
    };
    request::trace(&co, line).await;
    if request::flag(&co, request::Flag::AbortOnWarn).await {
        return Err(Error::new(
            "aborting to reveal stack trace of warning, as abort-on-warn is set",
        ));
    }
    Ok(arg(&args, 1))
}

/// `traceVerbose` traces only with `--trace-verbose`.
async fn trace_verbose(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    if request::flag(&co, request::Flag::TraceVerbose).await {
        return trace(co, args).await;
    }
    Ok(arg(&args, 1))
}

/// `break` outside the debugger returns its argument.
async fn identity(_co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(arg(&args, 0))
}

async fn second(_co: Co, args: Vec<Value>) -> Result<Value, Error> {
    Ok(arg(&args, 1))
}

pub fn builtins() -> Vec<Builtin> {
    vec![
        def!("throw", 1, throw),
        def!("abort", 1, abort),
        def_fast!("seq", 2, 0b01, seq, second_fast),
        def!("deepSeq", 2, deep_seq),
        def!("tryEval", 1, try_eval),
        def!("trace", 2, trace),
        def!("warn", 2, warn),
        def!("break", 1, identity),
        def!("traceVerbose", 2, trace_verbose),
        def_fast!("addErrorContext", 2, 0, second, second_fast),
    ]
}
