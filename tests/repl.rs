//! `gnix repl` driven through a pseudo-terminal, as a person types at it: bindings, printing,
//! `:p`, `:t`, `:l`, multi-line input, TAB completion, Ctrl-C at the prompt and during an
//! evaluation (after which the REPL goes on, and an interrupted binding still gives its value).
//! Timeouts are generous (CI shares two cores between builds); nothing here measures time.

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};
use std::path::{Path, PathBuf};
use std::process::Command;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// How long one expected output may take to appear.
const TIMEOUT_MS: u64 = 120_000;

const PROMPT: &str = "gnix-repl> ";

/// A fresh directory for one test's files and history.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gnix-repl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `gnix repl` on a pseudo-terminal in `dir`, its history kept there, at its first prompt.
fn start(dir: &Path) -> PtySession {
    let mut command = Command::new(GNIX);
    command
        .arg("repl")
        .current_dir(dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        // A terminal the line editor knows (CI may have no TERM), so that it edits and completes.
        .env("TERM", "xterm");
    let options = Options::new()
        .timeout_ms(Some(TIMEOUT_MS))
        .strip_ansi_escape_codes(true);
    let mut repl = spawn_with_options(command, options).expect("gnix repl starts");
    repl.exp_string("Type :? for help.").expect("greeting");
    repl.exp_string(PROMPT).expect("first prompt");
    repl
}

/// The prompt of an input's further lines: blanks as wide as `PROMPT`.
const CONTINUATION: &str = "           ";

/// Types `keys` without a newline (sent at once: the writer only flushes by itself at one).
fn keys(repl: &mut PtySession, keys: &str) {
    repl.send(keys).expect("keys sent");
    repl.flush().expect("keys flushed");
}

/// Sends a line and waits for each of `expected` in turn, then for the next prompt.
fn line(repl: &mut PtySession, input: &str, expected: &[&str]) {
    repl.send_line(input).expect("line sent");
    for e in expected {
        if let Err(err) = repl.exp_string(e) {
            panic!("after {input:?}: expected {e:?}: {err}");
        }
    }
    repl.exp_string(PROMPT).expect("prompt after the output");
}

#[test]
fn define_print_type_load_and_complete() {
    let dir = temp_dir("session");
    std::fs::write(
        dir.join("loaded.nix"),
        "{ fromFile = 40 + 2; uniqueCompletionTarget = 31337; }",
    )
    .expect("file to load");
    let mut repl = start(&dir);

    line(&mut repl, "x = { a = 1; b = { c = [ 1 2 ]; }; }", &[]);
    line(&mut repl, "x", &["a = 1;", "b = { ... };"]);
    line(&mut repl, ":p x", &["c = [", "1", "2", "];"]);
    line(&mut repl, ":t x.a", &["an integer"]);
    line(&mut repl, ":t x", &["a set"]);
    // A later binding shadows; the value made before keeps what it saw.
    line(&mut repl, "y = x.a + 10", &[]);
    line(&mut repl, "x = 100", &[]);
    line(&mut repl, "[ x y ]", &["100", "11"]);

    // An unclosed set continues on the next lines.
    repl.send_line("z = {").expect("line sent");
    repl.exp_string(CONTINUATION).expect("continuation prompt");
    repl.send_line("  inner = \"multi\";").expect("line sent");
    repl.exp_string(CONTINUATION).expect("continuation prompt");
    line(&mut repl, "}", &[]);
    // Lines typed ahead (or pasted) before their prompt are all read.
    repl.send_line("w = [\n  \"typed\"\n  \"ahead\"\n]")
        .expect("lines sent");
    repl.exp_string(PROMPT).expect("prompt after the lines");
    line(
        &mut repl,
        "builtins.concatStringsSep \"-\" w",
        &["\"typed-ahead\""],
    );
    line(&mut repl, "z.inner", &["\"multi\""]);

    line(&mut repl, ":l ./loaded.nix", &["Added 2 variables."]);
    line(&mut repl, "fromFile", &["42"]);
    line(&mut repl, "z.nope", &["error: attribute 'nope' missing"]);
    line(&mut repl, ":?", &[":p, :print <expr>"]);

    // TAB completes a name in scope, and an attribute path.
    keys(&mut repl, "uniqueCompletionTar\t");
    line(&mut repl, "", &["31337"]);
    keys(&mut repl, "builtins.attrNa\t");
    line(
        &mut repl,
        " { completedAttr = 1; }",
        &["[ \"completedAttr\" ]"],
    );

    repl.send_line(":q").expect("line sent");
    repl.exp_eof().expect("gnix repl ends after :q");
    let history = std::fs::read_to_string(dir.join("data/gnix/repl-history")).expect("history");
    assert!(history.contains(":l ./loaded.nix"), "{history}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sum of `outer` times ten thousand numbers, with lists of ten thousand at most (little
/// memory however long it runs), announced by a trace as it starts.
fn long_sum(label: &str, outer: u32) -> String {
    format!(
        "builtins.trace \"{label}\" (builtins.foldl' (a: i: builtins.foldl' (b: j: b + j) a \
         (builtins.genList (x: x) 10000)) 0 (builtins.genList (x: x) {outer}))"
    )
}

#[test]
fn ctrl_c_interrupts_and_the_repl_goes_on() {
    let dir = temp_dir("interrupt");
    let mut repl = start(&dir);

    // Ctrl-C at the prompt drops the line typed so far.
    keys(&mut repl, "this is dropped");
    repl.send_control('c').expect("ctrl-c sent");
    repl.exp_string(PROMPT).expect("prompt after Ctrl-C");
    line(&mut repl, "6 * 7", &["42"]);

    // An evaluation that would run for hours stops at Ctrl-C, and the REPL goes on.
    repl.send_line(&long_sum("endless started", 100_000_000))
        .expect("line sent");
    repl.exp_string("trace: endless started")
        .expect("evaluation started");
    repl.send_control('c').expect("ctrl-c sent");
    repl.exp_string("interrupted by the user")
        .expect("interruption reported");
    repl.exp_string(PROMPT)
        .expect("prompt after the interruption");
    line(&mut repl, "1 + 2", &["3"]);

    // A binding interrupted while being forced is forced again from the start, to its value.
    line(
        &mut repl,
        &format!("n = {}", long_sum("n started", 2000)),
        &[],
    );
    repl.send_line("n").expect("line sent");
    repl.exp_string("trace: n started").expect("n started");
    repl.send_control('c').expect("ctrl-c sent");
    repl.exp_string("interrupted by the user")
        .expect("n interrupted");
    repl.exp_string(PROMPT)
        .expect("prompt after the interruption");
    line(&mut repl, "n", &["trace: n started", "99990000000"]);

    // Ctrl-D quits.
    repl.send_control('d').expect("ctrl-d sent");
    repl.exp_eof().expect("gnix repl ends at Ctrl-D");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_lists_the_repl() {
    let out = Command::new(GNIX)
        .arg("--help")
        .output()
        .expect("gnix runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("gnix repl"));
    let out = Command::new(GNIX)
        .args(["repl", "--help"])
        .output()
        .expect("gnix runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("usage: gnix repl"));
    let out = Command::new(GNIX).arg("nope").output().expect("gnix runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("eval, repl or completions"));
}

/// Without a terminal the REPL reads lines as they come (no editing), which scripts can use.
#[test]
fn piped_input_is_read_line_by_line() {
    use std::io::Write;
    let dir = temp_dir("piped");
    let mut child = Command::new(GNIX)
        .arg("repl")
        .current_dir(&dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gnix repl starts");
    let input = "a = 20\nb = {\n  c = a + 1;\n}\n:p b\n:t b.c\nb.d\n:a { e = 5; }\ne * 2\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    let out = child
        .wait_with_output()
        .expect("gnix repl ends at the end of its input");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for printed in ["{ c = 21; }", "an integer", "10"] {
        assert!(stdout.contains(printed), "{printed:?} not in {stdout}");
    }
    assert!(stderr.contains("attribute 'd' missing"), "{stderr}");
    assert!(stderr.contains("Added 1 variables."), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
