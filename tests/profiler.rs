//! The evaluation profiler (`--eval-profiler flamegraph`, `Settings::profile_period`): which
//! calls a sample holds and how they are written, through the library and the CLI.

use gnix::{Evaluator, Settings};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// The profile of `expr` sampled at every checkpoint (a deterministic profile), with every
/// call keeping its frame.
fn profile_of(expr: &str) -> String {
    let settings = Settings {
        profile_period: Some(Duration::ZERO),
        tail_calls: false,
        ..Settings::default()
    };
    let mut ev = Evaluator::new(settings);
    let v = ev.eval_expr(expr, Path::new(".")).expect("evaluates");
    ev.deep_force(v).expect("forces");
    ev.take_profile()
}

#[test]
fn a_sample_is_the_lambdas_under_way_each_at_its_call_site() {
    // Each call of `count` is sampled when it calls the next one (a sample is taken where a
    // call, a force or a resumption checks in, before the callee's frame is pushed).
    let p = profile_of(
        "let count = { n }: if n == 0 then 0 else 1 + count { n = n - 1; }; in count { n = 3; }",
    );
    assert_eq!(
        p,
        "«string»:1:71:count 1\n\
         «string»:1:71:count;«string»:1:46:count 1\n\
         «string»:1:71:count;«string»:1:46:count;«string»:1:46:count 1\n"
    );
}

#[test]
fn builtins_and_the_lambdas_they_call_are_in_the_stack() {
    let p = profile_of(
        "let sum = xs: builtins.foldl' (acc: x: acc + x) 0 xs;\n\
         in sum (builtins.genList (i: { v = i; }.v) 3)",
    );
    // The anonymous lambda `foldl'` calls is written at the builtin's call, with no name.
    let want = "«string»:2:4:sum;«string»:1:15:primop foldl';«string»:1:15 ";
    assert!(p.lines().any(|l| l.starts_with(want)), "{p}");
    assert!(
        p.lines()
            .any(|l| l.starts_with("«string»:2:4:sum;«string»:1:15:primop foldl' ")),
        "{p}"
    );
}

#[test]
fn a_functor_call_is_in_the_stack() {
    let p = profile_of("{ __functor = self: n: if n == 0 then 0 else 1 + self (n - 1); } 2");
    assert!(
        p.lines().any(|l| l.starts_with("«string»:1:1:functor ")),
        "{p}"
    );
    assert!(
        p.lines()
            .any(|l| l.starts_with("«string»:1:1:functor;«string»:1:3:__functor;")),
        "{p}"
    );
}

#[test]
fn take_profile_gives_the_samples_since_the_last_call() {
    let settings = Settings {
        profile_period: Some(Duration::ZERO),
        ..Settings::default()
    };
    let mut ev = Evaluator::new(settings);
    let expr = "let f = { n }: if n == 0 then 0 else 1 + f { n = n - 1; }; in f { n = 2; }";
    ev.eval_expr(expr, Path::new(".")).expect("evaluates");
    assert!(!ev.take_profile().is_empty());
    assert_eq!(ev.take_profile(), "");
    // Off: nothing more is sampled.
    ev.settings_mut().profile_period = None;
    ev.eval_expr(expr, Path::new(".")).expect("evaluates");
    assert_eq!(ev.take_profile(), "");
}

#[test]
fn an_evaluator_without_the_profiler_has_no_samples() {
    let mut ev = Evaluator::new(Settings::default());
    ev.eval_expr("let f = x: [ x ]; in f 1", Path::new("."))
        .expect("evaluates");
    assert_eq!(ev.take_profile(), "");
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gnix-profiler-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn the_cli_keeps_every_call_and_writes_nix_profile_by_default() {
    let dir = temp_dir("default");
    let out = Command::new(GNIX)
        .current_dir(&dir)
        .args([
            "eval",
            "--eval-profiler",
            "flamegraph",
            "--eval-profiler-frequency",
            "0",
            "-E",
        ])
        .arg("let loop = { n }: if n == 0 then 0 else loop { n = n - 1; }; in loop { n = 3; }")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"0\n");
    let p = std::fs::read_to_string(dir.join("nix.profile")).expect("nix.profile written");
    // The tail calls keep their frames, as in C++ Nix.
    assert_eq!(
        p,
        "«string»:1:65:loop 1\n\
         «string»:1:65:loop;«string»:1:41:loop 1\n\
         «string»:1:65:loop;«string»:1:41:loop;«string»:1:41:loop 1\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_evaluation_still_writes_its_profile() {
    let dir = temp_dir("failed");
    let file = dir.join("out.profile");
    let out = Command::new(GNIX)
        .args([
            "eval",
            "--eval-profiler",
            "flamegraph",
            "--eval-profiler-frequency",
            "0",
        ])
        .arg("--eval-profile-file")
        .arg(&file)
        .arg("-E")
        .arg(
            "let f = { n }: if n == 0 then throw \"bottom\" else f { n = n - 1; }; in f { n = 2; }",
        )
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bottom"));
    let p = std::fs::read_to_string(&file).expect("profile written");
    assert!(p.contains("«string»:1:72:f;«string»:1:51:f 1"), "{p}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sampling_by_time_finds_where_the_time_goes() {
    let dir = temp_dir("timed");
    let file = dir.join("out.profile");
    // About a tenth of a second of work inside `busy`: at 1 000 samples a second, many
    // samples, however fast the machine.
    let program = "let busy = { n }: builtins.foldl' (a: i: a + i) 0 (builtins.genList (i: i * 2) n);\n\
                   in builtins.foldl' (a: i: a + busy { n = 1000; }) 0 (builtins.genList (i: i) 3000)";
    let out = Command::new(GNIX)
        .args([
            "eval",
            "--eval-profiler",
            "flamegraph",
            "--eval-profiler-frequency",
            "1000",
        ])
        .arg("--eval-profile-file")
        .arg(&file)
        .args(["-E", program])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = std::fs::read_to_string(&file).expect("profile written");
    let count = |l: &str| -> u64 {
        l.rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let in_busy: u64 = p.lines().filter(|l| l.contains(":busy")).map(count).sum();
    let all: u64 = p.lines().map(count).sum();
    assert!(in_busy > 0 && in_busy * 2 > all, "{p}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_profiler_mode_is_refused() {
    let out = Command::new(GNIX)
        .args(["eval", "--eval-profiler", "bogus", "-E", "1"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("option 'eval-profiler' has invalid value 'bogus'"),
        "{err}"
    );
}
