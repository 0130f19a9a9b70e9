//! Every builtin's documentation carries at least one example, and every example evaluates to
//! what it says.
//!
//! An example is a fenced `nix` block in the builtin's declaration (`src/builtins/decl.rs`):
//! the expression, then a line starting with `=> ` and the value as `gnix eval --strict` prints
//! it (it may go on over the following lines), or `=> error: TEXT` for an example that must
//! fail with a message containing TEXT.

use gnix::{Evaluator, Settings};
use std::path::Path;

/// One example: the expression and what it must give.
struct Example {
    expr: String,
    expected: Expected,
}

enum Expected {
    Value(String),
    Error(String),
}

/// The examples of one doc comment.
fn examples(doc: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let mut lines = doc.lines().map(str::trim_start);
    while let Some(line) = lines.next() {
        if line.trim_end() != "```nix" {
            continue;
        }
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim_end() != "```")
            .collect();
        let split = block
            .iter()
            .position(|l| l.starts_with("=> ") || *l == "=>")
            .ok_or_else(|| format!("an example without `=> `: {}", block.join("\n")))?;
        let expr = block[..split].join("\n");
        let mut result: Vec<&str> = block[split..].to_vec();
        result[0] = result[0].trim_start_matches("=>").trim_start();
        let result = result.join("\n");
        let expected = match result.strip_prefix("error: ") {
            Some(message) => Expected::Error(message.to_string()),
            None => Expected::Value(result),
        };
        out.push(Example { expr, expected });
    }
    Ok(out)
}

/// What `gnix eval --strict` gives for `expr`: the printed value or the error message.
fn evaluate(expr: &str) -> Result<String, String> {
    let mut ev = Evaluator::new(Settings::default());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    ev.eval_expr(expr, dir)
        .and_then(|v| ev.deep_force(v))
        .map(|v| gnix::print::print_value(&v))
        .map_err(|e| ev.render_error(&e, false))
}

fn check(example: &Example) -> Result<(), String> {
    match (&example.expected, evaluate(&example.expr)) {
        (Expected::Value(want), Ok(got)) if *want == got => Ok(()),
        (Expected::Error(want), Err(got)) if got.contains(want.as_str()) => Ok(()),
        (Expected::Value(want), got) => Err(format!("expected {want}, got {got:?}")),
        (Expected::Error(want), got) => Err(format!("expected error {want:?}, got {got:?}")),
    }
}

#[test]
fn every_builtin_example_evaluates_to_what_it_says() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for b in gnix::builtins::all() {
        let examples = match examples(b.doc) {
            Ok(examples) => examples,
            Err(e) => {
                failures.push(format!("{} ({}): {e}", b.name, b.source));
                continue;
            }
        };
        for example in &examples {
            checked += 1;
            if let Err(e) = check(example) {
                failures.push(format!("{} ({}): {}: {e}", b.name, b.source, example.expr));
            }
        }
    }
    assert!(checked > 0, "no builtin has an example");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_builtin_has_an_example() {
    let missing: Vec<String> = gnix::builtins::all()
        .iter()
        .filter(|b| !b.doc.lines().any(|l| l.trim() == "```nix"))
        .map(|b| format!("{} ({})", b.name, b.source))
        .collect();
    assert!(
        missing.is_empty(),
        "builtins without an example:\n{}",
        missing.join("\n")
    );
}

/// `design/builtins.md`: the index from each builtin to the file that declares it, made from
/// the declarations themselves.
fn builtin_index() -> String {
    let mut all = gnix::builtins::all();
    all.sort_by(|a, b| a.name.cmp(b.name));
    let mut out = String::from(
        "# Builtins\n\nGenerated from the declarations by `tests/builtin_docs.rs` (run it with \
         `UPDATE_BUILTIN_INDEX=1` after changing one). Strict parameters are in bold: the \
         scheduler evaluates them before the body runs. A `fn` body computes without \
         evaluating; an `async` body may force and call (`design/vm.md`).\n\n\
         | builtin | parameters | body | flags | declared in | summary |\n|---|---|---|---|---|---|\n",
    );
    for b in &all {
        let params: Vec<String> = b
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| match b.is_strict(i) {
                false => p.to_string(),
                true => format!("**{p}**"),
            })
            .collect();
        let body = match b.body {
            gnix::value::Body::Sync(_) => "fn",
            gnix::value::Body::Async { .. } => "async",
        };
        let speculable = b.speculable && !b.scalars_only;
        let on_scalars = b.speculable && b.scalars_only;
        let flags: Vec<&str> = [
            (b.top_level, "top level"),
            (speculable, "speculable"),
            (on_scalars, "speculable on scalars"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        let summary: Vec<&str> = b
            .doc
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .flat_map(str::split_whitespace)
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {body} | {} | `{}` | {} |\n",
            b.name,
            params.join(" "),
            flags.join(", "),
            b.source,
            summary.join(" ")
        ));
    }
    out
}

#[test]
fn builtin_index_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("design/builtins.md");
    let want = builtin_index();
    if std::env::var_os("UPDATE_BUILTIN_INDEX").is_some() {
        std::fs::write(&path, &want).expect("design/builtins.md is writable");
        return;
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "design/builtins.md is out of date: run the tests with UPDATE_BUILTIN_INDEX=1"
    );
}
