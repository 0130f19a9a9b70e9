//! Loops the scheduler runs for builtins that call a function per list element.
//!
//! `filter`, `any`, `all`, `concatMap` and `foldl'` call a function once per element. A Loop
//! frame makes those calls one after the other, each result delivered to it like any other
//! value, so no generator is resumed per element. A loop starts in one of two ways:
//! - the builtin's `looping` path, once the scheduler has forced its strict arguments: the loop
//!   frame stands for the builtin call itself (call depth, trace line), and a `finish` function
//!   turns the results into the builtin's value. No generator is made at all;
//! - a generator's `CallEach` or `Fold` request (when `looping` could not start, e.g. the
//!   function is still a thunk): the loop runs above the suspended generator and hands it the
//!   results in one resume.

use super::frames::{BuiltinArgs, Frame};
use super::request::{CallEach, Expect, Finish, LoopStart};
use super::{Step, Vm, at};
use crate::errors::{Error, Span};
use crate::value::{NixList, Value};
use std::rc::Rc;

/// A loop of calls under way.
pub(super) struct LoopFrame {
    pub f: Value,
    pub list: Rc<NixList>,
    /// The element whose call is under way.
    pub next: usize,
    pub kind: LoopKind,
    pub span: Option<Span>,
    /// Set when the loop is a builtin call of its own (not a generator's request).
    pub owner: Option<Owner>,
}

pub(super) enum LoopKind {
    Each {
        expect: Expect,
        stop: Option<bool>,
        results: Vec<Value>,
    },
    /// `acc` is the accumulator so far; `partial` is `f acc` while it is being applied to the
    /// element (for functions that are not curried lambdas, which take two calls).
    Fold { acc: Value, partial: bool },
}

/// The builtin call a loop frame stands for.
pub(super) struct Owner {
    pub name: &'static str,
    /// Logical calls it counts for: 1 plus those of tail-called frames.
    pub calls: u32,
    pub args: BuiltinArgs,
    /// Makes the builtin's value from the results (`Each` loops).
    pub finish: Option<Finish>,
}

impl Owner {
    /// The trace line an error leaving this call gets.
    pub fn trace(&self) -> String {
        super::builtin_trace(self.name)
    }
}

impl Vm<'_> {
    /// Starts the loop of a generator's `CallEach` request (the list is not empty).
    pub(super) fn start_each(&mut self, each: CallEach, span: Option<Span>) -> Step {
        let kind = each_kind(&each);
        self.start_loop(each.f, each.list, kind, span, None)
    }

    /// Starts the loop of a generator's `Fold` request (the list is not empty).
    pub(super) fn start_fold(
        &mut self,
        f: Value,
        acc: Value,
        list: Rc<NixList>,
        span: Option<Span>,
    ) -> Step {
        let kind = LoopKind::Fold {
            acc,
            partial: false,
        };
        self.start_loop(f, list, kind, span, None)
    }

    /// Runs a builtin call as a loop frame (its `looping` path said how).
    pub(super) fn start_builtin_loop(
        &mut self,
        name: &'static str,
        args: BuiltinArgs,
        start: LoopStart,
        span: Option<Span>,
        inherited: u32,
    ) -> Step {
        let (f, list, kind, finish) = match start {
            LoopStart::Each(each, finish) => {
                let kind = each_kind(&each);
                (each.f, each.list, kind, Some(finish))
            }
            LoopStart::Fold { f, acc, list } => {
                if list.is_empty() {
                    self.call_depth -= inherited;
                    return self.force_value(acc, span);
                }
                let kind = LoopKind::Fold {
                    acc,
                    partial: false,
                };
                (f, list, kind, None)
            }
        };
        let owner = Owner {
            name,
            calls: 1 + inherited,
            args,
            finish,
        };
        if list.is_empty() {
            self.call_depth -= inherited;
            return finish_each(owner, Vec::new(), span);
        }
        self.call_depth += 1;
        if let Some(e) = self.check_depth() {
            self.call_depth -= owner.calls;
            return Step::Unwind(at(e, span));
        }
        self.start_loop(f, list, kind, span, Some(owner))
    }

    fn start_loop(
        &mut self,
        f: Value,
        list: Rc<NixList>,
        kind: LoopKind,
        span: Option<Span>,
        owner: Option<Owner>,
    ) -> Step {
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
        let Some(Frame::Loop(l)) = self.frames.last_mut() else {
            return Step::Unwind(Error::new("internal error: no loop frame"));
        };
        let x = l.list.get(l.next).cloned().unwrap_or(Value::Null);
        let span = l.span;
        let (f, arg) = match &mut l.kind {
            LoopKind::Each { .. } => (l.f.clone(), x),
            LoopKind::Fold { acc, partial } => {
                let acc = std::mem::replace(acc, Value::Null);
                match &l.f {
                    // `a: b: ...`: both arguments at once, no closure in between.
                    Value::Closure(c) if c.lambda.curried.is_some() => {
                        let c = c.clone();
                        return self.call_curried2(&c, acc, x, span, 0);
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
            return Step::Unwind(Error::new("internal error: no loop frame"));
        };
        let done = match &mut l.kind {
            LoopKind::Each {
                expect,
                stop,
                results,
            } => {
                if let Err(e) = expect.check(&v) {
                    return Step::Unwind(e);
                }
                let stopped = matches!((*stop, &v), (Some(s), Value::Bool(b)) if s == b.get());
                results.push(v);
                stopped
            }
            LoopKind::Fold { partial, .. } if *partial => {
                // `f acc` is known: apply it to the element.
                *partial = false;
                let x = l.list.get(l.next).cloned().unwrap_or(Value::Null);
                let span = l.span;
                return self.call(v, x, span);
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
            return Step::Unwind(Error::new("internal error: no loop frame"));
        };
        let l = *l;
        if let Some(owner) = &l.owner {
            self.call_depth -= owner.calls;
        }
        match (l.kind, l.owner) {
            (LoopKind::Each { results, .. }, Some(owner)) => finish_each(owner, results, l.span),
            (LoopKind::Each { results, .. }, None) => Step::Return(Value::list(results)),
            (LoopKind::Fold { acc, .. }, _) => Step::Return(acc),
        }
    }
}

fn each_kind(each: &CallEach) -> LoopKind {
    LoopKind::Each {
        expect: each.expect,
        stop: each.stop,
        results: Vec::with_capacity(each.list.len()),
    }
}

/// The value of a builtin whose `Each` loop is over.
fn finish_each(owner: Owner, results: Vec<Value>, span: Option<Span>) -> Step {
    let Some(finish) = owner.finish else {
        return Step::Return(Value::list(results));
    };
    match finish(&owner.args, &results) {
        Ok(v) => Step::Return(v),
        Err(mut e) => {
            e.trace.push((span, owner.trace()));
            Step::Unwind(at(e, span))
        }
    }
}
