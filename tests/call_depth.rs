//! max-call-depth counts what C++ Nix counts: lambda and builtin calls, tail calls included
//! (C++ Nix has no tail calls), `__functor` calls, calls made by builtins (`foldl'`, `filter`)
//! and the depth of deep walks. Each case runs just below, at and above a limit of 500; the
//! expected outcomes were recorded before the depth accounting moved to frame pushes and pops,
//! and must not move. (Except the functor's: a call of a set with `__functor` counts twice, the
//! set's call and the functor's inside it, as C++ Nix's `callFunction` calls itself for it;
//! it was once counted once, and not at all in tail position.)

mod common;

use gnix::Settings;

const CASES: &[(&str, &str)] = &[
    (
        r#"let f = n: if n == 0 then 0 else f (n - 1); in f 498"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else f (n - 1); in f 499"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else f (n - 1); in f 500"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 498"#,
        r#"498"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 499"#,
        r#"499"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 500"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.seq n (f (n - 1)); in f 498"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.seq n (f (n - 1)); in f 499"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.seq n (f (n - 1)); in f 500"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.head [ (f (n - 1)) ]; in f 498"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.head [ (f (n - 1)) ]; in f 499"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.head [ (f (n - 1)) ]; in f 500"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.elemAt [ (f (n - 1)) ] 0; in f 498"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.elemAt [ (f (n - 1)) ] 0; in f 499"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.elemAt [ (f (n - 1)) ] 0; in f 500"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.foldl' (a: x: f (n - 1)) 0 [ 1 ]; in f 498"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.foldl' (a: x: f (n - 1)) 0 [ 1 ]; in f 499"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.foldl' (a: x: f (n - 1)) 0 [ 1 ]; in f 500"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let s = { __functor = self: n: if n == 0 then 0 else self (n - 1); }; in s 248"#,
        r#"0"#,
    ),
    (
        r#"let s = { __functor = self: n: if n == 0 then 0 else self (n - 1); }; in s 249"#,
        r#"0"#,
    ),
    (
        r#"let s = { __functor = self: n: if n == 0 then 0 else self (n - 1); }; in s 250"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = a: b: if a == 0 then b else f (a - 1) b; in f 498 7"#,
        r#"7"#,
    ),
    (
        r#"let f = a: b: if a == 0 then b else f (a - 1) b; in f 499 7"#,
        r#"7"#,
    ),
    (
        r#"let f = a: b: if a == 0 then b else f (a - 1) b; in f 500 7"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else (x: f x) (n - 1); in f 498"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else (x: f x) (n - 1); in f 499"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else (x: f x) (n - 1); in f 500"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.length (builtins.filter (x: f (n - 1) == 0) [ 1 ]); in f 498"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.length (builtins.filter (x: f (n - 1) == 0) [ 1 ]); in f 499"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.length (builtins.filter (x: f (n - 1) == 0) [ 1 ]); in f 500"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.deepSeq [ n ] (f (n - 1)); in f 498"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.deepSeq [ n ] (f (n - 1)); in f 499"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then 0 else builtins.deepSeq [ n ] (f (n - 1)); in f 500"#,
        r#"0"#,
    ),
    (
        r#"let f = n: if n == 0 then [] else [ (f (n - 1)) ]; in builtins.toJSON (f 498)"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then [] else [ (f (n - 1)) ]; in builtins.toJSON (f 499)"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
    (
        r#"let f = n: if n == 0 then [] else [ (f (n - 1)) ]; in builtins.toJSON (f 500)"#,
        r#"error: stack overflow; max-call-depth exceeded"#,
    ),
];

#[test]
fn call_depth_is_counted_as_cpp_nix_counts_it() {
    common::check_table(CASES, || Settings {
        max_call_depth: 500,
        ..Settings::default()
    });
}
