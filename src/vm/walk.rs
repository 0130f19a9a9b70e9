//! Operations that walk into values: deep forcing, `==`, `<` on lists, string coercion.
//!
//! Each is a generator body with an explicit work stack instead of recursion, so a structure
//! nested a million levels deep costs heap, not native stack. Each declares its nesting depth to
//! the scheduler, which counts it towards max-call-depth as C++ Nix does.

use super::ops;
use super::request::{self, Catch, Co, force, try_force};
use crate::errors::{Error, Span};
use crate::print::print_error_value;
use crate::value::{Attrs, NixContext, NixString, Value, sym};
use rustc_hash::FxHashSet as HashSet;
use std::rc::Rc;

/// Reports depth to the scheduler when it has grown, or shrunk a lot.
pub struct DepthTracker {
    declared: u32,
}

impl DepthTracker {
    pub fn new() -> Self {
        DepthTracker { declared: 0 }
    }

    async fn at(&mut self, co: &Co, depth: u32) {
        if depth > self.declared || depth + 64 < self.declared {
            self.declared = depth;
            request::depth(co, depth).await;
        }
    }
}

/// Forces `v` and everything inside it. Shared substructures are visited once. An error
/// inside says where, innermost first, as C++ Nix's `forceValueDeep` does: `while evaluating
/// the attribute 'x'` at its definition, `while evaluating list element at index N`.
pub async fn deep_force(co: &Co, v: Value) -> Result<Value, Error> {
    let root = force(co, v).await;
    let mut seen: HashSet<usize> = HashSet::default();
    // The containers being walked, outermost first, each with the entry to visit next.
    let mut path: Vec<(Value, usize)> = Vec::new();
    let mut tracker = DepthTracker::new();
    enter(&mut seen, &mut path, &root);
    while let Some((container, next)) = path.last_mut() {
        let Some(entry) = entry_at(container, *next) else {
            path.pop();
            continue;
        };
        *next += 1;
        tracker.at(co, path.len() as u32 + 1).await;
        match try_force(co, entry, Catch::Any).await {
            Ok(v) => enter(&mut seen, &mut path, &v),
            Err(e) => return Err(inside(e, &path)),
        }
    }
    Ok(root)
}

/// Starts walking `v`'s entries if it has some not walked yet.
fn enter(seen: &mut HashSet<usize>, path: &mut Vec<(Value, usize)>, v: &Value) {
    if let Some(id) = v.ptr_id()
        && !seen.insert(id)
    {
        return;
    }
    if matches!(v, Value::Attrs(_) | Value::List(_)) {
        path.push((v.clone(), 0));
    }
}

/// The `i`th value in a set (in name order) or list.
fn entry_at(container: &Value, i: usize) -> Option<Value> {
    match container {
        Value::Attrs(a) => a.entry(i).map(|(_, v)| v.clone()),
        Value::List(l) => l.get(i).cloned(),
        _ => None,
    }
}

/// `e` with the lines saying where in the walked value it happened: the entry last visited
/// at each level, innermost first.
fn inside(mut e: Error, path: &[(Value, usize)]) -> Error {
    for (container, next) in path.iter().rev() {
        let i = next.saturating_sub(1);
        match container {
            Value::Attrs(a) => {
                let name = a.entry(i).map_or_else(String::new, |(k, _)| k.to_string());
                let what = format!("while evaluating the attribute '{name}'");
                e.add_trace(a.position_of_entry(i), what);
            }
            _ => e.add_trace(None, format!("while evaluating list element at index {i}")),
        }
    }
    e
}

/// `a == b` with Nix's semantics: numbers compare across int and float, lists and sets
/// element-wise, derivations by `outPath`, functions never. As in C++ Nix, two values inside
/// containers that are the very same object compare equal once forced (so `[ f ] == [ f ]`);
/// `identity_at_top` extends that to `a` and `b` themselves (`elem`, list comparison). The
/// elements of one set or list compared with themselves are each the same value, forced and
/// then equal whatever they hold (C++ Nix compares them by pointer after forcing them, so
/// `let s = { a = nan; }; in s == s` is true, and `let t = [ (throw "x") ]; in t == t` throws).
pub async fn equal(co: &Co, a: Value, b: Value, identity_at_top: bool) -> Result<bool, Error> {
    equal_within(co, a, b, identity_at_top, 1, &mut DepthTracker::new()).await
}

/// `equal` of two values `depth` levels into a walk whose depth `tracker` declares (so that a
/// loop comparing element after element declares its depth once, not once a pair).
pub async fn equal_within(
    co: &Co,
    a: Value,
    b: Value,
    identity_at_top: bool,
    depth: u32,
    tracker: &mut DepthTracker,
) -> Result<bool, Error> {
    // Each pair: the two values, their depth, and whether they are one slot of one container.
    // (The first pair needs no stack: comparing scalars allocates nothing.)
    let mut stack: Vec<(Value, Value, u32, bool)> = Vec::new();
    let mut next = Some((a, b, depth, false));
    while let Some((a, b, at, same_slot)) = next.take().or_else(|| stack.pop()) {
        tracker.at(co, at).await;
        let inside = at > depth || identity_at_top;
        let identical = inside && same_object(&a, &b);
        let a = force(co, a).await;
        let b = force(co, b).await;
        if same_slot || identical || (inside && same_object(&a, &b)) {
            continue;
        }
        if let Some(eq) = ops::eq_shallow(&a, &b) {
            if !eq {
                return Ok(false);
            }
            continue;
        }
        let pushed = match (&a, &b) {
            (Value::List(x), Value::List(y)) => {
                let pairs = x.iter().zip(y.iter());
                push_pairs(&mut stack, pairs, at + 1, Rc::ptr_eq(x, y))
            }
            (Value::Attrs(x), Value::Attrs(y)) => {
                if let Some((ox, oy)) = derivation_out_paths(co, x, y).await {
                    stack.push((ox, oy, at + 1, false));
                    continue;
                }
                if x.len() != y.len() || !x.keys().eq(y.keys()) {
                    return Ok(false);
                }
                let pairs = x.values().zip(y.values());
                push_pairs(&mut stack, pairs, at + 1, Rc::ptr_eq(x, y))
            }
            _ => false,
        };
        if !pushed {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Pushes the pairs of two containers' entries that need forcing or walking, the first on
/// top. Pairs of evaluated values that compare without a walk are settled here: an equal one
/// needs nothing, and an unequal one ends the comparison (`false`) unless an earlier pair
/// still needs evaluating, which must happen first (it may fail): then it is pushed as the
/// last pair to look at. The entries of one container compared with itself are each forced
/// and need nothing else.
fn push_pairs<'v>(
    stack: &mut Vec<(Value, Value, u32, bool)>,
    pairs: impl Iterator<Item = (&'v Value, &'v Value)>,
    depth: u32,
    same: bool,
) -> bool {
    let from = stack.len();
    for (p, q) in pairs {
        match settled(p, q, same) {
            Some(true) => {}
            Some(false) if stack.len() == from => return false,
            Some(false) => {
                stack.push((p.clone(), q.clone(), depth, false));
                break;
            }
            None => stack.push((p.clone(), q.clone(), depth, same)),
        }
    }
    stack[from..].reverse();
    true
}

/// `a == b` for two evaluated values where no element needs evaluating or walking (scalars,
/// flat lists and sets of evaluated scalars): the answer the VM gives without a generator.
/// `None` where `equal` must run.
pub fn equal_flat(a: &Value, b: &Value) -> Option<bool> {
    if let Some(eq) = ops::eq_shallow(a, b) {
        return Some(eq);
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => settled_all(x.iter().zip(y.iter()), Rc::ptr_eq(x, y)),
        (Value::Attrs(x), Value::Attrs(y)) => {
            // Derivations compare by their `outPath`s.
            if x.contains(sym!("type")) || y.contains(sym!("type")) {
                return None;
            }
            if x.len() != y.len() || !x.keys().eq(y.keys()) {
                return Some(false);
            }
            settled_all(x.values().zip(y.values()), Rc::ptr_eq(x, y))
        }
        _ => None,
    }
}

/// Whether all pairs are equal, where each up to the first unequal one is `settled`.
fn settled_all<'v>(
    pairs: impl Iterator<Item = (&'v Value, &'v Value)>,
    same: bool,
) -> Option<bool> {
    for (p, q) in pairs {
        if !settled(p, q, same)? {
            return Some(false);
        }
    }
    Some(true)
}

/// Whether two entries of containers compare equal, where that needs no evaluation and no
/// walk (`same`: they are one entry of one container).
fn settled(p: &Value, q: &Value, same: bool) -> Option<bool> {
    match (p, q) {
        (Value::Thunk(_), _) | (_, Value::Thunk(_)) => None,
        _ if same || same_object(p, q) => Some(true),
        _ => ops::eq_shallow(p, q),
    }
}

/// Two derivations (`type = "derivation"`) compare by their `outPath`s: those, if both are.
async fn derivation_out_paths(co: &Co, x: &Attrs, y: &Attrs) -> Option<(Value, Value)> {
    let (tx, ty) = (x.get(sym!("type"))?, y.get(sym!("type"))?);
    let tx = force(co, tx.clone()).await;
    let ty = force(co, ty.clone()).await;
    if !(is_derivation_type(&tx) && is_derivation_type(&ty)) {
        return None;
    }
    Some((
        x.get(sym!("outPath"))?.clone(),
        y.get(sym!("outPath"))?.clone(),
    ))
}

fn is_derivation_type(v: &Value) -> bool {
    matches!(v, Value::String(s) if s.as_bytes() == b"derivation")
}

/// The same heap object (C++ Nix compares values inside containers by pointer first).
fn same_object(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Thunk(x), Value::Thunk(y)) => x.ptr_eq(y),
        (Value::Closure(x), Value::Closure(y)) => Rc::ptr_eq(x, y),
        (Value::Builtin(x), Value::Builtin(y)) => Rc::ptr_eq(x, y),
        (Value::Attrs(x), Value::Attrs(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// `a < b` where lists compare lexicographically: the first elements that are not `==`
/// decide, else the shorter list is smaller.
pub async fn less_than(co: &Co, a: Value, b: Value) -> Result<bool, Error> {
    let (mut a, mut b) = (a, b);
    let mut tracker = DepthTracker::new();
    for depth in 1.. {
        tracker.at(co, depth).await;
        let x = force(co, a).await;
        let y = force(co, b).await;
        // Each level of lists compared says so, as C++ Nix's `CompareValues` does.
        let compared = ops::less_shallow(&x, &y).map_err(|mut e| {
            for _ in 1..depth {
                e.add_trace(None, "while comparing two list elements");
            }
            e
        })?;
        if let Some(lt) = compared {
            return Ok(lt);
        }
        let (Value::List(p), Value::List(q)) = (x, y) else {
            return Ok(false);
        };
        let mut i = 0;
        loop {
            if i == q.len() {
                return Ok(false);
            }
            if i == p.len() {
                return Ok(true);
            }
            let equal = match settled(&p[i], &q[i], false) {
                Some(eq) => eq,
                None => {
                    let (x, y) = (p[i].clone(), q[i].clone());
                    equal_within(co, x, y, true, depth + 1, &mut tracker).await?
                }
            };
            if !equal {
                break;
            }
            i += 1;
        }
        a = p[i].clone();
        b = q[i].clone();
    }
    Ok(false)
}

/// How a value may be coerced to a string.
#[derive(Clone, Copy)]
pub struct Coercion {
    /// Also integers, floats, Booleans, null and lists (`toString`), not just strings, paths
    /// and sets with `__toString`/`outPath` (interpolation).
    pub weak: bool,
    /// Paths become store paths (interpolation) rather than their own text (`toString`).
    pub copy_to_store: bool,
    /// What the coercion is for, and where: the line C++ Nix's `coerceToString` adds to a
    /// value that cannot be coerced (`while evaluating a path segment`).
    pub what: Option<&'static str>,
    pub at: Option<Span>,
}

impl Coercion {
    pub const INTERPOLATION: Coercion = Coercion {
        weak: false,
        copy_to_store: true,
        what: None,
        at: None,
    };
    pub const TO_STRING: Coercion = Coercion {
        weak: true,
        copy_to_store: false,
        what: None,
        at: None,
    };
    /// Strings, paths as their own text, and sets that coerce to those.
    pub const PLAIN: Coercion = Coercion {
        weak: false,
        copy_to_store: false,
        what: None,
        at: None,
    };

    /// This coercion, for `what`.
    pub const fn within(self, what: &'static str) -> Coercion {
        Coercion {
            what: Some(what),
            ..self
        }
    }

    /// This coercion, for `what` at `at`.
    pub fn within_at(self, what: &'static str, at: Span) -> Coercion {
        Coercion {
            what: Some(what),
            at: Some(at),
            ..self
        }
    }
}

/// A piece of a coercion's work stack: a value (whether a space follows it, and how deeply it
/// is nested in lists, `__toString` results and `outPath`s), or a space between list items.
enum Piece {
    Value(Part),
    Space,
}

/// A value a coercion has still to turn into text.
struct Part {
    value: Value,
    space_after: bool,
    depth: u32,
    /// What a value here that cannot be coerced is for (a list item's differs from the list's).
    what: Option<&'static str>,
    /// How the coercion came to it, innermost first.
    via: Option<Rc<Via>>,
}

/// One step of how a coercion came to a value: the result of a `__toString`, an `outPath`, an
/// item of a list (coerced for `what`).
struct Via {
    step: Step,
    parent: Option<Rc<Via>>,
}

enum Step {
    ToString(Option<Span>),
    OutPath(Option<Span>),
    Item(Option<&'static str>),
}

/// Adds the lines of how a coercion came to the value it failed on, innermost first, as C++
/// Nix's `coerceToString` and `peelToStringOutPath` add them on the way out: the innermost
/// one says `evaluating` if it was evaluating that value failed (`forced` false), `using`
/// otherwise.
fn add_via(e: &mut Error, via: &Option<Rc<Via>>, at: Option<Span>, mut forced: bool) {
    let mut via = via.as_deref();
    while let Some(v) = via {
        let verb = if forced { "using" } else { "evaluating" };
        match v.step {
            Step::ToString(span) => e.add_trace(
                span,
                format!("while {verb} the result of the `__toString` attribute"),
            ),
            Step::OutPath(span) => {
                e.add_trace(span, format!("while {verb} the `outPath` attribute"))
            }
            Step::Item(what) => {
                if let Some(what) = what {
                    e.add_trace(at, what);
                }
            }
        }
        forced = true;
        via = v.parent.as_deref();
    }
}

/// Coerces a value to a string the way C++ Nix's `coerceToString` does. C++ Nix recurses for
/// each list item, `__toString` result and `outPath`, so a value that coerces to itself
/// (`let x = [ x ]; in toString x`) overflows its stack; here the nesting counts towards
/// max-call-depth, like the other walks, and such a value fails as soon as it passes it.
pub async fn coerce_to_string(co: &Co, v: Value, how: Coercion) -> Result<NixString, Error> {
    if let Some(s) = coerce_scalar(&v, how) {
        return Ok(s);
    }
    // The value itself is forced as the walk below would force it (with no trace line of its
    // own), but before the walk declares its depth: a thunk of a string or a number, such as
    // an element of the list `concatStringsSep` is given, then costs one round trip to the
    // scheduler instead of two and no buffers.
    let v = force(co, v).await;
    if let Some(s) = coerce_scalar(&v, how) {
        return Ok(s);
    }
    coerce_structure(co, v, how).await
}

/// `coerce_to_string` of a value that is not a string or a number: a list, a set with
/// `__toString` or `outPath`, a path to copy. (A function of its own, so that the
/// scalar cases above do not set up its buffers.)
async fn coerce_structure(co: &Co, v: Value, how: Coercion) -> Result<NixString, Error> {
    let mut out: Vec<u8> = Vec::new();
    let mut context: Option<NixContext> = None;
    let root = Part {
        value: v,
        space_after: false,
        depth: 1,
        what: how.what,
        via: None,
    };
    let mut stack = vec![Piece::Value(root)];
    let mut tracker = DepthTracker::new();
    while let Some(piece) = stack.pop() {
        let Piece::Value(part) = piece else {
            out.push(b' ');
            continue;
        };
        tracker.at(co, part.depth).await;
        let v = match &part.via {
            None => force(co, part.value.clone()).await,
            Some(_) => match try_force(co, part.value.clone(), Catch::Any).await {
                Ok(v) => v,
                Err(mut e) => {
                    add_via(&mut e, &part.via, how.at, false);
                    return Err(e);
                }
            },
        };
        if part.space_after && !matches!(&v, Value::List(l) if l.is_empty()) {
            stack.push(Piece::Space);
        }
        let next = |value: Value, space_after: bool, what, step: Step| {
            Piece::Value(Part {
                value,
                space_after,
                depth: part.depth + 1,
                what,
                via: Some(Rc::new(Via {
                    step,
                    parent: part.via.clone(),
                })),
            })
        };
        match &v {
            Value::String(s) => {
                out.extend_from_slice(s.as_bytes());
                if let Some(c) = s.context() {
                    context
                        .get_or_insert_with(Default::default)
                        .extend(c.iter().cloned());
                }
            }
            Value::Path(p) if how.copy_to_store => {
                let hash = request::store_hash(co, p.to_path_buf(), true, Default::default()).await;
                let store_path =
                    crate::store::path_to_store(&request::store_dir(co).await, p, &hash)?;
                out.extend_from_slice(store_path.as_bytes());
                context
                    .get_or_insert_with(Default::default)
                    .insert(store_path);
            }
            Value::Path(p) => out.extend_from_slice(p.as_os_str().as_encoded_bytes()),
            Value::Attrs(a) => {
                if let Some(f) = a.get(sym!("__toString")) {
                    // The result is coerced in turn, with the same rules.
                    let span = a.position(sym!("__toString"));
                    let called = |mut e: Error| {
                        e.add_trace(span, "while calling the `__toString` attribute");
                        add_via(&mut e, &part.via, how.at, true);
                        e
                    };
                    // C++ Nix calls it at the attribute: what is no function is an error there.
                    let r = request::try_call_at(co, f.clone(), v.clone(), span)
                        .await
                        .map_err(called)?;
                    stack.push(next(r, false, part.what, Step::ToString(span)));
                } else if let Some(p) = a.get(sym!("outPath")) {
                    let span = a.position(sym!("outPath"));
                    stack.push(next(p.clone(), false, part.what, Step::OutPath(span)));
                } else {
                    return Err(cannot_coerce_part(&v, &part, how));
                }
            }
            Value::Int(i) if how.weak => {
                out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes())
            }
            Value::Float(f) if how.weak => {
                out.extend_from_slice(crate::print::format_float_fixed(f.get()).as_bytes())
            }
            Value::Bool(b) if how.weak => {
                if b.get() {
                    out.push(b'1')
                }
            }
            Value::Null if how.weak => {}
            Value::List(l) if how.weak => {
                let n = l.len();
                for (i, item) in l.iter().enumerate().rev() {
                    let step = Step::Item(part.what);
                    stack.push(next(item.clone(), i + 1 < n, Some(ITEM), step));
                }
            }
            _ => return Err(cannot_coerce_part(&v, &part, how)),
        }
    }
    Ok(NixString::new(out, context))
}

/// What C++ Nix's `coerceToString` says about an item of a list it coerces.
const ITEM: &str = "while evaluating one element of the list";

/// The error for a value a coercion cannot turn into text, with the lines saying what the
/// coercion was for and how it came to the value.
fn cannot_coerce_part(v: &Value, part: &Part, how: Coercion) -> Error {
    let mut e = cannot_coerce_for(
        v,
        Coercion {
            what: part.what,
            ..how
        },
    );
    add_via(&mut e, &part.via, how.at, true);
    e
}

/// "cannot coerce a set to a string: { }", with the line saying what the coercion was for.
pub fn cannot_coerce_for(v: &Value, how: Coercion) -> Error {
    let mut e = cannot_coerce(v);
    if let Some(what) = how.what {
        e.add_trace(how.at, what);
    }
    e
}

/// What C++ Nix's string concatenation (interpolation, `+` on strings and paths) coerces its
/// parts for.
pub const PATH_SEGMENT: &str = "while evaluating a path segment";

/// `coerce_to_string` of a value that is one piece and needs nothing evaluated or copied (the
/// common case: a string, or a number for `toString`); `None` for anything else.
#[inline]
fn coerce_scalar(v: &Value, how: Coercion) -> Option<NixString> {
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Int(i) if how.weak => NixString::from(itoa::Buffer::new().format(*i)),
        Value::Float(f) if how.weak => NixString::from(crate::print::format_float_fixed(f.get())),
        Value::Bool(b) if how.weak => NixString::from(if b.get() { "1" } else { "" }),
        Value::Null if how.weak => NixString::from(""),
        Value::Path(p) if !how.copy_to_store => {
            NixString::new(p.as_os_str().as_encoded_bytes().to_vec(), None)
        }
        _ => return None,
    })
}

/// "cannot coerce a set to a string: { }", of class `Type`.
pub fn cannot_coerce(v: &Value) -> Error {
    let message = format!(
        "cannot coerce {} to a string: {}",
        v.type_name(),
        print_error_value(v)
    );
    Error::new(message).with_class(crate::errors::ErrorClass::Type)
}

/// `a + b` when a string coercion is needed (`"a" + { __toString = ...; }`, `./p + x`).
pub async fn add_slow(co: Co, a: Value, b: Value, at: Span) -> Result<Value, Error> {
    match &a {
        Value::Path(p) => {
            let how = Coercion::PLAIN.within_at(PATH_SEGMENT, at);
            let s = coerce_to_string(&co, b, how).await?;
            ops::append_to_path(p, &s)
        }
        _ => {
            let how = Coercion::INTERPOLATION.within_at(PATH_SEGMENT, at);
            let x = coerce_to_string(&co, a, how).await?;
            let y = coerce_to_string(&co, b, how).await?;
            Ok(Value::String(NixString::concat([&x, &y])?))
        }
    }
}

/// Compares like `equal` but fails at the first difference with C++ Nix's explanation
/// (`assert a == b`), its trace saying which attributes and elements lead there (`eq` is the
/// position of the `==`). Returns normally if it finds no difference.
pub async fn assert_equal(co: &Co, a: Value, b: Value, eq: Span) -> Result<(), Error> {
    let mut stack: Vec<(Value, Value, u32, Option<Rc<Trail>>)> = vec![(a, b, 1, None)];
    let mut tracker = DepthTracker::new();
    while let Some((a, b, depth, trail)) = stack.pop() {
        let unequal = |msg: String| {
            let mut e = Error::new(msg).with_class(crate::errors::ErrorClass::Assert);
            let mut at = trail.as_deref();
            while let Some(t) = at {
                for (span, what) in &t.lines {
                    e.add_trace(*span, what.clone());
                }
                at = t.parent.as_deref();
            }
            Err(e)
        };
        let within = |lines: Vec<(Option<Span>, String)>| {
            Some(Rc::new(Trail {
                lines,
                parent: trail.clone(),
            }))
        };
        tracker.at(co, depth).await;
        let identical = depth > 1 && same_object(&a, &b);
        let a = force(co, a).await;
        let b = force(co, b).await;
        if identical || (depth > 1 && same_object(&a, &b)) {
            continue;
        }
        let show = print_error_value;
        match (&a, &b) {
            // Two integers too (C++ Nix's integer-only message is never reached).
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_))
                if ops::eq_shallow(&a, &b) == Some(false) =>
            {
                return unequal(format!(
                    "{} with value '{}' is not equal to {} with value '{}'",
                    a.type_name(),
                    show(&a),
                    b.type_name(),
                    show(&b)
                ));
            }
            (Value::Bool(x), Value::Bool(y)) if x != y => {
                return unequal(format!(
                    "boolean '{}' is not equal to boolean '{}'",
                    x.get(),
                    y.get()
                ));
            }
            (Value::String(x), Value::String(y)) if x != y => {
                return unequal(format!(
                    "string '{}' is not equal to string '{}'",
                    show(&a),
                    show(&b)
                ));
            }
            (Value::Path(x), Value::Path(y)) if x != y => {
                return unequal(format!(
                    "path '{}' is not equal to path '{}'",
                    x.display(),
                    y.display()
                ));
            }
            (Value::List(x), Value::List(y)) => {
                if x.len() != y.len() {
                    return unequal(format!(
                        "list of size '{}' is not equal to list of size '{}', left hand side is '{}', right hand side is '{}'",
                        x.len(),
                        y.len(),
                        show(&a),
                        show(&b)
                    ));
                }
                for (i, (p, q)) in x.iter().zip(y.iter()).enumerate().rev() {
                    let line = (Some(eq), format!("while comparing list element {i}"));
                    stack.push((p.clone(), q.clone(), depth + 1, within(vec![line])));
                }
            }
            (Value::Attrs(x), Value::Attrs(y)) => {
                if let Some((ox, oy)) = derivation_out_paths(co, x, y).await {
                    let what = "while comparing a derivation by its 'outPath' attribute";
                    stack.push((ox, oy, depth + 1, within(vec![(Some(eq), what.into())])));
                    continue;
                }
                if x.len() != y.len() || !x.keys().eq(y.keys()) {
                    return unequal(format!(
                        "attribute names of attribute set '{}' differs from attribute set '{}'",
                        show(&a),
                        show(&b)
                    ));
                }
                let pairs = x.iter().zip(y.values()).collect::<Vec<_>>();
                for ((name, p), q) in pairs.into_iter().rev() {
                    let lines = vec![
                        (y.position(name), "where right hand side is".into()),
                        (x.position(name), "where left hand side is".into()),
                        (Some(eq), format!("while comparing attribute '{name}'")),
                    ];
                    stack.push((p.clone(), q.clone(), depth + 1, within(lines)));
                }
            }
            (Value::Closure(_) | Value::Builtin(_), Value::Closure(_) | Value::Builtin(_)) => {
                return unequal(
                    "distinct functions and immediate comparisons of identical functions compare as unequal".into(),
                );
            }
            _ if std::mem::discriminant(&a) != std::mem::discriminant(&b) => {
                return unequal(format!(
                    "{} of value '{}' is not equal to {} of value '{}'",
                    a.type_name(),
                    show(&a),
                    b.type_name(),
                    show(&b)
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The trace lines that lead to a pair `assert_equal` compares: those of its own level
/// (innermost first), then its parent's.
struct Trail {
    lines: Vec<(Option<Span>, String)>,
    parent: Option<Rc<Trail>>,
}
