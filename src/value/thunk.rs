//! Thunks: suspended computations that are evaluated at most once.
//!
//! A thunk is a shared cell. While the VM evaluates it the cell holds `Blackhole`; the suspended
//! computation meanwhile lives in the VM's thunk-update frame, which puts it back if an error
//! unwinds through that frame, so a thunk whose evaluation failed can be forced again (and fails
//! again the same way), never a stale blackhole.

use super::{Args, Env, Value};
use crate::compiler::Chunk;
use std::cell::RefCell;
use std::rc::Rc;

/// What a thunk still has to do, or what it became.
pub enum ThunkState {
    /// Run `chunk` in `env`.
    Code { chunk: Rc<Chunk>, env: Env },
    /// Apply a function to an argument (lazy results of builtins such as `map`).
    Apply { func: Value, arg: Value },
    /// Apply a function to several arguments (`mapAttrs`); behind an `Rc` to keep every thunk
    /// small, and shared with the frame that forces it.
    ApplyMany { func: Value, args: Rc<[Value]> },
    /// Being evaluated right now; forcing it again is infinite recursion.
    Blackhole,
    /// Evaluated, in weak head normal form.
    Done(Value),
}

/// The shared cell; its destructor frees what the thunk holds without recursion.
pub struct ThunkCell(RefCell<ThunkState>);

impl Drop for ThunkCell {
    fn drop(&mut self) {
        match std::mem::replace(self.0.get_mut(), ThunkState::Blackhole) {
            ThunkState::Done(v) => super::drop::release(v),
            ThunkState::Code { env, .. } => super::drop::release_env(env),
            ThunkState::Apply { func, arg } => {
                super::drop::release(func);
                super::drop::release(arg);
            }
            ThunkState::ApplyMany { func, mut args } => {
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
pub struct Thunk(Rc<ThunkCell>);

impl Thunk {
    pub fn new(state: ThunkState) -> Self {
        Thunk(Rc::new(ThunkCell(RefCell::new(state))))
    }

    pub fn code(chunk: Rc<Chunk>, env: Env) -> Self {
        Thunk::new(ThunkState::Code { chunk, env })
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

    pub fn is_blackhole(&self) -> bool {
        matches!(&*self.0.0.borrow(), ThunkState::Blackhole)
    }

    /// Takes the suspended computation out, leaving a blackhole. `None` if the thunk is already
    /// evaluated or being evaluated.
    #[inline]
    pub fn begin(&self) -> Option<ThunkState> {
        let mut state = self.0.0.borrow_mut();
        match &*state {
            ThunkState::Code { .. } | ThunkState::Apply { .. } | ThunkState::ApplyMany { .. } => {
                Some(std::mem::replace(&mut *state, ThunkState::Blackhole))
            }
            _ => None,
        }
    }

    /// Puts a suspended computation back (error unwinding).
    pub fn restore(&self, suspended: ThunkState) {
        *self.0.0.borrow_mut() = suspended;
    }

    #[inline]
    pub fn finish(&self, value: Value) {
        *self.0.0.borrow_mut() = ThunkState::Done(value);
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
