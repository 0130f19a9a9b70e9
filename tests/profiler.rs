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

/// Checks that the profile has a line starting with `prefix` (a stack, or a stack and a space).
fn assert_has_stack(profile: &str, prefix: &str) {
    assert!(
        profile.lines().any(|l| l.starts_with(prefix)),
        "no {prefix:?} in\n{profile}"
    );
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
    assert_has_stack(
        &p,
        "«string»:2:4:sum;«string»:1:15:primop foldl';«string»:1:15 ",
    );
    assert_has_stack(&p, "«string»:2:4:sum;«string»:1:15:primop foldl' ");
}

#[test]
fn a_functor_call_is_in_the_stack() {
    let p = profile_of("{ __functor = self: n: if n == 0 then 0 else 1 + self (n - 1); } 2");
    assert_has_stack(&p, "«string»:1:1:functor ");
    assert_has_stack(&p, "«string»:1:1:functor;«string»:1:3:__functor;");
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

/// Runs `gnix eval --eval-profiler flamegraph` on `program` in a fresh directory, at
/// `frequency`, writing to `file` in it (or to the default file when `None`); gives the run's
/// output and the profile it wrote.
fn profile_cli(
    name: &str,
    frequency: &str,
    file: Option<&str>,
    program: &str,
) -> (std::process::Output, String) {
    let dir = temp_dir(name);
    let mut command = Command::new(GNIX);
    command.current_dir(&dir).args([
        "eval",
        "--eval-profiler",
        "flamegraph",
        "--eval-profiler-frequency",
        frequency,
    ]);
    if let Some(f) = file {
        command.args(["--eval-profile-file", f]);
    }
    let out = command.args(["-E", program]).output().expect("runs");
    let written = dir.join(file.unwrap_or("nix.profile"));
    let profile = std::fs::read_to_string(&written).expect("profile written");
    let _ = std::fs::remove_dir_all(&dir);
    (out, profile)
}

fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_cli_keeps_every_call_and_writes_nix_profile_by_default() {
    let (out, p) = profile_cli(
        "default",
        "0",
        None,
        "let loop = { n }: if n == 0 then 0 else loop { n = n - 1; }; in loop { n = 3; }",
    );
    assert_success(&out);
    assert_eq!(out.stdout, b"0\n");
    // The tail calls keep their frames, as in C++ Nix.
    assert_eq!(
        p,
        "«string»:1:65:loop 1\n\
         «string»:1:65:loop;«string»:1:41:loop 1\n\
         «string»:1:65:loop;«string»:1:41:loop;«string»:1:41:loop 1\n"
    );
}

#[test]
fn a_failed_evaluation_still_writes_its_profile() {
    let (out, p) = profile_cli(
        "failed",
        "0",
        Some("out.profile"),
        "let f = { n }: if n == 0 then throw \"bottom\" else f { n = n - 1; }; in f { n = 2; }",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bottom"));
    assert!(p.contains("«string»:1:72:f;«string»:1:51:f 1"), "{p}");
}

#[test]
fn sampling_by_time_finds_where_the_time_goes() {
    // About a tenth of a second of work inside `busy`: at 1 000 samples a second, many
    // samples, however fast the machine.
    let program = "let busy = { n }: builtins.foldl' (a: i: a + i) 0 (builtins.genList (i: i * 2) n);\n\
                   in builtins.foldl' (a: i: a + busy { n = 1000; }) 0 (builtins.genList (i: i) 3000)";
    let (out, p) = profile_cli("timed", "1000", Some("out.profile"), program);
    assert_success(&out);
    let count = |l: &str| -> u64 {
        l.rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let in_busy: u64 = p.lines().filter(|l| l.contains(":busy")).map(count).sum();
    let all: u64 = p.lines().map(count).sum();
    assert!(in_busy > 0 && in_busy * 2 > all, "{p}");
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
