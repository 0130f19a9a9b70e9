//! `Settings::max_memory`: a run that grows the heap past its budget, or asks for a single
//! value larger than it, stops with an `OutOfMemory` error, and the evaluator stays usable.
//! This test binary installs gnix's allocator, which counts the bytes each thread holds.

use gnix::errors::ErrorClass;
use gnix::{Evaluator, Settings};
use std::path::Path;

#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

fn budgeted(bytes: usize) -> Evaluator {
    Evaluator::new(Settings {
        max_memory: Some(bytes),
        ..Settings::default()
    })
}

fn class_of(ev: &mut Evaluator, expr: &str) -> Option<ErrorClass> {
    ev.eval_expr(expr, Path::new("/")).err().map(|e| e.class)
}

#[test]
fn a_growing_heap_stops_at_the_budget_and_the_evaluator_goes_on() {
    let mut ev = budgeted(32 << 20);
    // A million small sets held at once: about 100 MB.
    let big = "builtins.deepSeq (builtins.genList (i: { a = i; b = [ i ]; }) 1000000) 1";
    assert_eq!(class_of(&mut ev, big), Some(ErrorClass::OutOfMemory));
    // `tryEval` does not catch it.
    let caught = format!("(builtins.tryEval ({big})).success");
    assert_eq!(class_of(&mut ev, &caught), Some(ErrorClass::OutOfMemory));
    let v = ev.eval_expr(
        "builtins.length (builtins.genList (i: i) 1000)",
        Path::new("/"),
    );
    assert_eq!(ev.as_int(&v.unwrap()).unwrap(), 1000);
}

#[test]
fn memory_freed_during_the_run_does_not_count() {
    let mut ev = budgeted(32 << 20);
    // Ten thousand rounds, each making and dropping a 1 000-element list: 160 MB in all,
    // never more than a little of it at once.
    let churn = "builtins.foldl' (n: i: n + builtins.length (builtins.genList (j: j + i) 1000)) 0 \
                 (builtins.genList (i: i) 10000)";
    let v = ev
        .eval_expr(churn, Path::new("/"))
        .expect("within the budget");
    assert_eq!(ev.as_int(&v).unwrap(), 10_000_000);
}

#[test]
fn a_single_value_larger_than_the_budget_is_refused_before_it_is_made() {
    let mut ev = budgeted(16 << 20);
    let list = "builtins.length (builtins.genList (x: x) 100000000)";
    assert_eq!(class_of(&mut ev, list), Some(ErrorClass::OutOfMemory));
    let doubled = "let d = s: s + s; in builtins.stringLength (d (d (d (d (d (d (d (d (d (d \
                   (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d \"x\")))))))))))))))))))))))))";
    assert_eq!(class_of(&mut ev, doubled), Some(ErrorClass::OutOfMemory));
    let joined = "builtins.stringLength (builtins.concatStringsSep \"\" \
                  (builtins.genList (i: \"0123456789abcdef\") 2000000))";
    assert_eq!(class_of(&mut ev, joined), Some(ErrorClass::OutOfMemory));
}

#[test]
fn without_a_budget_nothing_is_refused() {
    let mut ev = Evaluator::new(Settings::default());
    let v = ev.eval_expr(
        "builtins.length (builtins.genList (x: x) 3000000)",
        Path::new("/"),
    );
    assert_eq!(ev.as_int(&v.unwrap()).unwrap(), 3_000_000);
}

#[test]
fn a_concat_map_result_past_the_budget_is_refused() {
    let mut ev = budgeted(32 << 20);
    // Eight million elements (128 MB), gathered by the loop as each call's list comes back.
    let flat = "builtins.length (builtins.concatMap (i: [ i i i i i i i i ]) \
                (builtins.genList (i: i) 1000000))";
    assert_eq!(class_of(&mut ev, flat), Some(ErrorClass::OutOfMemory));
    let small = "builtins.length (builtins.concatMap (i: [ i i ]) (builtins.genList (i: i) 1000))";
    let v = ev
        .eval_expr(small, Path::new("/"))
        .expect("within the budget");
    assert_eq!(ev.as_int(&v).unwrap(), 2000);
}
