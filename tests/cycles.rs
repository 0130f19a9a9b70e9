//! The cycle collector (`gnix::value::collect`): cycles that Nix code makes and leaves behind
//! are freed, during an evaluation and on demand; values the host or the evaluation still
//! holds are left intact, evaluated or not; deep structures are searched and freed without
//! native recursion.
//!
//! Freed or not is observed through weak references to the values' allocations: a weak
//! reference that can no longer be upgraded means the allocation's value was dropped.

use gnix::value::Value;
use gnix::value::collect;
use gnix::{Evaluator, Settings};
use std::path::Path;
use std::rc::{Rc, Weak};

fn eval(ev: &mut Evaluator, src: &str) -> Value {
    let v = ev.eval_expr(src, Path::new("/")).expect("evaluates");
    ev.force(v).expect("forces")
}

fn field(ev: &mut Evaluator, v: &Value, name: &str) -> Value {
    let found = ev.attr(v, name).expect("a set");
    found.unwrap_or_else(|| panic!("no attribute {name}"))
}

fn print(ev: &mut Evaluator, v: Value) -> String {
    let v = ev.deep_force(v).expect("deep-forces");
    gnix::print::print_value(&v)
}

/// A weak reference to the allocation of a set or a function.
enum Watch {
    Set(Weak<gnix::value::Attrs>),
    List(Weak<gnix::value::NixList>),
    Function(Weak<gnix::value::Closure>),
}

impl Watch {
    fn of(v: &Value) -> Watch {
        match v {
            Value::Attrs(a) => Watch::Set(Rc::downgrade(a)),
            Value::List(l) => Watch::List(Rc::downgrade(l)),
            Value::Closure(c) => Watch::Function(Rc::downgrade(c)),
            other => panic!("cannot watch {}", other.type_of()),
        }
    }

    fn alive(&self) -> bool {
        match self {
            Watch::Set(w) => w.strong_count() > 0,
            Watch::List(w) => w.strong_count() > 0,
            Watch::Function(w) => w.strong_count() > 0,
        }
    }
}

#[test]
fn cycles_left_behind_are_freed_on_demand() {
    // Each program's value, or the attribute named, is part of a cycle.
    let cases = [
        // A `let` whose value refers to itself.
        ("let x = { y = x; z = 1; }; in x", None),
        // A function in a recursive set refers to the set's scope, which holds it.
        (
            "rec { f = n: if n == 0 then c else f (n - 1); c = 1; }",
            Some("f"),
        ),
        // A fixpoint with a field never evaluated.
        (
            "let fix = f: let x = f x; in x; in fix (self: { v = 1; w = self.v; u = self.w; })",
            None,
        ),
        // A thunk whose value is a list that holds the thunk.
        (
            "let r = rec { t = s; s = [ t ]; }; in { inherit (r) t; }",
            Some("t"),
        ),
    ];
    for (src, attr) in cases {
        let mut ev = Evaluator::new(Settings::default());
        let v = eval(&mut ev, src);
        let watched = match attr {
            Some(name) => {
                let f = field(&mut ev, &v, name);
                ev.force(f).expect("forces")
            }
            None => v.clone(),
        };
        let watch = Watch::of(&watched);
        drop((v, watched));
        assert!(watch.alive(), "{src}: a cycle holds it until collected");
        let freed = ev.collect_garbage();
        assert!(!watch.alive(), "{src}: still alive after a collection");
        assert!(
            freed.objects_reclaimed > 0,
            "{src}: nothing counted as reclaimed"
        );
    }
}

#[test]
fn a_scope_of_hundreds_of_slots_in_a_cycle_is_freed() {
    // Scopes of 255 slots or more keep their length in a word of their own (`value::scope`):
    // a `let` of 300 bindings whose value refers back to it, with every slot read.
    let bindings: String = (1..300)
        .map(|i| format!("x{i} = x{} + 1; ", i - 1))
        .collect();
    let src = format!("let x0 = 0; {bindings} s = {{ inherit x299; me = s; }}; in s");
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(&mut ev, &src);
    let x = field(&mut ev, &v, "x299");
    assert_eq!(print(&mut ev, x), "299");
    let watch = Watch::of(&v);
    drop(v);
    assert!(watch.alive(), "a cycle holds it until collected");
    ev.collect_garbage();
    assert!(!watch.alive(), "still alive after a collection");
}

#[test]
fn a_default_that_refers_to_its_scope_is_freed() {
    // `b`'s default is a function made in the call's scope, which holds it.
    let mut ev = Evaluator::new(Settings::default());
    let f = eval(&mut ev, "{ a ? 1, b ? (x: a + x) }: { inherit b; }");
    let arg = eval(&mut ev, "{ }");
    let v = ev.call(f, vec![arg]).expect("calls");
    let b = field(&mut ev, &v, "b");
    let b = ev.force(b).expect("forces");
    let watch = Watch::of(&b);
    drop((v, b));
    assert!(watch.alive(), "a cycle holds it until collected");
    ev.collect_garbage();
    assert!(!watch.alive(), "still alive after a collection");
}

#[test]
fn what_the_host_holds_survives_a_collection() {
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(
        &mut ev,
        "let x = { self = x; n = 42; lazy = x.n + 1; bad = throw \"kept\"; }; in x",
    );
    ev.collect_garbage();
    let again = eval(&mut ev, "1");
    drop(again);
    ev.collect_garbage();
    let inner = field(&mut ev, &v, "self");
    let lazy = field(&mut ev, &inner, "lazy");
    assert_eq!(ev.as_int(&lazy).expect("an integer"), 43);
    let bad = field(&mut ev, &v, "bad");
    let err = ev.force(bad).expect_err("still throws");
    assert!(err.to_string().contains("kept"), "{err}");
}

#[test]
fn an_unevaluated_thunk_in_a_cycle_stays_forceable() {
    let mut ev = Evaluator::new(Settings::default());
    let f = eval(
        &mut ev,
        "let fix = f: let x = f x; in x; in n: (fix (self: { a = n; b = self.a * 2; })).b",
    );
    let thunk = Value::apply(f, Value::Int(21));
    ev.collect_garbage();
    assert_eq!(print(&mut ev, thunk), "42");
}

#[test]
fn cycles_are_collected_during_a_long_evaluation() {
    let src = "let fix = f: let x = f x; in x; in \
               builtins.foldl' (a: i: a + (fix (self: { v = i; w = self.v + 1; u = self.w + 2; })).w) \
               0 (builtins.genList (i: i) 20000)";
    let mut ev = Evaluator::new(Settings::default());
    let before = collect::stats();
    let v = eval(&mut ev, src);
    assert_eq!(print(&mut ev, v), "200010000");
    let after = collect::stats();
    assert!(after.collections > before.collections, "no collection ran");
    let reclaimed = after.objects_reclaimed - before.objects_reclaimed;
    // Each iteration leaves a cycle of a thunk, a set, an unevaluated thunk and a scope.
    assert!(reclaimed > 3 * 19_000, "only {reclaimed} objects reclaimed");
}

#[test]
fn collections_that_reclaim_nothing_are_spaced_out_and_their_cycles_still_freed() {
    // Every element is a `let` cycle (the scope holds the set, whose `c`, never forced,
    // refers to the scope) that the list keeps alive to the end: young collections find
    // nothing, and the collector lets young intervals (2 048 registrations each) pass without
    // one. The cycles registered meanwhile are kept for the full collection that frees them
    // once the list is gone.
    let src = "builtins.foldl' (a: s: a + s.b) 0 \
               (builtins.genList (i: let s = { a = i; b = s.a; c = s.b; }; in s) 200000)";
    let mut ev = Evaluator::new(Settings::default());
    let before = collect::stats();
    let v = eval(&mut ev, src);
    assert_eq!(print(&mut ev, v), "19999900000");
    let during = collect::stats();
    let registered = during.registered - before.registered;
    let collections = during.collections - before.collections;
    assert!(registered > 400_000, "only {registered} registrations");
    assert!(
        collections * 2048 * 4 < registered,
        "{collections} collections for {registered} registrations"
    );
    let freed = ev.collect_garbage().objects_reclaimed;
    assert!(freed > 2 * 190_000, "only {freed} objects freed");
}

#[test]
fn eager_collection_keeps_every_result_right() {
    let src = "let lib = rec { fix = f: let x = f x; in x; \
                 extends = o: f: self: let super = f self; in super // o self super; }; \
               base = self: { a = 1; b = self.a + 1; c = [ self.b ]; }; \
               over = self: super: { a = super.a + 10; d = self.c; }; \
               in (lib.fix (lib.extends over base))";
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(&mut ev, src);
    let expected = print(&mut ev, v);
    collect::set_eager(true);
    let mut ev = Evaluator::new(Settings::default());
    let before = collect::stats().collections;
    let v = eval(&mut ev, src);
    assert_eq!(print(&mut ev, v), expected);
    assert!(
        collect::stats().collections > before,
        "the eager collector never ran"
    );
    collect::set_eager(false);
}

#[test]
fn a_deep_structure_in_a_cycle_is_searched_and_freed_without_recursion() {
    // A chain of a million sets, held by a `let` cycle; searched by the collector and freed
    // through it, on a thread with a small native stack.
    let run = || {
        let mut ev = Evaluator::new(Settings::default());
        let v = eval(
            &mut ev,
            "let chain = builtins.foldl' (acc: i: { next = acc; }) null (builtins.genList (i: i) 1000000); \
             r = { inherit chain; self = r; }; in r",
        );
        let chain = field(&mut ev, &v, "chain");
        drop(ev.force(chain).expect("builds"));
        let watch = Watch::of(&v);
        drop(v);
        ev.collect_garbage();
        assert!(!watch.alive(), "the cycle is still alive");
    };
    let thread = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(run)
        .expect("a thread");
    thread.join().expect("no overflow, no panic");
}
