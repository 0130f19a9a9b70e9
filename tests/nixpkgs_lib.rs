//! nixpkgs' own library test suite, a large real-world user of the builtins:
//! `lib/tests/misc.nix` evaluates to `[ ]` when every test passes (otherwise to the list of
//! failing tests). Runs when `../shared/nixpkgs-lib` is there.

use std::path::Path;
use std::process::Command;

#[test]
fn nixpkgs_lib_misc_tests_pass() {
    let lib =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nixpkgs-lib/lib/tests/misc.nix");
    if !lib.exists() {
        println!("../shared/nixpkgs-lib is absent: skipping nixpkgs' lib tests");
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gnix"))
        .args(["eval", "--strict"])
        .arg(&lib)
        .output()
        .expect("gnix runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "misc.nix failed:\n{stderr}");
    assert_eq!(
        stdout.trim(),
        "[ ]",
        "failing nixpkgs lib tests:\n{stdout}\n{stderr}"
    );
}
