//! Attribute set builtins.

use super::{
    arg, attrs_of, evaluated, force_attrs, force_function, force_list, force_string, string_of,
};
use crate::errors::Error;
use crate::value::{Attrs, Builtin, Symbol, Thunk, Value, sym};
use crate::vm::request::{Co, force};

fn attr_names(args: &[Value]) -> Result<Value, Error> {
    let a = attrs_of(&args[0])?;
    Ok(Value::list(
        a.keys().map(|k| Value::String(k.to_nix_string())).collect(),
    ))
}

fn attr_values(args: &[Value]) -> Result<Value, Error> {
    Ok(Value::list(attrs_of(&args[0])?.values().cloned().collect()))
}

fn has_attr(args: &[Value]) -> Result<Value, Error> {
    let name = string_of(&args[0])?;
    Ok(Value::bool(
        attrs_of(&args[1])?.contains_bytes(name.as_bytes()),
    ))
}

fn get_attr(args: &[Value]) -> Result<Value, Error> {
    let name = string_of(&args[0])?;
    attrs_of(&args[1])?
        .get_bytes(name.as_bytes())
        .cloned()
        .ok_or_else(|| Error::new(format!("attribute '{name}' missing")))
}

async fn remove_attrs(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let a = force_attrs(&co, arg(&args, 0)).await?;
    let names = force_list(&co, arg(&args, 1)).await?;
    let mut remove = Vec::with_capacity(names.len());
    for n in names.iter() {
        let name = force_string(&co, n.clone()).await?;
        // A name never interned is in no set.
        remove.extend(Symbol::existing(name.as_bytes()));
    }
    Ok(Value::attrs(a.without(&remove)))
}

/// The evaluated elements of a list, or `None` if one is still a thunk.
fn evaluated_items(l: &crate::value::NixList) -> Option<Vec<Value>> {
    l.iter().map(Value::whnf).collect()
}

/// `removeAttrs` once the set and every name are evaluated strings.
fn remove_attrs_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let (Value::Attrs(a), Value::List(l)) = (evaluated(args, 0)?, evaluated(args, 1)?) else {
        return None;
    };
    let names = evaluated_items(&l)?
        .into_iter()
        .map(|n| match n {
            Value::String(s) => Some(Symbol::existing(s.as_bytes())),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let names: Vec<Symbol> = names.into_iter().flatten().collect();
    Some(Ok(Value::attrs(a.without(&names))))
}

async fn list_to_attrs(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let l = force_list(&co, arg(&args, 0)).await?;
    let mut entries: Vec<(Symbol, Value)> = Vec::with_capacity(l.len());
    for item in l.iter() {
        let item = force_attrs(&co, item.clone()).await?;
        let name = item
            .get(sym!("name"))
            .cloned()
            .ok_or_else(|| Error::new("attribute 'name' missing"))?;
        let name = force_string(&co, name).await?;
        let value = item
            .get(sym!("value"))
            .cloned()
            .ok_or_else(|| Error::new("attribute 'value' missing"))?;
        entries.push((Symbol::from_string(&name), value));
    }
    Ok(Value::attrs(Attrs::from_unsorted(entries)))
}

async fn map_attrs(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let a = force_attrs(&co, arg(&args, 1)).await?;
    Ok(map_attrs_with(&arg(&args, 0), &a))
}

fn map_attrs_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let a = evaluated(args, 1)?;
    Some(attrs_of(&a).map(|a| map_attrs_with(&arg(args, 0), a)))
}

/// The set of lazy applications of `f` to each name and value.
fn map_attrs_with(f: &Value, a: &Attrs) -> Value {
    let entries = a
        .iter()
        .map(|(k, v)| {
            let t = Thunk::apply(
                f.clone(),
                smallvec::smallvec![Value::String(k.to_nix_string()), v.clone()],
            );
            (k, Value::Thunk(t))
        })
        .collect();
    Value::attrs(Attrs::from_sorted(entries))
}

async fn intersect_attrs(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let a = force_attrs(&co, arg(&args, 0)).await?;
    let b = force_attrs(&co, arg(&args, 1)).await?;
    Ok(intersect(&a, &b))
}

fn intersect_attrs_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    match (evaluated(args, 0)?, evaluated(args, 1)?) {
        (Value::Attrs(a), Value::Attrs(b)) => Some(Ok(intersect(&a, &b))),
        _ => None,
    }
}

/// The entries of `b` whose names `a` has.
fn intersect(a: &Attrs, b: &Attrs) -> Value {
    let entries = b
        .iter()
        .filter(|(k, _)| a.contains(*k))
        .map(|(k, v)| (k, v.clone()))
        .collect();
    Value::attrs(Attrs::from_sorted(entries))
}

async fn cat_attrs(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let name = force_string(&co, arg(&args, 0)).await?;
    let l = force_list(&co, arg(&args, 1)).await?;
    let name = Symbol::existing(name.as_bytes());
    let mut out = Vec::new();
    for item in l.iter() {
        let a = force_attrs(&co, item.clone()).await?;
        if let Some(v) = name.and_then(|n| a.get(n)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

/// `catAttrs` once the name and every element are evaluated.
fn cat_attrs_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let (Value::String(name), Value::List(l)) = (evaluated(args, 0)?, evaluated(args, 1)?) else {
        return None;
    };
    let name = Symbol::existing(name.as_bytes());
    let mut out = Vec::new();
    for item in l.iter() {
        let Value::Attrs(a) = item.whnf()? else {
            return None;
        };
        if let Some(v) = name.and_then(|n| a.get(n)) {
            out.push(v.clone());
        }
    }
    Some(Ok(Value::list(out)))
}

async fn function_args(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    function_args_of(force(&co, arg(&args, 0)).await)
}

fn function_args_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    Some(function_args_of(evaluated(args, 0)?))
}

/// `functionArgs` of an evaluated value.
fn function_args_of(f: Value) -> Result<Value, Error> {
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
            let positions = order
                .iter()
                .filter_map(|&i| f.positions.get(i).copied())
                .collect();
            Ok(Value::attrs(Attrs::with_positions(entries, positions)))
        }
        Value::Builtin(_) => Ok(Value::attrs(Attrs::new())),
        _ => Err(Error::new("'functionArgs' requires a function")),
    }
}

async fn zip_attrs_with(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let f = force_function(&co, arg(&args, 0)).await?;
    let l = force_list(&co, arg(&args, 1)).await?;
    let mut values: std::collections::BTreeMap<Symbol, Vec<Value>> = Default::default();
    for item in l.iter() {
        for (k, v) in force_attrs(&co, item.clone()).await?.iter() {
            values.entry(k).or_default().push(v.clone());
        }
    }
    let entries = values
        .into_iter()
        .map(|(k, vs)| {
            let t = Thunk::apply(
                f.clone(),
                smallvec::smallvec![Value::String(k.to_nix_string()), Value::list(vs)],
            );
            (k, Value::Thunk(t))
        })
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

/// `{ column; file; line; }` where an attribute was defined, or null if that is not known.
async fn unsafe_get_attr_pos(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let name = force_string(&co, arg(&args, 0)).await?;
    let a = force_attrs(&co, arg(&args, 1)).await?;
    match Symbol::existing(name.as_bytes()).and_then(|n| a.position(n)) {
        Some(span) => Ok(crate::vm::request::position(&co, span).await),
        None => Ok(Value::Null),
    }
}

pub fn builtins() -> Vec<Builtin> {
    vec![
        strict!("attrNames", 1, attr_names),
        strict!("attrValues", 1, attr_values),
        strict!("hasAttr", 2, has_attr),
        strict!("getAttr", 2, get_attr),
        def_fast!("removeAttrs", 2, 0b11, remove_attrs, remove_attrs_fast),
        def!("listToAttrs", 1, list_to_attrs),
        def_fast!("mapAttrs", 2, 0b10, map_attrs, map_attrs_fast),
        def_fast!(
            "intersectAttrs",
            2,
            0b11,
            intersect_attrs,
            intersect_attrs_fast,
        ),
        def_fast!("catAttrs", 2, 0b11, cat_attrs, cat_attrs_fast),
        def_fast!("functionArgs", 1, 0b1, function_args, function_args_fast),
        def!("zipAttrsWith", 2, zip_attrs_with),
        def!("unsafeGetAttrPos", 2, unsafe_get_attr_pos),
    ]
}
