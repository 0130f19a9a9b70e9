//! An engine is set up once, shared between threads, and makes independent evaluations.

use gnix::errors::ErrorClass;
use gnix::io::MemoryIo;
use gnix::value::{Builtin, Ret, Value};
use gnix::{Engine, Settings};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn assert_shareable<T: Send + Sync + Clone + 'static>() {}

#[test]
fn an_engine_can_be_shared_between_threads() {
    assert_shareable::<Engine>();
}

/// A host builtin returning a constant, counting its calls in state shared by all threads.
fn counting(name: &'static str, answer: i64, calls: Arc<AtomicUsize>) -> Builtin {
    Builtin::from_fn(name, &["x"], &[true], move |_: &[Value]| {
        calls.fetch_add(1, Ordering::Relaxed);
        Ok(Ret::Value(Value::Int(answer)))
    })
}

#[test]
fn evaluations_on_many_threads_share_settings_io_and_host_state() {
    let calls = Arc::new(AtomicUsize::new(0));
    let shared = calls.clone();
    let engine = Engine::new(Settings::default())
        .with_io(|| Box::new(MemoryIo::new().file("/cfg/default.nix", "{ base = 40; }")))
        .with_builtins(move || vec![counting("two", 2, shared.clone())]);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let mut ev = engine.evaluation();
                let expr = format!("(import /cfg).base + builtins.two {i} + {i}");
                let v = ev.eval_expr(&expr, Path::new("/")).expect("evaluates");
                ev.as_int(&v).expect("an integer")
            })
        })
        .collect();
    let results: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results, vec![42, 43, 44, 45]);
    assert_eq!(calls.load(Ordering::Relaxed), 4);
}

#[test]
fn each_evaluation_gets_its_own_io() {
    let made = Arc::new(AtomicUsize::new(0));
    let engine = Engine::new(Settings::default()).with_io(move || {
        let n = made.fetch_add(1, Ordering::Relaxed);
        Box::new(MemoryIo::new().file("/n.nix", n.to_string()))
    });
    for expected in 0..3 {
        let mut ev = engine.evaluation();
        let v = ev.eval_expr("import /n.nix", Path::new("/")).unwrap();
        assert_eq!(ev.as_int(&v).unwrap(), expected);
        let missing = ev.eval_expr("builtins.readFile /etc/hostname", Path::new("/"));
        assert_eq!(missing.err().map(|e| e.class), Some(ErrorClass::Io));
    }
}

#[test]
fn the_engines_settings_bind_every_evaluation() {
    let settings = Settings {
        max_steps: 10_000,
        ..Settings::default()
    };
    let engine = Engine::new(settings);
    assert_eq!(engine.settings().max_steps, 10_000);
    let mut ev = engine.evaluation();
    let endless = ev.eval_expr("let f = n: f (n + 1); in f 0", Path::new("/"));
    assert_eq!(endless.err().map(|e| e.class), Some(ErrorClass::OutOfSteps));
}

#[test]
fn builtins_from_later_calls_win_over_earlier_ones_and_ours() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (a, b) = (calls.clone(), calls.clone());
    let engine = Engine::new(Settings::default())
        .with_builtins(move || vec![counting("pick", 1, a.clone())])
        .with_builtins(move || vec![counting("pick", 2, b.clone())])
        .with_builtins(|| {
            vec![Builtin::from_fn(
                "length",
                &["xs"],
                &[true],
                |_: &[Value]| Ok(Ret::Value(Value::Int(-1))),
            )]
        });
    let mut ev = engine.evaluation();
    for expr in ["builtins.pick 0", "__pick 0"] {
        let v = ev.eval_expr(expr, Path::new("/")).unwrap();
        assert_eq!(ev.as_int(&v).unwrap(), 2, "{expr}");
    }
    let v = ev
        .eval_expr("builtins.length [ 1 2 ]", Path::new("/"))
        .unwrap();
    assert_eq!(ev.as_int(&v).unwrap(), -1);
}
