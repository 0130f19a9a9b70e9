//! The `gnix` command line: `gnix eval`, shaped like `nix-instantiate --eval`, `gnix repl` and
//! `gnix completions`; named `nix-instantiate`, that command (`instantiate.rs`). The flags of
//! all of them are one table (`flags.rs`), so their parsing, `--help` and completions agree.

mod completions;
mod flags;
mod instantiate;
mod repl;

use flags::{AutoArg, Command, Options};
use gnix::paths::absolute;
use gnix::rawtext;
use gnix::select;
use gnix::{Error, Evaluator, Settings, Value};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

/// `gnix eval --help` (and `gnix --help`) before the flags.
const USAGE: &str = "\
usage: gnix eval [FLAGS] (-E EXPR | FILE | -)   (flags: gnix eval --help)
       gnix repl [FLAGS] [FILE | -E EXPR]       (an interactive session: gnix repl --help)
       gnix completions bash|zsh|fish           (a shell completion script)

Evaluates a Nix expression, as `nix-instantiate --eval` does (FILE defaults to ./default.nix).

";

fn usage_error(msg: &str) -> ExitCode {
    let first = USAGE.lines().next().unwrap_or_default();
    to_stderr(&format!("error: {msg}\n{first}\n"));
    ExitCode::from(2)
}

/// Writes the result to stdout. A reader that stopped reading (`gnix eval ... | head`) ends
/// the process quietly and successfully, as it would end `cat`; any other failure to write is
/// an error. (`println!` would panic instead.)
fn to_stdout(text: &str) -> ExitCode {
    match write_stdout(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            to_stderr(&format!("error: {e}\n"));
            ExitCode::from(1)
        }
    }
}

/// `to_stdout` for a result among several: a failure to write is an error to report.
fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::new(format!("writing the result: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes to stderr, ignoring a closed stderr (there is nowhere left to report it).
fn to_stderr(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(&rawtext::encode(text));
}

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let name = args.next().map(PathBuf::from);
    // An argument's bytes that are not UTF-8 (in an `-E` expression, a file name) become
    // stand-ins, as in source files (`rawtext`): `std::env::args` would panic on them.
    let args: Vec<String> = args.map(|a| rawtext::decode_owned(a.into_vec())).collect();
    if name.is_some_and(|n| n.file_name().is_some_and(|n| n == "nix-instantiate")) {
        return instantiate::main(&args);
    }
    match args.first().map(String::as_str) {
        Some("eval") => {}
        Some("repl") => return repl::main(&args[1..]),
        Some("completions") => return completions::main(&args[1..]),
        Some("--help") | Some("-h") => return to_stdout(&eval_usage()),
        Some("--version") => return to_stdout(VERSION),
        _ => return usage_error("expected a command: eval, repl or completions"),
    }
    match flags::parse(&args[1..], Command::Eval) {
        Ok(o) if o.help => to_stdout(&eval_usage()),
        Ok(o) if o.version => to_stdout(VERSION),
        Ok(o) => {
            flags::warn_unknown_settings(&o);
            start(o)
        }
        Err(e) => usage_error(&e),
    }
}

/// `gnix eval --help`.
fn eval_usage() -> String {
    flags::usage(Command::Eval, USAGE, "")
}

/// Runs the evaluation `opts` asks for on the driver it names.
fn start(opts: Options) -> ExitCode {
    if opts.driver == gnix::settings::Driver::Recursive {
        // The recursive baseline gets the 64 MiB stack C++ Nix gives its evaluator.
        let worker = std::thread::Builder::new()
            .stack_size(RECURSIVE_STACK)
            .spawn(move || run(opts));
        return match worker.map(|h| h.join()) {
            Ok(Ok(code)) => code,
            _ => ExitCode::from(1),
        };
    }
    run(opts)
}

/// The machine's memory (`MemTotal`): by default a run may not grow past it, so that a
/// program asking for more (`genList` of a billion elements, a string doubled forty times)
/// stops with an error rather than the process aborting when the allocation fails.
fn machine_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

const VERSION: &str = concat!("gnix ", env!("CARGO_PKG_VERSION"), "\n");

const RECURSIVE_STACK: usize = 64 << 20;

fn settings(opts: &Options) -> Settings {
    let mut s = Settings::default();
    if let Some(d) = opts.max_call_depth {
        s.max_call_depth = d;
    }
    s.max_memory = match opts.max_memory {
        Some(0) => None,
        Some(n) => Some(n),
        None => machine_memory(),
    };
    s.search_path = opts.include.clone();
    s.lints = opts.lints;
    s.driver = opts.driver;
    s.speculate = !opts.no_speculate;
    // Every call keeps its frame where the frames are shown: in a trace, in a profile.
    s.tail_calls = !opts.show_trace && !opts.eval_profiler;
    if opts.eval_profiler {
        s.profile_period = Some(profile_period(opts.profile_frequency.unwrap_or(99)));
    }
    s.experimental_features = opts.features.clone();
    s.pure = opts.pure;
    s.trace_verbose = opts.trace_verbose;
    s.abort_on_warn =
        opts.abort_on_warn || std::env::var("NIX_ABORT_ON_WARN").is_ok_and(|v| v == "1");
    if let Ok(dir) = std::env::var("NIX_STORE_DIR") {
        s.store_dir = dir;
    }
    // The `nix-path` setting takes the place of `NIX_PATH`, after `-I`, as in C++ Nix.
    match &opts.nix_path {
        Some(entries) => s.search_path.extend(entries.iter().cloned()),
        None => {
            if let Ok(p) = std::env::var("NIX_PATH") {
                s.search_path
                    .extend(p.split(':').filter(|e| !e.is_empty()).map(String::from));
            }
        }
    }
    s
}

fn run(opts: Options) -> ExitCode {
    let allocations_before = gnix::allocator::allocations();
    let mut ev = Evaluator::new(settings(&opts));
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let result = if opts.dump_bytecode {
        dump_bytecode(&mut ev, &opts, &cwd)
    } else if opts.parse_only {
        parse(&mut ev, &opts, &cwd)
    } else if opts.instantiate {
        instantiate::instantiate(&mut ev, &opts, &cwd)
    } else {
        evaluate(&mut ev, &opts, &cwd)
    };
    if opts.stats {
        let allocations = gnix::allocator::allocations() - allocations_before;
        to_stderr(&format!("{}\n", stats_json(&ev, allocations)));
    }
    // Written whether or not the evaluation succeeded, as C++ Nix does.
    let result = result.and(write_profile(&mut ev, &opts, &cwd));
    let errors = result.as_ref().err().map(|e| {
        let mut text = ev.render_error(e, opts.show_trace);
        // As `nix-instantiate` follows a `UsageError`.
        if e.class == gnix::ErrorClass::Usage {
            text.push_str("Try 'nix-instantiate --help' for more information.\n");
        }
        text
    });
    // The process ends here: skip freeing values, whose destructor recurses over deeply
    // nested structures.
    std::mem::forget(ev);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => {
            to_stderr(&errors.unwrap_or_default());
            ExitCode::from(1)
        }
    }
}

/// The sampling period for `--eval-profiler-frequency` (0: every call and force).
fn profile_period(hz: u64) -> std::time::Duration {
    match hz {
        0 => std::time::Duration::ZERO,
        hz => std::time::Duration::from_nanos((1_000_000_000 / hz).max(1)),
    }
}

/// `--eval-profiler flamegraph`: the samples, to `--eval-profile-file` (`nix.profile` in the
/// working directory when not given).
fn write_profile(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<(), Error> {
    if !opts.eval_profiler {
        return Ok(());
    }
    let file = absolute(
        opts.profile_file
            .as_deref()
            .unwrap_or(Path::new("nix.profile")),
        cwd,
    );
    std::fs::write(&file, rawtext::encode(&ev.take_profile()))
        .map_err(|e| Error::new(format!("opening file '{}': {e}", file.display())))
}

fn parse(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<(), Error> {
    if opts.expr.is_none() && opts.file.is_none() {
        return Err(Error::new("no expression or file to parse"));
    }
    let (text, path, dir) = read_source(opts, cwd)?;
    ev.parse_only(&text, path, &dir)
}

/// `--dump-bytecode`: the compiled code's listing instead of its value.
fn dump_bytecode(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<(), Error> {
    let (text, path, dir) = read_source(opts, cwd)?;
    let listing = ev.dump_bytecode(&text, path, &dir)?;
    let listing = format!("{}\n", listing.trim_end_matches('\n'));
    write_stdout(&rawtext::encode(&listing))
}

/// The source `-E`, `FILE`, `-` (stdin) or nothing (`./default.nix`) names: its text, its
/// path (none for an expression or stdin), and the directory its relative paths resolve
/// against.
fn read_source(opts: &Options, cwd: &Path) -> Result<(String, Option<PathBuf>, PathBuf), Error> {
    match (&opts.expr, &opts.file) {
        (Some(e), _) => Ok((e.clone(), None, cwd.to_path_buf())),
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                .map_err(|e| Error::new(format!("cannot read stdin: {e}")))?;
            Ok((rawtext::decode_owned(bytes), None, cwd.to_path_buf()))
        }
        (None, file) => {
            let path = absolute(file.as_deref().unwrap_or(Path::new("default.nix")), cwd);
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::new(format!("cannot read '{}': {e}", path.display())))?;
            let text = rawtext::decode_owned(bytes);
            let dir = path
                .parent()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/"));
            Ok((text, Some(path), dir))
        }
    }
}

/// Evaluates the source and prints the value at each `-A` path (the whole value without one),
/// as `nix-instantiate --eval` does: each printed as soon as it is known.
fn evaluate(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<(), Error> {
    let args = auto_args(ev, opts, cwd)?;
    let root = load(ev, opts, cwd)?;
    let whole = [String::new()];
    let paths = match opts.attr_paths.as_slice() {
        [] => &whole[..],
        paths => paths,
    };
    for path in paths {
        let v = select::find(ev, path, &args, root.clone())?;
        let v = ev.force(v)?;
        let v = match args.is_empty() {
            true => v,
            false => select::auto_call(ev, &args, v)?,
        };
        write_stdout(&render(ev, opts, v)?)?;
    }
    Ok(())
}

/// The `--arg` and `--argstr` values: each `--arg` expression compiled now (a syntax error is
/// reported before the source is read, as C++ Nix does) and evaluated when used.
fn auto_args(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<select::AutoArgs, Error> {
    let mut args = select::AutoArgs::new();
    for (name, arg) in &opts.auto_args {
        let v = match arg {
            AutoArg::Expr(e) => ev.lazy_expr(e, cwd)?,
            AutoArg::Str(s) => Value::string(rawtext::encode(s).as_ref()),
        };
        args.insert(name.clone(), v);
    }
    Ok(args)
}

/// The value of `-E`, `FILE`, `-` (stdin) or `./default.nix`, in weak head normal form.
fn load(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<Value, Error> {
    match (&opts.expr, &opts.file) {
        (None, Some(f)) if f.as_os_str() != "-" => ev.eval_file(f),
        (None, None) => ev.eval_file(Path::new("default.nix")),
        _ => {
            let (text, _, dir) = read_source(opts, cwd)?;
            ev.eval_expr(&text, &dir)
        }
    }
}

/// A result as printed: with `--raw` the string's bytes alone; otherwise the value (forced
/// deeply with `--strict`, `--json` or `--xml`) in its format, and a newline.
fn render(ev: &mut Evaluator, opts: &Options, v: Value) -> Result<Vec<u8>, Error> {
    if opts.raw {
        // nix-instantiate 2.8 has no --raw: this is `nix eval --raw`, which prints what
        // `"${v}"` would make, without a newline.
        return ev.coerce_to_string(v);
    }
    let v = match opts.strict || opts.json || opts.xml {
        true => ev.deep_force(v)?,
        false => v,
    };
    let text = if opts.json {
        ev.to_json(v)?
    } else if opts.xml {
        ev.to_xml(v, !opts.no_location)?
            .trim_end_matches('\n')
            .to_string()
    } else {
        gnix::print::print_value(&v)
    };
    let mut out = rawtext::encode(&text).into_owned();
    out.push(b'\n');
    Ok(out)
}

/// `--stats`: the VM's counters (C++ Nix's `NIX_SHOW_STATS` names where it has the same
/// counter), the heap allocations made from setting up the evaluator to the result, and the
/// cycle collector's counters.
fn stats_json(ev: &Evaluator, allocations: u64) -> String {
    let s = ev.stats();
    let gc = gnix::value::collect::stats();
    format!(
        "{{\"nrOps\": {}, \"nrThunks\": {}, \"nrThunksForced\": {}, \"nrFunctionCalls\": {}, \"nrBuiltinGenerators\": {}, \"nrFramesPushed\": {}, \"nrGeneratorResumes\": {}, \"maxFrames\": {}, \"nrAllocations\": {}, \"gc\": {{\"collections\": {}, \"fullCollections\": {}, \"objectsSearched\": {}, \"objectsReclaimed\": {}, \"bytesReclaimed\": {}, \"registered\": {}, \"timeMs\": {:.3}}}}}",
        s.ops,
        s.thunks_created,
        s.thunks_forced,
        s.calls,
        s.builtin_generators,
        s.frames_pushed,
        s.generator_resumes,
        s.max_frames,
        allocations,
        gc.collections,
        gc.full_collections,
        gc.objects_searched,
        gc.objects_reclaimed,
        gc.bytes_reclaimed,
        gc.registered,
        gc.time.as_secs_f64() * 1000.0
    )
}
