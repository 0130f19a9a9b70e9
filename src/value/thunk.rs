//! Thunks: suspended computations that are evaluated at most once.
//!
//! A thunk is a shared cell. While the VM evaluates it the cell holds a `Forcing...` state with
//! the suspended computation still inside, so forcing it again is detected as infinite
//! recursion, and an error unwinding through the VM's thunk-update frame turns it back into
//! the pending state (`Thunk::abort`): a thunk whose evaluation failed can be forced again (and fails again the same way), never a
//! stale blackhole. (Keeping the computation in the cell, rather than in the frame, makes the
//! frame one pointer: pushing it copies nothing.)

use super::code::Chunk;
use super::{Args, Env, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// What a thunk still has to do, or what it became. Each computation has a second variant
/// for while it runs (one flat enum: nested, the state would not fit the thunk's 40 bytes).
pub enum ThunkState {
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
    /// Evaluated, in weak head normal form.
    Done(Value),
}

/// What the VM needs to run a lazy application: clones of its parts (`Thunk::begin_apply`).
pub enum Work {
    Apply(Value, Value),
    ApplyMany(Value, Rc<[Value]>),
}

/// The shared cell; its destructor frees what the thunk holds without recursion.
pub struct ThunkCell(pub(super) RefCell<ThunkState>);

impl Drop for ThunkCell {
    fn drop(&mut self) {
        match std::mem::replace(self.0.get_mut(), ThunkState::Blackhole) {
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
            ThunkState::Blackhole => {}
        }
    }
}

#[derive(Clone)]
pub struct Thunk(pub(super) Rc<ThunkCell>);

impl Thunk {
    pub fn new(state: ThunkState) -> Self {
        Thunk(super::rc_new(|| ThunkCell(RefCell::new(state))))
    }

    #[inline]
    pub fn code(chunk: Rc<Chunk>, env: Env) -> Self {
        Thunk(super::rc_new(|| {
            ThunkCell(RefCell::new(ThunkState::Code { chunk, env }))
        }))
    }

    pub fn apply(func: Value, args: Args) -> Self {
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
        match &*self.0.0.borrow() {
            ThunkState::Done(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether forcing it now would be infinite recursion (it is being forced, or is a
    /// placeholder not yet filled in).
    pub fn is_blackhole(&self) -> bool {
        matches!(
            &*self.0.0.borrow(),
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
    pub fn begin_code(&self) -> Option<(Rc<Chunk>, Env)> {
        let mut state = self.0.0.borrow_mut();
        if !matches!(&*state, ThunkState::Code { .. }) {
            return None;
        }
        match std::mem::replace(&mut *state, ThunkState::Blackhole) {
            ThunkState::Code { chunk, env } => {
                let work = (chunk.clone(), env.clone());
                *state = ThunkState::ForcingCode { chunk, env };
                Some(work)
            }
            other => {
                *state = other;
                None
            }
        }
    }

    /// Marks a pending lazy application as being forced and returns what to run. `None` for
    /// any other state: evaluated, being evaluated, or code (`begin_code`).
    #[inline]
    pub fn begin_apply(&self) -> Option<Work> {
        let mut state = self.0.0.borrow_mut();
        let (next, work) = match std::mem::replace(&mut *state, ThunkState::Blackhole) {
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
        *state = next;
        work
    }

    /// Makes a thunk being forced pending again (error unwinding).
    pub fn abort(&self) {
        let mut state = self.0.0.borrow_mut();
        *state = match std::mem::replace(&mut *state, ThunkState::Blackhole) {
            ThunkState::ForcingCode { chunk, env } => ThunkState::Code { chunk, env },
            ThunkState::ForcingApply { func, arg } => ThunkState::Apply { func, arg },
            ThunkState::ForcingApplyMany { func, args } => ThunkState::ApplyMany { func, args },
            other => other,
        };
    }

    /// Drops what the thunk holds, evaluated or not, leaving a placeholder: how an evaluation
    /// that ends takes apart the cycles of its global scope (`EvalState`'s `Drop`).
    pub fn clear(&self) {
        let held = std::mem::replace(&mut *self.0.0.borrow_mut(), ThunkState::Blackhole);
        drop(held);
    }

    /// Fills in a placeholder (or replaces a pending computation) with code to run.
    pub fn set_code(&self, chunk: Rc<Chunk>, env: Env) {
        *self.0.0.borrow_mut() = ThunkState::Code { chunk, env };
        super::collect::register_thunk(&self.0);
    }

    /// Records the thunk's value. A value that holds further values may refer back to the
    /// thunk (a fixpoint's set holding a thunk of `self.x`): such a thunk can start a reference
    /// cycle, and the cycle collector is told of it (see `collect`).
    #[inline]
    pub fn finish(&self, value: Value) {
        let may_cycle = value.holds_values();
        *self.0.0.borrow_mut() = ThunkState::Done(value);
        if may_cycle {
            super::collect::register_thunk(&self.0);
        }
    }

    /// Whether freeing the thunk would free more structure behind it.
    pub(super) fn holds_structure(&self) -> bool {
        self.0
            .0
            .try_borrow()
            .map_or(true, |s| super::drop::state_holds_structure(&s))
    }

    /// Whether this is the only reference to the thunk.
    pub fn is_unique(&self) -> bool {
        Rc::strong_count(&self.0) == 1
    }

    pub fn ptr_id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    pub fn ptr_eq(&self, other: &Thunk) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thunk_is_one_small_allocation() {
        // Reference counts, the borrow flag and the state: every thunk costs 64 bytes.
        assert!(std::mem::size_of::<super::ThunkCell>() <= 48);
    }
}
