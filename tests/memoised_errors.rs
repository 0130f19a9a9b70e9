//! Memoised errors (C++ Nix 2.34 and later): a thunk whose evaluation failed is not evaluated
//! again; forcing it again fails with the error it failed with, including the trace that error
//! had gathered by the time it was caught, and the copy's own trace never reaches the memoised
//! one. An interruption (a step budget here) is not memoised: the thunk is evaluated afresh.
//! Each case runs under both drivers and with speculation off.

use gnix::io::MemoryIo;
use gnix::settings::Driver;
use gnix::{Evaluator, Settings};
use std::path::Path;
use std::rc::Rc;

fn settings() -> Vec<(&'static str, Settings)> {
    let mut out = Vec::new();
    for (name, driver, speculate) in [
        ("generator", Driver::Generator, true),
        ("recursive", Driver::Recursive, true),
        ("no-speculate", Driver::Generator, false),
    ] {
        let s = Settings {
            driver,
            speculate,
            ..Settings::default()
        };
        out.push((name, s));
    }
    out
}

/// Evaluates `text` strictly under every engine: its value printed or its error rendered,
/// and the traces it printed.
fn run(text: &str) -> Vec<(&'static str, Result<String, String>, Vec<String>)> {
    settings()
        .into_iter()
        .map(|(name, s)| {
            let io = Rc::new(MemoryIo::new());
            let mut ev = Evaluator::with_io(s, Box::new(io.clone()));
            let result = ev
                .eval_expr(text, Path::new("/"))
                .and_then(|v| ev.deep_force(v))
                .map(|v| gnix::print::print_value(&v))
                .map_err(|e| ev.render_error(&e, false));
            (name, result, io.traces())
        })
        .collect()
}

#[test]
fn a_failed_thunk_is_not_evaluated_again() {
    let text = r#"
      let foo = builtins.trace "throwing" (throw "nope");
      in builtins.seq (builtins.tryEval foo).success
           (builtins.seq (builtins.tryEval foo).success "done")
    "#;
    for (engine, result, traces) in run(text) {
        assert_eq!(result.as_deref(), Ok("\"done\""), "{engine}");
        assert_eq!(traces, ["trace: throwing"], "{engine}");
    }
}

#[test]
fn forcing_it_again_gives_the_same_error() {
    // The list element is forced twice: by `tryEval` and then at the top level.
    let text = r#"
      let bad = builtins.trace "once" (1 + "x"); in
      builtins.seq (builtins.tryEval bad) [ bad ]
    "#;
    for (engine, result, traces) in run(text) {
        let err = result.expect_err(engine);
        assert!(
            err.contains("cannot add a string to an integer"),
            "{engine}: {err}"
        );
        assert_eq!(traces, ["trace: once"], "{engine}");
    }
}

#[test]
fn the_memoised_trace_is_the_one_caught_and_copies_do_not_grow_it() {
    // `a` fails first under `b`'s context; `c`'s context goes to a copy only; `d` then shows
    // its own context and `b`'s, never `c`'s.
    let text = r#"
      let
        a = throw "nope";
        b = builtins.addErrorContext "forcing b" a;
        c = builtins.addErrorContext "forcing c" a;
        d = builtins.addErrorContext "forcing d" a;
      in builtins.seq (builtins.tryEval b) (builtins.seq (builtins.tryEval c) d)
    "#;
    for (engine, result, _) in run(text) {
        let err = result.expect_err(engine);
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.trim_start().starts_with("… forcing"))
            .collect();
        assert_eq!(lines.len(), 2, "{engine}: {err}");
        assert!(lines[0].ends_with("… forcing d"), "{engine}: {err}");
        assert!(lines[1].ends_with("… forcing b"), "{engine}: {err}");
        assert!(err.contains("error: nope"), "{engine}: {err}");
    }
}

#[test]
fn infinite_recursion_is_memoised_too() {
    let text = r#"
      let x = builtins.trace "entered" (x + 1);
      in [ (builtins.tryEval x).success (builtins.tryEval x).success ]
    "#;
    // Infinite recursion is not caught by `tryEval`: the evaluation fails at the first one,
    // having entered `x` once.
    for (engine, result, traces) in run(text) {
        let err = result.expect_err(engine);
        assert!(
            err.contains("infinite recursion encountered"),
            "{engine}: {err}"
        );
        assert_eq!(traces, ["trace: entered"], "{engine}");
    }
}

#[test]
fn a_host_forcing_a_failed_value_again_gets_the_error_again() {
    for (engine, s) in settings() {
        let io = Rc::new(MemoryIo::new());
        let mut ev = Evaluator::with_io(s, Box::new(io.clone()));
        let set = ev
            .eval_expr(
                r#"{ bad = builtins.trace "evaluated" (throw "no"); }"#,
                Path::new("/"),
            )
            .expect(engine);
        for _ in 0..3 {
            let bad = ev.attr(&set, "bad").expect(engine).expect(engine);
            let err = ev.force(bad).expect_err(engine);
            assert!(
                ev.render_error(&err, false).contains("error: no"),
                "{engine}"
            );
        }
        assert_eq!(io.traces(), ["trace: evaluated"], "{engine}");
    }
}

#[test]
fn an_interrupted_thunk_is_evaluated_afresh() {
    let s = Settings {
        max_steps: 2_000,
        ..Settings::default()
    };
    let io = Rc::new(MemoryIo::new());
    let mut ev = Evaluator::with_io(s, Box::new(io.clone()));
    let set = ev
        .eval_expr(
            r#"
              let sum = i: acc: if i == 0 then acc else sum (i - 1) (acc + i);
              in { slow = builtins.trace "started" (sum 5000 0); }
            "#,
            Path::new("/"),
        )
        .expect("the set");
    let slow = ev.attr(&set, "slow").expect("slow").expect("slow");
    let err = ev.force(slow.clone()).expect_err("out of steps");
    assert!(err.is_interruption(), "{}", ev.render_error(&err, false));
    ev.settings_mut().max_steps = 0;
    let v = ev.force(slow).expect("evaluated afresh");
    assert_eq!(ev.as_int(&v).ok(), Some(12_502_500));
    assert_eq!(io.traces(), ["trace: started", "trace: started"]);
}
