//! The recursive baseline driver: the same frames, code, values and builtins, but every force
//! and call is answered by a nested run of the scheduler loop on the native stack, as
//! evaluators before gnix's design did. It exists to be measured against (`benches/`), and
//! guards its native stack so that running out of it is an error, not a crash.

use super::{Request, Response, Step, Vm};
use crate::errors::{Error, Span};
use crate::value::{Thunk, Value};

/// What the dispatch loop hands the recursive driver where the generator VM would push frames.
pub(super) enum Nested {
    Force(Thunk),
    Call(Value, Value),
    Call2(Value, Value, Value),
}

/// Native stack kept free below a nested run: more than one run of `execute` and its callees
/// needs, so the guard fires before the guard page does.
const STACK_RED_ZONE: usize = 256 * 1024;

impl Vm<'_> {
    /// Runs `start` and the frames it pushes to completion in a nested scheduler loop.
    pub(super) fn nested(&mut self, start: impl FnOnce(&mut Self) -> Step) -> Result<Value, Error> {
        if stacker::remaining_stack().is_some_and(|left| left < STACK_RED_ZONE) {
            return Err(Error::new(
                "stack overflow; the recursive driver ran out of native stack",
            ));
        }
        let floor = self.frames.len();
        let step = start(self);
        self.drive(floor, step)
    }

    /// Forces or calls in a nested run, for the dispatch loop (out of line: the generator VM
    /// never comes here, and the loop stays small).
    #[inline(never)]
    pub(super) fn answer_nested(
        &mut self,
        what: Nested,
        span: Option<Span>,
    ) -> Result<Value, Error> {
        self.nested(|vm| match what {
            Nested::Force(t) => vm.force_thunk(t, span),
            Nested::Call(f, arg) => vm.call(f, arg, span),
            Nested::Call2(f, a, b) => vm.call2(f, a, b, span),
        })
    }

    /// Answers one generator request in a nested run; `Err` is the step to take instead of
    /// resuming (the error unwinds the generator).
    pub(super) fn answer_recursively(&mut self, req: Request) -> Result<Response, Step> {
        let catching = match req {
            Request::TryForce(_, catch) => Some(catch),
            Request::TryCallAt(..) => Some(super::request::Catch::Any),
            _ => None,
        };
        let floor = self.frames.len();
        let mut step = self.request(req);
        if let Step::Wait(work) = step {
            step = self.block_on(work);
        }
        // An error unwinds the frames the request pushed (a thunk whose call failed at once)
        // before the generator may take it.
        let result = match step {
            Step::Resume(r) => return Ok(r),
            step => self.drive(floor, step),
        };
        match result {
            Ok(v) => Ok(Response::Value(v)),
            Err(e) if catching.is_some_and(|c| c.takes(&e)) => Ok(Response::Error(e)),
            Err(e) => Err(Step::Unwind(e)),
        }
    }
}
