//! Compile-time scopes. Each one becomes one run-time environment, so the position of a name in
//! this stack is its (depth, slot) address.

use rustc_hash::FxHashMap as HashMap;
use smol_str::SmolStr;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// `let`, `rec`, lambda arguments, hidden `inherit (e)` slots.
    Normal,
    /// `with e;`: one slot holding `e`; its names are only known at run time.
    With,
}

pub struct Scope {
    pub kind: ScopeKind,
    names: HashMap<SmolStr, usize>,
    len: usize,
    /// While a `let`/`rec` scope's slots are being filled, how many chunks are open: a bare
    /// reference to one of its names from code of that chunk must become a thunk, since the
    /// slot may still be empty. Code of a chunk nested deeper (a thunk's, a lambda's) runs
    /// only after every slot is filled, and reads the slot directly.
    pub initializing: Option<usize>,
}

impl Scope {
    pub fn new(kind: ScopeKind) -> Scope {
        Scope {
            kind,
            names: HashMap::default(),
            len: usize::from(kind == ScopeKind::With),
            initializing: None,
        }
    }

    /// Adds a name in the next slot (a later declaration of the same name shadows it).
    pub fn declare(&mut self, name: SmolStr) -> usize {
        self.names.insert(name, self.len);
        self.len += 1;
        self.len - 1
    }

    /// Adds a slot no name can reach.
    pub fn declare_hidden(&mut self) -> usize {
        self.len += 1;
        self.len - 1
    }

    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

pub enum Resolved {
    Local {
        depth: usize,
        slot: usize,
        initialized: bool,
    },
    /// Not in any static scope: a global or a `with` lookup.
    Dynamic,
}

/// Resolves `name` from code of the `chunks`-th open chunk, ignoring the innermost `skip`
/// scopes (for `inherit x;` in `let`/`rec`, which refers to the scope around).
pub fn resolve_from(scopes: &[Scope], name: &str, skip: usize, chunks: usize) -> Resolved {
    let visible = scopes.len().saturating_sub(skip);
    for (i, scope) in scopes[..visible].iter().enumerate().rev() {
        if scope.kind == ScopeKind::Normal
            && let Some(slot) = scope.lookup(name)
        {
            let depth = scopes.len() - 1 - i;
            return Resolved::Local {
                depth,
                slot,
                initialized: scope.initializing.is_none_or(|at| chunks > at),
            };
        }
    }
    Resolved::Dynamic
}

pub fn resolve(scopes: &[Scope], name: &str, chunks: usize) -> Resolved {
    resolve_from(scopes, name, 0, chunks)
}

/// (depth, slot) of every enclosing `with` set, innermost first, ignoring the innermost `skip`.
pub fn with_slots(scopes: &[Scope], skip: usize) -> Vec<(usize, usize)> {
    let visible = scopes.len().saturating_sub(skip);
    scopes[..visible]
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, s)| s.kind == ScopeKind::With)
        .map(|(i, _)| (scopes.len() - 1 - i, 0))
        .collect()
}
