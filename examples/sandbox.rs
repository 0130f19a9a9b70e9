//! Running untrusted Nix in a sandbox: the files it may read are held in memory, a builtin of
//! the host's own is the only door to host data, every run has a step budget or a time limit,
//! and a watchdog thread can cancel a run that takes too long.
//!
//! `cargo run --example sandbox`

use gnix::errors::{Error, ErrorClass};
use gnix::io::MemoryIo;
use gnix::value::{Builtin, Ret, Value};
use gnix::{Evaluator, Settings};
use std::path::Path;
use std::time::Duration;

fn main() {
    let files = MemoryIo::new()
        .file(
            "/job/default.nix",
            "{ n = builtins.quota \"alice\"; double = x: x * 2; }",
        )
        .cwd("/job");
    // The host's data, reached only through its own builtin.
    let quota = Builtin::from_fn("quota", &["user"], &[true], |args: &[Value]| {
        match &args[0] {
            Value::String(s) if s.as_bytes() == b"alice" => Ok(Ret::Value(Value::Int(21))),
            _ => Err(Error::new("no such user")),
        }
    });
    let settings = Settings {
        max_steps: 1_000_000,
        ..Settings::default()
    };
    let mut ev = Evaluator::with_builtins(settings, Box::new(files), vec![quota]);

    // A job within its budget.
    let job = ev.eval_file(Path::new("/job")).expect("the job loads");
    let n = ev.attr(&job, "n").expect("a set").expect("n");
    let double = ev.attr(&job, "double").expect("a set").expect("double");
    let r = ev.call(double, vec![n]).expect("runs");
    let doubled = ev.as_int(&r).expect("an integer");
    assert_eq!(doubled, 42);
    println!("double (quota alice) = {doubled}");

    // The real file system is out of reach.
    match ev.eval_expr("builtins.readFile /etc/passwd", Path::new("/job")) {
        Err(e) => println!("readFile /etc/passwd: {}", e.message),
        Ok(_) => panic!("the sandbox let a job read /etc/passwd"),
    }

    // An endless job runs out of steps.
    let endless = "let f = n: f (n + 1); in f 0";
    ev.state.settings.max_call_depth = 0;
    match ev.eval_expr(endless, Path::new("/job")) {
        Err(e) if e.class == ErrorClass::OutOfSteps => println!("endless job: {}", e.message),
        other => panic!("the endless job was not stopped: {:?}", other.map(|_| ())),
    }

    // Without a step budget, a time limit stops it after 50 ms.
    ev.state.settings.max_steps = 0;
    ev.state.settings.max_time = Some(Duration::from_millis(50));
    match ev.eval_expr(endless, Path::new("/job")) {
        Err(e) if e.class == ErrorClass::Timeout => println!("timed job: {}", e.message),
        other => panic!("the timed job was not stopped: {:?}", other.map(|_| ())),
    }

    // Without any budget, a watchdog thread cancels it after 100 ms.
    ev.state.settings.max_time = None;
    let cancel = ev.cancel_handle();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    match ev.eval_expr(endless, Path::new("/job")) {
        Err(e) if e.class == ErrorClass::Cancelled => println!("watched job: {}", e.message),
        other => panic!("the watched job was not cancelled: {:?}", other.map(|_| ())),
    }
    watchdog.join().expect("the watchdog finishes");
}

/// `cargo test` runs the example too (`test = true` in Cargo.toml).
#[test]
fn runs() {
    main();
}
