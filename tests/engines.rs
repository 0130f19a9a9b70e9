//! The engines checked against each other: every golden case (`tests/lang/`) and every case of
//! the upstream corpus (`../shared/nix-lang-tests`, `lang/` and `tvix/lang/`) runs in process
//! through the library under each engine configuration (`ENGINES`: the generator driver, the
//! recursive baseline, the generator driver with speculation off, and with the cycle collector
//! run at every checkpoint). All must produce the same
//! outcome (the printed value or the rendered error, and the lines traced on the way), and that
//! outcome must be the expected one: a golden case's `.exp`/`.err`, or what
//! `shared/tools/nix-lang-conformance` checks for the corpus case. Corpus cases listed in
//! `tests/known-failures/` are only checked for agreement.
//!
//! A harness of its own (libtest-mimic) makes each case file one named test, so that
//! `cargo test --test engines -- NAME` runs one case and every failing case is reported by name.
//! `tests/lang.rs` keeps running the same cases through the binary, for the CLI.

mod corpus_io;

use corpus_io::{CaseIo, corpus_environment};
use gnix::settings::Driver;
use gnix::settings::Lints;
use gnix::{Evaluator, Settings};
use libtest_mimic::{Arguments, Failed, Trial};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// One configuration of the evaluator.
struct Engine {
    name: &'static str,
    driver: Driver,
    speculate: bool,
    /// The cycle collector runs at every checkpoint, checked after every operation
    /// (`collect::set_eager`): a reference it does not know of shows up as a wrong outcome.
    eager_gc: bool,
}

static ENGINES: [Engine; 4] = [
    Engine {
        name: "generator",
        driver: Driver::Generator,
        speculate: true,
        eager_gc: false,
    },
    Engine {
        name: "recursive",
        driver: Driver::Recursive,
        speculate: true,
        eager_gc: false,
    },
    Engine {
        name: "no-speculate",
        driver: Driver::Generator,
        speculate: false,
        eager_gc: false,
    },
    Engine {
        name: "eager-gc",
        driver: Driver::Generator,
        speculate: true,
        eager_gc: true,
    },
];

/// The native stack each run gets: the CLI's for the recursive driver (`src/main.rs`), which
/// is bounded by it; the others get the same (dropping a deeply nested value recurses). A debug
/// build's frames are about three times larger: it gets four times the stack, so that the
/// golden cases 10 000 calls deep fit as they do in release.
const RUN_STACK: usize = if cfg!(debug_assertions) {
    256 << 20
} else {
    64 << 20
};

/// A run that takes longer than this is reported as hung (its thread is left behind).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The kinds of case, by file name prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    EvalOkay,
    EvalFail,
    ParseOkay,
    ParseFail,
    Identity,
}

impl Kind {
    fn of(file_name: &str) -> Option<Kind> {
        let kinds = [
            ("eval-okay-", Kind::EvalOkay),
            ("eval-fail-", Kind::EvalFail),
            ("parse-okay-", Kind::ParseOkay),
            ("parse-fail-", Kind::ParseFail),
            ("identity-", Kind::Identity),
        ];
        let (_, kind) = kinds.iter().find(|(p, _)| file_name.starts_with(p))?;
        file_name.ends_with(".nix").then_some(*kind)
    }
}

/// What `gnix eval` is given for a case: the file, the flags' effects, the environment.
#[derive(Clone)]
struct Invocation {
    file: PathBuf,
    parse_only: bool,
    strict: bool,
    show_trace: bool,
    xml: bool,
    no_location: bool,
    lints: Lints,
    features: Vec<String>,
    search_path: Vec<String>,
    store_dir: Option<String>,
    /// Environment variables the case sees instead of the process's (`None`: unset).
    env: Arc<HashMap<String, Option<String>>>,
    /// An absolute path replaced by `/pwd` in the output (the corpus folder), if not empty.
    pwd: String,
}

impl Invocation {
    fn new(file: PathBuf) -> Self {
        Invocation {
            file,
            parse_only: false,
            strict: false,
            show_trace: false,
            xml: false,
            no_location: false,
            lints: Lints::default(),
            features: Vec::new(),
            search_path: Vec::new(),
            store_dir: None,
            env: Arc::default(),
            pwd: String::new(),
        }
    }

    /// Applies command-line flags, as `gnix eval` reads them.
    fn flags(&mut self, words: &[&str]) -> Result<(), String> {
        let mut it = words.iter();
        while let Some(&flag) = it.next() {
            let mut value = || {
                it.next()
                    .copied()
                    .ok_or_else(|| format!("flag {flag} lacks its value"))
            };
            match flag {
                "--eval" | "--impure" => {}
                "--strict" => self.strict = true,
                "--show-trace" => self.show_trace = true,
                "--no-show-trace" => self.show_trace = false,
                "--xml" => self.xml = true,
                "--no-location" => self.no_location = true,
                "--parse" => self.parse_only = true,
                "--extra-experimental-features" => self
                    .features
                    .extend(value()?.split_whitespace().map(String::from)),
                "--lint-short-path-literals" => {
                    self.lints.short_path_literals = value()?.parse()?
                }
                "--lint-absolute-path-literals" => {
                    self.lints.absolute_path_literals = value()?.parse()?
                }
                "--lint-url-literals" => self.lints.url_literals = value()?.parse()?,
                other => return Err(format!("flag {other} is not supported by this runner")),
            }
        }
        Ok(())
    }

    fn settings(&self, engine: &Engine) -> Settings {
        let mut s = Settings {
            driver: engine.driver,
            speculate: engine.speculate,
            tail_calls: !self.show_trace,
            lints: self.lints,
            experimental_features: self.features.clone(),
            search_path: self.search_path.clone(),
            ..Settings::default()
        };
        if let Some(dir) = &self.store_dir {
            s.store_dir = dir.clone();
        }
        s
    }
}

/// What a run produced: what the CLI would print on stdout, or its error message; and the
/// lines traced to stderr on the way (`trace:`, warnings).
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<String, String>,
    traces: Vec<String>,
}

/// Runs a case under one engine, as `gnix eval` would.
fn evaluate(inv: &Invocation, engine: &Engine) -> Outcome {
    let traces = Rc::new(RefCell::new(Vec::new()));
    let io = CaseIo {
        env: inv.env.clone(),
        traces: traces.clone(),
    };
    let mut ev = Evaluator::with_io(inv.settings(engine), Box::new(io));
    let result = if inv.parse_only {
        parse(&mut ev, &inv.file).map(|()| String::new())
    } else {
        print(&mut ev, inv)
    };
    let mut result = result.map_err(|e| ev.render_error(&e, inv.show_trace));
    let mut traces = traces.take();
    if !inv.pwd.is_empty() {
        let to_pwd = |s: &mut String| *s = s.replace(inv.pwd.as_str(), "/pwd");
        match &mut result {
            Ok(s) | Err(s) => to_pwd(s),
        }
        traces.iter_mut().for_each(to_pwd);
    }
    Outcome { result, traces }
}

fn parse(ev: &mut Evaluator, file: &Path) -> Result<(), gnix::Error> {
    let text = fs::read_to_string(file)
        .map_err(|e| gnix::Error::new(format!("cannot read '{}': {e}", file.display())))?;
    let dir = file.parent().unwrap_or(Path::new("/"));
    ev.parse_only(&text, Some(file.to_path_buf()), dir)
}

fn print(ev: &mut Evaluator, inv: &Invocation) -> Result<String, gnix::Error> {
    let v = ev.eval_file(&inv.file)?;
    let v = if inv.strict { ev.deep_force(v)? } else { v };
    if inv.xml {
        let xml = ev.to_xml(v, !inv.no_location)?;
        return Ok(xml.trim_end_matches('\n').to_string());
    }
    Ok(gnix::print::print_value(&v))
}

/// Runs `inv` under `engine` on a thread of its own with the CLI's stack.
fn run_on_thread(inv: &Invocation, engine: &'static Engine) -> Result<Outcome, String> {
    let (send, receive) = mpsc::channel();
    let inv = inv.clone();
    let spawned = std::thread::Builder::new()
        .name(engine.name.into())
        .stack_size(RUN_STACK)
        .spawn(move || {
            gnix::value::collect::set_eager(engine.eager_gc);
            // A closed channel means the runner gave up waiting: nothing left to tell.
            let _ = send.send(evaluate(&inv, engine));
        });
    let thread = spawned.map_err(|e| format!("cannot start a thread: {e}"))?;
    match receive.recv_timeout(RUN_TIMEOUT) {
        Ok(outcome) => {
            let _ = thread.join();
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "{}: no result after {} s",
            engine.name,
            RUN_TIMEOUT.as_secs()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(format!("{}: the evaluation panicked", engine.name))
        }
    }
}

/// What a case must produce.
enum Expect {
    /// Success, and this text on stdout (one trailing newline ignored).
    Output(String),
    /// An error whose message contains this text.
    ErrorContaining(String),
    /// Success, whatever it prints (`parse-okay`).
    Success,
    /// Some error (`eval-fail` and `parse-fail` in the corpus).
    Failure,
    /// Nothing: a known failure, only checked for agreement.
    Anything,
}

fn chomp(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

fn check_expected(outcome: &Outcome, expect: &Expect) -> Result<(), String> {
    match (expect, &outcome.result) {
        (Expect::Anything, _) | (Expect::Success, Ok(_)) | (Expect::Failure, Err(_)) => Ok(()),
        (Expect::Output(want), Ok(got)) if chomp(got) == chomp(want) => Ok(()),
        (Expect::Output(want), Ok(got)) => {
            let diff = pretty_assertions::StrComparison::new(chomp(got), chomp(want));
            Err(format!("output differs (< got, > expected):\n{diff}"))
        }
        (Expect::ErrorContaining(want), Err(got)) if got.contains(want.as_str()) => Ok(()),
        (Expect::ErrorContaining(want), Err(got)) => {
            Err(format!("the error lacks {want:?}; it is:\n{got}"))
        }
        (Expect::Output(_) | Expect::Success, Err(e)) => {
            Err(format!("expected success; error:\n{e}"))
        }
        (Expect::ErrorContaining(_) | Expect::Failure, Ok(out)) => {
            Err(format!("expected an error; evaluated to:\n{out}"))
        }
    }
}

/// Runs a case under every engine: they must agree, and the outcome must be the expected one.
fn check_case(inv: &Invocation, expect: &Expect) -> Result<(), Failed> {
    let mut outcomes = Vec::new();
    for engine in &ENGINES {
        outcomes.push((engine.name, run_on_thread(inv, engine)?));
    }
    let (first, reference) = &outcomes[0];
    let disagreeing: Vec<String> = outcomes[1..]
        .iter()
        .filter(|(_, o)| o != reference)
        .map(|(name, o)| format!("{name}: {o:#?}"))
        .collect();
    if !disagreeing.is_empty() {
        return Err(format!(
            "the engines disagree.\n{first}: {reference:#?}\n{}",
            disagreeing.join("\n")
        )
        .into());
    }
    check_expected(reference, expect).map_err(Failed::from)
}

/// The `.nix` files of a folder whose names mark a case, sorted.
fn case_files(dir: &Path) -> Vec<(PathBuf, Kind)> {
    let mut files: Vec<(PathBuf, Kind)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} is not readable: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let kind = Kind::of(path.file_name()?.to_str()?)?;
            Some((path, kind))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<String, Failed> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// The golden cases: `gnix eval --strict FILE`, against `NAME.exp` or `NAME.err` (see
/// `tests/lang.rs`).
fn golden_trials() -> Vec<Trial> {
    case_files(&manifest_dir().join("tests/lang"))
        .into_iter()
        .map(|(file, kind)| {
            let name = format!("golden::{}", stem(&file));
            Trial::test(name, move || {
                let expect = match kind {
                    Kind::EvalOkay => Expect::Output(read(&file.with_extension("exp"))?),
                    _ => Expect::ErrorContaining(
                        read(&file.with_extension("err"))?.trim().to_string(),
                    ),
                };
                let mut inv = Invocation::new(file);
                inv.flags(&["--strict"])?;
                check_case(&inv, &expect)
            })
        })
        .collect()
}

/// Names listed in a known-failures file: one a line, `#` starts a comment.
fn known_failures(tag: &str) -> BTreeSet<String> {
    let path = manifest_dir().join(format!("tests/known-failures/{tag}.txt"));
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// How `nix-lang-conformance` runs a corpus case (`../shared/nix-lang-tests/README.md`): the
/// invocation and what it must produce. `corpus` is canonical, as the working directory the
/// tool runs cases in is.
fn corpus_case(corpus: &Path, file: &Path, kind: Kind) -> Result<(Invocation, Expect), Failed> {
    let sibling = |ext: &str| file.with_extension(ext);
    let mut inv = Invocation::new(file.to_path_buf());
    inv.store_dir = Some("/nix/store".into());
    inv.pwd = corpus.display().to_string();
    let expect = match kind {
        Kind::EvalOkay => {
            let want = if sibling("exp.xml").exists() {
                inv.flags(&["--xml", "--no-location", "--strict"])?;
                read(&sibling("exp.xml"))?
            } else {
                if sibling("flags").exists() {
                    let flags = read(&sibling("flags"))?;
                    let first = flags.lines().next().unwrap_or("");
                    inv.flags(&first.split_whitespace().collect::<Vec<_>>())?;
                }
                inv.flags(&["--strict"])?;
                match sibling("exp").exists() {
                    true => read(&sibling("exp"))?,
                    // lang.sh: no `.exp` means no output.
                    false => String::new(),
                }
            };
            let lang = corpus.join("lang");
            inv.search_path = ["dir3", "dir4"]
                .map(|d| lang.join(d).display().to_string())
                .to_vec();
            Expect::Output(want)
        }
        Kind::Identity => {
            inv.flags(&["--strict"])?;
            Expect::Output(format!("{}\n", read(file)?.trim()))
        }
        Kind::EvalFail => {
            let flags = match sibling("flags").exists() {
                true => read(&sibling("flags"))?,
                false => "--strict --show-trace".into(),
            };
            let words: Vec<&str> = flags
                .lines()
                .flat_map(|line| line.split('#').next().unwrap_or("").split_whitespace())
                .collect();
            inv.flags(&words)?;
            Expect::Failure
        }
        Kind::ParseOkay | Kind::ParseFail => {
            inv.flags(&["--parse"])?;
            match kind {
                Kind::ParseOkay => Expect::Success,
                _ => Expect::Failure,
            }
        }
    };
    // eval-okay cases see `HOME=/fake-home`, the others an empty folder.
    let home = match kind {
        Kind::EvalOkay => PathBuf::from("/fake-home"),
        _ => {
            let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engines-home");
            fs::create_dir_all(&empty).map_err(|e| e.to_string())?;
            empty
        }
    };
    inv.env = Arc::new(corpus_environment(&home.display().to_string()));
    Ok((inv, expect))
}

/// The corpus cases of `corpus/lang`, `tag` naming them and their known-failures list; a case
/// upstream disabled (only `NAME.exp-disabled`) is ignored.
fn corpus_trials(corpus: &Path, tag: &str) -> Vec<Trial> {
    let known = known_failures(tag);
    case_files(&corpus.join("lang"))
        .into_iter()
        .map(|(file, kind)| {
            let name = stem(&file);
            let known_failure = known.contains(&name);
            let disabled = kind == Kind::EvalOkay
                && !file.with_extension("exp").exists()
                && !file.with_extension("exp.xml").exists()
                && file.with_extension("exp-disabled").exists();
            let corpus = corpus.to_path_buf();
            Trial::test(format!("corpus::{tag}::{name}"), move || {
                let (inv, expect) = corpus_case(&corpus, &file, kind)?;
                // A known failure is only checked for agreement.
                let expect = if known_failure {
                    Expect::Anything
                } else {
                    expect
                };
                check_case(&inv, &expect)
            })
            .with_ignored_flag(disabled)
        })
        .collect()
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = golden_trials();
    let corpus = manifest_dir().join("../shared/nix-lang-tests");
    match fs::canonicalize(&corpus) {
        Ok(corpus) => {
            trials.extend(corpus_trials(&corpus, "lang"));
            trials.extend(corpus_trials(&corpus.join("tvix"), "tvix"));
        }
        Err(_) => println!("upstream corpus absent ({}): skipped", corpus.display()),
    }
    libtest_mimic::run(&args, trials).exit();
}
