//! Inputs that once crashed or hung gnix where C++ Nix stops at once: each must end, quickly,
//! in C++ Nix's outcome (a value, or an error with exit status 1). Every run has a time limit,
//! so a hang fails the test instead of hanging the suite.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// Far more than any of these cases needs, even in a debug build on a busy machine.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// What a run ended with.
struct Outcome {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `gnix eval ARGS`, killing it (and failing the test) past `TIME_LIMIT`.
fn gnix_eval(args: &[&str]) -> Outcome {
    let mut child = Command::new(GNIX)
        .arg("eval")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run gnix");
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let status = wait_or_kill(&mut child, args);
    Outcome {
        status: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

fn wait_or_kill(child: &mut Child, args: &[&str]) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for gnix") {
            return status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gnix eval {args:?} still running after {TIME_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Asserts a clean error: exit status 1 and the message `error: {message}` (first, or after
/// the trace lines shown without `--show-trace`), with `at` among its positions.
fn expect_error(args: &[&str], message: &str, at: &str) {
    let out = gnix_eval(args);
    assert_eq!(out.status, Some(1), "{args:?}: stderr:\n{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!("error: {message}\n"))
            || (out.stderr.starts_with("error:\n")
                && out.stderr.contains(&format!("\n       error: {message}\n"))),
        "{args:?}: expected `{message}`, got:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("at «string»:{at}:")),
        "{args:?}: expected the error at {at}, got:\n{}",
        out.stderr
    );
}

fn expect_value(args: &[&str], value: &str) {
    let out = gnix_eval(args);
    assert_eq!(out.status, Some(0), "{args:?}: stderr:\n{}", out.stderr);
    assert_eq!(out.stdout.trim_end(), value, "{args:?}");
}

/// rnix takes the blank (or comment) between a path and `${` into the path, a tree its own
/// `parts()` panics on; C++ Nix's lexer ends the path there, and `${` is unexpected.
#[test]
fn blank_between_a_path_and_an_interpolation_is_a_syntax_error() {
    let cases = [
        (
            "/a ${g}",
            "syntax error, unexpected '${', expecting end of file",
            "1:4",
        ),
        (
            "./a ${b}",
            "syntax error, unexpected '${', expecting end of file",
            "1:5",
        ),
        (
            "~/a ${b}",
            "syntax error, unexpected '${', expecting end of file",
            "1:5",
        ),
        ("[ a/b ${c} ]", "syntax error, unexpected '${'", "1:7"),
        (
            "./a /* c */${b}",
            "syntax error, unexpected '${', expecting end of file",
            "1:12",
        ),
        (
            "x: ./a # c\n${b}",
            "syntax error, unexpected '${', expecting end of file",
            "2:1",
        ),
        (
            "{ x = ./a ${b}; }",
            "syntax error, unexpected '${', expecting ';'",
            "1:11",
        ),
        (
            "\"${./a ${b}}\"",
            "syntax error, unexpected '${', expecting '}'",
            "1:8",
        ),
    ];
    for (expr, message, at) in cases {
        expect_error(&["--parse", "-E", expr], message, at);
        expect_error(&["-E", expr], message, at);
    }
}

#[test]
fn a_comment_ending_a_path_in_a_slash_is_a_trailing_slash() {
    expect_error(
        &["-E", "./a/* c */${b}"],
        "path has a trailing slash",
        "1:1",
    );
}

#[test]
fn interpolation_right_after_a_path_still_works() {
    expect_value(
        &["--strict", "-E", r#"let b = "b"; in baseNameOf /x/${b}/c"#],
        r#""c""#,
    );
}

/// A value that coerces to itself: C++ Nix recurses until its stack overflows ("stack overflow
/// (possible infinite recursion)"); gnix stops at max-call-depth.
#[test]
fn a_value_that_coerces_to_itself_is_a_stack_overflow() {
    let cases = [
        // A `__toString` is called at its attribute, as C++ Nix's `callFunction` is.
        (r#"let x = { __toString = self: self; }; in "${x}""#, "1:11"),
        // An interpolated part is placed at its `${`, as C++ Nix's parser places it.
        (r#"let x = { outPath = x; }; in "${x}""#, "1:31"),
        ("let x = [ x ]; in toString x", "1:19"),
        ("let x = [ x x ]; in toString x", "1:21"),
        (r#"let x = { __toString = self: self; }; in x + """#, "1:11"),
        ("let x = { outPath = x; }; in builtins.pathExists x", "1:30"),
    ];
    for (expr, at) in cases {
        expect_error(
            &["--strict", "-E", expr],
            "stack overflow; max-call-depth exceeded",
            at,
        );
    }
}

#[test]
fn deep_but_finite_coercions_still_work() {
    let list = "let f = n: if n == 0 then 7 else [ (f (n - 1)) ]; in toString (f 1000)";
    expect_value(&["--strict", "-E", list], r#""7""#);
    let to_string =
        r#"let f = n: if n == 0 then "a" else { __toString = _: f (n - 1); }; in "${f 1000}""#;
    expect_value(&["--strict", "-E", to_string], r#""a""#);
    let out_path = r#"let f = n: if n == 0 then "p" else { outPath = f (n - 1); }; in "${f 1000}""#;
    expect_value(&["--strict", "-E", out_path], r#""p""#);
    let wide = "toString [ 1 [ 2 [ ] 3 ] { outPath = \"x\"; } [ [ [ 4 ] ] ] ]";
    expect_value(&["--strict", "-E", wide], r#""1 2 3 x 4""#);
}

/// A scratch file holding `text`, for programs too long for a command line.
fn scratch_file(name: &str, text: &str) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write a scratch file");
    path.to_str().expect("a UTF-8 path").to_string()
}

/// Each construct nested `n` deep with nothing around it, and the value it prints with
/// `--strict`.
fn nested_programs(n: usize) -> Vec<(&'static str, String, String)> {
    let value = |v: &str| v.to_string();
    vec![
        (
            "parens",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            value("1"),
        ),
        (
            "lists",
            format!("{}1{}", "[ ".repeat(n), " ]".repeat(n)),
            format!("{}1{}", "[ ".repeat(n), " ]".repeat(n)),
        ),
        (
            "sets",
            format!("{}1{}", "{ a = ".repeat(n), "; }".repeat(n)),
            format!("{}1{}", "{ a = ".repeat(n), "; }".repeat(n)),
        ),
        (
            "lambdas",
            format!("{}x", "x: ".repeat(n)),
            value("<LAMBDA>"),
        ),
        (
            "else-if",
            format!("{}5", "if false then 0 else ".repeat(n)),
            value("5"),
        ),
        (
            "let",
            format!("{}a", "let a = 1; in ".repeat(n)),
            value("1"),
        ),
        (
            "with",
            format!("{}typeOf null", "with builtins; ".repeat(n)),
            value("\"null\""),
        ),
        (
            "assert",
            format!("{}1", "assert true; ".repeat(n)),
            value("1"),
        ),
        ("negation", format!("{}1", "- ".repeat(n)), value("1")),
        ("not", format!("{}true", "!".repeat(n)), value("true")),
        (
            "interpolation",
            format!("{}\"x\"{}", "\"${".repeat(n), "}\"".repeat(n)),
            value("\"x\""),
        ),
        (
            "select-defaults",
            format!("{}1", "builtins.x or ".repeat(n)),
            value("1"),
        ),
    ]
}

/// Every construct nests 600, 5 000 and 10 000 levels deep (far past rnix's parser's 512) and
/// evaluates to its value.
#[test]
fn constructs_nest_ten_thousand_deep() {
    // An even depth: the negations and `!`s cancel out.
    for n in [600, 5_000, 10_000] {
        for (what, program, want) in nested_programs(n) {
            let file = scratch_file(&format!("nested-{what}-{n}.nix"), &program);
            // Forcing a structure nested 10 000 deep goes past the default call depth.
            let out = gnix_eval(&["--strict", "--max-call-depth", "0", &file]);
            assert_eq!(out.status, Some(0), "{what} {n}: stderr:\n{}", out.stderr);
            assert_eq!(out.stdout.trim_end(), want, "{what} {n}");
        }
    }
    // A long selection is no nesting at all: 10 000 names (100 000 are parsed in
    // `long_runs_of_path_characters_parse`).
    let path = ".a".repeat(10_000);
    let select = format!("let s = {{ a = s; b = 1; }}; in s{path}.b");
    expect_value(&[&scratch_file("long-select.nix", &select)], "1");
    // Curried lambdas, called.
    let n = 5_000;
    let call = format!("({}x) {}7", "x: ".repeat(n), "1 ".repeat(n - 1));
    let file = scratch_file("nested-lambda-call.nix", &call);
    expect_value(&[&file], "7");
}

/// One level more than `MAX_NESTING` (10 000) is a syntax error, whatever nests.
#[test]
fn nesting_past_ten_thousand_is_a_syntax_error() {
    for (what, program, _) in nested_programs(10_001) {
        let file = scratch_file(&format!("too-deep-{what}.nix"), &program);
        let out = gnix_eval(&["--parse", &file]);
        assert_eq!(out.status, Some(1), "{what}: stderr:\n{}", out.stderr);
        assert!(
            out.stderr
                .starts_with("error: expression nested too deeply (more than 10000 levels)"),
            "{what}: {}",
            out.stderr
        );
    }
}

/// A call with 100 000 arguments parses (rnix's tree building took quadratic time on it:
/// about 10 s for 40 000; the figures are in benches/RESULTS.md).
#[test]
fn a_call_with_a_hundred_thousand_arguments_parses() {
    let program = format!("f: f{}", " 1".repeat(100_000));
    let file = scratch_file("many-arguments.nix", &program);
    let out = gnix_eval(&["--parse", &file]);
    assert_eq!(out.status, Some(0), "stderr:\n{}", out.stderr);
}

/// Runs of path characters 100 000 tokens long parse: rnix's tokenizer, which gnix's parser
/// read from before it had its own, scanned such a run to its end again from every token in
/// it (looking for a `/`, `>` or `:` that would make it a path, search path or URI), quadratic:
/// 1.9 s for 20 000 names, a minute for 100 000 (benches/RESULTS.md).
#[test]
fn long_runs_of_path_characters_parse() {
    let n = 100_000;
    let programs = [
        (
            "long-select.nix",
            format!("let s = {{ a = s; b = 1; }}; in s{}.b", ".a".repeat(n)),
        ),
        ("long-sum.nix", format!("1{}", "+1".repeat(n))),
    ];
    for (name, program) in programs {
        let file = scratch_file(name, &program);
        let out = gnix_eval(&["--parse", &file]);
        assert_eq!(out.status, Some(0), "{name}: stderr:\n{}", out.stderr);
    }
}
