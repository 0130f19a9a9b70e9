//! List builtins. Results that apply a function (`map`, `genList`) are lazy `Apply` thunks, so
//! nothing is called until an element is needed.

use super::{
    arg, def, def_fast, evaluated, force_bool, force_function, force_int, force_list,
    force_string_no_ctx, int_of, is_callable, list_of, looping,
};
use crate::errors::Error;
use crate::value::{Attrs, Builtin, Closure, NixList, Symbol, Thunk, Value};
use crate::vm::request::{CallEach, Co, Expect, Finish, LoopStart, call, call_each, fold, force};
use crate::vm::speculate;
use crate::vm::walk;
use std::collections::BTreeMap;
use std::rc::Rc;

fn length(args: &[Value]) -> Result<Value, Error> {
    Ok(Value::Int(list_of(&args[0])?.len() as i64))
}

fn head(args: &[Value]) -> Result<Value, Error> {
    list_of(&args[0])?
        .first()
        .cloned()
        .ok_or_else(|| Error::new("'builtins.head' called on an empty list"))
}

fn tail(args: &[Value]) -> Result<Value, Error> {
    let l = list_of(&args[0])?;
    if l.is_empty() {
        return Err(Error::new("'builtins.tail' called on an empty list"));
    }
    Ok(Value::list(l[1..].to_vec()))
}

fn elem_at(args: &[Value]) -> Result<Value, Error> {
    let l = list_of(&args[0])?;
    let i = int_of(&args[1])?;
    usize::try_from(i)
        .ok()
        .and_then(|i| l.get(i).cloned())
        .ok_or_else(|| {
            Error::new(format!(
                "'builtins.elemAt' called with index {i} on a list of size {}",
                l.len()
            ))
        })
}

async fn map(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let l = force_list(&co, arg(&args, 1)).await?;
    if l.is_empty() {
        return Ok(Value::List(l));
    }
    // C++ Nix checks the function once the list is known not to be empty.
    let f = force_function(&co, arg(&args, 0)).await?;
    Ok(map_with(&f, &l))
}

fn map_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let l = match list_of(&evaluated(args, 1)?) {
        Ok(l) if l.is_empty() => return Some(Ok(Value::List(l.clone()))),
        Ok(l) => l.clone(),
        Err(e) => return Some(Err(e)),
    };
    let f = evaluated(args, 0).filter(is_callable)?;
    Some(Ok(map_with(&f, &l)))
}

/// The lazy applications of `f` to each element.
fn map_with(f: &Value, l: &NixList) -> Value {
    let mut lazy = LazyApply::new(f);
    Value::list(l.iter().map(|x| lazy.apply(x.clone())).collect())
}

/// Lazy applications of one function (`map`, `genList`): each `f x` is a thunk, or its value
/// where computing it at once is certain to be cheap and safe (`vm::speculate`).
struct LazyApply<'a> {
    f: &'a Value,
    speculable: Option<Rc<Closure>>,
    scratch: Vec<Value>,
}

impl<'a> LazyApply<'a> {
    fn new(f: &'a Value) -> Self {
        LazyApply {
            f,
            speculable: speculate::speculable_closure(f),
            scratch: Vec::new(),
        }
    }

    fn apply(&mut self, x: Value) -> Value {
        if let Some(c) = &self.speculable
            && let Some(v) = speculate::apply_lambda(&c.lambda, &c.env, &x, &mut self.scratch)
        {
            return v;
        }
        Value::Thunk(Thunk::apply(self.f.clone(), smallvec::smallvec![x]))
    }
}

async fn filter(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    // As C++ Nix: the list first, and the function only for a list that is not empty.
    let l = force_list(&co, arg(&args, 1)).await?;
    if l.is_empty() {
        return Ok(Value::List(l));
    }
    let f = force_function(&co, arg(&args, 0)).await?;
    let keep = call_each(&co, f, l, Expect::Bool, None).await;
    filter_finish(&args, &keep)
}

/// The elements of `args[1]` whose result is `true`.
fn filter_finish(args: &[Value], keep: &[Value]) -> Result<Value, Error> {
    let l = list_of(&evaluated(args, 1).unwrap_or(Value::Null))?.clone();
    let out = l
        .iter()
        .zip(keep.iter())
        .filter(|(_, k)| matches!(k, Value::Bool(crate::value::NixBool::TRUE)))
        .map(|(x, _)| x.clone())
        .collect();
    Ok(Value::list(out))
}

/// The function and list of `f list`-shaped builtins, when both are ready for a loop frame.
fn function_and_list(args: &[Value], list: usize) -> Option<(Value, Rc<NixList>)> {
    let f = evaluated(args, 0).filter(is_callable)?;
    match evaluated(args, list)? {
        Value::List(l) => Some((f, l)),
        _ => None,
    }
}

/// `filter`, `any`, `all`, `concatMap` as loop frames.
fn each_loop(
    args: &[Value],
    expect: Expect,
    stop: Option<bool>,
    finish: Finish,
) -> Option<LoopStart> {
    let (f, list) = function_and_list(args, 1)?;
    let each = CallEach {
        f,
        list,
        expect,
        stop,
    };
    Some(LoopStart::Each(each, finish))
}

fn filter_loop(args: &[Value]) -> Option<LoopStart> {
    each_loop(args, Expect::Bool, None, filter_finish)
}

async fn foldl(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let f = force_function(&co, arg(&args, 0)).await?;
    let acc = arg(&args, 1);
    let l = force_list(&co, arg(&args, 2)).await?;
    Ok(fold(&co, f, acc, l).await)
}

fn foldl_loop(args: &[Value]) -> Option<LoopStart> {
    let (f, list) = function_and_list(args, 2)?;
    Some(LoopStart::Fold {
        f,
        acc: arg(args, 1),
        list,
    })
}

async fn gen_list(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    // The function stays lazy (the corpus's `genList-function-strictness`; C++ Nix 2.30 forces
    // it).
    let n = checked_length(force_int(&co, arg(&args, 1)).await?)?;
    Ok(gen_list_of(&arg(&args, 0), n))
}

fn gen_list_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    Some(
        int_of(&evaluated(args, 1)?)
            .and_then(checked_length)
            .map(|n| gen_list_of(&arg(args, 0), n)),
    )
}

/// A list length that is not negative.
fn checked_length(n: i64) -> Result<i64, Error> {
    if n < 0 {
        return Err(Error::new(format!("cannot create list of size {n}")));
    }
    Ok(n)
}

fn gen_list_of(f: &Value, n: i64) -> Value {
    let mut lazy = LazyApply::new(f);
    Value::list((0..n).map(|i| lazy.apply(Value::Int(i))).collect())
}

async fn concat_lists(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let ls = force_list(&co, arg(&args, 0)).await?;
    let mut out = Vec::new();
    for l in ls.iter() {
        out.extend(force_list(&co, l.clone()).await?.iter().cloned());
    }
    Ok(Value::list(out))
}

/// `concatLists` when every inner list is evaluated.
fn concat_lists_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let outer = evaluated(args, 0)?;
    let ls = match list_of(&outer) {
        Ok(ls) => ls,
        Err(e) => return Some(Err(e)),
    };
    let mut out = Vec::new();
    for l in ls.iter() {
        match l.whnf()? {
            Value::List(l) => out.extend(l.iter().cloned()),
            _ => return None,
        }
    }
    Some(Ok(Value::list(out)))
}

async fn concat_map(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let f = force_function(&co, arg(&args, 0)).await?;
    let ls = force_list(&co, arg(&args, 1)).await?;
    let results = call_each(&co, f, ls, Expect::List, None).await;
    concat_map_finish(&args, &results)
}

fn concat_map_finish(_: &[Value], results: &[Value]) -> Result<Value, Error> {
    let mut out = Vec::new();
    for r in results {
        if let Value::List(l) = r {
            out.extend(l.iter().cloned());
        }
    }
    Ok(Value::list(out))
}

fn concat_map_loop(args: &[Value]) -> Option<LoopStart> {
    each_loop(args, Expect::List, None, concat_map_finish)
}

async fn elem(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let x = arg(&args, 0);
    let l = force_list(&co, arg(&args, 1)).await?;
    for y in l.iter() {
        if walk::equal(&co, x.clone(), y.clone(), true).await? {
            return Ok(Value::bool(true));
        }
    }
    Ok(Value::bool(false))
}

/// `elem` when the answer needs no evaluation: `x` and the elements up to a match are
/// evaluated and compare without walking (scalars, strings, paths).
fn elem_fast(args: &[Value]) -> Option<Result<Value, Error>> {
    let l = match evaluated(args, 1)? {
        Value::List(l) => l,
        other => return Some(Err(crate::vm::ops::type_error("a list", &other))),
    };
    if l.is_empty() {
        return Some(Ok(Value::bool(false)));
    }
    let x = evaluated(args, 0)?;
    // Functions, lists and sets compare by identity or by walking: the generator's job.
    if matches!(
        x,
        Value::Closure(_) | Value::Builtin(_) | Value::List(_) | Value::Attrs(_)
    ) {
        return None;
    }
    for y in l.iter() {
        let y = match y {
            Value::Thunk(t) => t.value()?,
            y => y.clone(),
        };
        if crate::vm::ops::eq_shallow(&x, &y)? {
            return Some(Ok(Value::bool(true)));
        }
    }
    Some(Ok(Value::bool(false)))
}

async fn any_all(co: &Co, args: &[Value], want: bool) -> Result<Value, Error> {
    let f = force_function(co, arg(args, 0)).await?;
    let l = force_list(co, arg(args, 1)).await?;
    let results = call_each(co, f, l, Expect::Bool, Some(want)).await;
    Ok(any_all_finish(&results, want))
}

/// `any`/`all` from results that stopped at the first `want`.
fn any_all_finish(results: &[Value], want: bool) -> Value {
    let found = results
        .last()
        .is_some_and(|r| matches!(r, Value::Bool(b) if b.get() == want));
    Value::bool(found == want)
}

fn any_loop(args: &[Value]) -> Option<LoopStart> {
    each_loop(args, Expect::Bool, Some(true), |_, r| {
        Ok(any_all_finish(r, true))
    })
}

fn all_loop(args: &[Value]) -> Option<LoopStart> {
    each_loop(args, Expect::Bool, Some(false), |_, r| {
        Ok(any_all_finish(r, false))
    })
}

async fn any(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    any_all(&co, &args, true).await
}

async fn all(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    any_all(&co, &args, false).await
}

async fn partition(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let f = force_function(&co, arg(&args, 0)).await?;
    let l = force_list(&co, arg(&args, 1)).await?;
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for x in l.iter() {
        let x = force(&co, x.clone()).await;
        if force_bool(&co, call(&co, f.clone(), x.clone()).await).await? {
            right.push(x);
        } else {
            wrong.push(x);
        }
    }
    Ok(Value::attrs(Attrs::from_sorted(vec![
        ("right".into(), Value::list(right)),
        ("wrong".into(), Value::list(wrong)),
    ])))
}

async fn group_by(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let f = force_function(&co, arg(&args, 0)).await?;
    let l = force_list(&co, arg(&args, 1)).await?;
    let mut groups: BTreeMap<Symbol, Vec<Value>> = BTreeMap::new();
    for x in l.iter() {
        let name = force_string_no_ctx(&co, call(&co, f.clone(), x.clone()).await).await?;
        groups
            .entry(Symbol::from(&name))
            .or_default()
            .push(x.clone());
    }
    let entries = groups
        .into_iter()
        .map(|(k, v)| (k, Value::list(v)))
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

pub fn builtins() -> Vec<Builtin> {
    vec![
        strict!("length", 1, length),
        strict!("head", 1, head),
        strict!("tail", 1, tail),
        strict!("elemAt", 2, elem_at),
        def_fast("map", 2, 0b10, map, map_fast),
        looping("filter", 2, 0b10, filter, filter_loop),
        looping("foldl'", 3, 0b101, foldl, foldl_loop),
        def_fast("genList", 2, 0b10, gen_list, gen_list_fast),
        def_fast("concatLists", 1, 0b1, concat_lists, concat_lists_fast),
        looping("concatMap", 2, 0b11, concat_map, concat_map_loop),
        def_fast("elem", 2, 0b10, elem, elem_fast),
        looping("any", 2, 0b11, any, any_loop),
        looping("all", 2, 0b11, all, all_loop),
        def("partition", 2, partition),
        def("groupBy", 2, group_by),
    ]
}
