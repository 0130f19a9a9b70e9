//! `toJSON` and `fromJSON`, byte for byte as C++ Nix (which uses nlohmann/json): the same
//! number formatting, string escapes, UTF-8 checks and parse error messages.
//!
//! Both walk with explicit stacks: any nesting depth costs heap, not native stack. `toJSON`
//! declares its nesting to the scheduler, so a structure deeper than max-call-depth fails as it
//! does in C++ Nix.

use super::string_no_ctx_of;
use crate::errors::{Error, Span};
use crate::print::print_error_value;
use crate::value::{Attrs, NixContext, NixString, Symbol, Value, sym};
use crate::vm::request::{self, Catch, Co, call, try_force};
use std::collections::BTreeMap;
use std::fmt::Write as _;

crate::declare_builtins! {
    /// The JSON text of a value, evaluated deeply. Attributes come out sorted by name; a set
    /// with `__toString` or `outPath` stands for that string; paths are copied to the store
    /// and strings keep their context. Functions cannot be converted.
    ///
    /// ```nix
    /// builtins.toJSON { b = [ 1 2.5 null true ]; a = "x\n"; }
    /// => "{\"a\":\"x\\n\",\"b\":[1,2.5,null,true]}"
    /// ```
    ///
    /// ```nix
    /// builtins.toJSON { c = { outPath = "/p"; }; s = { __toString = self: "str"; }; }
    /// => "{\"c\":\"/p\",\"s\":\"str\"}"
    /// ```
    "toJSON" => async fn to_json(value: Lazy);

    /// Parses JSON text into a Nix value: objects become sets, numbers integers or floats.
    ///
    /// ```nix
    /// builtins.fromJSON ''{"b": [1, 2.5, true, null], "a": {"c": "d"}}''
    /// => { a = { c = "d"; }; b = [ 1 2.5 true null ]; }
    /// ```
    ///
    /// ```nix
    /// builtins.fromJSON "[1,]"
    /// => error: syntax error while parsing value - unexpected ']'
    /// ```
    "fromJSON" => fn from_json(text: Strict);
}

// Serialisation.

enum Item {
    Value(Entry),
    Text(&'static str),
    Key(Symbol),
}

/// A value `toJSON` is still to write.
struct Entry {
    value: Value,
    /// Its logical depth (max-call-depth).
    depth: u32,
    /// How much of the trail is its parent's.
    level: usize,
    /// What it is in its parent, and where.
    place: Option<(Place, Option<Span>)>,
    /// Its position (C++ Nix's `pos` of `printValueAsJSON`): its attribute's definition, or
    /// its list's position.
    pos: Option<Span>,
}

/// Appends `s` as a JSON string. The first invalid UTF-8 found is reported as nlohmann's
/// serializer does (only once the whole value has been evaluated, as it is in C++ Nix).
/// `s` as a JSON string, quoted and escaped as `toJSON` writes it.
pub(crate) fn json_quote(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    json_string(&mut out, s.as_bytes(), &mut None);
    String::from_utf8_lossy(&out).into_owned()
}

fn json_string(out: &mut Vec<u8>, s: &[u8], bad_utf8: &mut Option<String>) {
    out.push(b'"');
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 => {
                let _ = write!(WriteBytes(out), "\\u{c:04x}");
            }
            c if c < 0x80 => out.push(c),
            _ => {
                let len = utf8_sequence(s, i);
                match len {
                    Ok(n) => {
                        out.extend_from_slice(&s[i..i + n]);
                        i += n;
                        continue;
                    }
                    Err(msg) => {
                        bad_utf8.get_or_insert(msg);
                        out.push(c);
                    }
                }
            }
        }
        i += 1;
    }
    out.push(b'"');
}

/// The length of the UTF-8 sequence starting at `s[i]` (not ASCII), or nlohmann's message for
/// the byte that makes it invalid.
fn utf8_sequence(s: &[u8], i: usize) -> Result<usize, String> {
    let lead = s[i];
    let ranges: &[(u8, u8)] = match lead {
        0xc2..=0xdf => &[(0x80, 0xbf)],
        0xe0 => &[(0xa0, 0xbf), (0x80, 0xbf)],
        0xe1..=0xec | 0xee..=0xef => &[(0x80, 0xbf), (0x80, 0xbf)],
        0xed => &[(0x80, 0x9f), (0x80, 0xbf)],
        0xf0 => &[(0x90, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
        0xf1..=0xf3 => &[(0x80, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
        0xf4 => &[(0x80, 0x8f), (0x80, 0xbf), (0x80, 0xbf)],
        _ => return Err(invalid_byte(i, lead)),
    };
    for (k, &(lo, hi)) in ranges.iter().enumerate() {
        let j = i + 1 + k;
        match s.get(j) {
            Some(&b) if lo <= b && b <= hi => {}
            Some(&b) => return Err(invalid_byte(j, b)),
            None => {
                return Err(format!(
                    "incomplete UTF-8 string; last byte: 0x{:02X}",
                    s[s.len() - 1]
                ));
            }
        }
    }
    Ok(ranges.len() + 1)
}

fn invalid_byte(index: usize, byte: u8) -> String {
    format!("invalid UTF-8 byte at index {index}: 0x{byte:02X}")
}

struct WriteBytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for WriteBytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A float as nlohmann/json prints it: the shortest digits that read back the same, in fixed
/// notation for decimal exponents -4..15 (always with a fraction), else as `1.5e+20`.
pub fn json_float(x: f64) -> String {
    if !x.is_finite() {
        return "null".into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // The value is 0.d1d2... * 10^n.
    let n = exp + 1;
    let body = if k <= n && n <= 15 {
        format!("{digits}{}.0", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 15 {
        let (a, b) = digits.split_at(n as usize);
        format!("{a}.{b}")
    } else if -4 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let m = if k == 1 {
            digits
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{m}e{e_sign}{:02}", e.abs())
    };
    format!("{sign}{body}")
}

/// C++ Nix's message for a value that cannot be a JSON value (its `showType` names builtins).
fn cannot_convert(v: &Value) -> Error {
    let what = match v {
        Value::Builtin(p) if p.args.is_empty() => {
            format!("the built-in function '{}'", p.builtin.name)
        }
        Value::Builtin(p) => format!(
            "the partially applied built-in function '{}'",
            p.builtin.name
        ),
        other => other.type_name().to_string(),
    };
    Error::new(format!("cannot convert {what} to JSON"))
}

/// One line of where `toJSON`'s walk is, as C++ Nix's `printValueAsJSON` and
/// `peelToStringOutPath` add them to an error on the way out: the attribute or list element
/// being written, and the `__toString` results and `outPath`s followed to reach it.
#[derive(Clone, Copy)]
enum Place {
    Attr(Symbol),
    Element(usize),
    ToString,
    OutPath,
}

/// `e` with the lines of `trail` (outermost first), innermost first; the innermost says
/// `evaluating` an `outPath` whose evaluation failed (`forcing`), `using` otherwise.
fn add_trail(mut e: Error, trail: &[(Place, Option<Span>)], forcing: bool) -> Error {
    for (i, (place, at)) in trail.iter().enumerate().rev() {
        let what = match place {
            Place::Attr(k) => format!("while evaluating attribute '{k}'"),
            Place::Element(i) => format!("while evaluating list element at index {i}"),
            Place::ToString => "while using the result of the `__toString` attribute".into(),
            Place::OutPath if forcing && i + 1 == trail.len() => {
                "while evaluating the `outPath` attribute".into()
            }
            Place::OutPath => "while using the `outPath` attribute".into(),
        };
        e.add_trace(*at, what);
    }
    e
}

fn at(e: Error, span: Option<Span>) -> Error {
    match span {
        Some(s) => e.at(s),
        None => e,
    }
}

/// The value an attribute set stands for in JSON: the result of `__toString`, or its `outPath`,
/// followed as far as they go (C++ Nix's `peelToStringOutPath`), each step on the trail.
/// `depth` grows with each step. An error says where it is, `pos` the position of the value.
async fn peel(
    co: &Co,
    v: Value,
    depth: &mut u32,
    pos: Option<Span>,
    trail: &mut Vec<(Place, Option<Span>)>,
) -> Result<Value, Error> {
    let mut v = v;
    let mut pos = pos;
    let mut through_to_string = false;
    loop {
        let Value::Attrs(a) = &v else {
            if through_to_string && !matches!(v, Value::String(_) | Value::Path(_)) {
                let e = Error::new(format!(
                    "`__toString` should return a string, but got {}: {}",
                    v.type_name(),
                    print_error_value(&v)
                ));
                return Err(add_trail(at(e, pos), trail, false));
            }
            return Ok(v);
        };
        if let Some(f) = a.get(sym!("__toString")) {
            let f = f.clone();
            pos = a.position(sym!("__toString"));
            v = call(co, f, v.clone()).await;
            trail.push((Place::ToString, pos));
            through_to_string = true;
        } else if let Some(p) = a.get(sym!("outPath")) {
            pos = a.position(sym!("outPath"));
            trail.push((Place::OutPath, pos));
            v = try_force(co, p.clone(), Catch::Any)
                .await
                .map_err(|e| add_trail(e, trail, true))?;
        } else if through_to_string {
            let e = Error::new(format!(
                "`__toString` must return a string, but got {}: {}",
                v.type_name(),
                print_error_value(&v)
            ));
            return Err(add_trail(at(e, pos), trail, false));
        } else {
            return Ok(v);
        }
        *depth += 1;
        request::depth(co, *depth).await;
    }
}

/// The JSON text of a value, forcing it deeply, with the context of the strings in it. An error
/// in it says where, as C++ Nix's `printValueAsJSON` does: `while evaluating attribute 'x'` at
/// its definition, `while evaluating list element at index N` at the list's position.
pub async fn to_json_string(co: &Co, v: Value) -> Result<NixString, Error> {
    let mut out: Vec<u8> = Vec::new();
    let mut context: Option<NixContext> = None;
    let mut bad_utf8: Option<String> = None;
    let mut stack = vec![Item::Value(Entry {
        value: v,
        depth: 1,
        level: 0,
        place: None,
        pos: None,
    })];
    // Where the value being written is: the trail of the one before, cut to its parent's.
    let mut trail: Vec<(Place, Option<Span>)> = Vec::new();
    let mut declared = 0;
    while let Some(item) = stack.pop() {
        let entry = match item {
            Item::Text(t) => {
                out.extend_from_slice(t.as_bytes());
                continue;
            }
            Item::Key(k) => {
                json_string(&mut out, k.as_bytes(), &mut bad_utf8);
                out.push(b':');
                continue;
            }
            Item::Value(entry) => entry,
        };
        let Entry {
            value: v,
            mut depth,
            level,
            place,
            pos,
        } = entry;
        trail.truncate(level);
        trail.extend(place);
        if depth > declared || depth + 64 < declared {
            declared = depth;
            if let Err(e) = request::try_depth(co, depth).await {
                return Err(add_trail(at(e, pos), &trail, false));
            }
        }
        let mut v = try_force(co, v, Catch::Any)
            .await
            .map_err(|e| add_trail(e, &trail, false))?;
        if let Value::Attrs(_) = v {
            v = peel(co, v, &mut depth, pos, &mut trail).await?;
        }
        let level = trail.len();
        match &v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if b.get() { b"true" } else { b"false" }),
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) => out.extend_from_slice(json_float(f.get()).as_bytes()),
            Value::String(_) | Value::Path(_) => {
                // Paths are copied to the store, as in string interpolation.
                let s = match &v {
                    Value::String(s) => s.clone(),
                    _ => {
                        let how = crate::vm::walk::Coercion::INTERPOLATION;
                        crate::vm::walk::coerce_to_string(co, v.clone(), how).await?
                    }
                };
                if let Some(c) = s.context() {
                    context
                        .get_or_insert_with(Default::default)
                        .extend(c.iter().cloned());
                }
                json_string(&mut out, s.as_bytes(), &mut bad_utf8);
            }
            Value::List(l) => {
                out.push(b'[');
                stack.push(Item::Text("]"));
                for (i, x) in l.iter().enumerate().rev() {
                    stack.push(Item::Value(Entry {
                        value: x.clone(),
                        depth: depth + 1,
                        level,
                        place: Some((Place::Element(i), pos)),
                        pos,
                    }));
                    if i > 0 {
                        stack.push(Item::Text(","));
                    }
                }
            }
            Value::Attrs(a) => {
                out.push(b'{');
                stack.push(Item::Text("}"));
                for (i, (k, x)) in a.iter().enumerate().rev() {
                    let at = a.position_of_entry(i);
                    stack.push(Item::Value(Entry {
                        value: x.clone(),
                        depth: depth + 1,
                        level,
                        place: Some((Place::Attr(k), at)),
                        pos: at,
                    }));
                    stack.push(Item::Key(k));
                    if i > 0 {
                        stack.push(Item::Text(","));
                    }
                }
            }
            Value::Closure(_) | Value::Builtin(_) | Value::Thunk(_) => {
                return Err(add_trail(cannot_convert(&v), &trail, false));
            }
        }
    }
    if let Some(msg) = bad_utf8 {
        return Err(Error::new(format!(
            "JSON serialization error: [json.exception.type_error.316] {msg}"
        )));
    }
    Ok(NixString::new(out, context))
}

async fn to_json(co: Co, value: Value) -> Result<Value, Error> {
    Ok(Value::String(to_json_string(&co, value).await?))
}

// Parsing: a port of nlohmann/json's lexer and SAX parser, so the same inputs are accepted and
// the same messages (positions included) come out.

#[derive(Clone, Copy, PartialEq)]
enum Token {
    Uninitialized,
    True,
    False,
    Null,
    String,
    Unsigned(u64),
    Integer(i64),
    Float(f64),
    BeginArray,
    BeginObject,
    EndArray,
    EndObject,
    NameSeparator,
    ValueSeparator,
    ParseError,
    EndOfInput,
    LiteralOrValue,
}

fn token_name(t: Token) -> &'static str {
    match t {
        Token::Uninitialized => "<uninitialized>",
        Token::True => "true literal",
        Token::False => "false literal",
        Token::Null => "null literal",
        Token::String => "string literal",
        Token::Unsigned(_) | Token::Integer(_) | Token::Float(_) => "number literal",
        Token::BeginArray => "'['",
        Token::BeginObject => "'{'",
        Token::EndArray => "']'",
        Token::EndObject => "'}'",
        Token::NameSeparator => "':'",
        Token::ValueSeparator => "','",
        Token::ParseError => "<parse error>",
        Token::EndOfInput => "end of input",
        Token::LiteralOrValue => "'[', '{', or a literal",
    }
}

struct Lexer<'a> {
    input: &'a [u8],
    next: usize,
    /// The current character; `None` at the end of the input.
    current: Option<u8>,
    next_unget: bool,
    chars_read_total: usize,
    chars_read_current_line: usize,
    lines_read: usize,
    /// Every character read since the start of the last string or number (for messages).
    token_string: Vec<u8>,
    /// The decoded string of the last string token.
    buffer: Vec<u8>,
    error_message: &'static str,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8]) -> Self {
        Lexer {
            input,
            next: 0,
            current: None,
            next_unget: false,
            chars_read_total: 0,
            chars_read_current_line: 0,
            lines_read: 0,
            token_string: Vec::new(),
            buffer: Vec::new(),
            error_message: "",
        }
    }

    fn get(&mut self) -> Option<u8> {
        self.chars_read_total += 1;
        self.chars_read_current_line += 1;
        if self.next_unget {
            self.next_unget = false;
        } else {
            self.current = self.input.get(self.next).copied();
            if self.current.is_some() {
                self.next += 1;
            }
        }
        if let Some(c) = self.current {
            self.token_string.push(c);
            if c == b'\n' {
                self.lines_read += 1;
                self.chars_read_current_line = 0;
            }
        }
        self.current
    }

    fn unget(&mut self) {
        self.next_unget = true;
        self.chars_read_total -= 1;
        if self.chars_read_current_line == 0 {
            self.lines_read = self.lines_read.saturating_sub(1);
        } else {
            self.chars_read_current_line -= 1;
        }
        if self.current.is_some() {
            self.token_string.pop();
        }
    }

    fn reset(&mut self) {
        self.buffer.clear();
        self.token_string.clear();
        if let Some(c) = self.current {
            self.token_string.push(c);
        }
    }

    fn token_string(&self) -> String {
        let mut out = String::new();
        for &c in &self.token_string {
            if c <= 0x1f {
                let _ = write!(out, "<U+{c:04X}>");
            } else {
                out.push_str(&String::from_utf8_lossy(&[c]));
            }
        }
        out
    }

    fn fail(&mut self, message: &'static str) -> Token {
        self.error_message = message;
        Token::ParseError
    }

    fn scan(&mut self) -> Token {
        if self.chars_read_total == 0 {
            if self.get() == Some(0xef) {
                if !(self.get() == Some(0xbb) && self.get() == Some(0xbf)) {
                    return self.fail("invalid BOM; must be 0xEF 0xBB 0xBF if given");
                }
            } else {
                self.unget();
            }
        }
        loop {
            self.get();
            if !matches!(self.current, Some(b' ' | b'\t' | b'\n' | b'\r')) {
                break;
            }
        }
        match self.current {
            Some(b'[') => Token::BeginArray,
            Some(b']') => Token::EndArray,
            Some(b'{') => Token::BeginObject,
            Some(b'}') => Token::EndObject,
            Some(b':') => Token::NameSeparator,
            Some(b',') => Token::ValueSeparator,
            Some(b't') => self.literal(b"true", Token::True),
            Some(b'f') => self.literal(b"false", Token::False),
            Some(b'n') => self.literal(b"null", Token::Null),
            Some(b'"') => self.string(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(0) | None => Token::EndOfInput,
            Some(_) => self.fail("invalid literal"),
        }
    }

    fn literal(&mut self, text: &[u8], token: Token) -> Token {
        for &c in &text[1..] {
            if self.get() != Some(c) {
                return self.fail("invalid literal");
            }
        }
        token
    }

    fn codepoint(&mut self) -> Option<u32> {
        let mut cp = 0;
        for _ in 0..4 {
            let d = (self.get()? as char).to_digit(16)?;
            cp = cp * 16 + d;
        }
        Some(cp)
    }

    fn in_ranges(&mut self, ranges: &[(u8, u8)]) -> bool {
        if let Some(c) = self.current {
            self.buffer.push(c);
        }
        for &(lo, hi) in ranges {
            match self.get() {
                Some(c) if lo <= c && c <= hi => self.buffer.push(c),
                _ => {
                    self.error_message = "invalid string: ill-formed UTF-8 byte";
                    return false;
                }
            }
        }
        true
    }

    fn string(&mut self) -> Token {
        self.reset();
        loop {
            let Some(c) = self.get() else {
                return self.fail("invalid string: missing closing quote");
            };
            let ranges: &[(u8, u8)] = match c {
                b'"' => return Token::String,
                b'\\' => {
                    let e = match self.get() {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => match self.unicode_escape() {
                            Ok(()) => continue,
                            Err(message) => return self.fail(message),
                        },
                        _ => {
                            return self
                                .fail("invalid string: forbidden character after backslash");
                        }
                    };
                    self.buffer.push(e);
                    continue;
                }
                0..=0x1f => {
                    self.error_message = control_message(c);
                    return Token::ParseError;
                }
                0x20..=0x7f => {
                    self.buffer.push(c);
                    continue;
                }
                0xc2..=0xdf => &[(0x80, 0xbf)],
                0xe0 => &[(0xa0, 0xbf), (0x80, 0xbf)],
                0xe1..=0xec | 0xee..=0xef => &[(0x80, 0xbf), (0x80, 0xbf)],
                0xed => &[(0x80, 0x9f), (0x80, 0xbf)],
                0xf0 => &[(0x90, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
                0xf1..=0xf3 => &[(0x80, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
                0xf4 => &[(0x80, 0x8f), (0x80, 0xbf), (0x80, 0xbf)],
                _ => return self.fail("invalid string: ill-formed UTF-8 byte"),
            };
            if !self.in_ranges(ranges) {
                return Token::ParseError;
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<(), &'static str> {
        const HEX: &str = "invalid string: '\\u' must be followed by 4 hex digits";
        const HIGH: &str =
            "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
        let cp1 = self.codepoint().ok_or(HEX)?;
        let cp = if (0xd800..=0xdbff).contains(&cp1) {
            if !(self.get() == Some(b'\\') && self.get() == Some(b'u')) {
                return Err(HIGH);
            }
            let cp2 = self.codepoint().ok_or(HEX)?;
            if !(0xdc00..=0xdfff).contains(&cp2) {
                return Err(HIGH);
            }
            (cp1 << 10) + cp2 - 0x35f_dc00
        } else if (0xdc00..=0xdfff).contains(&cp1) {
            return Err("invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF");
        } else {
            cp1
        };
        let ch = char::from_u32(cp).ok_or(HEX)?;
        let mut buf = [0; 4];
        self.buffer
            .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn number(&mut self) -> Token {
        self.reset();
        let mut text = String::new();
        // 0: unsigned, 1: integer, 2: float
        let mut kind = 0;
        let digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
        let first = self.current.unwrap_or(b'0');
        text.push(first as char);
        if first == b'-' {
            kind = 1;
            if !digit(self.get()) {
                return self.fail("invalid number; expected digit after '-'");
            }
            text.push(self.current.unwrap_or(b'0') as char);
        }
        // The integer part: a zero stands alone.
        if !text.ends_with('0') {
            while digit(self.get()) {
                text.push(self.current.unwrap_or(b'0') as char);
            }
        } else {
            self.get();
        }
        if self.current == Some(b'.') {
            kind = 2;
            text.push('.');
            if !digit(self.get()) {
                return self.fail("invalid number; expected digit after '.'");
            }
            text.push(self.current.unwrap_or(b'0') as char);
            while digit(self.get()) {
                text.push(self.current.unwrap_or(b'0') as char);
            }
        }
        if matches!(self.current, Some(b'e' | b'E')) {
            kind = 2;
            text.push('e');
            match self.get() {
                Some(c @ (b'+' | b'-')) => {
                    text.push(c as char);
                    if !digit(self.get()) {
                        return self.fail("invalid number; expected digit after exponent sign");
                    }
                }
                Some(b'0'..=b'9') => {}
                _ => {
                    return self.fail("invalid number; expected '+', '-', or digit after exponent");
                }
            }
            text.push(self.current.unwrap_or(b'0') as char);
            while digit(self.get()) {
                text.push(self.current.unwrap_or(b'0') as char);
            }
        }
        self.unget();
        if kind == 0
            && let Ok(u) = text.parse::<u64>()
        {
            return Token::Unsigned(u);
        }
        if kind == 1
            && let Ok(i) = text.parse::<i64>()
        {
            return Token::Integer(i);
        }
        Token::Float(text.parse::<f64>().unwrap_or(f64::INFINITY))
    }
}

fn control_message(c: u8) -> &'static str {
    // The messages name each control character, as nlohmann/json's do.
    const MESSAGES: [&str; 32] = [
        "invalid string: control character U+0000 (NUL) must be escaped to \\u0000",
        "invalid string: control character U+0001 (SOH) must be escaped to \\u0001",
        "invalid string: control character U+0002 (STX) must be escaped to \\u0002",
        "invalid string: control character U+0003 (ETX) must be escaped to \\u0003",
        "invalid string: control character U+0004 (EOT) must be escaped to \\u0004",
        "invalid string: control character U+0005 (ENQ) must be escaped to \\u0005",
        "invalid string: control character U+0006 (ACK) must be escaped to \\u0006",
        "invalid string: control character U+0007 (BEL) must be escaped to \\u0007",
        "invalid string: control character U+0008 (BS) must be escaped to \\u0008 or \\b",
        "invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t",
        "invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n",
        "invalid string: control character U+000B (VT) must be escaped to \\u000B",
        "invalid string: control character U+000C (FF) must be escaped to \\u000C or \\f",
        "invalid string: control character U+000D (CR) must be escaped to \\u000D or \\r",
        "invalid string: control character U+000E (SO) must be escaped to \\u000E",
        "invalid string: control character U+000F (SI) must be escaped to \\u000F",
        "invalid string: control character U+0010 (DLE) must be escaped to \\u0010",
        "invalid string: control character U+0011 (DC1) must be escaped to \\u0011",
        "invalid string: control character U+0012 (DC2) must be escaped to \\u0012",
        "invalid string: control character U+0013 (DC3) must be escaped to \\u0013",
        "invalid string: control character U+0014 (DC4) must be escaped to \\u0014",
        "invalid string: control character U+0015 (NAK) must be escaped to \\u0015",
        "invalid string: control character U+0016 (SYN) must be escaped to \\u0016",
        "invalid string: control character U+0017 (ETB) must be escaped to \\u0017",
        "invalid string: control character U+0018 (CAN) must be escaped to \\u0018",
        "invalid string: control character U+0019 (EM) must be escaped to \\u0019",
        "invalid string: control character U+001A (SUB) must be escaped to \\u001A",
        "invalid string: control character U+001B (ESC) must be escaped to \\u001B",
        "invalid string: control character U+001C (FS) must be escaped to \\u001C",
        "invalid string: control character U+001D (GS) must be escaped to \\u001D",
        "invalid string: control character U+001E (RS) must be escaped to \\u001E",
        "invalid string: control character U+001F (US) must be escaped to \\u001F",
    ];
    MESSAGES[(c & 0x1f) as usize]
}

/// A container being filled while parsing.
enum Open {
    List(Vec<Value>),
    /// Entries so far (a later duplicate key replaces an earlier one) and the pending key.
    Object(BTreeMap<Symbol, Value>, Symbol),
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    last: Token,
}

impl Parser<'_> {
    fn next_token(&mut self) -> Token {
        self.last = self.lexer.scan();
        self.last
    }

    fn error(&self, expected: Token, context: &str) -> Error {
        let mut msg = format!("syntax error while parsing {context} - ");
        if self.last == Token::ParseError {
            let _ = write!(
                msg,
                "{}; last read: '{}'",
                self.lexer.error_message,
                self.lexer.token_string()
            );
        } else {
            let _ = write!(msg, "unexpected {}", token_name(self.last));
        }
        if expected != Token::Uninitialized {
            let _ = write!(msg, "; expected {}", token_name(expected));
        }
        self.parse_error(&msg)
    }

    fn parse_error(&self, msg: &str) -> Error {
        Error::new(format!(
            "[json.exception.parse_error.101] parse error at line {}, column {}: {msg}",
            self.lexer.lines_read + 1,
            self.lexer.chars_read_current_line
        ))
    }

    /// The string of the last string token, which a Nix string cannot hold if it has NUL bytes.
    fn string(&self) -> Result<NixString, Error> {
        let s = &self.lexer.buffer;
        if s.contains(&0) {
            let shown = String::from_utf8_lossy(s).replace('\0', "␀");
            return Err(Error::new(format!(
                "input string '{shown}' cannot be represented as Nix string because it contains null bytes"
            )));
        }
        Ok(NixString::from(s.as_slice()))
    }

    /// After `{` or `,` in an object: the key and the `:` after it.
    fn key(&mut self) -> Result<NixString, Error> {
        if self.last != Token::String {
            return Err(self.error(Token::String, "object key"));
        }
        let key = self.string()?;
        if self.next_token() != Token::NameSeparator {
            return Err(self.error(Token::NameSeparator, "object separator"));
        }
        Ok(key)
    }

    fn parse(&mut self) -> Result<Value, Error> {
        let mut stack: Vec<Open> = Vec::new();
        self.next_token();
        loop {
            // A value starts at the current token.
            let mut value = match self.last {
                Token::BeginObject => {
                    if self.next_token() == Token::EndObject {
                        Value::attrs(Attrs::new())
                    } else {
                        let key = self.key()?;
                        stack.push(Open::Object(BTreeMap::new(), Symbol::from(&key)));
                        self.next_token();
                        continue;
                    }
                }
                Token::BeginArray => {
                    if self.next_token() == Token::EndArray {
                        Value::list(Vec::new())
                    } else {
                        stack.push(Open::List(Vec::new()));
                        continue;
                    }
                }
                Token::Float(f) => {
                    if !f.is_finite() {
                        return Err(Error::new(format!(
                            "[json.exception.out_of_range.406] number overflow parsing '{}'",
                            self.lexer.token_string()
                        )));
                    }
                    Value::float(f)
                }
                Token::False => Value::bool(false),
                Token::True => Value::bool(true),
                Token::Null => Value::Null,
                Token::Integer(i) => Value::Int(i),
                Token::Unsigned(u) => match i64::try_from(u) {
                    Ok(i) => Value::Int(i),
                    Err(_) => {
                        return Err(Error::new(format!(
                            "unsigned json number {u} outside of Nix integer range"
                        )));
                    }
                },
                Token::String => Value::String(self.string()?),
                Token::ParseError => return Err(self.error(Token::Uninitialized, "value")),
                Token::EndOfInput if self.lexer.chars_read_total == 1 => {
                    return Err(self.parse_error(
                        "attempting to parse an empty input; check that your input string or stream contains the expected JSON",
                    ));
                }
                _ => return Err(self.error(Token::LiteralOrValue, "value")),
            };
            // Close containers the value completes.
            loop {
                match stack.last_mut() {
                    None => {
                        if self.next_token() != Token::EndOfInput {
                            return Err(self.error(Token::EndOfInput, "value"));
                        }
                        return Ok(value);
                    }
                    Some(Open::List(items)) => {
                        items.push(value);
                        match self.next_token() {
                            Token::ValueSeparator => {
                                self.next_token();
                                break;
                            }
                            Token::EndArray => {}
                            _ => return Err(self.error(Token::EndArray, "array")),
                        }
                    }
                    Some(Open::Object(entries, key)) => {
                        entries.insert(*key, value);
                        match self.next_token() {
                            Token::ValueSeparator => {
                                self.next_token();
                                *key = Symbol::from(&self.key()?);
                                self.next_token();
                                break;
                            }
                            Token::EndObject => {}
                            _ => return Err(self.error(Token::EndObject, "object")),
                        }
                    }
                }
                value = match stack.pop() {
                    Some(Open::List(items)) => Value::list(items),
                    Some(Open::Object(entries, _)) => {
                        Value::attrs(Attrs::from_sorted(entries.into_iter().collect()))
                    }
                    None => Value::Null,
                };
            }
        }
    }
}

/// Parses JSON text into a Nix value as C++ Nix's `fromJSON` does.
pub fn parse_json(text: &[u8]) -> Result<Value, Error> {
    let mut parser = Parser {
        lexer: Lexer::new(text),
        last: Token::Uninitialized,
    };
    parser.parse()
}

fn from_json(text: &Value) -> Result<Value, Error> {
    parse_json(string_no_ctx_of(text)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(s: &str) -> String {
        match parse_json(s.as_bytes()) {
            Err(e) => e.message.clone(),
            Ok(_) => "ok".into(),
        }
    }

    #[test]
    fn floats_print_like_nlohmann() {
        assert_eq!(json_float(1.0), "1.0");
        assert_eq!(json_float(1e16), "1e+16");
        assert_eq!(json_float(1e15), "1e+15");
        assert_eq!(json_float(1e14), "100000000000000.0");
        assert_eq!(json_float(0.0001), "0.0001");
        assert_eq!(json_float(0.00001), "1e-05");
        assert_eq!(json_float(-0.0), "-0.0");
        assert_eq!(json_float(1.44), "1.44");
        assert_eq!(json_float(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(json_float(123456789.123), "123456789.123");
        assert_eq!(json_float(1.5e300), "1.5e+300");
        assert_eq!(json_float(-2.5e-300), "-2.5e-300");
        assert_eq!(json_float(f64::NAN), "null");
    }

    #[test]
    fn parse_errors_read_like_nlohmann() {
        assert_eq!(
            parse_err(""),
            "[json.exception.parse_error.101] parse error at line 1, column 1: attempting to parse an empty input; check that your input string or stream contains the expected JSON"
        );
        assert_eq!(
            parse_err("tru"),
            "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error while parsing value - invalid literal; last read: 'tru'"
        );
        assert_eq!(
            parse_err("[1,]"),
            "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal"
        );
        assert_eq!(
            parse_err("{\"a\" 1}"),
            "[json.exception.parse_error.101] parse error at line 1, column 6: syntax error while parsing object separator - unexpected number literal; expected ':'"
        );
        assert_eq!(
            parse_err("1 2"),
            "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error while parsing value - unexpected number literal; expected end of input"
        );
        assert_eq!(
            parse_err("9223372036854775808"),
            "unsigned json number 9223372036854775808 outside of Nix integer range"
        );
        assert_eq!(parse_err("[[[[]]],{\"a\":{\"b\":[1,2.5,-3]}}]"), "ok");
    }
}
