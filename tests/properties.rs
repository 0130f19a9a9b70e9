//! Property tests over generated Nix programs (issue 23). The golden cases and the corpus check
//! what someone thought of; these check what nobody wrote down, on programs no one would write:
//!
//! - `engines_agree`: the generator VM, the recursive baseline and the generator VM without
//!   speculation give the same outcome, the same `--strict` printed value or an error of the same
//!   class and message (without speculation, a message may quote as `«thunk»` a value
//!   speculation computed: `same_but_thunks`). It protects the design's central promise: the drivers and speculation
//!   change how the work is done, never what it computes (`design/ARCHITECTURE.md`). It also
//!   checks the generator: a generated program never fails to parse or names an unbound variable.
//! - `json_round_trips`: `builtins.fromJSON (builtins.toJSON v) == v` for JSON-representable
//!   values, and the host's `Evaluator::to_json` writes the same text, which `fromJSON` reads
//!   back as the value printed before. It protects the JSON writer and reader (escapes, Unicode,
//!   nesting, floats) against each other.
//! - `printed_values_reparse`: a deep-forced value without functions, printed, is a Nix
//!   expression that evaluates to a value printing the same. It protects the printer's quoting
//!   of strings and attribute names, which error messages and the CLI both rely on. Values
//!   with a negative number in a list or the least integer are left out: C++ Nix prints them
//!   so that they do not read back (`unreadable`), and gnix prints as it does.
//! - `parsers_agree`: gnix's parser (src/syntax/parser.rs) makes the same tree and errors as
//!   rnix's, whose tree the compiler reads (tests/parser_differential.rs compares the corpus).
//! - `generated_programs_mostly_evaluate`: most generated programs evaluate without error, so
//!   that the properties above are about values and not only about errors.
//!
//! Programs are generated from a typed grammar (`Ty`): each expression has a type, and a
//! variable is only ever a name bound around it of that type (`Cx`), so programs are
//! well formed and mostly well typed; errors still come from `throw`, failed asserts, division
//! by zero, missing attributes and out-of-range indices. Binders are named after the depth they
//! are generated at, so names are known when the strategy is built. Programs are a few levels
//! deep: each evaluates in well under a millisecond, far from any limit where the drivers may
//! legitimately differ (call depth, native stack).
//!
//! Case counts: 256 per property unless `PROPTEST_CASES` says otherwise (proptest reads it).

use gnix::print::{PrintOptions, print_value, print_with};
use gnix::settings::Driver;
use gnix::{ErrorClass, Evaluator, Settings, Value};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use std::path::Path;
use std::rc::Rc;

/// How deep generated programs nest.
const DEPTH: u32 = 4;

/// The type of a generated expression: what it may be used for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Int,
    Bool,
    Str,
    /// A list of integers.
    List,
    /// A set whose attributes are integers.
    Set,
    /// A function from integer to integer.
    Fun,
}

/// Types a `let` may bind or `seq` may force.
const BINDABLE: [Ty; 5] = [Ty::Int, Ty::Str, Ty::List, Ty::Set, Ty::Fun];

/// The attribute names sets are made of; `select`, `?` and `or` ask for them.
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// Where an expression is generated: the names bound around it and the levels left.
#[derive(Clone)]
struct Cx {
    vars: Rc<Vec<(String, Ty)>>,
    depth: u32,
}

impl Cx {
    fn top() -> Cx {
        Cx {
            vars: Rc::new(Vec::new()),
            depth: DEPTH,
        }
    }

    /// One level down, with the same names.
    fn down(&self) -> Cx {
        Cx {
            vars: self.vars.clone(),
            depth: self.depth.saturating_sub(1),
        }
    }

    /// One level down, with `binds` in scope too.
    fn bind(&self, binds: &[(&str, Ty)]) -> Cx {
        let mut vars = (*self.vars).clone();
        vars.extend(binds.iter().map(|(n, t)| (n.to_string(), *t)));
        Cx {
            vars: Rc::new(vars),
            depth: self.depth.saturating_sub(1),
        }
    }

    /// A binder's name, unique along any path from the root (depths only decrease).
    fn name(&self, base: &str) -> String {
        format!("{base}{}", self.depth)
    }

    fn vars_of(&self, ty: Ty) -> Vec<String> {
        let names = self.vars.iter().filter(|(_, t)| *t == ty);
        names.map(|(n, _)| n.clone()).collect()
    }
}

type Gen = BoxedStrategy<String>;

/// An expression of type `ty` in `cx`; built lazily, so only the chosen branch is built.
fn expr(ty: Ty, cx: &Cx) -> Gen {
    let cx = cx.clone();
    Just(())
        .prop_flat_map(move |()| match cx.depth {
            0 => leaf(ty, &cx),
            _ => prop_oneof![
                3 => leaf(ty, &cx),
                5 => typed(ty, &cx),
                2 => binding(ty, &cx),
                2 => control(ty, &cx),
            ]
            .boxed(),
        })
        .boxed()
}

fn e(ty: Ty, cx: &Cx) -> Gen {
    expr(ty, &cx.down())
}

/// A literal or a bound variable.
fn leaf(ty: Ty, cx: &Cx) -> Gen {
    let vars = cx.vars_of(ty);
    match vars.is_empty() {
        true => literal(ty),
        false => prop_oneof![literal(ty), select(vars)].boxed(),
    }
}

fn int_literal() -> Gen {
    let small = (-4i64..10).boxed();
    let edge = select(vec![i64::MAX, i64::MIN + 1, 1 << 62, -1000, 1000]).boxed();
    prop_oneof![9 => small, 1 => edge]
        .prop_map(|n| match n < 0 {
            true => format!("({n})"),
            false => n.to_string(),
        })
        .boxed()
}

/// Text with the characters Nix strings and JSON escape, and some beyond ASCII.
fn text() -> BoxedStrategy<String> {
    let chars = vec![
        'a', 'b', ' ', '$', '{', '}', '"', '\\', '\n', '\t', '\r', '\'', 'é', '€', '\u{1}', '😀',
    ];
    prop::collection::vec(select(chars), 0..6)
        .prop_map(|cs| cs.into_iter().collect())
        .boxed()
}

/// `s` as a double-quoted Nix string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn literal(ty: Ty) -> Gen {
    match ty {
        Ty::Int => int_literal(),
        Ty::Bool => select(vec!["true".to_string(), "false".to_string()]).boxed(),
        Ty::Str => text().prop_map(|s| quote(&s)).boxed(),
        Ty::List => prop::collection::vec(int_literal(), 0..4)
            .prop_map(|xs| format!("[ {} ]", spaced(&xs)))
            .boxed(),
        Ty::Set => set_literal(int_literal()),
        Ty::Fun => int_literal().prop_map(|n| format!("(y: y + {n})")).boxed(),
    }
}

fn spaced(xs: &[String]) -> String {
    xs.iter().map(|x| format!("{x} ")).collect()
}

/// `{ a = V; ... }` over some of `NAMES`, with values from `values`.
fn set_literal(values: Gen) -> Gen {
    let names = prop::sample::subsequence(NAMES.to_vec(), 0..=NAMES.len());
    names
        .prop_flat_map(move |names| {
            let vals = prop::collection::vec(values.clone(), names.len());
            (Just(names), vals)
        })
        .prop_map(|(names, vals)| {
            let binds: String = names
                .iter()
                .zip(&vals)
                .map(|(n, v)| format!("{n} = {v}; "))
                .collect();
            format!("{{ {binds}}}")
        })
        .boxed()
}

/// The operators and builtins whose result is of type `ty`.
fn typed(ty: Ty, cx: &Cx) -> Gen {
    match ty {
        Ty::Int => int_ops(cx),
        Ty::Bool => bool_ops(cx),
        Ty::Str => str_ops(cx),
        Ty::List => list_ops(cx),
        Ty::Set => set_ops(cx),
        Ty::Fun => fun_ops(cx),
    }
}

fn name() -> Gen {
    select(NAMES.map(String::from).to_vec()).boxed()
}

fn int_ops(cx: &Cx) -> Gen {
    let (i, l, s) = (|| e(Ty::Int, cx), || e(Ty::List, cx), || e(Ty::Set, cx));
    let op = select(vec!["+", "-", "*", "/"]);
    prop_oneof![
        4 => (i(), op, i()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        1 => (l()).prop_map(|l| format!("(builtins.length {l})")),
        1 => (l(), 0..3u8).prop_map(|(l, n)| format!("(builtins.elemAt {l} {n})")),
        1 => (i(), l()).prop_map(|(a, l)| format!("(builtins.foldl' (acc: x: acc + x) {a} {l})")),
        1 => (e(Ty::Fun, cx), i()).prop_map(|(f, a)| format!("({f} {a})")),
        2 => (s(), name(), i()).prop_map(|(s, n, a)| format!("({s}.{n} or {a})")),
        1 => (s(), name()).prop_map(|(s, n)| format!("{s}.{n}")),
        1 => (e(Ty::Str, cx)).prop_map(|s| format!("(builtins.stringLength {s})")),
        1 => (i()).prop_map(|a| format!("(builtins.fromJSON (builtins.toJSON {a}))")),
        1 => (s()).prop_map(|s| format!("(builtins.length (builtins.attrNames {s}))")),
    ]
    .boxed()
}

fn bool_ops(cx: &Cx) -> Gen {
    let (i, b) = (|| e(Ty::Int, cx), || e(Ty::Bool, cx));
    let cmp = select(vec!["<", "<=", ">", ">=", "==", "!="]);
    let logic = select(vec!["&&", "||", "->"]);
    let same = select(vec![Ty::Str, Ty::List, Ty::Set, Ty::Bool]);
    let cx2 = cx.clone();
    prop_oneof![
        3 => (i(), cmp, i()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        2 => (b(), logic, b()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        1 => b().prop_map(|a| format!("(!{a})")),
        1 => same.prop_flat_map(move |t| (e(t, &cx2), e(t, &cx2)))
            .prop_map(|(a, b)| format!("({a} == {b})")),
        1 => (e(Ty::Set, cx), name()).prop_map(|(s, n)| format!("({s} ? {n})")),
        1 => (i(), e(Ty::List, cx)).prop_map(|(a, l)| format!("(builtins.elem {a} {l})")),
        1 => (e(Ty::Str, cx), e(Ty::Str, cx)).prop_map(|(a, b)| format!("({a} < {b})")),
        1 => (e(Ty::List, cx), e(Ty::List, cx)).prop_map(|(a, b)| format!("({a} < {b})")),
    ]
    .boxed()
}

/// An expression of any type but `Fun` (what `toJSON`, `typeOf` and `seq` are given).
fn data(cx: &Cx) -> Gen {
    let cx = cx.clone();
    select(DATA.to_vec())
        .prop_flat_map(move |t| e(t, &cx))
        .boxed()
}

fn str_ops(cx: &Cx) -> Gen {
    let (s, i) = (|| e(Ty::Str, cx), || e(Ty::Int, cx));
    let small = || 0..4u8;
    prop_oneof![
        2 => (text(), s(), text()).prop_map(|(a, x, b)| {
            let (a, b) = (quote(&a), quote(&b));
            format!("\"{}${{{x}}}{}\"", &a[1..a.len() - 1], &b[1..b.len() - 1])
        }),
        1 => i().prop_map(|a| format!("\"n${{toString {a}}}\"")),
        2 => (s(), s()).prop_map(|(a, b)| format!("({a} + {b})")),
        1 => e(Ty::List, cx).prop_map(|l| format!("(builtins.concatStringsSep \", \" (map toString {l}))")),
        2 => data(cx).prop_map(|v| format!("(builtins.toJSON {v})")),
        1 => (small(), small(), s()).prop_map(|(a, b, x)| format!("(builtins.substring {a} {b} {x})")),
        1 => data(cx).prop_map(|v| format!("(builtins.typeOf {v})")),
        1 => e(Ty::Set, cx).prop_map(|x| format!("(builtins.concatStringsSep \"-\" (builtins.attrNames {x}))")),
        1 => e(Ty::Bool, cx).prop_map(|b| format!("(toString {b})")),
    ]
    .boxed()
}

fn list_ops(cx: &Cx) -> Gen {
    let (l, i, s) = (|| e(Ty::List, cx), || e(Ty::Int, cx), || e(Ty::Set, cx));
    prop_oneof![
        2 => prop::collection::vec(i(), 0..4).prop_map(|xs| format!("[ {} ]", spaced(&xs))),
        2 => (l(), l()).prop_map(|(a, b)| format!("({a} ++ {b})")),
        1 => (e(Ty::Fun, cx), l()).prop_map(|(f, l)| format!("(map {f} {l})")),
        1 => (i(), l()).prop_map(|(a, l)| format!("(builtins.filter (x: x > {a}) {l})")),
        1 => (e(Ty::Fun, cx), 0..5u8).prop_map(|(f, n)| format!("(builtins.genList {f} {n})")),
        1 => l().prop_map(|l| format!("(builtins.sort builtins.lessThan {l})")),
        1 => l().prop_map(|l| format!("(builtins.sort (p: q: p > q) {l})")),
        1 => s().prop_map(|s| format!("(builtins.attrValues {s})")),
        1 => l().prop_map(|l| format!("(builtins.fromJSON (builtins.toJSON {l}))")),
        1 => (name(), s(), s()).prop_map(|(n, a, b)| format!("(builtins.catAttrs \"{n}\" [ {a} {b} ])")),
        1 => l().prop_map(|l| format!("(builtins.tail {l})")),
    ]
    .boxed()
}

fn set_ops(cx: &Cx) -> Gen {
    let (s, i, l) = (|| e(Ty::Set, cx), || e(Ty::Int, cx), || e(Ty::List, cx));
    let rec_cx = cx.bind(&[("a", Ty::Int)]);
    prop_oneof![
        2 => set_literal(i()),
        1 => (i(), expr(Ty::Int, &rec_cx)).prop_map(|(a, b)| format!("rec {{ a = {a}; b = a + {b}; }}")),
        1 => (e(Ty::Str, cx), i()).prop_map(|(k, v)| format!("{{ ${{{k}}} = {v}; }}")),
        1 => (e(Ty::Bool, cx), i(), i()).prop_map(|(c, v, w)| {
            format!("{{ \"${{if {c} then \"a\" else \"b\"}}\" = {v}; c = {w}; }}")
        }),
        2 => (s(), s()).prop_map(|(a, b)| format!("({a} // {b})")),
        1 => (i(), s()).prop_map(|(a, s)| format!("(builtins.mapAttrs (n: v: v + {a}) {s})")),
        1 => l().prop_map(|l| format!(
            "(builtins.listToAttrs (map (x: {{ name = \"k${{toString x}}\"; value = x; }}) {l}))"
        )),
        1 => s().prop_map(|s| format!("(builtins.removeAttrs {s} [ \"a\" \"b\" ])")),
        1 => (s(), s()).prop_map(|(a, b)| format!("(builtins.intersectAttrs {a} {b})")),
        1 => s().prop_map(|s| format!("(builtins.fromJSON (builtins.toJSON {s}))")),
    ]
    .boxed()
}

fn fun_ops(cx: &Cx) -> Gen {
    let x = cx.name("x");
    let body = expr(Ty::Int, &cx.bind(&[(&x, Ty::Int)]));
    let (f, i) = (|| e(Ty::Fun, cx), || e(Ty::Int, cx));
    prop_oneof![
        3 => body.prop_map(move |b| format!("({x}: {b})")),
        1 => (select(vec!["add", "mul", "sub"]), i()).prop_map(|(o, a)| format!("(builtins.{o} {a})")),
        1 => (f(), f()).prop_map(|(f, g)| format!("(y: {f} ({g} y))")),
    ]
    .boxed()
}

/// Expressions that bind names: `let`, lambdas called with plain and pattern arguments, `with`.
fn binding(ty: Ty, cx: &Cx) -> Gen {
    let cx2 = cx.clone();
    let lets = select(BINDABLE.to_vec()).prop_flat_map(move |t| let_in(ty, t, &cx2));
    let x = cx.name("x");
    let called = (expr(ty, &cx.bind(&[(&x, Ty::Int)])), e(Ty::Int, cx))
        .prop_map(move |(b, a)| format!("(({x}: {b}) {a})"));
    let w = cx.name("w");
    let with_known = (e(Ty::Int, cx), expr(ty, &cx.bind(&[(&w, Ty::Int)])))
        .prop_map(move |(v, b)| format!("(with {{ {w} = {v}; }}; {b})"));
    let with_any = (e(Ty::Set, cx), e(ty, cx)).prop_map(|(s, b)| format!("(with {s}; {b})"));
    prop_oneof![3 => lets, 2 => called, 2 => pattern_call(ty, cx), 1 => with_known, 1 => with_any]
        .boxed()
}

/// `let v = E; u = F; in B` with `v` of type `t` (and `u` seeing `v`), `B` of type `ty`.
fn let_in(ty: Ty, t: Ty, cx: &Cx) -> Gen {
    let (v, u) = (cx.name("v"), cx.name("u"));
    let value = e(t, cx);
    let second = expr(Ty::Int, &cx.bind(&[(&v, t)]));
    let body = expr(ty, &cx.bind(&[(&v, t), (&u, Ty::Int)]));
    (value, second, body)
        .prop_map(move |(a, b, c)| format!("(let {v} = {a}; {u} = {b}; in {c})"))
        .boxed()
}

/// The shapes a pattern lambda and its argument set take.
#[derive(Clone, Copy, Debug)]
struct Pattern {
    ellipsis: bool,
    /// `@s` after the pattern, before it, or no name for the whole set.
    at: Option<bool>,
    /// The argument gives `q`, which has a default.
    gives_q: bool,
    /// The argument has an attribute the pattern does not name.
    extra: bool,
}

fn pattern() -> BoxedStrategy<Pattern> {
    let at = prop_oneof![Just(None), Just(Some(true)), Just(Some(false))];
    (any::<bool>(), at, any::<bool>(), prop::bool::weighted(0.2))
        .prop_map(|(ellipsis, at, gives_q, extra)| Pattern {
            ellipsis,
            at,
            gives_q,
            extra,
        })
        .boxed()
}

/// `({ p, q ? D, ... }@s: B) { p = A; ... }` in its variations (`Pattern`).
fn pattern_call(ty: Ty, cx: &Cx) -> Gen {
    let (p, q, s) = (cx.name("p"), cx.name("q"), cx.name("s"));
    let inner = cx.bind(&[(&p, Ty::Int), (&q, Ty::Int), (&s, Ty::Set)]);
    let ints = || e(Ty::Int, cx);
    (pattern(), ints(), ints(), ints(), expr(ty, &inner))
        .prop_map(move |(pat, default, pv, qv, body)| {
            let dots = if pat.ellipsis { ", ..." } else { "" };
            let formals = format!("{{ {p}, {q} ? {default}{dots} }}");
            let head = match pat.at {
                Some(true) => format!("{formals}@{s}"),
                Some(false) => format!("{s}@{formals}"),
                None => formals,
            };
            let body = match pat.at {
                Some(_) => body,
                None => format!("(let {s} = {{ }}; in {body})"),
            };
            let q_arg = if pat.gives_q {
                format!("{q} = {qv}; ")
            } else {
                String::new()
            };
            let extra = if pat.extra { "z = 1; " } else { "" };
            format!("(({head}: {body}) {{ {p} = {pv}; {q_arg}{extra}}})")
        })
        .boxed()
}

/// `if`, `assert`, `seq`, `deepSeq`, `tryEval` and `throw` around an expression of type `ty`.
fn control(ty: Ty, cx: &Cx) -> Gen {
    let (b, x) = (|| e(Ty::Bool, cx), || e(ty, cx));
    let t = cx.name("t");
    prop_oneof![
        3 => (b(), x(), x()).prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
        1 => (b(), x()).prop_map(|(c, a)| format!("(assert {c}; {a})")),
        1 => (data(cx), x()).prop_map(|(a, b)| format!("(builtins.seq {a} {b})")),
        1 => (data(cx), x()).prop_map(|(a, b)| format!("(builtins.deepSeq {a} {b})")),
        2 => (x(), x()).prop_map(move |(a, b)| {
            format!("(let {t} = builtins.tryEval {a}; in if {t}.success then {t}.value else {b})")
        }),
        1 => (0..3u8).prop_map(|n| format!("(throw \"boom {n}\")")),
    ]
    .boxed()
}

/// A whole program: an expression of one of `types`, in no scope.
fn program(types: &[Ty]) -> Gen {
    select(types.to_vec())
        .prop_flat_map(|t| expr(t, &Cx::top()))
        .boxed()
}

const ANY: [Ty; 6] = [Ty::Int, Ty::Bool, Ty::Str, Ty::List, Ty::Set, Ty::Fun];

/// Types whose values print without functions.
const DATA: [Ty; 5] = [Ty::Int, Ty::Bool, Ty::Str, Ty::List, Ty::Set];

/// A JSON-representable value as a Nix expression: null, booleans, integers, floats with
/// exact JSON forms, strings, lists and sets with any attribute names.
fn json_value() -> Gen {
    let float = (-64i32..64).prop_map(|n| format!("({:.3})", f64::from(n) / 8.0));
    let leaf = prop_oneof![
        Just("null".to_string()),
        literal(Ty::Bool),
        int_literal(),
        float,
        text().prop_map(|s| quote(&s)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        let list = prop::collection::vec(inner.clone(), 0..4)
            .prop_map(|xs| format!("[ {} ]", spaced(&xs)));
        let attrs = prop::collection::btree_map(text(), inner, 0..4).prop_map(|m| {
            let binds: String = m
                .iter()
                .map(|(k, v)| format!("{} = {v}; ", quote(k)))
                .collect();
            format!("{{ {binds}}}")
        });
        prop_oneof![list, attrs]
    })
    .boxed()
}

/// What a run produced: the `--strict` printed value, or the error's class and message.
#[derive(Debug, PartialEq)]
enum Outcome {
    Value(String),
    Error(ErrorClass, String),
}

fn settings(driver: Driver, speculate: bool) -> Settings {
    Settings {
        driver,
        speculate,
        max_steps: 1_000_000,
        ..Settings::default()
    }
}

/// The engine configurations of `tests/engines.rs` (the eager collector aside: it is slow and
/// not about what is computed).
fn engines() -> [Settings; 3] {
    [
        settings(Driver::Generator, true),
        settings(Driver::Recursive, true),
        settings(Driver::Generator, false),
    ]
}

/// Evaluates `text` and deep-forces the result.
fn run(ev: &mut Evaluator, text: &str) -> Result<Value, gnix::Error> {
    let v = ev.eval_expr(text, Path::new("/"))?;
    ev.deep_force(v)
}

fn outcome(settings: Settings, text: &str) -> Outcome {
    let mut ev = Evaluator::new(settings);
    match run(&mut ev, text) {
        Ok(v) => Outcome::Value(print_value(&v)),
        Err(e) => Outcome::Error(e.class, e.message.clone()),
    }
}

/// Whether two error messages are the same but for values one of them quotes unevaluated:
/// `«thunk»` in either stands for one value in the other. Speculation computes small thunks
/// where they are made, so a message that quotes a value (`assert a == b`'s) may show a value
/// where the run without speculation shows `«thunk»`; all else must be the same.
fn same_but_thunks(a: &str, b: &str) -> bool {
    const THUNK: &str = "«thunk»";
    let (mut a, mut b) = (a, b);
    loop {
        match (a.strip_prefix(THUNK), b.strip_prefix(THUNK)) {
            (Some(ra), Some(rb)) => (a, b) = (ra, rb),
            (Some(ra), None) => return value_ends(b).any(|end| same_but_thunks(ra, &b[end..])),
            (None, Some(_)) => return same_but_thunks(b, a),
            (None, None) => match (a.chars().next(), b.chars().next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]),
                _ => return false,
            },
        }
    }
}

/// Where a printed value at the start of `s` may end: after each character that leaves the
/// brackets balanced, up to the first space outside them.
fn value_ends(s: &str) -> impl Iterator<Item = usize> + '_ {
    let mut depth = 0i32;
    s.char_indices()
        .map_while(move |(i, c)| {
            depth += match c {
                '[' | '{' | '(' => 1,
                ']' | '}' | ')' => -1,
                _ => 0,
            };
            let open = depth > 0 || (depth == 0 && c != ' ');
            open.then_some((depth == 0, i + c.len_utf8()))
        })
        .filter_map(|(balanced, end)| balanced.then_some(end))
}

/// Printed as an expression: no `«repeated»`, which is not Nix syntax.
fn print_source(v: &Value) -> String {
    print_with(
        v,
        PrintOptions {
            track_repeated: false,
            ..PrintOptions::OUTPUT
        },
    )
}

/// Whether `printed` may be a value C++ Nix prints so that it does not read back (and gnix
/// prints as it does): a negative number as a list item (`[ -1 ]` is rejected, `[ 1 -2 ]`
/// reads as `[ (1 - 2) ]`), and the least integer (its digits are past the greatest). Printed,
/// a negative number stands after `= ` in a set and after a space in a list (rarely in a
/// string, where skipping the case costs only coverage).
fn unreadable(printed: &str) -> bool {
    let bytes = printed.as_bytes();
    let negative_item = printed.match_indices(" -").any(|(i, _)| {
        let digit = bytes.get(i + 2).is_some_and(u8::is_ascii_digit);
        digit && !printed[..i].ends_with(" =")
    });
    negative_item || printed.contains("9223372036854775808")
}

fn config() -> ProptestConfig {
    // `ProptestConfig::default()` reads PROPTEST_CASES; its own default is 256.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn engines_agree(text in program(&ANY)) {
        let [generator, recursive, lazy] = engines().map(|s| outcome(s, &text));
        if let Outcome::Error(class, message) = &generator {
            let malformed = matches!(class, ErrorClass::Parse | ErrorClass::UndefinedVariable);
            prop_assert!(!malformed, "the generator made {text}: {message}");
        }
        prop_assert_eq!(&recursive, &generator, "recursive driver: {}", text);
        let agree = match (&lazy, &generator) {
            (Outcome::Error(c, m), Outcome::Error(d, n)) => c == d && same_but_thunks(m, n),
            (got, want) => got == want,
        };
        prop_assert!(agree, "without speculation: {:?}\nwith: {:?}\n{}", lazy, generator, text);
    }

    #[test]
    fn json_round_trips(text in json_value()) {
        let mut ev = Evaluator::new(Settings::default());
        let same = format!("let v = {text}; in builtins.fromJSON (builtins.toJSON v) == v");
        let same = run(&mut ev, &same).map(|v| print_value(&v));
        prop_assert_eq!(same.ok(), Some("true".to_string()), "{}", text);
        let v = run(&mut ev, &text).map_err(|e| e.message.clone());
        let v = v.map_err(|m| TestCaseError::fail(format!("{text}: {m}")))?;
        let json = ev.to_json(v.clone()).map_err(|e| TestCaseError::fail(e.message.clone()))?;
        let nix = run(&mut ev, &format!("builtins.toJSON ({text})")).and_then(|j| ev.as_string(&j));
        prop_assert_eq!(nix.ok(), Some(json.clone()));
        let back = run(&mut ev, &format!("builtins.fromJSON {}", quote(&json)));
        prop_assert_eq!(back.map(|b| print_value(&b)).ok(), Some(print_value(&v)), "{}", json);
    }

    #[test]
    fn parsers_agree(text in program(&ANY)) {
        let parse = rnix::Root::parse(&text);
        let ours = gnix::parser::parse(&text);
        let tree = format!("{:#?}", rnix::SyntaxNode::new_root(ours.green));
        prop_assert_eq!(tree, format!("{:#?}", parse.syntax()), "{}", text);
        prop_assert_eq!(ours.errors.as_slice(), parse.errors(), "{}", text);
    }

    #[test]
    fn printed_values_reparse(text in program(&DATA)) {
        let mut ev = Evaluator::new(settings(Driver::Generator, true));
        let Ok(v) = run(&mut ev, &text) else { return Ok(()) };
        let printed = print_source(&v);
        if unreadable(&printed) {
            return Ok(());
        }
        let again = run(&mut ev, &printed).map(|w| print_source(&w));
        prop_assert_eq!(again.map_err(|e| e.message.clone()), Ok(printed.clone()), "{}", text);
    }
}

/// At least a third of generated programs evaluate to a value: the properties are mostly about
/// values, not about the first `throw` or failed `assert`.
#[test]
fn generated_programs_mostly_evaluate() {
    let mut runner = TestRunner::deterministic();
    let programs = program(&ANY);
    let total = 300;
    let ok = (0..total)
        .filter(|_| {
            let tree = programs.new_tree(&mut runner).expect("a program");
            let text = tree.current();
            matches!(outcome(Settings::default(), &text), Outcome::Value(_))
        })
        .count();
    eprintln!("{ok} of {total} generated programs evaluate to a value");
    assert!(ok * 3 >= total, "only {ok} of {total} evaluate");
}

/// The comparison of messages without speculation lets `«thunk»` stand for one value, and
/// nothing else through.
#[test]
fn thunks_stand_for_one_value() {
    assert!(same_but_thunks(
        "is '[ «thunk» ]', x",
        "is '[ [ 1 { a = 2; } ] ]', x"
    ));
    assert!(same_but_thunks(
        "{ a = 1; b = «thunk»; }",
        "{ a = 1; b = -3; }"
    ));
    assert!(!same_but_thunks("is '[ 1 ]'", "is '[ 2 ]'"));
    assert!(!same_but_thunks("[ «thunk» ] 1", "[ 1 2 ] 2"));
    assert!(!same_but_thunks("«thunk» x", "x"));
}
