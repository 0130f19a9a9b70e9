//! Thunks: suspended computations that are evaluated at most once.
//!
//! A thunk is a shared cell. While the VM evaluates it the cell holds a `Forcing...` state with
//! the suspended computation still inside, so forcing it again is detected as infinite
//! recursion. (Keeping the computation in the cell, rather than in the frame, makes the frame
//! one pointer: pushing it copies nothing.)
//!
//! An error unwinding through the VM's thunk-update frame memoises itself in the thunk
//! (`Thunk::fail`), as C++ Nix does since 2.34: the thunk is not evaluated again (a `trace` in
//! it prints once), and forcing it again fails with a copy of the error, with the trace it
//! had gathered by the time it was caught (see `vm::failures`). An interruption (a budget, a
//! cancellation, a host's panic) is not the code's failure: it turns the thunk back into its
//! pending state instead (`Thunk::abort`), so a later run evaluates it afresh.

use super::code::Chunk;
use super::collect::Mark;
use super::{Args, Attrs, Env, NixList, Value};
use crate::errors::Error;
use std::cell::RefCell;
use std::rc::Rc;

mod cell;

pub(super) use cell::Registered;
pub use cell::Thunk;
pub(crate) use cell::ThunkCell;

/// The error that thunks failed with: one cell for every thunk an error unwound through, which
/// the VM updates as the error gathers its trace, until it is caught.
pub(crate) type Failure = Rc<RefCell<Error>>;

/// What a thunk still has to do, or what it became. Each computation has a second variant
/// for while it runs (one flat enum: nested, the state would not fit the thunk's 24 bytes).
pub(crate) enum ThunkState {
    /// Run `chunk` in `env`.
    Code {
        chunk: Rc<Chunk>,
        env: Env,
    },
    /// Apply a function to arguments, `[function, arguments...]` (a host's `Value::apply`,
    /// `zipAttrsWith`'s calls); behind an `Rc` to keep every thunk small.
    Apply(Rc<[Value]>),
    /// Element `index` of a `map`, `genList` or `mapAttrs`: its call is in the block that
    /// every element of that builtin's result shares.
    Call {
        calls: Rc<Calls>,
        index: u32,
    },
    /// These three are being evaluated right now; forcing them again is infinite recursion.
    ForcingCode {
        chunk: Rc<Chunk>,
        env: Env,
    },
    ForcingApply(Rc<[Value]>),
    ForcingCall {
        calls: Rc<Calls>,
        index: u32,
    },
    /// A placeholder filled in later (the globals' `builtins` and `derivation`).
    Blackhole,
    /// Its evaluation failed with this error (memoised: forcing it again fails the same way).
    Failed(Failure),
    /// Evaluated, in weak head normal form.
    Done(Value),
}

/// The lazy calls one `map`, `genList` or `mapAttrs` makes, shared by the thunks of the
/// result's elements, each of which holds this block and its index. A thunk then needs no
/// room for a function and an argument of its own (32 bytes, which made every thunk a 64-byte
/// block where 48 now do), and the result costs one block more, not one per element.
pub(crate) struct Calls {
    pub(super) func: Value,
    pub(super) over: Over,
    pub(super) mark: Mark,
}

/// What a `Calls` block's function is applied to.
#[derive(Clone)]
pub(crate) enum Over {
    /// `genList`: call `i` is `func i`.
    Indices,
    /// `map`: call `i` is `func list[i]`.
    List(Rc<NixList>),
    /// `mapAttrs`: call `i` is `func name value` with the set's `i`th attribute.
    Attrs(Rc<Attrs>),
}

impl Calls {
    pub(crate) fn new(func: Value, over: Over) -> Rc<Calls> {
        Rc::new(Calls {
            func,
            over,
            mark: Mark::default(),
        })
    }

    /// The lazy call `i`: a thunk, or (past the 2^32 calls an index holds, which no list
    /// reaches in practice) a lazy application of its own.
    pub(crate) fn thunk(calls: &Rc<Calls>, i: usize) -> Thunk {
        match u32::try_from(i) {
            Ok(index) => Thunk::new(ThunkState::Call {
                calls: calls.clone(),
                index,
            }),
            Err(_) => match calls.work(i) {
                Work::Apply(f, arg) => Thunk::apply(f, smallvec::smallvec![arg]),
                Work::ApplyMany(f, args) => Thunk::apply(f, args),
            },
        }
    }

    /// What call `i` runs.
    fn work(&self, i: usize) -> Work {
        let func = self.func.clone();
        fn past(i: usize) -> ! {
            unreachable!("lazy call {i} past the end of what it is applied over")
        }
        match &self.over {
            Over::Indices => Work::Apply(func, Value::Int(i as i64)),
            Over::List(l) => Work::Apply(func, l.get(i).cloned().unwrap_or_else(|| past(i))),
            Over::Attrs(a) => {
                let (name, value) = a.entry(i).unwrap_or_else(|| past(i));
                let name = Value::String(name.to_nix_string());
                Work::ApplyMany(func, smallvec::smallvec![name, value.clone()])
            }
        }
    }
}

impl Drop for Calls {
    fn drop(&mut self) {
        super::drop::release(std::mem::replace(&mut self.func, Value::Null));
        match std::mem::replace(&mut self.over, Over::Indices) {
            Over::Indices => {}
            Over::List(l) => super::drop::release(Value::List(l)),
            Over::Attrs(a) => super::drop::release(Value::Attrs(a)),
        }
    }
}

/// What the VM needs to run a lazy application: clones of its parts (`Thunk::begin_apply`).
/// One argument, or several (`mapAttrs`'s two, which C++ Nix's calls give no position).
pub(crate) enum Work {
    Apply(Value, Value),
    ApplyMany(Value, Args),
}

impl Work {
    /// The work of an `Apply` state's `[function, arguments...]`.
    fn of(call: &[Value]) -> Work {
        match call {
            [func, arg] => Work::Apply(func.clone(), arg.clone()),
            [func, args @ ..] => Work::ApplyMany(func.clone(), args.iter().cloned().collect()),
            [] => unreachable!("a lazy application without its function"),
        }
    }
}

/// Frees what a thunk held, without recursion: its last owner is gone, or a collection
/// emptied it.
fn release_state(state: ThunkState) {
    match state {
        ThunkState::Done(v) => super::drop::release(v),
        ThunkState::Code { env, .. } | ThunkState::ForcingCode { env, .. } => {
            super::drop::release_env(env)
        }
        ThunkState::Apply(mut call) | ThunkState::ForcingApply(mut call) => {
            // Taken out one by one: dropped in place, a chain of such thunks (each an
            // argument of the next) would be freed by recursion.
            if let Some(call) = Rc::get_mut(&mut call) {
                for v in call {
                    super::drop::release(std::mem::replace(v, Value::Null));
                }
            }
        }
        ThunkState::Call { calls, .. } | ThunkState::ForcingCall { calls, .. } => {
            super::drop::release_calls(calls)
        }
        ThunkState::Blackhole | ThunkState::Failed(_) => {}
    }
}

impl Thunk {
    #[inline]
    pub(crate) fn code(chunk: Rc<Chunk>, env: Env) -> Self {
        Thunk::new(ThunkState::Code { chunk, env })
    }

    /// `func` applied to `args` when forced.
    pub(crate) fn apply(func: Value, args: Args) -> Self {
        Thunk::new(ThunkState::Apply(
            std::iter::once(func).chain(args).collect(),
        ))
    }

    /// The value if the thunk has been evaluated.
    #[inline]
    pub fn value(&self) -> Option<Value> {
        // SAFETY: the reference ends with this expression; cloning a value writes no thunk.
        match unsafe { self.cell().peek() } {
            ThunkState::Done(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether forcing it now would be infinite recursion (it is being forced, or is a
    /// placeholder not yet filled in). Only the frame stack's consistency checks ask.
    #[cfg(debug_assertions)]
    pub(crate) fn is_blackhole(&self) -> bool {
        // SAFETY: the reference ends with this expression.
        matches!(
            unsafe { self.cell().peek() },
            ThunkState::ForcingCode { .. }
                | ThunkState::ForcingApply(_)
                | ThunkState::ForcingCall { .. }
                | ThunkState::Blackhole
        )
    }

    /// Marks a pending `Code` thunk as being forced and returns its chunk and scope. They come
    /// back as a register pair: an enum covering every kind of thunk is returned through
    /// memory, and reading it back right after it was written stalled on every force.
    /// `None` for any other state.
    #[inline]
    pub(crate) fn begin_code(&self) -> Option<(Rc<Chunk>, Env)> {
        // SAFETY: the reference ends with this expression.
        if !matches!(unsafe { self.cell().peek() }, ThunkState::Code { .. }) {
            return None;
        }
        match self.cell().replace(ThunkState::Blackhole) {
            ThunkState::Code { chunk, env } => {
                let work = (chunk.clone(), env.clone());
                self.cell().replace(ThunkState::ForcingCode { chunk, env });
                Some(work)
            }
            other => {
                self.cell().replace(other);
                None
            }
        }
    }

    /// The function of a lazy application of one argument not yet forced (C++ Nix's
    /// `Value::determinePos` places it there); `None` for any other state, and for the
    /// applications to several arguments `mapAttrs` makes (C++ Nix's have no position).
    pub(crate) fn pending_call(&self) -> Option<Value> {
        let state = self.cell().replace(ThunkState::Blackhole);
        let func = match &state {
            ThunkState::Apply(call) if call.len() == 2 => Some(call[0].clone()),
            ThunkState::Call { calls, .. } if !matches!(calls.over, Over::Attrs(_)) => {
                Some(calls.func.clone())
            }
            _ => None,
        };
        self.cell().replace(state);
        func
    }

    /// Marks a pending lazy application as being forced and returns what to run. `None` for
    /// any other state: evaluated, being evaluated, or code (`begin_code`).
    #[inline]
    pub(crate) fn begin_apply(&self) -> Option<Work> {
        let (next, work) = match self.cell().replace(ThunkState::Blackhole) {
            ThunkState::Apply(call) => {
                let work = Work::of(&call);
                (ThunkState::ForcingApply(call), Some(work))
            }
            ThunkState::Call { calls, index } => {
                let work = calls.work(index as usize);
                (ThunkState::ForcingCall { calls, index }, Some(work))
            }
            other => (other, None),
        };
        self.cell().replace(next);
        work
    }

    /// The error the thunk's evaluation failed with, fresh (to gather a trace of its own), if
    /// it failed.
    pub(crate) fn failure(&self) -> Option<Error> {
        // SAFETY: the reference ends with this expression; cloning an error writes no thunk.
        match unsafe { self.cell().peek() } {
            ThunkState::Failed(failure) => Some(failure.borrow().rethrown()),
            _ => None,
        }
    }

    /// Records that the evaluation of a thunk being forced failed (error unwinding).
    pub(crate) fn fail(&self, failure: Failure) {
        drop(self.cell().replace(ThunkState::Failed(failure)));
    }

    /// Makes a thunk being forced pending again (unwinding after an interruption).
    pub(crate) fn abort(&self) {
        let next = match self.cell().replace(ThunkState::Blackhole) {
            ThunkState::ForcingCode { chunk, env } => ThunkState::Code { chunk, env },
            ThunkState::ForcingApply(call) => ThunkState::Apply(call),
            ThunkState::ForcingCall { calls, index } => ThunkState::Call { calls, index },
            other => other,
        };
        self.cell().replace(next);
    }

    /// Drops what the thunk holds, evaluated or not, leaving a placeholder: how an evaluation
    /// that ends takes apart the cycles of its global scope (`EvalState`'s `Drop`).
    pub(crate) fn clear(&self) {
        drop(self.cell().replace(ThunkState::Blackhole));
    }

    /// Fills in a placeholder (or replaces a pending computation) with code to run.
    pub(crate) fn set_code(&self, chunk: Rc<Chunk>, env: Env) {
        drop(self.cell().replace(ThunkState::Code { chunk, env }));
        super::collect::register_thunk(self);
    }

    /// Fills in a placeholder with an application to make when it is forced.
    pub(crate) fn set_apply(&self, func: Value, arg: Value) {
        drop(self.cell().replace(ThunkState::Apply(Rc::new([func, arg]))));
        super::collect::register_thunk(self);
    }

    /// Records the thunk's value. A value that holds further values may refer back to the
    /// thunk (a fixpoint's set holding a thunk of `self.x`): such a thunk can start a reference
    /// cycle, and the cycle collector is told of it (see `collect`).
    #[inline]
    pub(crate) fn finish(&self, value: Value) {
        let may_cycle = value.holds_values();
        drop(self.cell().replace(ThunkState::Done(value)));
        if may_cycle {
            super::collect::register_thunk(self);
        }
    }

    /// Whether freeing the thunk would free more structure behind it.
    pub(super) fn holds_structure(&self) -> bool {
        // SAFETY: the reference ends with this expression; the check only reads counts.
        super::drop::state_holds_structure(unsafe { self.cell().peek() })
    }

    /// Whether this is the only reference to the thunk.
    pub(crate) fn is_unique(&self) -> bool {
        self.owners() == 1
    }

    pub(crate) fn ptr_eq(&self, other: &Thunk) -> bool {
        self.ptr_id() == other.ptr_id()
    }
}
