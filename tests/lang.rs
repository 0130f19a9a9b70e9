//! Golden-file tests of the evaluator, plus a ratchet on the upstream Nix language corpus.
//!
//! - `tests/lang/eval-okay-NAME.nix`: `gnix eval --strict` must exit 0 and print `NAME.exp`
//!   (one trailing newline ignored on each side).
//! - `tests/lang/eval-fail-NAME.nix`: `gnix eval --strict` must exit with status 1 and its
//!   stderr must contain the text of `NAME.err` (the key message, e.g. `error: division by zero`).
//!
//! The expected outputs are those of C++ Nix (`nix-instantiate --eval --strict`), corrected to
//! current Nix semantics where old releases differ.
//!
//! `upstream_corpus` runs `shared/tools/nix-lang-conformance` on `shared/nix-lang-tests` and
//! its `tvix/` folder and compares the failing cases with `tests/known-failures/*.txt`. Run it
//! with `UPDATE_KNOWN_FAILURES=1` to rewrite those lists from the current results.

use pretty_assertions::StrComparison;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lang_dir() -> PathBuf {
    manifest_dir().join("tests/lang")
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The `.nix` cases in `tests/lang` whose names start with `prefix`, sorted.
fn cases(prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(lang_dir())
        .expect("tests/lang is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = file_name(path);
            name.starts_with(prefix) && name.ends_with(".nix")
        })
        .collect();
    files.sort();
    files
}

fn eval_strict(file: &Path) -> Output {
    Command::new(GNIX)
        .args(["eval", "--strict"])
        .arg(file)
        .output()
        .expect("cannot run gnix")
}

fn read_sibling(case: &Path, extension: &str) -> Result<String, String> {
    let path = case.with_extension(extension);
    fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", file_name(&path)))
}

fn chomp(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check_okay(case: &Path) -> Result<(), String> {
    let want = read_sibling(case, "exp")?;
    let out = eval_strict(case);
    let (stdout, stderr) = (lossy(&out.stdout), lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!(
            "{}, expected success; stderr:\n{stderr}",
            out.status
        ));
    }
    let (got, want) = (chomp(&stdout), chomp(&want));
    if got != want {
        let diff = StrComparison::new(got, want);
        return Err(format!("output differs (< got, > expected):\n{diff}"));
    }
    Ok(())
}

fn check_fail(case: &Path) -> Result<(), String> {
    let want = read_sibling(case, "err")?;
    let want = want.trim();
    let out = eval_strict(case);
    let stderr = lossy(&out.stderr);
    if out.status.code() != Some(1) {
        return Err(format!(
            "{}, expected exit status 1; stderr:\n{stderr}",
            out.status
        ));
    }
    if !stderr.contains(want) {
        return Err(format!("stderr lacks {want:?}; stderr:\n{stderr}"));
    }
    Ok(())
}

/// Runs every case starting with `prefix` and reports all failures in one assertion.
fn run_cases(prefix: &str, check: fn(&Path) -> Result<(), String>) {
    let files = cases(prefix);
    assert!(!files.is_empty(), "no {prefix}*.nix cases in tests/lang");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|why| format!("FAIL {}: {why}", file_name(case)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} {prefix}* cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn eval_okay() {
    run_cases("eval-okay-", check_okay);
}

#[test]
fn eval_fail() {
    run_cases("eval-fail-", check_fail);
}

/// Every expected-output file belongs to a case, every case has one, and every Nix file here
/// is a case.
#[test]
fn golden_files_are_paired() {
    let mut problems = Vec::new();
    for entry in fs::read_dir(lang_dir()).expect("tests/lang is readable") {
        let path = entry.expect("directory entry").path();
        let name = file_name(&path);
        let partner = match path.extension().and_then(|e| e.to_str()) {
            Some("exp" | "err") => "nix",
            Some("nix") if name.starts_with("eval-okay-") => "exp",
            Some("nix") if name.starts_with("eval-fail-") => "err",
            Some("nix") => {
                problems.push(format!("{name} is named for no class: it would never run"));
                continue;
            }
            _ => continue,
        };
        if !path.with_extension(partner).is_file() {
            problems.push(format!("{name} has no .{partner} file"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---- upstream corpus ratchet ----

/// Names whose comment starts with `env:`: they fail or pass depending on the machine (the
/// corpus copy's symlinks, an existing /nix/store), so passing is not reported for them.
fn environment_dependent(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.split_once('#'))
        .filter(|(_, comment)| comment.trim_start().starts_with("env:"))
        .map(|(name, _)| name.trim().to_string())
        .collect()
}

/// Names listed in a known-failures file: one a line, `#` starts a comment.
fn read_name_list(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

struct CorpusRun {
    failing: BTreeSet<String>,
    /// The tool's report, whose `FAIL NAME: reason` lines explain each failure.
    report: String,
}

impl CorpusRun {
    fn reason(&self, name: &str) -> &str {
        let prefix = format!("FAIL {name}: ");
        self.report
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or("(no reason reported)")
    }
}

fn run_conformance(corpus: &Path, tag: &str) -> CorpusRun {
    let tool = manifest_dir().join("../shared/tools/nix-lang-conformance");
    let list = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{tag}-failures.txt"));
    let out = Command::new(&tool)
        .arg("--list-failures")
        .arg(&list)
        .arg(format!("{} eval", shell_quote(GNIX)))
        .arg(corpus)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let report = lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{} failed ({}):\n{report}\n{}",
        tool.display(),
        out.status,
        lossy(&out.stderr)
    );
    let names = fs::read_to_string(&list).expect("the tool wrote its failure list");
    CorpusRun {
        failing: read_name_list(&names),
        report,
    }
}

const KNOWN_FAILURES_HEADER: &str = "\
# Upstream corpus cases that gnix fails today: a ratchet, checked by `upstream_corpus` in tests/lang.rs.
# The test fails when a case not listed here fails, and when a listed case passes: remove
# fixed cases from this list, never add a case to hide a regression.
# Regenerate: UPDATE_KNOWN_FAILURES=1 cargo test --release --test lang upstream_corpus
# A comment starting with `env:` marks a case whose outcome depends on the machine: it may pass.
";

fn write_known_failures(path: &Path, failing: &BTreeSet<String>) {
    let names: String = failing.iter().map(|name| format!("{name}\n")).collect();
    fs::write(path, format!("{KNOWN_FAILURES_HEADER}{names}")).expect("write known failures");
}

/// Differences between one corpus run and its known-failures list.
fn ratchet(corpus: &Path, tag: &str) -> Vec<String> {
    let relative = format!("tests/known-failures/{tag}.txt");
    let list = manifest_dir().join(&relative);
    let run = run_conformance(corpus, tag);
    if std::env::var_os("UPDATE_KNOWN_FAILURES").is_some() {
        write_known_failures(&list, &run.failing);
        return Vec::new();
    }
    let text = fs::read_to_string(&list).unwrap_or_default();
    let known = read_name_list(&text);
    let may_pass = environment_dependent(&text);
    let regressions = run.failing.difference(&known).map(|name| {
        let why = run.reason(name);
        format!("{tag}: {name} fails but is not in {relative}: {why}")
    });
    let fixed = known
        .difference(&run.failing)
        .filter(|name| !may_pass.contains(*name))
        .map(|name| format!("{tag}: {name} passes now: remove it from {relative}"));
    regressions.chain(fixed).collect()
}

#[test]
fn upstream_corpus() {
    let corpus = manifest_dir().join("../shared/nix-lang-tests");
    if !corpus.is_dir() {
        println!("upstream corpus absent ({}): skipped", corpus.display());
        return;
    }
    let mut problems = ratchet(&corpus, "lang");
    problems.extend(ratchet(&corpus.join("tvix"), "tvix"));
    assert!(
        problems.is_empty(),
        "upstream corpus differs from tests/known-failures:\n{}",
        problems.join("\n")
    );
}

// ---- error layout ratchet ----

/// The flags a corpus eval-fail case runs with: its `.flags` words (comments and `--eval`
/// dropped) or `--strict --show-trace`, as the corpus README says.
fn corpus_fail_flags(case: &Path) -> Vec<String> {
    match fs::read_to_string(case.with_extension("flags")) {
        Ok(text) => text
            .lines()
            .map(|line| line.split('#').next().unwrap_or(""))
            .flat_map(str::split_whitespace)
            .filter(|word| *word != "--eval")
            .map(String::from)
            .collect(),
        Err(_) => vec!["--strict".into(), "--show-trace".into()],
    }
}

/// Whether the stderr of `gnix eval` on a corpus eval-fail case is exactly its `.err.exp`
/// (C++ Nix's stderr, the corpus folder written `/pwd`), run the way the corpus tool runs it.
fn error_layout_matches(corpus: &Path, home: &Path, case: &Path) -> bool {
    let Ok(want) = fs::read_to_string(case.with_extension("err.exp")) else {
        return false;
    };
    let out = Command::new(GNIX)
        .arg("eval")
        .args(corpus_fail_flags(case))
        .arg(Path::new("lang").join(file_name(case)))
        .current_dir(corpus)
        .env_remove("NIX_PATH")
        .env("TEST_VAR", "foo")
        .env("NIX_REMOTE", "dummy://")
        .env("NIX_STORE_DIR", "/nix/store")
        .env("HOME", home)
        .output()
        .expect("cannot run gnix");
    let got = lossy(&out.stderr).replace(&*corpus.to_string_lossy(), "/pwd");
    got.trim_end_matches('\n') == want.trim_end_matches('\n')
}

const ERR_LAYOUT_HEADER: &str = "\
# Upstream eval-fail cases whose stderr is not yet exactly C++ Nix's (`NAME.err.exp`): a
# ratchet, checked by `error_layout` in tests/lang.rs. It fails when a case not listed here
# differs, and when a listed case matches: remove fixed cases, never add one to hide a regression.
# Regenerate: UPDATE_KNOWN_FAILURES=1 cargo test --release --test lang error_layout
";

/// Every eval-fail case of the upstream corpus renders its error exactly as C++ Nix does,
/// except those listed in `tests/known-failures/err-layout.txt`.
#[test]
fn error_layout() {
    let corpus = manifest_dir().join("../shared/nix-lang-tests");
    let Ok(corpus) = corpus.canonicalize() else {
        println!("upstream corpus absent ({}): skipped", corpus.display());
        return;
    };
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("err-layout-home");
    fs::create_dir_all(&home).expect("make an empty home");
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus.join("lang"))
        .expect("the corpus is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = file_name(path);
            name.starts_with("eval-fail-") && name.ends_with(".nix")
        })
        .filter(|path| path.with_extension("err.exp").is_file())
        .collect();
    cases.sort();
    let differing: BTreeSet<String> = cases
        .iter()
        .filter(|case| !error_layout_matches(&corpus, &home, case))
        .map(|case| file_name(case).trim_end_matches(".nix").to_string())
        .collect();
    let list = manifest_dir().join("tests/known-failures/err-layout.txt");
    if std::env::var_os("UPDATE_KNOWN_FAILURES").is_some() {
        let names: String = differing.iter().map(|name| format!("{name}\n")).collect();
        fs::write(&list, format!("{ERR_LAYOUT_HEADER}{names}")).expect("write the list");
        return;
    }
    let known = read_name_list(&fs::read_to_string(&list).unwrap_or_default());
    let problems: Vec<String> = differing
        .difference(&known)
        .map(|name| format!("{name}: stderr differs from {name}.err.exp but is not listed"))
        .chain(
            known
                .difference(&differing)
                .map(|name| format!("{name}: stderr matches now: remove it from the list")),
        )
        .collect();
    assert!(
        problems.is_empty(),
        "error layout differs from tests/known-failures/err-layout.txt ({} of {} exact):\n{}",
        cases.len() - differing.len(),
        cases.len(),
        problems.join("\n")
    );
}
