//! What the fuzz targets in `fuzz/` found (README.md, "Fuzzing"), each kept as a case: the
//! minimised input and the outcome it must have, under the settings the `eval` target runs
//! with (pure evaluation, in-memory files, a step and a memory budget).

use gnix::errors::ErrorClass;
use gnix::io::MemoryIo;
use gnix::value::Value;
use gnix::{Evaluator, Settings};
use std::path::Path;

/// As in the CLI and the `eval` fuzz target: the memory budget sees the heap grow.
#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

fn evaluator() -> Evaluator {
    let settings = Settings {
        max_steps: 200_000,
        max_memory: Some(256 << 20),
        pure: true,
        ..Settings::default()
    };
    Evaluator::with_io(settings, Box::new(MemoryIo::new().cwd("/fuzz")))
}

/// What a case must give.
enum Expect<'a> {
    /// Success, printed (deeply forced) as this.
    Value(&'a str),
    /// An error of this class whose rendered text contains this.
    Error(ErrorClass, &'a str),
}

fn check(outcome: Result<Value, gnix::Error>, ev: &mut Evaluator, input: &str, want: Expect) {
    let outcome = outcome.and_then(|v| ev.deep_force(v));
    match (outcome, want) {
        (Ok(v), Expect::Value(want)) => {
            assert_eq!(gnix::print::print_value(&v), want, "{input:?}")
        }
        (Err(e), Expect::Error(class, text)) => {
            let shown = ev.render_error(&e, false);
            assert_eq!(e.class, class, "{input:?}: {shown}");
            assert!(shown.contains(text), "{input:?}: {shown}");
        }
        (Ok(v), _) => panic!("{input:?}: a value, {}", gnix::print::print_value(&v)),
        (Err(e), _) => panic!("{input:?}: {}", ev.render_error(&e, false)),
    }
}

/// `input` evaluated (the `eval` and `eval_gc` targets; `parse_compile` for syntax errors).
fn eval(input: &str, want: Expect) {
    let mut ev = evaluator();
    let r = ev.eval_expr(input, Path::new("/fuzz"));
    check(r, &mut ev, input, want);
}

/// `gnix eval ARGS` run as a process: exit status and stderr.
#[cfg(unix)]
fn cli(args: &[&[u8]]) -> (i32, String) {
    use std::os::unix::ffi::OsStrExt;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gnix"))
        .arg("eval")
        .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
        .output()
        .expect("gnix runs");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Found by comparing the `eval` corpus with C++ Nix through the CLI: an `-E` expression
/// that is not UTF-8 panicked in `std::env::args` (exit 101). C++ Nix takes the bytes; gnix
/// now decodes them lossily, as it decodes source files.
#[cfg(unix)]
#[test]
fn cli_expression_not_utf8_is_no_panic() {
    let (code, err) = cli(&[b"--strict", b"-E", b"builtins.typeOf \"\xdf\""]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, err) = cli(&[
        b"-E",
        b"(\n  { x }:\nctx\n intersectAttrs\"foo\"/*;\n  \xdfz = 1;\n}",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("syntax error"), "{err}");
}

/// Found by the `eval` corpus: rnix closes a parenthesis with whatever token follows its
/// expression, so these parsed (and the last two evaluated, to 5 and 1) where C++ Nix gives a
/// syntax error. `(ctx /*` gave "undefined variable 'ctx'" before any syntax error.
#[test]
fn a_parenthesis_closed_by_another_token_is_a_syntax_error() {
    use ErrorClass::Parse;
    let unexpected = "syntax error, unexpected ']', expecting ')'";
    eval("(1 ]", Expect::Error(Parse, unexpected));
    eval(
        "(1 ;",
        Expect::Error(Parse, "unexpected ';', expecting ')'"),
    );
    eval(
        "2 * (1 ; + 3",
        Expect::Error(Parse, "unexpected ';', expecting ')'"),
    );
    eval("(1 /*", Expect::Error(Parse, "syntax error, unexpected"));
    eval("(ctx /*", Expect::Error(Parse, "syntax error, unexpected"));
    eval(
        "[ (1 } ]",
        Expect::Error(Parse, "unexpected '}', expecting ')'"),
    );
    eval("[ (1 }", Expect::Error(Parse, "syntax error, unexpected"));
    // Still fine: parentheses closed by `)`, comments and blanks before it.
    eval("( (1) /* c */ + (2 # d\n) )", Expect::Value("3"));
    eval("(x: x) (1)", Expect::Value("1"));
}

/// The bytes this thread holds after `calls` calls of `f` on `arg`, each failing with `error`,
/// and a full collection.
fn held_after_failing_calls(ev: &mut Evaluator, f: &Value, arg: &Value, error: &str) -> isize {
    for _ in 0..1000 {
        let e = ev
            .call(f.clone(), vec![arg.clone()])
            .expect_err("the call fails");
        assert!(e.message.contains(error), "{}", e.message);
    }
    ev.collect_garbage();
    gnix::allocator::held()
}

/// Found by `eval_gc` (LeakSanitizer): a pattern lambda whose defaults refer to each other
/// (`x ? y, y ? x`), called with an unexpected argument or without a required one, stored the
/// defaults in its scope and failed before registering the scope with the cycle collector, so
/// the scope and its default thunks were never freed (176 bytes a call).
#[test]
fn defaults_stored_before_an_argument_error_are_freed() {
    let dir = Path::new("/fuzz");
    for (f, arg, error) in [
        (
            "{ x ? y, y ? x }: x + y",
            "{ z = 1; }",
            "unexpected argument 'z'",
        ),
        (
            "{ x ? y, y ? x, z }: x + y",
            "{ }",
            "without required argument 'z'",
        ),
    ] {
        let mut ev = evaluator();
        let f = ev.eval_expr(f, dir).expect("a function");
        let arg = ev.eval_expr(arg, dir).expect("a set");
        let warm = held_after_failing_calls(&mut ev, &f, &arg, error);
        let after = held_after_failing_calls(&mut ev, &f, &arg, error);
        assert!(after - warm < 40_000, "{f:?}: {} bytes more", after - warm);
    }
    eval(
        "let f = { x ? y, y ? x }: x + y; in f { z = 1; }",
        Expect::Error(ErrorClass::Eval, "called with unexpected argument 'z'"),
    );
}

/// An infinitely deep set, forced deeply until max-call-depth ends it: the error's trace has
/// a line per level, and rendering it with `--show-trace` searched the lines already shown
/// once per line (quadratic: the `eval` target's ten-second timeout at the default depth of
/// 10 000). At twelve times that depth the trace has over 100 000 distinct lines, which
/// quadratic rendering took minutes over.
#[test]
fn a_deep_trace_renders_in_linear_time() {
    let input = "let mkInfinite = i: { \"a${toString i}\" = mkInfinite (i + 1); }; in mkInfinite 0";
    let settings = Settings {
        max_call_depth: 120_000,
        pure: true,
        ..Settings::default()
    };
    let mut ev = Evaluator::with_io(settings, Box::new(MemoryIo::new().cwd("/fuzz")));
    let e = ev
        .eval_expr(input, Path::new("/fuzz"))
        .and_then(|v| ev.deep_force(v))
        .expect_err("too deep");
    assert_eq!(e.class, ErrorClass::CallDepth);
    let shown = ev.render_error(&e, true);
    let levels = shown.matches("while evaluating the attribute").count();
    assert!(levels > 100_000, "{levels} levels");
}
