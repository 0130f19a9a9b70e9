//! gnix's tokenizer: Nix source text into the tokens rnix's tokenizer makes, in linear time.
//!
//! The token stream is exactly `rnix::tokenize`'s (rnix 0.15): the same `SyntaxKind` and the
//! same text for every token, error tokens and malformed input included, since the parser
//! ([`super::parser`]) builds rnix's trees from it and the mapping of errors to C++ Nix's
//! messages reads those trees. tests/lexer_differential.rs compares the two on the corpus,
//! truncations of it and random text.
//!
//! Why not rnix's own: where a token starts with a path character (a letter, digit, `.`, `_`,
//! `+` or `-`), whether it is a relative path (`a/b`), part of a search path (`<a/b>`) or a URI
//! (`a:b`) depends on what follows the whole run of such characters. rnix scans to the end of
//! the run again from every token inside it, so `s.a.a...a.b` and `1+1+...+1` took time
//! quadratic in their length (100 000 names: a minute). Here the run is scanned once and
//! its end remembered (`Run`): a token inside the run reuses it, so every byte is looked at
//! a bounded number of times. The same for runs after `<`.
//!
//! Input is untrusted: no indexing, no `unwrap`, no `unsafe`; every byte is read with `get`,
//! every slice with `str::get`, and every token but the end of input takes at least one byte,
//! so the iterator always ends. All the characters the rules look at are ASCII, so most of the
//! work is on bytes; a character is decoded only where it matters whether it is whitespace or
//! where an error token takes one whole character.

use rnix::SyntaxKind::{self, *};

/// A token: its kind and its text (a slice of the input).
pub type Token<'a> = (SyntaxKind, &'a str);

/// The tokens of `text`, blanks and comments included: their texts put together are `text`.
pub fn tokenize(text: &str) -> Tokens<'_> {
    Tokens {
        text,
        at: 0,
        modes: Vec::new(),
        run: Run::default(),
        angle: Run::default(),
    }
}

/// What the tokenizer is in the middle of, innermost last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The text of a string: `''`-indented or not.
    Text { indented: bool },
    /// The quote(s) closing a string come next.
    Closing,
    /// A `${` comes next, inside a string or a path.
    Opening,
    /// Code inside `${ }`, with the `{`s opened in it and not yet closed.
    Code { braces: u32 },
    /// A path whose piece so far was followed by `${`: more of it may follow the `}`.
    Path(SyntaxKind),
}

/// A run of bytes of one class, from `start` to `end` (the first byte not in it), and the last
/// `_` in it.
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    start: usize,
    end: usize,
    last_underscore: Option<usize>,
}

impl Run {
    fn holds(&self, at: usize) -> bool {
        self.start <= at && at < self.end
    }
}

/// What the run of path characters a token starts in makes of it, by what follows the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Guess {
    /// `/` and then neither a blank, `/` nor `*`: a relative path.
    Relative,
    /// `>`: the end of a search path (for a token starting with `<`).
    Search,
    /// `:` and a URI character, with no `_` in the run: a URI (for a token starting with a
    /// letter).
    Uri,
    Other,
}

/// Characters of paths.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'.' | b'+' | b'-')
}

/// Characters of the run whose end decides between a relative path and other tokens: those
/// of paths but `/`.
fn is_run_byte(b: u8) -> bool {
    b != b'/' && is_path_byte(b)
}

/// Characters of the run after a `<`: a search path's, and `<`.
fn is_angle_run_byte(b: u8) -> bool {
    b == b'<' || is_path_byte(b)
}

fn is_uri_byte(b: u8) -> bool {
    is_path_byte(b)
        || matches!(
            b,
            b'%' | b'?' | b':' | b'@' | b'&' | b'=' | b'$' | b',' | b'!' | b'~' | b'*' | b'\''
        )
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'\'')
}

/// The tokenizer, an iterator of [`Token`]s.
pub struct Tokens<'a> {
    text: &'a str,
    /// The byte offset of the next token.
    at: usize,
    modes: Vec<Mode>,
    /// The last run of [`is_run_byte`]s scanned.
    run: Run,
    /// The last run of [`is_angle_run_byte`]s scanned.
    angle: Run,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.at;
        let kind = self.token()?;
        match self.text.get(start..self.at) {
            Some(text) if !text.is_empty() => Some((kind, text)),
            // Every token takes a byte or more and ends on a character boundary; were one not
            // to, stopping here keeps the iterator finite.
            _ => {
                self.at = self.text.len();
                None
            }
        }
    }
}

impl<'a> Tokens<'a> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    fn peek(&self) -> Option<u8> {
        self.byte(self.at)
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|s| s.chars().next())
    }

    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    /// Takes `s` if it comes next.
    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s.as_bytes());
        if found {
            self.at += s.len();
        }
        found
    }

    /// Takes the bytes that `f` accepts; returns how many.
    fn skip(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let n = self.rest().iter().take_while(|&&b| f(b)).count();
        self.at += n;
        n
    }

    /// Takes the next character, if any.
    fn skip_char(&mut self) {
        if let Some(c) = self.char_at(self.at) {
            self.at += c.len_utf8();
        }
    }

    /// The next token's kind, having moved past it; `None` at the end of the input.
    fn token(&mut self) -> Option<SyntaxKind> {
        let start = self.at;
        loop {
            match self.modes.last().copied() {
                Some(Mode::Opening) => {
                    self.modes.pop();
                    if self.eat("${") {
                        self.modes.push(Mode::Code { braces: 0 });
                        return Some(TOKEN_INTERPOL_START);
                    }
                    // Not reached: `Opening` is pushed only before a `${`.
                    continue;
                }
                Some(Mode::Path(kind)) => {
                    if self.eat("${") {
                        self.modes.push(Mode::Code { braces: 0 });
                        return Some(TOKEN_INTERPOL_START);
                    }
                    if self.peek().is_some_and(is_path_byte) {
                        return Some(self.path_piece(start, kind));
                    }
                    self.modes.pop();
                }
                Some(Mode::Text { indented }) => {
                    let kind = self.string_text(indented);
                    if self.at == start {
                        // Nothing before the closing quote or `${`.
                        continue;
                    }
                    return Some(kind);
                }
                Some(Mode::Closing) => {
                    self.modes.pop();
                    let closed = match self.peek() {
                        Some(b'"') => {
                            self.at += 1;
                            true
                        }
                        Some(b'\'') => {
                            self.at += 1;
                            self.eat("'")
                        }
                        _ => false,
                    };
                    return Some(if closed {
                        TOKEN_STRING_END
                    } else {
                        TOKEN_ERROR
                    });
                }
                Some(Mode::Code { .. }) | None => {}
            }
            break;
        }
        self.code_token(start)
    }

    /// A token of code (outside strings), from `start`, the current offset.
    fn code_token(&mut self, start: usize) -> Option<SyntaxKind> {
        let first = self.char_at(start)?;
        if first.is_whitespace() {
            // `char::is_whitespace`: ASCII's quickly, the rest decoded.
            loop {
                match self.peek() {
                    Some(b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') => self.at += 1,
                    Some(0x80..) => match self.char_at(self.at).filter(|c| c.is_whitespace()) {
                        Some(c) => self.at += c.len_utf8(),
                        None => break,
                    },
                    _ => break,
                }
            }
            return Some(TOKEN_WHITESPACE);
        }
        let rest = self.rest();
        if first == '#' {
            self.at += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            return Some(TOKEN_COMMENT);
        }
        if rest.starts_with(b"/*") {
            let body = rest.get(2..).unwrap_or_default();
            return Some(match memchr::memmem::find(body, b"*/") {
                Some(i) => {
                    self.at += 2 + i + 2;
                    TOKEN_COMMENT
                }
                None => {
                    self.at += rest.len();
                    TOKEN_ERROR
                }
            });
        }
        if self.eat("...") {
            return Some(TOKEN_ELLIPSIS);
        }
        let second = self.byte(start + 1);
        // The first byte: the arms below are all ASCII.
        match self.byte(start).unwrap_or_default() {
            b'/' => {
                if second == Some(b'/') {
                    self.at += 2;
                    return Some(TOKEN_UPDATE);
                }
                self.at += 1;
                if second.is_some_and(is_path_byte) || rest.starts_with(b"/${") {
                    return Some(self.new_path(start, TOKEN_PATH_ABS));
                }
                Some(TOKEN_DIV)
            }
            b'~' => {
                self.at += 1;
                if second == Some(b'/') {
                    self.at += 1;
                    return Some(self.new_path(start, TOKEN_PATH_HOME));
                }
                self.skip_char();
                Some(TOKEN_ERROR)
            }
            b'<' => Some(self.angle(start)),
            b if is_run_byte(b) => Some(self.run_token(start, b)),
            _ => Some(self.punctuation(first)),
        }
    }

    /// A token starting with a character of [`is_run_byte`]: a relative path, a number, a
    /// name, a keyword, a URI, `.`, `+`, `++`, `-` or `->`.
    fn run_token(&mut self, start: usize, first: u8) -> SyntaxKind {
        let guess = self.guess(start);
        self.at += 1;
        if guess == Guess::Relative {
            return self.new_path(start, TOKEN_PATH_REL);
        }
        match first {
            b'.' => {
                if self.skip(|b| b.is_ascii_digit()) > 0 {
                    self.exponent()
                } else {
                    TOKEN_DOT
                }
            }
            b'+' if self.eat("+") => TOKEN_CONCAT,
            b'+' => TOKEN_ADD,
            b'-' if self.eat(">") => TOKEN_IMPLICATION,
            b'-' => TOKEN_SUB,
            b'0'..=b'9' => self.number(first),
            _ if guess == Guess::Uri => {
                self.skip(|b| is_ident_byte(b) || is_uri_byte(b));
                TOKEN_URI
            }
            _ => {
                self.skip(is_ident_byte);
                match self.text.get(start..self.at).unwrap_or_default() {
                    "assert" => TOKEN_ASSERT,
                    "else" => TOKEN_ELSE,
                    "if" => TOKEN_IF,
                    "in" => TOKEN_IN,
                    "inherit" => TOKEN_INHERIT,
                    "let" => TOKEN_LET,
                    "or" => TOKEN_OR,
                    "rec" => TOKEN_REC,
                    "then" => TOKEN_THEN,
                    "with" => TOKEN_WITH,
                    _ => TOKEN_IDENT,
                }
            }
        }
    }

    /// A number whose first digit, `first`, was taken. C++ Nix's rules, which rnix's differ
    /// from: a float is `[1-9][0-9]*\.[0-9]*` or `0?\.[0-9]+`, so `0.x` is `0` and `.x` and
    /// `00.5` is `00` and `.5`; any other run of digits is an integer.
    fn number(&mut self, first: u8) -> SyntaxKind {
        let digits = self.skip(|b| b.is_ascii_digit());
        let after_dot = self.byte(self.at + 1);
        let float = self.peek() == Some(b'.')
            && match first {
                b'0' => digits == 0 && after_dot.is_some_and(|b| b.is_ascii_digit()),
                _ => true,
            };
        if !float {
            return TOKEN_INTEGER;
        }
        self.at += 1;
        self.skip(|b| b.is_ascii_digit());
        self.exponent()
    }

    /// The exponent of a float, if any, after its digits: `[Ee][+-]?[0-9]+`, or nothing
    /// (then `1.5e` is `1.5` and `e`, as in C++ Nix).
    fn exponent(&mut self) -> SyntaxKind {
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let before = self.at;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.skip(|b| b.is_ascii_digit()) == 0 {
                self.at = before;
            }
        }
        TOKEN_FLOAT
    }

    /// What the token at `at`, a byte of [`is_run_byte`], is by what follows its run: scanned
    /// once per run, whichever token of it asks.
    fn guess(&mut self, at: usize) -> Guess {
        if !self.run.holds(at) {
            let mut run = Run {
                start: at,
                end: at,
                last_underscore: None,
            };
            while let Some(b) = self.byte(run.end).filter(|&b| is_run_byte(b)) {
                if b == b'_' {
                    run.last_underscore = Some(run.end);
                }
                run.end += 1;
            }
            self.run = run;
        }
        let underscore = self.run.last_underscore.is_some_and(|u| u >= at);
        let end = self.run.end;
        match (self.byte(end), self.char_at(end + 1)) {
            (Some(b'/'), Some('/' | '*')) => Guess::Other,
            (Some(b'/'), Some(c)) if !c.is_whitespace() => Guess::Relative,
            (Some(b'>'), _) => Guess::Search,
            (Some(b':'), Some(c)) if !underscore && u8::try_from(c).is_ok_and(is_uri_byte) => {
                Guess::Uri
            }
            _ => Guess::Other,
        }
    }

    /// A token starting with `<`: a search path if a run of path characters and `<`s from it
    /// ends with `>` (the run scanned once, as in [`Self::guess`]), else an operator.
    fn angle(&mut self, start: usize) -> SyntaxKind {
        if !self.angle.holds(start) {
            let mut end = start;
            while self.byte(end).is_some_and(is_angle_run_byte) {
                end += 1;
            }
            self.angle = Run {
                start,
                end,
                last_underscore: None,
            };
        }
        let search = self.byte(self.angle.end) == Some(b'>');
        self.at += 1;
        if self.eat("|") {
            return TOKEN_PIPE_LEFT;
        }
        if search {
            if self.skip(is_path_byte) == 0 {
                // `<>` is no search path.
                return TOKEN_LESS;
            }
            if self.eat(">") {
                return TOKEN_PATH_SEARCH;
            }
            // A `<` inside: the text up to it is an error.
            self.skip_char();
            return TOKEN_ERROR;
        }
        if self.eat("=") {
            TOKEN_LESS_OR_EQ
        } else {
            TOKEN_LESS
        }
    }

    /// Operators and brackets that cannot start a path, and string openings; one character of
    /// anything else is an error.
    fn punctuation(&mut self, first: char) -> SyntaxKind {
        self.at += first.len_utf8();
        match first {
            '=' if self.eat("=") => TOKEN_EQUAL,
            '=' => TOKEN_ASSIGN,
            '!' if self.eat("=") => TOKEN_NOT_EQUAL,
            '!' => TOKEN_INVERT,
            '{' => {
                if let Some(Mode::Code { braces }) = self.modes.last_mut() {
                    *braces = braces.saturating_add(1);
                }
                TOKEN_L_BRACE
            }
            '}' => match self.modes.last_mut() {
                Some(Mode::Code { braces: 0 }) => {
                    self.modes.pop();
                    TOKEN_INTERPOL_END
                }
                Some(Mode::Code { braces }) => {
                    *braces -= 1;
                    TOKEN_R_BRACE
                }
                _ => TOKEN_R_BRACE,
            },
            '[' => TOKEN_L_BRACK,
            ']' => TOKEN_R_BRACK,
            '@' => TOKEN_AT,
            ':' => TOKEN_COLON,
            ',' => TOKEN_COMMA,
            '?' => TOKEN_QUESTION,
            ';' => TOKEN_SEMICOLON,
            '(' => TOKEN_L_PAREN,
            ')' => TOKEN_R_PAREN,
            '*' => TOKEN_MUL,
            '&' if self.eat("&") => TOKEN_AND_AND,
            '|' if self.eat(">") => TOKEN_PIPE_RIGHT,
            '|' if self.eat("|") => TOKEN_OR_OR,
            '>' if self.eat("=") => TOKEN_MORE_OR_EQ,
            '>' => TOKEN_MORE,
            '$' if self.eat("{") => {
                self.modes.push(Mode::Code { braces: 0 });
                TOKEN_INTERPOL_START
            }
            '"' => {
                self.modes.push(Mode::Text { indented: false });
                TOKEN_STRING_START
            }
            '\'' if self.eat("'") => {
                self.modes.push(Mode::Text { indented: true });
                TOKEN_STRING_START
            }
            _ => TOKEN_ERROR,
        }
    }

    /// A path's first piece, its first character (or `~/`) taken.
    fn new_path(&mut self, start: usize, kind: SyntaxKind) -> SyntaxKind {
        self.modes.push(Mode::Path(kind));
        self.path_piece(start, kind)
    }

    /// A piece of a path from `start` to the end of its path characters, `Mode::Path` on top:
    /// left there if `${` follows, else the path ends (an error if it ends with `/` or has
    /// `//` in its last piece).
    fn path_piece(&mut self, start: usize, kind: SyntaxKind) -> SyntaxKind {
        self.skip(is_path_byte);
        if self.rest().starts_with(b"${") {
            self.modes.push(Mode::Opening);
            return kind;
        }
        self.modes.pop();
        let piece = self.text.as_bytes().get(start..self.at).unwrap_or_default();
        if piece.ends_with(b"/") || memchr::memmem::find(piece, b"//").is_some() {
            TOKEN_ERROR
        } else {
            kind
        }
    }

    /// The text of a string up to its end, a `${` or the end of the input (an error, the
    /// string left open); `Mode::Text` on top. `\` (in `"` strings) and `''` (in indented
    /// ones) escape what follows them.
    fn string_text(&mut self, indented: bool) -> SyntaxKind {
        loop {
            let rest = self.rest();
            let next = if indented {
                memchr::memchr2(b'\'', b'$', rest)
            } else {
                memchr::memchr3(b'"', b'\\', b'$', rest)
            };
            let Some(i) = next else {
                self.at += rest.len();
                self.modes.pop();
                return TOKEN_ERROR;
            };
            self.at += i;
            let after = |n: usize| rest.get(i + n).copied();
            match after(0) {
                Some(b'"') => {
                    self.modes.pop();
                    self.modes.push(Mode::Closing);
                    return TOKEN_STRING_CONTENT;
                }
                Some(b'\\') => {
                    if after(1).is_none() {
                        self.at += 1;
                        return TOKEN_ERROR;
                    }
                    self.at += 2;
                }
                Some(b'\'') => match (after(1), after(2)) {
                    (None, _) => {
                        self.at += 1;
                        return TOKEN_ERROR;
                    }
                    (Some(b'\''), Some(b'\'' | b'$')) => self.at += 3,
                    (Some(b'\''), Some(b'\\')) => {
                        if after(3).is_none() {
                            self.at += 3;
                            return TOKEN_ERROR;
                        }
                        self.at += 4;
                    }
                    (Some(b'\''), _) => {
                        self.modes.pop();
                        self.modes.push(Mode::Closing);
                        return TOKEN_STRING_CONTENT;
                    }
                    (Some(_), _) => self.at += 1,
                },
                Some(b'$') => match after(1) {
                    Some(b'$') => self.at += 2,
                    Some(b'{') => {
                        self.modes.push(Mode::Opening);
                        return TOKEN_STRING_CONTENT;
                    }
                    _ => self.at += 1,
                },
                _ => self.at += 1,
            }
        }
    }
}
