//! Each workload in `benches/workloads/` evaluated (`--strict`) on both drivers side by side:
//! the generator VM and the recursive baseline. Criterion reports each pair in one group, so
//! the ratio is read off one run. `budgets` runs the generator VM with no limit, with each
//! limit a host can set (steps, time, memory) alone, and with all, for what the checks cost. `parse` measures
//! parsing and compiling alone. The benchmark runs under gnix's allocator, as the CLI does, so
//! that the memory budget counts what it counts there.
//!
//! Run: `cargo bench --bench eval` (a filter such as `cargo bench --bench eval -- fib` works).

use criterion::{BenchmarkId, Criterion};
use gnix::settings::Driver;
use gnix::{Evaluator, Settings};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

const WORKLOADS: &[&str] = &["fib", "attrs", "lists", "strings", "lazy", "fixpoint"];

/// Workloads over nixpkgs' lib, which they import from `../shared/nixpkgs-lib` beside the
/// repository: its test suite and a `lib.evalModules` configuration.
const NIXPKGS_WORKLOADS: &[&str] = &["modules", "libtests"];

fn nixpkgs_lib_present() -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/nixpkgs-lib/lib/default.nix")
        .exists()
}

fn workload(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/workloads")
        .join(format!("{name}.nix"))
}

fn evaluate(path: &Path, driver: Driver) -> String {
    let settings = Settings {
        driver,
        ..Settings::default()
    };
    evaluate_with(path, settings)
}

fn evaluate_with(path: &Path, settings: Settings) -> String {
    let mut ev = Evaluator::new(settings);
    let v = ev.eval_file(path).and_then(|v| ev.deep_force(v));
    match v {
        Ok(v) => gnix::print::print_value(&v),
        Err(e) => panic!("{}: {}", path.display(), ev.render_error(&e, false)),
    }
}

fn drivers(c: &mut Criterion) {
    let mut names: Vec<&str> = WORKLOADS.to_vec();
    if nixpkgs_lib_present() {
        names.extend(NIXPKGS_WORKLOADS);
    } else {
        eprintln!("../shared/nixpkgs-lib is missing: skipping {NIXPKGS_WORKLOADS:?}");
    }
    for name in names {
        let path = workload(name);
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        for (label, driver) in [
            ("generator", Driver::Generator),
            ("recursive", Driver::Recursive),
        ] {
            group.bench_with_input(BenchmarkId::from_parameter(label), &path, |b, p| {
                b.iter(|| evaluate(p, driver))
            });
        }
        group.finish();
    }
}

/// Limits far above what the workloads use, each alone and all together: every check runs,
/// none fires.
fn budgets_to_compare() -> [(&'static str, Settings); 5] {
    let steps = Settings {
        max_steps: 1 << 40,
        ..Settings::default()
    };
    let time = Settings {
        max_time: Some(Duration::from_secs(3600)),
        ..Settings::default()
    };
    let memory = Settings {
        max_memory: Some(16 << 30),
        ..Settings::default()
    };
    let all = Settings {
        max_steps: steps.max_steps,
        max_time: time.max_time,
        max_memory: memory.max_memory,
        ..Settings::default()
    };
    let none = Settings::default();
    [
        ("none", none),
        ("steps", steps),
        ("time", time),
        ("memory", memory),
        ("all", all),
    ]
}

fn budgets(c: &mut Criterion) {
    for name in ["fib", "attrs", "lazy"] {
        let path = workload(name);
        let mut group = c.benchmark_group(format!("budgets/{name}"));
        group.sample_size(40);
        group.measurement_time(Duration::from_secs(8));
        for (label, settings) in budgets_to_compare() {
            group.bench_with_input(BenchmarkId::from_parameter(label), &path, |b, p| {
                b.iter_custom(|iters| time_after_unlimited(p, &settings, iters))
            });
        }
        group.finish();
    }
}

/// The time of `iters` runs under `settings`, each after an untimed run without limits. The
/// variants run one after another, and the allocator's free lists age with every run (fib's
/// time drifted by up to 6% from the first variant to the last, in either order, with the
/// same instruction count under each); the run before each timed one puts every variant,
/// `none` included, on a heap in the same state.
fn time_after_unlimited(path: &Path, settings: &Settings, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        std::hint::black_box(evaluate_with(path, Settings::default()));
        let start = std::time::Instant::now();
        std::hint::black_box(evaluate_with(path, settings.clone()));
        total += start.elapsed();
    }
    total
}

fn parse(c: &mut Criterion) {
    // A large file: every workload concatenated into one list, repeated.
    let sources: Vec<String> = WORKLOADS
        .iter()
        .map(|w| std::fs::read_to_string(workload(w)).unwrap_or_default())
        .collect();
    let text = format!(
        "[ {} ]",
        sources
            .iter()
            .map(|s| format!("({s})"))
            .collect::<Vec<_>>()
            .join("\n")
            .repeat(20)
    );
    c.bench_function("parse+compile", |b| {
        b.iter(|| {
            let mut ev = Evaluator::new(Settings::default());
            ev.parse_only(&text, None, Path::new("/")).is_ok()
        })
    });
}

fn main() {
    // The recursive baseline gets the 64 MiB stack C++ Nix gives its evaluator.
    let worker = std::thread::Builder::new().stack_size(64 << 20).spawn(|| {
        let mut c = Criterion::default().configure_from_args();
        drivers(&mut c);
        budgets(&mut c);
        parse(&mut c);
        c.final_summary();
    });
    if let Ok(handle) = worker {
        let _ = handle.join();
    }
}
