//! Which chunks the VM may speculate (compute ahead of need, `vm::speculate`): decided once,
//! when a chunk is finished, from its ops alone. The ops accepted here are exactly those the
//! VM's speculation interpreter runs.

use crate::value::Value;
use crate::value::code::{Arith, Chunk, Op, Operand, Test};

/// The longest thunk body worth trying (longer ones rarely succeed and cost more to abandon).
const MAX_SPECULABLE_OPS: usize = 12;

/// Whether the compiler may mark a chunk for speculation: short, jumping only forward (so it
/// runs at most once through), made of the ops `run` knows, and any thunk it makes speculable
/// too.
pub fn is_speculable(chunk: &Chunk) -> bool {
    let ops = &chunk.ops;
    ops.len() <= MAX_SPECULABLE_OPS
        && ops.iter().enumerate().all(|(at, op)| match op {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::WithLookup(_, t)
            | Op::DynSelectOrJump(t) => *t as usize > at,
            Op::Thunk(i) => chunk.thunks.get(*i as usize).is_some_and(|t| t.speculable),
            op if op.is_binary_operator() => true,
            _ => matches!(
                op,
                Op::AssertBool
                    | Op::Const(_)
                    | Op::Local(..)
                    | Op::LocalForce(..)
                    | Op::Force
                    | Op::Not
                    | Op::Negate
                    | Op::Select(_)
                    | Op::HasAttr(_)
                    | Op::DynSelect
                    | Op::DynHasAttr
                    | Op::UndefinedVar(_)
                    | Op::Call
                    | Op::TailCall
                    | Op::Call2
                    | Op::Swap
                    | Op::CoerceInterp
                    | Op::Interpolate(_)
                    | Op::MakeList(_)
                    | Op::Return
            ),
        })
}

/// Whether a chunk only names a variable (`a = b;`, `x: x`, the argument in `f b`): running it
/// computes nothing, it shares the variable's value or thunk. This stays on with speculation
/// off (`Settings::speculate`): C++ Nix shares such variables too (`ExprVar::maybeThunk`), and
/// which thunks are shared decides which force finds an infinite recursion, and so the
/// position the error gives.
pub fn is_alias(chunk: &Chunk) -> bool {
    matches!(chunk.ops[..], [Op::LocalForce(..), Op::Return])
}

/// The chunk as an `Arith`, if it is one: a binary operator on two variables or integer
/// constants, then `Return`.
pub fn arith(chunk: &Chunk) -> Option<Arith> {
    match chunk.ops[..] {
        [a, b, op, Op::Return] if op.is_binary_operator() => Some(Arith {
            op,
            a: operand(a, chunk)?,
            b: operand(b, chunk)?,
        }),
        _ => None,
    }
}

/// Puts a `TestJump` in place of the first op of each integer comparison that a
/// `JumpIfFalse` follows (`LocalForce; Const; Less; JumpIfFalse`). The ops after it stay, so a
/// jump into the middle of the sequence, and the `TestJump` itself when an operand is not an
/// evaluated integer, run them as compiled. Only for chunks that are not speculable: the
/// speculation interpreter knows no `TestJump`.
pub fn fuse_tests(chunk: &mut Chunk) {
    let mut tests = Vec::new();
    for at in 0..chunk.ops.len() {
        let Some(&[a, b, compare, Op::JumpIfFalse(target)]) = chunk.ops.get(at..at + 4) else {
            continue;
        };
        let is_comparison = matches!(
            compare,
            Op::Eq | Op::NotEq | Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq
        );
        let (true, Some(x), Some(y)) = (is_comparison, operand(a, chunk), operand(b, chunk)) else {
            continue;
        };
        tests.push(Test {
            compare: Arith {
                op: compare,
                a: x,
                b: y,
            },
            replaced: a,
            target,
        });
        chunk.ops[at] = Op::TestJump(tests.len() as u32 - 1);
    }
    chunk.tests = tests.into();
}

fn operand(op: Op, chunk: &Chunk) -> Option<Operand> {
    match op {
        Op::LocalForce(depth, slot) => Some(Operand::Local(depth, slot)),
        Op::Const(i) => match chunk.consts.get(i as usize)? {
            Value::Int(n) => Some(Operand::Int(*n)),
            _ => None,
        },
        _ => None,
    }
}
