//! Values as current C++ `nix repl` prints them: forced as far as they are shown (to depth one
//! for an expression, all the way for `:p`), nested sets and lists past the depth as `{ ... }`
//! and `[ ... ]`, derivations as `«derivation PATH»`, a set or list of more than one item (or of
//! one that is itself a set or list) over several lines indented by two, an error inside the
//! value as `«error: MESSAGE»`. The walk keeps its own stack, so any depth prints.

use gnix::print::{PrintOptions, is_plain_identifier, print_string, print_with};
use gnix::{Error, Evaluator, Value};
use std::collections::HashSet;

/// How scalars print: lambdas and builtins by name and position, as in error messages.
const SCALARS: PrintOptions = PrintOptions {
    track_repeated: false,
    max_depth: usize::MAX,
    max_attrs: usize::MAX,
    max_items: usize::MAX,
    max_string: usize::MAX,
    thunk: "«thunk»",
};

enum Item {
    /// A value to force and print, at its depth.
    Value(Value, usize),
    Text(String),
    /// Between the items of a set or list: a blank, or a new line indented by two per depth.
    Space(bool, usize),
}

/// Prints `v` forced to `max_depth` (`usize::MAX`: all of it). An error forcing the value itself
/// is returned; one forcing a part of it prints in its place, except an interruption (Ctrl-C, a
/// limit), which stops the printing.
pub fn show(ev: &mut Evaluator, v: Value, max_depth: usize) -> Result<String, Error> {
    let mut out = String::new();
    let mut seen = HashSet::new();
    let mut stack = vec![Item::Value(v, 0)];
    while let Some(item) = stack.pop() {
        let (v, depth) = match item {
            Item::Text(t) => {
                out.push_str(&t);
                continue;
            }
            Item::Space(false, _) => {
                out.push(' ');
                continue;
            }
            Item::Space(true, depth) => {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', 2 * depth));
                continue;
            }
            Item::Value(v, depth) => (v, depth),
        };
        let shown = force(ev, v).and_then(|v| match &v {
            Value::Attrs(a) if !a.is_empty() && !seen.insert(v.ptr_id()) => Ok(Shown::Repeated),
            Value::List(l) if !l.is_empty() && !seen.insert(v.ptr_id()) => Ok(Shown::Repeated),
            Value::Attrs(_) => match derivation(ev, &v)? {
                Some(path) => Ok(Shown::Text(path)),
                None => Ok(Shown::Nested(v)),
            },
            Value::List(_) => Ok(Shown::Nested(v)),
            _ => Ok(Shown::Text(print_with(&v, SCALARS))),
        });
        let v = match shown {
            Ok(Shown::Nested(v)) => v,
            Ok(Shown::Text(t)) => {
                out.push_str(&t);
                continue;
            }
            Ok(Shown::Repeated) => {
                out.push_str("«repeated»");
                continue;
            }
            Err(e) if depth == 0 || e.is_interruption() => return Err(e),
            Err(e) => {
                out.push_str(&format!("«error: {}»", e.message));
                continue;
            }
        };
        let (open, close, items) = match &v {
            Value::Attrs(a) => {
                let mut entries: Vec<_> = a
                    .iter()
                    .map(|(k, v)| (Some(k.as_bytes().to_vec()), v.clone()))
                    .collect();
                entries.sort_by(|(a, _), (b, _)| a.cmp(b));
                ("{", "}", entries)
            }
            Value::List(l) => ("[", "]", l.iter().map(|v| (None, v.clone())).collect()),
            _ => unreachable!("only sets and lists are shown nested"),
        };
        if depth >= max_depth {
            out.push_str(&format!("{open} ... {close}"));
            continue;
        }
        if items.is_empty() {
            out.push_str(&format!("{open} {close}"));
            continue;
        }
        let pretty = match items.as_slice() {
            [(_, only)] => nested(ev, only)?,
            _ => true,
        };
        out.push_str(open);
        stack.push(Item::Text(close.to_string()));
        stack.push(Item::Space(pretty, depth));
        for (name, value) in items.into_iter().rev() {
            if let Some(name) = name {
                stack.push(Item::Text(";".into()));
                stack.push(Item::Value(value, depth + 1));
                stack.push(Item::Text(format!("{} = ", attr_name(&name))));
            } else {
                stack.push(Item::Value(value, depth + 1));
            }
            stack.push(Item::Space(pretty, depth + 1));
        }
    }
    Ok(out)
}

/// What one value prints as, once forced.
enum Shown {
    Text(String),
    Repeated,
    Nested(Value),
}

fn force(ev: &mut Evaluator, v: Value) -> Result<Value, Error> {
    match v.whnf() {
        Some(v) => Ok(v),
        None => ev.force(v),
    }
}

/// Whether the one item of a set or list is itself a set or list, which C++ Nix prints on a
/// line of its own (forcing it here is no extra work: it is printed next). An error forcing it
/// shows where the item prints.
fn nested(ev: &mut Evaluator, v: &Value) -> Result<bool, Error> {
    match force(ev, v.clone()) {
        Ok(v) => Ok(matches!(v, Value::Attrs(_) | Value::List(_))),
        Err(e) if e.is_interruption() => Err(e),
        Err(_) => Ok(false),
    }
}

/// `«derivation PATH»` if the set is a derivation (its `type` is `"derivation"`), as C++ Nix
/// shows one instead of its attributes.
fn derivation(ev: &mut Evaluator, set: &Value) -> Result<Option<String>, Error> {
    let Some(kind) = ev.attr(set, "type")? else {
        return Ok(None);
    };
    if !matches!(force(ev, kind)?, Value::String(s) if s.as_bytes() == b"derivation") {
        return Ok(None);
    }
    Ok(Some(match ev.attr(set, "drvPath")? {
        Some(path) => {
            let path = ev.coerce_to_string(path)?;
            format!("«derivation {}»", String::from_utf8_lossy(&path))
        }
        None => "«derivation»".to_string(),
    }))
}

/// An attribute name as a set prints it: bare if it is an identifier, quoted otherwise.
fn attr_name(name: &[u8]) -> String {
    if is_plain_identifier(name) {
        return String::from_utf8_lossy(name).into_owned();
    }
    let mut quoted = Vec::new();
    print_string(&mut quoted, name);
    String::from_utf8_lossy(&quoted).into_owned()
}

/// The value's type as `:t` describes it (C++ Nix's `showType`): "an integer", "a set", "the
/// built-in function 'map'", ...
pub fn type_of(v: &Value) -> String {
    match v {
        Value::String(s) if s.has_context() => "a string with context".into(),
        Value::Builtin(b) if b.applied() == 0 => {
            format!("the built-in function '{}'", b.name())
        }
        Value::Builtin(b) => format!("the partially applied built-in function '{}'", b.name()),
        other => other.type_name().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shown(expr: &str, depth: usize) -> String {
        let mut ev = Evaluator::new(gnix::Settings::default());
        let v = ev.eval_expr(expr, Path::new("/")).expect("evaluates");
        show(&mut ev, v, depth).expect("prints")
    }

    #[test]
    fn depth_one() {
        assert_eq!(shown("1", 1), "1");
        assert_eq!(shown("{ }", 1), "{ }");
        assert_eq!(shown("{ a = 1; }", 1), "{ a = 1; }");
        assert_eq!(
            shown("{ b = { c = 2; }; a = [ 1 2 ]; }", 1),
            "{\n  a = [ ... ];\n  b = { ... };\n}"
        );
        assert_eq!(shown("{ a = { }; }", 1), "{\n  a = { ... };\n}");
        assert_eq!(shown("[ 1 ]", 1), "[ 1 ]");
        assert_eq!(
            shown("[ \"a\" 2.5 null ]", 1),
            "[\n  \"a\"\n  2.5\n  null\n]"
        );
        assert_eq!(shown("{ \"a b\" = true; }", 1), "{ \"a b\" = true; }");
    }

    #[test]
    fn deeply() {
        assert_eq!(
            shown("{ a = { b = [ 1 { } ]; }; }", usize::MAX),
            "{\n  a = {\n    b = [\n      1\n      { }\n    ];\n  };\n}"
        );
        assert_eq!(
            shown("let x = { y = 1; }; in [ x x ]", usize::MAX),
            "[\n  { y = 1; }\n  «repeated»\n]"
        );
    }

    #[test]
    fn errors_inside_and_functions() {
        assert_eq!(
            shown("{ a = throw \"no\"; b = 1; }", 1),
            "{\n  a = «error: no»;\n  b = 1;\n}"
        );
        assert_eq!(shown("builtins.map", 1), "«primop map»");
        assert_eq!(shown("x: x", 1), "«lambda @ «string»:1:1»");
    }

    #[test]
    fn derivations() {
        let drv = shown(
            "derivation { name = \"a\"; builder = \"b\"; system = \"s\"; }",
            1,
        );
        assert!(
            drv.starts_with("«derivation /nix/store/") && drv.ends_with("-a.drv»"),
            "{drv}"
        );
    }

    #[test]
    fn types() {
        let mut ev = Evaluator::new(gnix::Settings::default());
        for (expr, ty) in [
            ("1", "an integer"),
            ("{ }", "a set"),
            ("\"a\"", "a string"),
            (
                "\"${derivation { name = \"a\"; builder = \"b\"; system = \"s\"; }}\"",
                "a string with context",
            ),
            ("x: x", "a function"),
            ("builtins.map", "the built-in function 'map'"),
            (
                "builtins.map (x: x)",
                "the partially applied built-in function 'map'",
            ),
            ("null", "null"),
            ("true", "a Boolean"),
        ] {
            let v = ev.eval_expr(expr, Path::new("/")).expect("evaluates");
            assert_eq!(type_of(&v), ty, "{expr}");
        }
    }
}
