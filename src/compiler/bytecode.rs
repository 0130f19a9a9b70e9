//! The bytecode: a flat vector of small `Op`s per chunk, a parallel vector of spans, and the
//! chunk's constants and nested code (thunk bodies, lambdas).
//!
//! Ops that need a value in weak head normal form expect the compiler to have emitted `Force`
//! before them; `Force` is the only op that can start evaluating a thunk.
//!
//! The compiler emits into a `ChunkBuilder`, whose peepholes and jump patching need to look
//! back at what was emitted; `finish` freezes it into the `Chunk` the VM runs.

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

/// A unit of compiled code: a file's top level, a thunk body, a lambda body or a formal's
/// default. Finished and immutable (`ChunkBuilder::finish` makes it): shared by every thunk,
/// closure and frame running it, and read by the dispatch loop, so it holds only what running
/// needs, in fixed-size slices.
pub struct Chunk {
    pub ops: Box<[Op]>,
    /// The source of each op (`spans[i]` for `ops[i]`).
    pub spans: Box<[Span]>,
    pub consts: Box<[Value]>,
    pub thunks: Box<[Rc<Chunk>]>,
    pub lambdas: Box<[Rc<Lambda>]>,
    /// Set on lambda bodies with an attribute-set pattern.
    pub formals: Option<Rc<Formals>>,
    /// Attribute names that `Select`, `SelectOrJump`, `HasAttr`, `WithLookup` and
    /// `UndefinedVar` refer to.
    pub symbols: Box<[Symbol]>,
    /// The names of the sets `MakeStaticAttrs` builds.
    pub attr_names: Box<[Rc<[Symbol]>]>,
    /// Definition sites of the attributes each `MakeAttrs` builds.
    pub attr_positions: Box<[Rc<[Span]>]>,
    /// The span of the whole expression this chunk computes.
    pub span: Span,
    /// A thunk body short and simple enough for the VM to try computing it in place of
    /// making the thunk (`vm::speculate`).
    pub speculable: bool,
    /// Speculable, and calls a function or makes a thunk: speculated by the fuller variant of
    /// `vm::speculate`'s interpreter (the plain one is smaller and faster).
    pub speculates_calls: bool,
    /// Set when the chunk is integer arithmetic or a comparison of two variables or constants
    /// (`n - 1`, `i + j`, `x == 0`): speculated without running its ops.
    pub arith: Option<crate::vm::speculate::Arith>,
    /// How speculating it has gone so far (the one part that changes at run time).
    pub speculation: crate::vm::speculate::Record,
}

/// A chunk being compiled. The compiler emits into it, with peepholes that look back at what
/// it emitted, folds constants and patches jumps; `finish` turns it into a `Chunk`. Keeping
/// this state out of `Chunk` leaves the finished type with only what the VM reads.
pub struct ChunkBuilder {
    ops: Vec<Op>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    thunks: Vec<Rc<Chunk>>,
    lambdas: Vec<Rc<Lambda>>,
    formals: Option<Rc<Formals>>,
    symbols: Vec<Symbol>,
    attr_names: Vec<Rc<[Symbol]>>,
    attr_positions: Vec<Rc<[Span]>>,
    span: Span,
    /// The latest position a jump was pointed at: the op emitted there has more than one
    /// predecessor, so `emit` does not merge it with the op before it.
    jump_target: Option<usize>,
}

/// Whether `v` is plain data: no function (a list holding one compares equal to itself in C++
/// Nix, so sharing it would be visible) and nothing left to evaluate. Nesting is looked at to a
/// bounded depth, so that folding absurdly nested literals stays linear.
pub(super) fn is_data(v: &Value, depth: usize) -> bool {
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

impl ChunkBuilder {
    /// An empty chunk for the code of the expression at `span`.
    pub fn new(span: Span) -> ChunkBuilder {
        ChunkBuilder {
            ops: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            thunks: Vec::new(),
            lambdas: Vec::new(),
            formals: None,
            symbols: Vec::new(),
            attr_names: Vec::new(),
            attr_positions: Vec::new(),
            span,
            jump_target: None,
        }
    }

    /// The finished chunk. `allowed` says whether the caller allows speculating it (a thunk
    /// body or a default, or a lambda whose scope holds only plain arguments); the chunk is
    /// then marked speculable if its code qualifies (`vm::speculate::is_speculable`). With
    /// speculation off (`speculate` false, `Settings::speculate`) only a body that names a
    /// variable stays speculable (`speculate::is_alias`).
    pub fn finish(self, allowed: bool, speculate: bool) -> Chunk {
        let mut chunk = Chunk {
            ops: self.ops.into(),
            spans: self.spans.into(),
            consts: self.consts.into(),
            thunks: self.thunks.into(),
            lambdas: self.lambdas.into(),
            formals: self.formals,
            symbols: self.symbols.into(),
            attr_names: self.attr_names.into(),
            attr_positions: self.attr_positions.into(),
            span: self.span,
            speculable: false,
            speculates_calls: false,
            arith: None,
            speculation: Default::default(),
        };
        let candidate = match speculate {
            true => crate::vm::speculate::is_speculable(&chunk),
            false => crate::vm::speculate::is_alias(&chunk),
        };
        chunk.speculable = allowed && candidate;
        chunk.arith = crate::vm::speculate::Arith::of(&chunk).filter(|_| chunk.speculable);
        chunk.speculates_calls = chunk.speculable
            && chunk
                .ops
                .iter()
                .any(|op| matches!(op, Op::Call | Op::TailCall | Op::Call2 | Op::Thunk(_)));
        chunk
    }

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

    pub fn add_const(&mut self, v: Value) -> u32 {
        push(&mut self.consts, v)
    }

    /// The index of attribute name `sym` in the symbol table, added if it is new.
    pub fn add_symbol(&mut self, sym: Symbol) -> u32 {
        // Repeats are shared while the table is short; a huge chunk just gets more entries.
        let known = match self.symbols.len() <= 64 {
            true => self.symbols.iter().position(|&s| s == sym),
            false => None,
        };
        match known {
            Some(i) => i as u32,
            None => push(&mut self.symbols, sym),
        }
    }

    pub fn add_thunk(&mut self, body: Chunk) -> u32 {
        push(&mut self.thunks, Rc::new(body))
    }

    pub fn add_lambda(&mut self, lambda: Lambda) -> u32 {
        push(&mut self.lambdas, Rc::new(lambda))
    }

    /// Adds the definition sites of a set's attributes (`MakeAttrs`, `MakeStaticAttrs`).
    pub fn add_attr_positions(&mut self, positions: Rc<[Span]>) -> u32 {
        push(&mut self.attr_positions, positions)
    }

    /// Adds the sorted names of a set `MakeStaticAttrs` builds.
    pub fn add_attr_names(&mut self, names: Rc<[Symbol]>) -> u32 {
        push(&mut self.attr_names, names)
    }

    /// Makes this a pattern lambda's body.
    pub fn set_formals(&mut self, formals: Rc<Formals>) {
        self.formals = Some(formals);
    }

    pub fn has_formals(&self) -> bool {
        self.formals.is_some()
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

/// Appends `item` to a table, returning its index.
fn push<T>(table: &mut Vec<T>, item: T) -> u32 {
    table.push(item);
    (table.len() - 1) as u32
}
