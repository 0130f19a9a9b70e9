//! Emitting bytecode: the compiler emits into a `ChunkBuilder`, whose peepholes and jump
//! patching need to look back at what was emitted; `finish` freezes it into the `Chunk`
//! (`value::code`) the VM runs.

use crate::errors::Span;
use crate::value::code::{Chunk, Op, OperandContext};
use crate::value::{Formals, Lambda, Symbol, Value};
use smol_str::SmolStr;
use std::rc::Rc;

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
    attr_positions: Vec<crate::value::Positions>,
    span: Span,
    /// The latest position a jump was pointed at: the op emitted there has more than one
    /// predecessor, so `emit` does not merge it with the op before it.
    jump_target: Option<usize>,
    contexts: Vec<OperandContext>,
    /// Whether a call in tail position becomes a `TailCall` (`CompileContext::tail_calls`).
    tail_calls: bool,
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
    /// An empty chunk for the code of the expression at `span`; with `tail_calls` false, no
    /// call is made a tail call.
    pub fn new(span: Span, tail_calls: bool) -> ChunkBuilder {
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
            contexts: Vec::new(),
            tail_calls,
        }
    }

    /// The finished chunk. `allowed` says whether the caller allows speculating it (a thunk
    /// body or a default, or a lambda whose scope holds only plain arguments); the chunk is
    /// then marked speculable if its code qualifies (`compiler::speculable::is_speculable`). With
    /// speculation off (`speculate` false, `Settings::speculate`) only a body that names a
    /// variable stays speculable (`compiler::speculable::is_alias`).
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
            contexts: self.contexts.into(),
            lambda: None,
            speculable: false,
            speculates_calls: false,
            arith: None,
            tests: Box::default(),
            speculation: Default::default(),
        };
        let candidate = match speculate {
            true => super::speculable::is_speculable(&chunk),
            false => super::speculable::is_alias(&chunk),
        };
        chunk.speculable = allowed && candidate;
        chunk.arith = super::speculable::arith(&chunk).filter(|_| chunk.speculable);
        chunk.speculates_calls = chunk.speculable
            && chunk
                .ops
                .iter()
                .any(|op| matches!(op, Op::Call | Op::TailCall | Op::Call2 | Op::Thunk(_)));
        // (Speculable chunks mostly run in `vm::speculate`'s interpreter, which is kept
        // without `TestJump`: an arm for it there cost the lists workload 2 % more
        // instructions.)
        if !chunk.speculable {
            super::speculable::fuse_tests(&mut chunk);
        }
        chunk
    }

    /// Appends an op, with two peepholes: a `Force` of something already in weak head normal
    /// form is left out (`Local; Force` becomes `LocalForce`), and `Call; Return` (or
    /// `Call; Force; Return`) becomes a tail call. Neither applies where a jump lands.
    /// Where the next op goes.
    pub fn here(&self) -> usize {
        self.ops.len()
    }

    /// The ops from `start` to here compute an operand C++ Nix evaluates with context `what`
    /// at `span`. Recorded as they end, so inner operands come before the operands holding them.
    pub fn operand_context(&mut self, start: usize, span: Span, what: impl Into<SmolStr>) {
        self.contexts.push(OperandContext {
            start: start as u32,
            end: self.ops.len() as u32,
            span,
            what: what.into(),
            call: false,
            select: false,
        });
    }

    /// The ops from `start` to here select attribute `path` (the selection at `span`) from a
    /// set computed before them (`OperandContext::select`).
    pub fn selection_context(&mut self, start: usize, span: Span, path: &str) {
        self.operand_context(
            start,
            span,
            format!("while evaluating the attribute '{path}'"),
        );
        if let Some(c) = self.contexts.last_mut() {
            c.select = true;
        }
    }

    /// The ops from `start` to here are an operator C++ Nix makes a call of a builtin, whose
    /// trace line (`while calling the 'mul' builtin`) is `what`, at `span`.
    pub fn builtin_call(&mut self, start: usize, span: Span, what: &'static str) {
        self.operand_context(start, span, what);
        if let Some(c) = self.contexts.last_mut() {
            c.call = true;
        }
    }

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
                (Op::Return, Some(Op::Call)) if self.tail_calls => {
                    self.ops[here - 1] = Op::TailCall
                }
                _ => {}
            }
        }
        // `Call; Force; Return` is a tail call (calls already return forced values).
        if op == Op::Return
            && self.tail_calls
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
    pub fn add_attr_positions(&mut self, positions: crate::value::Positions) -> u32 {
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
