//! The request protocol between generators (builtins, deep forcing, comparisons, coercions) and
//! the scheduler, plus the async helpers builtins are written with. It is data like values (a
//! builtin's body is typed by it), so it lives with them, below the VM that answers it.
//!
//! A generator never evaluates anything itself: it yields a `Request` and is resumed with a
//! `Response` once the scheduler has pushed and run whatever frames that takes. Helpers that
//! find their value already evaluated answer without yielding, so the common case costs nothing.

use crate::errors::{Error, Span};
use crate::value::{NixList, NixString, Value};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub(crate) type GenFuture = Pin<Box<dyn Future<Output = Result<Value, Error>>>>;
/// Outside work a host builtin waits for (`wait`): a network read, a database lookup. The
/// scheduler polls it with the waker of whoever drives the run (`Run` as a future), or blocks
/// on it in a synchronous run.
pub(crate) type HostFuture = Pin<Box<dyn Future<Output = Result<Value, Error>>>>;
/// A suspended builtin (or other generator) on the frame stack.
pub struct BuiltinGen(pub(crate) genawaiter::rc::Gen<Request, Response, GenFuture>);
/// The handle a generator yields requests through. A detached handle belongs to a body run
/// on the spot (`Body::Async`'s attempt): its first request suspends the body for good, and
/// the attempt gives up.
pub struct Co(Option<genawaiter::rc::Co<Request, Response>>);

impl Co {
    /// A handle whose requests are never answered.
    pub fn detached() -> Co {
        Co(None)
    }

    /// Yields a request and waits for the scheduler's answer.
    #[inline]
    pub(crate) fn yield_(&self, req: Request) -> impl Future<Output = Response> + '_ {
        match &self.0 {
            Some(co) => Yield::Attached(co.yield_(req)),
            None => Yield::Detached,
        }
    }
}

/// The future of `Co::yield_`: a plain enum rather than an `async fn`, so that awaiting a
/// request costs one branch on top of genawaiter's own future (an `async fn` wrapper was a
/// state machine of its own, called out of line on every request).
enum Yield<F> {
    Attached(F),
    Detached,
}

impl<F: Future<Output = Response> + Unpin> Future for Yield<F> {
    type Output = Response;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Response> {
        match self.get_mut() {
            Yield::Attached(f) => Pin::new(f).poll(cx),
            Yield::Detached => std::task::Poll::Pending,
        }
    }
}

/// What a generator asks the scheduler for.
pub(crate) enum Request {
    /// Evaluate this value to weak head normal form.
    Force(Value),
    /// Like `Force`, but an error `Catch` takes comes back as `Response::Error` instead of
    /// unwinding this generator (`tryEval`; a walk that says where in a value it failed).
    TryForce(Value, Catch),
    /// Apply a (forced) function to one argument; the answer is in weak head normal form.
    Call(Value, Value),
    /// Apply a function that takes two arguments at once (`run::takes_two`) to both.
    Call2(Value, Value, Value),
    /// Apply a (forced) function to one argument at a position (C++ Nix's `callFunction` at
    /// it: `__toString` at its attribute); an error but an interruption comes back as
    /// `Response::Error`, for the caller to say what it was doing.
    TryCallAt(Box<(Value, Value, Span)>),
    /// Evaluate a file (cached per evaluation by path), optionally with an extra scope
    /// (`scopedImport`).
    Import(PathBuf, Option<Value>),
    /// This generator is now `depth` logical calls deep (deep forcing, comparison, printing):
    /// fail with max-call-depth if the total exceeds the limit.
    Depth(u32),
    /// Like `Depth`, but past the limit the error (with no position) comes back as
    /// `Response::Error`, for a walk that says where in a value it went too deep.
    TryDepth(u32),
    /// Write a line to stderr (`trace`, `warn`).
    Trace(String),
    /// Write a warning about the source at a position, under a line of context, laid out as
    /// C++ Nix lays out an error's trace.
    Warn {
        message: String,
        at: Option<Span>,
        context: String,
    },
    /// The value of an evaluation setting builtins depend on.
    Flag(Flag),
    /// `{ file; line; column; }` of a source position (`unsafeGetAttrPos`, `__curPos`).
    Position(Span),
    /// The store directory (`builtins.storeDir`), for store paths of interpolated paths.
    StoreDir,
    /// Ask the host's `EvalIo` (files, environment).
    Io(IoRequest),
    /// Hash a file tree for its store path (through the host's `EvalIo`).
    Store(Box<StoreRequest>),
    /// Remember a derivation made in this evaluation (for derivations that depend on it).
    RegisterDerivation(Box<(String, KnownDrv)>),
    /// A derivation made earlier in this evaluation, by `.drv` path.
    LookupDerivation(String),
    /// Wait for the host's outside work; its result comes back as `Response::Value` or
    /// `Response::Error`.
    Wait(HostFuture),
}

/// Which errors a `TryForce` hands back to the generator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Catch {
    /// `throw` and failed `assert`s, as `tryEval` catches them.
    Catchable,
    /// Every error but an interruption (`Error::is_interruption`): the generator adds what
    /// it was doing to the error's trace and fails with it, as C++ Nix's `catch` blocks that
    /// add a trace line and rethrow.
    Any,
}

impl Catch {
    /// Whether this mode hands `e` back to the generator.
    pub fn takes(self, e: &Error) -> bool {
        match self {
            Catch::Catchable => e.is_catchable(),
            Catch::Any => !e.is_interruption(),
        }
    }
}

/// A loop of calls, one per element (`LoopStart::Each`).
pub(crate) struct CallEach {
    pub f: Value,
    pub list: Rc<NixList>,
    /// What every result must be.
    pub expect: Expect,
    /// Stop after the first result that is this Boolean (`any`, `all`).
    pub stop: Option<bool>,
    /// Keep the elements of each result (a list) rather than the result (`concatMap`): each
    /// result is let go as soon as it has been read.
    pub flatten: bool,
}

/// A loop a builtin's body hands to the scheduler (`Ret::Loop`): its calls run as a loop
/// frame, with no generator. Only gnix's own builtins make one.
pub struct Loop(pub(crate) LoopStart);

/// The loop a builtin's body hands to the scheduler (`Ret::Loop`): its calls run as a loop
/// frame (`vm::loops`), with no generator.
pub(crate) enum LoopStart {
    /// Call the function on each element; the builtin's value is `Finish` of the results.
    Each(CallEach, Finish),
    /// `foldl'`: the value is the last accumulator.
    Fold {
        f: Value,
        acc: Value,
        list: Rc<NixList>,
    },
}

/// Makes a looping builtin's value from the list it looped over and the results of its calls
/// (their elements, for a loop that flattens).
pub(crate) type Finish = fn(&NixList, Vec<Value>) -> Result<Value, Error>;

/// The type a callback's results must have; a result of another type fails the loop with the
/// error the builtin would give.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    Bool,
    List,
}

/// Settings that change what builtins do.
pub(crate) enum Flag {
    /// `--trace-verbose`: `traceVerbose` traces.
    TraceVerbose,
    /// `--abort-on-warn` (or `NIX_ABORT_ON_WARN`): `warn` fails after warning.
    AbortOnWarn,
    /// The experimental feature `parse-toml-timestamps`: `fromTOML` parses dates and times.
    TomlTimestamps,
    /// `--pure-eval`.
    Pure,
}

pub(crate) async fn flag(co: &Co, flag: Flag) -> bool {
    match co.yield_(Request::Flag(flag)).await {
        Response::Value(Value::Bool(b)) => b.get(),
        other => mismatched(&other),
    }
}

/// A question for the host's `EvalIo`.
pub(crate) enum IoRequest {
    ReadFile(PathBuf),
    /// The digest of a file's contents (`hashFile`), read as a stream (`EvalIo::open_file`).
    HashFile(PathBuf, HashAlgo),
    /// The type of the path itself (symlinks not followed).
    FileType(PathBuf),
    ReadDir(PathBuf),
    GetEnv(String),
    /// The directory relative search-path entries resolve against.
    WorkingDir,
}

/// The algorithms `hashString` and `hashFile` know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashAlgo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// A question about a file tree's store path.
pub(crate) enum StoreRequest {
    /// SHA-256 of the NAR serialisation (`recursive`) or of the contents (flat) of `path`,
    /// leaving out `exclude` (entries a path filter rejected).
    Hash {
        path: PathBuf,
        recursive: bool,
        exclude: std::collections::HashSet<PathBuf>,
    },
    /// The path with every symlink in it resolved.
    ResolveSymlinks(PathBuf),
    /// A text file `toFile` made at a store path: kept for writing to a store, under
    /// `Settings::keep_store_files`.
    AddText { path: String, contents: NixString },
}

pub(crate) enum StoreAnswer {
    Hash([u8; 32]),
    Path(PathBuf),
    Added,
}

/// The host's answer.
pub(crate) enum IoResponse {
    Bytes(Vec<u8>),
    Type(crate::io::FileType),
    Entries(Vec<(std::ffi::OsString, crate::io::FileType)>),
    Env(Option<String>),
    Dir(PathBuf),
}

/// What later derivations need to know of one made earlier.
#[derive(Clone, Debug)]
pub(crate) struct KnownDrv {
    /// Its hash modulo fixed-output derivations (stands in for its path in dependents).
    pub hash_modulo: [u8; 32],
    pub outputs: Vec<String>,
    /// Its ATerm text (the `.drv` file's contents), kept only under
    /// `Settings::keep_store_files`.
    pub aterm: Option<Rc<str>>,
}

/// The scheduler's answer.
pub(crate) enum Response {
    /// The first resume of a generator carries nothing.
    Start,
    Value(Value),
    /// A caught error (only for `TryForce`).
    Error(Error),
    // The rare, large answers are boxed: every scheduler step carries a `Response`.
    Derivation(Option<Box<KnownDrv>>),
    Io(Box<std::io::Result<IoResponse>>),
    Store(Box<StoreAnswer>),
    Done,
}

/// Makes a generator from an async body.
pub fn generator<F>(body: impl FnOnce(Co) -> F + 'static) -> BuiltinGen
where
    F: Future<Output = Result<Value, Error>> + 'static,
{
    BuiltinGen(genawaiter::rc::Gen::new(move |co| {
        Box::pin(body(Co(Some(co)))) as GenFuture
    }))
}

/// Evaluates `v` to weak head normal form. The commonest await of all, so it is a plain enum
/// future: a value already evaluated is ready at the first poll with no state machine around it.
#[inline]
pub fn force(co: &Co, v: Value) -> impl Future<Output = Value> + '_ {
    match v.into_whnf() {
        Ok(v) => Forcing::Ready(Some(v)),
        Err(thunk) => Forcing::Waiting(co.yield_(Request::Force(thunk))),
    }
}

/// The future of `force`.
enum Forcing<F> {
    Ready(Option<Value>),
    Waiting(F),
}

impl<F: Future<Output = Response> + Unpin> Future for Forcing<F> {
    type Output = Value;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Value> {
        match self.get_mut() {
            Forcing::Ready(v) => match v.take() {
                Some(v) => std::task::Poll::Ready(v),
                None => unreachable!("a force polled after it finished"),
            },
            Forcing::Waiting(f) => match Pin::new(f).poll(cx) {
                std::task::Poll::Ready(Response::Value(v)) => std::task::Poll::Ready(v),
                std::task::Poll::Ready(other) => mismatched(&other),
                std::task::Poll::Pending => std::task::Poll::Pending,
            },
        }
    }
}

/// Evaluates `v`, catching the errors `catch` takes.
pub async fn try_force(co: &Co, v: Value, catch: Catch) -> Result<Value, Error> {
    let v = match v.into_whnf() {
        Ok(v) => return Ok(v),
        Err(thunk) => thunk,
    };
    match co.yield_(Request::TryForce(v, catch)).await {
        Response::Value(v) => Ok(v),
        Response::Error(e) => Err(e),
        other => mismatched(&other),
    }
}

/// Applies `f` to `arg`; the result is in weak head normal form.
pub async fn call(co: &Co, f: Value, arg: Value) -> Value {
    let f = match f.into_whnf() {
        Ok(f) => f,
        Err(thunk) => force(co, thunk).await,
    };
    // A curried lambda's first application runs no code: answer it without a round trip.
    if let Value::Closure(c) = &f
        && c.lambda.curried.is_some()
    {
        return c
            .apply_curried(arg)
            .unwrap_or_else(|| unreachable!("a curried lambda applies without running code"));
    }
    match co.yield_(Request::Call(f, arg)).await {
        Response::Value(v) => v,
        other => mismatched(&other),
    }
}

/// Applies `f` to `arg` as called at `at`, handing back the error (but an interruption): the
/// function evaluated first, the result in weak head normal form.
pub(crate) async fn try_call_at(
    co: &Co,
    f: Value,
    arg: Value,
    at: Option<Span>,
) -> Result<Value, Error> {
    let f = try_force(co, f, Catch::Any).await?;
    let call = Box::new((f, arg, at.unwrap_or(Span::UNKNOWN)));
    match co.yield_(Request::TryCallAt(call)).await {
        Response::Value(v) => Ok(v),
        Response::Error(e) => Err(e),
        other => mismatched(&other),
    }
}

/// Applies `f` to two arguments (`sort` comparators): in one request when `f` takes both at
/// once (a curried lambda, a builtin missing two arguments), otherwise one at a time.
pub async fn call2(co: &Co, f: Value, a: Value, b: Value) -> Value {
    if super::takes_two(&f) {
        return match co.yield_(Request::Call2(f, a, b)).await {
            Response::Value(v) => v,
            other => mismatched(&other),
        };
    }
    let g = call(co, f, a).await;
    call(co, g, b).await
}

/// Applies `f` to several arguments in turn.
pub async fn call_many(co: &Co, f: Value, args: impl IntoIterator<Item = Value>) -> Value {
    let mut f = f;
    for a in args {
        f = call(co, f, a).await;
    }
    f
}

pub(crate) async fn import(co: &Co, path: PathBuf, scope: Option<Value>) -> Value {
    match co.yield_(Request::Import(path, scope)).await {
        Response::Value(v) => v,
        other => mismatched(&other),
    }
}

/// Declares the current logical depth of this generator.
pub(crate) async fn depth(co: &Co, depth: u32) {
    co.yield_(Request::Depth(depth)).await;
}

/// `depth`, handing back the error past max-call-depth (without a position) instead of
/// unwinding: the caller says where it was.
pub(crate) async fn try_depth(co: &Co, depth: u32) -> Result<(), Error> {
    match co.yield_(Request::TryDepth(depth)).await {
        Response::Error(e) => Err(e),
        _ => Ok(()),
    }
}

/// A position as the set `{ column; file; line; }` Nix code sees.
pub(crate) async fn position(co: &Co, span: Span) -> Value {
    match co.yield_(Request::Position(span)).await {
        Response::Value(v) => v,
        other => mismatched(&other),
    }
}

/// `builtins.storeDir`.
pub(crate) async fn store_dir(co: &Co) -> String {
    match co.yield_(Request::StoreDir).await {
        Response::Value(Value::String(s)) => s.to_str_lossy().into_owned(),
        other => mismatched(&other),
    }
}

/// Waits for outside work a host builtin started (`work`), without blocking the thread when
/// the run is driven as a future (`Run`): the evaluation is suspended with every frame kept,
/// and resumed with `work`'s result. `work` should start its effects when first polled, not
/// when made: a body's first attempt runs on the spot and is dropped at its first request
/// (`Body::Async`), then the body runs again as a generator.
pub async fn wait(
    co: &Co,
    work: impl Future<Output = Result<Value, Error>> + 'static,
) -> Result<Value, Error> {
    match co.yield_(Request::Wait(Box::pin(work))).await {
        Response::Value(v) => Ok(v),
        Response::Error(e) => Err(e),
        other => mismatched(&other),
    }
}

/// Asks the host's `EvalIo`; in pure evaluation mode file access fails.
pub(crate) async fn io(co: &Co, req: IoRequest) -> std::io::Result<IoResponse> {
    match co.yield_(Request::Io(req)).await {
        Response::Io(r) => *r,
        other => mismatched(&other),
    }
}

/// A store hash or resolved path; failures unwind the asking generator.
pub(crate) async fn store(co: &Co, req: StoreRequest) -> StoreAnswer {
    match co.yield_(Request::Store(Box::new(req))).await {
        Response::Store(a) => *a,
        other => mismatched(&other),
    }
}

pub(crate) async fn store_hash(
    co: &Co,
    path: PathBuf,
    recursive: bool,
    exclude: std::collections::HashSet<PathBuf>,
) -> [u8; 32] {
    match store(
        co,
        StoreRequest::Hash {
            path,
            recursive,
            exclude,
        },
    )
    .await
    {
        StoreAnswer::Hash(h) => h,
        StoreAnswer::Path(_) | StoreAnswer::Added => {
            unreachable!("a store hash request was answered with a path or nothing")
        }
    }
}

pub(crate) async fn resolve_symlinks(co: &Co, path: PathBuf) -> PathBuf {
    match store(co, StoreRequest::ResolveSymlinks(path)).await {
        StoreAnswer::Path(p) => p,
        StoreAnswer::Hash(_) | StoreAnswer::Added => {
            unreachable!("a symlink resolution was answered with a hash or nothing")
        }
    }
}

/// Hands the host a text file made at a store path (`toFile`).
pub(crate) async fn add_text(co: &Co, path: String, contents: NixString) {
    match store(co, StoreRequest::AddText { path, contents }).await {
        StoreAnswer::Added => {}
        StoreAnswer::Hash(_) | StoreAnswer::Path(_) => {
            unreachable!("a text file added to the store was answered with a hash or a path")
        }
    }
}

pub(crate) async fn register_derivation(co: &Co, drv_path: String, known: KnownDrv) {
    co.yield_(Request::RegisterDerivation(Box::new((drv_path, known))))
        .await;
}

pub(crate) async fn lookup_derivation(co: &Co, drv_path: String) -> Option<KnownDrv> {
    match co.yield_(Request::LookupDerivation(drv_path)).await {
        Response::Derivation(d) => d.map(|d| *d),
        other => mismatched(&other),
    }
}

pub(crate) async fn warn(co: &Co, message: String, at: Option<Span>, context: String) {
    co.yield_(Request::Warn {
        message,
        at,
        context,
    })
    .await;
}

pub(crate) async fn trace(co: &Co, line: String) {
    co.yield_(Request::Trace(line)).await;
}

/// A reply of the wrong kind for the request: a scheduler bug, never a user error.
#[cold]
#[inline(never)]
fn mismatched(r: &Response) -> ! {
    let kind = match r {
        Response::Start => "Start",
        Response::Value(_) => "Value",
        Response::Error(_) => "Error",
        Response::Derivation(_) => "Derivation",
        Response::Io(_) => "Io",
        Response::Store(_) => "Store",
        Response::Done => "Done",
    };
    unreachable!("the scheduler answered a request with a mismatched {kind} response")
}

/// Runs an async body until its first request: its result if it needed none.
#[inline]
pub fn poll_once(body: impl Future<Output = Result<Value, Error>>) -> Option<Result<Value, Error>> {
    let body = std::pin::pin!(body);
    match body.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => Some(result),
        Poll::Pending => None,
    }
}
