//! gnix: a Nix-language evaluator whose VM keeps all evaluation state on the heap.
//!
//! A host program evaluates Nix through an [`Evaluator`] (one evaluation: its settings, IO,
//! global scope and import cache), made directly or from an [`Engine`] shared between
//! threads. Values stay lazy until read: the accessors (`as_int`, `attr`, `get`, ...) and
//! [`convert::from_nix`] force only what they read.
//!
//! ```
//! use gnix::{Evaluator, Settings};
//! use std::path::Path;
//!
//! let mut ev = Evaluator::new(Settings::default());
//! let config = ev.eval_expr(
//!     "let base = { replicas = 2; }; in base // { name = \"web\"; replicas = base.replicas * 3; }",
//!     Path::new("."),
//! )?;
//! assert_eq!(ev.names(&config)?, ["name", "replicas"]);
//! let replicas = ev.attr(&config, "replicas")?.expect("set above");
//! assert_eq!(ev.as_int(&replicas)?, 6);
//! # Ok::<(), gnix::Error>(())
//! ```
//!
//! The public modules are what a host needs: [`eval`] and [`engine`] (evaluations), [`run`]
//! (runs the host steps, awaits or cancels), [`io`] (everything an evaluation sees of the
//! world), [`settings`] (limits included), [`errors`], [`value`] and [`convert`] (reading and
//! making values), [`builtins`] and [`vm::request`] (the host's own builtins, declared as
//! gnix declares its own with [`declare_builtins!`]), [`select`] (`-A` paths and `--arg`),
//! [`print`](mod@print) and [`rawtext`] (output as bytes), [`paths`] and [`allocator`]. The parser, compiler and VM are internal.
//! `design/embedding.md` says how the embedding API is shaped and why;
//! `design/ARCHITECTURE.md` maps the whole crate.

#![deny(missing_docs)]

pub mod allocator;
pub mod builtins;
pub(crate) mod compiler;
pub mod convert;
mod corepkgs;
pub mod engine;
pub mod errors;
pub mod eval;
pub mod io;
pub mod paths;
pub mod print;
pub mod rawtext;
pub mod run;
pub mod select;
pub mod settings;
pub(crate) mod store;
pub(crate) mod syntax;
pub mod value;
pub mod vm;

/// gnix's parser, public only for tests/parser_differential.rs and tests/properties.rs,
/// which compare its trees and errors with rnix's parser's.
#[doc(hidden)]
pub use syntax::parser;

/// gnix's tokenizer, public only for tests/lexer_differential.rs, which compares its tokens
/// with rnix's tokenizer's.
#[doc(hidden)]
pub use syntax::lexer;

pub use engine::Engine;
pub use errors::{Error, ErrorClass};
pub use eval::Evaluator;
pub use run::Run;
pub use settings::Settings;
pub use value::Value;
