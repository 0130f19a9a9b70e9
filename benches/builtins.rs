//! Builtin costs measured through the evaluator: 100 000 `builtins.match` calls with one
//! pattern against 100 000 string comparisons, each in the same `foldl'` loop, so the ratio
//! shows what matching costs once the compiled pattern is cached.
//!
//! Run: `cargo bench --bench builtins`.

use criterion::Criterion;
use gnix::{Evaluator, Settings};
use std::path::Path;

fn loop_over(body: &str) -> String {
    format!(
        "builtins.foldl' (acc: i: acc + (if {body} then 1 else 0)) 0 (builtins.genList (i: \"a${{toString i}}b\") 100000)"
    )
}

fn eval(expr: &str) -> String {
    let mut ev = Evaluator::new(Settings::default());
    match ev.eval_expr(expr, Path::new("/")) {
        Ok(v) => gnix::print::print_value(&v),
        Err(e) => panic!("{}", ev.render_error(&e, false)),
    }
}

fn match_vs_compare(c: &mut Criterion) {
    let matching = loop_over(r#"builtins.match "a([0-9]+)b" i != null"#);
    let comparing = loop_over(r#"i == "a123b""#);
    assert_eq!(eval(&matching), "100000");
    assert_eq!(eval(&comparing), "1");
    let mut group = c.benchmark_group("100k");
    group.sample_size(10);
    group.bench_function("match", |b| b.iter(|| eval(&matching)));
    group.bench_function("string-compare", |b| b.iter(|| eval(&comparing)));
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    match_vs_compare(&mut c);
    c.final_summary();
}
