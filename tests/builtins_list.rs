//! `builtins` holds exactly the names C++ Nix's has (`tests/builtins-list.txt`): a missing
//! builtin fails here rather than deep inside some Nix code that calls it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// The names in the checked-in list: one a line, `#` starts a comment.
fn expected() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/builtins-list.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

/// `builtins.attrNames builtins` as gnix prints it: `[ "abort" "add" ... ]`.
fn actual() -> BTreeSet<String> {
    let out = Command::new(GNIX)
        .args(["eval", "--strict", "-E", "builtins.attrNames builtins"])
        .output()
        .expect("cannot run gnix");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "gnix failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // Names hold no quotes, so the quoted parts are every second piece.
    stdout
        .split('"')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

#[test]
fn builtins_match_cpp_nix() {
    let (want, got) = (expected(), actual());
    let missing: Vec<&String> = want.difference(&got).collect();
    let extra: Vec<&String> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "builtins differ from tests/builtins-list.txt\n  missing from gnix: {missing:?}\n  extra in gnix: {extra:?}"
    );
}
