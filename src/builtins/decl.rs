//! How a builtin is declared: once, as one row of a `declare_builtins!` table, with its one
//! body beside it as an ordinary function.
//!
//! A row names the builtin as Nix sees it, says which of its parameters are strict (the
//! scheduler evaluates those before the body runs) and which are lazy, carries the builtin's
//! documentation with at least one example (run as a test: `tests/builtin_docs.rs`), and its
//! flags: `top_level` (visible without `builtins.`), `speculable` (see `Builtin::speculable`),
//! `speculable_on_scalars` (`Builtin::scalars_only`).
//! Everything else the VM needs (arity, the strictness mask, the name lists, the synchronous
//! attempt of an async body) is derived from the row, so nothing can disagree with it.
//!
//! ```ignore
//! declare_builtins! {
//!     /// The number of elements of a list.
//!     ///
//!     /// ```nix
//!     /// builtins.length [ 1 2 3 ]
//!     /// => 3
//!     /// ```
//!     "length" [speculable] => fn length(list: Strict);
//!
//!     /// Applies a function to each element of a list, lazily.
//!     ///
//!     /// ```nix
//!     /// map (x: x * 2) [ 1 2 ]
//!     /// => [ 2 4 ]
//!     /// ```
//!     "map" [top_level] => fn map(f: Lazy, list: Strict);
//!
//!     /// Converts a value to JSON text.
//!     ///
//!     /// ```nix
//!     /// builtins.toJSON { a = [ 1 ]; }
//!     /// => "{\"a\":[1]}"
//!     /// ```
//!     "toJSON" => async fn to_json(value: Lazy);
//! }
//! ```
//!
//! A `fn` body is `fn(&Value, ...) -> Result<impl Into<Ret>, Error>`: it computes on its
//! arguments without evaluating anything, and may answer `Ret::Force` (evaluate this, then run
//! me again) or `Ret::Loop` (call a function per element as a loop frame). An `async fn` body is
//! `async fn(Co, Value, ...) -> Result<Value, Error>` and awaits forcing and calls through the
//! `vm::request` helpers; it is first run on the spot with a detached `Co`, and only becomes a
//! generator if it makes a request. So most calls of either kind make no generator.
//!
//! The macro expands to `pub fn builtins() -> Vec<Builtin>` in the module that invokes it; the
//! bodies may be private functions of that module.

/// A parameter the scheduler evaluates before the body runs.
pub struct Strict;
/// A parameter the body gets as it was passed (possibly an unevaluated thunk).
pub struct Lazy;

/// A parameter kind of a declaration.
pub trait Param {
    /// Whether the scheduler evaluates the parameter before the body runs.
    const STRICT: bool;
}

impl Param for Strict {
    const STRICT: bool = true;
}

impl Param for Lazy {
    const STRICT: bool = false;
}

/// Declares builtins: see the module documentation. A host declares its own the same way,
/// in a module of its own, and passes that module's `builtins()` to the evaluator:
///
/// ```
/// mod host {
///     use gnix::vm::request::{Co, force};
///     use gnix::{Error, Value};
///
///     gnix::declare_builtins! {
///         /// Adds two integers.
///         ///
///         /// ```nix
///         /// builtins.myHost.add 1 2
///         /// => 3
///         /// ```
///         "myHost.add" => fn add(a: Strict, b: Strict);
///
///         /// The sum of a list of integers, forcing each as it goes.
///         ///
///         /// ```nix
///         /// builtins.myHost.sum [ 1 (1 + 1) ]
///         /// => 3
///         /// ```
///         "myHost.sum" => async fn sum(list: Strict);
///     }
///
///     fn int(v: &Value) -> Result<i64, Error> {
///         match v {
///             Value::Int(i) => Ok(*i),
///             other => Err(Error::new(format!("expected an integer, got {}", other.type_name()))),
///         }
///     }
///
///     fn add(a: &Value, b: &Value) -> Result<Value, Error> {
///         Ok(Value::Int(int(a)? + int(b)?))
///     }
///
///     async fn sum(co: Co, list: Value) -> Result<Value, Error> {
///         let Value::List(items) = list else {
///             return Err(Error::new("expected a list"));
///         };
///         let mut total = 0;
///         for item in items.iter() {
///             total += int(&force(&co, item.clone()).await)?;
///         }
///         Ok(Value::Int(total))
///     }
/// }
///
/// let io = Box::new(gnix::io::StdIo);
/// let mut ev = gnix::Evaluator::with_builtins(gnix::Settings::default(), io, host::builtins());
/// let v = ev.eval_expr("builtins.myHost.sum [ 1 (builtins.myHost.add 2 3) ]", ".".as_ref())?;
/// assert_eq!(ev.as_int(&v)?, 6);
/// # Ok::<(), gnix::Error>(())
/// ```
#[macro_export]
macro_rules! declare_builtins {
    (@rows [$($done:expr,)*]) => {
        /// The builtins this module declares.
        pub fn builtins() -> Vec<$crate::value::Builtin> {
            vec![$($done),*]
        }
    };
    (@rows [$($done:expr,)*]
        $(#[doc = $doc:literal])*
        $name:literal $([$($flag:ident),*])? => fn $f:ident($($p:ident: $k:ident),* $(,)?);
        $($rest:tt)*
    ) => {
        $crate::declare_builtins!(@rows [$($done,)* $crate::value::Builtin::new(
            $name,
            concat!($($doc, "\n"),*),
            &[$(stringify!($p)),*],
            &[$(<$crate::builtins::decl::$k as $crate::builtins::decl::Param>::STRICT),*],
            $crate::value::Body::Sync(Box::new({
                fn run(
                    args: &[$crate::value::Value],
                ) -> Result<$crate::value::Ret, $crate::errors::Error> {
                    let [$($p),*] = args else {
                        unreachable!(concat!("builtin ", $name, " called with a wrong arity"))
                    };
                    $f($($p),*).map(Into::into)
                }
                run
            })),
            file!(),
        )$($(.$flag())*)?,] $($rest)*);
    };
    (@rows [$($done:expr,)*]
        $(#[doc = $doc:literal])*
        $name:literal $([$($flag:ident),*])? => async fn $f:ident($($p:ident: $k:ident),* $(,)?);
        $($rest:tt)*
    ) => {
        $crate::declare_builtins!(@rows [$($done,)* $crate::value::Builtin::new(
            $name,
            concat!($($doc, "\n"),*),
            &[$(stringify!($p)),*],
            &[$(<$crate::builtins::decl::$k as $crate::builtins::decl::Param>::STRICT),*],
            $crate::value::Body::Async {
                attempt: Box::new({
                    fn attempt(
                        args: &[$crate::value::Value],
                    ) -> Option<Result<$crate::value::Value, $crate::errors::Error>> {
                        let [$($p),*] = args else {
                            unreachable!(concat!("builtin ", $name, " called with a wrong arity"))
                        };
                        $crate::value::request::poll_once(
                            $f($crate::vm::request::Co::detached(), $($p.clone()),*),
                        )
                    }
                    attempt
                }),
                spawn: Box::new({
                    fn spawn(args: Vec<$crate::value::Value>) -> $crate::vm::request::BuiltinGen {
                        // The body's own future is the generator's (no wrapper to poll through
                        // on every resume).
                        let mut args = args.into_iter();
                        $(let $p = args.next().unwrap_or_else(|| {
                            unreachable!(concat!("builtin ", $name, " called with a wrong arity"))
                        });)*
                        $crate::vm::request::generator(move |co| $f(co, $($p),*))
                    }
                    spawn
                }),
            },
            file!(),
        )$($(.$flag())*)?,] $($rest)*);
    };
    (@rows [$($done:expr,)*] $($rest:tt)+) => {
        compile_error!(
            "declare_builtins!: each row reads `\"name\" [flags] => fn body(param: Strict, ...);` \
             or `... => async fn ...`, after its doc comment"
        );
    };
    ($($rows:tt)*) => {
        $crate::declare_builtins!(@rows [] $($rows)*);
    };
}
