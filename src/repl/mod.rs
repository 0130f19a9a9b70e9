//! `gnix repl`: an interactive session in the manner of C++ `nix repl`, on the `rustyline` line
//! editor. Bindings persist as an `eval::Bindings` scope around each input (`design/cli.md`);
//! Ctrl-C during an evaluation stops it through the evaluator's `CancelHandle`, which leaves
//! every thunk it was forcing forceable again.

mod complete;
mod line;
mod show;

use crate::flags;
use crate::select::{AutoArgs, auto_call};
use gnix::eval::{Bindings, CancelHandle};
use gnix::paths::absolute;
use gnix::{Error, ErrorClass, Evaluator, Value};
use line::Command;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Editor};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

/// `gnix repl --help` before the flags.
const USAGE: &str = "\
usage: gnix repl [FLAGS] [FILE | -E EXPR]

Starts an interactive session, as `nix repl` does: type an expression to see its value,
`x = EXPR` to bind a name, `:?` for the commands. FILE is loaded as `:l FILE` does (its set's
attributes come into scope, a function taking a set called with the --arg/--argstr values).
History is kept in $XDG_DATA_HOME/gnix/repl-history (~/.local/share/gnix/repl-history).

";

const PROMPT: &str = "gnix-repl> ";
/// The prompt of an input's further lines: as wide as `PROMPT`, so the lines align.
const CONTINUATION: &str = "           ";

/// How long TAB may evaluate the set whose attributes it completes: the terminal is in raw
/// mode then, so Ctrl-C cannot stop it.
const COMPLETION_TIME: Duration = Duration::from_secs(10);

/// Names `add_attrs` lists after adding them (C++ `nix repl` lists 20).
const LISTED: usize = 20;

/// `gnix repl ARGS`.
pub fn main(args: &[String]) -> ExitCode {
    let opts = match flags::parse(args, flags::Command::Repl) {
        Ok(o) if o.help => return crate::to_stdout(&flags::usage(flags::Command::Repl, USAGE, "")),
        Ok(o) if o.version => return crate::to_stdout(crate::VERSION),
        Ok(o) if o.file.as_ref().is_some_and(|f| f.as_os_str() == "-") => {
            return crate::usage_error(
                "gnix repl reads its input from the terminal, not a file '-'",
            );
        }
        Ok(o) => o,
        Err(e) => return crate::usage_error(&e),
    };
    flags::warn_unknown_settings(&opts);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut ev = Evaluator::new(crate::settings(&opts));
    let args = match crate::auto_args(&mut ev, &opts, &cwd) {
        Ok(args) => args,
        Err(e) => {
            crate::to_stderr(&ev.render_error(&e, opts.show_trace));
            return ExitCode::from(1);
        }
    };
    let session = Rc::new(RefCell::new(Session {
        ev,
        bindings: Bindings::default(),
        loaded: Vec::new(),
        args,
        show_trace: opts.show_trace,
        cwd,
    }));
    crate::to_stderr(&format!(
        "gnix {}\nType :? for help.\n",
        env!("CARGO_PKG_VERSION")
    ));
    {
        let mut s = session.borrow_mut();
        if let Some(file) = &opts.file {
            s.report(|s| s.load(&file.to_string_lossy()));
        }
        if let Some(expr) = &opts.expr {
            s.report(|s| s.add(expr));
        }
    }
    let code = run(&session);
    // The process ends here: skip freeing values (see `crate::run`).
    std::mem::forget(session);
    code
}

/// The read-evaluate-print loop, until `:q` or Ctrl-D.
fn run(session: &Rc<RefCell<Session>>) -> ExitCode {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(1000)
        .map(|c| c.auto_add_history(false).build());
    let editor = config.and_then(Editor::<Helper, FileHistory>::with_config);
    let mut editor = match editor {
        Ok(e) => e,
        Err(e) => {
            crate::to_stderr(&format!("error: cannot start the line editor: {e}\n"));
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(Helper(session.clone())));
    let history = history_path();
    if let Some(path) = &history {
        // A first session has no history yet; an unreadable one is started afresh.
        let _ = editor.load_history(path);
    }
    catch_interrupts(session.borrow().ev.cancel_handle());
    let mut input = String::new();
    loop {
        let prompt = if input.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            // Ctrl-C at the prompt drops the input, as a shell does.
            Err(ReadlineError::Interrupted) => {
                input.clear();
                continue;
            }
            Err(ReadlineError::Eof) => {
                crate::to_stderr("\n");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                crate::to_stderr(&format!("error: reading the input: {e}\n"));
                return ExitCode::from(1);
            }
        };
        if !line.trim().is_empty() {
            // History is a convenience: a failure to keep it is not worth stopping for.
            let _ = editor.add_history_entry(line.as_str());
            if let Some(path) = &history {
                let _ = editor.append_history(path);
            }
        }
        if !input.is_empty() {
            input.push('\n');
        }
        input.push_str(&line);
        let command = line::parse(&input);
        if command.expression().is_some_and(line::is_incomplete) {
            continue;
        }
        if command == Command::Quit {
            return ExitCode::SUCCESS;
        }
        session.borrow_mut().report(|s| s.execute(command));
        input.clear();
        let _ = crate::write_stdout(b"\n");
    }
}

/// Where the history is kept: `$XDG_DATA_HOME/gnix/repl-history`, or under
/// `~/.local/share` (C++ `nix repl` keeps `~/.local/share/nix/repl-history`). The directory
/// is made if it is missing.
fn history_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    let dir = data.join("gnix");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("repl-history"))
}

/// The cancel handle the SIGINT handler uses, set once before the handler is installed.
static INTERRUPT: OnceLock<CancelHandle> = OnceLock::new();

/// SIGINT (Ctrl-C while an evaluation runs: the line editor turns the terminal's signals off
/// while it reads, so at the prompt Ctrl-C is a key) asks the evaluation under way to stop.
/// It only stores to an atomic flag, which is async-signal-safe.
extern "C" fn on_interrupt(_signal: libc::c_int) {
    if let Some(handle) = INTERRUPT.get() {
        handle.cancel();
    }
}

fn catch_interrupts(handle: CancelHandle) {
    if INTERRUPT.set(handle).is_err() {
        unreachable!("gnix repl runs one session per process");
    }
    // SAFETY: `sigaction` is given a zeroed (then filled) `struct sigaction`, valid for the
    // call, and a handler that touches nothing but an atomic flag behind a `OnceLock` that is
    // already set (no allocation, no lock: async-signal-safe). SA_RESTART lets a system call
    // the signal lands in (a file read by the evaluation) carry on.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// What the REPL holds between inputs.
struct Session {
    ev: Evaluator,
    /// The scope every input is compiled in: `x = ...` lines, `:a` and `:l` attributes.
    bindings: Bindings,
    /// The files `:l` loaded, in order, as given (`:r` loads them again).
    loaded: Vec<String>,
    /// `--arg` and `--argstr`: a loaded file that is a function taking a set is called with them.
    args: AutoArgs,
    show_trace: bool,
    cwd: PathBuf,
}

impl Session {
    /// Runs `step`, printing its error, if any, as `gnix eval` prints errors; an interruption
    /// as `nix repl` reports one.
    fn report(&mut self, step: impl FnOnce(&mut Session) -> Result<(), Error>) {
        // A Ctrl-C that came as the last evaluation ended was meant for that one.
        self.ev.cancel_handle().withdraw();
        if let Err(e) = step(self) {
            let text = match e.class {
                ErrorClass::Cancelled => "error: interrupted by the user\n".to_string(),
                _ => self.ev.render_error(&e, self.show_trace),
            };
            crate::to_stderr(&text);
        }
    }

    fn execute(&mut self, command: Command<'_>) -> Result<(), Error> {
        match command {
            Command::Nothing | Command::Quit => Ok(()),
            Command::Help => crate::write_stdout(line::HELP.as_bytes()),
            Command::Eval(expr) => {
                let v = self.eval(expr)?;
                let text = show::show(&mut self.ev, v, 1)?;
                crate::write_stdout(format!("{text}\n").as_bytes())
            }
            Command::Print(expr) => {
                let text = match self.eval(expr)? {
                    Value::String(s) => s.to_str_lossy().into_owned(),
                    v => show::show(&mut self.ev, v, usize::MAX)?,
                };
                crate::write_stdout(format!("{text}\n").as_bytes())
            }
            Command::Type(expr) => {
                let v = self.eval(expr)?;
                crate::write_stdout(format!("{}\n", show::type_of(&v)).as_bytes())
            }
            Command::Bind(name, expr) => {
                let v = self.ev.lazy_expr_with(expr, &self.cwd, &self.bindings)?;
                self.bindings.insert(name, v);
                Ok(())
            }
            Command::Add(expr) => self.add(expr),
            Command::Load(file) => {
                self.ev.clear_imports();
                self.load(file)
            }
            Command::Reload => {
                self.reload();
                Ok(())
            }
            Command::TraceEnable(arg) => {
                self.show_trace = match arg {
                    "true" => true,
                    "false" => false,
                    "" => !self.show_trace,
                    other => {
                        return Err(Error::new(format!("unexpected argument '{other}' to :te")));
                    }
                };
                let what = if self.show_trace {
                    "showing"
                } else {
                    "not showing"
                };
                crate::write_stdout(format!("{what} error traces\n").as_bytes())
            }
            Command::Unknown(name) => Err(Error::new(format!("unknown command '{name}'"))),
        }
    }

    /// An input's expression in weak head normal form, in the scope of the bindings.
    fn eval(&mut self, expr: &str) -> Result<Value, Error> {
        self.ev.eval_expr_with(expr, &self.cwd, &self.bindings)
    }

    /// `:a EXPR`.
    fn add(&mut self, expr: &str) -> Result<(), Error> {
        let v = self.eval(expr)?;
        self.add_attrs(v)
    }

    /// Binds each attribute of the set `v` is (unevaluated), and says which.
    fn add_attrs(&mut self, v: Value) -> Result<(), Error> {
        let names = self.ev.names(&v)?;
        for name in &names {
            if let Some(value) = self.ev.attr(&v, name)? {
                self.bindings.insert(name, value);
            }
        }
        let mut listed: Vec<&str> = names.iter().map(String::as_str).collect();
        listed.sort_unstable();
        let mut text = format!("Added {} variables.\n", names.len());
        if !listed.is_empty() {
            text.push_str(&listed[..listed.len().min(LISTED)].join(", "));
            text.push('\n');
        }
        if listed.len() > LISTED {
            text.push_str(&format!("... and {} more\n", listed.len() - LISTED));
        }
        crate::to_stderr(&text);
        Ok(())
    }

    /// `:l FILE`: the file's value (a function taking a set called with the `--arg` values)
    /// must be a set, whose attributes are added. `<name>` is looked up in the search path.
    fn load(&mut self, file: &str) -> Result<(), Error> {
        self.loaded.retain(|f| f != file);
        self.loaded.push(file.to_string());
        let path = match file.starts_with('<') {
            true => match self.ev.eval_expr(file, &self.cwd)? {
                Value::Path(p) => p.to_path_buf(),
                other => {
                    return Err(Error::new(format!(
                        "'{file}' is {}, not a path",
                        other.type_name()
                    )));
                }
            },
            false => absolute(Path::new(file), &self.cwd),
        };
        let v = self.ev.eval_file(&path)?;
        let v = auto_call(&mut self.ev, &self.args, v)?;
        self.add_attrs(v)
    }

    /// `:r`: forgets every binding and the imported files, then loads the `:l` files again
    /// (as C++ `nix repl` does).
    fn reload(&mut self) {
        self.ev.clear_imports();
        self.bindings.clear();
        for file in self.loaded.clone() {
            crate::to_stderr(&format!("Loading '{file}'...\n"));
            self.report(|s| s.load(&file));
        }
    }

    /// What TAB offers for `word` (see `complete`).
    fn complete(&mut self, word: &str) -> Vec<String> {
        use complete::Word;
        match complete::classify(word) {
            Word::Path(dir, prefix) => complete::path_candidates(dir, prefix),
            Word::Name(prefix) => {
                let globals = self.ev.global_names();
                let names = self
                    .bindings
                    .names()
                    .chain(globals.iter().map(String::as_str));
                complete::matching(names, prefix)
            }
            Word::Attr { expr, prefix } => {
                let names = self.attr_names(expr).unwrap_or_default();
                let names = complete::matching(names.iter().map(String::as_str), prefix);
                complete::attr_candidates(expr, names)
            }
        }
    }

    /// The attribute names of the set `expr` evaluates to, evaluated for at most
    /// `COMPLETION_TIME`; an error (it is no set, it fails) leaves nothing to complete.
    fn attr_names(&mut self, expr: &str) -> Result<Vec<String>, Error> {
        let limit = self.ev.settings_mut().max_time.replace(COMPLETION_TIME);
        let names = self.eval(expr).and_then(|v| self.ev.names(&v));
        self.ev.settings_mut().max_time = limit;
        names
    }
}

/// The line editor's view of the session: completion (the other helper traits keep their
/// defaults: no hints, no highlighting, every line accepted).
struct Helper(Rc<RefCell<Session>>);

impl Completer for Helper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let start = complete::word_start(line, pos);
        let word = line.get(start..pos).unwrap_or_default();
        let candidates = match self.0.try_borrow_mut() {
            Ok(mut session) => session.complete(word),
            Err(_) => Vec::new(),
        };
        Ok((start, candidates))
    }
}

impl Hinter for Helper {
    type Hint = String;
}

impl Highlighter for Helper {}

impl Validator for Helper {}

impl rustyline::Helper for Helper {}
