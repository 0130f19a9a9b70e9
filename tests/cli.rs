//! End-to-end tests of the `gnix` binary: exit codes, output formats, error rendering, and
//! evaluation that goes far deeper than the native stack would allow.

use pretty_assertions::assert_eq;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

const DEEP_RECURSION: &str = "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000";

fn gnix(args: &[&str]) -> Output {
    Command::new(GNIX)
        .args(args)
        .output()
        .expect("cannot run gnix")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The start of a long output, for assertion messages.
fn head(s: &str) -> String {
    s.chars().take(400).collect()
}

/// Asserts the exit status (a signal shows as `None`) and returns stdout without its newline.
fn expect_status(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "unexpected {}; stderr:\n{}",
        out.status,
        head(&stderr(out))
    );
    stdout(out).trim_end_matches('\n').to_string()
}

fn eval_ok(args: &[&str]) -> String {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    expect_status(&gnix(&all), 0)
}

/// Writes `text` to a file under cargo's scratch folder for integration tests.
fn scratch_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    fs::write(&path, text).expect("write scratch file");
    path
}

#[test]
fn evaluates_an_expression() {
    assert_eq!(eval_ok(&["-E", "1 + 2"]), "3");
}

#[test]
fn evaluation_error_shows_message_position_and_excerpt() {
    let out = gnix(&["eval", "-E", "let s = { a = 1; }; in s.b"]);
    expect_status(&out, 1);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // As C++ Nix lays it out: the trace (where the selection is), then the message.
    assert!(
        lines[0].starts_with("error:"),
        "first line is not an error: {err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start() == "error: attribute 'b' missing"),
        "no message: {err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("at «string»:1:")),
        "no position line: {err}"
    );
    let excerpt = lines
        .iter()
        .position(|l| l.contains("1| let s = { a = 1; }; in s.b"));
    let excerpt = excerpt.unwrap_or_else(|| panic!("no source excerpt: {err}"));
    let caret = lines.get(excerpt + 1).copied().unwrap_or("");
    assert!(
        caret.trim_start().starts_with('|') && caret.contains('^'),
        "no caret line after the excerpt: {err}"
    );
}

#[test]
fn dump_bytecode_lists_the_code_without_running_it() {
    let listing = eval_ok(&["--dump-bytecode", "-E", "x: throw x"]);
    assert_eq!(
        listing,
        "chunk <top> at 1:1\n   0  1:1     Closure lambda#0\n   1  1:1     Return\n\n\
         lambda <top>/lambda#0 at 1:1: arg x, slots 1, speculable, speculates calls\n   \
         0  1:4     Const «primop throw»\n   1  1:10    Local (0, 0)\n   2  1:4     \
         TailCall\n   3  1:1     Return"
    );
    let out = gnix(&["eval", "--dump-bytecode", "-E", "1 +"]);
    expect_status(&out, 1);
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = gnix(&["eval", "--no-such-flag", "-E", "1"]);
    expect_status(&out, 2);
    assert!(stderr(&out).contains("--no-such-flag"), "{}", stderr(&out));
}

#[test]
fn missing_arguments_are_usage_errors() {
    for args in [&[][..], &["eval", "-E"], &["eval", "--max-call-depth"]] {
        let out = gnix(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "gnix {args:?}: {}\n{}",
            out.status,
            stderr(&out)
        );
    }
}

#[test]
fn json_output_of_nested_values() {
    let expr = r#"{ b = [ 1 "x" null true 1.5 { c = [ ]; } ]; a = { d = 1 + 1; }; }"#;
    assert_eq!(
        eval_ok(&["--json", "-E", expr]),
        r#"{"a":{"d":2},"b":[1,"x",null,true,1.5,{"c":[]}]}"#
    );
}

#[test]
fn lazy_and_strict_printing() {
    let set = "{ a = builtins.toJSON 1; }";
    assert_eq!(eval_ok(&["-E", set]), "{ a = <CODE>; }");
    assert_eq!(eval_ok(&["--strict", "-E", set]), r#"{ a = "1"; }"#);
    assert_eq!(
        eval_ok(&["-E", "[ (builtins.toJSON 1) 3 ]"]),
        "[ <CODE> 3 ]"
    );
    // Small thunks whose inputs are known are computed where they are made (vm::speculate),
    // calls of cheap builtins included; those that would fail stay thunks.
    assert_eq!(eval_ok(&["-E", "[ (1 + 1) 3 ]"]), "[ 2 3 ]");
    assert_eq!(eval_ok(&["-E", "[ (builtins.add 1 1) 3 ]"]), "[ 2 3 ]");
    assert_eq!(
        eval_ok(&["-E", "[ (builtins.toString 1) \"a${\"b\"}\" [ 1 ] ]"]),
        r#"[ "1" "ab" [ 1 ] ]"#
    );
    assert_eq!(
        eval_ok(&["-E", "[ (builtins.head [ ]) 3 ]"]),
        "[ <CODE> 3 ]"
    );
}

#[test]
fn no_speculate_leaves_every_thunk_a_thunk() {
    assert_eq!(
        eval_ok(&["--no-speculate", "-E", "[ (1 + 1) 3 ]"]),
        "[ <CODE> 3 ]"
    );
    let expr = "let f = n: if n == 0 then 0 else f (n - 1); in f 1000";
    for vm in ["generator", "recursive"] {
        let out = gnix(&["eval", "--vm", vm, "--no-speculate", "--stats", "-E", expr]);
        assert_eq!(expect_status(&out, 0), "0");
        // Every `n - 1` is a thunk, where speculation computes them all (see below).
        assert_eq!(stat(&stderr(&out), "nrThunks"), 1000, "{vm}");
    }
}

#[test]
fn deep_recursion_runs_on_the_heap() {
    let got = eval_ok(&["--max-call-depth", "0", "-E", DEEP_RECURSION]);
    assert_eq!(got, "1000000");
}

#[test]
fn long_thunk_chain_runs_on_the_heap() {
    let expr = "let xs = builtins.genList \
                (i: if i == 0 then 0 else builtins.elemAt xs (i - 1) + 1) 1000000; \
                in builtins.elemAt xs 999999";
    assert_eq!(eval_ok(&["--max-call-depth", "0", "-E", expr]), "999999");
}

#[test]
fn strict_printing_of_a_deeply_nested_list() {
    let depth = 100_000;
    let expr = format!("builtins.foldl' (acc: _: [ acc ]) [ ] (builtins.genList (x: x) {depth})");
    let got = eval_ok(&["--max-call-depth", "0", "--strict", "-E", &expr]);
    assert!(got.starts_with("[ [ [ "), "{}", head(&got));
    let want = format!("{}[ ]{}", "[ ".repeat(depth), " ]".repeat(depth));
    assert_eq!(got.len(), want.len());
    assert!(got == want, "output is not {depth} nested lists");
}

#[test]
fn default_max_call_depth_stops_deep_recursion() {
    let out = gnix(&["eval", "-E", DEEP_RECURSION]);
    expect_status(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("error: stack overflow; max-call-depth exceeded"),
        "{err}"
    );
}

#[test]
fn max_memory_turns_a_runaway_allocation_into_an_error() {
    let doubling = "let d = s: s + s; in builtins.stringLength \
                    (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d \
                    (d (d (d (d (d (d (d (d (d (d (d (d (d (d (d \"x\"))))))))))))))))))))))))))))))))))))))))";
    let out = gnix(&["eval", "--max-memory", "256M", "-E", doubling]);
    expect_status(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("would exceed the memory budget (max-memory)"),
        "{err}"
    );
    let out = gnix(&[
        "eval",
        "--max-memory",
        "64M",
        "--strict",
        "-E",
        "builtins.genList (i: { a = i; }) 2000000",
    ]);
    expect_status(&out, 1);
    assert!(
        stderr(&out).contains("the heap grew past the memory budget"),
        "{}",
        stderr(&out)
    );
    let out = gnix(&["eval", "--max-memory", "lots", "-E", "1"]);
    expect_status(&out, 2);
}

/// A source file nested `depth` levels deep must end in an evaluation error, not a crash.
fn assert_deep_nesting_is_an_error(name: &str, open: &str, inner: &str, close: &str) {
    let depth = 100_000;
    let text = format!("{}{inner}{}\n", open.repeat(depth), close.repeat(depth));
    let file = scratch_file(name, &text);
    let out = gnix(&["eval", file.to_str().expect("UTF-8 path")]);
    expect_status(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{}", head(&err));
}

#[test]
fn deeply_nested_parentheses_are_an_error() {
    assert_deep_nesting_is_an_error("nested-parens.nix", "(", "1", ")");
}

#[test]
fn deeply_nested_lists_are_an_error() {
    assert_deep_nesting_is_an_error("nested-lists.nix", "[", "", "]");
}

/// The value of `"key": N` in `--stats` output.
fn stat(stats: &str, key: &str) -> u64 {
    let at = stats
        .find(&format!("\"{key}\": "))
        .map(|i| i + key.len() + 4);
    let digits: String = stats[at.unwrap_or(stats.len())..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no {key} in {stats}"))
}

#[test]
fn stats_count_calls_thunks_and_allocations() {
    let expr = "let f = n: if n == 0 then 0 else f (n - 1); in f 1000";
    let out = gnix(&["eval", "--stats", "-E", expr]);
    assert_eq!(expect_status(&out, 0), "0");
    let stats = stderr(&out);
    assert_eq!(stat(&stats, "nrFunctionCalls"), 1001, "{stats}");
    // `n - 1` is computed where its thunk would be made (vm::speculate).
    assert_eq!(stat(&stats, "nrThunks"), 0, "{stats}");
    // One environment per call, and no more than a few per call altogether.
    let allocations = stat(&stats, "nrAllocations");
    assert!((1001..5000).contains(&allocations), "{stats}");
}

#[test]
fn curried_lambdas_and_loops_push_no_extra_frames() {
    // `a: b: ...` applied to the accumulator makes the inner closure without a frame; the
    // foldl' loop runs in one Loop frame: one frame per element for the call, one per element
    // for forcing the genList thunk.
    let expr = "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000)";
    let out = gnix(&["eval", "--stats", "-E", expr]);
    assert_eq!(expect_status(&out, 0), "499500");
    let stats = stderr(&out);
    assert!(stat(&stats, "nrFramesPushed") <= 2010, "{stats}");
    assert!(stat(&stats, "nrGeneratorResumes") <= 10, "{stats}");
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // About a megabyte of output; the reader takes a few bytes and closes the pipe.
    let mut child = Command::new(GNIX)
        .args(["eval", "--strict", "-E", "builtins.genList (i: i) 200000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run gnix");
    let mut first = [0u8; 8];
    let mut out = child.stdout.take().expect("piped stdout");
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let done = child.wait_with_output().expect("gnix ends");
    assert_eq!(&first[..2], b"[ ");
    assert_eq!(
        done.status.code(),
        Some(0),
        "stderr: {}",
        head(&stderr(&done))
    );
    assert_eq!(stderr(&done), "");
}

/// Every flag name in the flag table (`src/flags.rs`): each string literal there that is a
/// flag (`-E`, `--expr`).
fn table_flags() -> Vec<String> {
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/flags.rs"))
        .expect("src/flags.rs is readable");
    let is_flag = |s: &&str| {
        let name = s.strip_prefix("--").or_else(|| s.strip_prefix('-'));
        name.is_some_and(|n| {
            n.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    let mut flags: Vec<String> = table.split('"').filter(is_flag).map(String::from).collect();
    flags.sort();
    flags.dedup();
    assert!(flags.len() > 40, "too few flags found: {flags:?}");
    flags
}

#[test]
fn help_lists_every_flag_of_the_table() {
    let help = expect_status(&gnix(&["eval", "--help"]), 0);
    // `--help` anywhere prints the same, and the arguments after it are not read.
    assert_eq!(
        expect_status(&gnix(&["eval", "-E", "1", "--help", "--bogus"]), 0),
        help
    );
    assert_eq!(expect_status(&gnix(&["--help"]), 0), help);
    assert!(help.starts_with("usage: gnix eval"), "{help}");
    let words: Vec<&str> = help.split([' ', ',', '\n']).collect();
    for flag in table_flags() {
        assert!(
            words.contains(&flag.as_str()),
            "gnix eval --help does not list {flag}"
        );
    }
    // The repl lists its own flags, and takes no output flags.
    let repl = expect_status(&gnix(&["repl", "--help"]), 0);
    assert!(repl.contains("\n  --option NAME VALUE "), "{repl}");
    assert!(!repl.contains("--json"), "{repl}");
    let out = gnix(&["repl", "--json"]);
    expect_status(&out, 2);
    assert!(stderr(&out).contains("unrecognised flag '--json'"));
}

#[test]
fn option_sets_settings_by_their_cpp_nix_names() {
    let deep = "let f = n: if n == 0 then 0 else f (n - 1); in f 100";
    assert_eq!(eval_ok(&["-E", deep]), "0");
    let (code, _, err) = eval_all(&["--option", "max-call-depth", "50", "-E", deep]);
    assert_eq!(code, Some(1));
    assert!(err.contains("max-call-depth exceeded"), "{err}");
    let env = ["-E", "builtins.getEnv \"PATH\""];
    assert_ne!(eval_ok(&env), "\"\"");
    for yes in ["true", "yes", "1"] {
        let args = [&["--option", "pure-eval", yes][..], &env].concat();
        assert_eq!(eval_ok(&args), "\"\"", "{yes}");
    }
    let args = [&["--pure-eval", "--option", "pure-eval", "false"][..], &env].concat();
    assert_ne!(eval_ok(&args), "\"\"");
    let warn = "builtins.warn \"w\" 1";
    assert_eq!(eval_all(&["-E", warn]).0, Some(0));
    let (code, _, _) = eval_all(&["--option", "abort-on-warn", "true", "-E", warn]);
    assert_eq!(code, Some(1));
    let thrower = "let f = x: x + \"a\"; in f 1";
    let (_, _, short) = eval_all(&["-E", thrower]);
    let (_, _, traced) = eval_all(&["--option", "show-trace", "true", "-E", thrower]);
    assert!(traced.len() > short.len(), "{short}\n{traced}");
    let toml = "builtins.fromTOML \"a = 1979-05-27\"";
    assert_eq!(eval_all(&["-E", toml]).0, Some(1));
    let feature = [
        "--option",
        "extra-experimental-features",
        "parse-toml-timestamps",
    ];
    assert_eq!(eval_all(&[&feature[..], &["-E", toml]].concat()).0, Some(0));
}

/// As `nix-instantiate --eval` 2.8 does, byte for byte on stderr (its exit code for a usage
/// error is 1, gnix's 2).
#[test]
fn option_warns_of_unknown_names_and_invalid_values() {
    let (code, out, err) = eval_all(&["--option", "foo", "bar", "-E", "builtins.trace \"t\" 1"]);
    assert_eq!((code, out.as_str()), (Some(0), "1\n"));
    assert_eq!(err, "warning: unknown setting 'foo'\ntrace: t\n");
    let (code, out, err) = eval_all(&["--option", "pure-eval", "maybe", "-E", "1"]);
    assert_eq!((code, out.as_str()), (Some(0), "1\n"));
    assert_eq!(
        err,
        "warning: error: Boolean setting 'pure-eval' has invalid value 'maybe'\n"
    );
    let (_, _, err) = eval_all(&["--option", "max-call-depth", "x", "-E", "1"]);
    assert_eq!(
        err,
        "warning: error: setting 'max-call-depth' has invalid value 'x'\n"
    );
    // Unknown names are warned about only once the command line is known to be good.
    let (code, _, err) = eval_all(&["--option", "foo", "bar", "--bogus"]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("foo"), "{err}");
    let (code, _, err) = eval_all(&["--option", "foo"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: '--option' requires an argument\n"),
        "{err}"
    );
}

/// Runs `gnix completions SHELL` and checks it names every flag of the table.
fn completion_script(shell: &str) -> String {
    let script = expect_status(&gnix(&["completions", shell]), 0);
    for flag in table_flags() {
        let shown = match (shell, flag.strip_prefix("--")) {
            ("fish", Some(long)) => format!("-l {long} "),
            ("fish", None) => format!("-s {} ", &flag[1..]),
            _ => flag.clone(),
        };
        assert!(script.contains(&shown), "{shell}: no {flag}");
    }
    script
}

/// Whether `shell` can be run; says so when it cannot.
fn have(shell: &str) -> bool {
    let found = Command::new(shell).arg("-c").arg("true").output().is_ok();
    if !found {
        eprintln!("{shell} is not installed: its completion script is not checked by it");
    }
    found
}

#[test]
fn completion_scripts_name_every_flag_and_parse() {
    for (shell, check) in [("bash", "-n"), ("zsh", "-n"), ("fish", "--no-execute")] {
        let script = completion_script(shell);
        if !have(shell) {
            continue;
        }
        let path = scratch_file(&format!("completion.{shell}"), &script);
        let out = Command::new(shell)
            .arg(check)
            .arg(&path)
            .output()
            .expect("the shell runs");
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
    }
    let out = gnix(&["completions", "tcsh"]);
    expect_status(&out, 2);
    assert!(stderr(&out).contains("bash, zsh or fish"));
}

/// What the bash script offers for the words typed (the last is the one completed).
fn bash_completes(words: &[&str]) -> Vec<String> {
    let path = scratch_file("completion-run.bash", &completion_script("bash"));
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let run = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _gnix; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(run)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let offered = stdout(&out);
    offered
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn bash_completes_flags_their_arguments_and_files() {
    if !have("bash") {
        return;
    }
    assert_eq!(bash_completes(&["gnix", "re"]), ["repl"]);
    assert_eq!(
        bash_completes(&["gnix", "eval", "--v"]),
        ["--vm", "--version"]
    );
    assert!(!bash_completes(&["gnix", "repl", "--"]).contains(&"--json".to_string()));
    assert_eq!(
        bash_completes(&["gnix", "eval", "--vm", ""]),
        ["generator", "recursive"]
    );
    // The second argument of --arg is an expression; after it, flags again.
    assert_eq!(
        bash_completes(&["gnix", "eval", "--arg", "x", "--v"]),
        Vec::<String>::new()
    );
    assert_eq!(
        bash_completes(&["gnix", "eval", "--arg", "x", "1", "--v"]),
        ["--vm", "--version"]
    );
    let settings = bash_completes(&["gnix", "eval", "--option", "pure"]);
    assert_eq!(settings, ["pure-eval"]);
    assert_eq!(bash_completes(&["gnix", "eval", "Cargo.t"]), ["Cargo.toml"]);
    assert_eq!(bash_completes(&["gnix", "completions", "z"]), ["zsh"]);
}

/// Runs `gnix eval ARGS` and returns its exit code, stdout and stderr.
fn eval_all(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    let out = gnix(&all);
    (out.status.code(), stdout(&out), stderr(&out))
}

const SELECTABLE: &str = r#"{ a.b = 1; xs = [ 1 2 { c = 3; } ]; "a.b".c = 4; ab = 5; }"#;

#[test]
fn attr_selects_along_a_path() {
    for (path, want) in [
        ("a.b", "1"),
        ("xs.2.c", "3"),
        ("xs.+1", "2"),
        (r#""a.b".c"#, "4"),
        (r#"a"b""#, "5"),
        ("a.", "{ b = 1; }"),
    ] {
        assert_eq!(eval_ok(&["-E", SELECTABLE, "-A", path]), want, "-A {path}");
    }
    assert_eq!(eval_ok(&["-E", SELECTABLE, "--attr", "a.b"]), "1");
}

#[test]
fn several_attr_paths_print_one_line_each_until_one_fails() {
    let (code, out, err) = eval_all(&["-E", SELECTABLE, "-A", "a.b", "-A", "ab", "-A", "q"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "1\n5\n");
    assert_eq!(
        err,
        "error: attribute 'q' in selection path 'q' not found\n       Did you mean one of a, ab or xs?\n"
    );
}

#[test]
fn attr_path_errors_are_worded_as_cpp_nix_words_them() {
    for (path, want) in [
        (
            "a.x",
            "error: attribute 'x' in selection path 'a.x' not found\n       Did you mean b?\n",
        ),
        (
            "xs.5",
            "error: list index 5 in selection path 'xs.5' is out of range\n",
        ),
        (
            "a.b.c",
            "error: the expression selected by the selection path 'a.b.c' should be a set but is an integer\n",
        ),
        (
            "xs.-1",
            "error: the expression selected by the selection path 'xs.-1' should be a set but is a list\n",
        ),
        (
            "a.0",
            "error: the expression selected by the selection path 'a.0' should be a list but is a set\n",
        ),
        (".a", "error: empty attribute name in selection path '.a'\n"),
        (
            r#""a.b"#,
            "error: missing closing quote in selection path '\"a.b'\n",
        ),
        (
            "zzz.y",
            "error: attribute 'zzz' in selection path 'zzz.y' not found\n",
        ),
    ] {
        let (code, out, err) = eval_all(&["-E", SELECTABLE, "-A", path]);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (Some(1), "", want),
            "-A {path}"
        );
    }
}

#[test]
fn a_function_taking_a_set_is_called_before_selecting_and_with_args() {
    let f = "{ a ? 1, b ? a + 1 }: { inherit a b; }";
    assert_eq!(eval_ok(&["-E", f, "-A", "b"]), "2");
    assert_eq!(eval_ok(&["-E", f, "--arg", "a", "10", "-A", "b"]), "11");
    assert_eq!(
        eval_ok(&["-E", f, "--argstr", "b", "x", "-A", "b"]),
        r#""x""#
    );
    // Without -A, only when there are arguments; a later --arg replaces an earlier one.
    assert_eq!(eval_ok(&["-E", "{ a ? 1 }: a"]), "<LAMBDA>");
    assert_eq!(eval_ok(&["-E", "{ a ? 1 }: a", "--arg", "z", "0"]), "1");
    let twice = ["-E", "{ a }: a", "--arg", "a", "2", "--argstr", "a", "3"];
    assert_eq!(eval_ok(&twice), r#""3""#);
    // `...` takes every argument; a plain argument is never filled.
    let all = ["-E", "{ ... }@s: s", "--arg", "p", "1 + 1", "--strict"];
    assert_eq!(eval_ok(&all), "{ p = 2; }");
    assert_eq!(eval_ok(&["-E", "x: x", "--arg", "x", "1"]), "<LAMBDA>");
    // A functor is called with itself, its result in turn.
    let functor = "{ __functor = self: { a ? 3 }: a; }";
    assert_eq!(eval_ok(&["-E", functor, "--arg", "b", "1"]), "3");
    let endless = ["-E", "{ __functor = self: self; }", "--arg", "b", "1"];
    let (code, _, err) = eval_all(&endless);
    assert_eq!(code, Some(1));
    assert_eq!(err, "error: stack overflow (possible infinite recursion)\n");
}

#[test]
fn auto_call_arguments_are_lazy_but_parsed_first() {
    let unused = ["-E", "{ a ? 1 }: a", "--arg", "x", "throw \"no\""];
    assert_eq!(eval_ok(&unused), "1");
    let (code, _, err) = eval_all(&["-E", "1", "--arg", "x", "1 +"]);
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with("error: syntax error, unexpected end of file"),
        "{err}"
    );
}

#[test]
fn a_missing_auto_call_argument_is_an_error_at_the_formal() {
    let (code, out, err) = eval_all(&["-E", "{a}: a", "--arg", "b", "2"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert!(
        err.starts_with(
            "error: cannot evaluate a function that has an argument without a value ('a')\n\n       \
             Nix attempted to evaluate a function as a top level expression; in\n"
        ),
        "{err}"
    );
    assert!(err.contains("at «string»:1:2:"), "{err}");
    let (code, _, err) = eval_all(&["-E", "{a}: { b = 1; }", "-A", "b"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("('a')"), "{err}");
}

#[test]
fn raw_prints_the_string_alone() {
    let (code, out, _) = eval_all(&["--raw", "-E", r#""a\n\"b\"""#]);
    assert_eq!((code, out.as_str()), (Some(0), "a\n\"b\""));
    let set = r#"{ s = { __toString = _: "t"; }; }"#;
    assert_eq!(eval_all(&["--raw", "-E", set, "-A", "s"]).1, "t");
    let (code, out, err) = eval_all(&["--raw", "-E", "1"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(err, "error: cannot coerce an integer to a string: 1\n");
    let (code, _, err) = eval_all(&["--raw", "--json", "-E", "1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--raw"), "{err}");
}

#[test]
fn sources_from_stdin_default_nix_and_directories() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-default-nix");
    fs::create_dir_all(dir.join("sub")).expect("make scratch dirs");
    fs::write(dir.join("default.nix"), "{ a = 1; }").expect("write default.nix");
    fs::write(dir.join("sub/default.nix"), "7").expect("write sub/default.nix");
    let run = |args: &[&str], input: &str| {
        let mut child = Command::new(GNIX)
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot run gnix");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        let out = child.wait_with_output().expect("gnix ends");
        expect_status(&out, 0)
    };
    assert_eq!(run(&["eval", "-A", "a"], ""), "1");
    assert_eq!(run(&["eval", "sub"], ""), "7");
    assert_eq!(run(&["eval", "-", "--arg", "x", "5"], "{ x }: x"), "5");
}

#[test]
fn version_and_ignored_compatibility_flags() {
    let want = format!("gnix {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(expect_status(&gnix(&["--version"]), 0), want);
    assert_eq!(eval_ok(&["--version"]), want);
    let flags = [
        "--eval-only",
        "--read-write-mode",
        "--timeout",
        "5",
        "-E",
        "1",
    ];
    assert_eq!(eval_ok(&flags), "1");
    let (code, _, err) = eval_all(&["--timeout", "soon", "-E", "1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("invalid --timeout 'soon'"), "{err}");
    for args in [&["--arg", "x"][..], &["--argstr", "x"], &["-A"]] {
        assert_eq!(eval_all(args).0, Some(2), "{args:?}");
    }
}

/// Runs `gnix eval` with arguments given as bytes (an `-E` expression need not be UTF-8) and
/// `input` on stdin; returns the exit code, stdout and stderr as bytes.
fn eval_bytes(args: &[&[u8]], input: &[u8]) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    use std::ffi::OsStr;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::process::Stdio;
    let mut child = Command::new(GNIX)
        .arg("eval")
        .args(args.iter().map(|a| OsStr::from_bytes(a)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run gnix");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input).expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("gnix ends");
    (out.status.code(), out.stdout, out.stderr)
}

/// The stdout of a successful `eval_bytes`.
fn eval_bytes_ok(args: &[&[u8]]) -> Vec<u8> {
    let (code, out, err) = eval_bytes(args, b"");
    assert_eq!(code, Some(0), "{args:?}: {}", String::from_utf8_lossy(&err));
    out
}

#[test]
fn get_env_gives_the_variables_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    // C++ Nix reads an environment variable's bytes into the string as they are.
    let out = Command::new(GNIX)
        .args(["eval", "--raw", "-E"])
        .arg(r#"builtins.getEnv "GNIX_TEST_BYTES" + toString (builtins.stringLength (builtins.getEnv "GNIX_TEST_BYTES"))"#)
        .env("GNIX_TEST_BYTES", OsStr::from_bytes(b"a\xffb"))
        .output()
        .expect("cannot run gnix");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"a\xffb3");
}

#[test]
fn printed_strings_keep_bytes_that_are_not_utf8() {
    // C++ Nix writes a string's bytes as they are, not U+FFFD for the half of a character.
    let e: &[u8] = "builtins.substring 0 1 \"é\"".as_bytes();
    assert_eq!(eval_bytes_ok(&[b"-E", e]), b"\"\xc3\"\n");
    assert_eq!(eval_bytes_ok(&[b"--raw", b"-E", e]), b"\xc3");
    let list = [b"[ (".as_slice(), e, b") ]"].concat();
    assert_eq!(
        eval_bytes_ok(&[b"--strict", b"-E", &list]),
        b"[ \"\xc3\" ]\n"
    );
    let xml = eval_bytes_ok(&[b"--xml", b"-E", e]);
    let want = b"<string value=\"\xc3\" />";
    assert!(xml.windows(want.len()).any(|w| w == want), "{xml:?}");
}

#[test]
fn source_bytes_that_are_not_utf8_are_string_bytes() {
    // In an `-E` argument, on stdin, and through `--argstr`: two bytes, not two U+FFFD.
    let e = b"builtins.stringLength \"\xff\xfe\"";
    assert_eq!(eval_bytes_ok(&[b"-E", e]), b"2\n");
    assert_eq!(eval_bytes_ok(&[b"-E", b"\"\xff\""]), b"\"\xff\"\n");
    let (code, out, _) = eval_bytes(&[b"-"], e);
    assert_eq!((code, out), (Some(0), b"2\n".to_vec()));
    let arg = [
        b"--argstr".as_slice(),
        b"s",
        b"\xff",
        b"-E",
        b"{ s }: [ s (builtins.stringLength s) ]",
    ];
    assert_eq!(
        eval_bytes_ok(&[b"--strict", arg[0], arg[1], arg[2], arg[3], arg[4]]),
        b"[ \"\xff\" 1 ]\n"
    );
}

#[test]
fn messages_keep_bytes_that_are_not_utf8() {
    // `throw`, `trace` and the source excerpt write the bytes, as C++ Nix does; the column
    // counts the byte as one.
    let (code, _, err) = eval_bytes(&[b"-E", b"\"\xff\" + throw \"a\xfeb\""], b"");
    assert_eq!(code, Some(1));
    let has = |want: &[u8]| err.windows(want.len()).any(|w| w == want);
    assert!(has(b"error: a\xfeb\n"), "{}", String::from_utf8_lossy(&err));
    assert!(
        has(b"1| \"\xff\" + throw"),
        "{}",
        String::from_utf8_lossy(&err)
    );
    assert!(
        has("«string»:1:7:".as_bytes()),
        "{}",
        String::from_utf8_lossy(&err)
    );
    let (code, _, err) = eval_bytes(&[b"-E", b"builtins.trace \"\xff\" 1"], b"");
    assert_eq!((code, err), (Some(0), b"trace: \xff\n".to_vec()));
}

#[test]
fn fish_completes_flags_and_their_arguments() {
    if !have("fish") {
        return;
    }
    let path = scratch_file("completion-run.fish", &completion_script("fish"));
    let complete = |line: &str| {
        let run = format!("source '{}'; complete -C '{line}'", path.display());
        let out = Command::new("fish")
            .arg("-c")
            .arg(run)
            .output()
            .expect("fish runs");
        assert!(out.status.success(), "{}", stderr(&out));
        let offered = stdout(&out);
        let words = offered
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default());
        words.map(String::from).collect::<Vec<_>>()
    };
    assert_eq!(complete("gnix eval --v"), ["--version", "--vm"]);
    assert_eq!(complete("gnix eval --vm "), ["generator", "recursive"]);
    assert_eq!(complete("gnix repl --js"), Vec::<String>::new());
    assert_eq!(complete("gnix re"), ["repl"]);
}

#[test]
fn or_as_an_identifier_warns_where_its_meaning_will_change() {
    // As C++ Nix: an argument, a list element or a selection's default gets the warning,
    // inline, with the expression to wrap; a function position or a lone `f or` does not.
    let expr = "let or = 1; f = x: x; in [ (f or) (map or [ ]) ((x: x) (x: x + 1) or) ({ }.a or f or) [ f or ] ]";
    let (code, out, err) = eval_all(&["--strict", "-E", expr]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "[ 1 [ ] 2 1 [ 1 ] ]");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "warning: at «string»:1:56: This expression uses `or` as an identifier in a way that will change in a future Nix release.",
            "warning: at «string»:1:81: This expression uses `or` as an identifier in a way that will change in a future Nix release.",
            "warning: at «string»:1:89: This expression uses `or` as an identifier in a way that will change in a future Nix release.",
        ],
        "{err}"
    );
    assert!(err.contains("    ((x: x + 1) or)\n"), "{err}");
    assert!(
        err.contains("    (f or)\nGive feedback at https://github.com/NixOS/nix/pull/11121"),
        "{err}"
    );
}

#[test]
fn url_literal_lint_words_its_verdict() {
    let (code, _, err) = eval_all(&["--lint-url-literals", "warn", "-E", "http://example.com"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("warning: URL literals are discouraged."),
        "{err}"
    );
    let (code, _, err) = eval_all(&["--lint-url-literals", "fatal", "-E", "http://example.com"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with("error: URL literals are disallowed."),
        "{err}"
    );
}

#[test]
fn search_path_lookups_in_pure_mode() {
    // Not found in pure mode says why (catchable, as C++ Nix's ThrownError); Nix's own
    // `<nix/fetchurl.nix>` is there whatever the mode and search path.
    let (code, _, err) = eval_all(&["--pure-eval", "-E", "<nope>"]);
    assert_eq!(code, Some(1));
    assert!(
        err.trim_end().ends_with(
            "error: cannot look up '<nope>' in pure evaluation mode (use '--impure' to override)"
        ),
        "{err}"
    );
    let caught = "(builtins.tryEval <nope>).success";
    assert_eq!(eval_ok(&["--pure-eval", "-E", caught]).trim(), "false");
    let fetchurl = "builtins.isFunction (import <nix/fetchurl.nix>)";
    assert_eq!(eval_ok(&["--pure-eval", "-E", fetchurl]).trim(), "true");
}

#[test]
fn unknown_experimental_features_are_warned_about() {
    let (code, out, err) = eval_all(&["--extra-experimental-features", "flakes foo", "-E", "1"]);
    assert_eq!((code, out.trim()), (Some(0), "1"));
    assert_eq!(err, "warning: unknown experimental feature 'foo'\n");
    let (_, _, err) = eval_all(&["--experimental-features", "no-url-literals", "-E", "1"]);
    assert!(
        err.contains("has been stabilized and renamed; use 'lint-url-literals = fatal'"),
        "{err}"
    );
}

#[test]
fn the_nix_path_setting_takes_the_place_of_nix_path() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let entries = format!("here={dir}/tests nope=/nonexistent");
    let out = Command::new(GNIX)
        .args([
            "eval",
            "--option",
            "nix-path",
            &entries,
            "-E",
            "<here/lang>",
        ])
        .env("NIX_PATH", "here=/nonexistent")
        .output()
        .expect("cannot run gnix");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out).trim(), format!("{dir}/tests/lang"));
}
