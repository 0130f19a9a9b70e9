//! Dropping an evaluator frees everything it made: creating, using and dropping many of them
//! does not grow the process. Its global scope holds itself (through `builtins.builtins`, and
//! `derivation`'s code holds the global scope), so it is taken apart on drop; the cycles that
//! Nix code makes (`rec`, `let`, fixpoints, a derivation's result) are freed by the full
//! collection the drop runs (`value::collect`).

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
            "let fix = f: let x = f x; in x; \
             drv = derivation { name = \"x\"; builder = \"/b\"; system = \"s\"; }; \
             r = rec { n = builtins.length (builtins.attrNames builtins.builtins); m = n; }; \
             in [ r.m drv.drvPath (fix (self: { a = 1; b = self.a; c = self.b; })).b ]",
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
