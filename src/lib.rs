//! gnix: a Nix-language evaluator whose VM keeps all evaluation state on the heap.
//!
//! The pipeline is `syntax` (rnix parse) → `compiler` (bytecode with resolved scopes) → `vm`
//! (one frame stack of bytecode, thunk and generator frames, driven by one scheduler loop) with
//! `value` shared by all of them and `builtins` written as generators. `eval` ties them into an
//! evaluation a host can run; `print` renders values as `nix-instantiate --eval` does.
//! Start with `ARCHITECTURE` in `design/`.

pub mod allocator;
pub mod builtins;
pub mod compiler;
pub mod convert;
pub mod engine;
pub mod errors;
pub mod eval;
pub mod io;
pub mod paths;
pub mod print;
pub mod rawtext;
pub mod run;
pub mod settings;
pub mod store;
pub mod syntax;
pub mod value;
pub mod vm;

pub use engine::Engine;
pub use errors::{Error, ErrorClass};
pub use eval::Evaluator;
pub use run::Run;
pub use settings::Settings;
pub use value::Value;
