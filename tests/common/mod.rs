//! What several test files share: evaluating an expression in process the way
//! `gnix eval --strict` does, and checking a table of expected outcomes.

use gnix::{Evaluator, Settings};
use std::path::Path;

/// The value `expr` prints as under `--strict`, or `error: ` and its error's message (what
/// these tables check is which error it is; its trace and position are `tests/lang.rs`'s).
pub fn evaluate(expr: &str, settings: Settings) -> String {
    let mut ev = Evaluator::new(settings);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    match ev.eval_expr(expr, dir).and_then(|v| ev.deep_force(v)) {
        Ok(v) => gnix::print::print_value(&v),
        Err(e) => format!("error: {}", e.message),
    }
}

/// Checks that each expression's outcome starts with its expected text; reports every miss.
pub fn check_table(cases: &[(&str, &str)], settings: impl Fn() -> Settings) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(expr, want)| {
            let got = evaluate(expr, settings());
            (!got.starts_with(want)).then(|| format!("{expr}\n  want: {want}\n  got:  {got}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
