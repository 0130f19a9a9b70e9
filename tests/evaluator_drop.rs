//! Dropping an evaluator frees its global scope: creating and dropping many of them does not
//! grow the process (the global scope holds itself through `builtins.builtins`, and
//! `derivation`'s code holds the global scope, so it is taken apart on drop). Cycles that Nix
//! code itself makes (`rec`, `let`, fixpoints; `derivation`'s own result is one) are not freed
//! yet: that needs the cycle collection of the memory issue.

use gnix::{Evaluator, Settings};

/// Resident set size in KiB (Linux), if the platform says.
fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

fn evaluate_once() {
    let mut ev = Evaluator::new(Settings::default());
    let v = ev
        .eval_expr(
            "builtins.length (builtins.attrNames builtins.builtins)",
            std::path::Path::new("/"),
        )
        .expect("evaluates");
    drop(ev.deep_force(v));
}

#[test]
fn dropping_evaluators_frees_them() {
    for _ in 0..200 {
        evaluate_once();
    }
    let Some(before) = rss_kib() else {
        eprintln!("no /proc/self/statm here: not measured");
        return;
    };
    for _ in 0..10_000 {
        evaluate_once();
    }
    let after = rss_kib().unwrap_or(before);
    let grown = after.saturating_sub(before);
    eprintln!("10 000 evaluators created, used and dropped: RSS grew {grown} KiB");
    assert!(grown < 1_024, "RSS grew {grown} KiB");
}
