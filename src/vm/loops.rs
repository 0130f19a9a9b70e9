//! Loops the scheduler runs on behalf of a generator.
//!
//! `filter`, `any`, `all`, `concatMap` and `foldl'` call a function once per list element.
//! Yielding a `Call` per element would resume the generator once per element; instead the
//! builtin yields one `CallEach` or `Fold` request, and a `Loop` frame above it makes the calls
//! one after the other, each result delivered to the frame like any other value. The builtin
//! stays straight-line async code and is resumed once, with every result.

use super::frames::Frame;
use super::request::{CallEach, Expect};
use super::{Step, Vm};
use crate::errors::{Error, Span};
use crate::value::{NixList, Value};
use std::rc::Rc;

/// A loop of calls under way, above the generator that asked for it.
pub(super) struct LoopFrame {
    pub f: Value,
    pub list: Rc<NixList>,
    /// The element whose call is under way.
    pub next: usize,
    pub kind: LoopKind,
    pub span: Option<Span>,
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

impl Vm<'_> {
    /// Starts the loop of a `CallEach` request (the list is not empty).
    pub(super) fn start_each(&mut self, each: CallEach, span: Option<Span>) -> Step {
        let kind = LoopKind::Each {
            expect: each.expect,
            stop: each.stop,
            results: Vec::with_capacity(each.list.len()),
        };
        self.start_loop(each.f, each.list, kind, span)
    }

    /// Starts the loop of a `Fold` request (the list is not empty).
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
        self.start_loop(f, list, kind, span)
    }

    fn start_loop(
        &mut self,
        f: Value,
        list: Rc<NixList>,
        kind: LoopKind,
        span: Option<Span>,
    ) -> Step {
        self.stats.frames_pushed += 1;
        self.frames.push(Frame::Loop(Box::new(LoopFrame {
            f,
            list,
            next: 0,
            kind,
            span,
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
                    // `a: b: ...` applied to the accumulator makes a closure and runs nothing.
                    Value::Closure(c) if c.lambda.curried.is_some() => {
                        (c.apply_curried(acc).unwrap_or(Value::Null), x)
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
                let stopped = *stop == Some(true) && matches!(v, Value::Bool(true))
                    || *stop == Some(false) && matches!(v, Value::Bool(false));
                results.push(v);
                stopped
            }
            LoopKind::Fold { partial: true, .. } => {
                // `f acc` is known: apply it to the element.
                if let LoopKind::Fold { partial, .. } = &mut l.kind {
                    *partial = false;
                }
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
        match l.kind {
            LoopKind::Each { results, .. } => Step::Return(Value::list(results)),
            LoopKind::Fold { acc, .. } => Step::Return(acc),
        }
    }
}
