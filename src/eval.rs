//! One evaluation: its settings, sources, globals and import cache (`EvalState`), and the
//! `Evaluator` a host or the CLI drives.

use crate::builtins::NixBuiltin;
use crate::compiler::{self, CompileContext};
use crate::errors::{Error, SourceMap};
use crate::io::{EvalIo, FileType, StdIo};
use crate::settings::Settings;
use crate::value::code::Chunk;
use crate::value::{Builtin, Env, NixString, Thunk, Value};
use crate::vm::{self, Stats, Vm};
use smol_str::SmolStr;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

/// Stack reserved for parsing and compiling one source (address space; pages are only
/// committed as deep input touches them).
const PARSE_STACK: usize = 1 << 30;

/// Everything an evaluation owns besides its frames.
pub(crate) struct EvalState {
    pub sources: SourceMap,
    pub globals: Rc<rustc_hash::FxHashMap<SmolStr, Value>>,
    /// Imported files by path, each a thunk evaluated at most once.
    pub imports: HashMap<PathBuf, Value>,
    pub settings: Settings,
    pub io: Box<dyn EvalIo>,
    /// Derivations made in this evaluation, by `.drv` path.
    pub derivations: HashMap<String, vm::request::KnownDrv>,
    /// The files `toFile` made, by store path, kept under `Settings::keep_store_files`.
    pub texts: HashMap<String, NixString>,
    /// Stops the run under way from another thread.
    cancel: CancelHandle,
    /// The globals defined by Nix code (`define_in_nix`): their code holds the globals, a
    /// cycle `Drop` breaks.
    defined_in_nix: Vec<Thunk>,
    /// The profiler's samples (`Settings::profile_period`), made at the first sample.
    profile: Option<vm::profile::Profile>,
}

impl EvalState {
    /// An evaluation whose global scope also holds the host's builtins, native and given as
    /// Nix source (see `builtins::globals`).
    pub fn with_host(
        settings: Settings,
        io: Box<dyn EvalIo>,
        host: Vec<Builtin>,
        nix: &[NixBuiltin],
    ) -> Self {
        let globals = crate::builtins::globals(&settings, io.as_ref(), host, nix);
        let mut state = EvalState {
            sources: SourceMap::default(),
            globals: Rc::new(globals.scope),
            imports: HashMap::new(),
            settings,
            io,
            derivations: HashMap::new(),
            texts: HashMap::new(),
            cancel: CancelHandle::default(),
            defined_in_nix: Vec::new(),
            profile: None,
        };
        if let Some(slot) = globals.derivation {
            let label = "«nix-internal»/derivation-internal.nix";
            state.define_in_nix(slot, crate::builtins::DERIVATION_NIX, label);
        }
        for (slot, def) in globals.nix.into_iter().zip(nix) {
            state.define_in_nix(slot, &def.source, &format!("«host»/{}", def.name));
        }
        state
    }

    /// Gives a global defined by Nix code (`derivation`, a host's `NixBuiltin`) its code, now
    /// that the globals it refers to exist. Code that does not compile makes a value whose
    /// evaluation fails with the compiler's error.
    fn define_in_nix(&mut self, slot: Thunk, source: &str, label: &str) {
        match self.compile(source, None, label, Path::new("/")) {
            Ok(chunk) => slot.set_code(chunk, Env::new(None, 0)),
            Err(mut e) => {
                e.locate(&self.sources);
                let fail = move |_: &[Value]| Err(e.clone());
                let fail = Builtin::from_fn("«host builtin source»", &["_"], &[false], fail);
                slot.set_apply(Value::builtin(fail), Value::Null);
            }
        }
        self.defined_in_nix.push(slot);
    }

    /// Parses and compiles source text. `dir` is where relative paths resolve.
    pub fn compile(
        &mut self,
        text: &str,
        path: Option<PathBuf>,
        label: &str,
        dir: &Path,
    ) -> Result<Rc<Chunk>, Error> {
        self.compile_scoped(text, path, label, dir, Vec::new())
    }

    /// `compile`, with `outer` names in a scope around the file (`scopedImport`): they
    /// shadow globals, and the code runs in an environment holding their values in order.
    pub fn compile_scoped(
        &mut self,
        text: &str,
        path: Option<PathBuf>,
        label: &str,
        dir: &Path,
        outer: Vec<SmolStr>,
    ) -> Result<Rc<Chunk>, Error> {
        let origin = match &path {
            Some(p) => p.display().to_string(),
            None => label.to_string(),
        };
        // C++ Nix reads a lone CR or a CR LF as a line break everywhere, strings included.
        let normalized;
        let text = if text.contains('\r') {
            normalized = text.replace("\r\n", "\n").replace('\r', "\n");
            normalized.as_str()
        } else {
            text
        };
        let file = self.sources.add(path, label.to_string(), Rc::from(text));
        let globals = self.globals.clone();
        let ctx = CompileContext {
            file,
            dir: dir.to_path_buf(),
            globals: &globals,
            origin,
            text,
            home: self
                .io
                .get_env("HOME")
                .map(|h| crate::paths::from_bytes(&crate::rawtext::encode(&h))),
            lints: self.settings.lints,
            speculate: self.settings.speculate,
            outer,
            tail_calls: self.settings.tail_calls,
        };
        // The parser, the syntax tree's destructor and the compiler all recurse once per
        // nesting level. They run on a separately allocated stack that grows on demand
        // (`stacker`), so deeply nested input costs memory instead of overflowing.
        let compiled = stacker::grow(PARSE_STACK, || {
            let root = crate::syntax::parse(text, file)?;
            compiler::compile(&root, ctx)
        })?;
        for w in compiled.warnings {
            let rendered = match w.excerpt {
                true => crate::errors::render_warning(&w.message, w.span, &self.sources),
                false => {
                    let at = self.sources.locate(w.span).position();
                    format!("warning: at {at}: {}", w.message)
                }
            };
            self.io.trace(rendered.trim_end());
        }
        Ok(compiled.chunk)
    }

    /// The value of a file, as `import` gives it: a thunk, shared by every import of the file.
    /// Answers a builtin's question through the host's `EvalIo`, refusing file access outside
    /// the store in pure mode.
    fn io_request(&self, req: vm::request::IoRequest) -> std::io::Result<vm::request::IoResponse> {
        use vm::request::{IoRequest as Q, IoResponse as A};
        let path = match &req {
            Q::ReadFile(p) | Q::HashFile(p, _) | Q::FileType(p) | Q::ReadDir(p) => Some(p),
            Q::GetEnv(_) | Q::WorkingDir => None,
        };
        if let Some(p) = path {
            self.check_pure(p)?;
        }
        match req {
            Q::ReadFile(p) => self.io.read_file(&p).map(A::Bytes),
            Q::HashFile(p, algo) => {
                crate::store::digest_file(self.io.open_file(&p)?, algo).map(A::Bytes)
            }
            Q::FileType(p) => self.io.file_type(&p).map(A::Type),
            Q::ReadDir(p) => self.io.read_dir(&p).map(A::Entries),
            Q::GetEnv(_) if self.settings.pure => Ok(A::Env(None)),
            Q::GetEnv(name) => Ok(A::Env(self.io.get_env(&name))),
            Q::WorkingDir => self.io.current_dir().map(A::Dir),
        }
    }

    /// Hashes a file tree or resolves symlinks through the host's `EvalIo`.
    fn store_request(
        &mut self,
        req: vm::request::StoreRequest,
    ) -> Result<vm::request::StoreAnswer, Error> {
        use vm::request::{StoreAnswer as A, StoreRequest as Q};
        let fs = self.io.as_ref();
        match req {
            Q::Hash {
                path,
                recursive,
                exclude,
            } => {
                self.check_pure(&path)
                    .map_err(|e| Error::new(e.to_string()))?;
                let hash = if recursive {
                    crate::store::nar_hash_filtered(fs, &path, &|p| !exclude.contains(p))?
                } else {
                    crate::store::flat_hash(fs, &path)?
                };
                Ok(A::Hash(hash))
            }
            Q::ResolveSymlinks(path) => Ok(A::Path(crate::store::resolve_symlinks(fs, &path)?)),
            Q::AddText { path, contents } => {
                if self.settings.keep_store_files {
                    self.texts.insert(path, contents);
                }
                Ok(A::Added)
            }
        }
    }

    fn check_pure(&self, path: &Path) -> std::io::Result<()> {
        if self.settings.pure && !path.starts_with(&self.settings.store_dir) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "access to absolute path '{}' is forbidden in pure evaluation mode (use '--impure' to override)",
                    path.display()
                ),
            ));
        }
        Ok(())
    }

    /// `scope` (a forced set, for `scopedImport`) makes the file see its attributes as
    /// variables; such imports are not cached.
    pub fn import(&mut self, path: &Path, scope: Option<Value>) -> Result<Value, Error> {
        let mut path = path.to_path_buf();
        let is_dir = |p: &Path| self.io.file_type(p).ok() == Some(FileType::Directory);
        if is_dir(&path) || self.io.canonicalize(&path).is_ok_and(|p| is_dir(&p)) {
            path.push("default.nix");
        }
        let scope = match scope {
            Some(Value::Attrs(a)) => Some(a),
            _ => None,
        };
        if scope.is_none()
            && let Some(v) = self.imports.get(&path)
        {
            return Ok(v.clone());
        }
        let bytes = match crate::corepkgs::holds(&path) {
            // Nix's own files (`<nix/fetchurl.nix>`), whatever the host's filesystem.
            true => crate::corepkgs::source(&path)
                .map(|text| text.as_bytes().to_vec())
                .ok_or_else(|| std::io::ErrorKind::NotFound.into()),
            false => self
                .check_pure(&path)
                .and_then(|()| self.io.read_file(&path)),
        };
        let bytes = bytes.map_err(|e| {
            // Pure evaluation's refusal is an error of its own, as in C++ Nix.
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                Error::new(e.to_string())
            } else {
                crate::store::io_error(e, &path)
            }
        })?;
        // Valid UTF-8 (nearly every file) is taken as it is, without a copy; other bytes
        // become stand-ins that string literals take back (`rawtext`).
        let text = crate::rawtext::decode_owned(bytes);
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let names = scope
            .iter()
            .flat_map(|a| a.keys())
            .map(|k| SmolStr::new(k.to_str_lossy()))
            .collect();
        let chunk = self.compile_scoped(&text, Some(path.clone()), "", &dir, names)?;
        let env = Env::new(None, scope.as_ref().map_or(0, |a| a.len()));
        for (i, v) in scope.iter().flat_map(|a| a.values()).enumerate() {
            env.set(i, v.clone());
        }
        let v = Value::Thunk(Thunk::code(chunk, env));
        if scope.is_none() {
            self.imports.insert(path, v.clone());
        }
        Ok(v)
    }
}

impl Drop for EvalState {
    /// Frees what the evaluation made: its imports and derivations, then its global scope,
    /// which refers to itself (`builtins.builtins` is a thunk holding the set, and
    /// `derivation`'s code holds the globals among its constants, which the cycle collector
    /// does not search): emptying the thunks of the `builtins` set breaks those cycles. Last,
    /// a full collection frees the cycles Nix code made (`rec`, `let`, fixpoints, every
    /// derivation's result). Values the host still holds stay alive.
    fn drop(&mut self) {
        self.imports.clear();
        self.derivations.clear();
        self.texts.clear();
        for slot in self.defined_in_nix.drain(..) {
            slot.clear();
        }
        if let Some(Value::Attrs(set)) = self.globals.get("builtins") {
            for v in set.values() {
                if let Value::Thunk(t) = v {
                    t.clear();
                }
            }
        }
        self.globals = Rc::default();
        crate::value::collect::collect();
    }
}

impl vm::host::Host for EvalState {
    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn sources(&self) -> &SourceMap {
        &self.sources
    }

    fn import(&mut self, path: &Path, scope: Option<Value>) -> Result<Value, Error> {
        EvalState::import(self, path, scope)
    }

    fn io(&mut self, req: vm::request::IoRequest) -> std::io::Result<vm::request::IoResponse> {
        self.io_request(req)
    }

    fn store(&mut self, req: vm::request::StoreRequest) -> Result<vm::request::StoreAnswer, Error> {
        self.store_request(req)
    }

    fn register_derivation(&mut self, drv_path: String, mut known: vm::request::KnownDrv) {
        if !self.settings.keep_store_files {
            known.aterm = None;
        }
        self.derivations.insert(drv_path, known);
    }

    fn lookup_derivation(&self, drv_path: &str) -> Option<vm::request::KnownDrv> {
        self.derivations.get(drv_path).cloned()
    }

    fn trace(&mut self, line: &str) {
        self.io.trace(line);
    }

    fn cancel_flag(&self) -> &Arc<AtomicBool> {
        &self.cancel.flag
    }

    fn profile(&mut self) -> Option<&mut vm::profile::Profile> {
        let period = self.settings.profile_period?;
        let profile = self
            .profile
            .get_or_insert_with(|| vm::profile::Profile::new(period));
        profile.set_period(period);
        Some(profile)
    }
}

/// Parses `text` as a Nix expression, without compiling or evaluating it: whether it is
/// well-formed, whatever names it uses (`gnix repl` asks this to tell unfinished input from
/// wrong input). A syntax error is located in `«string»`.
///
/// ```
/// assert!(gnix::eval::check_syntax("x: x.y + 1").is_ok());
/// let e = gnix::eval::check_syntax("{ a = 1;").unwrap_err();
/// assert_eq!(e.class, gnix::ErrorClass::Parse);
/// assert!(e.message.contains("unexpected end of file"));
/// ```
pub fn check_syntax(text: &str) -> Result<(), Error> {
    let mut sources = SourceMap::default();
    let file = sources.add(None, "«string»".to_string(), Rc::from(text));
    let parsed = stacker::grow(PARSE_STACK, || crate::syntax::parse(text, file).map(drop));
    parsed.map_err(|mut e| {
        e.locate(&sources);
        e
    })
}

/// Stops an evaluation from any thread. The run under way (or, if none is, the next one) ends
/// with an error of class `ErrorClass::Cancelled`, within a few ops: every call, thunk force,
/// generator resume and loop step checks for it. Every thunk the run was forcing is put back
/// as it was, so evaluating again later gives the same values as an uninterrupted run. A run
/// awaited as a future (`Run`) while it waits for the host's outside work is woken to stop.
///
/// ```
/// use std::time::Duration;
/// // No depth limit: the loop's tail calls keep one frame, so only the cancellation stops it.
/// let settings = gnix::Settings { max_call_depth: 0, ..gnix::Settings::default() };
/// let mut ev = gnix::Evaluator::new(settings);
/// let handle = ev.cancel_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(20));
///     handle.cancel();
/// });
/// let endless = "let loop = n: loop (n + 1); in loop 0";
/// let e = ev.eval_expr(endless, std::path::Path::new(".")).unwrap_err();
/// assert_eq!(e.class, gnix::ErrorClass::Cancelled);
/// // The evaluator is usable again.
/// let v = ev.eval_expr("1 + 1", std::path::Path::new("."))?;
/// assert_eq!(ev.as_int(&v)?, 2);
/// # Ok::<(), gnix::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct CancelHandle {
    flag: Arc<AtomicBool>,
    /// The waker of a run awaited while it waits for outside work.
    waker: Arc<Mutex<Option<Waker>>>,
}

impl CancelHandle {
    /// Stops the run under way, or the next one.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes `waker` (a run's, waiting for outside work) when `cancel` is called.
    pub(crate) fn wake_on_cancel(&self, waker: &Waker) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(waker.clone());
    }

    /// Withdraws a cancellation no run has used up yet (one asked for just as the run it was
    /// meant to stop ended), so that it does not stop the next run. `gnix repl` does this
    /// before each line it evaluates.
    pub fn withdraw(&self) {
        self.flag.store(false, Ordering::Relaxed);
    }
}

/// Variables a host binds around the expressions it evaluates (`Evaluator::eval_expr_with`),
/// as `gnix repl` keeps the `x = ...` lines and the attributes of `:l` files: each name is a
/// variable of the expression, bound to its value, shadowing a global of the same name (as
/// a `let` around the expression would; `with` does not shadow it). The values stay as lazy as
/// they were given: a thunk bound here is evaluated at most once, when some expression needs
/// it, and an interrupted evaluation of it leaves it forceable again.
#[derive(Clone, Default)]
pub struct Bindings {
    names: Vec<SmolStr>,
    values: Vec<Value>,
    slots: HashMap<SmolStr, usize>,
}

impl Bindings {
    /// Binds `name` to `value`; a later binding of a name replaces the earlier one (for the
    /// expressions compiled after it: a value made before keeps what it saw).
    pub fn insert(&mut self, name: &str, value: Value) {
        match self.slots.get(name) {
            Some(&slot) => self.values[slot] = value,
            None => {
                self.slots.insert(SmolStr::new(name), self.names.len());
                self.names.push(SmolStr::new(name));
                self.values.push(value);
            }
        }
    }

    /// The names bound, in the order they were first bound.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(SmolStr::as_str)
    }

    /// Forgets every binding.
    pub fn clear(&mut self) {
        *self = Bindings::default();
    }

    /// The scope an expression compiled with `names` as its outer scope runs in.
    fn env(&self) -> Env {
        let env = Env::new(None, self.values.len());
        for (slot, v) in self.values.iter().enumerate() {
            env.set(slot, v.clone());
        }
        env
    }
}

/// A Nix evaluator: settings, IO and everything evaluated so far.
pub struct Evaluator {
    pub(crate) state: EvalState,
    pub(crate) stats: Stats,
}

impl Evaluator {
    /// An evaluator over the machine's files, environment and clock (`io::StdIo`).
    ///
    /// ```
    /// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
    /// let v = ev.eval_expr("builtins.length [ 1 2 3 ]", std::path::Path::new("."))?;
    /// assert_eq!(ev.as_int(&v)?, 3);
    /// # Ok::<(), gnix::Error>(())
    /// ```
    pub fn new(settings: Settings) -> Self {
        Self::with_io(settings, Box::new(StdIo))
    }

    /// An evaluator that sees the world through `io` (`io::MemoryIo`, `io::NoIo`, or the
    /// host's own).
    ///
    /// ```
    /// use gnix::io::MemoryIo;
    /// let io = MemoryIo::new().file("/etc/app.nix", "{ port = 8080; }");
    /// let mut ev = gnix::Evaluator::with_io(gnix::Settings::default(), Box::new(io));
    /// let config = ev.eval_file(std::path::Path::new("/etc/app.nix"))?;
    /// let port = ev.attr(&config, "port")?.expect("a port");
    /// assert_eq!(ev.as_int(&port)?, 8080);
    /// # Ok::<(), gnix::Error>(())
    /// ```
    pub fn with_io(settings: Settings, io: Box<dyn EvalIo>) -> Self {
        Self::with_builtins(settings, io, Vec::new())
    }

    /// An evaluator with the host's own builtins besides gnix's, declared as gnix declares
    /// its own (`declare_builtins!`, `builtins::decl`). They are visible as `builtins.NAME` (and
    /// as `NAME` where flagged `top_level`), replace a builtin of gnix's with the same name, and
    /// a panic in one becomes an error of class `ErrorClass::HostPanic`.
    pub fn with_builtins(settings: Settings, io: Box<dyn EvalIo>, host: Vec<Builtin>) -> Self {
        Self::with_host(settings, io, host, &[])
    }

    /// An evaluator with the host's builtins, native (`host`, as in `with_builtins`) and given
    /// as Nix source (`nix`). A native builtin's name, like a `NixBuiltin`'s, is a path:
    /// `myHost.add` is `builtins.myHost.add` (and `myHost.add` where flagged `top_level`).
    pub fn with_host(
        settings: Settings,
        io: Box<dyn EvalIo>,
        host: Vec<Builtin>,
        nix: &[NixBuiltin],
    ) -> Self {
        Evaluator {
            state: EvalState::with_host(settings, io, host, nix),
            stats: Stats::default(),
        }
    }

    /// Runs a full cycle collection now (one also runs by itself during evaluation, and when
    /// an evaluator is dropped): frees the reference cycles that nothing outside them holds,
    /// on this thread. Returns what it reclaimed.
    pub fn collect_garbage(&mut self) -> crate::value::collect::GcStats {
        crate::value::collect::collect()
    }

    /// The settings its runs use; a change applies to the runs after it (limits, search
    /// path, lints). The global scope was made from the settings it was created with.
    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    /// The settings, to change for later runs (see `settings`).
    ///
    /// ```
    /// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
    /// ev.settings_mut().max_steps = 1000;
    /// let e = ev.eval_expr("let f = n: f (n + 1); in f 0", std::path::Path::new("."));
    /// assert_eq!(e.unwrap_err().class, gnix::ErrorClass::OutOfSteps);
    /// ```
    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.state.settings
    }

    /// What its runs have done so far: ops, calls, thunks, frames.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The profiler's samples so far (`Settings::profile_period`), as `flamegraph.pl` reads
    /// them: a line per call stack seen, its calls from the outermost joined by `;` (each
    /// `file:line:col:name`, as current C++ Nix writes them), a space and how many samples
    /// found it. They are forgotten, so the next call gives the samples taken after this one.
    ///
    /// ```
    /// let mut settings = gnix::Settings::default();
    /// settings.profile_period = Some(std::time::Duration::ZERO); // every call: deterministic
    /// settings.tail_calls = false;
    /// let mut ev = gnix::Evaluator::new(settings);
    /// let v = ev.eval_expr(
    ///     "let count = { n }: if n == 0 then 0 else 1 + count { n = n - 1; }; in count { n = 3; }",
    ///     std::path::Path::new("."),
    /// )?;
    /// assert_eq!(ev.as_int(&v)?, 3);
    /// let profile = ev.take_profile();
    /// assert!(profile.contains("«string»:1:71:count;«string»:1:46:count 1\n"));
    /// assert_eq!(ev.take_profile(), "");
    /// # Ok::<(), gnix::Error>(())
    /// ```
    pub fn take_profile(&mut self) -> String {
        let Some(profile) = &mut self.state.profile else {
            return String::new();
        };
        let text = profile.render(&self.state.sources);
        profile.clear();
        text
    }

    /// Forgets the files imported so far, so the next `import` of each reads and compiles it
    /// again (`gnix repl`'s `:r`). Values already made from them stay as they are.
    pub fn clear_imports(&mut self) {
        self.state.imports.clear();
    }

    /// The names of the global scope: what an expression sees without `builtins.`.
    pub fn global_names(&self) -> Vec<String> {
        self.state.globals.keys().map(|k| k.to_string()).collect()
    }

    /// Whether `path` is in this evaluation's store (`Settings::store_dir`), as a store path
    /// or a path inside one.
    pub fn is_in_store(&self, path: &str) -> bool {
        crate::store::is_in_store(&self.state.settings.store_dir, path)
    }

    /// The files this evaluation would have written to the store, by store path: each
    /// derivation's `.drv` and each `builtins.toFile` file, made while
    /// `Settings::keep_store_files` was set (none otherwise).
    pub fn store_files(&self) -> Vec<(&str, &[u8])> {
        let derivations = self.state.derivations.iter().filter_map(|(path, known)| {
            let text = known.aterm.as_ref()?;
            Some((path.as_str(), text.as_bytes()))
        });
        let texts = (self.state.texts.iter()).map(|(path, text)| (path.as_str(), text.as_bytes()));
        derivations.chain(texts).collect()
    }

    /// A handle that stops this evaluator's runs from another thread (`CancelHandle`).
    pub fn cancel_handle(&self) -> CancelHandle {
        self.state.cancel.clone()
    }

    /// Evaluates an expression to weak head normal form; relative paths resolve against `dir`.
    pub fn eval_expr(&mut self, text: &str, dir: &Path) -> Result<Value, Error> {
        self.eval_expr_with(text, dir, &Bindings::default())
    }

    /// `eval_expr` with the variables of `bindings` in scope around the expression.
    ///
    /// ```
    /// use gnix::Value;
    /// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
    /// let mut bindings = gnix::eval::Bindings::default();
    /// bindings.insert("request", gnix::convert::to_nix(&("GET", "/admin"))?);
    /// bindings.insert("admins", Value::list(vec![Value::string("alice")]));
    /// let policy = r#"builtins.elemAt request 1 != "/admin" || builtins.elem "bob" admins"#;
    /// let allowed = ev.eval_expr_with(policy, std::path::Path::new("."), &bindings)?;
    /// assert!(!ev.as_bool(&allowed)?);
    /// # Ok::<(), gnix::Error>(())
    /// ```
    pub fn eval_expr_with(
        &mut self,
        text: &str,
        dir: &Path,
        bindings: &Bindings,
    ) -> Result<Value, Error> {
        let chunk = self.compile_with(text, dir, bindings)?;
        self.run_in(chunk, bindings.env())
    }

    /// `lazy_expr` with the variables of `bindings` in scope around the expression: the thunk
    /// sees the values bound when it was made, whatever is bound later.
    pub fn lazy_expr_with(
        &mut self,
        text: &str,
        dir: &Path,
        bindings: &Bindings,
    ) -> Result<Value, Error> {
        let chunk = self.compile_with(text, dir, bindings)?;
        Ok(Value::Thunk(Thunk::code(chunk, bindings.env())))
    }

    fn compile_with(
        &mut self,
        text: &str,
        dir: &Path,
        bindings: &Bindings,
    ) -> Result<Rc<Chunk>, Error> {
        let names = bindings.names.clone();
        let chunk = self
            .state
            .compile_scoped(text, None, "«string»", dir, names);
        self.located(chunk)
    }

    /// Compiles an expression without evaluating it: a thunk that evaluates it when forced
    /// (`--arg`). A syntax error is reported now; relative paths resolve against `dir`.
    pub fn lazy_expr(&mut self, text: &str, dir: &Path) -> Result<Value, Error> {
        self.lazy_expr_with(text, dir, &Bindings::default())
    }

    /// Evaluates a file to weak head normal form.
    pub fn eval_file(&mut self, path: &Path) -> Result<Value, Error> {
        let cwd = self
            .state
            .io
            .current_dir()
            .map_err(|e| Error::new(format!("cannot read the working directory: {e}")))?;
        let abs = crate::paths::absolute(path, &cwd);
        let v = self.state.import(&abs, None);
        let v = self.located(v)?;
        self.force(v)
    }

    /// Parses a file or expression without evaluating it.
    pub fn parse_only(
        &mut self,
        text: &str,
        path: Option<PathBuf>,
        dir: &Path,
    ) -> Result<(), Error> {
        let chunk = self.state.compile(text, path, "«string»", dir);
        self.located(chunk).map(|_| ())
    }

    /// The bytecode listing of a file or expression (`compiler::disasm`), without evaluating it.
    pub fn dump_bytecode(
        &mut self,
        text: &str,
        path: Option<PathBuf>,
        dir: &Path,
    ) -> Result<String, Error> {
        let chunk = self.state.compile(text, path, "«string»", dir);
        let chunk = self.located(chunk)?;
        Ok(compiler::disasm::disassemble(&chunk, &self.state.sources))
    }

    fn run_in(&mut self, chunk: Rc<Chunk>, env: Env) -> Result<Value, Error> {
        let mut vm = Vm::new(&mut self.state);
        let r = vm.run_chunk(chunk, env);
        self.stats.add(&vm.stats);
        self.located(r)
    }

    /// Evaluates a value to weak head normal form: a thunk is evaluated until it is a set, a
    /// list, a number... whose parts stay as lazy as they are.
    pub fn force(&mut self, v: Value) -> Result<Value, Error> {
        let mut vm = Vm::new(&mut self.state);
        let r = vm.force(v);
        self.stats.add(&vm.stats);
        self.located(r)
    }

    /// Forces a value and everything inside it (`--strict`).
    pub fn deep_force(&mut self, v: Value) -> Result<Value, Error> {
        let g = vm::request::generator(move |co| async move { vm::walk::deep_force(&co, v).await });
        self.run_generator("deepSeq", g)
    }

    /// `f` applied to each of `args` in turn (a curried call), in weak head normal form.
    pub fn call(&mut self, f: Value, args: Vec<Value>) -> Result<Value, Error> {
        let g = vm::request::generator(move |co| async move {
            Ok(vm::request::call_many(&co, f, args).await)
        });
        self.run_generator("call", g)
    }

    /// The integer `v` evaluates to.
    pub fn as_int(&mut self, v: &Value) -> Result<i64, Error> {
        match self.force(v.clone())? {
            Value::Int(i) => Ok(i),
            other => Err(vm::ops::type_error("an integer", &other)),
        }
    }

    /// The number `v` evaluates to (an integer is converted).
    pub fn as_float(&mut self, v: &Value) -> Result<f64, Error> {
        match self.force(v.clone())? {
            Value::Float(f) => Ok(f.get()),
            Value::Int(i) => Ok(i as f64),
            other => Err(vm::ops::type_error("a float", &other)),
        }
    }

    /// The Boolean `v` evaluates to.
    pub fn as_bool(&mut self, v: &Value) -> Result<bool, Error> {
        match self.force(v.clone())? {
            Value::Bool(b) => Ok(b.get()),
            other => Err(vm::ops::type_error("a Boolean", &other)),
        }
    }

    /// The text of the string `v` evaluates to (its context left out); an error if it is not
    /// UTF-8.
    pub fn as_string(&mut self, v: &Value) -> Result<String, Error> {
        match self.force(v.clone())? {
            Value::String(s) => String::from_utf8(s.as_bytes().to_vec())
                .map_err(|_| Error::new(format!("the string '{s}' is not valid UTF-8"))),
            other => Err(vm::ops::type_error("a string", &other)),
        }
    }

    /// The string `"${v}"` would make (paths copied to the store, sets through `__toString` or
    /// `outPath`), its context left out; an error for any other value.
    pub fn coerce_to_string(&mut self, v: Value) -> Result<Vec<u8>, Error> {
        let how = vm::walk::Coercion::INTERPOLATION;
        let g = vm::request::generator(move |co| async move {
            Ok(Value::String(
                vm::walk::coerce_to_string(&co, v, how).await?,
            ))
        });
        match self.run_generator("coerceToString", g)? {
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            _ => unreachable!("a string coercion answered with something not a string"),
        }
    }

    /// Attribute `name` of the set `v` evaluates to, itself unevaluated; `None` if the set has
    /// no such attribute.
    pub fn attr(&mut self, v: &Value, name: &str) -> Result<Option<Value>, Error> {
        match self.force(v.clone())? {
            Value::Attrs(a) => Ok(a.get_bytes(name.as_bytes()).cloned()),
            other => Err(vm::ops::type_error("a set", &other)),
        }
    }

    /// The attribute names of the set `v` evaluates to, in Nix's order.
    pub fn names(&mut self, v: &Value) -> Result<Vec<String>, Error> {
        match self.force(v.clone())? {
            Value::Attrs(a) => Ok(a.keys().map(|k| k.to_str_lossy().into_owned()).collect()),
            other => Err(vm::ops::type_error("a set", &other)),
        }
    }

    /// The length of the list `v` evaluates to.
    pub fn len(&mut self, v: &Value) -> Result<usize, Error> {
        match self.force(v.clone())? {
            Value::List(l) => Ok(l.len()),
            other => Err(vm::ops::type_error("a list", &other)),
        }
    }

    /// Element `i` of the list `v` evaluates to, itself unevaluated; `None` past the end.
    pub fn get(&mut self, v: &Value, i: usize) -> Result<Option<Value>, Error> {
        match self.force(v.clone())? {
            Value::List(l) => Ok(l.get(i).cloned()),
            other => Err(vm::ops::type_error("a list", &other)),
        }
    }

    /// Runs a generator to completion on a fresh VM over this evaluation.
    fn run_generator(&mut self, name: &'static str, g: vm::BuiltinGen) -> Result<Value, Error> {
        let mut vm = Vm::new(&mut self.state);
        let r = vm.run_generator(name, None, g);
        self.stats.add(&vm.stats);
        self.located(r)
    }

    /// An error leaving the evaluation takes its positions with it (`Error::locate`).
    fn located<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        r.map_err(|mut e| {
            e.locate(&self.state.sources);
            e
        })
    }

    /// The value as `builtins.toJSON` writes it (`--json`).
    pub fn to_json(&mut self, v: Value) -> Result<String, Error> {
        let g = vm::request::generator(move |co| async move {
            Ok(Value::String(
                crate::builtins::to_json_string(&co, v).await?,
            ))
        });
        self.run_generator("toJSON", g).map(text)
    }

    /// The value as `nix-instantiate --eval --xml` prints it (`locations`: with positions).
    pub fn to_xml(&mut self, v: Value, locations: bool) -> Result<String, Error> {
        let g = vm::request::generator(move |co| async move {
            Ok(Value::string(
                crate::builtins::to_xml(&co, v, locations).await?.as_slice(),
            ))
        });
        self.run_generator("toXML", g).map(text)
    }

    /// Renders an error as C++ Nix prints it, locating it first if it is not (an error the
    /// host made itself, say).
    pub fn render_error(&self, e: &Error, show_trace: bool) -> String {
        if e.located.is_some() {
            return e.render(show_trace);
        }
        let mut e = e.clone();
        e.locate(&self.state.sources);
        e.render(show_trace)
    }
}

/// The text of a string a generator of this module made.
fn text(v: Value) -> String {
    match v {
        Value::String(s) => s.to_text().into_owned(),
        _ => unreachable!("a rendering generator answered with something not a string"),
    }
}
