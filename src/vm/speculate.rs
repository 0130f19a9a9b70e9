//! Speculative evaluation of small thunks and small function bodies.
//!
//! Most thunks the bytecode creates are tiny and their inputs are often already evaluated:
//! the `n - 1` in `f (n - 1)`, the `cfg.enable` passed along, `i + 1` in a loop. Allocating a
//! thunk, and later a frame to force it, costs far more than computing the value. When a thunk
//! body is *speculable* (the compiler checked it is a short sequence of the ops below, jumping
//! only forward) the VM first tries to run it right where the thunk would be created, on values
//! that are already in weak head normal form. Anything that would need evaluation (an unforced
//! thunk), could fail (overflow, division by zero, a type error, a missing attribute) or is not
//! in the short list gives up, and the thunk is made as usual: the laziness and the errors the
//! program sees are exactly those of the thunk.
//!
//! The ops compute with the dispatch loop's own functions (`vm::ops`): an error, or a case the
//! loop would hand to a generator, is where speculation gives up. Nothing here decides what an
//! op means (it only declines `+` on strings and paths, which would copy them), so an attempt
//! can only compute what the loop would, and gives up wherever the loop would fail.
//!
//! One-argument lambda bodies get the same flag, and the same treatment where they are applied:
//! a call (`x: x == 3` as a predicate, `a: b: a < b` as a comparator) or a lazy application made
//! by `map` or `genList` runs the body with the arguments standing in for the scopes a call would
//! allocate. A call's result is then forced like any call's.
//!
//! A speculated body may call a builtin that is cheap and does nothing but compute
//! (`Builtin::speculable`: `elemAt l i`, `head l`, `length l`, ...) when the arguments it is
//! strict in are evaluated and the call succeeds; a thunk it makes is speculated in turn. Each
//! chunk keeps a `Record` of how its attempts went, so that a body that keeps failing late
//! (after computing a few builtin calls) stops costing them.

use super::ops;
use crate::errors::Error;
use crate::value::code::{Arith, Chunk, Op, Operand};
use crate::value::{Closure, Env, Lambda, Value};
use std::rc::Rc;

/// Runs a speculable thunk body in `env`; `None` if the thunk has to be made after all. It
/// works on top of the VM's operand stack (`stack`), which it leaves as it found it.
/// An arithmetic body (`n - 1`) is computed in line, before the general attempt.
#[inline(always)]
pub fn speculate(chunk: &Chunk, env: &Env, stack: &mut Vec<Value>) -> Option<Value> {
    let scope = Scope::Env(env);
    if let Some(arith) = &chunk.arith
        && let Some(v) = run_arith(arith, &scope)
    {
        return Some(v);
    }
    run_general(chunk, &scope, stack)
}

/// The part of the operand stack above `base`.
struct Stack<'a> {
    values: &'a mut Vec<Value>,
    base: usize,
}

impl Stack<'_> {
    #[inline]
    fn push(&mut self, v: Value) {
        self.values.push(v);
    }

    #[inline]
    fn pop(&mut self) -> Option<Value> {
        if self.values.len() > self.base {
            self.values.pop()
        } else {
            None
        }
    }

    /// Takes the `n` values on top off, if there are that many above the base.
    fn take_top(&mut self, n: usize) -> Option<Vec<Value>> {
        let at = self
            .values
            .len()
            .checked_sub(n)
            .filter(|&at| at >= self.base)?;
        Some(self.values.split_off(at))
    }

    #[inline]
    fn last_mut(&mut self) -> Option<&mut Value> {
        if self.values.len() > self.base {
            self.values.last_mut()
        } else {
            None
        }
    }
}

/// `f` itself if applying it can be speculated (`apply_lambda`): an evaluated one-argument
/// lambda with a speculable body. `map` and `genList` look once, then speculate each element.
pub fn speculable_closure(f: &Value) -> Option<Rc<Closure>> {
    match f.whnf()? {
        Value::Closure(c) if c.lambda.chunk.speculable => Some(c),
        _ => None,
    }
}

/// `f` evaluated if applying it to one more argument can be speculated (`apply_builtin`): a
/// speculable builtin one argument short of its arity (`toString`, `builtins.getAttr "x"`).
pub fn speculable_builtin(f: &Value) -> Option<Value> {
    match f.whnf()? {
        Value::Builtin(p) if p.builtin.speculable && p.args.len() + 1 == p.builtin.arity => {
            Some(Value::Builtin(p))
        }
        _ => None,
    }
}

/// `f x` for a builtin `speculable_builtin` gave, when its body can compute it on the spot.
pub fn apply_builtin(f: &Value, x: &Value) -> Option<Value> {
    call_builtin(f, [x.clone()], false)
}

/// Runs `lambda` (closed over `captured`) on `arg` speculatively: its value if its body is
/// speculable and finishes on evaluated values, with no scope or frame made.
#[inline]
pub fn apply_lambda(
    lambda: &Lambda,
    captured: &Env,
    arg: &Value,
    stack: &mut Vec<Value>,
) -> Option<Value> {
    let body = &lambda.chunk;
    // (A curried lambda's body only makes a closure: never speculable.)
    if !body.speculable {
        return None;
    }
    let scope = match lambda.merged {
        0 => Scope::Arg {
            arg,
            parent: captured,
        },
        _ => Scope::call(lambda, captured, arg, None)?,
    };
    run_on(body, &scope, stack)
}

/// `apply_lambda` for a curried `a: b: ...` applied to both arguments at once: the inner
/// lambda's body, on the one scope the two share.
#[inline]
pub fn apply_lambda2(
    outer: &Lambda,
    captured: &Env,
    a: &Value,
    b: &Value,
    stack: &mut Vec<Value>,
) -> Option<Value> {
    let inner = outer.curried.as_ref()?;
    if !inner.chunk.speculable || inner.merged == 0 {
        return None;
    }
    let scope = Scope::call(outer, captured, a, Some(b))?;
    run_on(&inner.chunk, &scope, stack)
}

/// Runs `chunk` on top of `stack` (the VM's operand stack), leaving it as it found it.
fn run_on(chunk: &Chunk, scope: &Scope, stack: &mut Vec<Value>) -> Option<Value> {
    if let Some(arith) = &chunk.arith
        && let Some(v) = run_arith(arith, scope)
    {
        return Some(v);
    }
    run_general(chunk, scope, stack)
}

/// `run_on` past the arithmetic shortcut.
fn run_general(chunk: &Chunk, scope: &Scope, stack: &mut Vec<Value>) -> Option<Value> {
    if !chunk.speculation.worth_trying() {
        return None;
    }
    let base = stack.len();
    let stack_above = &mut Stack {
        values: stack,
        base,
    };
    let result = match chunk.speculates_calls {
        true => run::<true>(chunk, scope, stack_above, 0),
        false => run::<false>(chunk, scope, stack_above, 0),
    };
    stack.truncate(base);
    match result {
        Some(_) => chunk.speculation.succeeded(),
        None => chunk.speculation.missed(),
    }
    result
}

/// Where a speculated body's variables live.
enum Scope<'a> {
    /// A thunk body: the scope it was made in.
    Env(&'a Env),
    /// A one-argument lambda body being applied: the argument is slot 0 of scope 0, which is
    /// never allocated; the lambda's captured scope is scope 1.
    Arg { arg: &'a Value, parent: &'a Env },
    /// A lambda body being applied, its scope (scope 0) never allocated: slots below `merged`
    /// are those the curried lambdas around it were given (in `shared`), the next one is `a`
    /// and, for `x: y: ...` applied to both, the one after is `b`. Scope 1 is `parent`.
    Call {
        shared: &'a Env,
        merged: usize,
        a: &'a Value,
        b: Option<&'a Value>,
        parent: &'a Env,
    },
}

impl<'a> Scope<'a> {
    #[inline(always)]
    fn get(&self, depth: usize, slot: usize) -> Option<&Value> {
        match *self {
            Scope::Env(env) => env.ancestor(depth)?.get(slot),
            Scope::Arg { arg, .. } if depth == 0 => (slot == 0).then_some(arg),
            Scope::Arg { parent, .. } => parent.ancestor(depth - 1)?.get(slot),
            Scope::Call { parent, .. } if depth > 0 => parent.ancestor(depth - 1)?.get(slot),
            Scope::Call {
                shared,
                merged,
                a,
                b,
                ..
            } => match slot.checked_sub(merged) {
                None => shared.get(slot),
                Some(0) => Some(a),
                Some(1) => b,
                Some(_) => None,
            },
        }
    }

    /// The scope of a call of `lambda`, closed over `captured`, on `a` (and `b` for the lambda
    /// inside it): a child of `captured`, or of its parent where `captured` holds slots the
    /// lambda shares (see `Closure`).
    fn call(
        lambda: &Lambda,
        captured: &'a Env,
        a: &'a Value,
        b: Option<&'a Value>,
    ) -> Option<Scope<'a>> {
        let parent = match lambda.merged {
            0 => captured,
            _ => captured.parent()?,
        };
        Some(Scope::Call {
            shared: captured,
            merged: lambda.merged,
            a,
            b,
            parent,
        })
    }
}

/// How deep thunks made inside a speculated body are themselves speculated.
const MAX_NESTING: u32 = 4;

/// `CALLS`: whether the chunk has calls or thunks to run (without, those arms are left out).
#[inline(always)]
fn run<const CALLS: bool>(
    chunk: &Chunk,
    scope: &Scope,
    stack: &mut Stack,
    nesting: u32,
) -> Option<Value> {
    let mut ip = 0;
    while let Some(&op) = chunk.ops.get(ip) {
        ip += 1;
        match op {
            Op::Jump(t) => ip = t as usize,
            Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => {
                if ok(ops::boolean(&stack.pop()?))? == matches!(op, Op::JumpIfTrue(_)) {
                    ip = t as usize;
                }
            }
            Op::AssertBool => {
                ok(ops::boolean(stack.last_mut()?))?;
            }
            Op::Const(i) => stack.push(chunk.consts.get(i as usize)?.clone()),
            Op::Local(depth, slot) => stack.push(scope.get(depth as usize, slot as usize)?.clone()),
            Op::LocalForce(depth, slot) => {
                let v = scope.get(depth as usize, slot as usize)?;
                stack.push(match v {
                    // A variable returned as the result (`x: x`, `{ inherit a; }`'s thunk)
                    // stands for its own value, evaluated or not.
                    Value::Thunk(_) if matches!(chunk.ops.get(ip), Some(Op::Return)) => v.clone(),
                    Value::Thunk(t) => t.value()?,
                    v => v.clone(),
                });
            }
            Op::Force => {
                // A thunk returned as the result stands for its own value.
                if matches!(chunk.ops.get(ip), Some(Op::Return)) {
                    continue;
                }
                let top = stack.last_mut()?;
                if let Value::Thunk(t) = top {
                    *top = t.value()?;
                }
            }
            Op::Return => return stack.pop(),
            // A thunk made here closes over the same scope: its value is computed in place,
            // or the whole speculation gives up.
            Op::Thunk(i) if CALLS && nesting < MAX_NESTING => {
                let body = chunk.thunks.get(i as usize)?;
                let v = run_nested(body, scope, stack, nesting + 1)?;
                stack.push(v);
            }
            // `Call2` is always followed by `Swap; Call` or `Swap; TailCall`, which it stands
            // for.
            Op::Call | Op::TailCall | Op::Call2 if CALLS => {
                if matches!(op, Op::Call2) {
                    ip += 2;
                }
                call(op, stack, matches!(chunk.ops.get(ip), Some(Op::Return)))?;
            }
            Op::Not => {
                let b = ok(ops::boolean(&stack.pop()?))?;
                stack.push(Value::bool(!b));
            }
            Op::Negate => {
                let v = ok(ops::negate(&stack.pop()?))?;
                stack.push(v);
            }
            Op::Select(k) => {
                let v = stack.pop()?;
                let name = *chunk.symbols.get(k as usize)?;
                stack.push(ok(ops::select(&v, name))?);
            }
            Op::HasAttr(k) => {
                let name = *chunk.symbols.get(k as usize)?;
                let has = ops::has_attr(&stack.pop()?, name);
                stack.push(Value::bool(has));
            }
            // `s.${n}`, `s.${n} or d`, `s ? ${n}`.
            Op::DynSelect => {
                let name = stack.pop()?;
                let v = ok(ops::dyn_select(&stack.pop()?, &name))?;
                stack.push(v);
            }
            Op::DynSelectOrJump(t) => {
                let name = stack.pop()?;
                match ok(ops::dyn_select_or(&stack.pop()?, &name))? {
                    Some(v) => stack.push(v),
                    None => ip = t as usize,
                }
            }
            Op::DynHasAttr => {
                let name = stack.pop()?;
                let has = ok(ops::dyn_has_attr(&stack.pop()?, &name))?;
                stack.push(Value::bool(has));
            }
            // A variable from a `with` whose set is evaluated (`with lib; f one`): found, or
            // on to the next `with` out, and where none has it (`UndefinedVar`) no value.
            Op::WithLookup(k, t) => {
                let name = *chunk.symbols.get(k as usize)?;
                if let Some(v) = ok(ops::with_lookup(&stack.pop()?, name))? {
                    stack.push(v);
                    ip = t as usize;
                }
            }
            // `"${x}"` of a string; anything else (a path to copy, a set to coerce, an error)
            // is left to the thunk.
            Op::CoerceInterp => {
                if !matches!(stack.last_mut()?, Value::String(_)) {
                    return None;
                }
            }
            Op::Interpolate(n) => {
                let v = interpolate(stack, n as usize)?;
                stack.push(v);
            }
            // A list literal's elements are values or thunks already (made by the ops before).
            // (Set literals are not speculated: `benches/RESULTS.md`, session 24.)
            Op::MakeList(n) => {
                let v = make_list(stack, n as usize)?;
                stack.push(v);
            }
            op if op.is_binary_operator() => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                let v = match (&a, &b) {
                    (Value::Int(x), Value::Int(y)) => ops::int_binary(op, *x, *y)?,
                    _ => binary(op, &a, &b)?,
                };
                stack.push(v);
            }
            _ => return None,
        }
    }
    None
}

/// `MakeList n`: the `n` values on top of `stack` as a list. (Out of line, as the other
/// ops that allocate: the loop above stays small.)
#[inline(never)]
fn make_list(stack: &mut Stack, n: usize) -> Option<Value> {
    Some(Value::list(stack.take_top(n)?))
}

/// The longest string an interpolation is speculated to make: a short name or version is
/// worth making ahead of need, a copy of a long text that may never be used is not.
const MAX_INTERPOLATED: usize = 4096;

/// `Interpolate n`: the `n` strings on top of `stack` (each checked by `CoerceInterp`) joined.
#[inline(never)]
fn interpolate(stack: &mut Stack, n: usize) -> Option<Value> {
    // (A part taken off and then given up on is no loss: the attempt's stack is dropped.)
    let strings = stack
        .take_top(n)?
        .into_iter()
        .map(|part| match part {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    if strings.iter().map(|s| s.len()).sum::<usize>() > MAX_INTERPOLATED {
        return None;
    }
    Some(Value::String(ok(crate::value::NixString::concat(
        &strings,
    ))?))
}

/// What an op computed, or `None` where the dispatch loop would fail: speculation gives up
/// and leaves the error to the thunk. (The error is dropped out of line: it is the rare path.)
#[inline(always)]
fn ok<T>(r: Result<T, Error>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            give_up(e);
            None
        }
    }
}

/// Drops the error of an op an attempt gives up on.
#[cold]
#[inline(never)]
fn give_up(_error: Error) {}

/// A call op: the function and its arguments on `stack` replaced by the result.
#[inline(never)]
fn call(op: Op, stack: &mut Stack, returned: bool) -> Option<()> {
    let v = match op {
        Op::Call2 => {
            let b = stack.pop()?;
            let a = stack.pop()?;
            call_builtin(&stack.pop()?, [a, b], returned)?
        }
        _ => {
            let arg = stack.pop()?;
            call_builtin(&stack.pop()?, [arg], returned)?
        }
    };
    stack.push(v);
    Some(())
}

/// Applies `f` to `more` if it is a speculable builtin (`Builtin::speculable`) whose fast path
/// answers on these arguments: a partial application while arguments are still missing, else
/// the result, which must be evaluated unless it is the body's own result (`returned`).
#[inline]
fn call_builtin<const N: usize>(f: &Value, more: [Value; N], returned: bool) -> Option<Value> {
    let Value::Builtin(p) = f else {
        return None;
    };
    let builtin = &p.builtin;
    if !builtin.speculable {
        return None;
    }
    // The usual case, all arguments at once: they stay where they are.
    if p.args.is_empty() && N == builtin.arity {
        let mut args = more;
        return saturated(builtin, &mut args, returned);
    }
    let mut args: smallvec::SmallVec<[Value; 4]> = p.args.iter().cloned().collect();
    args.extend(more);
    if args.len() > builtin.arity {
        return None;
    }
    if args.len() < builtin.arity {
        let partial = crate::value::PartialApp {
            builtin: builtin.clone(),
            args: args.into_iter().collect(),
        };
        return Some(Value::Builtin(Rc::new(partial)));
    }
    saturated(builtin, &mut args, returned)
}

/// Runs a builtin's body on all its arguments, those it is strict in evaluated: a synchronous
/// body that answers a value, or an async body's attempt that finishes without a request.
#[inline]
fn saturated(builtin: &crate::value::Builtin, args: &mut [Value], returned: bool) -> Option<Value> {
    if !super::evaluate_strict(args, builtin.strict) {
        return None;
    }
    if builtin.scalars_only && args.iter().any(Value::holds_values) {
        return None;
    }
    let v = match &builtin.body {
        crate::value::Body::Sync(run) => match run(args).ok()? {
            crate::value::Ret::Value(v) => v,
            crate::value::Ret::Force(_) | crate::value::Ret::Loop(_) => return None,
        },
        crate::value::Body::Async { attempt, .. } => attempt(args)?.ok()?,
    };
    match v {
        Value::Thunk(t) if !returned => t.value(),
        v => Some(v),
    }
}

/// `run` for a thunk made inside a speculated body (out of line: `run` is inlined into its
/// callers).
#[inline(never)]
fn run_nested(chunk: &Chunk, scope: &Scope, stack: &mut Stack, nesting: u32) -> Option<Value> {
    if let Some(arith) = &chunk.arith
        && let Some(v) = run_arith(arith, scope)
    {
        return Some(v);
    }
    run::<true>(chunk, scope, stack, nesting)
}

/// `Arith` on integers (`None` for anything else, or where the operation would fail).
#[inline(always)]
fn run_arith(arith: &Arith, scope: &Scope) -> Option<Value> {
    ops::int_binary(
        arith.op,
        int_operand(arith.a, scope)?,
        int_operand(arith.b, scope)?,
    )
}

#[inline(always)]
fn int_operand(operand: Operand, scope: &Scope) -> Option<i64> {
    match operand {
        Operand::Int(n) => Some(n),
        Operand::Local(depth, slot) => match scope.get(depth as usize, slot as usize)? {
            Value::Int(n) => Some(*n),
            Value::Thunk(t) => match t.value()? {
                Value::Int(n) => Some(n),
                _ => None,
            },
            _ => None,
        },
    }
}

/// A `TestJump`'s comparison on the integers it names in `env`; `None` where an operand is
/// not an evaluated integer.
#[inline(always)]
pub fn test(compare: &Arith, env: &Env) -> Option<bool> {
    match run_arith(compare, &Scope::Env(env))? {
        Value::Bool(b) => Some(b.get()),
        _ => None,
    }
}

/// A binary operator on evaluated operands, not both integers, computed by the dispatch
/// loop's own functions; `None` where the loop would fail or hand over to a generator (`==` on
/// lists and sets, `<` on lists).
fn binary(op: Op, a: &Value, b: &Value) -> Option<Value> {
    match op {
        // `+` on strings and paths copies them, for a value that may never be needed: left to
        // the thunk.
        Op::Add if !(is_number(a) && is_number(b)) => None,
        Op::Add => ok(ops::add(a, b))?,
        Op::Sub | Op::Mul | Op::Div => ok(ops::arith(op, a, b)),
        Op::Eq | Op::NotEq => Some(Value::bool(
            ops::eq_shallow(a, b)? != matches!(op, Op::NotEq),
        )),
        _ => {
            let (x, y, negate) = ops::as_less(op, a, b);
            Some(Value::bool(ok(ops::less_shallow(x, y))?? != negate))
        }
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}
