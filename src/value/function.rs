//! Functions: lambdas (compiled code plus the scope they close over, see `scope`) and builtins
//! (a generator factory plus the arguments applied so far).

use super::code::Chunk;
use super::request::BuiltinGen;
use super::scope::Env;
use super::{Args, Symbol, Value};
use crate::errors::Span;
use smol_str::SmolStr;
use std::rc::Rc;

/// A lambda's formal parameters when it takes an attribute set pattern.
pub(crate) struct Formals {
    /// Names in source order, with the default's code if there is one; slot `i` holds entry `i`.
    pub entries: Vec<(Symbol, Option<Rc<Chunk>>)>,
    /// Where each formal is written (`unsafeGetAttrPos` on `functionArgs`).
    pub positions: Vec<Span>,
    pub ellipsis: bool,
    /// The lambda's name for messages (`anonymous lambda` when it has none).
    pub name: String,
    /// Slot of the `@` binding, if any.
    pub bind_slot: Option<usize>,
}

/// A compiled lambda.
pub(crate) struct Lambda {
    pub chunk: Rc<Chunk>,
    pub formals: Option<Rc<Formals>>,
    /// The name it was bound to (`f = x: ...`), for traces.
    pub name: Option<SmolStr>,
    /// The argument's name: `x` in `x: ...`, the `@` name of a pattern (for `toXML`).
    pub arg: Option<SmolStr>,
    /// Slots of its scope: the argument (or each formal, the `@` binding and the argument).
    /// The first `merged` of them belong to the curried lambdas it is the body of.
    pub nslots: usize,
    /// For the inner lambda of `x: y: ...`: how many slots its scope shares with the outer
    /// lambda's (see `Closure`). 0 for any other lambda.
    pub merged: usize,
    /// The lambda expression's position (where a call of it is placed in traces).
    pub span: Span,
    /// `file:line:column`, for `«lambda @ ...»` in messages.
    pub position: String,
    /// For `x: <lambda>`: the inner lambda, which a call builds without running any code.
    pub curried: Option<Rc<Lambda>>,
}

/// A lambda and the scope it was made in.
///
/// The inner lambda of `x: y: body` shares one scope with the outer lambda: `body` sees `x`
/// and `y` as slots 0 and 1 of its own scope, so applying both at once makes one environment,
/// not two. Applied to `x` alone, the outer lambda gives a closure of the inner one whose `env`
/// holds just the `merged` shared slots, its parent the outer lambda's captured scope; calling
/// that closure copies them into the inner lambda's full scope.
pub struct Closure {
    pub(crate) lambda: Rc<Lambda>,
    pub(crate) env: Env,
}

impl Closure {
    /// Applies a curried lambda (`x: y: ...`) to its first argument: the inner closure, made
    /// directly, as running the body would. `None` for any other lambda.
    #[inline]
    pub(crate) fn apply_curried(&self, arg: Value) -> Option<Value> {
        let inner = self.lambda.curried.as_ref()?;
        let env = self.lambda.scope(&self.env, self.lambda.nslots);
        env.set(self.lambda.nslots - 1, arg);
        Some(Value::Closure(super::rc_new(|| Closure {
            lambda: inner.clone(),
            env,
        })))
    }
}

impl Lambda {
    /// A new scope of `size` slots for a call of this lambda closed over `captured`: a child
    /// of `captured`, or for a lambda that shares slots with the lambdas around it, a sibling
    /// with the shared slots copied in. The argument's slot is left for the caller.
    #[inline(always)]
    pub fn scope(&self, captured: &Env, size: usize) -> Env {
        match self.merged {
            0 => Env::new(Some(captured.clone()), size),
            _ => self.shared_scope(captured, size),
        }
    }

    /// The one scope of a curried `a: b: ...` (this lambda, closed over `captured`) applied
    /// to both arguments at once, when `inner`, its body, extends this lambda's scope
    /// (`inner.merged > 0`): `a` in this lambda's slot, `b` in the inner one's last.
    #[inline(always)]
    pub fn scope_of_both(&self, inner: &Lambda, captured: &Env, a: Value, b: Value) -> Env {
        let n = inner.nslots;
        let env = self.scope(captured, n);
        env.set(self.nslots - 1, a);
        env.set(n - 1, b);
        env
    }

    fn shared_scope(&self, captured: &Env, size: usize) -> Env {
        let env = Env::new(captured.parent().cloned(), size);
        for slot in 0..self.merged {
            if let Some(v) = captured.get(slot) {
                env.set(slot, v.clone());
            }
        }
        env
    }
}

/// A primitive operation, as its declaration (`builtins::decl`) describes it: a name, its
/// parameters (each strict or lazy), its documentation and its one body.
pub struct Builtin {
    /// Its name as Nix sees it (`hostGreet`, or a path such as `myHost.add`).
    pub name: &'static str,
    /// The declaration's doc comment, examples included (`builtins::decl`).
    pub doc: &'static str,
    /// Its parameters' names, as declared.
    pub params: &'static [&'static str],
    pub(crate) arity: usize,
    /// Bit `i` set: parameter `i` is strict. The scheduler evaluates those arguments, in
    /// increasing `i`, before the body runs: the body sees them in weak head normal form.
    pub(crate) strict: u8,
    /// Visible without the `builtins.` prefix (`map`, `toString`, ...).
    pub top_level: bool,
    /// The body costs little whatever the arguments (no copy of a list or set, no walk): a
    /// call on evaluated arguments may be made ahead of need (`vm::speculate`), by a
    /// synchronous body or by an async body's attempt that needs no request.
    pub speculable: bool,
    /// Speculable only on arguments that hold no further values (`Value::holds_values`: no
    /// non-empty list or set, no function): `toString` of an integer or a string costs
    /// nothing, of a list it is a walk.
    pub scalars_only: bool,
    /// An error leaving it gets a `while calling the 'name' builtin` line; off for a builtin
    /// that adds a context line of its own instead (`addErrorContext`; C++ Nix's
    /// `PrimOp::addTrace`).
    pub call_trace: bool,
    /// What it computes.
    pub body: Body,
    /// Supplied by the host embedding gnix (`Evaluator::with_builtins`), not by gnix: a panic in
    /// its body is caught and becomes an error, and it is never speculated.
    pub(crate) host: bool,
    /// The source file that declares it (`file!()`), for the builtin index and messages.
    pub source: &'static str,
}

/// A builtin's one body. Its parts are boxed closures, so a host's builtins can carry state;
/// gnix's own are plain functions (a boxed function item allocates nothing).
pub enum Body {
    /// Computes on its arguments (the strict ones evaluated) without evaluating anything: a
    /// plain function call, no frame, no generator.
    Sync(SyncFn),
    /// Straight-line async code that awaits forcing and calls (`vm::request`). `attempt` runs
    /// the same body on the spot and gives up (`None`) at its first request, which is common
    /// where everything it forces is already evaluated; then `spawn` runs it as a generator
    /// from the start.
    Async {
        /// The body run on the spot, `None` at its first request.
        attempt: AttemptFn,
        /// The body run as a generator.
        spawn: SpawnFn,
    },
}

/// A synchronous body (see `Body::Sync`).
pub type SyncFn = Box<dyn Fn(&[Value]) -> Result<Ret, crate::errors::Error>>;
/// An async body run on the spot until its first request (see `Body::Async`).
pub type AttemptFn = Box<dyn Fn(&[Value]) -> Option<Result<Value, crate::errors::Error>>>;
/// An async body made into a generator (see `Body::Async`).
pub type SpawnFn = Box<dyn Fn(Vec<Value>) -> BuiltinGen>;

/// What a synchronous body answers.
pub enum Ret {
    /// The builtin's value (a thunk is forced: calls answer in weak head normal form).
    Value(Value),
    /// Evaluate this value (an argument the body turned out to need, such as `map`'s function
    /// once the list is known not to be empty), then run the body again with the same
    /// arguments. The body must be cheap to rerun, and must not ask twice for the same value.
    Force(Value),
    /// Call a function per list element as a loop frame and make the builtin's value from the
    /// results (`filter`, `foldl'`, ...: `vm::loops`).
    Loop(super::request::Loop),
}

impl From<Value> for Ret {
    #[inline]
    fn from(v: Value) -> Ret {
        Ret::Value(v)
    }
}

impl Builtin {
    /// A builtin from its declaration's parts (`strict[i]`: parameter `params[i]` is strict).
    pub fn new(
        name: &'static str,
        doc: &'static str,
        params: &'static [&'static str],
        strict: &[bool],
        body: Body,
        source: &'static str,
    ) -> Builtin {
        assert!(strict.len() <= 8, "builtin {name}: at most 8 parameters");
        let mask = strict
            .iter()
            .enumerate()
            .fold(0u8, |m, (i, s)| m | (u8::from(*s) << i));
        Builtin {
            name,
            doc,
            params,
            arity: strict.len(),
            strict: mask,
            top_level: false,
            speculable: false,
            scalars_only: false,
            call_trace: true,
            body,
            host: false,
            source,
        }
    }

    /// A builtin from a synchronous closure over the arguments (`strict[i]`: parameter
    /// `params[i]` is strict): what `declare_builtins!` makes of a `fn` row, for a host whose
    /// body captures state.
    pub fn from_fn(
        name: &'static str,
        params: &'static [&'static str],
        strict: &[bool],
        body: impl Fn(&[Value]) -> Result<Ret, crate::errors::Error> + 'static,
    ) -> Builtin {
        Builtin::new(name, "", params, strict, Body::Sync(Box::new(body)), "host")
    }

    /// A builtin from an async closure over the arguments: what `declare_builtins!` makes of
    /// an `async fn` row, for a host whose body captures state. Each call clones the closure
    /// into the body it runs.
    pub fn from_async<F, Fut>(
        name: &'static str,
        params: &'static [&'static str],
        strict: &[bool],
        body: F,
    ) -> Builtin
    where
        F: Fn(super::request::Co, Vec<Value>) -> Fut + Clone + 'static,
        Fut: std::future::Future<Output = Result<Value, crate::errors::Error>> + 'static,
    {
        let on_the_spot = body.clone();
        let attempt = move |args: &[Value]| {
            super::request::poll_once(on_the_spot(super::request::Co::detached(), args.to_vec()))
        };
        let spawn = move |args: Vec<Value>| {
            let body = body.clone();
            super::request::generator(move |co| body(co, args))
        };
        let body = Body::Async {
            attempt: Box::new(attempt),
            spawn: Box::new(spawn),
        };
        Builtin::new(name, "", params, strict, body, "host")
    }

    /// Whether parameter `i` is strict: evaluated by the scheduler before the body runs.
    pub fn is_strict(&self, i: usize) -> bool {
        i < 8 && self.strict & (1 << i) != 0
    }

    /// Marks it visible without the `builtins.` prefix.
    pub fn top_level(self) -> Builtin {
        Builtin {
            top_level: true,
            ..self
        }
    }

    /// Marks it speculable (see `Builtin::speculable`).
    pub fn speculable(self) -> Builtin {
        Builtin {
            speculable: true,
            ..self
        }
    }

    /// Marks it speculable on arguments that are not lists, sets or functions (see
    /// `Builtin::scalars_only`).
    pub fn speculable_on_scalars(self) -> Builtin {
        Builtin {
            speculable: true,
            scalars_only: true,
            ..self
        }
    }

    /// Leaves the `while calling` line out of the trace of its errors (see
    /// `Builtin::call_trace`).
    pub fn no_call_trace(self) -> Builtin {
        Builtin {
            call_trace: false,
            ..self
        }
    }
}

/// A builtin with some (possibly zero) of its arguments applied.
pub struct PartialApp {
    pub(crate) builtin: Rc<Builtin>,
    pub(crate) args: Args,
}

impl PartialApp {
    /// The builtin's name.
    pub fn name(&self) -> &'static str {
        self.builtin.name
    }

    /// How many of its arguments it has been given.
    pub fn applied(&self) -> usize {
        self.args.len()
    }
}

impl Drop for PartialApp {
    fn drop(&mut self) {
        std::mem::take(&mut self.args)
            .into_iter()
            .for_each(super::drop::release);
    }
}
