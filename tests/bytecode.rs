//! Golden tests of the compiler's output: `gnix eval --dump-bytecode tests/bytecode/NAME.nix`
//! must print `tests/bytecode/NAME.bytecode`. Each case pins down one optimisation or
//! construct, named in the comment on its first line, so a change in what the compiler emits
//! shows up as a readable diff of listings.
//!
//! The case folder's absolute path (in path literals and `__curPos`) is written `$DIR`.
//! Run with `UPDATE_BYTECODE=1` to rewrite the expected listings from the current output, then
//! read the diff: a listing is only right if it shows what its case is about.

use pretty_assertions::StrComparison;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bytecode")
}

/// The listing of case `name`, with the case folder written `$DIR`.
fn listing(name: &str) -> String {
    let dir = case_dir();
    let out = Command::new(GNIX)
        .args(["eval", "--dump-bytecode"])
        .arg(dir.join(format!("{name}.nix")))
        // `<p>` reads `__nixPath`, a constant made from it.
        .env_remove("NIX_PATH")
        .output()
        .expect("cannot run gnix");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.replace(&*dir.to_string_lossy(), "$DIR")
}

fn check(name: &str) {
    let got = listing(name);
    let expected = case_dir().join(format!("{name}.bytecode"));
    if std::env::var("UPDATE_BYTECODE").is_ok_and(|v| v == "1") {
        fs::write(&expected, &got).expect("write the expected listing");
        return;
    }
    let want = fs::read_to_string(&expected).unwrap_or_else(|e| {
        panic!("{name}: cannot read {name}.bytecode ({e}); run with UPDATE_BYTECODE=1")
    });
    assert!(
        got == want,
        "{name}: the listing differs from {name}.bytecode (< expected, > got; UPDATE_BYTECODE=1 rewrites it):\n{}",
        StrComparison::new(&want, &got)
    );
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
        const CASES: &[&str] = &[$(stringify!($name)),*];
    };
}

cases!(
    arith,
    assert,
    builtins_select,
    call2,
    call_force_return,
    call_three_args,
    cheap_inline,
    const_list,
    const_set,
    const_thunk,
    cur_pos,
    curried,
    dynamic_attrs,
    force_elision,
    globals,
    has_attr,
    if_else,
    indented_string,
    inherit,
    inherit_let,
    interpolation,
    jump_target,
    legacy_let,
    let_in,
    let_rec,
    let_sibling_thunk,
    local_force,
    logic,
    nested_paths,
    non_tail_scopes,
    operators,
    paths,
    pattern,
    rec_overrides,
    rec_set,
    select,
    select_or,
    speculable_lambda,
    speculable_thunk,
    static_attrs,
    tail_call,
    tail_positions,
    test_jump,
    with,
);

/// Every `.nix` in the folder has a test above, a comment saying what it is about, and an
/// expected listing (and no listing is left without its case).
#[test]
fn every_case_is_listed() {
    let mut problems = Vec::new();
    for entry in fs::read_dir(case_dir()).expect("tests/bytecode is readable") {
        let path = entry.expect("directory entry").path();
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let stem = stem.unwrap_or_default();
        match path.extension().and_then(|e| e.to_str()) {
            Some("nix") => {
                if !CASES.contains(&stem.as_str()) {
                    problems.push(format!("{stem}.nix has no test in tests/bytecode.rs"));
                }
                let text = fs::read_to_string(&path).unwrap_or_default();
                if !text.starts_with('#') {
                    problems.push(format!("{stem}.nix does not start with a comment"));
                }
            }
            Some("bytecode") if !path.with_extension("nix").exists() => {
                problems.push(format!("{stem}.bytecode has no {stem}.nix"));
            }
            _ => {}
        }
    }
    for name in CASES {
        if !case_dir().join(format!("{name}.nix")).exists() {
            problems.push(format!("{name}.nix is missing"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
