//! An evaluation over a file tree, environment and clock the host holds in memory (`MemoryIo`),
//! and over none at all (`NoIo`): nothing reaches the real machine.

use gnix::io::{MemoryIo, NoIo};
use gnix::{Evaluator, Settings};
use std::path::Path;
use std::rc::Rc;

fn tree() -> MemoryIo {
    MemoryIo::new()
        .file(
            "/cfg/default.nix",
            "{ port = import ./port.nix; motd = builtins.readFile ./motd; }",
        )
        .file("/cfg/port.nix", "8000 + 80")
        .file("/cfg/motd", "hello\n")
        .executable("/cfg/bin/run", "#!/bin/sh\n")
        .symlink("/cfg/latest", "/cfg/port.nix")
        .symlink("/cfg/loop", "/cfg/loop")
        .env("GREETING", "hi")
        .cwd("/cfg")
        .time(1_700_000_000)
}

fn eval(ev: &mut Evaluator, expr: &str) -> Result<String, String> {
    ev.eval_expr(expr, Path::new("/cfg"))
        .and_then(|v| ev.deep_force(v))
        .map(|v| gnix::print::print_value(&v))
        .map_err(|e| ev.render_error(&e, false))
}

#[test]
fn files_environment_and_clock_come_from_memory() {
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(tree()));
    let cases = [
        ("import /cfg", r#"{ motd = "hello\n"; port = 8080; }"#),
        ("import ./latest", "8080"),
        (
            "builtins.readDir ./.",
            r#"{ bin = "directory"; "default.nix" = "regular"; latest = "symlink"; loop = "symlink"; motd = "regular"; "port.nix" = "regular"; }"#,
        ),
        (
            "map builtins.pathExists [ ./motd ./nope /cfg/bin/run ]",
            "[ true false true ]",
        ),
        (r#"builtins.getEnv "GREETING""#, r#""hi""#),
        (r#"builtins.getEnv "HOME""#, r#""""#),
        ("builtins.currentTime", "1700000000"),
        ("builtins.readFileType ./bin", r#""directory""#),
    ];
    for (expr, want) in cases {
        assert_eq!(eval(&mut ev, expr).as_deref(), Ok(want), "{expr}");
    }
}

#[test]
fn store_paths_hash_the_tree_in_memory() {
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(tree()));
    let with_exec =
        eval(&mut ev, "builtins.path { path = ./bin; name = \"bin\"; }").expect("hashes");
    let plain = MemoryIo::new().file("/cfg/bin/run", "#!/bin/sh\n");
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(plain));
    let without = eval(
        &mut ev,
        "builtins.path { path = /cfg/bin; name = \"bin\"; }",
    )
    .expect("hashes");
    assert!(with_exec.starts_with("\"/nix/store/"), "{with_exec}");
    assert_ne!(with_exec, without, "the executable bit is part of the hash");
}

#[test]
fn a_symlink_loop_is_an_error() {
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(tree()));
    let e = eval(&mut ev, "builtins.readFile ./loop").expect_err("a loop");
    assert!(e.contains("too many levels of symbolic links"), "{e}");
}

#[test]
fn the_host_reads_the_traces_afterwards() {
    let io = Rc::new(tree());
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(io.clone()));
    assert_eq!(
        eval(&mut ev, r#"builtins.trace "seen" 1"#).as_deref(),
        Ok("1")
    );
    assert_eq!(io.traces(), ["trace: seen"]);
}

#[test]
fn without_io_nothing_is_read() {
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(NoIo));
    let e = eval(&mut ev, "builtins.readFile /etc/passwd").expect_err("no files");
    assert!(e.contains("no file access"), "{e}");
    assert_eq!(
        eval(&mut ev, r#"builtins.getEnv "PATH""#).as_deref(),
        Ok(r#""""#)
    );
    assert_eq!(eval(&mut ev, "1 + 1").as_deref(), Ok("2"));
}

#[test]
fn a_file_holding_a_nul_byte_is_no_string() {
    let io = tree().file("/cfg/blob", b"a\0b".to_vec());
    let mut ev = Evaluator::with_io(Settings::default(), Box::new(io));
    let e = eval(&mut ev, "builtins.readFile ./blob").expect_err("C++ Nix refuses it too");
    assert!(
        e.contains("the contents of the file '/cfg/blob' cannot be represented as a Nix string"),
        "{e}"
    );
    // Hashing it is fine: only strings cannot hold the byte.
    assert!(eval(&mut ev, r#"builtins.hashFile "sha256" ./blob"#).is_ok());
}
