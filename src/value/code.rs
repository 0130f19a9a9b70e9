//! The bytecode the compiler makes and the VM runs: a flat vector of small `Op`s per chunk, a
//! parallel vector of spans, and the chunk's constants and nested code (thunk bodies,
//! lambdas). It lives with values because values hold it (a closure's lambda, a thunk's code)
//! and it holds values (constants): the compiler builds it (`compiler::bytecode`), the VM reads
//! it, and neither needs the other.
//!
//! Ops that need a value in weak head normal form expect the compiler to have emitted `Force`
//! before them; `Force` is the only op that can start evaluating a thunk.

use super::{Formals, Lambda, Symbol, Value};
use crate::errors::Span;
use std::cell::Cell;
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
    /// Enter a new scope with this many slots, filled by `SetSlot` after it exists (a `let`
    /// or `rec` whose bindings refer to each other): the cycle collector is told of it.
    PushEnv(u32),
    /// Enter a new scope whose slots are the top this many operands, in slot order: values
    /// made before the scope, so they cannot refer back to it (`with`, `inherit (e)` of a
    /// plain set, a `let` whose bindings do not refer to each other).
    PushEnvFrom(u32),
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
    /// `tests[i]`: the first op of a comparison of two integers in variables or constants and
    /// the `JumpIfFalse` after it (`if n < 2 then ...`), put in that op's place. When both
    /// operands are evaluated integers the comparison and the jump are done at once;
    /// otherwise the op it replaced runs, and the ops after it as they were compiled.
    TestJump(u32),
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
    /// Pop two forced values that an `assert a == b` found unequal and fail explaining how:
    /// the assertion's text is `consts[text]`, the `==` at byte `eq` of the op's file.
    AssertEqFail(u32, u32),
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
    pub attr_positions: Box<[crate::value::Positions]>,
    /// The span of the whole expression this chunk computes.
    pub span: Span,
    /// The operands whose errors C++ Nix says it was evaluating (`in the argument of '!'`),
    /// innermost first (`vm::trace::add_operand_contexts`).
    pub contexts: Box<[OperandContext]>,
    /// For a lambda's body, what a trace calls the lambda: `'f'` (the name it was bound to)
    /// or `anonymous lambda`.
    pub lambda: Option<smol_str::SmolStr>,
    /// A thunk body short and simple enough for the VM to try computing it in place of
    /// making the thunk (`vm::speculate`).
    pub speculable: bool,
    /// Speculable, and calls a function or makes a thunk: speculated by the fuller variant of
    /// `vm::speculate`'s interpreter (the plain one is smaller and faster).
    pub speculates_calls: bool,
    /// Set when the chunk is integer arithmetic or a comparison of two variables or constants
    /// (`n - 1`, `i + j`, `x == 0`): speculated without running its ops.
    pub arith: Option<Arith>,
    /// The comparisons `TestJump` does in one dispatch.
    pub tests: Box<[Test]>,
    /// How speculating it has gone so far (the one part that changes at run time).
    pub speculation: Record,
}

/// A comparison and the conditional jump after it, done by one `TestJump` (see there).
#[derive(Clone, Copy)]
pub struct Test {
    pub compare: Arith,
    /// The op `TestJump` took the place of (the comparison's first operand).
    pub replaced: Op,
    /// Where the `JumpIfFalse` goes.
    pub target: u32,
}

/// The ops `start..end` compute an operand (and check its type) that C++ Nix evaluates with a
/// context: an error among them gets the line `what` at `span` (the operand's position).
pub struct OperandContext {
    pub start: u32,
    pub end: u32,
    pub span: Span,
    pub what: smol_str::SmolStr,
    /// The range is an operator C++ Nix makes a call of a builtin (`*` is `__mul`): the op
    /// at its end raises its errors as that builtin would, without a position of its own.
    pub call: bool,
    /// The range is an attribute selection after its subject (`while evaluating the
    /// attribute 'x'` at the selection): a set it selects from that is no set is `while
    /// selecting an attribute` there too.
    pub select: bool,
}

/// The commonest speculable body, recognised when it is compiled (`compiler::speculable`): a
/// binary operator on two operands, each a variable or an integer constant (`n - 1`, `i + j`,
/// `x == 0`). On integers the VM computes it directly (`vm::speculate`).
#[derive(Clone, Copy)]
pub struct Arith {
    pub op: Op,
    pub a: Operand,
    pub b: Operand,
}

/// An operand of `Arith`.
#[derive(Clone, Copy)]
pub enum Operand {
    Local(u16, u32),
    Int(i64),
}

/// Consecutive failed speculations after which a chunk is only tried once in `RETRY_EVERY`.
const GIVE_UP_AFTER: u16 = 16;
const RETRY_EVERY: u16 = 64;

/// How speculating one chunk has been going: the number of attempts since the last success
/// (attempts skipped included). A body that keeps failing (`x: f (g x)` where `f` is a lambda
/// runs `g x` before finding it cannot call `f`) stops costing its attempts, yet is retried now
/// and then in case its inputs have changed.
#[derive(Default)]
pub struct Record(Cell<u16>);

impl Record {
    pub fn worth_trying(&self) -> bool {
        let misses = self.0.get();
        let attempt = misses < GIVE_UP_AFTER || misses.is_multiple_of(RETRY_EVERY);
        if !attempt {
            self.missed();
        }
        attempt
    }

    #[inline]
    pub fn succeeded(&self) {
        if self.0.get() != 0 {
            self.0.set(0);
        }
    }

    #[cold]
    pub fn missed(&self) {
        let misses = self.0.get();
        self.0.set(misses.checked_add(1).unwrap_or(GIVE_UP_AFTER));
    }
}
