//! Builtins that order values: `sort` and `genericClosure` (whose keys C++ Nix keeps in an
//! ordered set, so they are compared with `<`, not `==`; here in a `KeyTree`).
//!
//! `sort` is C++ Nix's peeksort, a stable natural merge sort that stays a permutation of its
//! input whatever the comparator answers, run with an explicit task stack so the comparator can
//! be a Nix function called through the scheduler. Calling the comparator in the same order as
//! C++ Nix keeps `trace` output and the first error the same too.

use super::key_tree::{KeyTree, LEFT, Node, RIGHT, Step};
use super::{attrs_of, force_bool, force_function, force_list, list_of, within};
use crate::errors::Error;
use crate::print::print_error_value;
use crate::value::{Value, sym};
use crate::vm::ops;
use crate::vm::request::{Co, call, call2, force};
use crate::vm::walk;
use std::collections::VecDeque;

crate::declare_builtins! {
    /// Sorts a list with a comparator: `comparator a b` is true if `a` must come before `b`.
    /// The sort is stable (elements neither of which comes before the other keep their
    /// order), and the result is a permutation of the list whatever the comparator answers.
    ///
    /// ```nix
    /// builtins.sort builtins.lessThan [ 3 1 2 ]
    /// => [ 1 2 3 ]
    /// ```
    ///
    /// ```nix
    /// map (x: x.n) (builtins.sort (a: b: a.k < b.k) [ { k = 2; n = "a"; } { k = 1; n = "b"; } { k = 2; n = "c"; } ])
    /// => [ "b" "a" "c" ]
    /// ```
    "sort" => async fn sort(comparator: Lazy, list: Strict);

    /// The closure of `startSet` under `operator`: each element is a set with a `key`, and
    /// `operator` gives, for an element, a list of further elements. Elements whose key was
    /// already seen (keys are compared with `<`, so they must be comparable) are dropped; the
    /// result is the elements kept, in the order they were found.
    ///
    /// ```nix
    /// map (x: x.key) (builtins.genericClosure {
    ///   startSet = [ { key = 1; } ];
    ///   operator = x: if x.key < 4 then [ { key = x.key + 1; } { key = x.key * 2; } ] else [ ];
    /// })
    /// => [ 1 2 3 4 6 ]
    /// ```
    "genericClosure" => async fn generic_closure(input: Strict);
}

/// Adds a trace line (`… message`) to an error on its way out.
fn context(mut e: Error, message: impl Into<String>) -> Error {
    e.add_trace(None, message);
    e
}

/// `a < b` as C++ Nix's `CompareValues` (the `<` operator): answered at once for values already
/// evaluated that are not lists.
pub async fn less(co: &Co, a: &Value, b: &Value) -> Result<bool, Error> {
    if let (Some(x), Some(y)) = (a.whnf(), b.whnf())
        && let Some(lt) = ops::less_shallow(&x, &y)?
    {
        return Ok(lt);
    }
    walk::less_than(co, a.clone(), b.clone()).await
}

/// `a < b` for two values that need no evaluation and are not lists, compared where they are
/// (`less` clones them and is a future to poll: `genericClosure` compares each new key with a
/// few dozen it has seen, and spent most of its time there); `None` for the others.
fn less_now(a: &Value, b: &Value) -> Option<Result<bool, Error>> {
    if matches!(a, Value::Thunk(_)) || matches!(b, Value::Thunk(_)) {
        return None;
    }
    ops::less_shallow(a, b).transpose()
}

/// `less(co, a, b).await`, answered by `less_now` where it can be (a macro, so that the
/// common case makes no future).
macro_rules! less_soon {
    ($co:expr, $a:expr, $b:expr) => {
        match less_now($a, $b) {
            Some(lt) => lt,
            None => less($co, $a, $b).await,
        }
    };
}

struct Sorter<'a> {
    co: &'a Co,
    comparator: Value,
    /// The comparator is `builtins.lessThan` itself: compare without calling it.
    is_less_than: bool,
}

/// A step of peeksort: sort a range given its sorted prefix and suffix, or merge two runs.
enum Task {
    Sort {
        begin: usize,
        end: usize,
        left_run_end: usize,
        right_run_begin: usize,
    },
    Merge {
        begin: usize,
        middle: usize,
        end: usize,
    },
}

const INSERTION_SORT_THRESHOLD: usize = 16;

impl Sorter<'_> {
    async fn lt(&self, a: &Value, b: &Value) -> Result<bool, Error> {
        if self.is_less_than {
            return less_soon!(self.co, a, b);
        }
        match call2(self.co, self.comparator.clone(), a.clone(), b.clone()).await {
            // Calls answer in weak head normal form: the common case needs no further await.
            Value::Bool(b) => Ok(b.get()),
            r => force_bool(self.co, r).await.map_err(within(
                "while evaluating the return value of the sorting function passed to builtins.sort",
            )),
        }
    }

    /// `lt`, or its negation: the weakly increasing runs are the strictly decreasing runs of
    /// the negated comparator.
    async fn cmp(&self, negate: bool, a: &Value, b: &Value) -> Result<bool, Error> {
        Ok(self.lt(a, b).await? != negate)
    }

    async fn insertion_sort(&self, v: &mut [Value], begin: usize, end: usize) -> Result<(), Error> {
        for current in begin + 1..end {
            let mut k = current;
            while k != begin && self.lt(&v[k], &v[k - 1]).await? {
                v.swap(k, k - 1);
                k -= 1;
            }
        }
        Ok(())
    }

    /// The end of the longest prefix of `begin..end` that is strictly decreasing.
    async fn decreasing_prefix(
        &self,
        negate: bool,
        v: &[Value],
        mut begin: usize,
        end: usize,
    ) -> Result<usize, Error> {
        if begin == end {
            return Ok(begin);
        }
        while begin + 1 != end && self.cmp(negate, &v[begin + 1], &v[begin]).await? {
            begin += 1;
        }
        Ok(begin + 1)
    }

    /// The start of the longest suffix of `begin..end` that is strictly decreasing.
    async fn decreasing_suffix(
        &self,
        negate: bool,
        v: &[Value],
        begin: usize,
        mut end: usize,
    ) -> Result<usize, Error> {
        if begin == end {
            return Ok(end);
        }
        while end - 1 > begin && self.cmp(negate, &v[end - 1], &v[end - 2]).await? {
            end -= 1;
        }
        Ok(end - 1)
    }

    /// Merges the sorted runs `begin..middle` and `middle..end`, stably.
    async fn merge(
        &self,
        v: &mut [Value],
        buf: &mut Vec<Value>,
        begin: usize,
        middle: usize,
        end: usize,
    ) -> Result<(), Error> {
        buf.clear();
        buf.extend_from_slice(&v[begin..end]);
        let mid = middle - begin;
        let n = end - begin;
        let (mut left, mut right, mut out) = (0, mid, begin);
        while left < mid && right < n {
            if !self.lt(&buf[right], &buf[left]).await? {
                v[out] = buf[left].clone();
                left += 1;
            } else {
                v[out] = buf[right].clone();
                right += 1;
            }
            out += 1;
        }
        for x in buf[left..mid].iter().chain(&buf[right..n]) {
            v[out] = x.clone();
            out += 1;
        }
        Ok(())
    }

    async fn peeksort(&self, v: &mut [Value]) -> Result<(), Error> {
        let len = v.len();
        match len {
            0 | 1 => return Ok(()),
            2 => {
                if self.lt(&v[1], &v[0]).await? {
                    v.swap(0, 1);
                }
                return Ok(());
            }
            _ => {}
        }
        let mut buf: Vec<Value> = Vec::with_capacity(len);
        let mut tasks = vec![Task::Sort {
            begin: 0,
            end: len,
            left_run_end: 0,
            right_run_begin: len,
        }];
        while let Some(task) = tasks.pop() {
            let (begin, end, left_run_end, right_run_begin) = match task {
                Task::Merge { begin, middle, end } => {
                    self.merge(v, &mut buf, begin, middle, end).await?;
                    continue;
                }
                Task::Sort {
                    begin,
                    end,
                    left_run_end,
                    right_run_begin,
                } => (begin, end, left_run_end, right_run_begin),
            };
            if left_run_end == end || right_run_begin == begin {
                continue;
            }
            let length = end - begin;
            if length <= INSERTION_SORT_THRESHOLD {
                self.insertion_sort(v, begin, end).await?;
                continue;
            }
            let middle = begin + length / 2;
            if middle <= left_run_end {
                tasks.push(Task::Merge {
                    begin,
                    middle: left_run_end,
                    end,
                });
                tasks.push(Task::Sort {
                    begin: left_run_end,
                    end,
                    left_run_end: left_run_end + 1,
                    right_run_begin,
                });
                continue;
            }
            if middle >= right_run_begin {
                tasks.push(Task::Merge {
                    begin,
                    middle: right_run_begin,
                    end,
                });
                tasks.push(Task::Sort {
                    begin,
                    end: right_run_begin,
                    left_run_end,
                    right_run_begin: right_run_begin - 1,
                });
                continue;
            }
            // The run containing `middle - 1`.
            let (i, j) = if !self.lt(&v[middle], &v[middle - 1]).await? {
                (
                    self.decreasing_suffix(true, v, left_run_end, middle)
                        .await?,
                    self.decreasing_prefix(true, v, middle - 1, right_run_begin)
                        .await?,
                )
            } else {
                let i = self
                    .decreasing_suffix(false, v, left_run_end, middle)
                    .await?;
                let j = self
                    .decreasing_prefix(false, v, middle - 1, right_run_begin)
                    .await?;
                v[i..j].reverse();
                (i, j)
            };
            if i == begin && j == end {
                continue;
            }
            if middle - i < j - middle {
                tasks.push(Task::Merge {
                    begin,
                    middle: i,
                    end,
                });
                tasks.push(Task::Sort {
                    begin: i,
                    end,
                    left_run_end: j,
                    right_run_begin,
                });
                tasks.push(Task::Sort {
                    begin,
                    end: i,
                    left_run_end,
                    right_run_begin: i.wrapping_sub(1),
                });
            } else {
                tasks.push(Task::Merge {
                    begin,
                    middle: j,
                    end,
                });
                tasks.push(Task::Sort {
                    begin: j,
                    end,
                    left_run_end: j + 1,
                    right_run_begin,
                });
                tasks.push(Task::Sort {
                    begin,
                    end: j,
                    left_run_end,
                    right_run_begin: i,
                });
            }
        }
        Ok(())
    }
}

async fn sort(co: Co, comparator: Value, list: Value) -> Result<Value, Error> {
    let list = list_of(&list)?;
    if list.is_empty() {
        return Ok(Value::List(list.clone()));
    }
    let comparator = force_function(&co, comparator).await?;
    let is_less_than = matches!(&comparator, Value::Builtin(p)
        if p.args.is_empty() && p.builtin.name == "lessThan");
    let mut items = Vec::with_capacity(list.len());
    for x in list.iter() {
        items.push(force(&co, x.clone()).await);
    }
    let sorter = Sorter {
        co: &co,
        comparator,
        is_less_than,
    };
    sorter.peeksort(&mut items).await?;
    Ok(Value::list(items))
}

async fn generic_closure(co: Co, input: Value) -> Result<Value, Error> {
    const IN_ARG: &str = "in the attrset passed as argument to builtins.genericClosure";
    let input = attrs_of(&input).map_err(|e| {
        context(
            e,
            "while evaluating the first argument passed to builtins.genericClosure",
        )
    })?;
    let start = input
        .get(sym!("startSet"))
        .cloned()
        .ok_or_else(|| context(crate::vm::ops::missing_named("startSet"), IN_ARG))?;
    let start = force_list(&co, start).await.map_err(|e| {
        context(
            e,
            "while evaluating the 'startSet' attribute passed as argument to builtins.genericClosure",
        )
    })?;
    if start.is_empty() {
        return Ok(Value::List(start));
    }
    let operator = input
        .get(sym!("operator"))
        .cloned()
        .ok_or_else(|| context(crate::vm::ops::missing_named("operator"), IN_ARG))?;
    let operator = force_function(&co, operator).await.map_err(|e| {
        context(
            e,
            "while evaluating the 'operator' attribute passed as argument to builtins.genericClosure",
        )
    })?;

    let mut work: VecDeque<Value> = start.iter().cloned().collect();
    let mut result: Vec<Value> = Vec::new();
    // Keys seen so far, each with the index of its element in `result`.
    let mut keys = KeyTree::default();
    while let Some(e) = work.pop_front() {
        let e = force(&co, e).await;
        let element = |err: Error, e: &Value| {
            context(
                err,
                format!("in genericClosure element {}", print_error_value(e)),
            )
        };
        let Value::Attrs(attrs) = &e else {
            return Err(element(ops::type_error("a set", &e), &e));
        };
        let Some(key) = attrs.get(sym!("key")) else {
            return Err(element(crate::vm::ops::missing_named("key"), &e));
        };
        let key = force(&co, key.clone()).await;
        let place = match find_place(&co, &keys, &key).await {
            Ok(Some(place)) => place,
            Ok(None) => continue,
            Err(failed) => return Err(not_comparable(&co, &keys, &result, &key, &e, failed).await),
        };
        if keys.is_full() {
            return Err(Error::new(
                "builtins.genericClosure: more distinct keys than it can hold (4294967295)",
            ));
        }
        keys.insert(place, key, result.len());
        result.push(e.clone());

        let on_element = |err: Error| {
            context(
                err,
                format!(
                    "while calling operator on genericClosure element {}",
                    print_error_value(&e)
                ),
            )
        };
        let new = call(&co, operator.clone(), e.clone()).await;
        let new = force_list(&co, new).await.map_err(|err| {
            on_element(context(
                err,
                "while evaluating the return value of the `operator` passed to builtins.genericClosure",
            ))
        })?;
        for x in new.iter() {
            work.push_back(force(&co, x.clone()).await);
        }
    }
    Ok(Value::list(result))
}

/// Where `key` goes among the keys seen, found as `std::set` finds it: down from the root by
/// `key < node`, then one comparison with the greatest key not greater than it. `Ok(None)` if an
/// equal key is there; a failed comparison gives the error and the node it was made with.
async fn find_place(
    co: &Co,
    keys: &KeyTree,
    key: &Value,
) -> Result<Option<Option<Step>>, (Error, Node)> {
    let (mut place, mut at, mut below) = (None, keys.root(), None);
    while let Some(node) = at {
        let side = match less_soon!(co, key, keys.key(node)) {
            Ok(true) => LEFT,
            Ok(false) => RIGHT,
            Err(err) => return Err((err, node)),
        };
        if side == RIGHT {
            below = Some(node);
        }
        place = Some((node, side));
        at = keys.child(node, side);
    }
    let Some(below) = below else {
        return Ok(Some(place));
    };
    match less_soon!(co, keys.key(below), key) {
        Ok(true) => Ok(Some(place)),
        Ok(false) => Ok(None),
        Err(err) => Err((err, below)),
    }
}

/// The error for a key that cannot be compared with one seen before. It names the first key
/// (in order) the new one cannot be compared with, as C++ Nix does.
async fn not_comparable(
    co: &Co,
    keys: &KeyTree,
    result: &[Value],
    key: &Value,
    e: &Value,
    (err, at): (Error, Node),
) -> Error {
    let mut other = at;
    for node in keys.in_order() {
        if less(co, key, keys.key(node)).await.is_err() {
            other = node;
            break;
        }
    }
    let err = context(
        err,
        format!(
            "with element {}",
            print_error_value(&result[keys.item(other)])
        ),
    );
    context(
        err,
        format!("while comparing element {}", print_error_value(e)),
    )
}
