//! Type predicates and `typeOf`: synchronous bodies on their one (strict) argument.

use crate::errors::Error;
use crate::value::Value;

crate::declare_builtins! {
    /// The type of a value as a string: `"int"`, `"float"`, `"bool"`, `"string"`, `"path"`,
    /// `"null"`, `"set"`, `"list"` or `"lambda"` (any function, builtins included; a set with
    /// `__functor` is a `"set"`).
    ///
    /// ```nix
    /// map builtins.typeOf [ 1 1.5 "a" ./. null { } [ ] (x: x) builtins.map ]
    /// => [ "int" "float" "string" "path" "null" "set" "list" "lambda" "lambda" ]
    /// ```
    "typeOf" [speculable] => fn type_of(v: Strict);

    /// Whether a value is `null` (same as `v == null`).
    ///
    /// ```nix
    /// [ (isNull null) (isNull false) ]
    /// => [ true false ]
    /// ```
    "isNull" [top_level, speculable] => fn is_null(v: Strict);

    /// Whether a value is a Boolean.
    ///
    /// ```nix
    /// [ (builtins.isBool false) (builtins.isBool 0) ]
    /// => [ true false ]
    /// ```
    "isBool" [speculable] => fn is_bool(v: Strict);

    /// Whether a value is an integer (a float is not).
    ///
    /// ```nix
    /// [ (builtins.isInt 1) (builtins.isInt 1.0) ]
    /// => [ true false ]
    /// ```
    "isInt" [speculable] => fn is_int(v: Strict);

    /// Whether a value is a float (an integer is not).
    ///
    /// ```nix
    /// [ (builtins.isFloat 1.0) (builtins.isFloat 1) ]
    /// => [ true false ]
    /// ```
    "isFloat" [speculable] => fn is_float(v: Strict);

    /// Whether a value is a string (a path or a set with `__toString` is not).
    ///
    /// ```nix
    /// [ (builtins.isString "a") (builtins.isString ./.) (builtins.isString { __toString = _: "a"; }) ]
    /// => [ true false false ]
    /// ```
    "isString" [speculable] => fn is_string(v: Strict);

    /// Whether a value is a path (a string holding a path is not).
    ///
    /// ```nix
    /// [ (builtins.isPath ./.) (builtins.isPath "/tmp") ]
    /// => [ true false ]
    /// ```
    "isPath" [speculable] => fn is_path(v: Strict);

    /// Whether a value is an attribute set.
    ///
    /// ```nix
    /// [ (builtins.isAttrs { }) (builtins.isAttrs [ ]) ]
    /// => [ true false ]
    /// ```
    "isAttrs" [speculable] => fn is_attrs(v: Strict);

    /// Whether a value is a list.
    ///
    /// ```nix
    /// [ (builtins.isList [ ]) (builtins.isList { }) ]
    /// => [ true false ]
    /// ```
    "isList" [speculable] => fn is_list(v: Strict);

    /// Whether a value is a function: a lambda or a builtin (partially applied or not). A set
    /// with `__functor` can be called but is not a function.
    ///
    /// ```nix
    /// [ (builtins.isFunction (x: x)) (builtins.isFunction builtins.add) (builtins.isFunction { __functor = self: x: x; }) ]
    /// => [ true true false ]
    /// ```
    "isFunction" [speculable] => fn is_function(v: Strict);
}

fn type_of(v: &Value) -> Result<Value, Error> {
    Ok(Value::string(v.type_of()))
}

fn is_null(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Null)))
}

fn is_bool(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Bool(_))))
}

fn is_int(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Int(_))))
}

fn is_float(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Float(_))))
}

fn is_string(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::String(_))))
}

fn is_path(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Path(_))))
}

fn is_attrs(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::Attrs(_))))
}

fn is_list(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(v, Value::List(_))))
}

fn is_function(v: &Value) -> Result<Value, Error> {
    Ok(Value::bool(matches!(
        v,
        Value::Closure(_) | Value::Builtin(_)
    )))
}
