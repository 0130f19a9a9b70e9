//! Soak test (issue 23): the upstream corpus's `eval-okay` cases that pass today, evaluated round
//! after round in one process through the library, one evaluator per case per round, dropped
//! after. Every round must give the expected output (the case's `.exp`), and the resident set
//! must not keep growing: from round 10 (when the allocator's pools and the caches have
//! settled) to the last, by less than 5%. It protects a long-running host (a language server,
//! a build daemon) against what one evaluation cannot show: memory an evaluator leaves behind
//! after it is dropped (an uncollected cycle, an interner or cache that only grows), and state
//! that leaks from one evaluation into the next.
//!
//! Cases are picked as `tests/engines.rs` picks them, less those that need more than a file
//! and `--strict`: those listed in `tests/known-failures/lang.txt`, those with a `.flags` file
//! (lints, experimental features) or an `.exp.xml`. They run with the search path and the
//! environment variables `nix-lang-conformance` gives them. The test has a binary of its own
//! because it measures the process's RSS; it is skipped when `../shared` is absent.

mod corpus_io;

use corpus_io::{CaseIo, corpus_environment};
use gnix::{Evaluator, Settings};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

const ROUNDS: usize = 50;
/// The round whose RSS is the baseline.
const SETTLED: usize = 10;
/// Growth allowed from round `SETTLED` to the last, in percent.
const MAX_GROWTH_PERCENT: u64 = 5;
/// As `tests/engines.rs` gives each run (some corpus cases nest deeply).
const STACK: usize = 256 << 20;

/// One corpus case: its file and the output it must print.
struct Case {
    file: PathBuf,
    expected: String,
}

/// Resident set size in KiB (Linux), if the platform says.
fn rss_kib() -> Option<u64> {
    let statm = fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

/// Names listed in `tests/known-failures/lang.txt`.
fn known_failures() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/known-failures/lang.txt");
    let text = fs::read_to_string(path).unwrap_or_default();
    let names = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim());
    names.filter(|n| !n.is_empty()).map(String::from).collect()
}

/// The corpus's `eval-okay` cases that run with `--strict` alone and pass today, sorted.
fn cases(lang: &Path) -> Vec<Case> {
    let known = known_failures();
    let entries = fs::read_dir(lang).expect("the corpus folder is readable");
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = name.strip_suffix(".nix").unwrap_or("");
            name.starts_with("eval-okay-") && !stem.is_empty() && !known.contains(stem)
        })
        .filter(|p| !p.with_extension("flags").exists() && !p.with_extension("exp.xml").exists())
        .filter(|p| p.with_extension("exp").exists())
        .collect();
    files.sort();
    let case = |file: PathBuf| {
        let expected = fs::read_to_string(file.with_extension("exp")).expect("a readable .exp");
        let expected = expected.strip_suffix('\n').unwrap_or(&expected).to_string();
        Case { file, expected }
    };
    files.into_iter().map(case).collect()
}

/// `gnix eval --strict FILE` through the library, the corpus folder printed as `/pwd`.
fn evaluate(case: &Case, corpus: &Path) -> Result<String, String> {
    let lang = corpus.join("lang");
    let settings = Settings {
        search_path: ["dir3", "dir4"]
            .map(|d| lang.join(d).display().to_string())
            .to_vec(),
        store_dir: "/nix/store".into(),
        ..Settings::default()
    };
    let io = CaseIo {
        env: Arc::new(corpus_environment("/fake-home")),
        traces: Rc::default(),
    };
    let mut ev = Evaluator::with_io(settings, Box::new(io));
    let result = ev.eval_file(&case.file).and_then(|v| ev.deep_force(v));
    let printed = result
        .map(|v| gnix::print::print_value(&v))
        .map_err(|e| ev.render_error(&e, false));
    let pwd = corpus.display().to_string();
    let to_pwd = |s: String| s.replace(pwd.as_str(), "/pwd");
    printed.map(to_pwd).map_err(to_pwd)
}

/// One round: every case evaluated once, each checked against its `.exp`.
fn round(cases: &[Case], corpus: &Path, n: usize) {
    for case in cases {
        let got = evaluate(case, corpus);
        let name = case.file.display();
        assert_eq!(
            got.as_deref(),
            Ok(case.expected.as_str()),
            "round {n}: {name}"
        );
    }
}

fn soak(corpus: &Path) {
    let cases = cases(&corpus.join("lang"));
    assert!(!cases.is_empty(), "no corpus case found");
    let start = std::time::Instant::now();
    let mut settled = None;
    for n in 1..=ROUNDS {
        round(&cases, corpus, n);
        if n == SETTLED {
            settled = rss_kib();
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "{ROUNDS} rounds of {} corpus cases: {elapsed:.1} s",
        cases.len()
    );
    let (Some(before), Some(after)) = (settled, rss_kib()) else {
        eprintln!("no /proc/self/statm here: RSS not measured");
        return;
    };
    let grown = after.saturating_sub(before);
    eprintln!(
        "RSS at round {SETTLED}: {before} KiB, at round {ROUNDS}: {after} KiB (+{grown} KiB)"
    );
    assert!(
        grown * 100 < before * MAX_GROWTH_PERCENT,
        "RSS grew {grown} KiB from {before} KiB"
    );
}

#[test]
fn corpus_soak() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nix-lang-tests");
    let Ok(corpus) = fs::canonicalize(&corpus) else {
        eprintln!(
            "upstream corpus absent ({}): soak skipped",
            corpus.display()
        );
        return;
    };
    let thread = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || soak(&corpus))
        .expect("a thread for the soak");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}
