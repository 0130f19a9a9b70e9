//! A run the host drives itself: stepped a number of ops at a time, or awaited as a future in
//! the host's executor, while host builtins wait for outside work without blocking a thread.
//!
//! `Evaluator::eval_expr` and its siblings run to the end before they return. A host that
//! serves many users on one thread, shows progress, or answers a builtin's question over the
//! network wants to hold a run between two of its own steps instead. In gnix that costs
//! nothing: between two scheduler steps all of a run's state is data on the frame stack, so
//! a `Run` keeps the VM with its frames and takes it up again (`vm::Vm::advance`). Stepping
//! changes when the work is done, never what it computes: a run stepped in slices gives the
//! same value as one run. A `Run` dropped before it finished unwinds its frames, so the thunks
//! it was forcing are forceable again.

use crate::errors::Error;
use crate::eval::{CancelHandle, Evaluator};
use crate::value::{Env, Value};
use crate::vm::{self, Slice, Stats, Vm};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Ops a run awaited as a future computes before it lets the executor run other tasks.
const ASYNC_SLICE: u64 = 1 << 16;

/// How often `Run::finish` looks for a cancellation while outside work is not ready.
const WAIT_CHECK: std::time::Duration = std::time::Duration::from_millis(2);

/// An evaluation under way, made by `Evaluator::start_expr` and its siblings; it borrows the
/// evaluator until it is finished or dropped.
///
/// ```
/// use gnix::run::Progress;
/// use gnix::{Evaluator, Settings};
/// use std::path::Path;
///
/// let mut ev = Evaluator::new(Settings::default());
/// let mut run = ev
///     .start_expr("builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 100000)", Path::new("/"))
///     .unwrap();
/// let mut slices = 0;
/// let value = loop {
///     match run.step(1000) {
///         Progress::Done(result) => break result.unwrap(),
///         Progress::Paused => slices += 1, // the host does other work here
///         Progress::Waiting => unreachable!("no host builtin waits for outside work here"),
///     }
/// };
/// drop(run);
/// assert!(slices > 50);
/// assert_eq!(ev.as_int(&value).unwrap(), 4999950000);
/// ```
pub struct Run<'e> {
    vm: Vm<'e>,
    stats: &'e mut Stats,
    cancel: CancelHandle,
}

/// How far a step took a run.
pub enum Progress {
    /// The run finished with this value (in weak head normal form) or error. Stepping again
    /// gives an error.
    Done(Result<Value, Error>),
    /// The step's ops are used up; the next step goes on.
    Paused,
    /// A host builtin waits for outside work that is not ready (`vm::request::wait`); the
    /// next step polls it again.
    Waiting,
}

impl Run<'_> {
    /// Runs about `ops` more ops (a pause comes at the first call or force after them) and
    /// says how far the run got. Outside work is polled without a waker: a host that wants to
    /// be woken when it is ready awaits the run instead.
    pub fn step(&mut self, ops: u64) -> Progress {
        let mut cx = Context::from_waker(Waker::noop());
        match self.vm.advance(Some(ops), &mut cx) {
            Slice::Done(r) => Progress::Done(self.located(r)),
            Slice::Paused => Progress::Paused,
            Slice::Waiting => Progress::Waiting,
        }
    }

    /// Runs to the end on this thread, blocking while outside work is not ready.
    pub fn finish(mut self) -> Result<Value, Error> {
        let waker = Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            match self.vm.advance(None, &mut cx) {
                Slice::Done(r) => return self.located(r),
                Slice::Paused => {}
                Slice::Waiting => std::thread::park_timeout(WAIT_CHECK),
            }
        }
    }

    /// An error leaving the run takes its positions with it (`Error::locate`).
    fn located(&self, r: Result<Value, Error>) -> Result<Value, Error> {
        r.map_err(|mut e| {
            e.locate(self.vm.sources());
            e
        })
    }
}

/// A run awaited in the host's executor computes `ASYNC_SLICE` ops per poll, then yields to
/// other tasks; while outside work is not ready it is woken by that work, or by a cancellation.
impl Future for Run<'_> {
    type Output = Result<Value, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let run = self.get_mut();
        match run.vm.advance(Some(ASYNC_SLICE), cx) {
            Slice::Done(r) => Poll::Ready(run.located(r)),
            Slice::Paused => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Slice::Waiting => {
                run.cancel.wake_on_cancel(cx.waker());
                Poll::Pending
            }
        }
    }
}

impl Drop for Run<'_> {
    /// An unfinished run is unwound (its thunks forceable again); its counters join the
    /// evaluator's.
    fn drop(&mut self) {
        self.vm.abandon();
        self.stats.add(&self.vm.stats);
    }
}

/// Wakes the thread `Run::finish` runs on.
struct Unpark(std::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

impl Evaluator {
    /// Starts evaluating an expression (to weak head normal form), to be stepped or awaited;
    /// a syntax error is reported now. Relative paths resolve against `dir`.
    pub fn start_expr(&mut self, text: &str, dir: &Path) -> Result<Run<'_>, Error> {
        let chunk = self
            .state
            .compile(text, None, "«string»", dir)
            .map_err(|mut e| {
                e.locate(&self.state.sources);
                e
            })?;
        let mut run = self.run_parts();
        run.vm.start_chunk(chunk, Env::new(None, 0));
        Ok(run)
    }

    /// Starts evaluating `v` to weak head normal form.
    pub fn start_force(&mut self, v: Value) -> Run<'_> {
        let g =
            vm::request::generator(move |co| async move { Ok(vm::request::force(&co, v).await) });
        self.start_generator("force", g)
    }

    /// Starts forcing `v` and everything inside it.
    pub fn start_deep_force(&mut self, v: Value) -> Run<'_> {
        let g = vm::request::generator(move |co| async move { vm::walk::deep_force(&co, v).await });
        self.start_generator("deepSeq", g)
    }

    /// Starts applying `f` to each of `args` in turn.
    pub fn start_call(&mut self, f: Value, args: Vec<Value>) -> Run<'_> {
        let g = vm::request::generator(move |co| async move {
            Ok(vm::request::call_many(&co, f, args).await)
        });
        self.start_generator("call", g)
    }

    fn start_generator(&mut self, name: &'static str, g: vm::BuiltinGen) -> Run<'_> {
        let mut run = self.run_parts();
        run.vm.start_generator(name, g);
        run
    }

    fn run_parts(&mut self) -> Run<'_> {
        let cancel = self.cancel_handle();
        Run {
            vm: Vm::new(&mut self.state),
            stats: &mut self.stats,
            cancel,
        }
    }
}
