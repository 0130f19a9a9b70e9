//! `-A PATH`, `--arg` and `--argstr` of `gnix eval`: selection paths (`a.b.0."c.d"`) and the
//! automatic call of a function that takes a set, as C++ Nix's `findAlongAttrPath` and
//! `autoCallFunction` do them, with C++ Nix's messages.

use crate::errors::{Error, ErrorClass};
use crate::eval::Evaluator;
use crate::value::{Attrs, Closure, Symbol, Value};
use std::collections::BTreeMap;

/// The arguments `--arg` and `--argstr` give, by name (a later one replaces an earlier one).
pub type AutoArgs = BTreeMap<String, Value>;

/// The value at selection path `path` in `root`. Before each step the value is called with
/// `args` if it is a function taking a set (`auto_call`); the value found is not.
pub fn find(ev: &mut Evaluator, path: &str, args: &AutoArgs, root: Value) -> Result<Value, Error> {
    let mut v = root;
    for step in parse_path(path)? {
        v = auto_call(ev, args, v)?;
        v = match step.parse::<u32>() {
            Ok(i) => index(&v, i, path)?,
            Err(_) => attribute(&v, &step, path)?,
        };
    }
    Ok(v)
}

/// The names of a selection path: split at dots outside double quotes; an empty last name is
/// dropped (`a.` is `a`, `""` is the whole value), as C++ Nix does.
fn parse_path(path: &str) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => names.push(std::mem::take(&mut current)),
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some(q) => current.push(q),
                    None => {
                        let msg = format!("missing closing quote in selection path '{path}'");
                        return Err(Error::new(msg).with_class(ErrorClass::Parse));
                    }
                }
            },
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        names.push(current);
    }
    Ok(names)
}

fn index(v: &Value, i: u32, path: &str) -> Result<Value, Error> {
    let Value::List(list) = v else {
        return Err(not_a(v, "a list", path));
    };
    list.get(i as usize).cloned().ok_or_else(|| {
        Error::new(format!(
            "list index {i} in selection path '{path}' is out of range"
        ))
        .with_class(ErrorClass::MissingAttribute)
    })
}

fn attribute(v: &Value, name: &str, path: &str) -> Result<Value, Error> {
    let Value::Attrs(set) = v else {
        return Err(not_a(v, "a set", path));
    };
    if name.is_empty() {
        return Err(Error::new(format!(
            "empty attribute name in selection path '{path}'"
        )));
    }
    set.get_bytes(name.as_bytes()).cloned().ok_or_else(|| {
        let mut msg = format!("attribute '{name}' in selection path '{path}' not found");
        if let Some(s) = set.suggestions(name.as_bytes()) {
            msg.push_str(&format!("\nDid you mean {s}?"));
        }
        Error::new(msg).with_class(ErrorClass::MissingAttribute)
    })
}

fn not_a(v: &Value, wanted: &str, path: &str) -> Error {
    let msg = format!(
        "the expression selected by the selection path '{path}' should be {wanted} but is {}",
        v.type_name()
    );
    Error::new(msg).with_class(ErrorClass::Type)
}

/// `v` forced and, if it is a function taking a set, called with the `args` it names (all of
/// them if it has `...`), its defaults filling the rest; a set with `__functor` is called
/// with itself first. Anything else is returned as it is.
pub fn auto_call(ev: &mut Evaluator, args: &AutoArgs, v: Value) -> Result<Value, Error> {
    let mut v = ev.force(v)?;
    for _ in 0..FUNCTOR_CHAIN_LIMIT {
        let Some(f) = functor(&v) else { break };
        v = ev.call(f, vec![v])?;
    }
    if functor(&v).is_some() {
        return Err(Error::new("stack overflow (possible infinite recursion)")
            .with_class(ErrorClass::CallDepth));
    }
    let Value::Closure(closure) = &v else {
        return Ok(v);
    };
    match pattern_argument(closure, args)? {
        Some(arg) => ev.call(v, vec![arg]),
        None => Ok(v),
    }
}

/// How many functors in a row `auto_call` follows (each returning another) before it gives up
/// as C++ Nix does when its recursion overflows the stack (`{ __functor = self: self; }`).
const FUNCTOR_CHAIN_LIMIT: usize = 10_000;

fn functor(v: &Value) -> Option<Value> {
    match v {
        Value::Attrs(set) => set.get_bytes(b"__functor").cloned(),
        _ => None,
    }
}

/// The set to call a pattern lambda with; `None` for a lambda with a plain argument.
fn pattern_argument(closure: &Closure, args: &AutoArgs) -> Result<Option<Value>, Error> {
    let Some(formals) = &closure.lambda.formals else {
        return Ok(None);
    };
    let entry = |name: &str, v: &Value| (Symbol::from(name), v.clone());
    if formals.ellipsis {
        let all = args.iter().map(|(n, v)| entry(n, v)).collect();
        return Ok(Some(Value::attrs(Attrs::from_unsorted(all))));
    }
    let mut given = Vec::new();
    for (i, (name, default)) in formals.entries.iter().enumerate() {
        let name = name.to_str_lossy();
        match args.get(name.as_ref()) {
            Some(v) => given.push(entry(&name, v)),
            None if default.is_some() => {}
            None => return Err(missing_argument(&name, formals.positions.get(i).copied())),
        }
    }
    Ok(Some(Value::attrs(Attrs::from_unsorted(given))))
}

fn missing_argument(name: &str, at: Option<crate::errors::Span>) -> Error {
    let msg = format!(
        "cannot evaluate a function that has an argument without a value ('{name}')\n\n\
         Nix attempted to evaluate a function as a top level expression; in\n\
         this case it must have its arguments supplied either by default\n\
         values, or passed explicitly with '--arg' or '--argstr'. See\n\
         https://nixos.org/manual/nix/stable/#ss-functions."
    );
    let e = Error::new(msg);
    match at {
        Some(span) => e.at(span),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_at_dots_outside_quotes() {
        let parse = |p: &str| parse_path(p).map_err(|e| e.message.clone());
        assert_eq!(parse("a.b.0"), Ok(vec!["a".into(), "b".into(), "0".into()]));
        assert_eq!(parse(r#""a.b".c"#), Ok(vec!["a.b".into(), "c".into()]));
        assert_eq!(parse(r#"a"b""#), Ok(vec!["ab".into()]));
        assert_eq!(parse("a."), Ok(vec!["a".into()]));
        assert_eq!(parse(".."), Ok(vec![String::new(), String::new()]));
        assert_eq!(parse(""), Ok(vec![]));
        assert!(parse(r#"a."b"#).is_err());
    }
}
