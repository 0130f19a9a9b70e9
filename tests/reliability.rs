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
