//! The bytecode: a flat vector of small `Op`s per chunk, a parallel vector of spans, and the
//! chunk's constants and nested code (thunk bodies, lambdas).
//!
//! Ops that need a value in weak head normal form expect the compiler to have emitted `Force`
//! before them; `Force` is the only op that can start evaluating a thunk.

use crate::errors::Span;
use crate::value::{Formals, Lambda, Symbol, Value};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Push `consts[i]`.
    Const(u32),
    /// Push the variable in scope `depth` levels up, slot `slot` (not forced).
    Local(u16, u32),
    /// `Local` then `Force`, in one dispatch (the commonest pair by far).
    LocalForce(u16, u32),
    /// Push a thunk of `thunks[i]` closing over the current scope.
    Thunk(u32),
    /// Push a closure of `lambdas[i]` closing over the current scope.
    Closure(u32),
    /// Evaluate the top of the stack to weak head normal form.
    Force,
    Pop,
    /// Enter a new scope with this many slots.
    PushEnv(u32),
    /// Leave the current scope.
    PopEnv,
    /// Pop into slot `i` of the current scope.
    SetSlot(u32),
    /// Pop the argument and the (forced) function; call.
    Call,
    /// `Call` in tail position: the callee's frame replaces this one.
    TailCall,
    /// Pop two arguments and a (forced) function: `f a b`. Always followed by `Swap; Call`
    /// (or `Swap; TailCall`): a curried lambda or a builtin taking both arguments is called
    /// with both at once and those two ops are skipped; any other function is applied to `a`
    /// with `b` left below, and they apply the result to `b`.
    Call2,
    /// Exchange the two values on top of the stack.
    Swap,
    /// Pop the result and return it to the frame below.
    Return,
    Jump(u32),
    /// Pop a Boolean; jump if false.
    JumpIfFalse(u32),
    /// Pop a Boolean; jump if true.
    JumpIfTrue(u32),
    /// Check the top is a Boolean (right operand of `&&`, `||`, `->`).
    AssertBool,
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Concat,
    Update,
    Not,
    Negate,
    /// Pop `n` (name, value) pairs (names forced; null names dropped) and push a set.
    /// (`attr_positions[table]` holds each pair's definition site, in push order.)
    MakeAttrs(u32, u32),
    /// Pop one value per name of `attr_names[names]` (sorted, distinct) and push the set
    /// (`attr_positions[table]` holds the definition sites).
    MakeStaticAttrs(u32, u32),
    /// Pop `n` values and push a list.
    MakeList(u32),
    /// Pop a forced set, push attribute `symbols[name]`.
    Select(u32),
    /// Pop a forced value; push its attribute `symbols[name]`, or jump if it has none.
    SelectOrJump(u32, u32),
    /// Pop a forced name and a forced set; push the attribute.
    DynSelect,
    /// Like `SelectOrJump` with the name on the stack.
    DynSelectOrJump(u32),
    /// Pop a forced value; push whether it has attribute `symbols[name]`.
    HasAttr(u32),
    DynHasAttr,
    /// Pop a forced `with` set; if it has `symbols[name]`, push it and jump.
    WithLookup(u32, u32),
    /// No `with` scope had the variable `symbols[name]`.
    UndefinedVar(u32),
    /// Coerce the (forced) top of the stack to a string for interpolation.
    CoerceInterp,
    /// Pop `n` strings, push their concatenation.
    Interpolate(u32),
    /// Turn the string on top into a path (interpolated path literals).
    ToPath,
    /// Pop a Boolean; if false fail with "assertion `consts[text]` failed".
    Assert(u32),
    /// Pop the forced argument set of a pattern lambda and fill the formals' slots.
    Formals,
    /// Fail with the message `consts[i]` (statically known errors, e.g. disabled features).
    Fail(u32),
    /// Pop two forced values that an `assert a == b` found unequal and fail explaining how.
    AssertEqFail(u32),
}

impl Op {
    /// The arithmetic and comparison operators: pop two operands, push one result.
    pub fn is_binary_operator(self) -> bool {
        matches!(
            self,
            Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::Eq
                | Op::NotEq
                | Op::Less
                | Op::LessEq
                | Op::Greater
                | Op::GreaterEq
        )
    }
}

/// A unit of compiled code: a file's top level, a thunk body or a lambda body.
#[derive(Default)]
pub struct Chunk {
    pub ops: Vec<Op>,
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub thunks: Vec<Rc<Chunk>>,
    pub lambdas: Vec<Rc<Lambda>>,
    /// Set on lambda bodies with an attribute-set pattern.
    pub formals: Option<Rc<Formals>>,
    /// Attribute names that `Select`, `SelectOrJump`, `HasAttr`, `WithLookup` and
    /// `UndefinedVar` refer to.
    pub symbols: Vec<Symbol>,
    /// The names of the sets `MakeStaticAttrs` builds.
    pub attr_names: Vec<Rc<[Symbol]>>,
    /// Definition sites of the attributes each `MakeAttrs` builds.
    pub attr_positions: Vec<Rc<[Span]>>,
    /// The span of the whole expression this chunk computes.
    pub span: Option<Span>,
    /// A thunk body short and simple enough for the VM to try computing it in place of
    /// making the thunk (`vm::speculate`).
    pub speculable: bool,
    /// Speculable, and calls a function or makes a thunk: speculated by the fuller variant of
    /// `vm::speculate`'s interpreter (the plain one is smaller and faster).
    pub speculates_calls: bool,
    /// Set when the chunk is integer arithmetic or a comparison of two variables or constants
    /// (`n - 1`, `i + j`, `x == 0`): speculated without running its ops.
    pub arith: Option<crate::vm::speculate::Arith>,
    /// How speculating it has gone so far.
    pub speculation: crate::vm::speculate::Record,
    /// The latest position a jump was pointed at: the op emitted there has more than one
    /// predecessor, so `emit` does not merge it with the op before it.
    pub jump_target: Option<usize>,
}

/// Whether `v` is plain data: no function (a list holding one compares equal to itself in C++
/// Nix, so sharing it would be visible) and nothing left to evaluate. Nesting is looked at to a
/// bounded depth, so that folding absurdly nested literals stays linear.
fn is_data(v: &Value, depth: usize) -> bool {
    match v {
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::Path(_) => true,
        Value::List(l) => depth < 16 && l.iter().all(|x| is_data(x, depth + 1)),
        Value::Attrs(a) => depth < 16 && a.values().all(|x| is_data(x, depth + 1)),
        _ => false,
    }
}

impl Chunk {
    /// Appends an op, with two peepholes: a `Force` of something already in weak head normal
    /// form is left out (`Local; Force` becomes `LocalForce`), and `Call; Return` (or
    /// `Call; Force; Return`) becomes a tail call. Neither applies where a jump lands.
    pub fn emit(&mut self, op: Op, span: Span) -> usize {
        let here = self.ops.len();
        if self.jump_target != Some(here) {
            match (op, self.ops.last().copied()) {
                (Op::Force, Some(Op::Local(depth, slot))) => {
                    self.ops[here - 1] = Op::LocalForce(depth, slot);
                    self.spans[here - 1] = span;
                    return here - 1;
                }
                (Op::Force, Some(prev)) if self.yields_value(prev) => return here - 1,
                (Op::Return, Some(Op::Call)) => self.ops[here - 1] = Op::TailCall,
                _ => {}
            }
        }
        // `Call; Force; Return` is a tail call (calls already return forced values).
        if op == Op::Return
            && let [.., call @ Op::Call, Op::Force] = self.ops.as_mut_slice()
        {
            *call = Op::TailCall;
        }
        self.ops.push(op);
        self.spans.push(span);
        here
    }

    /// The values of the last `n` ops if they are all constants made only of data (no
    /// functions, no thunks): a list or set literal of them is a constant too.
    pub fn trailing_data(&self, n: usize) -> Option<Vec<Value>> {
        let start = self.ops.len().checked_sub(n)?;
        self.ops[start..]
            .iter()
            .map(|op| match op {
                Op::Const(i) => self
                    .consts
                    .get(*i as usize)
                    .filter(|v| is_data(v, 0))
                    .cloned(),
                _ => None,
            })
            .collect()
    }

    /// Replaces the last `n` ops (constants, see `trailing_data`) by the one constant `v`.
    pub fn fold_tail(&mut self, n: usize, v: Value, span: Span) {
        let start = self.ops.len().saturating_sub(n);
        self.ops.truncate(start);
        self.spans.truncate(start);
        let i = self.add_const(v);
        self.emit(Op::Const(i), span);
    }

    /// The constant a thunk body computes, if it is one (`[Const, Return]` of data).
    pub fn constant_result(&self) -> Option<Value> {
        match self.ops[..] {
            [Op::Const(i), Op::Return] => self
                .consts
                .get(i as usize)
                .filter(|v| is_data(v, 0))
                .cloned(),
            _ => None,
        }
    }

    /// Whether `op` always leaves a value in weak head normal form (never a thunk).
    fn yields_value(&self, op: Op) -> bool {
        match op {
            Op::Const(i) => !matches!(self.consts.get(i as usize), Some(Value::Thunk(_)) | None),
            op if op.is_binary_operator() => true,
            Op::Closure(_)
            | Op::Force
            | Op::LocalForce(..)
            | Op::Call
            | Op::Concat
            | Op::Update
            | Op::Not
            | Op::Negate
            | Op::MakeAttrs(..)
            | Op::MakeStaticAttrs(..)
            | Op::MakeList(_)
            | Op::HasAttr(_)
            | Op::DynHasAttr
            | Op::Interpolate(_)
            | Op::ToPath => true,
            _ => false,
        }
    }

    /// Sets `speculable` (and `speculates_calls`): whether the VM may try running this chunk in
    /// place, given that the caller allows it (`allowed`). With speculation off
    /// (`Settings::speculate`) only a body that names a variable stays speculable
    /// (`speculate::is_alias`).
    pub fn mark_speculable(&mut self, allowed: bool, speculate: bool) {
        let candidate = match speculate {
            true => crate::vm::speculate::is_speculable(self),
            false => crate::vm::speculate::is_alias(self),
        };
        self.speculable = allowed && candidate;
        self.arith = crate::vm::speculate::Arith::of(self).filter(|_| self.speculable);
        self.speculates_calls = self.speculable
            && self
                .ops
                .iter()
                .any(|op| matches!(op, Op::Call | Op::TailCall | Op::Call2 | Op::Thunk(_)));
    }

    pub fn add_const(&mut self, v: Value) -> u32 {
        self.consts.push(v);
        (self.consts.len() - 1) as u32
    }

    /// Points the jump at `at` to the next op to be emitted.
    pub fn patch_jump(&mut self, at: usize) {
        let target = self.ops.len() as u32;
        self.jump_target = Some(target as usize);
        match &mut self.ops[at] {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::SelectOrJump(_, t)
            | Op::DynSelectOrJump(t)
            | Op::WithLookup(_, t) => *t = target,
            _ => {}
        }
    }
}
