//! The generator VM: one frame stack, one scheduler loop, no recursion on the Rust stack.
//!
//! Frames are bytecode frames (a lambda body, a thunk body, a file), thunk-update frames (a
//! thunk being forced: it is a blackhole until the frame above it returns) and generator frames
//! (a builtin or another suspendable computation waiting for the answer to a `Request`). The
//! scheduler (`drive`) moves values between them: a finished frame's value is delivered to the
//! frame below it, an error unwinds frames until a `tryEval` generator catches it. See
//! `design/vm.md`.

mod failures;
mod frames;
pub(crate) mod host;
mod loops;
pub(crate) mod ops;
pub(crate) mod profile;
mod recursive;
pub mod request;
mod run;
mod slices;
mod stack;
mod trace;
use stack::PushWith;
pub(crate) mod speculate;
pub(crate) mod walk;

use crate::value::takes_two;
pub use request::{BuiltinGen, Co};
pub(crate) use request::{Request, Response};
pub(crate) use slices::Slice;

use crate::errors::{Error, Span, TraceLine};
use crate::settings::Driver;
use crate::value::code::Chunk;
use crate::value::{Attrs, Body, Builtin, Closure, Lambda, Ret, sym};
use crate::value::{Env, Thunk, Value, Work};
use frames::{ArgsFrame, BuiltinArgs, CodeFrame, Frame, GenFrame};
use genawaiter::GeneratorState;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the scheduler does next.
enum Step {
    /// Run the bytecode frame on top.
    Run,
    /// Deliver a value to the frame on top.
    Return(Value),
    /// Resume the generator on top.
    Resume(Response),
    /// Unwind with an error.
    Unwind(Error),
    /// Wait for the host's outside work, then resume the generator on top with its result.
    Wait(request::HostFuture),
}

/// What an evaluation has done so far (`Evaluator::stats`, `gnix eval --stats`): counters
/// summed over its runs.
#[derive(Default, Clone, Debug)]
pub struct Stats {
    /// Bytecode operations executed.
    pub ops: u64,
    /// Thunks made by bytecode (`nrThunks` in C++ Nix's statistics).
    pub thunks_created: u64,
    /// Thunks evaluated (`nrThunksForced`): the forces that ran code, not those that found a
    /// value).
    pub thunks_forced: u64,
    /// Applications of functions and builtins (`nrFunctionCalls`).
    pub calls: u64,
    /// Builtin calls that ran as generators (the rest took a fast path).
    pub builtin_generators: u64,
    /// Frames pushed on the frame stack (bytecode, thunk and generator frames).
    pub frames_pushed: u64,
    /// Times a suspended generator was resumed with an answer.
    pub generator_resumes: u64,
    /// The deepest the frame stack grew.
    pub max_frames: u64,
}

impl Stats {
    /// Adds the counters of another run.
    pub(crate) fn add(&mut self, other: &Stats) {
        self.ops += other.ops;
        self.thunks_created += other.thunks_created;
        self.builtin_generators += other.builtin_generators;
        self.thunks_forced += other.thunks_forced;
        self.calls += other.calls;
        self.frames_pushed += other.frames_pushed;
        self.generator_resumes += other.generator_resumes;
        self.max_frames = self.max_frames.max(other.max_frames);
    }
}

/// Operations between two checkpoints (`Vm::checkpoint`) when no step limit comes sooner:
/// none when the collector is eager (`collect::set_eager`) or the profiler samples every
/// checkpoint, for tests.
fn check_every(profiling: Option<std::time::Duration>) -> u64 {
    match (crate::value::collect::is_eager(), profiling) {
        (true, _) => 0,
        (false, Some(period)) if period.is_zero() => 0,
        (false, _) => 1 << 14,
    }
}

/// The generator VM: one frame stack and one scheduler loop (`run.rs`), running in an
/// evaluation (`host::Host`).
pub(crate) struct Vm<'s> {
    frames: Vec<Frame>,
    stack: Vec<Value>,
    /// Logical call depth, counted where C++ Nix counts it: the `calls` of every frame on the
    /// stack (and the depth generators declare), plus `tail`.
    call_depth: u32,
    /// Calls of frames a tail call removed, not yet handed to the frame that continues them
    /// (`count_call`, `continue_calls`).
    tail: u32,
    /// `Settings::max_steps` as a bound on `stats.ops` (`u64::MAX` for none).
    step_limit: u64,
    /// The `stats.ops` past which `checkpoint` runs next (at most `step_limit`).
    next_check: u64,
    /// The `stats.ops` from which `checkpoint` does its whole turn (the limits, the
    /// collector): `next_check` itself, except while profiling, when `next_check` stays
    /// behind so that every call, force and resumption comes to `checkpoint` for a sample.
    next_turn: u64,
    /// When this run must stop (`Settings::max_time`), checked at checkpoints.
    deadline: Option<std::time::Instant>,
    /// How far this run may grow the heap (`Settings::max_memory`), checked at checkpoints
    /// and by builtins before they make a large value; lifted when the run ends.
    _budget: crate::allocator::Budget,
    /// Set from another thread to stop this run (`eval::CancelHandle`).
    cancel: Arc<AtomicBool>,
    pub max_call_depth: u32,
    /// The evaluation this VM runs in (`host::Host`).
    host: &'s mut dyn host::Host,
    pub stats: Stats,
    driver: Driver,
    /// The `stats.ops` at which a stepped run pauses (`u64::MAX`: never; `slices`).
    pause_at: u64,
    /// Set at a checkpoint past `pause_at`: the run pauses where it next reaches the scheduler.
    pausing: bool,
    /// Where a stepped run stopped: the scheduler's next step and its floor.
    suspended: Option<(usize, slices::Suspended)>,
    /// The thunks the latest error failed, and the error they keep (`failures`).
    failures: failures::Failures,
    /// The profiler's sampling period, while it samples (`Settings::profile_period`).
    profiling: Option<std::time::Duration>,
}

impl<'s> Vm<'s> {
    pub fn new(host: &'s mut dyn host::Host) -> Self {
        let max_call_depth = host.settings().max_call_depth;
        let driver = host.settings().driver;
        let step_limit = match host.settings().max_steps {
            0 => u64::MAX,
            n => n,
        };
        let cancel = host.cancel_flag().clone();
        let deadline = host
            .settings()
            .max_time
            .map(|t| std::time::Instant::now() + t);
        let budget = crate::allocator::Budget::new(host.settings().max_memory);
        let profiling = host.settings().profile_period;
        Vm {
            _budget: budget,
            frames: Vec::new(),
            stack: Vec::new(),
            call_depth: 0,
            tail: 0,
            step_limit,
            // The first checkpoint comes at once: a host may make many short runs, and
            // the collector's turn must come in each (`value::collect::checkpoint`).
            next_check: 0,
            next_turn: 0,
            deadline,
            cancel,
            max_call_depth,
            host,
            stats: Stats::default(),
            driver,
            pause_at: u64::MAX,
            pausing: false,
            suspended: None,
            failures: failures::Failures::default(),
            profiling,
        }
    }

    /// Runs compiled top-level code to a value in weak head normal form.
    pub fn run_chunk(&mut self, chunk: Rc<Chunk>, env: Env) -> Result<Value, Error> {
        let floor = self.frames.len();
        self.push_code(chunk, env, 0);
        self.drive(floor, Step::Run)
    }

    /// Evaluates `v` to weak head normal form.
    pub fn force(&mut self, v: Value) -> Result<Value, Error> {
        self.run_generator(
            "force",
            None,
            request::generator(move |co| async move { Ok(request::force(&co, v).await) }),
        )
    }

    /// Runs a generator to completion on this VM.
    pub fn run_generator(
        &mut self,
        name: &'static str,
        span: Option<Span>,
        generator: BuiltinGen,
    ) -> Result<Value, Error> {
        let floor = self.frames.len();
        self.push_gen(name, span, generator, 0);
        self.drive(floor, Step::Resume(Response::Start))
    }

    #[inline(always)]
    fn push_code(&mut self, chunk: Rc<Chunk>, env: Env, calls: u32) {
        self.stats.frames_pushed += 1;
        let base = self.stack.len();
        self.frames.push_with(|| {
            Frame::Code(CodeFrame {
                chunk,
                ip: 0,
                env,
                base,
                calls,
                site: Span::UNKNOWN,
            })
        });
        self.stats.max_frames = self.stats.max_frames.max(self.frames.len() as u64);
    }

    /// A tail call from code replaced the caller's frame, where a trace finds a call site
    /// (`from call site`): the lambda frame it pushed, if any, keeps it instead (unless the
    /// call gave it one already: a functor's lambdas are called from `__functor`).
    #[inline(never)]
    fn tail_called(&mut self, step: Step, site: Option<Span>) -> Step {
        // Only a lambda's frame pushed by this very call: not one a loop frame's first call
        // pushed above it (builtins' calls have no site).
        if let (
            Step::Run,
            [Frame::Code(f)] | [.., Frame::Code(_) | Frame::Thunk(_), Frame::Code(f)],
            Some(site),
        ) = (&step, self.frames.as_mut_slice(), site)
            && f.ip == 0
            && f.calls > 0
            && f.site == Span::UNKNOWN
        {
            f.site = site;
        }
        step
    }

    fn push_gen(
        &mut self,
        name: &'static str,
        span: Option<Span>,
        generator: BuiltinGen,
        calls: u32,
    ) {
        self.stats.frames_pushed += 1;
        self.frames.push(Frame::Gen(GenFrame {
            coroutine: generator,
            name,
            span,
            catching: None,
            host: false,
            call_trace: true,
            calls,
            depth: 0,
        }));
    }

    /// The scheduler loop, run to the end: until the frame stack is back down to `floor`.
    /// The host's outside work is waited for on the spot (`slices::block_on`).
    fn drive(&mut self, floor: usize, step: Step) -> Result<Value, Error> {
        match self.run_slice(floor, step, None) {
            Slice::Done(r) => r,
            Slice::Paused | Slice::Waiting => {
                unreachable!("a run driven to the end paused: only a stepped run sets a pause")
            }
        }
    }

    /// Hands a finished frame's value to the frame now on top.
    fn deliver(&mut self, v: Value) -> Step {
        match self.frames.last_mut() {
            Some(Frame::Code(_)) => {
                self.stack.push(v);
                Step::Run
            }
            Some(Frame::Thunk(_)) => {
                if let Some(Frame::Thunk(t)) = self.frames.pop() {
                    t.thunk.finish(v.clone());
                }
                Step::Return(v)
            }
            Some(Frame::Gen(_)) => Step::Resume(Response::Value(v)),
            Some(Frame::Loop(_)) => self.loop_deliver(v),
            Some(Frame::Apply(_)) => {
                let Some(Frame::Apply(a)) = self.frames.pop() else {
                    return Step::Unwind(Error::new("internal error: apply frame vanished"));
                };
                let step = self.call(v, a.arg, a.span);
                self.site_of_call(step, a.span)
            }
            Some(Frame::Functor(_)) => {
                self.frames.pop();
                Step::Return(v)
            }
            Some(Frame::Args(_)) => {
                let Some(Frame::Args(mut f)) = self.frames.pop() else {
                    return Step::Unwind(Error::new("internal error: argument frame vanished"));
                };
                if let Some(slot) = f.slot {
                    f.args[slot] = v;
                }
                // The builtin's own call is counted again if it pushes a frame; the calls the
                // argument frame inherited go on to that frame.
                self.call_depth -= 1;
                let f = *f;
                self.continue_calls(f.calls - 1, |vm| vm.call_builtin(f.builtin, f.args, f.span))
            }
            None => Step::Return(v),
        }
    }

    /// Resumes the generator on top with `r` and acts on what it yields.
    fn resume(&mut self, mut r: Response) -> Step {
        loop {
            if let Some(e) = self.interrupted() {
                return Step::Unwind(e);
            }
            if self.pausing {
                return Step::Resume(r);
            }
            self.stats.generator_resumes += 1;
            let Some(Frame::Gen(g)) = self.frames.last_mut() else {
                return Step::Unwind(Error::new("internal error: no generator to resume"));
            };
            g.catching = None;
            let state = match g.host {
                false => g.coroutine.0.resume_with(r),
                true => {
                    let name = g.name;
                    let resumed = catch_unwind(AssertUnwindSafe(|| g.coroutine.0.resume_with(r)));
                    match resumed {
                        Ok(state) => state,
                        Err(payload) => return self.generator_done(Err(host_panic(name, payload))),
                    }
                }
            };
            let req = match state {
                GeneratorState::Yielded(req) => req,
                GeneratorState::Complete(result) => return self.generator_done(result),
            };
            if self.driver == Driver::Generator {
                // An answer available at once goes straight back to the generator (as the
                // scheduler would do next), without a trip through the scheduler loop.
                match self.request(req) {
                    Step::Resume(next) => r = next,
                    Step::Return(v) if matches!(self.frames.last(), Some(Frame::Gen(_))) => {
                        r = Response::Value(v)
                    }
                    step => return step,
                }
                continue;
            }
            match self.answer_recursively(req) {
                Ok(next) => r = next,
                Err(step) => return step,
            }
        }
    }

    /// Pops a finished generator and hands on its result.
    fn generator_done(&mut self, result: Result<Value, Error>) -> Step {
        let Some(Frame::Gen(g)) = self.frames.pop() else {
            return Step::Unwind(Error::new("internal error: generator frame vanished"));
        };
        self.call_depth -= g.depth + g.calls;
        match result {
            Ok(Value::Thunk(t)) => self.force_thunk(t, g.span),
            Ok(v) => Step::Return(v),
            Err(mut e) => {
                // An error a builtin raises has no position of its own: the call's trace
                // line shows where it was (as in C++ Nix); an operation's has the op's.
                // One whose trace already says where it is (`assert a == b`) keeps none.
                if g.calls > 0 {
                    if g.call_trace {
                        e.add_trace(g.span, builtin_trace(g.name));
                    }
                    Step::Unwind(e)
                } else if e.trace.is_empty() {
                    Step::Unwind(at(e, g.span))
                } else {
                    Step::Unwind(e)
                }
            }
        }
    }

    fn gen_span(&self) -> Option<Span> {
        self.frames.iter().rev().find_map(|f| match f {
            Frame::Gen(g) => g.span,
            Frame::Code(c) => Some(c.current_span()),
            Frame::Thunk(_) => None,
            Frame::Args(a) => a.span,
            Frame::Loop(l) => l.span,
            Frame::Apply(a) => a.span,
            Frame::Functor(_) => None,
        })
    }

    /// Acts on a generator's request.
    fn request(&mut self, req: Request) -> Step {
        let span = self.gen_span();
        match req {
            Request::Force(v) => self.force_value(v, span),
            Request::TryForce(v, catch) => {
                if let Some(Frame::Gen(g)) = self.frames.last_mut() {
                    g.catching = Some(catch);
                }
                self.force_value(v, span)
            }
            // A builtin's calls have no position (C++ Nix's `callFunction(..., noPos)`); those
            // of a lazy call being made (`apply_lazy`) are made where it is forced.
            Request::Call(f, arg) => match self.frames.last() {
                Some(Frame::Gen(g)) if g.name == "apply" => {
                    let site = g.span;
                    let step = self.call(f, arg, site);
                    self.site_of_call(step, site)
                }
                _ => self.call(f, arg, None),
            },
            Request::Call2(f, a, b) => self.call2(f, a, b, None),
            Request::TryCallAt(call) => {
                let (f, arg, at) = *call;
                let at = (at != Span::UNKNOWN).then_some(at);
                if let Some(Frame::Gen(g)) = self.frames.last_mut() {
                    g.catching = Some(request::Catch::Any);
                }
                let step = self.call(f, arg, at);
                match at {
                    Some(_) => self.site_of_call(step, at),
                    None => step,
                }
            }
            Request::Import(path, scope) => match self.host.import(&path, scope) {
                Ok(v) => self.force_value(v, span),
                Err(e) => Step::Unwind(e),
            },
            Request::Depth(d) | Request::TryDepth(d) => {
                let caught = matches!(req, Request::TryDepth(_));
                if let Some(Frame::Gen(g)) = self.frames.last_mut() {
                    self.call_depth = self.call_depth - g.depth + d;
                    g.depth = d;
                }
                match self.check_depth() {
                    Some(e) if caught => Step::Resume(Response::Error(e)),
                    Some(e) => Step::Unwind(at(e, span)),
                    None => Step::Resume(Response::Done),
                }
            }
            Request::Position(span) => Step::Resume(Response::Value(self.position_value(span))),
            Request::Io(req) => Step::Resume(Response::Io(Box::new(self.host.io(req)))),
            Request::Store(req) => match self.host.store(*req) {
                Ok(answer) => Step::Resume(Response::Store(Box::new(answer))),
                Err(e) => Step::Unwind(e),
            },
            Request::RegisterDerivation(drv) => {
                let (path, known) = *drv;
                self.host.register_derivation(path, known);
                Step::Resume(Response::Done)
            }
            Request::LookupDerivation(path) => {
                let known = self.host.lookup_derivation(&path);
                Step::Resume(Response::Derivation(known.map(Box::new)))
            }
            Request::Flag(flag) => {
                let on = match flag {
                    request::Flag::TraceVerbose => self.host.settings().trace_verbose,
                    request::Flag::AbortOnWarn => self.host.settings().abort_on_warn,
                    request::Flag::TomlTimestamps => {
                        self.host.settings().feature("parse-toml-timestamps")
                    }
                    request::Flag::Pure => self.host.settings().pure,
                };
                Step::Resume(Response::Value(Value::bool(on)))
            }
            Request::StoreDir => {
                let dir = Value::string(self.host.settings().store_dir.as_str());
                Step::Resume(Response::Value(dir))
            }
            Request::Trace(line) => {
                self.host.trace(&line);
                Step::Resume(Response::Done)
            }
            Request::Warn {
                message,
                at,
                context,
            } => {
                let sources = self.host.sources();
                let line = crate::errors::render_warning_in(&message, at, &context, sources);
                self.host.trace(line.trim_end());
                Step::Resume(Response::Done)
            }
            Request::Wait(work) => Step::Wait(work),
        }
    }

    /// `{ column; file; line; }` for a span.
    fn position_value(&self, span: Span) -> Value {
        let sources = self.host.sources();
        let (line, column) = sources.line_col(span).unwrap_or((0, 0));
        let file = Value::string(sources.origin(span.file));
        Value::attrs(crate::value::Attrs::from_sorted(vec![
            ("column".into(), Value::Int(column as i64)),
            ("file".into(), file),
            ("line".into(), Value::Int(line as i64)),
        ]))
    }

    /// Whether one more logical call stays within max-call-depth (speculated calls make none
    /// of their own, so they are only tried where a real one would be allowed).
    fn one_more_call_fits(&self) -> bool {
        self.max_call_depth == 0 || self.call_depth < self.max_call_depth
    }

    /// Counts the call a frame being pushed stands for, and hands it the calls a tail call left
    /// pending (`tail`): what the frame's `calls` field must hold. Past max-call-depth, an
    /// error (and nothing counted). Frames are the only place call depth changes: this when
    /// one standing for a call is pushed, its `calls` when it is popped.
    #[inline(always)]
    fn count_call(&mut self) -> Result<u32, Error> {
        if let Some(e) = self.interrupted() {
            return Err(e);
        }
        self.call_depth += 1;
        if let Some(e) = self.check_depth() {
            self.call_depth -= 1;
            return Err(e);
        }
        Ok(1 + std::mem::take(&mut self.tail))
    }

    /// Whether the host wants this run stopped: out of steps, or cancelled. Checked wherever
    /// evaluation can go on without bound (a call, a thunk forced, a generator resumed, a loop's
    /// next call), so a run stops within a few ops of either.
    /// The same places are where the cycle collector may run (`checkpoint`): there, every
    /// value the VM holds is an owned reference.
    #[inline]
    fn interrupted(&mut self) -> Option<Error> {
        match self.stats.ops > self.next_check || self.cancel.load(Ordering::Relaxed) {
            true => self.checkpoint(),
            false => None,
        }
    }

    /// Every `check_every` operations: the step limit, the cancel flag, and the cycle
    /// collector's turn (`value::collect::checkpoint`). While profiling, at every call, force
    /// and resumption too, for the profiler's sample (`profile.rs`).
    #[cold]
    fn checkpoint(&mut self) -> Option<Error> {
        if self.profiling.is_some() {
            self.sample();
            if self.stats.ops < self.next_turn && !self.cancel.load(Ordering::Relaxed) {
                return None;
            }
        }
        if let Some(e) = self.stop_requested() {
            return Some(e);
        }
        crate::value::collect::checkpoint();
        if crate::allocator::over_budget() {
            // Cycles may hold what the budget counts: free them before giving up.
            crate::value::collect::collect();
            if crate::allocator::over_budget() {
                return Some(crate::allocator::heap_over_budget().into());
            }
        }
        self.pausing = self.stats.ops >= self.pause_at;
        self.next_turn = self
            .step_limit
            .min(self.pause_at)
            .min(self.stats.ops + check_every(self.profiling));
        self.next_check = match self.profiling {
            Some(_) => self.stats.ops.min(self.next_turn),
            None => self.next_turn,
        };
        None
    }

    /// The error that ends the run if the host wants it stopped: past the step limit or the
    /// deadline, or cancelled.
    fn stop_requested(&mut self) -> Option<Error> {
        let late = self
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d);
        let stop = self.stats.ops > self.step_limit || self.cancel.load(Ordering::Relaxed) || late;
        stop.then(|| self.interruption())
    }

    /// The error that stops the run (a cancellation is used up by it: the next run starts
    /// afresh). Unwinding it puts every thunk being forced back as it was.
    #[cold]
    fn interruption(&self) -> Error {
        use crate::errors::ErrorClass;
        let cancelled = self.cancel.swap(false, Ordering::Relaxed);
        let (class, message) = match (cancelled, self.host.settings().max_time) {
            (true, _) => (ErrorClass::Cancelled, "evaluation cancelled".to_string()),
            (false, Some(t)) if self.stats.ops <= self.step_limit => (
                ErrorClass::Timeout,
                format!("evaluation stopped after {} ms (max-time)", t.as_millis()),
            ),
            (false, _) => (
                ErrorClass::OutOfSteps,
                format!(
                    "evaluation stopped after {} steps (max-steps)",
                    self.step_limit
                ),
            ),
        };
        Error::new(message).with_class(class)
    }

    /// A frame standing for `calls` logical calls was popped to be continued by the call
    /// `call` makes (a tail call, a builtin's argument frame): the frame that call pushes
    /// stands for them too, and if it pushes none they end here.
    #[inline]
    fn continue_calls<T>(&mut self, calls: u32, call: impl FnOnce(&mut Self) -> T) -> T {
        self.tail = calls;
        let step = call(self);
        self.call_depth -= std::mem::take(&mut self.tail);
        step
    }

    fn check_depth(&self) -> Option<Error> {
        (self.max_call_depth != 0 && self.call_depth > self.max_call_depth).then(|| {
            Error::new("stack overflow; max-call-depth exceeded")
                .with_class(crate::errors::ErrorClass::CallDepth)
        })
    }

    /// Forces `v`, delivering the result to the frame on top.
    fn force_value(&mut self, v: Value, span: Option<Span>) -> Step {
        match v {
            Value::Thunk(t) => self.force_thunk(t, span),
            v => Step::Return(v),
        }
    }

    /// Starts evaluating a thunk: a thunk-update frame under the frames that compute it.
    fn force_thunk(&mut self, t: Thunk, span: Option<Span>) -> Step {
        if let Some(v) = t.value() {
            return Step::Return(v);
        }
        if let Some(e) = self.interrupted() {
            return Step::Unwind(at(e, span));
        }
        if let Some((chunk, env)) = t.begin_code() {
            self.enter_thunk(t);
            self.push_code(chunk, env, 0);
            return Step::Run;
        }
        let Some(work) = t.begin_apply() else {
            if let Some(e) = t.failure() {
                return Step::Unwind(e);
            }
            let mut e = Error::new("infinite recursion encountered")
                .with_class(crate::errors::ErrorClass::InfiniteRecursion);
            // The thunk's own frame, further down, says where the recursion starts.
            e.subject = Some(Value::Thunk(t).identity());
            return Step::Unwind(match span {
                Some(s) => e.at(s),
                None => e,
            });
        };
        let span = self.lazy_call_site(&work, span);
        self.enter_thunk(t);
        match work {
            Work::Apply(func, arg) => match func.into_whnf() {
                Ok(f) => {
                    let step = self.call(f, arg, span);
                    match span {
                        Some(_) => self.site_of_call(step, span),
                        None => step,
                    }
                }
                Err(func) => self.apply_lazy(func, std::slice::from_ref(&arg), span),
            },
            Work::ApplyMany(func, args) => self.apply_lazy(func, &args, span),
        }
    }

    /// Where a builtin's lazy call (`map`, `genList`; an `Apply` thunk) is made: where it is
    /// forced (`span`), as C++ Nix's `forceValue` calls `callFunction` at its position. A
    /// builtin forces at no position (C++ Nix's `noPos`), and a deep force at the top (no
    /// builtin call, as C++ Nix's `forceValueDeep`) at the function's
    /// (`Value::determinePos`). `mapAttrs`'s calls (the one builtin making `ApplyMany`
    /// thunks) have none there: C++ Nix's `mapAttrs` leaves its function a thunk, which has
    /// no position.
    fn lazy_call_site(&self, work: &Work, span: Option<Span>) -> Option<Span> {
        match (self.frames.last(), work) {
            (Some(Frame::Args(_)), _)
            | (Some(Frame::Gen(_) | Frame::Apply(_)), Work::ApplyMany(..)) => None,
            (Some(Frame::Gen(_) | Frame::Apply(_)), Work::Apply(func, _)) => match span {
                None => trace::determine_pos(func),
                Some(_) => None,
            },
            _ => span,
        }
    }

    /// The lambda frame a call made outside code (a lazy call, or a generator's) just pushed,
    /// if any, was called at `site` (its `from call site`).
    #[cold]
    fn site_of_call(&mut self, step: Step, site: Option<Span>) -> Step {
        if let (Step::Run, Some(Frame::Code(f)), Some(site)) = (&step, self.frames.last_mut(), site)
            && f.ip == 0
            && f.calls > 0
            && f.site == Span::UNKNOWN
        {
            f.site = site;
        }
        step
    }

    /// Pushes the frame that stores a thunk's value when the frames above it return.
    #[inline]
    fn enter_thunk(&mut self, thunk: Thunk) {
        self.stats.thunks_forced += 1;
        self.frames
            .push_with(|| Frame::Thunk(frames::ThunkFrame { thunk }));
    }

    /// Applies a (possibly unevaluated) function to arguments, for `Apply` thunks.
    fn apply_lazy(&mut self, func: Value, args: &[Value], span: Option<Span>) -> Step {
        // `mapAttrs (name: value: ...)`: both arguments at once.
        if let (Some(f), [a, b]) = (func.whnf(), args)
            && takes_two(&f)
        {
            let step = self.call2(f, a.clone(), b.clone(), span);
            return match span {
                Some(_) => self.site_of_call(step, span),
                None => step,
            };
        }
        // Leading arguments of curried lambdas need no frame.
        let mut func = func;
        let mut rest = args;
        while let [first, more @ ..] = rest
            && !more.is_empty()
        {
            match func.whnf() {
                Some(Value::Closure(c)) if c.lambda.curried.is_some() => {
                    func = c.apply_curried(first.clone()).unwrap_or(Value::Null);
                    rest = more;
                }
                _ => break,
            }
        }
        if let (Some(f), [arg]) = (func.whnf(), rest) {
            let step = self.call(f, arg.clone(), span);
            return match span {
                Some(_) => self.site_of_call(step, span),
                None => step,
            };
        }
        // One argument for a function still to be evaluated: an Apply frame calls it once it
        // is (a generator did, with three round trips).
        if let ([arg], Value::Thunk(t)) = (rest, &func) {
            self.stats.frames_pushed += 1;
            let t = t.clone();
            let arg = arg.clone();
            self.frames
                .push(Frame::Apply(frames::ApplyFrame { arg, span }));
            return self.force_thunk(t, span);
        }
        let args: crate::value::Args = rest.iter().cloned().collect();
        self.push_gen(
            "apply",
            span,
            request::generator(
                move |co| async move { Ok(request::call_many(&co, func, args).await) },
            ),
            0,
        );
        Step::Resume(Response::Start)
    }

    /// Calls a forced function with one argument; the result is delivered to the frame on top.
    fn call(&mut self, f: Value, arg: Value, span: Option<Span>) -> Step {
        self.stats.calls += 1;
        match f {
            Value::Closure(c) => self.call_lambda(&c.lambda, &c.env, arg, span),
            Value::Builtin(p) => self.apply_builtin(&p, [arg], span),
            Value::Attrs(a) if a.contains(sym!("__functor")) => self.call_functor(a, arg, span),
            other => Step::Unwind(at(
                Error::new(format!(
                    "attempt to call something which is not a function but {}",
                    ops::describe_value(&other)
                ))
                .with_class(crate::errors::ErrorClass::Type),
                span,
            )),
        }
    }

    /// Calls a set with `__functor`: `s.__functor s arg`. The functor's two calls are made
    /// here when it is an evaluated lambda that takes both arguments (`self: x: ...`) or
    /// that computes the function on the spot (`self: f`, as `lib.setFunctionArgs` makes it);
    /// otherwise by a generator. A lambda called here was called from the `__functor`
    /// attribute, as C++ Nix's trace says (`from call site`), and counts for two calls
    /// towards max-call-depth, as C++ Nix's nested `callFunction` does.
    ///
    /// A `Functor` frame under the call's frames gives an error leaving them C++ Nix's line
    /// `while calling a functor (...)` at the call; a value the call returns at once leaves
    /// it at once.
    fn call_functor(&mut self, set: Rc<Attrs>, arg: Value, span: Option<Span>) -> Step {
        self.frames.push(Frame::Functor(span));
        let step = self.enter_functor(set, arg, span);
        if let Step::Return(_) = step
            && let Some(Frame::Functor(_)) = self.frames.last()
        {
            self.frames.pop();
        }
        step
    }

    /// `call_functor` above its `Functor` frame.
    fn enter_functor(&mut self, set: Rc<Attrs>, arg: Value, span: Option<Span>) -> Step {
        let functor = set.get(sym!("__functor")).cloned().unwrap_or(Value::Null);
        let site = set.position(sym!("__functor"));
        let this = Value::Attrs(set);
        if let Some(Value::Closure(c)) = functor.whnf() {
            let curried = c.lambda.curried.is_some();
            let computed = match curried || !self.one_more_call_fits() {
                true => None,
                false => speculate::apply_lambda(&c.lambda, &c.env, &this, &mut self.stack)
                    .and_then(|g| g.whnf()),
            };
            if curried || computed.is_some() {
                // The set's own call counts too (C++ Nix calls the functor from inside it):
                // the frame the functor's call pushes stands for both.
                let calls = match self.count_call() {
                    Ok(calls) => calls,
                    Err(e) => return Step::Unwind(at(e, span)),
                };
                return self.continue_calls(calls, |vm| {
                    let step = match computed {
                        Some(g) => {
                            vm.stats.calls += 1;
                            vm.stats.ops += 1;
                            vm.call(g, arg, None)
                        }
                        None => vm.call_curried2(&c, this, arg, None),
                    };
                    vm.site_of_call(step, site)
                });
            }
        }
        self.push_gen(
            "__functor",
            span,
            request::generator(move |co| async move {
                let g = request::call(&co, functor, this).await;
                Ok(request::call(&co, g, arg).await)
            }),
            0,
        );
        Step::Resume(Response::Start)
    }

    /// Applies `lambda`, closed over `captured`, to `arg`: a frame for its body, or for a
    /// curried lambda (`x: y: ...`) the inner closure, made without running any code.
    fn call_lambda(
        &mut self,
        lambda: &Lambda,
        captured: &Env,
        arg: Value,
        span: Option<Span>,
    ) -> Step {
        // A small body on evaluated values (`x: x == 0`, `n: n + 1`) is computed on the spot:
        // no scope, no frame. The call still counts, and respects max-call-depth.
        if lambda.chunk.speculable
            && self.one_more_call_fits()
            && let Some(v) = speculate::apply_lambda(lambda, captured, &arg, &mut self.stack)
        {
            // It counts as an op, so a step budget or a stepped run bounds a loop of them.
            self.stats.ops += 1;
            // A body ending in an attribute of its argument may leave that attribute's thunk:
            // calls answer in weak head normal form.
            return self.force_value(v, span);
        }
        self.enter_lambda(lambda, captured, arg, span)
    }

    /// Calls a lambda that is not curried (its body runs in a frame): pushes that frame, with
    /// the new scope holding `arg`, and returns the scope, for the dispatch loop's registers.
    #[inline(always)]
    pub(super) fn enter_body(
        &mut self,
        lambda: &Lambda,
        captured: &Env,
        arg: Value,
    ) -> Result<Env, Error> {
        self.stats.calls += 1;
        let n = lambda.nslots;
        let env = lambda.scope(captured, n);
        env.set(n - 1, arg);
        self.push_body(lambda, env)
    }

    /// `enter_body` for a curried `a: b: ...` whose inner lambda shares the outer one's scope
    /// (`run::runs_body2`): one scope for both arguments, and a frame for the inner body.
    #[inline(always)]
    pub(super) fn enter_body2(
        &mut self,
        outer: &Lambda,
        inner: &Lambda,
        captured: &Env,
        a: Value,
        b: Value,
    ) -> Result<Env, Error> {
        self.stats.calls += 2;
        let env = outer.scope_of_both(inner, captured, a, b);
        self.push_body(inner, env)
    }

    /// Counts the call and pushes the frame for `lambda`'s body in `env`; the scope back for
    /// the dispatch loop's registers.
    #[inline(always)]
    fn push_body(&mut self, lambda: &Lambda, env: Env) -> Result<Env, Error> {
        let calls = self.count_call()?;
        self.push_code(lambda.chunk.clone(), env.clone(), calls);
        Ok(env)
    }

    /// After a tail call entered a lambda from the dispatch loop (`entered` is `Ok`): the
    /// frame it pushed keeps the call's site, as `tail_called` does for the other calls.
    pub(super) fn mark_tail_site(&mut self, entered: &Result<Env, Error>, site: Option<Span>) {
        if let (Ok(_), Some(Frame::Code(f)), Some(site)) = (entered, self.frames.last_mut(), site) {
            f.site = site;
        }
    }

    /// `call_lambda` without trying to speculate the body.
    fn enter_lambda(
        &mut self,
        lambda: &Lambda,
        captured: &Env,
        arg: Value,
        span: Option<Span>,
    ) -> Step {
        let n = lambda.nslots;
        let env = lambda.scope(captured, n);
        env.set(n - 1, arg);
        self.enter_scope(lambda, env, span)
    }

    /// Runs `lambda` in `env`, its scope with the arguments in place: for a curried lambda the
    /// inner closure (no code runs), otherwise a frame for its body.
    #[inline(always)]
    fn enter_scope(&mut self, lambda: &Lambda, env: Env, span: Option<Span>) -> Step {
        if let Some(inner) = &lambda.curried {
            let lambda = inner.clone();
            return Step::Return(Value::Closure(crate::value::rc_new(|| Closure {
                lambda,
                env,
            })));
        }
        let calls = match self.count_call() {
            Ok(calls) => calls,
            Err(e) => return Step::Unwind(at(e, span)),
        };
        self.push_code(lambda.chunk.clone(), env, calls);
        Step::Run
    }

    /// `f a b` for a curried lambda `f` (`a: b: ...`): the inner lambda is applied straight
    /// to the scope that binds `a`, with no closure made in between.
    fn call_curried2(&mut self, f: &Closure, a: Value, b: Value, span: Option<Span>) -> Step {
        let Some(inner) = &f.lambda.curried else {
            return Step::Unwind(Error::new("internal error: not a curried lambda"));
        };
        self.stats.calls += 2;
        // `a: b: a < b` and the like on evaluated values: no scope, no frame.
        let tried = inner.chunk.speculable && self.one_more_call_fits();
        if tried
            && let Some(v) = speculate::apply_lambda2(&f.lambda, &f.env, &a, &b, &mut self.stack)
        {
            self.stats.ops += 1;
            return self.force_value(v, span);
        }
        if inner.merged == 0 {
            // `a: { x, ... }: ...`: the inner lambda has a scope of its own.
            let outer = f.lambda.scope(&f.env, f.lambda.nslots);
            outer.set(f.lambda.nslots - 1, a);
            return self.call_lambda(inner, &outer, b, span);
        }
        // One scope for both arguments (the inner lambda extends the outer one's).
        let env = f.lambda.scope_of_both(inner, &f.env, a, b);
        self.enter_scope(inner, env, span)
    }

    /// `f a b` where `f` takes both at once (`run::takes_two`): a curried lambda, or a builtin
    /// still missing at least two arguments (no partial application made in between).
    fn call2(&mut self, f: Value, a: Value, b: Value, span: Option<Span>) -> Step {
        match f {
            Value::Closure(c) => self.call_curried2(&c, a, b, span),
            Value::Builtin(p) => {
                self.stats.calls += 2;
                self.apply_builtin(&p, [a, b], span)
            }
            _ => Step::Unwind(Error::new(
                "internal error: Call2 on a one-argument function",
            )),
        }
    }

    /// Applies a builtin, with the arguments it has, to `more`: a partial application while some
    /// are still missing, otherwise the call.
    fn apply_builtin<const N: usize>(
        &mut self,
        p: &crate::value::PartialApp,
        more: [Value; N],
        span: Option<Span>,
    ) -> Step {
        // All arguments at once, the strict ones evaluated: the body runs on them where they
        // are.
        if p.args.is_empty() && N == p.builtin.arity {
            let mut args = more;
            if evaluate_strict(&mut args, p.builtin.strict) {
                return self.run_builtin(&p.builtin, &args, span);
            }
            let args = args.into_iter().collect();
            return self.call_builtin(p.builtin.clone(), args, span);
        }
        if p.args.len() + N < p.builtin.arity {
            let mut args = p.args.clone();
            args.extend(more);
            let builtin = p.builtin.clone();
            return Step::Return(Value::Builtin(Rc::new(crate::value::PartialApp {
                builtin,
                args,
            })));
        }
        // Collected inline: a call whose body finishes at once allocates nothing.
        let mut args: BuiltinArgs = p.args.iter().cloned().collect();
        args.extend(more);
        self.call_builtin(p.builtin.clone(), args, span)
    }

    /// Runs a builtin with all its arguments: first the scheduler forces the arguments it is
    /// strict in (an `Args` frame waits meanwhile), then its body runs.
    fn call_builtin(
        &mut self,
        builtin: Rc<Builtin>,
        mut args: BuiltinArgs,
        span: Option<Span>,
    ) -> Step {
        for next in 0..args.len() {
            if builtin.strict & (1 << next) == 0 {
                continue;
            }
            let Value::Thunk(t) = &args[next] else {
                continue;
            };
            if let Some(v) = t.value() {
                args[next] = v;
                continue;
            }
            let t = Value::Thunk(t.clone());
            return self.force_for_builtin(builtin, args, Some(next), t, span);
        }
        self.run_builtin(&builtin, &args, span)
    }

    /// Evaluates `v` for a builtin call, with an `Args` frame holding the call meanwhile; the
    /// value replaces argument `slot`, if given, and the call is made again.
    fn force_for_builtin(
        &mut self,
        builtin: Rc<Builtin>,
        args: BuiltinArgs,
        slot: Option<usize>,
        v: Value,
        span: Option<Span>,
    ) -> Step {
        let t = match v {
            Value::Thunk(t) if t.value().is_none() => t,
            // Asked again for what it has: it would loop. A bug in gnix's builtins; a host's
            // gets an error, as for its panics.
            _ if builtin.host => {
                let e = Error::new(format!(
                    "the host's builtin '{}' asked to force a value that is evaluated",
                    builtin.name
                ));
                return Step::Unwind(at(e.with_class(crate::errors::ErrorClass::HostPanic), span));
            }
            _ => unreachable!("builtin {} asked to force an evaluated value", builtin.name),
        };
        let calls = match self.count_call() {
            Ok(calls) => calls,
            Err(e) => return Step::Unwind(at(e, span)),
        };
        self.stats.frames_pushed += 1;
        self.frames.push(Frame::Args(Box::new(ArgsFrame {
            builtin,
            args,
            slot,
            span,
            calls,
        })));
        // At no position, as C++ Nix's builtins force their arguments (`noPos`): the call's
        // trace line says where.
        self.force_thunk(t, None)
    }

    /// Runs a builtin's body on all its arguments, the strict ones evaluated.
    fn run_builtin(&mut self, builtin: &Rc<Builtin>, args: &[Value], span: Option<Span>) -> Step {
        match &builtin.body {
            Body::Sync(run) => match guard(builtin, || run(args), Err) {
                Ok(Ret::Value(v)) => self.builtin_result(builtin, args, Ok(v), span),
                Err(e) => self.builtin_result(builtin, args, Err(e), span),
                Ok(Ret::Force(v)) => {
                    let args = args.iter().cloned().collect();
                    self.force_for_builtin(builtin.clone(), args, None, v, span)
                }
                Ok(Ret::Loop(request::Loop(start))) => {
                    self.start_builtin_loop(builtin.name, start, span)
                }
            },
            Body::Async { attempt, spawn } => {
                match guard(builtin, || attempt(args), |e| Some(Err(e))) {
                    Some(result) => self.builtin_result(builtin, args, result, span),
                    None => self.spawn_builtin(builtin, spawn(args.to_vec()), span),
                }
            }
        }
    }

    /// Hands on what a builtin's body computed without a frame.
    fn builtin_result(
        &mut self,
        builtin: &Builtin,
        args: &[Value],
        result: Result<Value, Error>,
        span: Option<Span>,
    ) -> Step {
        match result {
            Ok(Value::Thunk(t)) => self.force_thunk(t, span),
            Ok(v) => Step::Return(v),
            Err(mut e) => {
                trace::add_argument_context(&mut e, builtin.name, args);
                if builtin.call_trace {
                    e.add_trace(span, builtin_trace(builtin.name));
                }
                Step::Unwind(e)
            }
        }
    }

    /// Runs a builtin's generator on a new frame.
    fn spawn_builtin(
        &mut self,
        builtin: &Builtin,
        generator: BuiltinGen,
        span: Option<Span>,
    ) -> Step {
        let calls = match self.count_call() {
            Ok(calls) => calls,
            Err(e) => return Step::Unwind(at(e, span)),
        };
        self.stats.builtin_generators += 1;
        self.push_gen(builtin.name, span, generator, calls);
        if let Some(Frame::Gen(g)) = self.frames.last_mut() {
            g.host = builtin.host;
            g.call_trace = builtin.call_trace;
        }
        Step::Resume(Response::Start)
    }

    /// Pops frames until one can take the error: a `tryEval` generator for catchable errors,
    /// or the floor. Every thunk being forced is put back as it was.
    #[cold]
    #[inline(never)]
    fn unwind(&mut self, mut err: Error, floor: usize) -> Result<Step, Error> {
        // Which argument a type error is about matters only to the call that raised it; an
        // infinite recursion's thunk, to the frame forcing it.
        if err.class != crate::errors::ErrorClass::InfiniteRecursion {
            err.subject = None;
        }
        while self.frames.len() > floor {
            match self.frames.pop() {
                Some(Frame::Code(f)) => {
                    self.stack.truncate(f.base);
                    self.call_depth -= f.calls;
                    if !f.chunk.contexts.is_empty() {
                        trace::add_operand_contexts(&mut err, &f);
                    }
                    if f.calls > 0 {
                        // Called by code: the call op of the frame below, or of the frame
                        // a tail call replaced. Calls a builtin makes have no site.
                        let site = match self.frames.last() {
                            _ if f.site != Span::UNKNOWN => Some(f.site),
                            Some(Frame::Code(caller)) => Some(caller.current_span()),
                            _ => None,
                        };
                        trace::add_lambda_call(&mut err, &f, site);
                    }
                }
                Some(Frame::Thunk(t)) => {
                    if err.subject.is_some()
                        && err.subject == Some(Value::Thunk(t.thunk.clone()).identity())
                    {
                        err.subject = None;
                        let mut line = TraceLine::new(None, "entering the infinite recursion");
                        line.always = true;
                        err.trace.push(line);
                    }
                    self.failures.fail(&t.thunk, &mut err);
                }
                Some(Frame::Loop(l)) => {
                    self.call_depth -= l.owner.calls;
                    err.add_trace(l.span, l.owner.trace());
                }
                // The lazy call never started: nothing to say.
                Some(Frame::Apply(_)) => {}
                Some(Frame::Functor(span)) => err.add_trace(span, FUNCTOR_TRACE),
                Some(Frame::Args(a)) => {
                    self.call_depth -= a.calls;
                    if let Some(what) = a
                        .slot
                        .and_then(|i| trace::evaluation_context(a.builtin.name, i))
                    {
                        err.add_trace(None, what);
                    }
                    let what = builtin_trace(a.builtin.name);
                    err.add_trace(a.span, what);
                }
                Some(Frame::Gen(g)) => {
                    if g.catching.is_some_and(|c| c.takes(&err)) {
                        self.frames.push(Frame::Gen(g));
                        self.failures.stop(&err);
                        return Ok(Step::Resume(Response::Error(err)));
                    }
                    self.call_depth -= g.depth + g.calls;
                    if g.calls > 0 && g.call_trace {
                        let what = builtin_trace(g.name);
                        err.add_trace(g.span, what);
                    }
                }
                None => break,
            }
        }
        self.failures.stop(&err);
        Err(err)
    }
}

/// Replaces the evaluated thunks among the arguments a builtin is strict in (`strict`, a bit
/// per argument) by their values; `false` if one of them still needs evaluating.
#[inline]
pub(crate) fn evaluate_strict(args: &mut [Value], strict: u8) -> bool {
    for (i, a) in args.iter_mut().enumerate() {
        if strict & (1 << i) != 0
            && let Value::Thunk(t) = a
        {
            match t.value() {
                Some(v) => *a = v,
                None => return false,
            }
        }
    }
    true
}

/// Runs (part of) a builtin's body: a host builtin's panic becomes the error `panicked` makes
/// the value of, so it unwinds like any error (its thunks forceable again) instead of
/// unwinding through the VM. gnix's own builtins run unguarded: a panic in them is a bug.
#[inline(always)]
fn guard<T>(builtin: &Builtin, body: impl FnOnce() -> T, panicked: impl FnOnce(Error) -> T) -> T {
    if !builtin.host {
        return body();
    }
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(t) => t,
        Err(payload) => panicked(host_panic(builtin.name, payload)),
    }
}

/// The error a host builtin's panic becomes.
#[cold]
fn host_panic(name: &str, payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => s.to_string(),
        (None, Some(s)) => s.clone(),
        (None, None) => "no message".to_string(),
    };
    Error::new(format!("the host's builtin '{name}' panicked: {what}"))
        .with_class(crate::errors::ErrorClass::HostPanic)
}

/// The trace line an error leaving a builtin call gets.
/// The line an error leaving a call of a set with `__functor` gets, as current C++ Nix words it.
const FUNCTOR_TRACE: &str =
    "while calling a functor (an attribute set with a '__functor' attribute)";

fn builtin_trace(name: &str) -> String {
    format!("while calling the '{name}' builtin")
}

pub(super) fn at(e: Error, span: Option<Span>) -> Error {
    match span {
        Some(s) => e.at(s),
        None => e,
    }
}
