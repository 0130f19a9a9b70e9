//! A host's own builtins, declared as gnix declares its own (`gnix::declare_builtins!`): they
//! join `builtins` (and the top level where flagged), may replace one of gnix's, may be
//! synchronous or async, and a panic in one becomes an error that leaves its thunk forceable.

use gnix::errors::{Error, ErrorClass};
use gnix::io::StdIo;
use gnix::value::{Ret, Value};
use gnix::vm::request::{Co, force};
use gnix::{Evaluator, Settings};
use std::path::Path;

gnix::declare_builtins! {
    /// Adds two integers.
    ///
    /// ```nix
    /// builtins.hostAdd 1 2
    /// => 3
    /// ```
    "hostAdd" [top_level] => fn host_add(a: Strict, b: Strict);

    /// The sum of a list of integers, forcing each.
    ///
    /// ```nix
    /// builtins.hostSum [ 1 (1 + 1) ]
    /// => 3
    /// ```
    "hostSum" => async fn host_sum(list: Strict);

    /// Panics.
    ///
    /// ```nix
    /// builtins.hostBoom 1
    /// => error: panicked
    /// ```
    "hostBoom" => fn host_boom(x: Strict);

    /// Forces its argument, then panics.
    ///
    /// ```nix
    /// builtins.hostBoomLater 1
    /// => error: panicked
    /// ```
    "hostBoomLater" => async fn host_boom_later(x: Lazy);

    /// Asks the scheduler to force a value that is already evaluated (a host bug).
    ///
    /// ```nix
    /// builtins.hostForceValue 1
    /// => error: asked to force
    /// ```
    "hostForceValue" => fn host_force_value(x: Strict);

    /// Adds two integers, under a path.
    ///
    /// ```nix
    /// myHost.add 1 2
    /// => 3
    /// ```
    "myHost.add" [top_level] => fn host_add(a: Strict, b: Strict);

    /// Multiplies two integers, deeper under the same path.
    ///
    /// ```nix
    /// builtins.myHost.math.mul 2 3
    /// => 6
    /// ```
    "myHost.math.mul" => fn host_mul(a: Strict, b: Strict);

    /// Replaces gnix's own `length`.
    ///
    /// ```nix
    /// builtins.length [ ]
    /// => 42
    /// ```
    "length" => fn fake_length(list: Lazy);
}

fn int(v: &Value) -> Result<i64, Error> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(Error::new("expected an integer")),
    }
}

fn host_add(a: &Value, b: &Value) -> Result<Value, Error> {
    Ok(Value::Int(int(a)? + int(b)?))
}

async fn host_sum(co: Co, list: Value) -> Result<Value, Error> {
    let Value::List(items) = list else {
        return Err(Error::new("expected a list"));
    };
    let mut sum = 0;
    for item in items.iter() {
        sum += int(&force(&co, item.clone()).await)?;
    }
    Ok(Value::Int(sum))
}

fn host_mul(a: &Value, b: &Value) -> Result<Value, Error> {
    Ok(Value::Int(int(a)? * int(b)?))
}

fn host_boom(_: &Value) -> Result<Value, Error> {
    panic!("host builtin panicked on purpose")
}

async fn host_boom_later(co: Co, x: Value) -> Result<Value, Error> {
    force(&co, x).await;
    panic!("host builtin panicked on purpose, after a force")
}

fn host_force_value(x: &Value) -> Result<Ret, Error> {
    Ok(Ret::Force(x.clone()))
}

fn fake_length(_: &Value) -> Result<Value, Error> {
    Ok(Value::Int(42))
}

fn evaluator() -> Evaluator {
    Evaluator::with_builtins(Settings::default(), Box::new(StdIo), builtins())
}

fn eval(ev: &mut Evaluator, expr: &str) -> Result<String, Error> {
    let v = ev.eval_expr(expr, Path::new(env!("CARGO_MANIFEST_DIR")))?;
    ev.deep_force(v).map(|v| gnix::print::print_value(&v))
}

#[test]
fn host_builtins_join_the_global_scope() {
    let mut ev = evaluator();
    let got = eval(
        &mut ev,
        "[ (builtins.hostAdd 1 2) (hostAdd 3 4) (builtins.hostSum [ 1 (2 + 3) ]) (builtins.length [ 1 ]) (builtins.elemAt [ 7 ] 0) ]",
    );
    assert_eq!(got.expect("evaluates"), "[ 3 7 6 42 7 ]");
}

#[test]
fn a_host_panic_becomes_an_error_and_leaves_its_thunk_forceable() {
    let mut ev = evaluator();
    // The second panics in a generator resumed after forcing a thunk (host builtins are never
    // speculated, so the argument stays one).
    for expr in [
        "builtins.hostBoom 1",
        "builtins.hostBoomLater (builtins.hostAdd 1 1)",
    ] {
        let set = ev
            .eval_expr(&format!("{{ x = {expr}; }}"), Path::new("/"))
            .expect("a set");
        let Value::Attrs(a) = &set else {
            panic!("expected a set")
        };
        let x = a.get_bytes(b"x").expect("x").clone();
        for _ in 0..2 {
            let generators = ev.stats().builtin_generators;
            let e = ev.force(x.clone()).expect_err("the builtin panics");
            if expr.contains("Later") {
                assert!(
                    ev.stats().builtin_generators > generators,
                    "it ran as a generator"
                );
            }
            assert_eq!(e.class, ErrorClass::HostPanic, "{}", e.message);
            assert!(e.message.contains("panicked on purpose"), "{}", e.message);
        }
        // The evaluator is still healthy.
        assert_eq!(eval(&mut ev, "1 + 1").expect("evaluates"), "2");
    }
}

#[test]
fn a_host_panic_is_not_caught_by_try_eval() {
    let mut ev = evaluator();
    let e = eval(&mut ev, "builtins.tryEval (builtins.hostBoom 1)").expect_err("panics");
    assert_eq!(e.class, ErrorClass::HostPanic);
}

#[test]
fn a_host_builtin_misusing_ret_force_gets_an_error() {
    let mut ev = evaluator();
    let e = eval(&mut ev, "builtins.hostForceValue 1").expect_err("a host bug");
    assert_eq!(e.class, ErrorClass::HostPanic);
    assert!(e.message.contains("asked to force"), "{}", e.message);
}

#[test]
fn host_builtins_carry_state() {
    use std::cell::Cell;
    use std::collections::HashMap;
    use std::rc::Rc;
    // A counter the host reads afterwards, and a "database" an async builtin looks names up in.
    let calls = Rc::new(Cell::new(0));
    let counted = {
        let calls = calls.clone();
        gnix::value::Builtin::from_fn("hostCount", &["x"], &[true], move |args: &[Value]| {
            calls.set(calls.get() + 1);
            Ok(Ret::Value(args[0].clone()))
        })
    };
    let db: Rc<HashMap<String, i64>> = Rc::new([("alice".to_string(), 7)].into_iter().collect());
    let lookup = gnix::value::Builtin::from_async(
        "hostLookup",
        &["name"],
        &[false],
        move |co: Co, args: Vec<Value>| {
            let db = db.clone();
            async move {
                let name = match force(&co, args[0].clone()).await {
                    Value::String(s) => s.to_str_lossy().into_owned(),
                    _ => return Err(Error::new("expected a string")),
                };
                Ok(db.get(&name).map_or(Value::Null, |n| Value::Int(*n)))
            }
        },
    );
    let mut ev =
        Evaluator::with_builtins(Settings::default(), Box::new(StdIo), vec![counted, lookup]);
    let got = eval(
        &mut ev,
        r#"[ (builtins.hostCount 1) (builtins.hostCount 2) (builtins.hostLookup ("ali" + "ce")) (builtins.hostLookup "bob") ]"#,
    );
    assert_eq!(got.expect("evaluates"), "[ 1 2 7 null ]");
    assert_eq!(calls.get(), 2);
}

#[test]
fn host_builtins_live_at_their_paths() {
    let mut ev = evaluator();
    let got = eval(
        &mut ev,
        "[ (myHost.add 1 2) (builtins.myHost.add 3 4) (__myHost.math.mul 2 5) \
           (builtins.attrNames builtins.myHost) (builtins.attrNames myHost.math) \
           (builtins ? myHost) (builtins.myHost.math ? mul) ]",
    );
    assert_eq!(
        got.expect("evaluates"),
        r#"[ 3 7 10 [ "add" "math" ] [ "mul" ] true true ]"#
    );
    // Only top-level builtins' roots are visible without `builtins.`.
    let e = eval(&mut ev, "hostSum [ 1 ]").expect_err("not top level");
    assert_eq!(e.class, ErrorClass::UndefinedVariable, "{}", e.message);
}

#[test]
fn a_later_host_builtin_replaces_what_is_at_its_path() {
    let answer = |name: &'static str, n: i64| {
        gnix::value::Builtin::from_fn(name, &["x"], &[false], move |_: &[Value]| {
            Ok(Ret::Value(Value::Int(n)))
        })
    };
    // `readFile.x` replaces gnix's `readFile` by a set; a later `a.b` replaces an earlier one.
    let host = vec![
        answer("a.b", 1),
        answer("readFile.x", 2),
        answer("a.b", 3),
        answer("a.c", 4),
    ];
    let mut ev = Evaluator::with_builtins(Settings::default(), Box::new(StdIo), host);
    let got = eval(
        &mut ev,
        "[ (builtins.a.b 0) (builtins.a.c 0) (builtins.readFile.x 0) ]",
    );
    assert_eq!(got.expect("evaluates"), "[ 3 4 2 ]");
}

#[test]
fn host_builtins_given_as_nix_source() {
    use gnix::builtins::NixBuiltin;
    let nix = [
        // Nix code sees gnix's builtins, the host's native ones, and the host's other Nix ones.
        NixBuiltin::new("myHost.double", "x: builtins.myHost.add x x"),
        NixBuiltin::new(
            "myHost.quadruple",
            "x: builtins.myHost.double (builtins.myHost.double x)",
        ),
        NixBuiltin::new("greeting", r#"{ hello = name: "hello, ${name}"; }"#).top_level(),
        NixBuiltin::new("broken", "x: x +"),
        NixBuiltin::new("unbound", "x: y"),
    ];
    let mut ev = Evaluator::with_host(Settings::default(), Box::new(StdIo), builtins(), &nix);
    let got = eval(
        &mut ev,
        r#"[ (myHost.double 4) (builtins.myHost.quadruple 1) (myHost.add 1 1) (greeting.hello "nix") ]"#,
    );
    assert_eq!(got.expect("evaluates"), r#"[ 8 4 2 "hello, nix" ]"#);
    // Source that does not compile fails where it is used, with the compiler's error.
    let e = eval(&mut ev, "builtins.broken 1").expect_err("a syntax error");
    assert_eq!(e.class, ErrorClass::Parse, "{}", e.message);
    let rendered = e.render(false);
    assert!(rendered.contains("«host»/broken"), "{rendered}");
    let e = eval(&mut ev, "builtins.tryEval (builtins.unbound 1)").expect_err("unbound");
    assert_eq!(e.class, ErrorClass::UndefinedVariable, "{}", e.message);
    // The evaluator stays healthy.
    assert_eq!(eval(&mut ev, "myHost.double 21").expect("evaluates"), "42");
}
