//! Type predicates and `typeOf`: strict in their one argument, so they run without a
//! generator whenever it is already evaluated.

use crate::errors::Error;
use crate::value::{Builtin, Value};

fn type_of(args: &[Value]) -> Result<Value, Error> {
    Ok(Value::string(args[0].type_of()))
}

macro_rules! predicate {
    ($fname:ident, $pat:pat) => {
        fn $fname(args: &[Value]) -> Result<Value, Error> {
            Ok(Value::bool(matches!(args[0], $pat)))
        }
    };
}

predicate!(is_null, Value::Null);
predicate!(is_bool, Value::Bool(_));
predicate!(is_int, Value::Int(_));
predicate!(is_float, Value::Float(_));
predicate!(is_string, Value::String(_));
predicate!(is_path, Value::Path(_));
predicate!(is_attrs, Value::Attrs(_));
predicate!(is_list, Value::List(_));
predicate!(is_function, Value::Closure(_) | Value::Builtin(_));

pub fn builtins() -> Vec<Builtin> {
    vec![
        strict!("typeOf", 1, type_of),
        strict!("isNull", 1, is_null),
        strict!("isBool", 1, is_bool),
        strict!("isInt", 1, is_int),
        strict!("isFloat", 1, is_float),
        strict!("isString", 1, is_string),
        strict!("isPath", 1, is_path),
        strict!("isAttrs", 1, is_attrs),
        strict!("isList", 1, is_list),
        strict!("isFunction", 1, is_function),
    ]
}
