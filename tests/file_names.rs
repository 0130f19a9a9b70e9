//! File names that are not UTF-8, made at test time (git holds such names poorly): C++ Nix
//! reads a name's bytes into a Nix string and a string's bytes back into a name, so
//! `readDir`, path arithmetic, `builtins.path` and `import` must not go through lossy text.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// A fresh directory under cargo's scratch folder.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("make scratch dir");
    dir
}

fn bytes_path(dir: &Path, name: &[u8]) -> PathBuf {
    dir.join(OsStr::from_bytes(name))
}

/// `gnix eval --strict` of `expr` (bytes) with `dir` as working directory: stdout as bytes.
fn eval_in(dir: &Path, expr: &[u8]) -> Vec<u8> {
    let out = Command::new(GNIX)
        .args(["eval", "--strict", "-E"])
        .arg(OsStr::from_bytes(expr))
        .current_dir(dir)
        .output()
        .expect("cannot run gnix");
    assert!(
        out.status.success(),
        "{}: {}",
        String::from_utf8_lossy(expr),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A directory `d` holding one file, named `a`, 0xFF, `b`, with `hi` in it.
fn tree(name: &str) -> PathBuf {
    let dir = scratch_dir(name);
    fs::create_dir(dir.join("d")).expect("make d");
    fs::write(bytes_path(&dir.join("d"), b"a\xffb"), "hi").expect("write the file");
    dir
}

#[test]
fn read_dir_gives_the_names_bytes() {
    let dir = tree("names-read-dir");
    let names = b"builtins.attrNames (builtins.readDir ./d)";
    assert_eq!(eval_in(&dir, names), b"[ \"a\xffb\" ]\n");
    let lengths = b"map builtins.stringLength (builtins.attrNames (builtins.readDir ./d))";
    assert_eq!(eval_in(&dir, lengths), b"[ 3 ]\n");
    let contents =
        b"map (n: builtins.readFile (./d + \"/${n}\")) (builtins.attrNames (builtins.readDir ./d))";
    assert_eq!(eval_in(&dir, contents), b"[ \"hi\" ]\n");
}

#[test]
fn strings_and_paths_name_the_file_by_its_bytes() {
    let dir = tree("names-paths");
    let cases: [(&[u8], &[u8]); 5] = [
        (
            b"builtins.readFileType (./d + \"/a\xffb\")",
            b"\"regular\"\n",
        ),
        (b"builtins.pathExists (./d + \"/a\xffb\")", b"true\n"),
        (b"builtins.readFile ./d/a${\"\xff\"}b", b"\"hi\"\n"),
        (b"builtins.readFile \"${toString ./d}/a\xffb\"", b"\"hi\"\n"),
        (b"baseNameOf (./d + \"/a\xffb\")", b"\"a\xffb\"\n"),
    ];
    for (expr, want) in cases {
        assert_eq!(
            eval_in(&dir, expr),
            want,
            "{}",
            String::from_utf8_lossy(expr)
        );
    }
}

#[test]
fn store_paths_of_a_tree_with_such_a_name() {
    // The store path C++ Nix 2.8 gives for this tree (its NAR holds the name's bytes).
    let dir = tree("names-store");
    let want = b"\"/nix/store/m506qb0lyf0h26crgj9awrghiwxdr5xx-d\"\n";
    assert_eq!(
        eval_in(&dir, b"builtins.path { path = ./d; name = \"d\"; }"),
        want
    );
    assert_eq!(
        eval_in(&dir, b"builtins.filterSource (p: t: true) ./d"),
        want
    );
}

#[test]
fn files_in_such_directories_import_and_resolve_paths() {
    // A file named by bytes that are not UTF-8 is evaluated and imported, and its relative
    // path literals resolve in its own directory (whose name is not UTF-8 either).
    let dir = scratch_dir("names-import");
    let sub = bytes_path(&dir, b"s\xfe");
    fs::create_dir(&sub).expect("make the directory");
    fs::write(sub.join("data"), "x").expect("write data");
    let file = bytes_path(&sub, b"f\xff.nix");
    fs::write(&file, "[ (builtins.readFile ./data) (baseNameOf ./.) ]").expect("write the file");
    let want = b"[ \"x\" \"s\xfe\" ]\n";
    let out = Command::new(GNIX)
        .args(["eval", "--strict"])
        .arg(&file)
        .output()
        .expect("cannot run gnix");
    assert_eq!(out.stdout, want, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(eval_in(&dir, b"import (./. + \"/s\xfe/f\xff.nix\")"), want);
}
