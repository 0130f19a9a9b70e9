//! An evaluation's settings: what the CLI's flags and a host's configuration decide. A leaf
//! module, so that every layer can read the settings without depending on the one that owns
//! the evaluation.

/// Evaluation settings (the CLI's flags).
#[derive(Clone)]
pub struct Settings {
    /// Logical call depth limit; 0 means none.
    pub max_call_depth: u32,
    /// The most bytecode ops one run (one `Evaluator` call: `eval_expr`, `force`, ...) may
    /// execute before it stops with an `OutOfSteps` error; 0 means no limit.
    pub max_steps: u64,
    /// The longest one run may take (wall-clock time) before it stops with a `Timeout` error;
    /// `None` means no limit. Checked with the step limit, at least every 16 384 ops.
    pub max_time: Option<std::time::Duration>,
    /// How many bytes one run may grow the heap by before it stops with an `OutOfMemory`
    /// error; `None` means no limit. Checked at the VM's checkpoints against the bytes the
    /// thread holds (when gnix's `allocator::Allocator` is the global allocator, as in the
    /// CLI), and before a builtin makes a list or string, against its size.
    pub max_memory: Option<usize>,
    /// `-I` entries then `NIX_PATH`'s, as `prefix=path` or `path`.
    pub search_path: Vec<String>,
    /// `builtins.currentSystem`.
    pub system: String,
    /// The `--lint-*` levels.
    pub lints: Lints,
    /// Which driver answers forces and calls (the recursive one is the benchmark baseline).
    pub driver: Driver,
    /// Whether small thunk bodies and calls may be computed ahead of need (`vm::speculate`).
    /// Read when code is compiled: with it off no chunk is marked speculable but those that
    /// only name a variable (`compiler::speculable::is_alias`: they share it, computing nothing), so no
    /// attempt to compute is ever made. The results are the same either way; only the work
    /// done differs.
    pub speculate: bool,
    /// Whether a call in tail position replaces its caller's frame (read when code is
    /// compiled). With it off every lambda call keeps its frame until it returns, so an
    /// error's trace shows each call (`while calling 'f'`, `from call site`) as C++ Nix, which
    /// has no tail calls, shows them: the CLI turns it off for `--show-trace`, the only time
    /// those lines are shown. Results and call depth are the same either way; the frame stack
    /// grows with a chain of tail calls, as it does in C++ Nix.
    pub tail_calls: bool,
    /// `--extra-experimental-features` (e.g. `parse-toml-timestamps`).
    pub experimental_features: Vec<String>,
    /// `builtins.storeDir` (the CLI takes it from `NIX_STORE_DIR`).
    pub store_dir: String,
    /// Pure evaluation: no access to files outside the store, an empty environment.
    pub pure: bool,
    /// `--trace-verbose`.
    pub trace_verbose: bool,
    /// `--abort-on-warn`: `builtins.warn` fails after printing its warning.
    pub abort_on_warn: bool,
    /// Keep each derivation's ATerm text (`KnownDrv::aterm`) and each `toFile`'s contents
    /// (`EvalState::texts`) for writing them to a store, as `nix-instantiate` with a directory
    /// store does; off, only what dependents need is kept.
    pub keep_store_files: bool,
    /// The evaluation profiler: sample the Nix call stack once per this period (`None`: do
    /// not; zero: at every call, force and resumption, a deterministic profile). The samples
    /// are read with `Evaluator::take_profile`; `gnix eval --eval-profiler flamegraph` writes
    /// them to a file. Tail calls replace their caller's frame in the samples too: turn
    /// `tail_calls` off for stacks with every call in them, as the CLI does.
    pub profile_period: Option<std::time::Duration>,
}

impl Settings {
    /// Whether an experimental feature is enabled (`experimental_features`).
    pub fn feature(&self, name: &str) -> bool {
        self.experimental_features.iter().any(|f| f == name)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            max_steps: 0,
            max_time: None,
            max_memory: None,
            search_path: Vec::new(),
            system: default_system(),
            lints: Lints::default(),
            driver: Driver::Generator,
            speculate: true,
            tail_calls: true,
            experimental_features: Vec::new(),
            store_dir: "/nix/store".into(),
            pure: false,
            trace_verbose: false,
            abort_on_warn: false,
            keep_store_files: false,
            profile_period: None,
        }
    }
}

fn default_system() -> String {
    let arch = std::env::consts::ARCH;
    let os = std::env::consts::OS;
    format!("{arch}-{os}")
}

/// What to do about a discouraged literal (`--lint-*` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LintLevel {
    /// Say nothing.
    #[default]
    Ignore,
    /// Print a warning and go on.
    Warn,
    /// Fail the compilation.
    Fatal,
}

impl std::str::FromStr for LintLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ignore" => Ok(LintLevel::Ignore),
            "warn" => Ok(LintLevel::Warn),
            "fatal" => Ok(LintLevel::Fatal),
            other => Err(format!(
                "invalid lint level '{other}' (expected ignore, warn or fatal)"
            )),
        }
    }
}

/// The `--lint-*` settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lints {
    /// Unquoted URLs (`http://example.org`).
    pub url_literals: LintLevel,
    /// Absolute path literals (`/etc/hosts`).
    pub absolute_path_literals: LintLevel,
    /// Relative path literals without `./` (`a/b`).
    pub short_path_literals: LintLevel,
}

/// How requests to force and call are answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Driver {
    /// Push frames on the one frame stack and let the scheduler loop run them (gnix's design).
    #[default]
    Generator,
    /// Run a nested scheduler loop on the native stack per force and call, as evaluators
    /// before this design did: the baseline the generator VM is measured against.
    Recursive,
}

/// C++ Nix's default `max-call-depth`.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 10_000;
