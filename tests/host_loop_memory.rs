//! A host that calls into one evaluation over and over (a policy checked per request) does not
//! grow: the cycles each call leaves (`rec`, `let`, fixpoints, unevaluated fields) are
//! collected during the calls (`value::collect`), so RSS stays flat from the 1 000th call to
//! the 10 000th. (One test in its own binary: another test running beside it would move RSS.)

use gnix::value::Value;
use gnix::{Evaluator, Settings};

/// Resident set size in KiB (Linux), if the platform says.
fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

const POLICY: &str = "
  let
    fix = f: let x = f x; in x;
    rules = n: rec {
      limit = n * 2;
      allowed = limit > 10;
      unused = throw \"never evaluated\";
      describe = k: if k == 0 then \"done\" else describe (k - 1);
    };
  in
  n:
    let
      cfg = fix (self: { base = n; total = self.base + 1; later = self.total * 2; });
      r = rules cfg.total;
    in
    [ r.allowed (r.describe 3) cfg.total ]";

fn call(ev: &mut Evaluator, f: &Value, i: i64) {
    let v = ev.call(f.clone(), vec![Value::Int(i)]).expect("calls");
    let v = ev.deep_force(v).expect("deep-forces");
    assert_eq!(
        gnix::print::print_value(&v),
        format!("[ {} \"done\" {} ]", (i + 1) * 2 > 10, i + 1)
    );
}

#[test]
fn calling_into_one_evaluation_many_times_does_not_grow() {
    let mut ev = Evaluator::new(Settings::default());
    let f = ev
        .eval_expr(POLICY, std::path::Path::new("/"))
        .expect("evaluates");
    let f = ev.force(f).expect("a function");
    for i in 0..1_000 {
        call(&mut ev, &f, i);
    }
    let Some(before) = rss_kib() else {
        eprintln!("no /proc/self/statm here: not measured");
        return;
    };
    for i in 1_000..10_000 {
        call(&mut ev, &f, i);
    }
    let after = rss_kib().unwrap_or(before);
    let grown = after.saturating_sub(before);
    eprintln!("calls 1 000 to 10 000: RSS {before} KiB -> {after} KiB");
    assert!(
        grown * 20 < before,
        "RSS grew {grown} KiB from {before} KiB"
    );
}
