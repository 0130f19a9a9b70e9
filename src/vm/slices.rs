//! A run in slices: the host advances it a number of ops at a time, or awaits it as a future,
//! and a host builtin's outside work (`Request::Wait`) is waited for without blocking.
//!
//! Every bit of a run's state is data between two scheduler steps (the frame stack, the
//! operand stack, suspended generators), so stopping and going on later keeps no native stack:
//! the scheduler's next step is stored (`Suspended`) and taken up again by `advance`. A pause is
//! asked for at a checkpoint past `pause_at` (`pausing`) and taken where the dispatch loop next
//! hands a step to the scheduler, which it does at the next call or force; so a slice ends within
//! a checkpoint's distance of its ops, and the run computes exactly what an unbroken run would.
//! Outside work is polled with the waker of whoever drives the run; a run driven to the end
//! (`drive`) blocks on it instead.

use super::{Driver, Frame, Response, Step, Vm, host_panic};
use crate::errors::{Error, ErrorClass};
use crate::value::code::Chunk;
use crate::value::request::HostFuture;
use crate::value::{Env, Value};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// What a slice of a run came to.
pub enum Slice {
    /// The run finished.
    Done(Result<Value, Error>),
    /// The slice's ops are used up; `advance` goes on.
    Paused,
    /// A host builtin waits for outside work that is not ready; the waker of the `Context`
    /// it was polled with is woken when it is.
    Waiting,
}

/// Where a stepped run stopped.
pub(super) enum Suspended {
    /// The scheduler's next step.
    Step(Step),
    /// Outside work the generator on top waits for.
    Wait(HostFuture),
}

/// How often a run blocked on outside work looks for a cancellation or its deadline.
const WAIT_CHECK: Duration = Duration::from_millis(2);

impl Vm<'_> {
    /// Sets up a run of top-level code, to be advanced in slices.
    pub fn start_chunk(&mut self, chunk: Rc<Chunk>, env: Env) {
        let floor = self.frames.len();
        self.push_code(chunk, env, 0);
        self.suspended = Some((floor, Suspended::Step(Step::Run)));
    }

    /// Sets up a run of a generator, to be advanced in slices.
    pub fn start_generator(&mut self, name: &'static str, generator: super::BuiltinGen) {
        let floor = self.frames.len();
        self.push_gen(name, None, generator, 0);
        let start = Step::Resume(Response::Start);
        self.suspended = Some((floor, Suspended::Step(start)));
    }

    /// Runs the run set up by `start_*` on: about `ops` more ops (`None`: to the end), or until
    /// it waits for outside work that `cx`'s waker will announce. The recursive baseline
    /// driver nests runs on the native stack and cannot pause: it runs to the end.
    pub fn advance(&mut self, ops: Option<u64>, cx: &mut Context<'_>) -> Slice {
        let Some((floor, suspended)) = self.suspended.take() else {
            return Slice::Done(Err(Error::new("this run has already finished")));
        };
        self.pausing = false;
        self.pause_at = match (ops, self.driver) {
            (Some(n), Driver::Generator) => self.stats.ops.saturating_add(n.max(1)),
            _ => u64::MAX,
        };
        self.next_check = self.next_check.min(self.pause_at);
        self.next_turn = self.next_turn.min(self.pause_at);
        let step = match suspended {
            Suspended::Step(step) => step,
            Suspended::Wait(work) => match self.stop_requested() {
                Some(e) => Step::Unwind(e),
                None => match self.poll_work(work, cx) {
                    Ok(step) => step,
                    Err(work) => {
                        self.suspended = Some((floor, Suspended::Wait(work)));
                        return Slice::Waiting;
                    }
                },
            },
        };
        self.run_slice(floor, step, Some(cx))
    }

    /// The sources of the evaluation the run belongs to (for locating its errors).
    pub fn sources(&self) -> &crate::errors::SourceMap {
        self.host.sources()
    }

    /// Ends a run the host drops unfinished: unwinds its frames, so every thunk it was forcing
    /// is unevaluated again and forceable later, as after a cancellation.
    pub fn abandon(&mut self) {
        let Some((floor, _)) = self.suspended.take() else {
            return;
        };
        let e = Error::new("evaluation abandoned").with_class(ErrorClass::Cancelled);
        if self.unwind(e, floor).is_ok() {
            unreachable!("an uncatchable error was caught while abandoning a run");
        }
    }

    /// The scheduler loop: runs until the frame stack is back down to `floor`, or, in a
    /// stepped run (`cx` given), until it pauses or waits for outside work.
    pub(super) fn run_slice(
        &mut self,
        floor: usize,
        mut step: Step,
        mut cx: Option<&mut Context<'_>>,
    ) -> Slice {
        loop {
            if self.pausing {
                self.suspended = Some((floor, Suspended::Step(step)));
                return Slice::Paused;
            }
            step = match step {
                Step::Run => self.execute(floor),
                Step::Return(v) => {
                    if self.frames.len() <= floor {
                        return Slice::Done(Ok(v));
                    }
                    self.deliver(v)
                }
                Step::Resume(r) => self.resume(r),
                Step::Unwind(e) => match self.unwind(e, floor) {
                    Ok(step) => step,
                    Err(e) => return Slice::Done(Err(e)),
                },
                Step::Wait(work) => match cx.as_deref_mut() {
                    None => self.block_on(work),
                    Some(cx) => match self.poll_work(work, cx) {
                        Ok(step) => step,
                        Err(work) => {
                            self.suspended = Some((floor, Suspended::Wait(work)));
                            return Slice::Waiting;
                        }
                    },
                },
            }
        }
    }

    /// Polls outside work once: the step that hands its result to the generator waiting for
    /// it, or the work back if it is not ready. A panic in the host's future becomes an error
    /// of class `HostPanic`, as one in a host builtin's body does.
    fn poll_work(&self, mut work: HostFuture, cx: &mut Context<'_>) -> Result<Step, HostFuture> {
        let answer = match catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx))) {
            Ok(Poll::Pending) => return Err(work),
            Ok(Poll::Ready(Ok(v))) => Response::Value(v),
            Ok(Poll::Ready(Err(e))) => Response::Error(e),
            Err(payload) => {
                let name = match self.frames.last() {
                    Some(Frame::Gen(g)) => g.name,
                    _ => "wait",
                };
                Response::Error(host_panic(name, payload))
            }
        };
        Ok(Step::Resume(answer))
    }

    /// Waits on this thread for outside work (a run driven to the end), looking for a
    /// cancellation or the deadline every `WAIT_CHECK`.
    pub(super) fn block_on(&mut self, mut work: HostFuture) -> Step {
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Some(e) = self.stop_requested() {
                return Step::Unwind(e);
            }
            match self.poll_work(work, &mut cx) {
                Ok(step) => return step,
                Err(pending) => work = pending,
            }
            std::thread::park_timeout(WAIT_CHECK);
        }
    }
}

/// Wakes the thread blocked on outside work.
struct Unpark(std::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}
