//! The three kinds of frame on the VM's one frame stack.

use super::BuiltinGen;
use crate::compiler::Chunk;
use crate::errors::Span;
use crate::value::{Env, Thunk, ThunkState};
use std::rc::Rc;

pub(super) enum Frame {
    Code(CodeFrame),
    Thunk(ThunkFrame),
    Gen(GenFrame),
}

/// Bytecode being run: a file, a thunk body or a lambda body.
pub(super) struct CodeFrame {
    pub chunk: Rc<Chunk>,
    pub ip: usize,
    pub env: Env,
    /// Where this frame's part of the operand stack starts.
    pub base: usize,
    /// A lambda call (counts towards max-call-depth).
    pub call: bool,
}

impl CodeFrame {
    /// The span of the op being executed.
    pub fn current_span(&self) -> Option<Span> {
        self.chunk
            .spans
            .get(self.ip.saturating_sub(1))
            .copied()
            .or(self.chunk.span)
    }
}

/// A thunk being forced. The thunk is a blackhole meanwhile; `saved` is what it was, put back if
/// an error unwinds this frame.
pub(super) struct ThunkFrame {
    pub thunk: Thunk,
    pub saved: ThunkState,
}

/// A suspended generator waiting for its request to be answered.
pub(super) struct GenFrame {
    pub coroutine: BuiltinGen,
    pub name: &'static str,
    pub span: Option<Span>,
    /// Waiting on a `TryForce`: catchable errors are handed to it instead of unwinding it.
    pub catching: bool,
    /// A builtin call (counts one towards max-call-depth).
    pub call: bool,
    /// Extra logical depth it declared (deep forcing, comparison).
    pub depth: u32,
}
