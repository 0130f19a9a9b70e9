//! Type predicates and `typeOf`.

use super::{arg, def};
use crate::errors::Error;
use crate::value::{Builtin, Value};
use crate::vm::request::{Co, force};

async fn type_of(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let v = force(&co, arg(&args, 0)).await;
    Ok(Value::string(v.type_of()))
}

macro_rules! predicate {
    ($fname:ident, $pat:pat) => {
        async fn $fname(co: Co, args: Vec<Value>) -> Result<Value, Error> {
            let v = force(&co, arg(&args, 0)).await;
            Ok(Value::Bool(matches!(v, $pat)))
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
        def("typeOf", 1, type_of),
        def("isNull", 1, is_null),
        def("isBool", 1, is_bool),
        def("isInt", 1, is_int),
        def("isFloat", 1, is_float),
        def("isString", 1, is_string),
        def("isPath", 1, is_path),
        def("isAttrs", 1, is_attrs),
        def("isList", 1, is_list),
        def("isFunction", 1, is_function),
    ]
}
