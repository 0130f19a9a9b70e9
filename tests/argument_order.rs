//! Which argument a builtin evaluates first shows when two arguments are bad: the error is the
//! first one's. The scheduler evaluates a builtin's `Strict` parameters before its body runs
//! (`src/builtins/decl.rs`), so these cases pin down that every declaration's strictness keeps
//! C++ Nix's order: a type error in an earlier argument wins over a `throw` in a later one, and
//! an argument a builtin does not need is never evaluated.

mod common;

use gnix::Settings;

/// (expression, the start of its error message, or of its printed value).
const CASES: &[(&str, &str)] = &[
    // The first argument's type error comes before the second is evaluated.
    (
        r#"builtins.elemAt (throw "list") "a""#,
        "error: expected an integer",
    ),
    (r#"builtins.elemAt 1 (throw "index")"#, "error: index"),
    (
        r#"builtins.any 1 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.all 1 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.concatMap 1 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.foldl' 1 0 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.partition 1 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.groupBy 1 (throw "list")"#,
        "error: expected a function",
    ),
    (
        r#"builtins.bitAnd "a" (throw "b")"#,
        "error: expected an integer",
    ),
    (
        r#"builtins.compareVersions 1 (throw "b")"#,
        "error: expected a string",
    ),
    // The list (or the index) comes first where C++ Nix forces it first.
    (r#"map (throw "f") (throw "list")"#, "error: list"),
    (
        r#"builtins.filter (throw "f") (throw "list")"#,
        "error: list",
    ),
    (r#"builtins.elem (throw "x") (throw "list")"#, "error: list"),
    (r#"builtins.genList (throw "f") (throw "n")"#, "error: n"),
    // An argument that is not needed is not evaluated (map checks its function for any
    // list that is not empty).
    (r#"map (throw "f") [ ]"#, "[ ]"),
    (r#"builtins.filter (throw "f") [ ]"#, "[ ]"),
    (
        r#"builtins.foldl' (x: y: x) (throw "nul") [ ]"#,
        "error: nul",
    ),
    (r#"builtins.length (map (throw "f") [ 1 2 ])"#, "error: f"),
    // The function after the length, even for an empty list (C++ Nix since 2.30; upstream
    // eval-fail-genList-2).
    (
        r#"builtins.length (builtins.genList (throw "f") 3)"#,
        "error: f",
    ),
    (r#"builtins.genList 1 (throw "n")"#, "error: n"),
    (r#"builtins.seq 1 2"#, "2"),
    (r#"builtins.elemAt [ 1 (throw "unused") ] 0"#, "1"),
];

#[test]
fn builtins_evaluate_their_arguments_in_cpp_nix_order() {
    common::check_table(CASES, Settings::default);
}
