//! Symbolic links made at test time (the shared corpus's `readDir/` links arrive as regular
//! files): what `readDir` reads through them and how it names what it cannot read.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// A fresh tree named `name` (one per test: they run at once): `foo/` with a file, `bar` a
/// file, `ldir -> foo`, `linked -> foo/file`.
fn tree(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("foo")).expect("make foo");
    fs::write(dir.join("foo/file"), "").expect("make foo/file");
    fs::write(dir.join("bar"), "").expect("make bar");
    std::os::unix::fs::symlink("foo", dir.join("ldir")).expect("make ldir");
    std::os::unix::fs::symlink("foo/file", dir.join("linked")).expect("make linked");
    dir
}

/// `gnix eval --strict -E expr` in `dir`: exit status, stdout, stderr.
fn eval(dir: &PathBuf, expr: &str) -> (bool, String, String) {
    let out = Command::new(GNIX)
        .args(["eval", "--strict", "-E", expr])
        .current_dir(dir)
        .output()
        .expect("cannot run gnix");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

#[test]
fn read_dir_lists_through_a_link_and_types_the_links() {
    let dir = tree("symlinks-list");
    let (ok, out, err) = eval(&dir, "[ (builtins.readDir ./.) (builtins.readDir ./ldir) ]");
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        r#"[ { bar = "regular"; foo = "directory"; ldir = "symlink"; linked = "symlink"; } { file = "regular"; } ]"#
    );
}

#[test]
fn read_dir_of_a_link_to_a_file_names_the_file() {
    let dir = tree("symlinks-file");
    let (ok, _, err) = eval(&dir, "builtins.readDir ./linked");
    assert!(!ok);
    let want = format!(
        "error: '{}' is not a directory",
        dir.join("foo/file").display()
    );
    assert!(err.trim_end().ends_with(&want), "{err}");
    let (ok, _, err) = eval(&dir, "builtins.readDir ./bar");
    assert!(!ok);
    let want = format!("error: '{}' is not a directory", dir.join("bar").display());
    assert!(err.trim_end().ends_with(&want), "{err}");
}
