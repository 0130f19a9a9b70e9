//! Evaluation errors, source spans, and rendering them the way C++ Nix does
//! (`error: message`, then `at file:line:col:` and the source line with a caret).

use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::rc::Rc;

/// Index of a source in a `SourceMap`.
pub(crate) type FileId = u32;

/// A byte range in one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// No position (a placeholder in tables of positions).
    pub const UNKNOWN: Span = Span {
        file: FileId::MAX,
        start: 0,
        end: 0,
    };
}

/// One parsed source: where it came from and its text.
pub(crate) struct Source {
    /// `None` for `-E` expressions and stdin.
    pub path: Option<PathBuf>,
    /// What positions print as when there is no path (`«string»`, `«stdin»`).
    pub label: String,
    pub text: Rc<str>,
    /// Made the first time a position in this source is asked for.
    lines: OnceCell<LineTable>,
}

impl Source {
    fn lines(&self) -> &LineTable {
        self.lines.get_or_init(|| LineTable::new(&self.text))
    }
}

/// Where a text's lines start, so a byte offset becomes a line and column by a binary search
/// instead of a count of the newlines before it: positions are asked for often
/// (`unsafeGetAttrPos`, `__curPos`, the module system's declaration positions), and in a
/// large file that count made them quadratic.
pub(crate) struct LineTable {
    starts: Vec<usize>,
    /// Whether the text holds stand-ins for bytes that are not UTF-8 (`rawtext`), which
    /// columns count as one byte each.
    raw: bool,
}

impl LineTable {
    pub fn new(text: &str) -> Self {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
        LineTable {
            starts: std::iter::once(0).chain(newlines).collect(),
            raw: crate::rawtext::has_stand_ins(text),
        }
    }

    /// The text of 1-based line `n` (without its newline), if there is such a line.
    fn line<'t>(&self, text: &'t str, n: usize) -> Option<&'t str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).map_or(text.len(), |&e| e - 1);
        text.get(start..end)
    }

    /// 1-based line and column of a byte offset into `text`, the text the table was made
    /// from. Columns count bytes, as C++ Nix counts them (its `PosTable`): after non-ASCII
    /// text on the same line they run ahead of the characters.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let column = offset - start + 1;
        if !self.raw {
            return (line, column);
        }
        // A stand-in for a byte that is not UTF-8 counts as the one byte it stands for.
        let before = text
            .get(start..offset)
            .map_or(0, crate::rawtext::count_stand_ins);
        (line, column - before * (crate::rawtext::STAND_IN_LEN - 1))
    }
}

/// Every source an evaluation has read, so any span can be turned into file:line:column.
#[derive(Default)]
pub(crate) struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    pub fn add(&mut self, path: Option<PathBuf>, label: String, text: Rc<str>) -> FileId {
        self.sources.push(Source {
            path,
            label,
            text,
            lines: OnceCell::new(),
        });
        (self.sources.len() - 1) as FileId
    }

    pub fn get(&self, file: FileId) -> Option<&Source> {
        self.sources.get(file as usize)
    }

    /// 1-based line and column (in bytes, as C++ Nix counts) of where a span starts; `None`
    /// for a file the map does not have.
    pub fn line_col(&self, span: Span) -> Option<(usize, usize)> {
        let src = self.get(span.file)?;
        Some(src.lines().line_col(&src.text, span.start as usize))
    }

    /// The position with what an error shows of it (`Error::locate`).
    pub fn locate(&self, span: Span) -> Location {
        let file = self.origin(span.file);
        let line_col = self.line_col(span);
        let context = match (self.get(span.file), line_col) {
            (Some(src), Some((line, _))) => {
                let text = |n| src.lines().line(&src.text, n).map(str::to_owned);
                [text(line - 1), text(line), text(line + 1)]
            }
            _ => [None, None, None],
        };
        Location {
            file,
            line_col,
            context,
        }
    }

    /// The file name positions print with.
    pub fn origin(&self, file: FileId) -> String {
        match self.get(file) {
            Some(Source { path: Some(p), .. }) => p.display().to_string(),
            Some(src) => src.label.clone(),
            None => "«unknown»".into(),
        }
    }

    /// `file:line:col`.
    pub fn position(&self, span: Span) -> String {
        match self.line_col(span) {
            Some((l, c)) => format!("{}:{l}:{c}", self.origin(span.file)),
            None => self.origin(span.file),
        }
    }
}

/// What kind of error this is: what a host can act on, and what `tryEval` may catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// `throw`: caught by `tryEval`.
    Throw,
    /// A failed `assert`: caught by `tryEval`.
    Assert,
    /// `abort`: never caught.
    Abort,
    /// A value of the wrong type: "expected a set but found ...", "cannot coerce ...", calling
    /// something that is not a function.
    Type,
    /// Selecting an attribute a set does not have.
    MissingAttribute,
    /// Forcing a thunk while it is being forced.
    InfiniteRecursion,
    /// Past `max-call-depth`.
    CallDepth,
    /// A file or directory that does not exist or cannot be read.
    Io,
    /// Any other evaluation error.
    Eval,
    /// A variable no scope defines: found when compiling, or at run time when only `with`
    /// could have defined it. Never caught.
    UndefinedVariable,
    /// A syntax error.
    Parse,
    /// The run used up its step budget (`Settings::max_steps`). Never caught.
    OutOfSteps,
    /// Past `Settings::max_memory`.
    OutOfMemory,
    /// The run used up its time (`Settings::max_time`). Never caught.
    Timeout,
    /// The host cancelled the run (`CancelHandle`). Never caught.
    Cancelled,
    /// A builtin the host supplied panicked. Never caught.
    HostPanic,
    /// An argument a builtin takes as a command line would (an unknown hash algorithm or
    /// format: C++ Nix's `UsageError`). Never caught; the CLI follows it with where to find
    /// help, as `nix-instantiate` does.
    Usage,
}

/// An error with its message, where it happened and the frames it unwound through. One
/// pointer wide, so `Result<Value, Error>` stays small on the hot paths that pass it around.
#[derive(Clone, Debug)]
pub struct Error(Box<ErrorData>);

/// What an `Error` holds (`Error` dereferences to it).
#[derive(Clone, Debug)]
pub struct ErrorData {
    /// What kind of error it is.
    pub class: ErrorClass,
    /// The message, as `error:` prints it.
    pub message: String,
    /// Where it happened, inside the evaluation's sources (`located` says it for hosts).
    pub(crate) span: Option<Span>,
    /// Context lines (`… while calling 'f'`), innermost first.
    pub trace: Vec<TraceLine>,
    /// For a type error, the value it is about (`Value::identity`): the builtin call it leaves
    /// first says which of its arguments that was. Dropped as the error leaves any frame.
    pub(crate) subject: Option<u128>,
    /// Names near one that was not found (`x`, `one of x or y`), shown after the position as
    /// `Did you mean ...?`, as C++ Nix shows its suggestions.
    pub suggestions: Option<String>,
    /// `span` and the trace's spans resolved against their sources, filled in when the error
    /// leaves its evaluation (`Error::locate`): what `render` shows, so that the error renders,
    /// and crosses threads, after the evaluation and its sources are gone.
    pub located: Option<Box<Located>>,
    /// Which unwinding this is (0: none yet): the thunks it fails share one memoised error,
    /// which the VM keeps up to date while this error goes on (`vm::failures`).
    pub(crate) episode: u64,
}

/// An error's positions resolved against their sources (`Error::locate`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Located {
    /// Where the error happened.
    pub at: Option<Location>,
    /// Where each trace line points, in the trace's order.
    pub trace: Vec<Option<Location>>,
}

/// A position resolved against its source text: the file name, line and column, and the lines
/// an excerpt shows around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name as positions print it (`«string»` for an expression).
    pub file: String,
    /// 1-based line and column (columns count bytes, as C++ Nix's); `None` if the offset is not in
    /// the text.
    pub line_col: Option<(usize, usize)>,
    /// The lines before, at and after the position, those that exist.
    context: [Option<String>; 3],
}

impl Location {
    /// `file:line:column`, or the file name alone.
    pub fn position(&self) -> String {
        match self.line_col {
            Some((l, c)) => format!("{}:{l}:{c}", self.file),
            None => self.file.clone(),
        }
    }
}

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl Error {
    /// An error of class `Eval` with this message (what a host builtin fails with).
    pub fn new(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorData {
            class: ErrorClass::Eval,
            message: message.into(),
            span: None,
            trace: Vec::new(),
            subject: None,
            suggestions: None,
            located: None,
            episode: 0,
        }))
    }

    /// A copy of a memoised error, for forcing a failed thunk again: it gathers a trace of its
    /// own from here on, leaving the memoised one as it is (C++ Nix's `throwClone`).
    pub(crate) fn rethrown(&self) -> Error {
        let mut e = self.clone();
        e.episode = 0;
        e.subject = None;
        e
    }

    /// Resolves the error's positions against `sources` (see `ErrorData::located`); a no-op
    /// once done.
    pub(crate) fn locate(&mut self, sources: &SourceMap) {
        if self.located.is_some() {
            return;
        }
        let locate = |span: Option<Span>| span.map(|s| sources.locate(s));
        let at = locate(self.span);
        let trace = self.trace.iter().map(|t| locate(t.span)).collect();
        self.located = Some(Box::new(Located { at, trace }));
    }

    /// Where the error happened, once located: its own position, or where the innermost line
    /// of its trace points when it has none (C++ Nix gives some errors, such as a missing
    /// attribute, no position of their own: the selection that failed is in the trace).
    pub fn location(&self) -> Option<&Location> {
        let located = self.located.as_ref()?;
        located
            .at
            .as_ref()
            .or_else(|| located.trace.iter().flatten().next())
    }

    /// An error of class `Throw`, as `throw` makes: `tryEval` catches it.
    pub fn throw(message: impl Into<String>) -> Error {
        Error::new(message).with_class(ErrorClass::Throw)
    }

    /// The same error with another class.
    pub fn with_class(mut self, class: ErrorClass) -> Error {
        self.class = class;
        self
    }

    /// Adds a context line outside those it has (`… while calling 'f'`).
    pub(crate) fn add_trace(&mut self, span: Option<Span>, what: impl Into<String>) {
        self.trace.push(TraceLine::new(span, what));
    }

    /// Sets the span if the error has none yet.
    pub(crate) fn at(mut self, span: Span) -> Error {
        self.span.get_or_insert(span);
        self
    }

    /// Whether `tryEval` catches it (`Throw` and `Assert`).
    pub fn is_catchable(&self) -> bool {
        matches!(self.class, ErrorClass::Throw | ErrorClass::Assert)
    }

    /// Whether a limit or the host stopped the run (`OutOfSteps`, `OutOfMemory`, `Timeout`,
    /// `Cancelled`), rather than the Nix code failing.
    pub fn is_interruption(&self) -> bool {
        matches!(
            self.class,
            ErrorClass::OutOfSteps
                | ErrorClass::OutOfMemory
                | ErrorClass::Timeout
                | ErrorClass::Cancelled
        )
    }

    /// Renders as C++ Nix prints it on stderr (its `showErrorInfo`), positions and excerpts
    /// included once the error is located (every error an `Evaluator` returns is): the trace
    /// outermost first, then the message and the error's own position if it has one. Without
    /// `show_trace` the frames only `--show-trace` records are left out and the trace stops
    /// after a few lines (a line with a position counts twice), except for the frames printed
    /// always; a run of more than five frames already shown is folded into one line.
    ///
    /// ```
    /// let e = {
    ///     let mut ev = gnix::Evaluator::new(gnix::Settings::default());
    ///     ev.eval_expr("let f = x: x.foo; in f { bar = 1; }", std::path::Path::new("."))
    ///         .unwrap_err()
    /// }; // the evaluator is gone; the error is self-contained
    /// assert_eq!(e.class, gnix::ErrorClass::MissingAttribute);
    /// let at = e.location().expect("located");
    /// assert_eq!(at.file, "«string»");
    /// assert_eq!(at.line_col.map(|(line, _)| line), Some(1));
    /// // As C++ Nix: the selection that failed in the trace, then the message.
    /// let rendered = e.render(false);
    /// assert!(rendered.starts_with("error:\n       … while evaluating the attribute 'foo'"));
    /// assert!(rendered.trim_end().ends_with("error: attribute 'foo' missing"));
    /// ```
    pub fn render(&self, show_trace: bool) -> String {
        let located = self.located.as_deref();
        let at = |i: usize| {
            located
                .and_then(|l| l.trace.get(i))
                .and_then(Option::as_ref)
        };
        // The text before it is indented under `error: `, as C++ Nix builds it.
        let mut out = String::new();
        if self.trace.iter().any(|line| show_trace || !line.verbose) {
            // A set: a deep error's trace (a long recursion, with `--show-trace`) has as many
            // lines as frames, and a list searched per line took quadratic time.
            let mut seen: HashSet<(Option<String>, &str)> = HashSet::new();
            let mut skipped: Vec<usize> = Vec::new();
            let mut count = 0;
            let mut truncated = false;
            for (i, line) in self.trace.iter().enumerate().rev() {
                if line.verbose && !show_trace {
                    continue;
                }
                if !show_trace && count > 3 {
                    truncated = true;
                }
                if truncated && !line.always {
                    continue;
                }
                let key = (at(i).map(Location::position), line.what.as_str());
                if !seen.insert(key) {
                    skipped.push(i);
                    continue;
                }
                self.print_skipped(&mut out, &mut count, &mut skipped, at);
                count += 1;
                trace_line(&mut out, &mut count, &line.what, at(i));
            }
            self.print_skipped(&mut out, &mut count, &mut skipped, at);
            if truncated {
                out.push_str(
                    "\n(stack trace truncated; use '--show-trace' to show the full, detailed trace)\n",
                );
            }
            out.push_str("\nerror: ");
        }
        out.push_str(&self.message);
        out.push('\n');
        let at = located.and_then(|l| l.at.as_ref());
        if let Some(at) = at {
            position(&mut out, "", at);
        }
        if let Some(near) = &self.suggestions {
            let _ = writeln!(out, "Did you mean {near}?");
        }
        let mut text = indent("error: ", out.trim_end());
        // A message that ends in a line break (a parser's report quoted whole) ends with a line
        // of indentation alone in C++ Nix: the colour reset after the quoted text is on that
        // line, so it is not trimmed away, and printing without colour leaves the indentation.
        if self.message.ends_with('\n') && at.is_none() {
            text.push_str(&" ".repeat("error: ".len()));
            text.push('\n');
        }
        text
    }

    /// Frames held back as repeats of frames already shown: shown after all if there are a
    /// few, folded into one line otherwise. The frames seen stay seen after a fold: C++ Nix
    /// means to forget them there, but clears a copy of its set, so a frame seen before the
    /// fold is held back again after it (`eval-fail-mutual-recursion`).
    fn print_skipped<'a>(
        &'a self,
        out: &mut String,
        count: &mut usize,
        skipped: &mut Vec<usize>,
        at: impl Fn(usize) -> Option<&'a Location>,
    ) {
        if skipped.len() > 5 {
            let _ = writeln!(out, "\n({} duplicate frames omitted)", skipped.len());
        } else {
            for &i in skipped.iter() {
                trace_line(out, count, &self.trace[i].what, at(i));
            }
        }
        skipped.clear();
    }
}

/// One line of an error's trace: what was being done, where.
#[derive(Clone, Debug)]
pub struct TraceLine {
    /// Where, inside the evaluation's sources (`ErrorData::located` says it for hosts).
    pub(crate) span: Option<Span>,
    /// The line's text (`while calling 'f'`).
    pub what: String,
    /// Recorded only for `--show-trace` (calls of lambdas and where they were called from).
    pub verbose: bool,
    /// Shown even where the trace is cut short (the start of an infinite recursion).
    pub always: bool,
}

impl TraceLine {
    pub(crate) fn new(span: Option<Span>, what: impl Into<String>) -> TraceLine {
        TraceLine {
            span,
            what: what.into(),
            verbose: false,
            always: false,
        }
    }
}

/// `… what` and where, for one frame of a trace.
fn trace_line(out: &mut String, count: &mut usize, what: &str, at: Option<&Location>) {
    let _ = writeln!(out, "\n… {what}");
    if let Some(at) = at {
        position(out, "  ", at);
        *count += 1;
    }
}

/// A warning with its position, as C++ Nix prints it.
pub(crate) fn render_warning(message: &str, span: Span, sources: &SourceMap) -> String {
    let mut out = format!("{message}\n");
    position(&mut out, "", &sources.locate(span));
    indent("warning: ", out.trim_end())
}

/// A warning under a line of context (`… while evaluating derivation 'x'`), with its
/// position, laid out as C++ Nix lays out an error with a trace.
pub(crate) fn render_warning_in(
    message: &str,
    span: Option<Span>,
    context: &str,
    sources: &SourceMap,
) -> String {
    let mut out = String::new();
    trace_line(&mut out, &mut 0, context, None);
    let _ = writeln!(out, "\nwarning: {message}");
    if let Some(span) = span {
        position(&mut out, "", &sources.locate(span));
    }
    indent("warning: ", out.trim_end())
}

/// Every line after the first indented as wide as `first`, which starts the first line; lines
/// have no trailing blanks.
fn indent(first: &str, text: &str) -> String {
    let rest = " ".repeat(first.len());
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        let start = out.len();
        out.push_str(if i == 0 { first } else { &rest });
        out.push_str(line);
        out.truncate(out[start..].trim_end().len() + start);
        out.push('\n');
    }
    out
}

/// `at file:line:col:` and the source lines around the position, with a caret under the
/// column.
fn position(out: &mut String, indent: &str, at: &Location) {
    let _ = write!(out, "{indent}at {}:", at.position());
    let Some((line, col)) = at.line_col else {
        out.push('\n');
        return;
    };
    let [prev, text, next] = &at.context;
    if line >= 2
        && let Some(prev) = prev
    {
        let _ = write!(out, "\n {:>5}| {prev}", line - 1);
    }
    if let Some(text) = text {
        let _ = write!(out, "\n {line:>5}| {text}");
        let _ = write!(out, "\n      |{}^", " ".repeat(col));
    }
    if let Some(next) = next {
        let _ = write!(out, "\n {:>5}| {next}", line + 1);
    }
    out.push('\n');
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::LineTable;

    /// Line and column (in bytes) of every offset, counted the slow way.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text.as_bytes()[..offset];
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let lines = before.iter().filter(|&&b| b == b'\n').count();
        (lines + 1, offset - start + 1)
    }

    #[test]
    fn line_table_agrees_with_counting() {
        for text in [
            "",
            "a",
            "\n",
            "ab\ncd\n\nef",
            "\u{e9}t\u{e9} = 1;\n  \u{1F980}x\ny",
            "x\r\ny",
        ] {
            let table = LineTable::new(text);
            for offset in 0..=text.len() {
                assert_eq!(
                    table.line_col(text, offset),
                    counted(text, offset),
                    "{text:?} at {offset}"
                );
            }
            // Past the end: the end.
            assert_eq!(
                table.line_col(text, text.len() + 5),
                counted(text, text.len())
            );
        }
    }
}
