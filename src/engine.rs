//! The engine: what a host sets up once and shares between threads, and makes evaluations from.
//!
//! An `Evaluator` is one evaluation: its values, its import cache, its global scope. Values are
//! per-thread (reference counts without atomics, a per-thread cycle collector), so an
//! evaluation stays on the thread that made it, and a builtin, whose body may hold values, is
//! per-thread too. A host serving requests on many threads still wants to configure Nix once:
//! the settings, which files evaluations see, its own builtins. So the engine holds recipes,
//! not values: the settings, and factories (`Send + Sync` closures) that make each
//! evaluation's IO and host builtins on the thread that asks for it. Cloning an engine clones
//! an `Arc`; `Engine::evaluation` makes a fresh evaluation, and dropping that evaluation frees
//! everything it allocated (its cycles included: see `design/values.md`, "Cycles").

use crate::builtins::NixBuiltin;
use crate::io::{EvalIo, StdIo};
use crate::value::Builtin;
use crate::{Evaluator, Settings};
use std::sync::Arc;

/// Makes one evaluation's IO.
type IoFactory = Arc<dyn Fn() -> Box<dyn EvalIo> + Send + Sync>;
/// Makes one evaluation's host builtins.
type BuiltinsFactory = Arc<dyn Fn() -> Vec<Builtin> + Send + Sync>;

/// Settings, IO and host builtins, set once and shared (`Send + Sync`, cheap to clone), from
/// which evaluations are made.
///
/// ```
/// use gnix::io::MemoryIo;
/// use gnix::value::{Builtin, Ret, Value};
/// use gnix::{Engine, Settings};
/// use std::path::Path;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicI64, Ordering};
///
/// // State the host shares between its threads, reached through a builtin of its own.
/// let next_id = Arc::new(AtomicI64::new(100));
/// let engine = Engine::new(Settings { max_steps: 1_000_000, ..Settings::default() })
///     .with_io(|| Box::new(MemoryIo::new().file("/etc/app.nix", "{ port = 8080; }")))
///     .with_builtins(move || {
///         let next_id = next_id.clone();
///         vec![Builtin::from_fn("nextId", &["unit"], &[false], move |_: &[Value]| {
///             Ok(Ret::Value(Value::Int(next_id.fetch_add(1, Ordering::Relaxed))))
///         })]
///     });
///
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let engine = engine.clone();
///         std::thread::spawn(move || {
///             let mut ev = engine.evaluation();
///             let expr = "(import /etc/app.nix).port + builtins.nextId null * 0";
///             let v = ev.eval_expr(expr, Path::new("/")).unwrap();
///             ev.as_int(&v).unwrap()
///         })
///     })
///     .collect();
/// for w in workers {
///     assert_eq!(w.join().unwrap(), 8080);
/// }
/// ```
#[derive(Clone)]
pub struct Engine(Arc<Parts>);

#[derive(Clone)]
struct Parts {
    settings: Settings,
    io: IoFactory,
    builtins: Vec<BuiltinsFactory>,
    nix: Vec<NixBuiltin>,
}

impl Engine {
    /// An engine whose evaluations see the machine (`StdIo`) and gnix's builtins only.
    pub fn new(settings: Settings) -> Engine {
        Engine(Arc::new(Parts {
            settings,
            io: Arc::new(|| Box::new(StdIo)),
            builtins: Vec::new(),
            nix: Vec::new(),
        }))
    }

    /// Each evaluation's IO is made by `make` (an `EvalIo` is the only way an evaluation sees
    /// files, the environment, the clock and the working directory).
    pub fn with_io(self, make: impl Fn() -> Box<dyn EvalIo> + Send + Sync + 'static) -> Engine {
        self.change(|parts| parts.io = Arc::new(make))
    }

    /// Each evaluation also gets the builtins `make` returns, besides gnix's and those of
    /// earlier calls (a later one with the same name wins; see `Evaluator::with_builtins`).
    pub fn with_builtins(self, make: impl Fn() -> Vec<Builtin> + Send + Sync + 'static) -> Engine {
        self.change(|parts| parts.builtins.push(Arc::new(make)))
    }

    /// Each evaluation also gets these builtins given as Nix source, after the native ones (a
    /// later one at the same path wins). Their code is compiled in each evaluation; code that
    /// does not compile gives its error where the builtin is used.
    pub fn with_nix_builtins(self, defs: impl IntoIterator<Item = NixBuiltin>) -> Engine {
        self.change(|parts| parts.nix.extend(defs))
    }

    /// The settings every evaluation starts with.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// A fresh evaluation on the calling thread, with the engine's settings, a new IO and new
    /// host builtins.
    pub fn evaluation(&self) -> Evaluator {
        let parts = &self.0;
        let builtins = parts.builtins.iter().flat_map(|make| make()).collect();
        Evaluator::with_host(parts.settings.clone(), (parts.io)(), builtins, &parts.nix)
    }

    fn change(mut self, edit: impl FnOnce(&mut Parts)) -> Engine {
        edit(Arc::make_mut(&mut self.0));
        self
    }
}
