//! The command line's flags, declared once. Each row of `FLAGS` gives a flag's names, the
//! arguments it takes, its help text, the commands it belongs to and what it does to the
//! `Options`; the parser (`parse`) walks the table, and `--help` (`usage`) and the shell
//! completion scripts (`completions.rs`) are generated from it, so the three cannot disagree.
//! `--option NAME VALUE` sets the settings of `SETTINGS` by their C++ Nix names, as C++ Nix's
//! `--option` does.

use gnix::rawtext;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// An argument for `select::auto_call`, as given: `--arg NAME EXPR` or `--argstr NAME VALUE`.
pub enum AutoArg {
    Expr(String),
    Str(String),
}

/// What the command line asks for.
#[derive(Default)]
pub struct Options {
    pub expr: Option<String>,
    pub attr_paths: Vec<String>,
    pub auto_args: Vec<(String, AutoArg)>,
    pub raw: bool,
    pub version: bool,
    /// `--help`: print the usage and nothing else (the arguments after it are not read).
    pub help: bool,
    pub file: Option<PathBuf>,
    pub strict: bool,
    pub json: bool,
    pub show_trace: bool,
    /// `--eval-profiler flamegraph`: sample the call stack and write the samples to
    /// `profile_file` (`nix.profile` when not given), `profile_frequency` times a second (0:
    /// at every call, force and resumption).
    pub eval_profiler: bool,
    pub profile_file: Option<PathBuf>,
    pub profile_frequency: Option<u64>,
    pub parse_only: bool,
    pub dump_bytecode: bool,
    pub stats: bool,
    pub max_call_depth: Option<u32>,
    pub max_memory: Option<usize>,
    pub include: Vec<String>,
    pub lints: gnix::settings::Lints,
    pub driver: gnix::settings::Driver,
    pub no_speculate: bool,
    pub features: Vec<String>,
    /// The `nix-path` setting (`--option nix-path`), which takes the place of `NIX_PATH`.
    pub nix_path: Option<Vec<String>>,
    pub xml: bool,
    pub no_location: bool,
    pub pure: bool,
    pub trace_verbose: bool,
    pub abort_on_warn: bool,
    /// `--eval`/`--eval-only`, `--readonly-mode` and `--store`: what `nix-instantiate` reads.
    pub eval_mode: bool,
    pub readonly: bool,
    pub store: Option<String>,
    pub add_root: Option<String>,
    /// Named `nix-instantiate` without `--eval`: print the derivations' `.drv` paths.
    pub instantiate: bool,
    /// `--option` names gnix does not know: warned about once the command line is read, as
    /// C++ Nix does.
    pub unknown_settings: Vec<String>,
}

/// The commands that take flags.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Command {
    Eval,
    Repl,
    Instantiate,
}

impl Command {
    /// The command's bit in `Flag::commands`.
    const fn bit(self) -> u8 {
        match self {
            Command::Eval => EVAL,
            Command::Repl => REPL,
            Command::Instantiate => INSTANTIATE,
        }
    }
}

const EVAL: u8 = 1;
const REPL: u8 = 2;
const INSTANTIATE: u8 = 4;
/// `gnix eval` and `nix-instantiate`, which takes all of `gnix eval`'s flags.
const EVALS: u8 = EVAL | INSTANTIATE;
const ALL: u8 = EVALS | REPL;

/// What a shell may offer for an argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Complete {
    Nothing,
    Files,
    Dirs,
    Words(&'static [&'static str]),
}

/// A flag's argument: its name in the help text, and its completions.
pub struct Arg {
    pub name: &'static str,
    pub complete: Complete,
}

const fn arg(name: &'static str) -> Arg {
    Arg {
        name,
        complete: Complete::Nothing,
    }
}

const fn words(name: &'static str, words: &'static [&'static str]) -> Arg {
    Arg {
        name,
        complete: Complete::Words(words),
    }
}

const EXPR: Arg = arg("EXPR");
const NAME: Arg = arg("NAME");
const LINT: Arg = words("L", &["ignore", "warn", "fatal"]);
const FEATURES: Arg = words("F", &["parse-toml-timestamps"]);
const DIR: Arg = Arg {
    name: "DIR",
    complete: Complete::Dirs,
};

/// What a flag does to the options, given its arguments.
pub enum Apply {
    Switch(fn(&mut Options)),
    Value(fn(&mut Options, String) -> Result<(), String>),
    Pair(fn(&mut Options, String, String) -> Result<(), String>),
}

impl Apply {
    /// How many arguments the flag takes.
    pub fn arity(&self) -> usize {
        match self {
            Apply::Switch(_) => 0,
            Apply::Value(_) => 1,
            Apply::Pair(_) => 2,
        }
    }
}

/// A row of the flag table.
pub struct Flag {
    /// The names, short before long (`-E`, `--expr`).
    pub names: &'static [&'static str],
    /// The arguments after the flag, as many as `apply` takes.
    pub args: &'static [Arg],
    /// Help text; lines after the first are indented under it. Consecutive rows of a command
    /// with the same text are listed as one entry.
    pub help: &'static str,
    /// The commands that take the flag (`EVAL`, `REPL`, `INSTANTIATE` bits).
    commands: u8,
    pub apply: Apply,
}

impl Flag {
    pub fn applies(&self, command: Command) -> bool {
        self.commands & command.bit() != 0
    }

    /// How the flag is shown in the help: `-E, --expr EXPR`, split where a list may break.
    fn headings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.names.iter().map(|n| n.to_string()).collect();
        if let Some(last) = out.last_mut() {
            for a in self.args {
                last.push(' ');
                last.push_str(a.name);
            }
        }
        out
    }
}

/// Row order is help order; where a flag means something else to `nix-instantiate`, it has a
/// row of its own there (the parser takes a command's first row with the name).
pub static FLAGS: &[Flag] = &[
    Flag {
        names: &["-E", "--expr"],
        args: &[EXPR],
        help: "evaluate EXPR (relative paths resolve against the working directory)",
        commands: EVALS,
        apply: Apply::Value(expr),
    },
    Flag {
        names: &["-E", "--expr"],
        args: &[EXPR],
        help: "add the attributes of EXPR's set, as `:a EXPR` does",
        commands: REPL,
        apply: Apply::Value(expr),
    },
    Flag {
        names: &["-A", "--attr"],
        args: &[arg("PATH")],
        help: "print the value at PATH (a.b.0.\"c.d\"), not the whole value; repeatable",
        commands: EVAL,
        apply: Apply::Value(attr),
    },
    Flag {
        names: &["-A", "--attr"],
        args: &[arg("PATH")],
        help: "the derivations at PATH (a.b.0.\"c.d\"), not in the whole value",
        commands: INSTANTIATE,
        apply: Apply::Value(attr),
    },
    Flag {
        names: &["--arg"],
        args: &[NAME, EXPR],
        help: "if the value is a function taking a set, call it with NAME = EXPR",
        commands: ALL,
        apply: Apply::Pair(|o, name, e| {
            o.auto_args.push((name, AutoArg::Expr(e)));
            Ok(())
        }),
    },
    Flag {
        names: &["--argstr"],
        args: &[NAME, arg("VALUE")],
        help: "the same with the string VALUE",
        commands: ALL,
        apply: Apply::Pair(|o, name, s| {
            o.auto_args.push((name, AutoArg::Str(s)));
            Ok(())
        }),
    },
    Flag {
        names: &["--raw"],
        args: &[],
        help: "print a string as it is: no quotes, escapes or newline (as `nix eval`)",
        commands: EVALS,
        apply: Apply::Switch(|o| o.raw = true),
    },
    Flag {
        names: &["--strict"],
        args: &[],
        help: "force the whole value before printing it",
        commands: EVALS,
        apply: Apply::Switch(|o| o.strict = true),
    },
    Flag {
        names: &["--json"],
        args: &[],
        help: "print the value (forced deeply) as JSON",
        commands: EVALS,
        apply: Apply::Switch(|o| o.json = true),
    },
    Flag {
        names: &["--xml"],
        args: &[],
        help: "print the value (forced deeply) as builtins.toXML does",
        commands: EVALS,
        apply: Apply::Switch(|o| o.xml = true),
    },
    Flag {
        names: &["--no-location"],
        args: &[],
        help: "with --xml: leave out source positions",
        commands: EVALS,
        apply: Apply::Switch(|o| o.no_location = true),
    },
    Flag {
        names: &["-I"],
        args: &[DIR_OR_PREFIX],
        help: "add to the search path for <...> (before NIX_PATH); also -IPATH",
        commands: ALL,
        apply: Apply::Value(|o, p| {
            o.include.push(p);
            Ok(())
        }),
    },
    Flag {
        names: &["--max-call-depth"],
        args: &[arg("N")],
        help: "the limit on nested calls (default 10000; 0: memory only)",
        commands: ALL,
        apply: Apply::Value(|o, v| {
            let depth = v.parse();
            o.max_call_depth = Some(depth.map_err(|_| format!("invalid --max-call-depth '{v}'"))?);
            Ok(())
        }),
    },
    Flag {
        names: &["--max-memory"],
        args: &[arg("SIZE")],
        help: "how much the heap may grow (bytes, or with K, M, G; default: the\n\
               machine's memory; 0: no limit)",
        commands: ALL,
        apply: Apply::Value(|o, v| {
            o.max_memory = Some(parse_size(&v).ok_or(format!("invalid --max-memory '{v}'"))?);
            Ok(())
        }),
    },
    Flag {
        names: &["--show-trace"],
        args: &[],
        help: "print the error's trace lines",
        commands: ALL,
        apply: Apply::Switch(|o| o.show_trace = true),
    },
    Flag {
        names: &["--no-show-trace"],
        args: &[],
        help: "do not (the default)",
        commands: ALL,
        apply: Apply::Switch(|o| o.show_trace = false),
    },
    Flag {
        names: &["--eval-profiler"],
        args: &[arg("MODE")],
        help: "flamegraph: sample the Nix call stack into a file, as flamegraph.pl\n\
               reads it; disabled: do not (the default)",
        commands: EVALS,
        apply: Apply::Value(|o, v| {
            o.eval_profiler = profiler_mode(&v)?;
            Ok(())
        }),
    },
    Flag {
        names: &["--eval-profile-file"],
        args: &[arg("PATH")],
        help: "where the profiler writes its samples (default: nix.profile)",
        commands: EVALS,
        apply: Apply::Value(|o, v| {
            o.profile_file = Some(PathBuf::from(v));
            Ok(())
        }),
    },
    Flag {
        names: &["--eval-profiler-frequency"],
        args: &[arg("HZ")],
        help: "samples a second (default 99; 0: at every call and force)",
        commands: EVALS,
        apply: Apply::Value(|o, v| {
            let hz = v
                .parse()
                .map_err(|_| invalid_value("eval-profiler-frequency", &v))?;
            o.profile_frequency = Some(hz);
            Ok(())
        }),
    },
    Flag {
        names: &["--parse"],
        args: &[],
        help: "parse and compile only",
        commands: EVALS,
        apply: Apply::Switch(|o| o.parse_only = true),
    },
    Flag {
        names: &["--dump-bytecode"],
        args: &[],
        help: "print the compiled bytecode instead of evaluating",
        commands: EVALS,
        apply: Apply::Switch(|o| o.dump_bytecode = true),
    },
    Flag {
        names: &["--pure-eval"],
        args: &[],
        help: "no file access outside the store, an empty environment",
        commands: ALL,
        apply: Apply::Switch(|o| o.pure = true),
    },
    Flag {
        names: &["--trace-verbose"],
        args: &[],
        help: "let builtins.traceVerbose trace",
        commands: ALL,
        apply: Apply::Switch(|o| o.trace_verbose = true),
    },
    Flag {
        names: &["--abort-on-warn"],
        args: &[],
        help: "builtins.warn fails after warning (also NIX_ABORT_ON_WARN=1)",
        commands: ALL,
        apply: Apply::Switch(|o| o.abort_on_warn = true),
    },
    Flag {
        names: &["--extra-experimental-features"],
        args: &[FEATURES],
        help: FEATURES_HELP,
        commands: ALL,
        apply: Apply::Value(features),
    },
    Flag {
        names: &["--experimental-features"],
        args: &[FEATURES],
        help: FEATURES_HELP,
        commands: ALL,
        apply: Apply::Value(features),
    },
    Flag {
        names: &["--lint-url-literals"],
        args: &[LINT],
        help: LINT_HELP,
        commands: ALL,
        apply: Apply::Value(|o, v| {
            o.lints.url_literals = v.parse()?;
            Ok(())
        }),
    },
    Flag {
        names: &["--lint-absolute-path-literals"],
        args: &[LINT],
        help: LINT_HELP,
        commands: ALL,
        apply: Apply::Value(|o, v| {
            o.lints.absolute_path_literals = v.parse()?;
            Ok(())
        }),
    },
    Flag {
        names: &["--lint-short-path-literals"],
        args: &[LINT],
        help: LINT_HELP,
        commands: ALL,
        apply: Apply::Value(|o, v| {
            o.lints.short_path_literals = v.parse()?;
            Ok(())
        }),
    },
    Flag {
        names: &["--option"],
        args: &[words("NAME", SETTING_NAMES), arg("VALUE")],
        help: "set the setting NAME, as C++ Nix does: max-call-depth, pure-eval,\n\
               show-trace, trace-verbose, abort-on-warn, experimental-features,\n\
               extra-experimental-features (other names: a warning)",
        commands: ALL,
        apply: Apply::Pair(option),
    },
    Flag {
        names: &["--stats"],
        args: &[],
        help: "print evaluation counters as JSON on stderr",
        commands: EVALS,
        apply: Apply::Switch(|o| o.stats = true),
    },
    Flag {
        names: &["--vm"],
        args: &[words("generator|recursive", &["generator", "recursive"])],
        help: "the driver (the recursive one is the benchmark baseline)",
        commands: ALL,
        apply: Apply::Value(|o, v| {
            o.driver = match v.as_str() {
                "generator" => gnix::settings::Driver::Generator,
                "recursive" => gnix::settings::Driver::Recursive,
                other => return Err(format!("unknown --vm '{other}' (generator or recursive)")),
            };
            Ok(())
        }),
    },
    Flag {
        names: &["--no-speculate"],
        args: &[],
        help: "compute nothing ahead of need (same results, more thunks)",
        commands: ALL,
        apply: Apply::Switch(|o| o.no_speculate = true),
    },
    Flag {
        names: &["--eval", "--eval-only"],
        args: &[],
        help: "print the value, as gnix eval does, instead of the derivations",
        commands: INSTANTIATE,
        apply: Apply::Switch(|o| o.eval_mode = true),
    },
    Flag {
        names: &["--store"],
        args: &[DIR],
        help: "write the .drv and toFile files under DIR (at DIR/nix/store/...);\n\
               also local?root=DIR; dummy://: write nothing",
        commands: INSTANTIATE,
        apply: Apply::Value(|o, dir| {
            o.store = Some(dir);
            Ok(())
        }),
    },
    Flag {
        names: &["--readonly-mode"],
        args: &[],
        help: "write nothing",
        commands: INSTANTIATE,
        apply: Apply::Switch(|o| o.readonly = true),
    },
    Flag {
        names: &["--add-root"],
        args: &[ROOT],
        help: "when writing, make PATH (then PATH-2, ...) a symlink to each .drv\n\
               file and print it instead",
        commands: INSTANTIATE,
        apply: Apply::Value(|o, path| {
            o.add_root = Some(path);
            Ok(())
        }),
    },
    Flag {
        names: &["--version"],
        args: &[],
        help: "print gnix's version",
        commands: ALL,
        apply: Apply::Switch(|o| o.version = true),
    },
    Flag {
        names: &["-h", "--help"],
        args: &[],
        help: "print this",
        commands: ALL,
        apply: Apply::Switch(|o| o.help = true),
    },
    Flag {
        names: &["--eval", "--eval-only", "--readonly-mode"],
        args: &[],
        help: IGNORED,
        commands: EVAL,
        apply: Apply::Switch(|_| {}),
    },
    Flag {
        names: &["--read-write-mode", "--impure"],
        args: &[],
        help: IGNORED,
        commands: EVALS,
        apply: Apply::Switch(|_| {}),
    },
    Flag {
        names: &["--store"],
        args: &[arg("S")],
        help: IGNORED,
        commands: EVAL,
        apply: Apply::Value(|_, _| Ok(())),
    },
    Flag {
        names: &["--timeout"],
        args: &[arg("N")],
        help: IGNORED,
        commands: EVALS,
        apply: Apply::Value(|_, v| {
            v.parse::<u64>()
                .map_err(|_| format!("invalid --timeout '{v}'"))?;
            Ok(())
        }),
    },
    Flag {
        names: &["--add-root"],
        args: &[ROOT],
        help: IGNORED,
        commands: EVAL,
        apply: Apply::Value(|_, _| Ok(())),
    },
    Flag {
        names: &["--indirect"],
        args: &[],
        help: IGNORED,
        commands: EVALS,
        apply: Apply::Switch(|_| {}),
    },
];

const DIR_OR_PREFIX: Arg = Arg {
    name: "[prefix=]PATH",
    complete: Complete::Dirs,
};
const ROOT: Arg = Arg {
    name: "PATH",
    complete: Complete::Files,
};
const FEATURES_HELP: &str = "enable a feature (e.g. parse-toml-timestamps)";
const LINT_HELP: &str = "ignore, warn or fatal";
const IGNORED: &str = "accepted for nix-instantiate compatibility, and ignored";

fn expr(o: &mut Options, e: String) -> Result<(), String> {
    o.expr = Some(e);
    Ok(())
}

fn attr(o: &mut Options, path: String) -> Result<(), String> {
    o.attr_paths.push(path);
    Ok(())
}

fn features(o: &mut Options, list: String) -> Result<(), String> {
    add_features(o, &list);
    Ok(())
}

/// The experimental features C++ Nix knows (an unknown one is warned about and ignored).
const KNOWN_FEATURES: &[&str] = &[
    "ca-derivations",
    "impure-derivations",
    "flakes",
    "fetch-tree",
    "nix-command",
    "git-hashing",
    "recursive-nix",
    "fetch-closure",
    "auto-allocate-uids",
    "cgroups",
    "daemon-trust-override",
    "dynamic-derivations",
    "parse-toml-timestamps",
    "read-only-local-store",
    "local-overlay-store",
    "configurable-impure-env",
    "mounted-ssh-store",
    "verified-fetches",
    "pipe-operators",
    "external-builders",
    "blake3-hashes",
];

/// A list of experimental features, separated by spaces; the names C++ Nix does not know
/// are warned about, as it does.
fn add_features(o: &mut Options, list: &str) {
    for name in list.split_whitespace() {
        if KNOWN_FEATURES.contains(&name) {
            o.features.push(name.to_string());
        } else if name == "no-url-literals" {
            crate::to_stderr(
                "warning: experimental feature 'no-url-literals' has been stabilized and renamed; use 'lint-url-literals = fatal' setting instead\n",
            );
        } else {
            crate::to_stderr(&format!("warning: unknown experimental feature '{name}'\n"));
        }
    }
}

/// `1024`, `512K`, `64M`, `2G` as bytes.
fn parse_size(v: &str) -> Option<usize> {
    let (digits, unit) = match v.char_indices().last()? {
        (i, 'K' | 'k') => (&v[..i], 1 << 10),
        (i, 'M' | 'm') => (&v[..i], 1 << 20),
        (i, 'G' | 'g') => (&v[..i], 1 << 30),
        _ => (v, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(unit)
}

/// A setting `--option` sets: its C++ Nix name, and how its value sets the options (an
/// invalid value gives what C++ Nix calls the setting in its message: "Boolean setting" or
/// "setting").
pub struct Setting {
    pub name: &'static str,
    set: fn(&mut Options, &str) -> Result<(), &'static str>,
}

/// The settings gnix has (C++ Nix's `restrict-eval` and `allowed-uris` it has not: they are
/// unknown names here, as in a C++ Nix without them).
pub static SETTINGS: &[Setting] = &[
    Setting {
        name: "max-call-depth",
        set: |o, v| {
            o.max_call_depth = Some(v.parse().map_err(|_| "setting")?);
            Ok(())
        },
    },
    Setting {
        name: "pure-eval",
        set: |o, v| {
            o.pure = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "show-trace",
        set: |o, v| {
            o.show_trace = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "eval-profiler",
        set: |o, v| {
            o.eval_profiler = profiler_mode(v).map_err(|_| "setting")?;
            Ok(())
        },
    },
    Setting {
        name: "eval-profile-file",
        set: |o, v| {
            o.profile_file = Some(PathBuf::from(v));
            Ok(())
        },
    },
    Setting {
        name: "eval-profiler-frequency",
        set: |o, v| {
            o.profile_frequency = Some(v.parse().map_err(|_| "setting")?);
            Ok(())
        },
    },
    Setting {
        name: "trace-verbose",
        set: |o, v| {
            o.trace_verbose = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "abort-on-warn",
        set: |o, v| {
            o.abort_on_warn = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "nix-path",
        set: |o, v| {
            o.nix_path = Some(v.split_whitespace().map(String::from).collect());
            Ok(())
        },
    },
    Setting {
        name: "experimental-features",
        set: |o, v| {
            add_features(o, v);
            Ok(())
        },
    },
    Setting {
        name: "extra-experimental-features",
        set: |o, v| {
            add_features(o, v);
            Ok(())
        },
    },
];

/// `SETTINGS`' names, for completion.
const SETTING_NAMES: &[&str] = &[
    "max-call-depth",
    "pure-eval",
    "show-trace",
    "eval-profiler",
    "eval-profile-file",
    "eval-profiler-frequency",
    "trace-verbose",
    "abort-on-warn",
    "nix-path",
    "experimental-features",
    "extra-experimental-features",
];

/// The `eval-profiler` setting's value: whether it is `flamegraph` (or `disabled`).
fn profiler_mode(v: &str) -> Result<bool, String> {
    match v {
        "flamegraph" => Ok(true),
        "disabled" => Ok(false),
        _ => Err(invalid_value("eval-profiler", v)),
    }
}

/// C++ Nix's message for a setting given a value it cannot take.
fn invalid_value(setting: &str, v: &str) -> String {
    format!("option '{setting}' has invalid value '{v}'")
}

/// A Boolean setting's value, as C++ Nix reads it.
fn boolean(v: &str) -> Result<bool, &'static str> {
    match v {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err("Boolean setting"),
    }
}

/// `--option NAME VALUE`. As C++ Nix 2.8: an invalid value is warned about at once and
/// ignored (with its odd `warning: error:` prefix); an unknown name is warned about once the
/// command line has been read (`warn_unknown_settings`).
fn option(o: &mut Options, name: String, value: String) -> Result<(), String> {
    match SETTINGS.iter().find(|s| s.name == name) {
        None => o.unknown_settings.push(name),
        Some(setting) => {
            if let Err(kind) = (setting.set)(o, &value) {
                crate::to_stderr(&format!(
                    "warning: error: {kind} '{name}' has invalid value '{value}'\n"
                ));
            }
        }
    }
    Ok(())
}

/// Warns about each `--option` name gnix does not know, as C++ Nix does after reading its
/// command line.
pub fn warn_unknown_settings(o: &Options) {
    for name in &o.unknown_settings {
        crate::to_stderr(&format!("warning: unknown setting '{name}'\n"));
    }
}

/// `command`'s options from its arguments, or the usage error to report. Parsing stops at
/// `--help`.
pub fn parse(args: &[String], command: Command) -> Result<Options, String> {
    let mut o = Options::default();
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match find(a, command) {
            Some((flag, attached)) => apply(flag, a, attached, &mut rest, &mut o)?,
            None if a.starts_with('-') && a != "-" => {
                return Err(format!("unrecognised flag '{a}'"));
            }
            None => file(&mut o, a)?,
        }
        if o.help {
            return Ok(o);
        }
    }
    if o.expr.is_some() && o.file.is_some() {
        return Err("give either -E EXPR or a FILE, not both".into());
    }
    if o.raw && (o.json || o.xml) {
        return Err("--raw cannot be combined with --json or --xml".into());
    }
    Ok(o)
}

/// `command`'s row for `arg`, and the argument given in the same word: a one-letter flag
/// taking one argument may have it attached (`-I/path`).
fn find(arg: &str, command: Command) -> Option<(&'static Flag, Option<&str>)> {
    let mut rows = FLAGS.iter().filter(|f| f.applies(command));
    if let Some(flag) = rows.clone().find(|f| f.names.contains(&arg)) {
        return Some((flag, None));
    }
    let (name, value) = (arg.get(..2)?, arg.get(2..)?);
    let short = name.starts_with('-') && name != "--" && !value.is_empty();
    let flag = rows.find(|f| f.names.contains(&name) && f.apply.arity() == 1)?;
    short.then_some((flag, Some(value)))
}

/// Applies `flag` (given as `name`) with its arguments: `attached`, then the next words.
fn apply(
    flag: &Flag,
    name: &str,
    attached: Option<&str>,
    rest: &mut std::slice::Iter<String>,
    o: &mut Options,
) -> Result<(), String> {
    let mut values = attached
        .map(str::to_string)
        .into_iter()
        .chain(rest.cloned());
    let mut value = || {
        values
            .next()
            .ok_or_else(|| format!("'{name}' requires an argument"))
    };
    match flag.apply {
        Apply::Switch(f) => {
            f(o);
            Ok(())
        }
        Apply::Value(f) => f(o, value()?),
        Apply::Pair(f) => {
            let first = value()?;
            f(o, first, value()?)
        }
    }
}

/// The FILE argument (`-` for stdin).
fn file(o: &mut Options, name: &str) -> Result<(), String> {
    if o.file.is_some() {
        return Err("only one file can be evaluated".into());
    }
    o.file = Some(PathBuf::from(OsStr::from_bytes(&rawtext::encode(name))));
    Ok(())
}

/// The widest a line of the flag list may be.
const WIDTH: usize = 100;
/// Where the help texts start.
const HELP_COLUMN: usize = 27;

/// `command`'s `--help`: `intro`, its flags from the table, then `outro`.
pub fn usage(command: Command, intro: &str, outro: &str) -> String {
    let rows: Vec<&Flag> = FLAGS.iter().filter(|f| f.applies(command)).collect();
    let mut out = String::from(intro);
    for group in rows.chunk_by(|a, b| a.help == b.help) {
        let headings: Vec<String> = group.iter().flat_map(|f| f.headings()).collect();
        let help = group.first().map_or("", |f| f.help);
        out.push_str(&entry(&headings, help));
    }
    out.push_str(outro);
    out
}

/// One entry of the flag list: the headings (broken over lines at `WIDTH`), and the help
/// beside them when they fit before `HELP_COLUMN`, else under them.
fn entry(headings: &[String], help: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::from(" ");
    for (i, h) in headings.iter().enumerate() {
        let comma = if i + 1 < headings.len() { "," } else { "" };
        if line.len() > 1 && line.len() + 1 + h.len() + comma.len() > WIDTH {
            lines.push(std::mem::replace(&mut line, String::from(" ")));
        }
        line.push(' ');
        line.push_str(h);
        line.push_str(comma);
    }
    lines.push(line);
    let mut help_lines = help.lines();
    let mut out = String::new();
    match lines.as_slice() {
        [only] if only.len() < HELP_COLUMN => {
            let first = help_lines.next().unwrap_or_default();
            out.push_str(&format!("{only:<HELP_COLUMN$}{first}\n"));
        }
        _ => lines.iter().for_each(|l| out.push_str(&format!("{l}\n"))),
    }
    for line in help_lines {
        out.push_str(&format!("{:HELP_COLUMN$}{line}\n", ""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_names_as_many_arguments_as_it_takes() {
        for f in FLAGS {
            assert_eq!(f.args.len(), f.apply.arity(), "{:?}", f.names);
        }
    }

    #[test]
    fn a_name_takes_the_same_arguments_in_every_row() {
        for f in FLAGS {
            for g in FLAGS {
                if f.names.iter().any(|n| g.names.contains(n)) {
                    assert_eq!(f.args.len(), g.args.len(), "{:?}", f.names);
                }
            }
        }
    }

    #[test]
    fn setting_names_are_the_settings() {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(names, SETTING_NAMES);
    }

    #[test]
    fn each_command_lists_each_of_its_flags_once_in_its_help() {
        for command in [Command::Eval, Command::Repl, Command::Instantiate] {
            let help = usage(command, "", "");
            for f in FLAGS.iter().filter(|f| f.applies(command)) {
                for name in f.names {
                    let shown = help.split([' ', ',', '\n']).filter(|w| w == name).count();
                    assert_eq!(shown, 1, "{command:?}: {name} in\n{help}");
                }
            }
        }
    }

    #[test]
    fn help_lines_fit_and_align() {
        for command in [Command::Eval, Command::Repl, Command::Instantiate] {
            let help = usage(command, "", "");
            assert!(help.lines().all(|l| l.len() <= WIDTH), "{help}");
        }
        let help = usage(Command::Eval, "\n", "");
        assert!(help.contains("\n  -E, --expr EXPR          evaluate EXPR (relative"));
        assert!(help.contains(
            "\n  --extra-experimental-features F, --experimental-features F\n                           enable"
        ));
    }
}
