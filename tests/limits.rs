//! A host's control over a run: a step budget (`Settings::max_steps`), a time limit
//! (`Settings::max_time`) and a cancellation handle usable from another thread. Each stops the
//! run with an error of its own class (`OutOfSteps`, `Timeout`, `Cancelled`) that
//! `tryEval` cannot catch, and leaves every thunk the run was forcing as it was, so evaluating
//! again gives what an uninterrupted run gives.

use gnix::errors::ErrorClass;
use gnix::{Evaluator, Settings, Value};
use std::path::Path;
use std::time::{Duration, Instant};

fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn evaluator(max_steps: u64) -> Evaluator {
    Evaluator::new(Settings {
        max_steps,
        // Memory, not call depth, bounds these loops (their tail calls keep one frame).
        max_call_depth: 0,
        ..Settings::default()
    })
}

fn printed(ev: &mut Evaluator, v: Value) -> String {
    let v = ev.deep_force(v).expect("evaluates");
    gnix::print::print_value(&v)
}

/// Lazy structure with thousands of thunks, and what it prints as.
const LAZY: &str = "let mk = n: if n == 0 then [ ] else [ { x = n * 2; s = toString n; } (mk (n - 1)) ]; in mk 300";

#[test]
fn a_step_budget_stops_an_endless_loop() {
    let mut ev = evaluator(10_000);
    let e = ev
        .eval_expr("let f = n: f (n + 1); in f 0", dir())
        .expect_err("an endless loop cannot finish");
    assert_eq!(e.class, ErrorClass::OutOfSteps);
    assert!(
        ev.render_error(&e, false)
            .contains("stopped after 10000 steps")
    );
}

#[test]
fn try_eval_does_not_catch_an_interruption() {
    let mut ev = evaluator(10_000);
    let e = ev
        .eval_expr("builtins.tryEval (let f = n: f (n + 1); in f 0)", dir())
        .and_then(|v| ev.deep_force(v))
        .expect_err("tryEval must not swallow the interruption");
    assert_eq!(e.class, ErrorClass::OutOfSteps);
}

#[test]
fn a_budget_large_enough_changes_nothing() {
    let mut unlimited = evaluator(0);
    let mut limited = evaluator(10_000_000);
    let want = {
        let v = unlimited.eval_expr(LAZY, dir()).expect("evaluates");
        printed(&mut unlimited, v)
    };
    let v = limited.eval_expr(LAZY, dir()).expect("evaluates");
    assert_eq!(printed(&mut limited, v), want);
}

#[test]
fn an_interrupted_deep_force_leaves_its_thunks_forceable() {
    let want = {
        let mut ev = evaluator(0);
        let v = ev.eval_expr(LAZY, dir()).expect("evaluates");
        printed(&mut ev, v)
    };
    let mut ev = evaluator(0);
    let v = ev.eval_expr(LAZY, dir()).expect("evaluates");
    // Stopped part-way through, at several points, then run to the end.
    for budget in [50, 500, 2_000] {
        ev.settings_mut().max_steps = budget;
        let e = ev
            .deep_force(v.clone())
            .expect_err("the budget is too small");
        assert_eq!(e.class, ErrorClass::OutOfSteps);
    }
    ev.settings_mut().max_steps = 0;
    assert_eq!(printed(&mut ev, v), want);
}

#[test]
fn a_cancellation_stops_the_next_run_only() {
    let mut ev = evaluator(0);
    let v = ev.eval_expr(LAZY, dir()).expect("evaluates");
    ev.cancel_handle().cancel();
    let e = ev
        .deep_force(v.clone())
        .expect_err("cancelled before it started");
    assert_eq!(e.class, ErrorClass::Cancelled);
    assert!(ev.render_error(&e, false).contains("evaluation cancelled"));
    let again = printed(&mut ev, v);
    assert!(again.starts_with("[ { s = \"300\"; x = 600; }"), "{again}");
}

#[test]
fn a_withdrawn_cancellation_stops_nothing() {
    let mut ev = evaluator(0);
    let handle = ev.cancel_handle();
    handle.cancel();
    handle.withdraw();
    let v = ev.eval_expr(LAZY, dir()).expect("evaluates");
    assert!(printed(&mut ev, v).starts_with("[ { s = \"300\"; x = 600; }"));
}

#[test]
fn another_thread_cancels_an_endless_loop() {
    // The step budget only guards the test against a cancellation that never arrives.
    let mut ev = evaluator(2_000_000_000);
    let handle = ev.cancel_handle();
    let cancelled_at = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.cancel();
        Instant::now()
    });
    let e = ev
        .eval_expr("let f = n: f (n + 1); in f 0", dir())
        .expect_err("an endless loop cannot finish");
    let stopped = Instant::now();
    let cancelled_at = cancelled_at.join().expect("the cancelling thread finishes");
    assert!(ev.render_error(&e, false).contains("evaluation cancelled"));
    eprintln!(
        "stopped {:?} after the cancellation",
        stopped.saturating_duration_since(cancelled_at)
    );
}

#[test]
fn a_time_limit_stops_an_endless_loop_soon_after_it_passes() {
    let mut ev = Evaluator::new(Settings {
        max_time: Some(Duration::from_millis(50)),
        max_call_depth: 0,
        ..Settings::default()
    });
    let start = Instant::now();
    let e = ev
        .eval_expr("let f = n: f (n + 1); in f 0", dir())
        .expect_err("an endless loop cannot finish");
    let took = start.elapsed();
    assert_eq!(e.class, ErrorClass::Timeout);
    assert!(
        ev.render_error(&e, false)
            .contains("stopped after 50 ms (max-time)"),
        "{e}"
    );
    assert!(took.as_millis() < 2_000, "stopped only after {took:?}");
    // Each run gets the whole time again: a short one afterwards is not stopped.
    let v = ev.eval_expr("1 + 1", dir()).expect("a new run");
    assert_eq!(printed(&mut ev, v), "2");
}
