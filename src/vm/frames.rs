//! The kinds of frame on the VM's one frame stack (code, thunk, generator, builtin
//! arguments, loop, lazy call), all in one place.

use super::BuiltinGen;
use super::request::{Catch, Expect, Finish};
use crate::errors::Span;
use crate::value::code::Chunk;
use crate::value::{Builtin, Env, NixList, Thunk, Value};
use std::rc::Rc;

pub(super) enum Frame {
    Code(CodeFrame),
    Thunk(ThunkFrame),
    Gen(GenFrame),
    /// Boxed: rare next to the others, and large.
    Args(Box<ArgsFrame>),
    Loop(Box<LoopFrame>),
    Apply(ApplyFrame),
    /// A call of a set with `__functor` (made at the span, if any) under way above it: an
    /// error leaving the call says so (`Vm::call_functor`), a value passes through.
    Functor(Option<Span>),
}

/// Bytecode being run: a file, a thunk body or a lambda body.
pub(super) struct CodeFrame {
    pub chunk: Rc<Chunk>,
    pub ip: usize,
    pub env: Env,
    /// Where this frame's part of the operand stack starts.
    pub base: usize,
    /// Logical calls this frame stands for (max-call-depth): 1 for a lambda call plus those of
    /// frames it replaced by tail calls (C++ Nix has none, so they still count); 0 otherwise.
    pub calls: u32,
    /// For a lambda called by a tail call, where that call is (a trace's `from call site`),
    /// since the frame that made it is gone; `Span::UNKNOWN` otherwise (the frame below says).
    pub site: Span,
}

impl CodeFrame {
    /// The span of the op being executed.
    pub fn current_span(&self) -> Span {
        let at = self.ip.saturating_sub(1);
        self.chunk.spans.get(at).copied().unwrap_or(self.chunk.span)
    }
}

/// A thunk being forced: updated with the value when the frames above it return, made pending
/// again if an error unwinds this frame.
pub(super) struct ThunkFrame {
    pub thunk: Thunk,
}

/// A suspended generator waiting for its request to be answered.
pub(super) struct GenFrame {
    pub coroutine: BuiltinGen,
    pub name: &'static str,
    pub span: Option<Span>,
    /// Waiting on a `TryForce`: the errors it takes are handed to it instead of unwinding it.
    pub catching: Option<Catch>,
    /// A host's builtin: a panic while it runs becomes an error (`Builtin::host`).
    pub host: bool,
    /// An error leaving it says which builtin it was in (`Builtin::call_trace`).
    pub call_trace: bool,
    /// Logical calls this frame stands for: 1 for a builtin call, plus tail-called frames.
    pub calls: u32,
    /// Extra logical depth it declared (deep forcing, comparison).
    pub depth: u32,
}

/// A builtin call waiting for the scheduler to evaluate something before its body runs: an
/// argument it is strict in (`Builtin::strict`), or a value its body asked for (`Ret::Force`).
pub(super) struct ArgsFrame {
    pub builtin: Rc<Builtin>,
    pub args: BuiltinArgs,
    /// The argument being forced, replaced by its value once it is evaluated.
    pub slot: Option<usize>,
    pub span: Option<Span>,
    /// Logical calls this frame stands for: 1 plus those of tail-called frames.
    pub calls: u32,
}

/// A lazy call (an `Apply` thunk) whose function is being forced: the function delivered here
/// is applied to `arg`, as called at `span`.
pub(super) struct ApplyFrame {
    pub arg: Value,
    pub span: Option<Span>,
}

/// A saturated builtin call's arguments, inline.
pub(super) type BuiltinArgs = smallvec::SmallVec<[Value; 4]>;

/// A loop of calls under way.
pub(super) struct LoopFrame {
    pub f: Value,
    pub list: Rc<NixList>,
    /// The element whose call is under way.
    pub next: usize,
    pub kind: LoopKind,
    pub span: Option<Span>,
    pub owner: Owner,
}

pub(super) enum LoopKind {
    Each {
        expect: Expect,
        stop: Option<bool>,
        /// Keep each result's elements, not the result (`CallEach::flatten`).
        flatten: bool,
        results: Vec<Value>,
    },
    /// `acc` is the accumulator so far; `partial` is `f acc` while it is being applied to the
    /// element (for functions that are not curried lambdas, which take two calls).
    Fold { acc: Value, partial: bool },
}

/// The builtin call a loop frame stands for.
pub(super) struct Owner {
    pub name: &'static str,
    /// Logical calls it counts for: 1 plus those of tail-called frames.
    pub calls: u32,
    /// Makes the builtin's value from the results (`Each` loops).
    pub finish: Option<Finish>,
}

impl LoopFrame {
    /// The element whose call is under way.
    pub fn element(&self) -> Value {
        match self.list.get(self.next) {
            Some(x) => x.clone(),
            None => unreachable!("a loop frame past the end of its list"),
        }
    }
}

impl Owner {
    /// The trace line an error leaving this call gets.
    pub fn trace(&self) -> String {
        super::builtin_trace(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::Frame;

    #[test]
    fn a_frame_is_64_bytes() {
        // design/vm.md says so: the large kinds keep their contents in a box.
        assert_eq!(std::mem::size_of::<Frame>(), 64);
    }
}
