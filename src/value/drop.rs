//! Freeing values without recursion.
//!
//! A list nested a million deep, or a chain of a million thunks, would be freed by Rust's
//! default destructors one native stack frame per level. Instead every container's `Drop`
//! hands those children that it owns alone (and that own further structure) to a per-thread
//! queue, and the first destructor on the stack drains it: each value is freed at constant
//! stack depth. Shared or scalar children are released on the spot, so the common case (an
//! environment holding an integer, a list of strings) never touches the queue.

use super::thunk::Calls;
use super::{Env, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Something whose destruction may reach further values. Its payload is never read: it is
/// held only so that the drain loop can drop it.
#[allow(dead_code)]
pub(super) enum Garbage {
    Value(Value),
    Env(Env),
    Calls(Rc<Calls>),
}

thread_local! {
    static QUEUE: RefCell<Vec<Garbage>> = const { RefCell::new(Vec::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
    /// Destructors currently nested on the native stack.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Nesting of destructors allowed before children go to the queue: shallow structures (the
/// common case) are freed directly, deep ones at most this many frames down.
const MAX_DIRECT: u32 = 64;

/// Whether freeing this value now would free more structure behind it.
fn owns_structure(v: &Value) -> bool {
    match v {
        Value::List(l) => std::rc::Rc::strong_count(l) == 1 && !l.is_empty(),
        Value::Attrs(a) => std::rc::Rc::strong_count(a) == 1 && !a.is_empty(),
        Value::Thunk(t) => t.is_unique() && t.holds_structure(),
        Value::Closure(c) => std::rc::Rc::strong_count(c) == 1 && env_is_unique(&c.env),
        Value::Builtin(b) => std::rc::Rc::strong_count(b) == 1 && !b.args.is_empty(),
        _ => false,
    }
}

pub(super) fn env_is_unique(env: &Env) -> bool {
    env.is_unique()
}

/// Whether a thunk's state would free more structure (looking one level in).
pub(super) fn state_holds_structure(state: &super::ThunkState) -> bool {
    match state {
        super::ThunkState::Done(v) => owns_structure(v),
        super::ThunkState::Code { env, .. } | super::ThunkState::ForcingCode { env, .. } => {
            env_is_unique(env)
        }
        super::ThunkState::Apply(_) | super::ThunkState::ForcingApply(_) => true,
        super::ThunkState::Call { calls, .. } | super::ThunkState::ForcingCall { calls, .. } => {
            Rc::strong_count(calls) == 1
        }
        super::ThunkState::Blackhole | super::ThunkState::Failed(_) => false,
    }
}

/// Releases a child of a container being freed. What this is not the last reference to, and
/// scalars and strings (which hold no further values), are dropped on the spot without a call:
/// each variant is dropped as its own type, whose count decrement is inlined, rather than
/// through `Value`'s drop glue, which the compiler keeps out of line.
#[inline]
pub(super) fn release(v: Value) {
    match v {
        Value::Attrs(a) if Rc::strong_count(&a) == 1 => free(Garbage::Value(Value::Attrs(a))),
        Value::List(l) if Rc::strong_count(&l) == 1 => free(Garbage::Value(Value::List(l))),
        Value::Thunk(t) if t.is_unique() => free(Garbage::Value(Value::Thunk(t))),
        Value::Closure(c) if Rc::strong_count(&c) == 1 => free(Garbage::Value(Value::Closure(c))),
        Value::Builtin(b) if Rc::strong_count(&b) == 1 => free(Garbage::Value(Value::Builtin(b))),
        Value::Attrs(a) => drop(a),
        Value::List(l) => drop(l),
        Value::Thunk(t) => drop(t),
        Value::Closure(c) => drop(c),
        Value::Builtin(b) => drop(b),
        Value::String(s) => drop(s),
        Value::Path(p) => drop(p),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
    }
}

/// Releases the parent (or captured) environment of something being freed.
pub(super) fn release_env(env: Env) {
    if env_is_unique(&env) {
        free(Garbage::Env(env));
    }
}

/// Releases the lazy calls of a thunk being freed.
pub(super) fn release_calls(calls: Rc<Calls>) {
    if Rc::strong_count(&calls) == 1 {
        free(Garbage::Calls(calls));
    }
}

/// Frees `g` now if destructors are nested shallowly enough; otherwise queues it if freeing it
/// reaches further values (and frees it on the spot if not).
fn free(g: Garbage) {
    let depth = DEPTH.with(Cell::get);
    if depth < MAX_DIRECT {
        DEPTH.with(|d| d.set(depth + 1));
        drop(g);
        DEPTH.with(|d| d.set(depth));
        return;
    }
    let deep = match &g {
        Garbage::Value(v) => owns_structure(v),
        Garbage::Env(_) | Garbage::Calls(_) => true,
    };
    if deep {
        defer(g);
    }
}

fn defer(g: Garbage) {
    // During thread teardown the queue may be gone; the value is then freed right here.
    if QUEUE.try_with(|q| q.borrow_mut().push(g)).is_err() {
        return;
    }
    drain();
}

/// Frees queued values until none is left, unless an outer call is already doing so.
fn drain() {
    if DRAINING.try_with(|d| d.replace(true)).unwrap_or(true) {
        return;
    }
    let depth = DEPTH.with(|d| d.replace(0));
    while let Some(next) = QUEUE.with(|q| q.borrow_mut().pop()) {
        drop(next);
    }
    DEPTH.with(|d| d.set(depth));
    DRAINING.with(|d| d.set(false));
}

#[cfg(test)]
mod tests {
    use super::super::Value;

    #[test]
    fn a_million_deep_list_is_freed_without_recursion() {
        let mut v = Value::list(Vec::new());
        for _ in 0..1_000_000 {
            v = Value::list(vec![v]);
        }
        drop(v);
    }

    #[test]
    fn a_million_deep_chain_of_applications_is_freed_without_recursion() {
        let mut v = Value::Null;
        for _ in 0..1_000_000 {
            let args = smallvec::smallvec![Value::Null, v];
            v = Value::Thunk(super::super::Thunk::apply(Value::Null, args));
        }
        drop(v);
    }

    #[test]
    fn a_million_deep_chain_of_shared_calls_is_freed_without_recursion() {
        use super::super::thunk::{Calls, Over};
        // `map f (map f (... [ x ]))`: each list's element calls `f` over the list before.
        let mut v = Value::Null;
        for _ in 0..1_000_000 {
            let list = std::rc::Rc::new(super::super::NixList::new(vec![v]));
            let calls = Calls::new(Value::Null, Over::List(list));
            v = Value::Thunk(Calls::thunk(&calls, 0));
        }
        drop(v);
    }
}
