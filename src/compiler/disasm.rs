//! A readable listing of compiled code (`gnix eval --dump-bytecode`, the golden tests in
//! `tests/bytecode/`), so that what the compiler made of an expression, and each optimisation
//! it applied, can be seen and pinned down.
//!
//! Every chunk gets a listing: a header naming it by its path from the top (`<top>`,
//! `<top>/lambda#0(f)/thunk#1`, `.../default(b)` for a formal's default) with what is known
//! about it (a lambda's argument or pattern, its slots, whether it is speculable), then one line
//! per op: its index, the `line:column` its span starts at, and the op with its operands
//! resolved (constants as values, attribute names as names, jumps as op indices, nested chunks
//! by the name of their listing). Nested chunks follow the chunk holding them, depth first and
//! in index order: defaults, thunks, then lambdas. The listing depends only on the code, never
//! on addresses or hash order, and is built with an explicit work stack (chunks nest as deep
//! as the input).

use crate::errors::{SourceMap, Span};
use crate::print::PrintOptions;
use crate::value::code::{Chunk, Op};
use crate::value::{Lambda, Symbol};
use std::fmt::Write as _;

/// A chunk waiting for its listing.
struct Item<'a> {
    /// `chunk` (the top level), `thunk`, `lambda` or `default`.
    kind: &'static str,
    path: String,
    chunk: &'a Chunk,
    /// For a lambda body, the lambda.
    lambda: Option<&'a Lambda>,
}

/// The listing of `chunk` and every chunk nested in it; `sources` gives line and column.
pub fn disassemble(chunk: &Chunk, sources: &SourceMap) -> String {
    let mut out = String::new();
    let mut work = vec![Item {
        kind: "chunk",
        path: "<top>".into(),
        chunk,
        lambda: None,
    }];
    while let Some(item) = work.pop() {
        if !out.is_empty() {
            out.push('\n');
        }
        listing(&mut out, &item, sources);
        let children = nested(&item);
        work.extend(children.into_iter().rev());
    }
    out
}

/// The chunks `item` holds, in listing order.
fn nested<'a>(item: &Item<'a>) -> Vec<Item<'a>> {
    let chunk = item.chunk;
    let mut children = Vec::new();
    let defaults = chunk.formals.iter().flat_map(|f| f.entries.iter());
    for (name, code) in defaults {
        if let Some(code) = code {
            children.push(Item {
                kind: "default",
                path: format!("{}/default({})", item.path, attr_name(*name)),
                chunk: code,
                lambda: None,
            });
        }
    }
    for (i, thunk) in chunk.thunks.iter().enumerate() {
        children.push(Item {
            kind: "thunk",
            path: format!("{}/thunk#{i}", item.path),
            chunk: thunk,
            lambda: None,
        });
    }
    for (i, lambda) in chunk.lambdas.iter().enumerate() {
        children.push(Item {
            kind: "lambda",
            path: format!("{}/{}", item.path, lambda_ref(i, lambda)),
            chunk: &lambda.chunk,
            lambda: Some(lambda),
        });
    }
    children
}

/// How a lambda is named in paths and `Closure` ops: `lambda#0`, or `lambda#0(f)` when it is
/// bound to a name.
fn lambda_ref(i: usize, lambda: &Lambda) -> String {
    match &lambda.name {
        Some(name) => format!("lambda#{i}({name})"),
        None => format!("lambda#{i}"),
    }
}

fn listing(out: &mut String, item: &Item, sources: &SourceMap) {
    let chunk = item.chunk;
    let mut facts = Vec::new();
    if let Some(lambda) = item.lambda {
        facts.extend(lambda_facts(lambda));
    }
    if chunk.speculable {
        facts.push("speculable".to_string());
    }
    if chunk.speculates_calls {
        facts.push("speculates calls".to_string());
    }
    if chunk.arith.is_some() {
        facts.push("arith".to_string());
    }
    let at = position(sources, chunk.span);
    let _ = write!(out, "{} {} at {at}", item.kind, item.path);
    if !facts.is_empty() {
        let _ = write!(out, ": {}", facts.join(", "));
    }
    out.push('\n');
    for (i, &op) in chunk.ops.iter().enumerate() {
        let at = chunk
            .spans
            .get(i)
            .map_or_else(|| "?".to_string(), |&s| position(sources, s));
        let _ = writeln!(out, "{i:>4}  {at:<7} {}", op_text(op, chunk, sources));
    }
}

/// What a lambda's header says about it: its argument or pattern, its slots, and whether a
/// call can make its inner lambda directly (`curried`).
fn lambda_facts(lambda: &Lambda) -> Vec<String> {
    let mut facts = Vec::new();
    match &lambda.formals {
        Some(formals) => {
            let mut names: Vec<String> = formals
                .entries
                .iter()
                .map(|(name, default)| match default {
                    Some(_) => format!("{} ?", attr_name(*name)),
                    None => attr_name(*name),
                })
                .collect();
            if formals.ellipsis {
                names.push("...".into());
            }
            let mut pattern = match names.is_empty() {
                true => "pattern { }".to_string(),
                false => format!("pattern {{ {} }}", names.join(", ")),
            };
            if let Some(arg) = &lambda.arg {
                let _ = write!(pattern, " @ {arg}");
            }
            facts.push(pattern);
        }
        None => facts.push(format!(
            "arg {}",
            lambda.arg.as_ref().map_or("?", |a| a.as_str())
        )),
    }
    facts.push(format!("slots {}", lambda.nslots));
    if lambda.merged > 0 {
        facts.push(format!("merged {}", lambda.merged));
    }
    if lambda.curried.is_some() {
        facts.push("curried".into());
    }
    facts
}

/// One op with its operands resolved.
fn op_text(op: Op, chunk: &Chunk, sources: &SourceMap) -> String {
    let sym = |k: u32| symbol(chunk, k);
    match op {
        Op::Const(i) => format!("Const {}", constant(chunk, i)),
        Op::Local(depth, slot) => format!("Local ({depth}, {slot})"),
        Op::LocalForce(depth, slot) => format!("LocalForce ({depth}, {slot})"),
        Op::Thunk(i) => format!("Thunk thunk#{i}"),
        Op::Closure(i) => match chunk.lambdas.get(i as usize) {
            Some(lambda) => format!("Closure {}", lambda_ref(i as usize, lambda)),
            None => format!("Closure ?#{i}"),
        },
        Op::PushEnv(n) => format!("PushEnv {n}"),
        Op::PushEnvFrom(n) => format!("PushEnvFrom {n}"),
        Op::SetSlot(i) => format!("SetSlot {i}"),
        Op::Jump(t) => format!("Jump -> {t}"),
        Op::JumpIfFalse(t) => format!("JumpIfFalse -> {t}"),
        Op::TestJump(k) => match chunk.tests.get(k as usize) {
            Some(test) => format!(
                "TestJump {} -> {}",
                op_text(test.replaced, chunk, sources),
                test.target
            ),
            None => format!("TestJump ?#{k}"),
        },
        Op::JumpIfTrue(t) => format!("JumpIfTrue -> {t}"),
        Op::MakeAttrs(n, table) => {
            let sites = chunk.attr_positions.get(table as usize);
            let sites: Vec<String> = sites
                .iter()
                .flat_map(|t| t.iter())
                .map(|&s| format!("@{}", position(sources, s)))
                .collect();
            format!("MakeAttrs {n} {}", sites.join(" "))
        }
        Op::MakeStaticAttrs(table, names) => {
            let sites = chunk.attr_positions.get(table as usize);
            let names = chunk.attr_names.get(names as usize);
            let names = names.iter().flat_map(|n| n.iter()).enumerate();
            let attrs: Vec<String> = names
                .map(|(i, &name)| {
                    let site = sites.and_then(|t| t.get(i)).copied();
                    let at = site.map_or_else(|| "?".to_string(), |s| position(sources, s));
                    format!("{}@{at}", attr_name(name))
                })
                .collect();
            format!("MakeStaticAttrs {}", attrs.join(" "))
        }
        Op::MakeList(n) => format!("MakeList {n}"),
        Op::Select(k) => format!("Select {}", sym(k)),
        Op::SelectOrJump(k, t) => format!("SelectOrJump {} -> {t}", sym(k)),
        Op::DynSelectOrJump(t) => format!("DynSelectOrJump -> {t}"),
        Op::HasAttr(k) => format!("HasAttr {}", sym(k)),
        Op::WithLookup(k, t) => format!("WithLookup {} -> {t}", sym(k)),
        Op::UndefinedVar(k) => format!("UndefinedVar {}", sym(k)),
        Op::Interpolate(n) => format!("Interpolate {n}"),
        Op::Assert(k) => format!("Assert {}", constant(chunk, k)),
        Op::AssertEqFail(k, _) => format!("AssertEqFail {}", constant(chunk, k)),
        Op::Fail(k) => format!("Fail {}", constant(chunk, k)),
        Op::Force
        | Op::Pop
        | Op::PopEnv
        | Op::Call
        | Op::TailCall
        | Op::Call2
        | Op::Swap
        | Op::Return
        | Op::AssertBool
        | Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div
        | Op::Eq
        | Op::NotEq
        | Op::Less
        | Op::LessEq
        | Op::Greater
        | Op::GreaterEq
        | Op::Concat
        | Op::Update
        | Op::Not
        | Op::Negate
        | Op::DynSelect
        | Op::DynHasAttr
        | Op::CoerceInterp
        | Op::ToPath
        | Op::Formals => format!("{op:?}"),
    }
}

/// How constants of data print: in full up to a size that still reads as one line.
const DATA: PrintOptions = PrintOptions {
    track_repeated: false,
    max_depth: 8,
    max_attrs: 32,
    max_items: 32,
    max_string: 200,
    thunk: "«thunk»",
};

/// Constant `i` as Nix code would write it. A constant that is not plain data is a global
/// (`map`, `builtins`) and only its outside is shown: the `builtins` set would fill pages, and
/// change whenever a builtin is added.
fn constant(chunk: &Chunk, i: u32) -> String {
    let outside = PrintOptions {
        max_depth: 0,
        ..DATA
    };
    match chunk.consts.get(i as usize) {
        Some(v) if super::bytecode::is_data(v, 0) => crate::print::print_with(v, DATA),
        Some(v) => crate::print::print_with(v, outside),
        None => format!("?#{i}"),
    }
}

/// Attribute name `k` of the chunk's symbol table.
fn symbol(chunk: &Chunk, k: u32) -> String {
    match chunk.symbols.get(k as usize) {
        Some(&name) => attr_name(name),
        None => format!("?#{k}"),
    }
}

/// An attribute name as Nix code writes it: bare, or quoted when it is not an identifier.
fn attr_name(name: Symbol) -> String {
    let bytes = name.as_bytes();
    if crate::print::is_plain_identifier(bytes) {
        return name.to_str_lossy().into_owned();
    }
    let mut quoted = Vec::new();
    crate::print::print_string(&mut quoted, bytes);
    String::from_utf8_lossy(&quoted).into_owned()
}

/// `line:column` where `span` starts (`?` for a span of no source).
fn position(sources: &SourceMap, span: Span) -> String {
    match sources.line_col(span) {
        Some((line, col)) => format!("{line}:{col}"),
        None => "?".into(),
    }
}
