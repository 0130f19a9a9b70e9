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
use super::{Args, Env, Value};
use crate::errors::Error;
use std::cell::{RefCell, UnsafeCell};
use std::rc::Rc;

/// The error that thunks failed with: one cell for every thunk an error unwound through, which
/// the VM updates as the error gathers its trace, until it is caught.
pub(crate) type Failure = Rc<RefCell<Error>>;

/// What a thunk still has to do, or what it became. Each computation has a second variant
/// for while it runs (one flat enum: nested, the state would not fit the thunk's 40 bytes).
pub(crate) enum ThunkState {
    /// Run `chunk` in `env`.
    Code {
        chunk: Rc<Chunk>,
        env: Env,
    },
    /// Apply a function to an argument (lazy results of builtins such as `map`).
    Apply {
        func: Value,
        arg: Value,
    },
    /// Apply a function to several arguments (`mapAttrs`); behind an `Rc` to keep every thunk
    /// small.
    ApplyMany {
        func: Value,
        args: Rc<[Value]>,
    },
    /// These three are being evaluated right now; forcing them again is infinite recursion.
    ForcingCode {
        chunk: Rc<Chunk>,
        env: Env,
    },
    ForcingApply {
        func: Value,
        arg: Value,
    },
    ForcingApplyMany {
        func: Value,
        args: Rc<[Value]>,
    },
    /// A placeholder filled in later (the globals' `builtins` and `derivation`).
    Blackhole,
    /// Its evaluation failed with this error (memoised: forcing it again fails the same way).
    Failed(Failure),
    /// Evaluated, in weak head normal form.
    Done(Value),
}

/// What the VM needs to run a lazy application: clones of its parts (`Thunk::begin_apply`).
pub(crate) enum Work {
    Apply(Value, Value),
    ApplyMany(Value, Rc<[Value]>),
}

/// The shared cell; its destructor frees what the thunk holds without recursion.
///
/// The state sits in an `UnsafeCell` rather than a `RefCell` so that the cell keeps its 48
/// bytes with the cycle collector's mark beside the state (a `RefCell`'s borrow flag would
/// take the mark's place). What a `RefCell` would check at run time holds by construction
/// instead: every access is one of the methods below, none of which keeps a reference into
/// the state past its own body or calls out while it holds one (a replaced state is dropped
/// after the write, so no destructor runs while the cell is being written).
pub(crate) struct ThunkCell {
    state: UnsafeCell<ThunkState>,
    pub(super) mark: Mark,
}

impl ThunkCell {
    fn new(state: ThunkState) -> Self {
        ThunkCell {
            state: UnsafeCell::new(state),
            mark: Mark::default(),
        }
    }

    /// The state, to read.
    ///
    /// # Safety
    /// The reference must be gone before the cell is next written (`replace`); callers use it
    /// within one expression, or (the cycle collector) while nothing runs that writes thunks.
    #[inline]
    pub(super) unsafe fn peek(&self) -> &ThunkState {
        // SAFETY: writes happen only in `replace`, which the caller keeps away for as long as
        // the reference lives.
        unsafe { &*self.state.get() }
    }

    /// Puts `new` in and hands back the old state, for the caller to drop after the write.
    #[inline]
    pub(super) fn replace(&self, new: ThunkState) -> ThunkState {
        // SAFETY: no reference into the state is alive (see `peek`), and the swap calls no
        // code of ours: the old state is returned, not dropped here.
        unsafe { std::ptr::replace(self.state.get(), new) }
    }
}

impl Drop for ThunkCell {
    fn drop(&mut self) {
        match std::mem::replace(self.state.get_mut(), ThunkState::Blackhole) {
            ThunkState::Done(v) => super::drop::release(v),
            ThunkState::Code { env, .. } | ThunkState::ForcingCode { env, .. } => {
                super::drop::release_env(env)
            }
            ThunkState::Apply { func, arg } | ThunkState::ForcingApply { func, arg } => {
                super::drop::release(func);
                super::drop::release(arg);
            }
            ThunkState::ApplyMany { func, mut args }
            | ThunkState::ForcingApplyMany { func, mut args } => {
                super::drop::release(func);
                // Taken out one by one: dropped in place, a chain of such thunks (each an
                // argument of the next) would be freed by recursion.
                if let Some(args) = Rc::get_mut(&mut args) {
                    for v in args {
                        super::drop::release(std::mem::replace(v, Value::Null));
                    }
                }
            }
            ThunkState::Blackhole | ThunkState::Failed(_) => {}
        }
    }
}

/// A value that is evaluated when first needed, then remembers its value. Cloning it shares
/// it: forcing one clone evaluates them all.
#[derive(Clone)]
pub struct Thunk(pub(super) Rc<ThunkCell>);

impl Thunk {
    pub(crate) fn new(state: ThunkState) -> Self {
        Thunk(super::rc_new(|| ThunkCell::new(state)))
    }

    #[inline]
    pub(crate) fn code(chunk: Rc<Chunk>, env: Env) -> Self {
        Thunk(super::rc_new(|| {
            ThunkCell::new(ThunkState::Code { chunk, env })
        }))
    }

    pub(crate) fn apply(func: Value, args: Args) -> Self {
        let mut args = args.into_iter();
        Thunk::new(match (args.next(), args.next(), args.len()) {
            (Some(arg), None, _) => ThunkState::Apply { func, arg },
            // Two (`mapAttrs`): one allocation, the array made straight into shared storage.
            (Some(a), Some(b), 0) => ThunkState::ApplyMany {
                func,
                args: Rc::new([a, b]),
            },
            (a, b, _) => ThunkState::ApplyMany {
                func,
                args: a.into_iter().chain(b).chain(args).collect(),
            },
        })
    }

    /// The value if the thunk has been evaluated.
    #[inline]
    pub fn value(&self) -> Option<Value> {
        // SAFETY: the reference ends with this expression; cloning a value writes no thunk.
        match unsafe { self.0.peek() } {
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
            unsafe { self.0.peek() },
            ThunkState::ForcingCode { .. }
                | ThunkState::ForcingApply { .. }
                | ThunkState::ForcingApplyMany { .. }
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
        if !matches!(unsafe { self.0.peek() }, ThunkState::Code { .. }) {
            return None;
        }
        match self.0.replace(ThunkState::Blackhole) {
            ThunkState::Code { chunk, env } => {
                let work = (chunk.clone(), env.clone());
                self.0.replace(ThunkState::ForcingCode { chunk, env });
                Some(work)
            }
            other => {
                self.0.replace(other);
                None
            }
        }
    }

    /// The function of a lazy application of one argument not yet forced (C++ Nix's
    /// `Value::determinePos` places it there); `None` for any other state, and for the
    /// applications to several arguments `mapAttrs` makes (C++ Nix's have no position).
    pub(crate) fn pending_call(&self) -> Option<Value> {
        let state = self.0.replace(ThunkState::Blackhole);
        let func = match &state {
            ThunkState::Apply { func, .. } => Some(func.clone()),
            _ => None,
        };
        self.0.replace(state);
        func
    }

    /// Marks a pending lazy application as being forced and returns what to run. `None` for
    /// any other state: evaluated, being evaluated, or code (`begin_code`).
    #[inline]
    pub(crate) fn begin_apply(&self) -> Option<Work> {
        let (next, work) = match self.0.replace(ThunkState::Blackhole) {
            ThunkState::Apply { func, arg } => {
                let work = Work::Apply(func.clone(), arg.clone());
                (ThunkState::ForcingApply { func, arg }, Some(work))
            }
            ThunkState::ApplyMany { func, args } => {
                let work = Work::ApplyMany(func.clone(), args.clone());
                (ThunkState::ForcingApplyMany { func, args }, Some(work))
            }
            other => (other, None),
        };
        self.0.replace(next);
        work
    }

    /// The error the thunk's evaluation failed with, fresh (to gather a trace of its own), if
    /// it failed.
    pub(crate) fn failure(&self) -> Option<Error> {
        // SAFETY: the reference ends with this expression; cloning an error writes no thunk.
        match unsafe { self.0.peek() } {
            ThunkState::Failed(failure) => Some(failure.borrow().rethrown()),
            _ => None,
        }
    }

    /// Records that the evaluation of a thunk being forced failed (error unwinding).
    pub(crate) fn fail(&self, failure: Failure) {
        drop(self.0.replace(ThunkState::Failed(failure)));
    }

    /// Makes a thunk being forced pending again (unwinding after an interruption).
    pub(crate) fn abort(&self) {
        let next = match self.0.replace(ThunkState::Blackhole) {
            ThunkState::ForcingCode { chunk, env } => ThunkState::Code { chunk, env },
            ThunkState::ForcingApply { func, arg } => ThunkState::Apply { func, arg },
            ThunkState::ForcingApplyMany { func, args } => ThunkState::ApplyMany { func, args },
            other => other,
        };
        self.0.replace(next);
    }

    /// Drops what the thunk holds, evaluated or not, leaving a placeholder: how an evaluation
    /// that ends takes apart the cycles of its global scope (`EvalState`'s `Drop`).
    pub(crate) fn clear(&self) {
        drop(self.0.replace(ThunkState::Blackhole));
    }

    /// Fills in a placeholder (or replaces a pending computation) with code to run.
    pub(crate) fn set_code(&self, chunk: Rc<Chunk>, env: Env) {
        drop(self.0.replace(ThunkState::Code { chunk, env }));
        super::collect::register_thunk(&self.0);
    }

    /// Fills in a placeholder with an application to make when it is forced.
    pub(crate) fn set_apply(&self, func: Value, arg: Value) {
        drop(self.0.replace(ThunkState::Apply { func, arg }));
        super::collect::register_thunk(&self.0);
    }

    /// Records the thunk's value. A value that holds further values may refer back to the
    /// thunk (a fixpoint's set holding a thunk of `self.x`): such a thunk can start a reference
    /// cycle, and the cycle collector is told of it (see `collect`).
    #[inline]
    pub(crate) fn finish(&self, value: Value) {
        let may_cycle = value.holds_values();
        drop(self.0.replace(ThunkState::Done(value)));
        if may_cycle {
            super::collect::register_thunk(&self.0);
        }
    }

    /// Whether freeing the thunk would free more structure behind it.
    pub(super) fn holds_structure(&self) -> bool {
        // SAFETY: the reference ends with this expression; the check only reads counts.
        super::drop::state_holds_structure(unsafe { self.0.peek() })
    }

    /// Whether this is the only reference to the thunk.
    pub(crate) fn is_unique(&self) -> bool {
        Rc::strong_count(&self.0) == 1
    }

    pub(crate) fn ptr_id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    pub(crate) fn ptr_eq(&self, other: &Thunk) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thunk_is_one_small_allocation() {
        // Reference counts, the state and the collector's mark: every thunk costs 64 bytes.
        assert!(std::mem::size_of::<super::ThunkCell>() <= 48);
    }
}
