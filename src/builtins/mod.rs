//! The builtins, grouped by domain. Each module declares its builtins in one
//! `declare_builtins!` table (`decl`): a row per builtin with its documentation, parameters and
//! flags, its body an ordinary function beside it. `globals` assembles the `builtins` set and
//! the names visible without `builtins.` from those declarations.

/// In a synchronous body: the value of a lazy argument, or (returning) the `Ret::Force` that
/// evaluates it and runs the body again.
macro_rules! forced {
    ($v:expr) => {
        match $v.whnf() {
            Some(v) => v,
            None => return Ok($crate::value::Ret::Force($v.clone())),
        }
    };
}

pub mod decl;

mod arith;
mod attrs;
mod context;
mod control;
mod derivation;
mod files;
mod flake;
mod hash;
mod json;
mod key_tree;
mod lists;
mod paths;
mod regex;
mod sort;
mod store_paths;
mod strings;
mod toml;
mod types;
mod versions;
mod xml;

pub(crate) use derivation::DERIVATION_NIX;
pub(crate) use json::to_json_string;
pub(crate) use xml::to_xml;

use crate::errors::Error;
use crate::io::EvalIo;
use crate::settings::Settings;
use crate::value::{Attrs, Builtin, NixString, Symbol, Thunk, ThunkState, Value, sym};
use crate::vm::ops::type_error;
use crate::vm::request::{Catch, Co, force, try_force};
use rustc_hash::FxHashMap as HashMap;
use smol_str::SmolStr;
use std::rc::Rc;

/// Every builtin function, as declared.
pub fn all() -> Vec<Builtin> {
    let mut all = Vec::new();
    all.extend(arith::builtins());
    all.extend(attrs::builtins());
    all.extend(control::builtins());
    all.extend(lists::builtins());
    all.extend(paths::builtins());
    all.extend(strings::builtins());
    all.extend(types::builtins());
    all.extend(context::builtins());
    all.extend(derivation::builtins());
    all.extend(files::builtins());
    all.extend(hash::builtins());
    all.extend(json::builtins());
    all.extend(regex::builtins());
    all.extend(sort::builtins());
    all.extend(versions::builtins());
    all.extend(toml::builtins());
    all.extend(xml::builtins());
    all.extend(flake::builtins());
    all.extend(store_paths::builtins());
    all
}

/// Of host builtins with the same name, the one given last.
fn last_of_each_name(mut host: Vec<Builtin>) -> Vec<Builtin> {
    let mut seen = std::collections::HashSet::new();
    host.reverse();
    host.retain(|b| seen.insert(b.name));
    host.reverse();
    host
}

/// A host builtin given as Nix source: its value is what the source evaluates to, in the
/// global scope (so it may use `builtins`, gnix's and the host's). Its name is a path like a
/// native host builtin's.
#[derive(Clone, Debug)]
pub struct NixBuiltin {
    /// Its path (`greet`, `myHost.double`).
    pub name: String,
    /// The Nix expression it is the value of.
    pub source: String,
    /// Whether its first path component is global (see `NixBuiltin::top_level`).
    pub top_level: bool,
}

impl NixBuiltin {
    /// `name` (a path: `greet`, `myHost.double`) is the value of `source`.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> NixBuiltin {
        NixBuiltin {
            name: name.into(),
            source: source.into(),
            top_level: false,
        }
    }

    /// Makes its first path component visible without `builtins.`, as `Builtin::top_level`.
    pub fn top_level(self) -> NixBuiltin {
        NixBuiltin {
            top_level: true,
            ..self
        }
    }
}

/// The global scope, and the placeholders it holds for values defined by Nix code, which can
/// only be compiled once the scope exists.
pub(crate) struct Globals {
    pub scope: HashMap<SmolStr, Value>,
    /// `derivation`'s placeholder (`DERIVATION_NIX`), if no host builtin replaced it.
    pub derivation: Option<Thunk>,
    /// A placeholder for each `NixBuiltin`, in order.
    pub nix: Vec<Thunk>,
}

/// Builtins by path: `myHost.add` is `add` in the set `myHost`. One put at a path replaces
/// what was there, or a value in its way (a later `readFile.x` replaces the builtin `readFile`
/// by a set).
#[derive(Default)]
struct Tree(HashMap<SmolStr, Node>);

enum Node {
    Leaf(Value),
    Set(Tree),
}

impl Tree {
    fn insert(&mut self, path: &str, v: Value) {
        let Some((first, rest)) = path.split_once('.') else {
            self.0.insert(SmolStr::new(path), Node::Leaf(v));
            return;
        };
        let node = self
            .0
            .entry(SmolStr::new(first))
            .or_insert_with(|| Node::Set(Tree::default()));
        if let Node::Leaf(_) = node {
            *node = Node::Set(Tree::default());
        }
        if let Node::Set(tree) = node {
            tree.insert(rest, v);
        }
    }

    fn into_entries(self) -> Vec<(Symbol, Value)> {
        let entry = |(name, node): (SmolStr, Node)| {
            let v = match node {
                Node::Leaf(v) => v,
                Node::Set(tree) => Value::attrs(Attrs::from_unsorted(tree.into_entries())),
            };
            (Symbol::from(name.as_str()), v)
        };
        self.0.into_iter().map(entry).collect()
    }
}

/// The first component of a builtin's path: the name it may have at the top level.
fn root(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// The global scope: every name a Nix file can use without defining it. The host's builtins
/// (`host`, declared as ours are; `nix`, given as source) join ours in `builtins` at their
/// paths (and at the top level where flagged), replacing any of ours at the same path, in
/// order (the last given wins); native ones are marked `host` (`Builtin::host`).
pub(crate) fn globals(
    settings: &Settings,
    io: &dyn EvalIo,
    host: Vec<Builtin>,
    nix: &[NixBuiltin],
) -> Globals {
    let mut tree = Tree::default();
    let mut top_level = vec!["derivation".to_string()];
    for (name, v) in constants(settings, io) {
        tree.insert(&name.to_str_lossy(), v);
    }
    // `derivation` is Nix code, compiled once the globals exist (`EvalState::with_host`).
    let derivation = Thunk::new(ThunkState::Blackhole);
    tree.insert("derivation", Value::Thunk(derivation.clone()));
    let host = last_of_each_name(host).into_iter().map(|b| Builtin {
        host: true,
        speculable: false,
        ..b
    });
    for b in all().into_iter().chain(host) {
        if b.top_level {
            top_level.push(root(b.name).to_string());
        }
        tree.insert(b.name, Value::builtin(b));
    }
    let mut placeholders = Vec::new();
    for def in nix {
        if def.top_level {
            top_level.push(root(&def.name).to_string());
        }
        let slot = Thunk::new(ThunkState::Blackhole);
        tree.insert(&def.name, Value::Thunk(slot.clone()));
        placeholders.push(slot);
    }
    let mut entries = tree.into_entries();
    let builtins_thunk = Thunk::new(ThunkState::Blackhole);
    entries.push(("builtins".into(), Value::Thunk(builtins_thunk.clone())));
    let derivation_kept = entries
        .iter()
        .any(|(_, v)| matches!(v, Value::Thunk(t) if t.ptr_eq(&derivation)));
    let set = Value::attrs(Attrs::from_unsorted(entries.clone()));
    builtins_thunk.finish(set.clone());

    let mut globals = HashMap::default();
    for (name, v) in &entries {
        let name = name.to_str_lossy();
        if top_level.iter().any(|t| t == name.as_ref()) {
            globals.insert(SmolStr::new(name.as_ref()), v.clone());
        }
        globals.insert(SmolStr::new(format!("__{name}")), v.clone());
    }
    globals.insert(SmolStr::new("builtins"), set);
    globals.insert(SmolStr::new("true"), Value::bool(true));
    globals.insert(SmolStr::new("false"), Value::bool(false));
    globals.insert(SmolStr::new("null"), Value::Null);
    Globals {
        scope: globals,
        derivation: derivation_kept.then_some(derivation),
        nix: placeholders,
    }
}

fn constants(settings: &Settings, io: &dyn EvalIo) -> Vec<(Symbol, Value)> {
    vec![
        ("langVersion".into(), Value::Int(6)),
        ("currentTime".into(), Value::Int(io.now())),
        ("nixVersion".into(), Value::string("2.18.0")),
        (
            "storeDir".into(),
            Value::string(settings.store_dir.as_str()),
        ),
        (
            "currentSystem".into(),
            Value::string(settings.system.as_str()),
        ),
        ("nixPath".into(), paths::nix_path(settings, io)),
        ("true".into(), Value::bool(true)),
        ("false".into(), Value::bool(false)),
        ("null".into(), Value::Null),
    ]
}

// Helpers builtins are written with: force a value and check its type.

/// An error about a value a builtin evaluates in its body gets the line C++ Nix adds for that
/// value (`while evaluating a value of the list passed to builtins.concatLists`), with no
/// position: the call's line says where.
pub(crate) fn within(what: &'static str) -> impl FnOnce(Error) -> Error {
    move |mut e| {
        e.add_trace(None, what);
        e
    }
}

/// A string a builtin evaluates in its body, as C++ Nix's `forceString` with a context:
/// every error evaluating it, or about its type, gets the line `what`.
pub(crate) async fn force_string_within(
    co: &Co,
    v: Value,
    what: &'static str,
) -> Result<NixString, Error> {
    let v = try_force(co, v, Catch::Any).await.map_err(within(what))?;
    string_of(&v).cloned().map_err(within(what))
}

pub(crate) async fn force_bool(co: &Co, v: Value) -> Result<bool, Error> {
    match force(co, v).await {
        Value::Bool(b) => Ok(b.get()),
        other => Err(type_error("a Boolean", &other)),
    }
}

pub(crate) async fn force_list(co: &Co, v: Value) -> Result<Rc<crate::value::NixList>, Error> {
    match force(co, v).await {
        Value::List(l) => Ok(l),
        other => Err(type_error("a list", &other)),
    }
}

pub(crate) async fn force_attrs(co: &Co, v: Value) -> Result<Rc<Attrs>, Error> {
    match force(co, v).await {
        Value::Attrs(a) => Ok(a),
        other => Err(type_error("a set", &other)),
    }
}

/// A string value (no coercion), context kept.
pub(crate) async fn force_string(co: &Co, v: Value) -> Result<NixString, Error> {
    match force(co, v).await {
        Value::String(s) => Ok(s),
        other => Err(type_error("a string", &other)),
    }
}

pub(crate) async fn force_function(co: &Co, v: Value) -> Result<Value, Error> {
    match force(co, v).await {
        f @ (Value::Closure(_) | Value::Builtin(_)) => Ok(f),
        Value::Attrs(a) if a.contains(sym!("__functor")) => Ok(Value::Attrs(a)),
        other => Err(type_error("a function", &other)),
    }
}

/// Whether `f` can be applied without forcing anything first.
pub(crate) fn is_callable(f: &Value) -> bool {
    match f {
        Value::Closure(_) | Value::Builtin(_) => true,
        Value::Attrs(a) => a.contains(sym!("__functor")),
        _ => false,
    }
}

/// An evaluated value that must be a function (a `__functor` set is one).
pub(crate) fn function_of(f: &Value) -> Result<Value, Error> {
    match f {
        f if is_callable(f) => Ok(f.clone()),
        other => Err(type_error("a function", other)),
    }
}

/// A string value that must not have a context (C++ Nix's `forceStringNoCtx`).
pub(crate) async fn force_string_no_ctx(co: &Co, v: Value) -> Result<NixString, Error> {
    let s = force_string(co, v).await?;
    string_no_ctx_of(&Value::String(s.clone()))?;
    Ok(s)
}

// Type checks on values already in weak head normal form (for `strict!` builtins).

pub(crate) fn list_of(v: &Value) -> Result<&Rc<crate::value::NixList>, Error> {
    match v {
        Value::List(l) => Ok(l),
        other => Err(type_error("a list", other)),
    }
}

pub(crate) fn attrs_of(v: &Value) -> Result<&Rc<Attrs>, Error> {
    match v {
        Value::Attrs(a) => Ok(a),
        other => Err(type_error("a set", other)),
    }
}

pub(crate) fn int_of(v: &Value) -> Result<i64, Error> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_error("an integer", other)),
    }
}

pub(crate) fn string_of(v: &Value) -> Result<&NixString, Error> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(type_error("a string", other)),
    }
}

/// An evaluated string that must not have a context (C++ Nix's `forceStringNoCtx`).
pub(crate) fn string_no_ctx_of(v: &Value) -> Result<&NixString, Error> {
    let s = string_of(v)?;
    match s.context() {
        Some(_) => Err(crate::vm::ops::context_not_allowed(s)),
        None => Ok(s),
    }
}
