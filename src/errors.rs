//! Evaluation errors, source spans, and rendering them the way C++ Nix does
//! (`error: message`, then `at file:line:col:` and the source line with a caret).

use std::cell::OnceCell;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::rc::Rc;

/// Index of a source in a `SourceMap`.
pub type FileId = u32;

/// A byte range in one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
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
pub struct Source {
    /// `None` for `-E` expressions and stdin.
    pub path: Option<PathBuf>,
    /// What positions print as when there is no path (`«string»`, `«stdin»`).
    pub label: String,
    pub text: Rc<str>,
    /// Made the first time a position in this source is asked for.
    lines: OnceCell<LineTable>,
}

/// Where a text's lines start, so a byte offset becomes a line and column by a binary search
/// instead of a count of the newlines before it: positions are asked for often
/// (`unsafeGetAttrPos`, `__curPos`, the module system's declaration positions), and in a
/// large file that count made them quadratic.
pub struct LineTable {
    starts: Vec<usize>,
    /// Whether the text is all ASCII: columns (characters) are then byte distances.
    ascii: bool,
}

impl LineTable {
    pub fn new(text: &str) -> Self {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
        LineTable {
            starts: std::iter::once(0).chain(newlines).collect(),
            ascii: text.is_ascii(),
        }
    }

    /// 1-based line and column (in characters, as Nix counts) of a byte offset into `text`,
    /// the text the table was made from; `None` inside a character.
    pub fn line_col(&self, text: &str, offset: usize) -> Option<(usize, usize)> {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let col = if self.ascii {
            offset - start
        } else {
            text.get(start..offset)?.chars().count()
        };
        Some((line, col + 1))
    }
}

/// Every source an evaluation has read, so any span can be turned into file:line:column.
#[derive(Default)]
pub struct SourceMap {
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

    /// 1-based line and column of a byte offset (columns count characters, as Nix does).
    pub fn line_col(&self, span: Span) -> Option<(usize, usize)> {
        let src = self.get(span.file)?;
        let lines = src.lines.get_or_init(|| LineTable::new(&src.text));
        lines.line_col(&src.text, span.start as usize)
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
    /// The run used up its time (`Settings::max_time`). Never caught.
    Timeout,
    /// The host cancelled the run (`CancelHandle`). Never caught.
    Cancelled,
    /// A builtin the host supplied panicked. Never caught.
    HostPanic,
}

/// An error with its message, where it happened and the frames it unwound through. One
/// pointer wide, so `Result<Value, Error>` stays small on the hot paths that pass it around.
#[derive(Clone, Debug)]
pub struct Error(Box<ErrorData>);

#[derive(Clone, Debug)]
pub struct ErrorData {
    pub class: ErrorClass,
    pub message: String,
    pub span: Option<Span>,
    /// Context lines (`… while calling 'f'`), innermost first.
    pub trace: Vec<(Option<Span>, String)>,
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
    pub fn new(message: impl Into<String>) -> Error {
        Error(Box::new(ErrorData {
            class: ErrorClass::Eval,
            message: message.into(),
            span: None,
            trace: Vec::new(),
        }))
    }

    pub fn throw(message: impl Into<String>) -> Error {
        Error::new(message).with_class(ErrorClass::Throw)
    }

    pub fn with_class(mut self, class: ErrorClass) -> Error {
        self.class = class;
        self
    }

    /// Sets the span if the error has none yet.
    pub fn at(mut self, span: Span) -> Error {
        self.span.get_or_insert(span);
        self
    }

    pub fn is_catchable(&self) -> bool {
        matches!(self.class, ErrorClass::Throw | ErrorClass::Assert)
    }

    /// Whether a limit or the host stopped the run (`OutOfSteps`, `Timeout`, `Cancelled`),
    /// rather than the Nix code failing.
    pub fn is_interruption(&self) -> bool {
        matches!(
            self.class,
            ErrorClass::OutOfSteps | ErrorClass::Timeout | ErrorClass::Cancelled
        )
    }

    /// Renders as C++ Nix prints it on stderr.
    pub fn render(&self, sources: &SourceMap, show_trace: bool) -> String {
        let mut out = String::new();
        if show_trace && !self.trace.is_empty() {
            out.push_str("error:\n");
            for (span, what) in self.trace.iter().rev() {
                let _ = writeln!(out, "       … {what}");
                if let Some(span) = span {
                    excerpt(&mut out, sources, *span, "         ");
                }
                out.push('\n');
            }
            let _ = writeln!(out, "       error: {}", indent_message(&self.message));
        } else {
            let _ = writeln!(out, "error: {}", indent_message(&self.message));
        }
        if let Some(span) = self.span {
            excerpt(&mut out, sources, span, "       ");
        }
        out
    }
}

/// A warning with its position, as C++ Nix prints it.
pub fn render_warning(message: &str, span: Span, sources: &SourceMap) -> String {
    let mut out = format!("warning: {}\n", indent_message(message));
    excerpt(&mut out, sources, span, "         ");
    out
}

/// Continuation lines indented under the first, blank lines left empty, as C++ Nix does.
fn indent_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, line) in message.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str("       ");
            }
        }
        out.push_str(line);
    }
    out
}

/// `at file:line:col:` and the source lines around the position, with a caret.
fn excerpt(out: &mut String, sources: &SourceMap, span: Span, indent: &str) {
    let _ = writeln!(out, "{indent}at {}:", sources.position(span));
    let (Some(src), Some((line, col))) = (sources.get(span.file), sources.line_col(span)) else {
        return;
    };
    let lines: Vec<&str> = src.text.split('\n').collect();
    let width = (line + 1).to_string().len();
    if line >= 2
        && let Some(prev) = lines.get(line - 2)
    {
        let prev = if prev.is_empty() {
            String::new()
        } else {
            format!(" {prev}")
        };
        let _ = writeln!(out, "{indent}     {:>width$}|{prev}", line - 1);
    }
    if let Some(text) = lines.get(line - 1) {
        let _ = writeln!(out, "{indent}     {line:>width$}| {text}");
        let _ = writeln!(out, "{indent}     {:>width$}| {}^", "", " ".repeat(col - 1));
    }
    if let Some(next) = lines.get(line) {
        let next = if next.is_empty() {
            String::new()
        } else {
            format!(" {next}")
        };
        let _ = writeln!(out, "{indent}     {:>width$}|{next}", line + 1);
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type EvalResult<T> = Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::LineTable;

    /// Line and column of every offset, counted the slow way.
    fn counted(text: &str, offset: usize) -> Option<(usize, usize)> {
        let before = text.get(..offset)?;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        Some((
            before.matches('\n').count() + 1,
            before[start..].chars().count() + 1,
        ))
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
