//! Memoised errors: a thunk whose evaluation fails keeps the error, as C++ Nix's thunks do
//! since 2.34, so forcing it again fails at once, without evaluating it again (a `trace` in
//! it prints once) and with the same message and trace.
//!
//! C++ Nix stores the exception being thrown in every thunk it unwinds through; the exception
//! goes on gathering trace lines until something catches it (`tryEval`, or the top level), and
//! forcing a failed thunk throws a copy of it as it was then, so the copy's own trace lines
//! never reach the stored one. Here an error is a value handed from frame to frame, so every
//! thunk an unwinding fails shares one cell (`value::thunk::Failure`), which is brought up to
//! date with the error each time the unwinding stops: at a generator that catches it
//! (`tryEval`, or one that adds a line and fails again, which goes on as the same unwinding)
//! or at the bottom of the run. The error carries the number of its unwinding
//! (`ErrorData::episode`) so that the cell follows it through those stops, and only it.
//!
//! Interruptions (budgets, cancellation, a host's panic) are not the code's failure: a thunk
//! they unwind through is made pending again, so a later run evaluates it afresh.

use crate::errors::{Error, ErrorClass};
use crate::value::{Failure, Thunk};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Unwinding numbers, unique in the process (a VM may run inside another's builtin, and an
/// error may cross from one to the other).
static EPISODES: AtomicU64 = AtomicU64::new(1);

/// The latest unwinding that failed thunks, with the cell they share.
#[derive(Default)]
pub(super) struct Failures {
    current: Option<(u64, Failure)>,
}

impl Failures {
    /// `err` unwinds through `thunk`, which was being forced: the thunk fails with it (or,
    /// for an interruption, is pending again).
    pub(super) fn fail(&mut self, thunk: &Thunk, err: &mut Error) {
        if err.is_interruption() || err.class == ErrorClass::HostPanic {
            thunk.abort();
            return;
        }
        let cell = match &self.current {
            Some((episode, cell)) if *episode == err.episode => cell.clone(),
            _ => {
                err.episode = EPISODES.fetch_add(1, Ordering::Relaxed);
                let cell = Rc::new(RefCell::new(err.clone()));
                self.current = Some((err.episode, cell.clone()));
                cell
            }
        };
        thunk.fail(cell);
    }

    /// `err` stops unwinding (caught by a generator, or at the bottom of the run): the thunks
    /// it failed keep it as it is now.
    pub(super) fn stop(&mut self, err: &Error) {
        if let Some((episode, cell)) = &self.current
            && *episode == err.episode
        {
            *cell.borrow_mut() = err.clone();
        }
    }
}
