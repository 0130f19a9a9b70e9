//! Runtime values of the Nix language.
//!
//! `Value` is a 16-byte enum: scalars inline, everything else behind one `Rc`, so cloning a value
//! is at most a reference-count bump. Values are shared between the generator VM and the
//! recursive baseline driver; nothing here knows how evaluation is scheduled. See
//! `design/values.md`.

mod attrs;
pub(crate) mod code;
pub mod collect;
mod drop;
mod function;
pub mod request;
mod scope;
mod segmented;
mod string;
mod symbol;
mod thunk;

use std::path::PathBuf;
use std::rc::Rc;

pub use attrs::Attrs;
pub(crate) use attrs::suggestions;
pub(crate) use attrs::{Positions, positions};
pub use function::{AttemptFn, Body, Builtin, Closure, PartialApp, Ret, SpawnFn, SyncFn};
pub(crate) use function::{Formals, Lambda};
pub(crate) use scope::Env;
pub(crate) use string::display_context_element;
pub use string::{NixContext, NixString};
pub use symbol::Symbol;
pub(crate) use symbol::sym;
pub use thunk::Thunk;
pub(crate) use thunk::{Calls, Failure, Over, ThunkState, Work};

/// Arguments held by a partial application or a lazy application: up to two inline, which is
/// every builtin's partial application but those of arity four or more.
pub(crate) type Args = smallvec::SmallVec<[Value; 2]>;

/// A Nix value. Thunks are values too; `Value::Thunk` appears wherever laziness allows.
///
/// A host reads values through `Evaluator`'s accessors (`as_int`, `attr`, ...), which force what
/// they read, or matches on the variants of a value it has forced (`Evaluator::force`).
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(NixBool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(NixFloat),
    /// A string: bytes with their context (the store paths it refers to).
    String(NixString),
    /// A path, absolute and canonical.
    Path(Rc<PathBuf>),
    /// An attribute set, sorted by name.
    Attrs(Rc<Attrs>),
    /// A list.
    List(Rc<NixList>),
    /// A function written in Nix, with the scope it closes over.
    Closure(Rc<Closure>),
    /// A builtin, possibly applied to some of its arguments.
    Builtin(Rc<PartialApp>),
    /// A value not evaluated yet, or evaluated since (`Evaluator::force` evaluates it).
    Thunk(Thunk),
}

/// A Boolean in a full machine word.
///
/// Every payload of `Value` is one 64-bit integer or pointer, so the compiler treats a value as
/// a pair of words (`ScalarPair`): it is passed and returned in two registers and copied as two
/// 8-byte moves. With a `bool` or `f64` payload among them the enum became an opaque 16-byte
/// aggregate, returned through memory and copied with 16-byte loads that read its tag byte,
/// seven padding bytes and payload back right after writing them piecewise: a
/// store-forwarding stall, dozens of them per attribute set built (see `design/values.md`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NixBool(u64);

impl NixBool {
    /// `true`.
    pub const TRUE: NixBool = NixBool(1);
    /// `false`.
    pub const FALSE: NixBool = NixBool(0);

    /// The Boolean.
    #[inline]
    pub fn get(self) -> bool {
        self.0 != 0
    }
}

impl From<bool> for NixBool {
    #[inline]
    fn from(b: bool) -> Self {
        NixBool(b as u64)
    }
}

/// A float kept as its bits, one machine word (see `NixBool`).
#[derive(Clone, Copy, Debug)]
pub struct NixFloat(u64);

impl NixFloat {
    /// The float.
    #[inline]
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl From<f64> for NixFloat {
    #[inline]
    fn from(f: f64) -> Self {
        NixFloat(f.to_bits())
    }
}

/// `Rc::new` without the temporary: `Rc::new(x)` receives `x` already built, on the native
/// stack, and copies it into the allocation with 16-byte loads, which stall waiting for the
/// smaller stores that just wrote it. Allocating first and only then calling `make` lets the
/// fields be stored straight into the heap block. Used where values are made in the hot paths
/// (thunks, scopes, closures, sets, lists).
#[inline(always)]
pub(crate) fn rc_new<T>(make: impl FnOnce() -> T) -> Rc<T> {
    let mut rc = Rc::<T>::new_uninit();
    match Rc::get_mut(&mut rc) {
        Some(slot) => {
            slot.write(make());
            // SAFETY: the block was just written in full by `write`.
            unsafe { rc.assume_init() }
        }
        // A fresh `Rc` is never shared; this arm exists only to avoid a panic path.
        None => Rc::new(make()),
    }
}

/// Cloning raises the count of the one `Rc` a variant may hold, then copies the value's two
/// words as they are. (The derived clone rebuilds the enum piecewise in a temporary, and the
/// dispatch loop then reads that temporary back as one 16-byte word before the byte stores
/// have reached the cache: a store-forwarding stall on every operand push.)
impl Clone for Value {
    #[inline(always)]
    fn clone(&self) -> Self {
        match self {
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
            Value::String(s) => std::mem::forget(s.clone()),
            Value::Path(p) => std::mem::forget(p.clone()),
            Value::Attrs(a) => std::mem::forget(a.clone()),
            Value::List(l) => std::mem::forget(l.clone()),
            Value::Closure(c) => std::mem::forget(c.clone()),
            Value::Builtin(b) => std::mem::forget(b.clone()),
            Value::Thunk(t) => std::mem::forget(t.clone()),
        }
        // SAFETY: each variant is plain data or a single `Rc` (`NixString` and `Thunk` are one
        // `Rc` too) whose strong count the forgotten clone above has just raised. A bitwise
        // copy is therefore one more owner of exactly that count: what `Rc::clone` returns.
        unsafe { std::ptr::read(self) }
    }
}

impl Value {
    /// A Boolean value.
    #[inline]
    pub fn bool(b: bool) -> Value {
        Value::Bool(NixBool::from(b))
    }

    /// A float value.
    #[inline]
    pub fn float(f: f64) -> Value {
        Value::Float(NixFloat::from(f))
    }

    /// Whether the value refers to further values (a non-empty set or list, a function, a
    /// partial application, a thunk): what can be part of a reference cycle.
    #[inline]
    pub(crate) fn holds_values(&self) -> bool {
        match self {
            Value::Attrs(a) => !a.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Builtin(b) => !b.args.is_empty(),
            Value::Closure(_) | Value::Thunk(_) => true,
            _ => false,
        }
    }

    /// The type name as `builtins.typeOf` reports it.
    pub fn type_of(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Path(_) => "path",
            Value::Attrs(_) => "set",
            Value::List(_) => "list",
            Value::Closure(_) | Value::Builtin(_) => "lambda",
            Value::Thunk(t) => match t.value() {
                Some(v) => v.type_of(),
                None => "thunk",
            },
        }
    }

    /// A short type name for "expected a X but found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a Boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Path(_) => "a path",
            Value::Attrs(_) => "a set",
            Value::List(_) => "a list",
            Value::Closure(_) => "a function",
            Value::Builtin(b) if b.args.is_empty() => "a built-in function",
            Value::Builtin(_) => "a partially applied built-in function",
            Value::Thunk(t) => match t.value() {
                Some(v) => v.type_name(),
                None => "a thunk",
            },
        }
    }

    /// The value itself if it is in weak head normal form, looking through evaluated thunks.
    /// `None` for a thunk that still has to be forced.
    #[inline]
    pub fn whnf(&self) -> Option<Value> {
        match self {
            Value::Thunk(t) => t.value(),
            v => Some(v.clone()),
        }
    }

    /// `whnf` by value: the value itself (no reference count touched) if it needs no
    /// evaluation, or back as `Err` if it is a thunk still to be forced.
    #[inline]
    pub(crate) fn into_whnf(self) -> Result<Value, Value> {
        match self {
            Value::Thunk(t) => t.value().ok_or(Value::Thunk(t)),
            v => Ok(v),
        }
    }

    /// Whether the value is a function (a lambda or a builtin), evaluated.
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Closure(_) | Value::Builtin(_))
    }

    /// A string value.
    pub fn string(s: impl Into<NixString>) -> Value {
        Value::String(s.into())
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(rc_new(|| NixList::new(items)))
    }

    /// `f` applied to `arg`, not evaluated: a thunk that makes the call when forced (a lazy
    /// field for data a host hands to Nix).
    ///
    /// ```
    /// use gnix::Value;
    /// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
    /// let double = ev.eval_expr("x: x * 2", std::path::Path::new("."))?;
    /// let lazy = Value::apply(double, Value::Int(21));
    /// assert_eq!(ev.as_int(&lazy)?, 42);
    /// # Ok::<(), gnix::Error>(())
    /// ```
    pub fn apply(f: Value, arg: Value) -> Value {
        Value::Thunk(Thunk::apply(f, std::iter::once(arg).collect()))
    }

    /// A builtin with none of its arguments yet.
    pub fn builtin(b: Builtin) -> Value {
        Value::Builtin(Rc::new(PartialApp {
            builtin: Rc::new(b),
            args: Default::default(),
        }))
    }

    /// A set value.
    pub fn attrs(attrs: Attrs) -> Value {
        Value::Attrs(rc_new(|| attrs))
    }

    /// What tells this value apart without comparing contents: the heap object behind it, or
    /// the scalar itself; an evaluated thunk counts as its value. An error records it to say
    /// which argument of a builtin it is about (`Error::subject`).
    pub(crate) fn identity(&self) -> u128 {
        fn ptr<T: ?Sized>(rc: &Rc<T>) -> u64 {
            Rc::as_ptr(rc) as *const u8 as usize as u64
        }
        let (tag, bits) = match self {
            Value::Null => (0, 0),
            Value::Bool(b) => (1, b.get() as u64),
            Value::Int(i) => (2, *i as u64),
            Value::Float(f) => (3, f.get().to_bits()),
            Value::String(s) => (4, s.ptr_id() as u64),
            Value::Path(p) => (5, ptr(p)),
            Value::Attrs(a) => (6, ptr(a)),
            Value::List(l) => (7, ptr(l)),
            Value::Closure(c) => (8, ptr(c)),
            Value::Builtin(b) => (9, ptr(b)),
            Value::Thunk(t) => match t.value() {
                Some(v) => return v.identity(),
                None => (10, t.ptr_id() as u64),
            },
        };
        (tag << 64) | bits as u128
    }

    /// Identity of the heap object behind a value, for "seen" sets and pointer equality.
    pub fn ptr_id(&self) -> Option<usize> {
        match self {
            Value::Attrs(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            Value::List(l) => Some(Rc::as_ptr(l) as *const u8 as usize),
            Value::Closure(c) => Some(Rc::as_ptr(c) as *const u8 as usize),
            Value::Thunk(t) => Some(t.ptr_id()),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{}", b.get()),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{}", x.get()),
            Value::String(s) => write!(f, "{:?}", s.as_bstr()),
            Value::Path(p) => write!(f, "{}", p.display()),
            Value::Attrs(a) => write!(f, "<set of {}>", a.len()),
            Value::List(l) => write!(f, "<list of {}>", l.len()),
            Value::Closure(_) => write!(f, "<lambda>"),
            Value::Builtin(b) => write!(f, "<primop {}>", b.builtin.name),
            Value::Thunk(_) => write!(f, "<thunk>"),
        }
    }
}

impl From<crate::allocator::OverBudget> for crate::errors::Error {
    fn from(over: crate::allocator::OverBudget) -> crate::errors::Error {
        crate::errors::Error::new(over.0).with_class(crate::errors::ErrorClass::OutOfMemory)
    }
}

/// The bytes a list of `n` elements takes, for memory budgets (`allocator::reserve`).
pub(crate) fn list_bytes(n: usize) -> usize {
    n.saturating_mul(std::mem::size_of::<Value>())
}

/// The elements of a list; freeing it never recurses (see `drop`).
#[derive(Default)]
pub struct NixList {
    items: Vec<Value>,
    /// The cycle collector's (in what would be padding: the block stays 48 bytes).
    mark: collect::Mark,
}

impl NixList {
    /// A list of these values.
    pub fn new(items: Vec<Value>) -> Self {
        NixList {
            items,
            mark: collect::Mark::default(),
        }
    }

    /// `a ++ b`. An empty side gives the other list itself, and a list held only here (a
    /// result just computed, such as the rest in `[ x ] ++ f rest`) is extended in place: its
    /// elements are moved, not copied and freed (Nix values never change, but nothing else
    /// can see this one). An accumulator in a function's argument (`acc: x: acc ++ [ x ]`)
    /// is also held by the argument's slot, so it is copied. The collector's reasoning still holds: the list gains references to newer
    /// objects, which young collections only count as held, never free.
    pub(crate) fn concat(mut a: Rc<NixList>, mut b: Rc<NixList>) -> Rc<NixList> {
        if b.is_empty() {
            return a;
        }
        if a.is_empty() {
            return b;
        }
        if let Some(front) = Rc::get_mut(&mut a) {
            match Rc::get_mut(&mut b) {
                Some(back) => front.items.append(&mut back.items),
                None => front.items.extend(b.iter().cloned()),
            }
            return a;
        }
        let mut items = Vec::with_capacity(a.len() + b.len());
        items.extend(a.iter().cloned());
        match Rc::get_mut(&mut b) {
            Some(back) => {
                // Moved behind a copy of `a` (`Vec::splice` measured 1.37x slower here).
                items.append(&mut back.items);
                back.items = items;
                b
            }
            None => {
                items.extend(b.iter().cloned());
                rc_new(|| NixList::new(items))
            }
        }
    }
}

impl std::ops::Deref for NixList {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl Drop for NixList {
    fn drop(&mut self) {
        for v in std::mem::take(&mut self.items) {
            drop::release(v);
        }
    }
}

/// Whether `f` can be applied to two arguments at once (`Op::Call2`, `Request::Call2`): a
/// curried lambda, or a builtin still missing at least two arguments.
pub(crate) fn takes_two(f: &Value) -> bool {
    match f {
        Value::Closure(c) => c.lambda.curried.is_some(),
        Value::Builtin(p) => p.args.len() + 2 <= p.builtin.arity,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn a_set_header_and_its_reference_counts_fill_one_48_byte_block() {
        assert!(std::mem::size_of::<Attrs>() + 16 <= 48);
    }
}
