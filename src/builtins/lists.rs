//! List builtins. Results that apply a function (`map`, `genList`) are lazy `Apply` thunks, so
//! nothing is called until an element is needed.

use super::{
    force_bool, force_function, force_list, force_string_no_ctx, function_of, int_of, list_of,
    within,
};
use crate::errors::Error;
use crate::value::{Attrs, Calls, Closure, NixList, Over, Ret, Symbol, Value};
use crate::vm::request::{CallEach, Co, Expect, Finish, Loop, LoopStart, call, force};
use crate::vm::speculate;
use crate::vm::walk;
use std::collections::BTreeMap;
use std::rc::Rc;

crate::declare_builtins! {
    /// The number of elements of a list.
    ///
    /// ```nix
    /// builtins.length [ 1 "a" { } ]
    /// => 3
    /// ```
    "length" [speculable] => fn length(list: Strict);

    /// The first element of a list; an error for the empty list.
    ///
    /// ```nix
    /// builtins.head [ 1 2 3 ]
    /// => 1
    /// ```
    "head" [speculable] => fn head(list: Strict);

    /// The list without its first element; an error for the empty list.
    ///
    /// ```nix
    /// builtins.tail [ 1 2 3 ]
    /// => [ 2 3 ]
    /// ```
    "tail" => fn tail(list: Strict);

    /// The element at a (zero-based) index.
    ///
    /// ```nix
    /// builtins.elemAt [ "a" "b" "c" ] 1
    /// => "b"
    /// ```
    "elemAt" [speculable] => fn elem_at(list: Lazy, index: Strict);

    /// Applies a function to each element of a list. Lazy: each element is computed when it
    /// is needed.
    ///
    /// ```nix
    /// map (x: x * 10) [ 1 2 3 ]
    /// => [ 10 20 30 ]
    /// ```
    "map" [top_level] => fn map(f: Lazy, list: Strict);

    /// The elements of a list for which a predicate is true.
    ///
    /// ```nix
    /// builtins.filter (x: x > 1) [ 1 2 3 ]
    /// => [ 2 3 ]
    /// ```
    "filter" => fn filter(pred: Lazy, list: Strict);

    /// Left fold, evaluating each accumulator as it goes: `foldl' op nul [ x0 x1 ]` is
    /// `op (op nul x0) x1`.
    ///
    /// ```nix
    /// builtins.foldl' (acc: x: acc * 10 + x) 0 [ 1 2 3 ]
    /// => 123
    /// ```
    "foldl'" => fn foldl(op: Strict, nul: Lazy, list: Lazy);

    /// A list of the given length whose element `i` is `f i`, computed lazily.
    ///
    /// ```nix
    /// builtins.genList (i: i * i) 4
    /// => [ 0 1 4 9 ]
    /// ```
    "genList" => fn gen_list(f: Lazy, length: Strict);

    /// Concatenates a list of lists.
    ///
    /// ```nix
    /// builtins.concatLists [ [ 1 ] [ ] [ 2 3 ] ]
    /// => [ 1 2 3 ]
    /// ```
    "concatLists" => async fn concat_lists(lists: Strict);

    /// Applies a function returning a list to each element and concatenates the results.
    ///
    /// ```nix
    /// builtins.concatMap (x: [ x x ]) [ 1 2 ]
    /// => [ 1 1 2 2 ]
    /// ```
    "concatMap" => fn concat_map(f: Strict, list: Lazy);

    /// Whether a value is an element of a list (compared with `==`).
    ///
    /// ```nix
    /// builtins.elem 2 [ 1 2 3 ]
    /// => true
    /// ```
    "elem" => async fn elem(x: Lazy, list: Strict);

    /// Whether a predicate holds for at least one element (stops at the first).
    ///
    /// ```nix
    /// builtins.any (x: x > 2) [ 1 2 3 ]
    /// => true
    /// ```
    "any" => fn any(pred: Strict, list: Lazy);

    /// Whether a predicate holds for every element (stops at the first that fails).
    ///
    /// ```nix
    /// builtins.all (x: x > 2) [ 1 2 3 ]
    /// => false
    /// ```
    "all" => fn all(pred: Strict, list: Lazy);

    /// Splits a list by a predicate into `right` (true) and `wrong` (false), keeping order.
    ///
    /// ```nix
    /// builtins.partition (x: x > 2) [ 1 3 2 4 ]
    /// => { right = [ 3 4 ]; wrong = [ 1 2 ]; }
    /// ```
    "partition" => async fn partition(pred: Strict, list: Lazy);

    /// Groups the elements of a list into a set by the name a function gives each.
    ///
    /// ```nix
    /// builtins.groupBy (s: builtins.substring 0 1 s) [ "apple" "avocado" "banana" ]
    /// => { a = [ "apple" "avocado" ]; b = [ "banana" ]; }
    /// ```
    "groupBy" => async fn group_by(f: Strict, list: Lazy);
}

fn length(list: &Value) -> Result<Value, Error> {
    Ok(Value::Int(list_of(list)?.len() as i64))
}

fn head(list: &Value) -> Result<Value, Error> {
    list_of(list)?
        .first()
        .cloned()
        .ok_or_else(|| Error::new("'builtins.head' called on an empty list"))
}

fn tail(list: &Value) -> Result<Value, Error> {
    let l = list_of(list)?;
    if l.is_empty() {
        return Err(Error::new("'builtins.tail' called on an empty list"));
    }
    Ok(Value::list(l[1..].to_vec()))
}

fn elem_at(list: &Value, index: &Value) -> Result<Ret, Error> {
    // As C++ Nix: the index first.
    let i = int_of(index)?;
    let list = forced!(list);
    let l = list_of(&list)?;
    usize::try_from(i)
        .ok()
        .and_then(|i| l.get(i).cloned())
        .ok_or_else(|| {
            Error::new(format!(
                "'builtins.elemAt' called with index {i} on a list of size {}",
                l.len()
            ))
        })
        .map(Ret::Value)
}

fn map(f: &Value, list: &Value) -> Result<Ret, Error> {
    let l = list_of(list)?;
    if l.is_empty() {
        return Ok(list.clone().into());
    }
    // C++ Nix checks the function once the list is known not to be empty.
    Ok(map_with(&function_of(&forced!(f))?, l).into())
}

/// The lazy applications of `f` to each element.
fn map_with(f: &Value, l: &Rc<NixList>) -> Value {
    let mut lazy = LazyApply::new(f, Over::List(l.clone()));
    Value::list(
        l.iter()
            .enumerate()
            .map(|(i, x)| lazy.apply(i, x))
            .collect(),
    )
}

/// Lazy applications of one function (`map`, `genList`): each `f x` is a thunk, or its value
/// where computing it at once is certain to be cheap and safe (`vm::speculate`). The thunks
/// share one block with the function and what it is applied over (`Calls`).
struct LazyApply<'a> {
    f: &'a Value,
    over: Over,
    calls: Option<Rc<Calls>>,
    ahead: Ahead,
    scratch: Vec<Value>,
}

/// How a lazy application may be computed at once (`vm::speculate`).
enum Ahead {
    /// A one-argument lambda with a speculable body.
    Lambda(Rc<Closure>),
    /// A speculable builtin one argument short (`map toString`).
    Builtin(Value),
    Never,
}

impl<'a> LazyApply<'a> {
    fn new(f: &'a Value, over: Over) -> Self {
        LazyApply {
            f,
            over,
            calls: None,
            ahead: match speculate::speculable_closure(f) {
                Some(c) => Ahead::Lambda(c),
                None => speculate::speculable_builtin(f).map_or(Ahead::Never, Ahead::Builtin),
            },
            scratch: Vec::new(),
        }
    }

    /// Element `i`, `f x`.
    fn apply(&mut self, i: usize, x: &Value) -> Value {
        let known = match &self.ahead {
            Ahead::Lambda(c) => speculate::apply_lambda(&c.lambda, &c.env, x, &mut self.scratch),
            Ahead::Builtin(f) => speculate::apply_builtin(f, x),
            Ahead::Never => None,
        };
        if let Some(v) = known {
            return v;
        }
        let calls =
            (self.calls).get_or_insert_with(|| Calls::new(self.f.clone(), self.over.clone()));
        Value::Thunk(Calls::thunk(calls, i))
    }
}

fn filter(pred: &Value, list: &Value) -> Result<Ret, Error> {
    // As C++ Nix: the list first, and the function only for a list that is not empty.
    let l = list_of(list)?;
    if l.is_empty() {
        return Ok(list.clone().into());
    }
    let pred = function_of(&forced!(pred))?;
    each_loop(&pred, l, Expect::Bool, None, filter_finish)
}

/// The elements of `list` whose result is `true`.
fn filter_finish(list: &NixList, keep: Vec<Value>) -> Result<Value, Error> {
    let out = list
        .iter()
        .zip(keep.iter())
        .filter(|(_, k)| matches!(k, Value::Bool(crate::value::NixBool::TRUE)))
        .map(|(x, _)| x.clone())
        .collect();
    Ok(Value::list(out))
}

/// A loop calling `f` (evaluated, and checked to be a function) on each element of `list`,
/// each result checked against `expect`, stopping after a result equal to `stop`; `finish`
/// makes the builtin's value.
fn each_loop(
    f: &Value,
    list: &Rc<NixList>,
    expect: Expect,
    stop: Option<bool>,
    finish: Finish,
) -> Result<Ret, Error> {
    let each = CallEach {
        f: f.clone(),
        list: list.clone(),
        expect,
        stop,
        flatten: false,
    };
    Ok(Ret::Loop(Loop(LoopStart::Each(each, finish))))
}

fn foldl(op: &Value, nul: &Value, list: &Value) -> Result<Ret, Error> {
    let f = function_of(op)?;
    let list = forced!(list);
    let list = list_of(&list)?;
    if list.is_empty() {
        return Ok(nul.clone().into());
    }
    Ok(Ret::Loop(Loop(LoopStart::Fold {
        f,
        acc: nul.clone(),
        list: list.clone(),
    })))
}

fn gen_list(f: &Value, length: &Value) -> Result<Ret, Error> {
    let n = checked_length(int_of(length)?)?;
    // The function is checked after the length, even for an empty list, as C++ Nix does
    // (tvix leaves it lazy: its `genList-function-strictness` case expects that).
    let f = function_of(&forced!(f))?;
    let bytes = usize::try_from(n).map_or(usize::MAX, crate::value::list_bytes);
    crate::allocator::reserve(bytes, "a list")?;
    Ok(gen_list_of(&f, n).into())
}

/// A list length that is not negative.
fn checked_length(n: i64) -> Result<i64, Error> {
    if n < 0 {
        return Err(Error::new(format!("cannot create list of size {n}")));
    }
    Ok(n)
}

fn gen_list_of(f: &Value, n: i64) -> Value {
    let mut lazy = LazyApply::new(f, Over::Indices);
    Value::list(
        (0..n)
            .map(|i| lazy.apply(i as usize, &Value::Int(i)))
            .collect(),
    )
}

async fn concat_lists(co: Co, lists: Value) -> Result<Value, Error> {
    let ls = force_list(&co, lists).await?;
    let mut out = Vec::new();
    let mut len = 0usize;
    for l in ls.iter() {
        let l = force(&co, l.clone()).await;
        let what = "while evaluating a value of the list passed to builtins.concatLists";
        let l = list_of(&l).map_err(within(what))?;
        len = len.saturating_add(l.len());
        crate::allocator::reserve(crate::value::list_bytes(len), "a list")?;
        out.extend(l.iter().cloned());
    }
    Ok(Value::list(out))
}

fn concat_map(f: &Value, list: &Value) -> Result<Ret, Error> {
    let f = function_of(f)?;
    let list = forced!(list);
    let each = CallEach {
        f,
        list: list_of(&list)?.clone(),
        expect: Expect::List,
        stop: None,
        flatten: true,
    };
    Ok(Ret::Loop(Loop(LoopStart::Each(each, |_, elements| {
        Ok(Value::list(elements))
    }))))
}

async fn elem(co: Co, x: Value, list: Value) -> Result<Value, Error> {
    let l = list_of(&list)?;
    if let Some(found) = elem_shallow(&x, l) {
        return found.map(Value::bool);
    }
    let mut tracker = walk::DepthTracker::new();
    for y in l.iter() {
        if walk::equal_within(&co, x.clone(), y.clone(), true, 1, &mut tracker).await? {
            return Ok(Value::bool(true));
        }
    }
    Ok(Value::bool(false))
}

/// `elem` when the answer needs no evaluation: the list is empty, or `x` and the elements up
/// to a match are evaluated and compare without walking (scalars, strings, paths).
fn elem_shallow(x: &Value, l: &NixList) -> Option<Result<bool, Error>> {
    if l.is_empty() {
        return Some(Ok(false));
    }
    let x = x.whnf()?;
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
            return Some(Ok(true));
        }
    }
    Some(Ok(false))
}

/// `any`/`all` from results that stopped at the first `want`.
fn any_all_finish(results: Vec<Value>, want: bool) -> Value {
    let found = results
        .last()
        .is_some_and(|r| matches!(r, Value::Bool(b) if b.get() == want));
    Value::bool(found == want)
}

fn any(pred: &Value, list: &Value) -> Result<Ret, Error> {
    let pred = function_of(pred)?;
    let list = forced!(list);
    each_loop(&pred, list_of(&list)?, Expect::Bool, Some(true), |_, r| {
        Ok(any_all_finish(r, true))
    })
}

fn all(pred: &Value, list: &Value) -> Result<Ret, Error> {
    let pred = function_of(pred)?;
    let list = forced!(list);
    each_loop(&pred, list_of(&list)?, Expect::Bool, Some(false), |_, r| {
        Ok(any_all_finish(r, false))
    })
}

async fn partition(co: Co, pred: Value, list: Value) -> Result<Value, Error> {
    let f = force_function(&co, pred).await?;
    let l = force_list(&co, list).await?;
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for x in l.iter() {
        let x = force(&co, x.clone()).await;
        let what = "while evaluating the return value of the partition function passed to builtins.partition";
        let r = call(&co, f.clone(), x.clone()).await;
        if force_bool(&co, r).await.map_err(within(what))? {
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

async fn group_by(co: Co, f: Value, list: Value) -> Result<Value, Error> {
    let f = force_function(&co, f).await?;
    let l = force_list(&co, list).await?;
    // A symbol reaches a `Cell` (the symbol its name's string remembers) but orders and hashes
    // by its address and bytes, which never change.
    #[allow(clippy::mutable_key_type)]
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
