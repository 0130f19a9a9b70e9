//! Loops the scheduler runs for builtins that call a function per list element.
//!
//! `filter`, `any`, `all`, `concatMap` and `foldl'` call a function once per element. A Loop
//! frame makes those calls one after the other, each result delivered to it like any other
//! value, so no generator exists at all. The builtin's body starts it by answering `Ret::Loop`;
//! the loop frame then stands for the builtin call itself (call depth, trace line), and a
//! `finish` function turns the results into the builtin's value.

use super::frames::{Frame, LoopFrame, LoopKind, Owner};
use super::request::{CallEach, Finish, LoopStart};
use super::{Step, Vm, at};
use crate::errors::Span;
use crate::value::{NixList, Value, list_bytes};

impl Vm<'_> {
    /// Runs a builtin call as the loop frame its body asked for.
    pub(super) fn start_builtin_loop(
        &mut self,
        name: &'static str,
        start: LoopStart,
        span: Option<Span>,
    ) -> Step {
        let (f, list, kind, finish) = match start {
            LoopStart::Each(each, finish) => {
                let kind = each_kind(&each);
                (each.f, each.list, kind, Some(finish))
            }
            LoopStart::Fold { f, acc, list } => {
                if list.is_empty() {
                    return self.force_value(acc, span);
                }
                let kind = LoopKind::Fold {
                    acc,
                    partial: false,
                };
                (f, list, kind, None)
            }
        };
        if list.is_empty() {
            return finish_each(name, finish, &list, Vec::new(), span);
        }
        let calls = match self.count_call() {
            Ok(calls) => calls,
            Err(e) => return Step::Unwind(at(e, span)),
        };
        let owner = Owner {
            name,
            calls,
            finish,
        };
        self.stats.frames_pushed += 1;
        self.frames.push(Frame::Loop(Box::new(LoopFrame {
            f,
            list,
            next: 0,
            kind,
            span,
            owner,
        })));
        self.loop_call()
    }

    /// Makes the call for the loop frame on top's current element.
    fn loop_call(&mut self) -> Step {
        if let Some(e) = self.interrupted() {
            return Step::Unwind(e);
        }
        let Some(Frame::Loop(l)) = self.frames.last_mut() else {
            unreachable!("a loop call without a loop frame on top")
        };
        let x = l.element();
        // A builtin's calls have no position (C++ Nix's `callFunction(..., noPos)`).
        let span = None;
        let (f, arg) = match &mut l.kind {
            LoopKind::Each { .. } => (l.f.clone(), x),
            LoopKind::Fold { acc, partial } => {
                let acc = std::mem::replace(acc, Value::Null);
                match &l.f {
                    // `a: b: ...`: both arguments at once, no closure in between.
                    Value::Closure(c) if c.lambda.curried.is_some() => {
                        let c = c.clone();
                        return self.call_curried2(&c, acc, x, span);
                    }
                    f => {
                        *partial = true;
                        (f.clone(), acc)
                    }
                }
            }
        };
        self.call(f, arg, span)
    }

    /// Takes the result of the loop's current call.
    pub(super) fn loop_deliver(&mut self, v: Value) -> Step {
        let Some(Frame::Loop(l)) = self.frames.last_mut() else {
            unreachable!("a loop result delivered without a loop frame on top")
        };
        let done = match &mut l.kind {
            LoopKind::Each {
                expect,
                stop,
                flatten,
                results,
            } => {
                if let Err(mut e) = expect.check(&v) {
                    if let Some((at, what)) = super::trace::result_context(l.owner.name, &v, &l.f) {
                        e.add_trace(at, what);
                    }
                    return Step::Unwind(e);
                }
                let stopped = matches!((*stop, &v), (Some(s), Value::Bool(b)) if s == b.get());
                match (*flatten, v) {
                    (true, Value::List(items)) => {
                        let len = results.len().saturating_add(items.len());
                        if let Err(e) = crate::allocator::reserve(list_bytes(len), "a list") {
                            return Step::Unwind(e.into());
                        }
                        results.extend(items.iter().cloned());
                    }
                    (_, v) => results.push(v),
                }
                stopped
            }
            LoopKind::Fold { partial, .. } if *partial => {
                // `f acc` is known: apply it to the element.
                *partial = false;
                let x = l.element();
                return self.call(v, x, None);
            }
            LoopKind::Fold { acc, .. } => {
                *acc = v;
                false
            }
        };
        l.next += 1;
        if !done && l.next < l.list.len() {
            return self.loop_call();
        }
        let Some(Frame::Loop(l)) = self.frames.pop() else {
            unreachable!("a finished loop without a loop frame on top")
        };
        let l = *l;
        self.call_depth -= l.owner.calls;
        match l.kind {
            LoopKind::Each { results, .. } => {
                finish_each(l.owner.name, l.owner.finish, &l.list, results, l.span)
            }
            LoopKind::Fold { acc, .. } => Step::Return(acc),
        }
    }
}

fn each_kind(each: &CallEach) -> LoopKind {
    LoopKind::Each {
        expect: each.expect,
        stop: each.stop,
        flatten: each.flatten,
        results: Vec::with_capacity(each.list.len()),
    }
}

/// The value of a builtin whose `Each` loop is over.
fn finish_each(
    name: &'static str,
    finish: Option<Finish>,
    list: &NixList,
    results: Vec<Value>,
    span: Option<Span>,
) -> Step {
    let Some(finish) = finish else {
        return Step::Return(Value::list(results));
    };
    match finish(list, results) {
        Ok(v) => Step::Return(v),
        Err(mut e) => {
            e.add_trace(span, super::builtin_trace(name));
            Step::Unwind(e)
        }
    }
}
