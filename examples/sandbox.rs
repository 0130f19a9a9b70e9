//! Running untrusted Nix in a sandbox: the files it may read are held in memory, a builtin of
//! the host's own is the only door to host data, every run has a step budget, a memory budget
//! or a time limit, and a watchdog thread can cancel a run that takes too long. The sandbox is
//! an `Engine`, set up once; each job gets an evaluation of its own, on its own thread.
//!
//! `cargo run --example sandbox`

use gnix::errors::{Error, ErrorClass};
use gnix::io::MemoryIo;
use gnix::value::{Builtin, Ret, Value};
use gnix::{Engine, Evaluator, Settings};
use std::path::Path;
use std::time::Duration;

/// gnix's allocator counts the bytes each thread holds, which the memory budget needs.
#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

fn sandbox() -> Engine {
    let settings = Settings {
        max_steps: 1_000_000,
        max_memory: Some(64 << 20),
        ..Settings::default()
    };
    Engine::new(settings)
        .with_io(|| {
            let files = MemoryIo::new().file(
                "/job/default.nix",
                "{ n = builtins.quota \"alice\"; double = x: x * 2; }",
            );
            Box::new(files.cwd("/job"))
        })
        // The host's data, reached only through its own builtin.
        .with_builtins(|| {
            vec![Builtin::from_fn(
                "quota",
                &["user"],
                &[true],
                |args: &[Value]| match &args[0] {
                    Value::String(s) if s.as_bytes() == b"alice" => Ok(Ret::Value(Value::Int(21))),
                    _ => Err(Error::new("no such user")),
                },
            )]
        })
}

/// Runs `expr` in `ev` and says which limit stopped it.
fn stopped(ev: &mut Evaluator, expr: &str) -> ErrorClass {
    match ev.eval_expr(expr, Path::new("/job")) {
        Err(e) => {
            println!("  {}", e.render(false).trim_end());
            e.class
        }
        Ok(_) => panic!("the job was not stopped: {expr}"),
    }
}

fn main() {
    let engine = sandbox();
    // A job within its budget, on a worker thread.
    let worker = engine.clone();
    let doubled = std::thread::spawn(move || {
        let mut ev = worker.evaluation();
        let job = ev.eval_file(Path::new("/job")).expect("the job loads");
        let n = ev.attr(&job, "n").expect("a set").expect("n");
        let double = ev.attr(&job, "double").expect("a set").expect("double");
        let r = ev.call(double, vec![n]).expect("runs");
        ev.as_int(&r).expect("an integer")
    });
    let doubled = doubled.join().expect("the worker finishes");
    assert_eq!(doubled, 42);
    println!("double (quota alice) = {doubled}");

    let mut ev = engine.evaluation();
    // The real file system is out of reach.
    match ev.eval_expr("builtins.readFile /etc/passwd", Path::new("/job")) {
        Err(e) => println!("readFile /etc/passwd: {}", e.message),
        Ok(_) => panic!("the sandbox let a job read /etc/passwd"),
    }

    // An endless job runs out of steps.
    let endless = "let f = n: f (n + 1); in f 0";
    ev.settings_mut().max_call_depth = 0;
    println!("endless job:");
    assert_eq!(stopped(&mut ev, endless), ErrorClass::OutOfSteps);

    // Without a step budget, a greedy job runs out of memory: one large value, then a heap
    // that grows.
    ev.settings_mut().max_steps = 0;
    println!("greedy jobs:");
    let doubling = "let d = s: s + s; in d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d \"x\"))))))))))))))))))))))))))";
    assert_eq!(stopped(&mut ev, doubling), ErrorClass::OutOfMemory);
    let hoarding = "builtins.deepSeq (builtins.genList (i: { a = i; }) 1000000) null";
    assert_eq!(stopped(&mut ev, hoarding), ErrorClass::OutOfMemory);

    // A time limit stops the endless job after 50 ms.
    ev.settings_mut().max_time = Some(Duration::from_millis(50));
    println!("timed job:");
    assert_eq!(stopped(&mut ev, endless), ErrorClass::Timeout);

    // Without any budget, a watchdog thread cancels it after 100 ms.
    ev.settings_mut().max_time = None;
    let cancel = ev.cancel_handle();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    println!("watched job:");
    assert_eq!(stopped(&mut ev, endless), ErrorClass::Cancelled);
    watchdog.join().expect("the watchdog finishes");
}

/// `cargo test` runs the example too (`test = true` in Cargo.toml).
#[test]
fn runs() {
    main();
}
