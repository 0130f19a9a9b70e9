//! `match` and `split`: POSIX extended regular expressions as C++ Nix reads them
//! (`std::regex::extended` of libstdc++), run by `regex-automata`.
//!
//! A pattern is translated into regex-syntax over bytes: every literal becomes `\xHH`, bracket
//! expressions keep POSIX rules (a backslash is literal, `]` first is literal, `[:class:]`),
//! stacked quantifiers (`a+?`, `a**`) nest instead of turning lazy, and escapes of ordinary
//! characters are errors as in libstdc++. Matches are leftmost-longest as in POSIX: the leftmost
//! start comes from a leftmost-first search, the longest end from an anchored `MatchKind::All`
//! search at that start. Compiled patterns are cached per thread.
//!
//! One more libstdc++ rule: its backtracking matcher takes one more iteration of a loop at the
//! position where the loop would end, if the loop's body can match the empty string there; so a
//! group that is the whole body of a greedy unbounded loop (`(a*)+`, `(|a)*`) ends up holding the
//! empty string (`match "(a*)+" "aa"` is `[ "" ]`), while groups inside that body keep what
//! their last non-empty iteration matched. regex-automata's parse keeps the last non-empty
//! iteration, so those groups are emptied afterwards (`Compiled::emptied`).

use super::string_no_ctx_of;
use super::string_of;
use crate::errors::Error;
use crate::value::{NixString, Ret, Value};
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use rustc_hash::FxHashMap;
use std::cell::{OnceCell, RefCell};
use std::fmt::Write as _;
use std::rc::Rc;

crate::declare_builtins! {
    /// Matches a whole string against a POSIX extended regular expression: `null` if it does
    /// not match, else the list of what each group matched (`null` for a group that took no
    /// part). The regular expression is checked before the string is evaluated.
    ///
    /// ```nix
    /// builtins.match "([a-z]+)-([0-9.]+)(-.*)?" "hello-2.12.1"
    /// => [ "hello" "2.12.1" null ]
    /// ```
    ///
    /// ```nix
    /// builtins.match "a" "ba"
    /// => null
    /// ```
    "match" => fn match_(regex: Strict, s: Lazy);

    /// Splits a string at the matches of a POSIX extended regular expression: the pieces
    /// between matches, and between them, for each match, the list of what its groups matched.
    ///
    /// ```nix
    /// builtins.split "(,)|;" "a,b;c"
    /// => [ "a" [ "," ] "b" [ null ] "c" ]
    /// ```
    ///
    /// ```nix
    /// builtins.split "x*" "ab"
    /// => [ "" [ ] "a" [ ] "b" [ ] "" ]
    /// ```
    "split" => fn split(regex: Strict, s: Lazy);
}

/// A pattern compiled for the searches `match` and `split` need.
struct Compiled {
    /// The translated pattern, for building the other forms on demand.
    source: String,
    /// Leftmost-first, unanchored: finds where the leftmost match starts.
    first: Regex,
    /// `MatchKind::All`: anchored at a start, reports the longest match.
    longest: OnceCell<Option<Regex>>,
    /// `^(?:pat)$`, leftmost-first: `match`.
    whole: OnceCell<Option<Regex>>,
    /// The groups libstdc++ leaves empty when they take part (see the module docs).
    emptied: Vec<usize>,
}

thread_local! {
    /// By the pattern's bytes, hashed a word at a time (`FxHashMap`): SipHash's cost per
    /// lookup was a third of a short `match`'s (`lib.strings.escapeNixIdentifier`).
    static CACHE: RefCell<FxHashMap<Vec<u8>, Rc<Compiled>>> = RefCell::new(FxHashMap::default());
}

fn syntax_config() -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .dot_matches_new_line(true)
}

fn build(pattern: &str, kind: MatchKind) -> Option<Regex> {
    Regex::builder()
        .syntax(syntax_config())
        .configure(Regex::config().match_kind(kind).utf8_empty(false))
        .build(pattern)
        .ok()
}

fn invalid(pattern: &NixString) -> Error {
    Error::new(format!("invalid regular expression '{pattern}'"))
}

fn compile(pattern: &NixString) -> Result<Rc<Compiled>, Error> {
    let key = pattern.as_bytes();
    if let Some(c) = CACHE.with(|c| c.borrow().get(key).cloned()) {
        return Ok(c);
    }
    let source = translate(key).ok_or_else(|| invalid(pattern))?;
    let first = build(&source, MatchKind::LeftmostFirst).ok_or_else(|| invalid(pattern))?;
    let emptied = emptied_groups(&source);
    let compiled = Rc::new(Compiled {
        source,
        emptied,
        first,
        longest: OnceCell::new(),
        whole: OnceCell::new(),
    });
    CACHE.with(|c| c.borrow_mut().insert(key.to_vec(), compiled.clone()));
    Ok(compiled)
}

impl Compiled {
    fn longest(&self) -> Option<&Regex> {
        self.longest
            .get_or_init(|| build(&self.source, MatchKind::All))
            .as_ref()
    }

    fn whole(&self) -> Option<&Regex> {
        self.whole
            .get_or_init(|| build(&format!("^(?:{})$", self.source), MatchKind::LeftmostFirst))
            .as_ref()
    }

    /// The end of the longest match starting exactly at `start`.
    fn longest_end(&self, hay: &[u8], start: usize) -> Option<usize> {
        let input = Input::new(hay)
            .span(start..hay.len())
            .anchored(Anchored::Yes);
        let m = self.longest()?.search(&input)?;
        Some(m.end())
    }

    /// Capture groups of a match spanning `start..end` (`end` the longest end at `start`):
    /// the preferred (leftmost-first) parse if it is that long, else one the longest search gives.
    fn captures_at(&self, hay: &[u8], start: usize, end: usize) -> Captures {
        let input = Input::new(hay)
            .span(start..hay.len())
            .anchored(Anchored::Yes);
        let mut caps = self.first.create_captures();
        self.first.search_captures(&input, &mut caps);
        if caps.get_match().is_some_and(|m| m.end() == end) {
            return caps;
        }
        if let Some(re) = self.longest() {
            let mut all = re.create_captures();
            re.search_captures(&input, &mut all);
            if all.get_match().is_some() {
                return all;
            }
        }
        caps
    }
}

/// The groups that are the whole body of a greedy loop without an upper bound, where that body
/// can match the empty string anywhere (no anchors or word boundaries in it): libstdc++ ends
/// such a loop with an empty iteration (see the module docs).
fn emptied_groups(source: &str) -> Vec<usize> {
    use regex_syntax::hir::HirKind;
    let Ok(hir) = syntax::parse_with(source, &syntax_config()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut todo = vec![&hir];
    while let Some(h) = todo.pop() {
        match h.kind() {
            HirKind::Repetition(rep) => {
                if let HirKind::Capture(cap) = rep.sub.kind() {
                    let p = cap.sub.properties();
                    if rep.greedy
                        && rep.max.is_none()
                        && p.minimum_len() == Some(0)
                        && p.look_set().is_empty()
                    {
                        out.push(cap.index as usize);
                    }
                }
                todo.push(&rep.sub);
            }
            HirKind::Capture(cap) => todo.push(&cap.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => todo.extend(hs),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    out
}

/// The groups of a match as Nix values: strings, or null for groups that did not take part.
fn groups(re: &Compiled, hay: &[u8], caps: &Captures) -> Vec<Value> {
    (1..caps.group_len())
        .map(|i| match caps.get_group(i) {
            Some(_) if re.emptied.contains(&i) => Value::String(NixString::from(&b""[..])),
            Some(span) => Value::String(NixString::from(&hay[span.start..span.end])),
            None => Value::Null,
        })
        .collect()
}

fn match_(regex: &Value, s: &Value) -> Result<Ret, Error> {
    let pattern = string_no_ctx_of(regex)?;
    let re = compile(pattern)?;
    let Some(s) = s.whnf() else {
        return Ok(Ret::Force(s.clone()));
    };
    let hay = string_of(&s)?.as_bytes();
    let whole = re.whole().ok_or_else(|| invalid(pattern))?;
    // Most strings a pattern is tried on do not match (`lib`'s identifier and placeholder
    // checks), and a pattern without groups needs only the yes or no: the search that fills
    // groups is slower and allocates them, so it runs only for a match with groups.
    if !whole.is_match(Input::new(hay)) {
        return Ok(Value::Null.into());
    }
    if whole.captures_len() == 1 {
        return Ok(Value::list(Vec::new()).into());
    }
    let mut caps = whole.create_captures();
    whole.search_captures(&Input::new(hay), &mut caps);
    if caps.get_match().is_none() {
        return Ok(Value::Null.into());
    }
    Ok(Value::list(groups(&re, hay, &caps)).into())
}

/// Matches as libstdc++'s `regex_iterator` finds them: after an empty match, a non-empty match
/// at the same place or else the next match one byte on; after a non-empty match, the next match
/// from its end (which may be empty there).
fn split_matches(re: &Compiled, hay: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        if let Some(&(s, e)) = out.last() {
            if s == e {
                if e == hay.len() {
                    break;
                }
                if let Some(end) = re.longest_end(hay, e).filter(|&end| end > e) {
                    out.push((e, end));
                    continue;
                }
                from = e + 1;
            } else {
                from = e;
            }
        }
        let input = Input::new(hay).span(from..hay.len());
        let Some(m) = re.first.search(&input) else {
            break;
        };
        let start = m.start();
        let end = re.longest_end(hay, start).unwrap_or(m.end()).max(m.end());
        out.push((start, end));
    }
    out
}

fn split(regex: &Value, s: &Value) -> Result<Ret, Error> {
    let re = compile(string_no_ctx_of(regex)?)?;
    let Some(s) = s.whnf() else {
        return Ok(Ret::Force(s.clone()));
    };
    let hay = string_of(&s)?.as_bytes();
    let matches = split_matches(&re, hay);
    if matches.is_empty() {
        return Ok(Value::list(vec![s.clone()]).into());
    }
    let mut out = Vec::with_capacity(2 * matches.len() + 1);
    let mut prev_end = 0;
    for &(start, end) in &matches {
        out.push(Value::String(NixString::from(&hay[prev_end..start])));
        let caps = re.captures_at(hay, start, end);
        out.push(Value::list(groups(&re, hay, &caps)));
        prev_end = end;
    }
    out.push(Value::String(NixString::from(&hay[prev_end..])));
    Ok(Value::list(out).into())
}

// Translation from POSIX extended syntax.

/// Characters an extended regex may escape with a backslash (libstdc++'s `_M_extended_spec_char`);
/// escaping anything else is an error.
const ESCAPABLE: &[u8] = b".[\\()*+?{|^$";

fn push_byte(out: &mut String, b: u8) {
    if b.is_ascii_alphanumeric() {
        out.push(b as char);
    } else {
        let _ = write!(out, "\\x{b:02X}");
    }
}

/// Translates a POSIX extended regular expression into regex-syntax, or `None` if libstdc++
/// would reject it.
fn translate(pat: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(pat.len() * 2);
    // Start in `out` of each open group.
    let mut groups: Vec<usize> = Vec::new();
    // Start in `out` of the last atom a quantifier would apply to, and whether it already has
    // one (a second quantifier applies to the quantified atom, as POSIX has no lazy forms).
    let mut last: Option<usize> = None;
    let mut quantified = false;
    let mut i = 0;
    while i < pat.len() {
        let c = pat[i];
        i += 1;
        match c {
            b'*' | b'+' | b'?' | b'{' => {
                let start = last?;
                let quantifier = if c == b'{' {
                    let (q, next) = interval(pat, i)?;
                    i = next;
                    q
                } else {
                    (c as char).to_string()
                };
                if quantified {
                    out.insert_str(start, "(?:");
                    out.push(')');
                }
                out.push_str(&quantifier);
                quantified = true;
                continue;
            }
            _ => {}
        }
        quantified = false;
        let at = out.len();
        match c {
            b'\\' => {
                let e = *pat.get(i)?;
                i += 1;
                if !ESCAPABLE.contains(&e) {
                    return None;
                }
                push_byte(&mut out, e);
                last = Some(at);
            }
            b'.' => {
                out.push('.');
                last = Some(at);
            }
            b'[' => {
                i = bracket(pat, i, &mut out)?;
                last = Some(at);
            }
            b'(' => {
                groups.push(at);
                out.push('(');
                last = None;
            }
            b')' => {
                let open = groups.pop()?;
                out.push(')');
                last = Some(open);
            }
            b'|' => {
                out.push('|');
                last = None;
            }
            b'^' | b'$' => {
                out.push(c as char);
                last = Some(at);
            }
            _ => {
                push_byte(&mut out, c);
                last = Some(at);
            }
        }
    }
    if !groups.is_empty() {
        return None;
    }
    Some(out)
}

/// Parses `{n}`, `{n,}` or `{n,m}` after the `{` at `i - 1`.
fn interval(pat: &[u8], mut i: usize) -> Option<(String, usize)> {
    let number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while pat.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        std::str::from_utf8(&pat[start..*i]).ok()?.parse().ok()
    };
    let min = number(&mut i)?;
    match pat.get(i)? {
        b'}' => Some((format!("{{{min}}}"), i + 1)),
        b',' => {
            i += 1;
            if pat.get(i) == Some(&b'}') {
                return Some((format!("{{{min},}}"), i + 1));
            }
            let max = number(&mut i)?;
            if pat.get(i) != Some(&b'}') || max < min {
                return None;
            }
            Some((format!("{{{min},{max}}}"), i + 1))
        }
        _ => None,
    }
}

/// The class names libstdc++ knows, as regex-syntax class items.
fn class_item(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"alnum" => "[:alnum:]",
        b"alpha" => "[:alpha:]",
        b"blank" => "[:blank:]",
        b"cntrl" => "[:cntrl:]",
        b"digit" | b"d" => "[:digit:]",
        b"graph" => "[:graph:]",
        b"lower" => "[:lower:]",
        b"print" => "[:print:]",
        b"punct" => "[:punct:]",
        b"space" | b"s" => "[:space:]",
        b"upper" => "[:upper:]",
        b"xdigit" => "[:xdigit:]",
        b"w" => "[:alnum:]_",
        _ => return None,
    })
}

/// One character of a bracket expression at `i`: a plain byte, `[.c.]` or `[=c=]`. Returns the
/// byte and the index after it, or `Err(())` if malformed, `Ok(None)` if it is not a character
/// (a `[:class:]`).
fn bracket_char(pat: &[u8], i: usize) -> Result<Option<(u8, usize)>, ()> {
    let c = *pat.get(i).ok_or(())?;
    if c == b'[' {
        match pat.get(i + 1) {
            Some(&d @ (b'.' | b'=')) => {
                // A single-character collating element or equivalence class.
                let ch = *pat.get(i + 2).ok_or(())?;
                if pat.get(i + 3) == Some(&d) && pat.get(i + 4) == Some(&b']') {
                    return Ok(Some((ch, i + 5)));
                }
                return Err(());
            }
            Some(b':') => return Ok(None),
            _ => {}
        }
    }
    Ok(Some((c, i + 1)))
}

/// Translates the bracket expression whose `[` is at `i - 1`; returns the index after its `]`.
fn bracket(pat: &[u8], mut i: usize, out: &mut String) -> Option<usize> {
    out.push('[');
    if pat.get(i) == Some(&b'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let c = *pat.get(i)?;
        if c == b']' && !first {
            out.push(']');
            return Some(i + 1);
        }
        first = false;
        let Some((lo, next)) = bracket_char(pat, i).ok()? else {
            // `[:name:]`
            let rest = &pat[i + 2..];
            let end = rest.windows(2).position(|w| w == b":]")?;
            out.push_str(class_item(&rest[..end])?);
            i += 2 + end + 2;
            continue;
        };
        i = next;
        if pat.get(i) == Some(&b'-') && pat.get(i + 1).is_some_and(|&d| d != b']') {
            let (hi, next) = bracket_char(pat, i + 1).ok()??;
            i = next;
            push_range(out, lo, hi)?;
        } else {
            push_byte(out, lo);
        }
    }
}

/// A range `lo-hi`, ordered as libstdc++ orders `char` (signed).
fn push_range(out: &mut String, lo: u8, hi: u8) -> Option<()> {
    let (slo, shi) = (lo as i8, hi as i8);
    if slo > shi {
        return None;
    }
    let mut range = |a: u8, b: u8| {
        let _ = write!(out, "\\x{a:02X}-\\x{b:02X}");
    };
    if (slo < 0) == (shi < 0) {
        range(lo, hi);
    } else {
        range(lo, 0xFF);
        range(0x00, hi);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_of(pat: &str, s: &str) -> Vec<(usize, usize)> {
        let re = compile(&NixString::from(pat)).unwrap_or_else(|_| panic!("{pat} compiles"));
        split_matches(&re, s.as_bytes())
    }

    #[test]
    fn translation_follows_libstdcxx() {
        assert!(translate(b"a\\d").is_none());
        assert!(translate(b"\\]").is_none());
        assert!(translate(b"\\{").is_some());
        assert!(translate(b"*a").is_none());
        assert!(translate(b"a|*b").is_none());
        assert!(translate(b"a{,2}").is_none());
        assert!(translate(b"(a").is_none());
        assert!(translate(b"a)").is_none());
        assert!(translate(b"[z-a]").is_none());
        assert!(translate(b"[[:foo:]]").is_none());
        for ok in [
            "a**",
            "a+*",
            "x?*",
            "()",
            "a||b",
            "|a",
            "[]a]",
            "[^]a]",
            "[a-]",
            "[]-a]",
            "[[.a.]]",
            "[[=a=]]",
            "[a&&b]",
            "[~]",
            "$a",
            "a^",
            "(^a)",
            "]",
            "}",
            "a{1,2}{3}",
            "[a\\]",
        ] {
            let t = translate(ok.as_bytes()).expect(ok);
            assert!(build(&t, MatchKind::LeftmostFirst).is_some(), "{ok}: {t}");
        }
    }

    #[test]
    fn splits_like_regex_iterator() {
        assert_eq!(
            split_of("(a*)", "bab"),
            vec![(0, 0), (1, 2), (2, 2), (3, 3)]
        );
        assert_eq!(split_of("a*", "baab"), vec![(0, 0), (1, 3), (3, 3), (4, 4)]);
        assert_eq!(split_of("a|ab", "xabx"), vec![(1, 3)]);
        assert_eq!(split_of("x*", ""), vec![(0, 0)]);
        assert_eq!(split_of("^a", "aaa"), vec![(0, 1)]);
        assert_eq!(split_of("a+?", "aaa"), vec![(0, 3), (3, 3)]);
    }
}
