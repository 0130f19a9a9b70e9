//! Attribute set builtins.

use super::{
    attrs_of, force_attrs, force_list, force_string, function_of, list_of, string_no_ctx_of,
    string_of, within,
};
use crate::errors::Error;
use crate::errors::Span;
use crate::value::NixString;
use crate::value::{Attrs, Calls, Over, Symbol, Thunk, Value, sym};
use crate::vm::request::{Catch, Co, force, position, try_force};

crate::declare_builtins! {
    /// The names of a set's attributes, sorted.
    ///
    /// ```nix
    /// builtins.attrNames { b = 1; a = 2; "1" = 3; }
    /// => [ "1" "a" "b" ]
    /// ```
    "attrNames" => fn attr_names(set: Strict);

    /// The values of a set's attributes, in the order of their sorted names (not evaluated).
    ///
    /// ```nix
    /// builtins.attrValues { b = 1; a = 2; }
    /// => [ 2 1 ]
    /// ```
    "attrValues" => fn attr_values(set: Strict);

    /// Whether a set has an attribute of the given name (as `set ? ${name}`).
    ///
    /// ```nix
    /// [ (builtins.hasAttr "a" { a = null; }) (builtins.hasAttr "b" { a = null; }) ]
    /// => [ true false ]
    /// ```
    "hasAttr" [speculable] => fn has_attr(name: Strict, set: Strict);

    /// The attribute of the given name (as `set.${name}`); an error if the set has none.
    ///
    /// ```nix
    /// builtins.getAttr "a" { a = 1; }
    /// => 1
    /// ```
    ///
    /// ```nix
    /// builtins.getAttr "b" { a = 1; }
    /// => error: attribute 'b' missing
    /// ```
    "getAttr" [speculable] => fn get_attr(name: Strict, set: Strict);

    /// The set without the attributes named in the list (names it does not have are
    /// ignored).
    ///
    /// ```nix
    /// removeAttrs { a = 1; b = 2; c = 3; } [ "a" "c" "z" ]
    /// => { b = 2; }
    /// ```
    "removeAttrs" [top_level] => async fn remove_attrs(set: Strict, names: Strict);

    /// A set from a list of `{ name = ...; value = ...; }` sets. Where a name comes more than
    /// once, the first wins. The values are not evaluated.
    ///
    /// ```nix
    /// builtins.listToAttrs [ { name = "a"; value = 1; } { name = "b"; value = 2; } { name = "a"; value = 3; } ]
    /// => { a = 1; b = 2; }
    /// ```
    "listToAttrs" => async fn list_to_attrs(list: Strict);

    /// Applies a function to each attribute's name and value: `f name value`. Lazy: each new
    /// value is computed when it is needed.
    ///
    /// ```nix
    /// builtins.mapAttrs (name: value: name + value) { a = "1"; b = "2"; }
    /// => { a = "a1"; b = "b2"; }
    /// ```
    ///
    /// ```nix
    /// builtins.attrNames (builtins.mapAttrs (name: value: throw "not evaluated") { a = 1; })
    /// => [ "a" ]
    /// ```
    "mapAttrs" => fn map_attrs(f: Lazy, set: Strict);

    /// The attributes of `e2` whose names are also in `e1` (the values come from `e2`).
    ///
    /// ```nix
    /// builtins.intersectAttrs { a = 0; b = 0; } { b = 2; c = 3; }
    /// => { b = 2; }
    /// ```
    "intersectAttrs" => fn intersect_attrs(e1: Strict, e2: Strict);

    /// The values of the named attribute in the sets of a list that have it, in list order.
    ///
    /// ```nix
    /// builtins.catAttrs "a" [ { a = 1; } { b = 0; } { a = 2; } ]
    /// => [ 1 2 ]
    /// ```
    "catAttrs" => async fn cat_attrs(name: Strict, list: Strict);

    /// The formal parameters of a function that takes a set pattern, each mapped to whether
    /// it has a default; `{ }` for any other function (builtins included).
    ///
    /// ```nix
    /// builtins.functionArgs ({ a, b ? 1, ... }: a)
    /// => { a = false; b = true; }
    /// ```
    ///
    /// ```nix
    /// builtins.functionArgs (x: x)
    /// => { }
    /// ```
    "functionArgs" => fn function_args(f: Strict);

    /// Merges a list of sets: each name found in any of them is mapped to
    /// `f name [ values ]`, its values in list order. Lazy: `f` is called when a value is
    /// needed.
    ///
    /// ```nix
    /// builtins.zipAttrsWith (name: values: values) [ { a = 1; } { a = 2; b = 3; } ]
    /// => { a = [ 1 2 ]; b = [ 3 ]; }
    /// ```
    "zipAttrsWith" => async fn zip_attrs_with(f: Strict, list: Lazy);

    /// Where an attribute of a set is defined, `{ column; file; line; }`, or `null` if the set
    /// has no such attribute or its position is not known.
    ///
    /// ```nix
    /// removeAttrs (builtins.unsafeGetAttrPos "a" { a = 1; }) [ "file" ]
    /// => { column = 46; line = 1; }
    /// ```
    ///
    /// ```nix
    /// builtins.unsafeGetAttrPos "b" { a = 1; }
    /// => null
    /// ```
    "unsafeGetAttrPos" => async fn unsafe_get_attr_pos(name: Strict, set: Lazy);
}

fn attr_names(set: &Value) -> Result<Value, Error> {
    let a = attrs_of(set)?;
    Ok(Value::list(
        a.keys().map(|k| Value::String(k.to_nix_string())).collect(),
    ))
}

fn attr_values(set: &Value) -> Result<Value, Error> {
    Ok(Value::list(attrs_of(set)?.values().cloned().collect()))
}

fn has_attr(name: &Value, set: &Value) -> Result<Value, Error> {
    let name = string_no_ctx_of(name)?;
    Ok(Value::bool(attrs_of(set)?.get_string(name).is_some()))
}

fn get_attr(name: &Value, set: &Value) -> Result<Value, Error> {
    let name = string_no_ctx_of(name)?;
    attrs_of(set)?
        .get_string(name)
        .cloned()
        .ok_or_else(|| crate::vm::ops::missing_named(&name.to_string()))
}

async fn remove_attrs(co: Co, set: Value, names: Value) -> Result<Value, Error> {
    let a = attrs_of(&set)?;
    let names = list_of(&names)?;
    let mut remove = Vec::with_capacity(names.len());
    for n in names.iter() {
        let name = force_string(&co, n.clone()).await?;
        // A name never interned is in no set.
        remove.extend(Symbol::of_string(&name));
    }
    Ok(Value::attrs(a.without(&remove)))
}

async fn list_to_attrs(co: Co, list: Value) -> Result<Value, Error> {
    let l = list_of(&list)?;
    let mut entries: Vec<(Symbol, Value)> = Vec::with_capacity(l.len());
    const PAIR: &str = "in a {name=...; value=...;} pair";
    for item in l.iter() {
        let item = force(&co, item.clone()).await;
        let what = "while evaluating an element of the list passed to builtins.listToAttrs";
        let item = attrs_of(&item).map_err(within(what))?;
        let field = |name| {
            item.get(name)
                .cloned()
                .ok_or_else(|| within(PAIR)(crate::vm::ops::missing_named(&name.to_string())))
        };
        let name = list_to_attrs_name(&co, field(sym!("name"))?, item.position(sym!("name")));
        let name = name.await?;
        entries.push((Symbol::from_string(&name), field(sym!("value"))?));
    }
    Ok(Value::attrs(Attrs::from_unsorted(entries)))
}

/// The `name` of an element of `listToAttrs`' list (defined at `at`), as C++ Nix's
/// `forceStringNoCtx` there: an error evaluating it or about it says so, at `at`.
async fn list_to_attrs_name(co: &Co, name: Value, at: Option<Span>) -> Result<NixString, Error> {
    let what = "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs";
    let add = |mut e: Error| {
        e.add_trace(at, what);
        e
    };
    let name = try_force(co, name, Catch::Any).await.map_err(add)?;
    let s = string_of(&name).map_err(|e| {
        add(match at {
            Some(at) => e.at(at),
            None => e,
        })
    })?;
    string_no_ctx_of(&name).map_err(add)?;
    Ok(s.clone())
}

/// The set of lazy applications of `f` to each name and value.
fn map_attrs(f: &Value, set: &Value) -> Result<Value, Error> {
    let set = attrs_of(set)?;
    let calls = Calls::new(f.clone(), Over::Attrs(set.clone()));
    let entries = (set.keys().enumerate())
        .map(|(i, k)| (k, Value::Thunk(Calls::thunk(&calls, i))))
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

/// The entries of `e2` whose names `e1` has.
fn intersect_attrs(e1: &Value, e2: &Value) -> Result<Value, Error> {
    let (a, b) = (attrs_of(e1)?, attrs_of(e2)?);
    // Walk the smaller set and look names up in the larger one: a few names picked from a
    // large set (as `callPackage` does) cost the few lookups, not a walk of the large set.
    let entries: Vec<_> = if a.len() < b.len() {
        (a.iter())
            .filter_map(|(k, _)| Some((k, b.get(k)?.clone())))
            .collect()
    } else {
        (b.iter())
            .filter(|(k, _)| a.contains(*k))
            .map(|(k, v)| (k, v.clone()))
            .collect()
    };
    if entries.len() == b.len() {
        // All of `e2`: the set itself, positions included.
        return Ok(e2.clone());
    }
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

async fn cat_attrs(co: Co, name: Value, list: Value) -> Result<Value, Error> {
    let name = Symbol::of_string(string_of(&name)?);
    let l = list_of(&list)?;
    let mut out = Vec::new();
    for item in l.iter() {
        let a = force(&co, item.clone()).await;
        let what = "while evaluating an element in the list passed as second argument to builtins.catAttrs";
        let a = attrs_of(&a).map_err(within(what))?;
        if let Some(v) = name.and_then(|n| a.get(n)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

fn function_args(f: &Value) -> Result<Value, Error> {
    match f {
        Value::Closure(c) => {
            let Some(f) = &c.lambda.formals else {
                return Ok(Value::attrs(Attrs::new()));
            };
            let mut order: Vec<usize> = (0..f.entries.len()).collect();
            order.sort_by(|&a, &b| f.entries[a].0.cmp(&f.entries[b].0));
            let entries = order
                .iter()
                .map(|&i| (f.entries[i].0, Value::bool(f.entries[i].1.is_some())))
                .collect();
            let positions: Vec<_> = order
                .iter()
                .filter_map(|&i| f.positions.get(i).copied())
                .collect();
            Ok(Value::attrs(Attrs::with_positions(
                entries,
                crate::value::positions(positions),
            )))
        }
        Value::Builtin(_) => Ok(Value::attrs(Attrs::new())),
        _ => Err(Error::new("'functionArgs' requires a function")),
    }
}

async fn zip_attrs_with(co: Co, f: Value, list: Value) -> Result<Value, Error> {
    let f = function_of(&f)?;
    let l = force_list(&co, list).await?;
    // A symbol reaches a `Cell` (the symbol its name's string remembers) but orders and hashes
    // by its address and bytes, which never change.
    #[allow(clippy::mutable_key_type)]
    let mut values: std::collections::BTreeMap<Symbol, Vec<Value>> = Default::default();
    for item in l.iter() {
        let a = force(&co, item.clone()).await;
        let what = "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith";
        for (k, v) in attrs_of(&a).map_err(within(what))?.iter() {
            values.entry(k).or_default().push(v.clone());
        }
    }
    let entries = values
        .into_iter()
        .map(|(k, vs)| {
            // `f name` is a lazy call of its own, as in C++ Nix: an error says where `f` is
            // (`Value::determinePos`), which it does not for `mapAttrs`'s calls.
            let named = Thunk::apply(
                f.clone(),
                smallvec::smallvec![Value::String(k.to_nix_string())],
            );
            let t = Thunk::apply(Value::Thunk(named), smallvec::smallvec![Value::list(vs)]);
            (k, Value::Thunk(t))
        })
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

async fn unsafe_get_attr_pos(co: Co, name: Value, set: Value) -> Result<Value, Error> {
    let name = Symbol::existing(string_of(&name)?.as_bytes());
    let a = force_attrs(&co, set).await?;
    match name.and_then(|n| a.position(n)) {
        Some(span) => Ok(position(&co, span).await),
        None => Ok(Value::Null),
    }
}
