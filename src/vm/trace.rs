//! What C++ Nix says an error was doing when it leaves a builtin call or a lambda call: the
//! context lines of a trace that depend on which builtin, which argument, which lambda.

use super::frames::CodeFrame;
use crate::errors::{Error, ErrorClass, Span, TraceLine};
use crate::value::Value;
use crate::value::code::{Chunk, Op};

/// The context line C++ Nix adds to an error raised while a builtin evaluates or type-checks
/// its argument `index` (0-based): `while evaluating the first argument passed to
/// builtins.length`. `None` where it adds none.
pub(super) fn argument_context(builtin: &str, index: usize) -> Option<&'static str> {
    Some(match (builtin, index) {
        ("abort", 0) => "while evaluating the error message passed to builtins.abort",
        ("add", 0) => "while evaluating the first argument of the addition",
        ("add", 1) => "while evaluating the second argument of the addition",
        ("addDrvOutputDependencies", 0) => {
            "while evaluating the argument passed to builtins.addDrvOutputDependencies"
        }
        ("addErrorContext", 0) => {
            "while evaluating the error message passed to builtins.addErrorContext"
        }
        ("appendContext", 0) => {
            "while evaluating the first argument passed to builtins.appendContext"
        }
        ("appendContext", 1) => {
            "while evaluating the second argument passed to builtins.appendContext"
        }
        ("all", 0) => "while evaluating the first argument passed to builtins.all",
        ("all", 1) => "while evaluating the second argument passed to builtins.all",
        ("any", 0) => "while evaluating the first argument passed to builtins.any",
        ("any", 1) => "while evaluating the second argument passed to builtins.any",
        ("attrNames", 0) => "while evaluating the argument passed to builtins.attrNames",
        ("attrValues", 0) => "while evaluating the argument passed to builtins.attrValues",
        ("baseNameOf", 0) => "while evaluating the first argument passed to builtins.baseNameOf",
        ("bitAnd", 0) => "while evaluating the first argument passed to builtins.bitAnd",
        ("bitAnd", 1) => "while evaluating the second argument passed to builtins.bitAnd",
        ("bitOr", 0) => "while evaluating the first argument passed to builtins.bitOr",
        ("bitOr", 1) => "while evaluating the second argument passed to builtins.bitOr",
        ("bitXor", 0) => "while evaluating the first argument passed to builtins.bitXor",
        ("bitXor", 1) => "while evaluating the second argument passed to builtins.bitXor",
        ("catAttrs", 0) => "while evaluating the first argument passed to builtins.catAttrs",
        ("catAttrs", 1) => "while evaluating the second argument passed to builtins.catAttrs",
        ("ceil", 0) => "while evaluating the first argument passed to builtins.ceil",
        ("compareVersions", 0) => {
            "while evaluating the first argument passed to builtins.compareVersions"
        }
        ("compareVersions", 1) => {
            "while evaluating the second argument passed to builtins.compareVersions"
        }
        ("concatLists", 0) => "while evaluating the first argument passed to builtins.concatLists",
        ("concatMap", 0) => "while evaluating the first argument passed to builtins.concatMap",
        ("concatMap", 1) => "while evaluating the second argument passed to builtins.concatMap",
        ("concatStringsSep", 0) => {
            "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep"
        }
        ("concatStringsSep", 1) => {
            "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep"
        }
        ("convertHash", 0) => "while evaluating the first argument passed to builtins.convertHash",
        ("derivationStrict", 0) => {
            "while evaluating the argument passed to builtins.derivationStrict"
        }
        ("dirOf", 0) => "while evaluating the first argument passed to 'builtins.dirOf'",
        ("div", 0) => "while evaluating the first operand of the division",
        ("div", 1) => "while evaluating the second operand of the division",
        ("elem", 1) => "while evaluating the second argument passed to builtins.elem",
        ("elemAt", 0) => "while evaluating the first argument passed to 'builtins.elemAt'",
        ("elemAt", 1) => "while evaluating the second argument passed to 'builtins.elemAt'",
        ("fetchClosure", 0) => "while evaluating the argument passed to builtins.fetchClosure",
        ("fetchMercurial", 0) => {
            "while evaluating the first argument passed to builtins.fetchMercurial"
        }
        ("filter", 0) => "while evaluating the first argument passed to builtins.filter",
        ("filter", 1) => "while evaluating the second argument passed to builtins.filter",
        ("filterSource", 0) => {
            "while evaluating the first argument passed to builtins.filterSource"
        }
        ("filterSource", 1) => {
            "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'"
        }
        ("findFile", 0) => "while evaluating the first argument passed to builtins.findFile",
        ("findFile", 1) => "while evaluating the second argument passed to builtins.findFile",
        ("floor", 0) => "while evaluating the first argument passed to builtins.floor",
        ("foldl'", 0) => "while evaluating the first argument passed to builtins.foldlStrict",
        ("foldl'", 2) => "while evaluating the third argument passed to builtins.foldlStrict",
        ("fromJSON", 0) => "while evaluating the first argument passed to builtins.fromJSON",
        ("fromTOML", 0) => "while evaluating the argument passed to builtins.fromTOML",
        ("genList", 0) => "while evaluating the first argument passed to builtins.genList",
        ("genList", 1) => "while evaluating the second argument passed to builtins.genList",
        ("genericClosure", 0) => {
            "while evaluating the first argument passed to builtins.genericClosure"
        }
        ("getAttr", 0) => "while evaluating the first argument passed to builtins.getAttr",
        ("getAttr", 1) => "while evaluating the second argument passed to builtins.getAttr",
        ("getContext", 0) => "while evaluating the argument passed to builtins.getContext",
        ("getEnv", 0) => "while evaluating the first argument passed to builtins.getEnv",
        ("groupBy", 0) => "while evaluating the first argument passed to builtins.groupBy",
        ("groupBy", 1) => "while evaluating the second argument passed to builtins.groupBy",
        ("hasAttr", 0) => "while evaluating the first argument passed to builtins.hasAttr",
        ("hasAttr", 1) => "while evaluating the second argument passed to builtins.hasAttr",
        ("hasContext", 0) => "while evaluating the argument passed to builtins.hasContext",
        ("hashFile", 0) => "while evaluating the first argument passed to builtins.hashFile",
        ("hashString", 0) => "while evaluating the first argument passed to builtins.hashString",
        ("hashString", 1) => "while evaluating the second argument passed to builtins.hashString",
        ("head", 0) => "while evaluating the first argument passed to 'builtins.head'",
        ("intersectAttrs", 0) => {
            "while evaluating the first argument passed to builtins.intersectAttrs"
        }
        ("intersectAttrs", 1) => {
            "while evaluating the second argument passed to builtins.intersectAttrs"
        }
        ("length", 0) => "while evaluating the first argument passed to builtins.length",
        ("listToAttrs", 0) => "while evaluating the argument passed to builtins.listToAttrs",
        ("map", 0) => "while evaluating the first argument passed to builtins.map",
        ("map", 1) => "while evaluating the second argument passed to builtins.map",
        ("mapAttrs", 1) => "while evaluating the second argument passed to builtins.mapAttrs",
        ("match", 0) => "while evaluating the first argument passed to builtins.match",
        ("match", 1) => "while evaluating the second argument passed to builtins.match",
        ("mul", 0) => "while evaluating the first argument of the multiplication",
        ("mul", 1) => "while evaluating the second argument of the multiplication",
        ("parseDrvName", 0) => {
            "while evaluating the first argument passed to builtins.parseDrvName"
        }
        ("partition", 0) => "while evaluating the first argument passed to builtins.partition",
        ("partition", 1) => "while evaluating the second argument passed to builtins.partition",
        ("path", 0) => "while evaluating the argument passed to 'builtins.path'",
        ("placeholder", 0) => "while evaluating the first argument passed to builtins.placeholder",
        ("removeAttrs", 0) => "while evaluating the first argument passed to builtins.removeAttrs",
        ("removeAttrs", 1) => "while evaluating the second argument passed to builtins.removeAttrs",
        ("replaceStrings", 0) => {
            "while evaluating the first argument passed to builtins.replaceStrings"
        }
        ("replaceStrings", 1) => {
            "while evaluating the second argument passed to builtins.replaceStrings"
        }
        ("replaceStrings", 2) => {
            "while evaluating the third argument passed to builtins.replaceStrings"
        }
        ("sort", 0) => "while evaluating the first argument passed to builtins.sort",
        ("sort", 1) => "while evaluating the second argument passed to builtins.sort",
        ("split", 0) => "while evaluating the first argument passed to builtins.split",
        ("split", 1) => "while evaluating the second argument passed to builtins.split",
        ("splitVersion", 0) => {
            "while evaluating the first argument passed to builtins.splitVersion"
        }
        ("storePath", 0) => "while evaluating the first argument passed to 'builtins.storePath'",
        ("stringLength", 0) => "while evaluating the argument passed to builtins.stringLength",
        ("sub", 0) => "while evaluating the first argument of the subtraction",
        ("sub", 1) => "while evaluating the second argument of the subtraction",
        ("substring", 0) => {
            "while evaluating the first argument (the start offset) passed to builtins.substring"
        }
        ("substring", 1) => {
            "while evaluating the second argument (the substring length) passed to builtins.substring"
        }
        ("tail", 0) => "while evaluating the first argument passed to 'builtins.tail'",
        ("throw", 0) => "while evaluating the error message passed to builtin.throw",
        ("toFile", 0) => "while evaluating the first argument passed to builtins.toFile",
        ("toFile", 1) => "while evaluating the second argument passed to builtins.toFile",
        ("unsafeDiscardOutputDependency", 0) => {
            "while evaluating the argument passed to builtins.unsafeDiscardOutputDependency"
        }
        ("unsafeDiscardStringContext", 0) => {
            "while evaluating the argument passed to builtins.unsafeDiscardStringContext"
        }
        ("unsafeGetAttrPos", 0) => {
            "while evaluating the first argument passed to builtins.unsafeGetAttrPos"
        }
        ("unsafeGetAttrPos", 1) => {
            "while evaluating the second argument passed to builtins.unsafeGetAttrPos"
        }
        ("warn", 0) => "while evaluating the first argument; the message passed to builtins.warn",
        ("zipAttrsWith", 0) => {
            "while evaluating the first argument passed to builtins.zipAttrsWith"
        }
        ("zipAttrsWith", 1) => {
            "while evaluating the second argument passed to builtins.zipAttrsWith"
        }
        _ => return None,
    })
}

/// The context line of argument `index` of `builtin` for an error evaluating it: the
/// `argument_context`, except for the builtins C++ Nix has evaluate their arguments with no
/// context before checking their types (the arithmetic ones, `dirOf`).
pub(super) fn evaluation_context(builtin: &str, index: usize) -> Option<&'static str> {
    match builtin {
        "add" | "sub" | "mul" | "div" | "dirOf" => None,
        _ => argument_context(builtin, index),
    }
}

/// Adds the context line of the argument an error is about, if it is about one of `args` (a
/// type check of an argument: `Error::subject`), before the call's own line is added.
pub(super) fn add_argument_context(e: &mut Error, builtin: &str, args: &[Value]) {
    let Some(subject) = e.subject.take() else {
        return;
    };
    let index = args.iter().position(|a| a.identity() == subject);
    let said = |what: &str| e.trace.last().is_some_and(|l| l.what == what);
    // A body that checked the argument itself has said so already.
    if let Some(what) = index.and_then(|i| argument_context(builtin, i))
        && !said(what)
    {
        e.add_trace(None, what);
    }
}

/// The lines an error leaving a lambda's body gets (`frame`, called from `call_site` if the
/// caller was code). Binding the argument to a pattern is not yet the body: an error there
/// (a missing argument, an argument that is no set) says only where the call was, even without
/// `--show-trace`; one from the body says which lambda and where it was called from, and only
/// for `--show-trace`.
pub(super) fn add_lambda_call(e: &mut Error, frame: &CodeFrame, call_site: Option<Span>) {
    let Some(name) = &frame.chunk.lambda else {
        return;
    };
    // Stopped at a tail call: only the recursive driver keeps such a frame (the generator
    // driver replaced it by the callee's), so it adds nothing and both traces agree.
    if let Some(Op::TailCall) = frame.chunk.ops.get(frame.ip.wrapping_sub(1)) {
        return;
    }
    let lambda = frame.chunk.span;
    // The pattern's prologue: the argument forced, then `Formals` (`compiler::lambda_body`;
    // the peephole may have merged the first two ops).
    let formals_op = frame.chunk.ops.iter().position(|op| *op == Op::Formals);
    let in_prologue =
        frame.chunk.formals.is_some() && formals_op.is_some_and(|at| frame.ip <= at + 1);
    if in_prologue {
        let binding = matches!(
            frame.chunk.ops.get(frame.ip.wrapping_sub(1)),
            Some(Op::Formals)
        );
        if !binding || e.class == crate::errors::ErrorClass::Type {
            e.add_trace(
                Some(lambda),
                "while evaluating the value passed for the lambda argument",
            );
        }
        if call_site.is_some() {
            e.add_trace(call_site, "from call site");
        }
        return;
    }
    let mut verbose = |span, what: String| {
        let mut line = TraceLine::new(span, what);
        line.verbose = true;
        e.trace.push(line);
    };
    verbose(Some(lambda), format!("while calling {name}"));
    if call_site.is_some() {
        verbose(call_site, "from call site".into());
    }
}

/// The lines of the operands an error leaving a code frame was computing (`in the argument of
/// '!'`), innermost first: those whose ops hold the op the frame stopped at.
pub(super) fn add_operand_contexts(e: &mut Error, frame: &CodeFrame) {
    let at = frame.ip.wrapping_sub(1) as u32;
    for c in frame.chunk.contexts.iter() {
        if c.start <= at && at < c.end {
            let at = (c.span != Span::UNKNOWN).then_some(c.span);
            e.add_trace(at, c.what.as_str());
        }
    }
}

/// The context line C++ Nix adds when the result of the function a builtin calls per element
/// has the wrong type (`filter`'s predicate returning a string), placed where C++ Nix places
/// it: `concatMap`'s at the result or else the function (`Value::determinePos`), the others
/// nowhere.
pub(super) fn result_context(
    builtin: &str,
    result: &Value,
    f: &Value,
) -> Option<(Option<Span>, &'static str)> {
    let at = match builtin {
        "concatMap" => determine_pos(result).or_else(|| determine_pos(f)),
        _ => None,
    };
    let what = match builtin {
        "filter" => {
            "while evaluating the return value of the filtering function passed to builtins.filter"
        }
        "any" => "while evaluating the return value of the function passed to builtins.any",
        "all" => "while evaluating the return value of the function passed to builtins.all",
        "concatMap" => {
            "while evaluating the return value of the function passed to builtins.concatMap"
        }
        _ => return None,
    };
    Some((at, what))
}

/// Where C++ Nix's `Value::determinePos` places a value: a function at its definition, a lazy
/// call (a pending `Apply` thunk) where its function is; an unevaluated thunk nowhere.
pub(super) fn determine_pos(v: &Value) -> Option<Span> {
    let mut v = v.clone();
    // Lazy calls of lazy calls are as deep as the builtins nest them: one or two.
    for _ in 0..8 {
        v = match &v {
            Value::Closure(c) => return Some(c.lambda.span),
            Value::Thunk(t) => match t.value() {
                Some(value) => value,
                None => t.pending_call()?,
            },
            _ => return None,
        };
    }
    None
}

/// An attribute name a selection computes (`a.${n}`) that is no string: C++ Nix's `getName`
/// says so at the name, where the error is too.
#[cold]
#[inline(never)]
pub(super) fn attribute_name_failed(mut e: Error, at: Span) -> Error {
    e.add_trace(Some(at), "while evaluating an attribute name");
    e.at(at)
}

/// `selection_failed` for a computed name (`a.${n}`), or `attribute_name_failed` if the
/// name is no string.
#[cold]
#[inline(never)]
pub(super) fn dyn_selection_failed(
    e: Error,
    set: &Value,
    name: &Value,
    chunk: &Chunk,
    ip: usize,
    at: Span,
) -> Error {
    match super::ops::attr_name(name) {
        Ok(key) => selection_failed(e, set, key.as_bytes(), chunk, ip),
        Err(_) => attribute_name_failed(e, at),
    }
}

/// A selection's own failure, at op `ip - 1` of `chunk`, as C++ Nix's `ExprSelect` says it: a
/// set without the attribute says which names are near (`Did you mean y?`), a value that is
/// no set is `while selecting an attribute` at the selection (`OperandContext::select`).
#[cold]
#[inline(never)]
pub(super) fn selection_failed(
    mut e: Error,
    set: &Value,
    name: &[u8],
    chunk: &Chunk,
    ip: usize,
) -> Error {
    match (e.class, set) {
        (ErrorClass::MissingAttribute, Value::Attrs(a)) => {
            e.suggestions = a.suggestions(name);
        }
        (ErrorClass::Type, _) => {
            let at = ip.wrapping_sub(1) as u32;
            let selection = chunk
                .contexts
                .iter()
                .find(|c| c.select && c.start <= at && at < c.end);
            if let Some(c) = selection {
                e.add_trace(Some(c.span), "while selecting an attribute");
            }
        }
        _ => {}
    }
    e
}
