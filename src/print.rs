//! Printing values the way `nix-instantiate --eval` does, and the short forms error messages
//! use. The printer never forces anything (thunks print as `<CODE>`) and never recurses: it
//! walks the value with an explicit stack, so any depth prints.

use crate::value::{Symbol, Value};
use rustc_hash::FxHashSet as HashSet;

/// How `print_with` prints: what `nix-instantiate --eval` prints (`OUTPUT`), or values cut
/// short as error messages and `nix repl` show them.
#[derive(Clone, Copy)]
pub struct PrintOptions {
    /// Print `«repeated»` for a set or list printed before (nix-instantiate's output).
    pub track_repeated: bool,
    /// Nesting levels printed; deeper sets and lists print as `{ ... }` and `[ ... ]`.
    pub max_depth: usize,
    /// Attributes printed in all (C++ Nix counts across the whole value, not per set).
    pub max_attrs: usize,
    /// List items printed in all.
    pub max_items: usize,
    /// Bytes of a string shown before the rest is elided.
    pub max_string: usize,
    /// How an unevaluated thunk prints.
    pub thunk: &'static str,
}

impl PrintOptions {
    /// Everything, as `nix-instantiate --eval` prints it.
    pub const OUTPUT: PrintOptions = PrintOptions {
        track_repeated: true,
        max_depth: usize::MAX,
        max_attrs: usize::MAX,
        max_items: usize::MAX,
        max_string: usize::MAX,
        thunk: "<CODE>",
    };
    /// C++ Nix's `errorPrintOptions`.
    pub const ERROR: PrintOptions = PrintOptions {
        track_repeated: false,
        max_depth: 10,
        max_attrs: 10,
        max_items: 10,
        max_string: 1024,
        thunk: "«thunk»",
    };
}

enum Item {
    Value(Value, usize),
    Text(&'static str),
    /// An attribute still to print, with how many of its set's attributes are left from it on.
    Attr(Symbol, Value, usize, usize),
    /// A list item still to print, with how many of its list's items are left from it on.
    Element(Value, usize, usize),
    /// One attribute or list item has been printed (the limits count them afterwards).
    CountAttr,
    CountElement,
}

/// Prints a value as `nix-instantiate --eval` does. A string's bytes that are not UTF-8 are
/// stand-ins in the text; `rawtext::encode` gives the bytes C++ Nix writes.
pub fn print_value(v: &Value) -> String {
    print_with(v, PrintOptions::OUTPUT)
}

/// Prints a value as it appears in an error message.
pub fn print_error_value(v: &Value) -> String {
    print_with(v, PrintOptions::ERROR)
}

/// Counts of what has been printed, against the limits.
struct Printed {
    attrs: usize,
    items: usize,
}

/// Prints `v` as Nix syntax under `opts`, forcing nothing: an unevaluated thunk prints as
/// `opts.thunk`.
pub fn print_with(v: &Value, opts: PrintOptions) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::default();
    let mut printed = Printed { attrs: 0, items: 0 };
    let mut stack = vec![Item::Value(v.clone(), 0)];
    while let Some(item) = stack.pop() {
        let (v, depth) = match item {
            Item::Text(t) => {
                out.extend_from_slice(t.as_bytes());
                continue;
            }
            Item::CountAttr => {
                printed.attrs += 1;
                continue;
            }
            Item::CountElement => {
                printed.items += 1;
                continue;
            }
            Item::Attr(k, val, left, depth) => {
                if printed.attrs >= opts.max_attrs {
                    elide(&mut out, &mut stack, left, "attribute");
                    continue;
                }
                print_attr_name(&mut out, k.as_bytes());
                out.extend_from_slice(b" = ");
                stack.push(Item::CountAttr);
                stack.push(Item::Text("; "));
                (val, depth)
            }
            Item::Element(val, left, depth) => {
                if printed.items >= opts.max_items {
                    elide(&mut out, &mut stack, left, "item");
                    continue;
                }
                stack.push(Item::CountElement);
                stack.push(Item::Text(" "));
                (val, depth)
            }
            Item::Value(v, d) => (v, d),
        };
        // C++ Nix tells a repeated list by the address of the value cell holding it (a set by
        // its bindings): a thunk is such a cell, and forcing one copies the value into it. So
        // a list met through a thunk is that thunk's, and one met directly is its own:
        // `let x = [ x ]; in x` prints `[ [ «repeated» ] ]`, as C++ Nix does. (Where C++ Nix
        // shares one cell between two uses of a variable that gnix reads through two thunks,
        // as in `let x = [ x x ]; in x`, gnix prints the list once more than it does.)
        let cell = match &v {
            Value::Thunk(_) => v.ptr_id(),
            _ => None,
        };
        let v = match &v {
            Value::Thunk(t) => match t.value() {
                Some(v) => v,
                None => {
                    out.extend_from_slice(opts.thunk.as_bytes());
                    continue;
                }
            },
            _ => v,
        };
        match &v {
            Value::Attrs(a) => {
                if a.is_empty() {
                    out.extend_from_slice(b"{ }");
                    continue;
                }
                if opts.track_repeated && !seen.insert(v.ptr_id().unwrap_or(0)) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                if depth >= opts.max_depth {
                    out.extend_from_slice(b"{ ... }");
                    continue;
                }
                out.extend_from_slice(b"{ ");
                stack.push(Item::Text("}"));
                let mut entries: Vec<_> = a.iter().collect();
                if opts.max_attrs != usize::MAX {
                    // With a limit, `type` and `_type` come first (C++ Nix's order).
                    entries.sort_by_key(|(k, _)| !matches!(k.as_bytes(), b"type" | b"_type"));
                }
                let n = entries.len();
                for (i, (k, val)) in entries.into_iter().enumerate().rev() {
                    stack.push(Item::Attr(k, val.clone(), n - i, depth + 1));
                }
            }
            Value::List(l) => {
                if l.is_empty() {
                    out.extend_from_slice(b"[ ]");
                    continue;
                }
                if opts.track_repeated && !seen.insert(cell.or(v.ptr_id()).unwrap_or(0)) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                if depth >= opts.max_depth {
                    out.extend_from_slice(b"[ ... ]");
                    continue;
                }
                out.extend_from_slice(b"[ ");
                stack.push(Item::Text("]"));
                let n = l.len();
                for (i, item) in l.iter().enumerate().rev() {
                    stack.push(Item::Element(item.clone(), n - i, depth + 1));
                }
            }
            Value::String(s) if s.len() > opts.max_string => {
                print_string(&mut out, &s.as_bytes()[..opts.max_string]);
                let hidden = s.len() - opts.max_string;
                let unit = if hidden == 1 { "byte" } else { "bytes" };
                out.extend_from_slice(format!(" «{hidden} {unit} elided»").as_bytes());
            }
            other => print_scalar(&mut out, other, !opts.track_repeated),
        }
    }
    // A string's bytes that are not UTF-8 travel as stand-ins, which the writers of output and
    // messages take back (`rawtext`).
    crate::rawtext::decode_owned(out)
}

/// Ends a set or list whose limit is reached: `«N attributes elided» ` and none of its remaining
/// entries (they are on `stack` down to its closing bracket).
fn elide(out: &mut Vec<u8>, stack: &mut Vec<Item>, left: usize, what: &str) {
    let plural = if left == 1 { "" } else { "s" };
    out.extend_from_slice(format!("«{left} {what}{plural} elided» ").as_bytes());
    while let Some(item) = stack.last() {
        if matches!(item, Item::Text(_)) {
            break;
        }
        stack.pop();
    }
}

fn print_scalar(out: &mut Vec<u8>, v: &Value, errors: bool) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if b.get() { b"true" } else { b"false" }),
        Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::Float(f) => out.extend_from_slice(format_float_g(f.get()).as_bytes()),
        Value::String(s) => print_string(out, s.as_bytes()),
        Value::Path(p) => out.extend_from_slice(p.as_os_str().as_encoded_bytes()),
        Value::Closure(c) if errors => {
            let name = c
                .lambda
                .name
                .as_ref()
                .map_or(String::new(), |n| format!(" {n}"));
            out.extend_from_slice(format!("«lambda{name} @ {}»", c.lambda.position).as_bytes())
        }
        Value::Builtin(b) if errors && b.args.is_empty() => {
            out.extend_from_slice(format!("«primop {}»", b.builtin.name).as_bytes())
        }
        Value::Builtin(b) if errors => out
            .extend_from_slice(format!("«partially applied primop {}»", b.builtin.name).as_bytes()),
        Value::Closure(_) => out.extend_from_slice(b"<LAMBDA>"),
        Value::Builtin(b) if b.args.is_empty() => out.extend_from_slice(b"<PRIMOP>"),
        Value::Builtin(_) => out.extend_from_slice(b"<PRIMOP-APP>"),
        Value::Thunk(_) => out.extend_from_slice(b"<CODE>"),
        Value::Attrs(_) | Value::List(_) => {}
    }
}

/// A string literal with Nix's escapes.
pub fn print_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'$' if s.get(i + 1) == Some(&b'{') => out.extend_from_slice(b"\\$"),
            c => out.push(c),
        }
        i += 1;
    }
    out.push(b'"');
}

/// Names printed quoted because they are keywords (current Nix does not reserve `or`).
const KEYWORDS: &[&[u8]] = &[
    b"if", b"then", b"else", b"assert", b"with", b"let", b"in", b"rec", b"inherit",
];

/// Whether a name prints bare in `{ name = ...; }`.
pub fn is_plain_identifier(k: &[u8]) -> bool {
    let Some((&first, rest)) = k.split_first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_')
        && rest
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
        && !KEYWORDS.contains(&k)
}

fn print_attr_name(out: &mut Vec<u8>, k: &[u8]) {
    if is_plain_identifier(k) {
        out.extend_from_slice(k);
    } else {
        print_string(out, k);
    }
}

/// A float as C++ streams print it (`%g`, 6 significant digits): the value printer's format.
pub fn format_float_g(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{:.5e}", x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let m = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (5 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, x)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A float as `toString` and interpolation print it (`std::to_string`: `%f`).
pub fn format_float_fixed(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    format!("{:.6}", x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_cpp_streams() {
        assert_eq!(format_float_g(1.5e20), "1.5e+20");
        assert_eq!(format_float_g(0.1), "0.1");
        assert_eq!(format_float_g(1e8), "1e+08");
        assert_eq!(format_float_g(42.0), "42");
        assert_eq!(format_float_g(123456.0), "123456");
        assert_eq!(format_float_g(1234567.0), "1.23457e+06");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(-2.5), "-2.5");
        assert_eq!(format_float_fixed(0.1), "0.100000");
    }

    #[test]
    fn names_are_quoted_when_needed() {
        assert!(is_plain_identifier(b"a-b'c"));
        assert!(!is_plain_identifier(b"1a"));
        assert!(!is_plain_identifier(b"if"));
        assert!(!is_plain_identifier(b""));
    }
}
