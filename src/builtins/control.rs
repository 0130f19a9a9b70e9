//! Control and debugging: `throw`, `abort`, `seq`, `deepSeq`, `tryEval`, `trace`, `warn`,
//! `break`, `traceVerbose`, `addErrorContext`.

use super::string_of;
use crate::errors::{Error, ErrorClass};
use crate::value::{Attrs, Value};
use crate::vm::request::{self, Catch, Co, try_force};
use crate::vm::walk::{self, Coercion};

crate::declare_builtins! {
    /// Fails with the given message (a string, or a value that coerces to one as in
    /// interpolation). The error can be caught by `builtins.tryEval`.
    ///
    /// ```nix
    /// throw "no ${"luck"}"
    /// => error: no luck
    /// ```
    ///
    /// ```nix
    /// builtins.tryEval (throw "no")
    /// => { success = false; value = false; }
    /// ```
    "throw" [top_level] => async fn throw(message: Strict);

    /// Stops evaluation with the given message. Unlike `throw`, `builtins.tryEval` does not
    /// catch it.
    ///
    /// ```nix
    /// builtins.tryEval (abort "stop")
    /// => error: evaluation aborted with the following error message: 'stop'
    /// ```
    "abort" [top_level] => async fn abort(message: Strict);

    /// Evaluates `e1` to weak head normal form (the outside of a list or set, not its
    /// elements), then returns `e2`.
    ///
    /// ```nix
    /// builtins.seq [ (throw "not evaluated") ] "done"
    /// => "done"
    /// ```
    ///
    /// ```nix
    /// builtins.seq (throw "evaluated") "done"
    /// => error: evaluated
    /// ```
    "seq" [speculable] => fn seq(e1: Strict, e2: Lazy);

    /// Evaluates `e1` completely (every list element and attribute value, recursively), then
    /// returns `e2`.
    ///
    /// ```nix
    /// builtins.deepSeq { a = [ 1 ]; } "done"
    /// => "done"
    /// ```
    ///
    /// ```nix
    /// builtins.deepSeq [ (throw "evaluated") ] "done"
    /// => error: evaluated
    /// ```
    "deepSeq" => async fn deep_seq(e1: Strict, e2: Lazy);

    /// Evaluates `e` to weak head normal form: `{ success = true; value = e; }`, or
    /// `{ success = false; value = false; }` if that fails with `throw` or a failed `assert`.
    /// Other errors (`abort`, type errors, ...) are not caught, nor are errors inside `e`'s
    /// elements, which are not evaluated.
    ///
    /// ```nix
    /// map (x: (builtins.tryEval x).success) [ 1 (throw "no") (assert false; 2) [ (throw "inside") ] ]
    /// => [ true false false true ]
    /// ```
    ///
    /// ```nix
    /// builtins.tryEval ({ a = 1; }.a + 1)
    /// => { success = true; value = 2; }
    /// ```
    "tryEval" => async fn try_eval(e: Lazy);

    /// Prints `trace: e1` on standard error, then returns `e2`. A string is printed as its
    /// text; any other value is evaluated completely and printed as a Nix value.
    ///
    /// ```nix
    /// builtins.trace { a = 1; } "done"
    /// => "done"
    /// ```
    "trace" => async fn trace(e1: Strict, e2: Lazy);

    /// Prints `evaluation warning: message` on standard error, then returns `e2` (with
    /// `--abort-on-warn`, fails after printing). The message must be a string.
    ///
    /// ```nix
    /// builtins.warn "deprecated" 1
    /// => 1
    /// ```
    ///
    /// ```nix
    /// builtins.warn 1 2
    /// => error: expected a string but found an integer: 1
    /// ```
    "warn" => async fn warn(message: Strict, e2: Lazy);

    /// Returns its argument (C++ Nix enters the debugger here when it runs with `--debugger`;
    /// gnix has no debugger).
    ///
    /// ```nix
    /// break 1
    /// => 1
    /// ```
    "break" [top_level] => fn break_(v: Lazy);

    /// Like `builtins.trace` with `--trace-verbose`; without it, returns `e2` and does not
    /// evaluate `e1`.
    ///
    /// ```nix
    /// builtins.traceVerbose (throw "not evaluated") "done"
    /// => "done"
    /// ```
    "traceVerbose" => async fn trace_verbose(e1: Lazy, e2: Lazy);

    /// Evaluates and returns `e`; an error raised while evaluating it gets `context` (a string,
    /// a path, or a set that coerces to one) as a line of its trace, shown even
    /// without `--show-trace` (the module system names the option being evaluated this way).
    ///
    /// ```nix
    /// builtins.addErrorContext "while computing the answer" 42
    /// => 42
    /// ```
    "addErrorContext" [no_call_trace] => async fn add_error_context(context: Lazy, e: Lazy);
}

/// The text of a `throw` or `abort` message (coerced as in interpolation).
async fn message_text(co: &Co, v: Value) -> Result<String, Error> {
    let s = walk::coerce_to_string(co, v, Coercion::INTERPOLATION).await?;
    Ok(s.to_text().into_owned())
}

async fn throw(co: Co, message: Value) -> Result<Value, Error> {
    Err(Error::throw(message_text(&co, message).await?))
}

async fn abort(co: Co, message: Value) -> Result<Value, Error> {
    let msg = message_text(&co, message).await?;
    Err(Error::new(format!(
        "evaluation aborted with the following error message: '{msg}'"
    ))
    .with_class(ErrorClass::Abort))
}

fn seq(_e1: &Value, e2: &Value) -> Result<Value, Error> {
    Ok(e2.clone())
}

async fn deep_seq(co: Co, e1: Value, e2: Value) -> Result<Value, Error> {
    walk::deep_force(&co, e1).await?;
    Ok(e2)
}

async fn try_eval(co: Co, e: Value) -> Result<Value, Error> {
    let (success, value) = match try_force(&co, e, Catch::Catchable).await {
        Ok(v) => (true, v),
        Err(_) => (false, Value::bool(false)),
    };
    Ok(Value::attrs(Attrs::from_sorted(vec![
        ("success".into(), Value::bool(success)),
        ("value".into(), value),
    ])))
}

async fn trace(co: Co, e1: Value, e2: Value) -> Result<Value, Error> {
    let v = walk::deep_force(&co, e1).await?;
    let shown = match &v {
        Value::String(s) => s.to_text().into_owned(),
        other => crate::print::print_with(other, crate::print::PrintOptions::OUTPUT),
    };
    request::trace(&co, format!("trace: {shown}")).await;
    Ok(e2)
}

async fn warn(co: Co, message: Value, e2: Value) -> Result<Value, Error> {
    let msg = string_of(&message)?.to_text();
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
    Ok(e2)
}

/// `break` outside the debugger returns its argument.
fn break_(v: &Value) -> Result<Value, Error> {
    Ok(v.clone())
}

async fn trace_verbose(co: Co, e1: Value, e2: Value) -> Result<Value, Error> {
    if request::flag(&co, request::Flag::TraceVerbose).await {
        return trace(co, e1, e2).await;
    }
    Ok(e2)
}

async fn add_error_context(co: Co, context: Value, e: Value) -> Result<Value, Error> {
    match try_force(&co, e, Catch::Any).await {
        Ok(v) => Ok(v),
        Err(mut err) => {
            // As C++ Nix: a string, a path (not copied) or a set that coerces to one.
            let coercion = Coercion::PLAIN
                .within("while evaluating the error message passed to builtins.addErrorContext");
            let text = walk::coerce_to_string(&co, context, coercion).await?;
            let mut line = crate::errors::TraceLine::new(None, text.to_text().into_owned());
            line.always = true;
            err.trace.push(line);
            Err(err)
        }
    }
}
