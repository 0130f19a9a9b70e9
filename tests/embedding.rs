//! Reading values from Rust: accessors that force only what they read, calling a Nix function
//! from Rust, and errors that render after their evaluator is gone.

use gnix::errors::ErrorClass;
use gnix::{Evaluator, Settings, Value};
use std::path::Path;

fn eval(ev: &mut Evaluator, expr: &str) -> Value {
    ev.eval_expr(expr, Path::new("/")).expect("evaluates")
}

#[test]
fn accessors_read_scalars_sets_and_lists() {
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(
        &mut ev,
        r#"{ port = 8000 + 80; ratio = 0.5; debug = !false; name = "srv" + "1"; tags = [ "a" "b" ]; }"#,
    );
    assert_eq!(
        ev.names(&v).unwrap(),
        ["debug", "name", "port", "ratio", "tags"]
    );
    let port = ev.attr(&v, "port").unwrap().expect("port");
    assert_eq!(ev.as_int(&port).unwrap(), 8080);
    let ratio = ev.attr(&v, "ratio").unwrap().expect("ratio");
    assert_eq!(ev.as_float(&ratio).unwrap(), 0.5);
    assert_eq!(ev.as_float(&port).unwrap(), 8080.0);
    let debug = ev.attr(&v, "debug").unwrap().expect("debug");
    assert!(ev.as_bool(&debug).unwrap());
    let name = ev.attr(&v, "name").unwrap().expect("name");
    assert_eq!(ev.as_string(&name).unwrap(), "srv1");
    let tags = ev.attr(&v, "tags").unwrap().expect("tags");
    assert_eq!(ev.len(&tags).unwrap(), 2);
    let second = ev.get(&tags, 1).unwrap().expect("an element");
    assert_eq!(ev.as_string(&second).unwrap(), "b");
    assert!(ev.get(&tags, 2).unwrap().is_none());
    assert!(ev.attr(&v, "missing").unwrap().is_none());
}

#[test]
fn accessors_force_only_what_they_read() {
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(
        &mut ev,
        r#"{ ok = 1; broken = throw "never read"; list = [ (throw "nor this") 2 ]; }"#,
    );
    let ok = ev.attr(&v, "ok").unwrap().expect("ok");
    assert_eq!(ev.as_int(&ok).unwrap(), 1);
    let list = ev.attr(&v, "list").unwrap().expect("list");
    assert_eq!(ev.len(&list).unwrap(), 2);
    let two = ev.get(&list, 1).unwrap().expect("an element");
    assert_eq!(ev.as_int(&two).unwrap(), 2);
    let broken = ev.attr(&v, "broken").unwrap().expect("broken");
    let e = ev.as_int(&broken).expect_err("throws when read");
    assert_eq!(e.class, ErrorClass::Throw);
}

#[test]
fn accessors_report_the_wrong_type() {
    let mut ev = Evaluator::new(Settings::default());
    let v = eval(&mut ev, r#""text""#);
    let e = ev.as_int(&v).expect_err("a string is no integer");
    assert!(
        e.message.contains("expected an integer but found a string"),
        "{}",
        e.message
    );
    assert!(ev.names(&v).is_err());
    assert!(ev.len(&v).is_err());
}

#[test]
fn rust_calls_a_nix_function() {
    let mut ev = Evaluator::new(Settings::default());
    let add = eval(&mut ev, "a: b: a * 10 + b");
    let r = ev.call(add, vec![Value::Int(4), Value::Int(2)]).unwrap();
    assert_eq!(ev.as_int(&r).unwrap(), 42);
    let greet = eval(
        &mut ev,
        r#"{ name, greeting ? "hello" }: "${greeting}, ${name}""#,
    );
    let arg = eval(&mut ev, r#"{ name = "nix"; }"#);
    let r = ev.call(greet, vec![arg]).unwrap();
    assert_eq!(ev.as_string(&r).unwrap(), "hello, nix");
    let functor = eval(&mut ev, "{ __functor = self: x: x + 1; }");
    let r = ev.call(functor, vec![Value::Int(1)]).unwrap();
    assert_eq!(ev.as_int(&r).unwrap(), 2);
    let e = ev
        .call(Value::Int(1), vec![Value::Int(1)])
        .expect_err("not a function");
    assert!(e.message.contains("not a function"), "{}", e.message);
}

#[test]
fn undefined_variables_have_their_own_class() {
    let mut ev = Evaluator::new(Settings::default());
    let compiled = ev
        .eval_expr("x + 1", Path::new("/"))
        .expect_err("x is undefined");
    assert_eq!(compiled.class, ErrorClass::UndefinedVariable);
    let at_run_time = ev
        .eval_expr("with { }; y", Path::new("/"))
        .expect_err("y is undefined");
    assert_eq!(at_run_time.class, ErrorClass::UndefinedVariable);
    let syntax = ev
        .eval_expr("1 +", Path::new("/"))
        .expect_err("a syntax error");
    assert_eq!(syntax.class, ErrorClass::Parse);
}

#[test]
fn errors_say_what_kind_they_are() {
    let cases = [
        ("1 + { }", ErrorClass::Type),
        ("\"${{ }}\"", ErrorClass::Type),
        ("1 2", ErrorClass::Type),
        ("{ a = 1; }.b", ErrorClass::MissingAttribute),
        (
            "builtins.getAttr \"b\" { a = 1; }",
            ErrorClass::MissingAttribute,
        ),
        ("let x = x; in x", ErrorClass::InfiniteRecursion),
        ("let f = n: 1 + f n; in f 0", ErrorClass::CallDepth),
        ("builtins.readFile /no/such/file", ErrorClass::Io),
        ("import /no/such/file.nix", ErrorClass::Io),
        ("throw \"x\"", ErrorClass::Throw),
        ("abort \"x\"", ErrorClass::Abort),
        ("assert false; 1", ErrorClass::Assert),
    ];
    for (src, class) in cases {
        let mut ev = Evaluator::new(Settings::default());
        let e = ev
            .eval_expr(src, Path::new("/"))
            .and_then(|v| ev.deep_force(v))
            .expect_err(src);
        assert_eq!(e.class, class, "{src}: {}", e.message);
        assert!(!e.is_interruption(), "{src}");
    }
}

#[test]
fn an_error_renders_on_another_thread_after_its_evaluator_is_gone() {
    fn send_sync<T: Send + Sync + 'static>(_: &T) {}
    let mut ev = Evaluator::new(Settings::default());
    let program = "let\n  f = x: x.foo;\nin\n  f { bar = 1; }\n";
    let err = ev.eval_expr(program, Path::new("/")).unwrap_err();
    let with_evaluator = ev.render_error(&err, true);
    drop(ev);
    send_sync(&err);
    let rendered = std::thread::spawn(move || (err.render(true), err.render(false)))
        .join()
        .unwrap();
    assert_eq!(rendered.0, with_evaluator);
    // As C++ Nix lays it out: the failed selection's frame, then the message.
    assert!(
        rendered
            .1
            .starts_with("error:\n       … while evaluating the attribute 'foo'\n"),
        "{}",
        rendered.1
    );
    assert!(
        rendered
            .1
            .trim_end()
            .ends_with("error: attribute 'foo' missing"),
        "{}",
        rendered.1
    );
    assert!(rendered.1.contains("at «string»:2:"), "{}", rendered.1);
    assert!(rendered.1.contains("|   f = x: x.foo;\n"), "{}", rendered.1);
}

#[test]
fn an_error_knows_its_location() {
    let mut ev = Evaluator::new(Settings::default());
    let err = ev.eval_expr("1 +\n  \"a\"", Path::new("/")).unwrap_err();
    let at = err.location().expect("located");
    assert_eq!(at.file, "«string»");
    assert!(at.line_col.is_some_and(|(line, _)| line <= 2));
}

#[test]
fn bindings_are_variables_around_an_expression() {
    let mut ev = Evaluator::new(Settings::default());
    let mut scope = gnix::eval::Bindings::default();
    scope.insert("x", Value::Int(20));
    // A lazy binding sees the bindings made before it, not later ones.
    let y = ev.lazy_expr_with("x + 1", Path::new("/"), &scope).unwrap();
    scope.insert("y", y);
    scope.insert("x", Value::Int(100));
    // A binding shadows a global; `with` does not shadow a binding.
    scope.insert("map", Value::Int(7));
    let v = ev
        .eval_expr_with("with { x = 0; }; [ x y map ]", Path::new("/"), &scope)
        .unwrap();
    let v = ev.deep_force(v).unwrap();
    assert_eq!(gnix::print::print_value(&v), "[ 100 21 7 ]");
    assert_eq!(scope.names().collect::<Vec<_>>(), ["x", "y", "map"]);
    scope.clear();
    let e = ev.eval_expr_with("x", Path::new("/"), &scope).unwrap_err();
    assert_eq!(e.class, ErrorClass::UndefinedVariable);
}

/// A host renders the trace as `gnix eval` does, with and without `--show-trace`: the call of
/// a lambda (and where it was called) only with it, a builtin's call and the argument it was
/// evaluating always, outermost first, as C++ Nix prints them.
#[test]
fn an_error_renders_its_trace_with_and_without_show_trace() {
    let mut ev = Evaluator::new(Settings::default());
    let program = "let\n  f = x: let n = builtins.length x; in n;\nin\n  f 1\n";
    let err = ev.eval_expr(program, Path::new("/")).unwrap_err();
    let builtin = "\
error:
       … while calling the 'length' builtin
         at «string»:2:18:
            1| let
            2|   f = x: let n = builtins.length x; in n;
             |                  ^
            3| in

       … while evaluating the first argument passed to builtins.length

       error: expected a list but found an integer: 1
";
    assert_eq!(err.render(false), builtin);
    let lambda = "\
error:
       … from call site
         at «string»:4:3:
            3| in
            4|   f 1
             |   ^
            5|

       … while calling 'f'
         at «string»:2:7:
            1| let
            2|   f = x: let n = builtins.length x; in n;
             |       ^
            3| in
";
    let full = err.render(true);
    assert_eq!(full, format!("{lambda}{}", &builtin["error:".len()..]));
    assert_eq!(full, ev.render_error(&err, true));
}

/// With tail calls on (the library's default), a lambda entered by a tail call, of one
/// argument or a curried one given both, still says where it was called from (`k`'s body has
/// a `let`, so it runs in a frame rather than being computed on the spot).
#[test]
fn a_tail_called_lambda_keeps_its_call_site() {
    let mut ev = Evaluator::new(Settings::default());
    let program = "let\n  k = x: y: let z = { inherit x y; }; in z.x + throw \"k\";\n  m = x: if x > 2 then k x 1 else m (x + 1);\nin\n  m 0\n";
    let err = ev.eval_expr(program, Path::new("/")).unwrap_err();
    let full = err.render(true);
    let sites: Vec<&str> = full
        .lines()
        .skip_while(|l| !l.contains("from call site"))
        .filter(|l| l.trim_start().starts_with("at «string»"))
        .collect();
    // m 0 (5:3), then k x 1 in m's body (3:24); m's own tail calls leave no frames.
    assert!(sites.len() >= 2, "{full}");
    assert!(
        full.contains("… from call site\n         at «string»:3:24:"),
        "{full}"
    );
    assert!(full.contains("… while calling 'k'"), "{full}");
}

/// An error leaving a call of a set with `__functor` says so at the call, as current C++ Nix
/// does (with or without `--show-trace`), whether the functor is called on the spot (an
/// evaluated `self: x: ...`) or through a generator (a functor still to be evaluated: the
/// `if` on `getEnv` is not computed ahead).
#[test]
fn an_error_in_a_functor_call_says_so() {
    let mut ev = Evaluator::new(Settings::default());
    let functor = "… while calling a functor (an attribute set with a '__functor' attribute)";
    for (program, at) in [
        (
            "let f = { __functor = self: x: 1 + throw \"boom\"; }; in f 1",
            "«string»:1:56:",
        ),
        (
            "let f = { __functor = if builtins.getEnv \"NOPE\" == \"\" then (self: x: 1 + throw \"boom\") else null; }; in f 1",
            "«string»:1:105:",
        ),
    ] {
        let err = ev.eval_expr(program, Path::new("/")).unwrap_err();
        for full in [err.render(false), err.render(true)] {
            let line = full.lines().position(|l| l.trim_start() == functor);
            let next = line.and_then(|i| full.lines().nth(i + 1));
            assert_eq!(
                next.map(str::trim),
                Some(format!("at {at}").as_str()),
                "{full}"
            );
        }
    }
    // A functor call that succeeds leaves nothing behind: a second call works as the first.
    let v = ev
        .eval_expr(
            "let f = { __functor = self: x: x + 1; }; in [ (f 1) (f 2) ]",
            Path::new("/"),
        )
        .unwrap();
    let v = ev.deep_force(v).unwrap();
    assert_eq!(gnix::print::print_value(&v), "[ 2 3 ]");
}
