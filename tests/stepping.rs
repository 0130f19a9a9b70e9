//! Runs the host drives itself (`gnix::Run`): stepped in slices, awaited as futures, waiting
//! for a host builtin's outside work, cancelled or dropped half way. Stepping changes when the
//! work is done, never what it computes.

use gnix::errors::{Error, ErrorClass};
use gnix::io::StdIo;
use gnix::run::{Progress, Run};
use gnix::value::{Builtin, Value};
use gnix::vm::request::{Co, force, wait};
use gnix::{Evaluator, Settings};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Programs small and large (the last ones take about a million ops), and one that fails.
const PROGRAMS: &[&str] = &[
    "1 + 2",
    "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 25",
    "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x * x) 200000)",
    "let fix = f: let x = f x; in x; in builtins.foldl' (a: i: a + (fix (self: { v = i; w = self.v + 1; })).w) 0 (builtins.genList (i: i) 50000)",
    "builtins.sort (a: b: a > b) (builtins.genList (x: builtins.bitXor x 1234) 20000)",
    "builtins.length (builtins.attrNames (builtins.listToAttrs (builtins.genList (i: { name = toString i; value = i; }) 30000)))",
    "builtins.tryEval (builtins.foldl' (a: b: if b == 70000 then throw \"at ${toString b}\" else a + b) 0 (builtins.genList (x: x) 100000))",
    "builtins.foldl' (a: b: if b == 70000 then throw \"at ${toString b}\" else a + b) 0 (builtins.genList (x: x) 100000)",
];

fn print(ev: &mut Evaluator, v: Result<Value, Error>) -> String {
    match v.and_then(|v| ev.deep_force(v)) {
        Ok(v) => gnix::print::print_value(&v),
        Err(e) => format!("error: {}", e.message),
    }
}

fn stepped(run: &mut Run<'_>, ops: u64) -> (Result<Value, Error>, u32) {
    let mut pauses = 0;
    loop {
        match run.step(ops) {
            Progress::Done(r) => return (r, pauses),
            Progress::Paused => pauses += 1,
            Progress::Waiting => panic!("no outside work in these programs"),
        }
    }
}

#[test]
fn a_run_stepped_in_slices_gives_what_one_run_gives() {
    for program in PROGRAMS {
        let mut ev = Evaluator::new(Settings::default());
        let whole = ev.eval_expr(program, Path::new("/"));
        let whole = print(&mut ev, whole);

        let mut ev = Evaluator::new(Settings::default());
        let mut run = ev.start_expr(program, Path::new("/")).expect("compiles");
        let (value, pauses) = stepped(&mut run, 1000);
        drop(run);
        assert_eq!(print(&mut ev, value), whole, "{program}");
        if program.len() > 40 {
            assert!(pauses > 50, "{program}: only {pauses} pauses");
        }
        let finished = ev
            .start_expr(program, Path::new("/"))
            .expect("compiles")
            .finish();
        assert_eq!(print(&mut ev, finished), whole, "{program}: finish");
    }
}

#[test]
fn forcing_deeply_and_calling_can_be_stepped_too() {
    let mut ev = Evaluator::new(Settings::default());
    let set = ev
        .eval_expr(
            "{ xs = builtins.genList (i: { v = i * 2; }) 50000; f = a: b: a * 100 + b; }",
            Path::new("/"),
        )
        .expect("a set");
    let xs = ev.attr(&set, "xs").expect("forced").expect("xs");
    let (deep, pauses) = stepped(&mut ev.start_deep_force(xs), 500);
    assert!(pauses > 10, "{pauses}");
    let deep = deep.expect("forces");
    let last = ev.get(&deep, 49999).expect("an element").expect("present");
    let v = ev.attr(&last, "v").expect("forced").expect("v");
    assert_eq!(ev.as_int(&v).expect("int"), 99998);

    let f = ev.attr(&set, "f").expect("forced").expect("f");
    let (sum, _) = stepped(
        &mut ev.start_call(f, vec![Value::Int(4), Value::Int(2)]),
        10,
    );
    assert_eq!(ev.as_int(&sum.expect("calls")).expect("int"), 402);
}

#[test]
fn a_run_dropped_half_way_leaves_its_thunks_forceable() {
    let mut ev = Evaluator::new(Settings::default());
    let set = ev
        .eval_expr(
            "{ total = builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 300000); }",
            Path::new("/"),
        )
        .expect("a set");
    let total = ev.attr(&set, "total").expect("forced").expect("total");
    let mut run = ev.start_force(total.clone());
    assert!(matches!(run.step(2000), Progress::Paused));
    drop(run);
    assert_eq!(ev.as_int(&total).expect("forceable again"), 44999850000);
    // Stepping a finished run is an error, not a panic.
    let mut run = ev.start_force(Value::Int(1));
    assert!(matches!(run.step(10), Progress::Done(Ok(Value::Int(1)))));
    assert!(matches!(run.step(10), Progress::Done(Err(_))));
}

/// A value another thread hands over: the shape of a reply from a network or a database.
#[derive(Clone, Default)]
struct Gate(Arc<Mutex<(Option<i64>, Option<Waker>)>>);

impl Gate {
    fn open(&self, v: i64) {
        let waker = {
            let mut g = self.0.lock().expect("lock");
            g.0 = Some(v);
            g.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn open_later(&self, v: i64, after: Duration) {
        let gate = self.clone();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            gate.open(v);
        });
    }
}

impl Future for Gate {
    type Output = Result<Value, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut g = self.0.lock().expect("lock");
        match g.0 {
            Some(-1) => panic!("the host's work panicked on purpose"),
            Some(v) => Poll::Ready(Ok(Value::Int(v))),
            None => {
                g.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// `lookup key` waits for the gate, then adds `key` (forced) to what came through it.
fn lookup(gate: Gate) -> Builtin {
    Builtin::from_async(
        "db.lookup",
        &["key"],
        &[false],
        move |co: Co, args: Vec<Value>| {
            let gate = gate.clone();
            async move {
                let key = match force(&co, args[0].clone()).await {
                    Value::Int(i) => i,
                    _ => return Err(Error::new("expected an integer")),
                };
                match wait(&co, gate).await? {
                    Value::Int(v) => Ok(Value::Int(v + key)),
                    _ => Err(Error::new("expected an integer")),
                }
            }
        },
    )
}

fn with_gate(gate: &Gate) -> Evaluator {
    Evaluator::with_builtins(
        Settings::default(),
        Box::new(StdIo),
        vec![lookup(gate.clone())],
    )
}

const USES_GATE: &str = "let xs = builtins.genList (x: x) 1000; in builtins.foldl' (a: b: a + b) 0 xs + builtins.db.lookup (1 + 1)";

#[test]
fn a_synchronous_run_blocks_on_outside_work() {
    let gate = Gate::default();
    let mut ev = with_gate(&gate);
    gate.open_later(40, Duration::from_millis(30));
    let v = ev.eval_expr(USES_GATE, Path::new("/")).expect("evaluates");
    assert_eq!(ev.as_int(&v).expect("int"), 499500 + 42);
}

#[test]
fn a_stepped_run_says_it_waits_and_goes_on_when_the_work_is_done() {
    let gate = Gate::default();
    let mut ev = with_gate(&gate);
    let mut run = ev.start_expr(USES_GATE, Path::new("/")).expect("compiles");
    let mut waits = 0;
    let value = loop {
        match run.step(100) {
            Progress::Done(r) => break r.expect("evaluates"),
            Progress::Paused => {}
            Progress::Waiting => {
                waits += 1;
                if waits == 3 {
                    gate.open(40);
                }
            }
        }
    };
    drop(run);
    assert_eq!(waits, 3);
    assert_eq!(ev.as_int(&value).expect("int"), 499500 + 42);
}

/// A one-task executor: polls the future whenever its waker is woken, parking in between.
fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

#[test]
fn an_awaited_run_is_woken_by_the_work_it_waits_for() {
    let gate = Gate::default();
    let mut ev = with_gate(&gate);
    gate.open_later(40, Duration::from_millis(30));
    let run = ev.start_expr(USES_GATE, Path::new("/")).expect("compiles");
    let v = block_on(run).expect("evaluates");
    assert_eq!(ev.as_int(&v).expect("int"), 499500 + 42);
}

#[test]
fn a_cancel_stops_a_run_waiting_for_outside_work() {
    for awaited in [false, true] {
        let gate = Gate::default();
        let mut ev = with_gate(&gate);
        let set = ev
            .eval_expr(&format!("{{ x = {USES_GATE}; }}"), Path::new("/"))
            .expect("a set");
        let x = ev.attr(&set, "x").expect("forced").expect("x");
        let cancel = ev.cancel_handle();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            cancel.cancel();
        });
        let start = Instant::now();
        let e = match awaited {
            false => ev.force(x.clone()),
            true => block_on(ev.start_force(x.clone())),
        }
        .expect_err("cancelled");
        assert_eq!(e.class, ErrorClass::Cancelled, "{}", e.message);
        assert!(start.elapsed() < Duration::from_secs(5));
        // The thunk is forceable again once the work is done.
        gate.open(40);
        assert_eq!(ev.as_int(&x).expect("int"), 499500 + 42);
    }
}

#[test]
fn a_panic_in_outside_work_becomes_an_error() {
    let gate = Gate::default();
    gate.open(-1);
    let mut ev = with_gate(&gate);
    let e = ev.eval_expr(USES_GATE, Path::new("/")).expect_err("panics");
    assert_eq!(e.class, ErrorClass::HostPanic, "{}", e.message);
    assert!(e.message.contains("db.lookup"), "{}", e.message);
    let v = ev.eval_expr("1 + 1", Path::new("/")).expect("still usable");
    assert_eq!(ev.as_int(&v).expect("int"), 2);
}
