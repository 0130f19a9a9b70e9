//! C++ Nix's warning for a "cursed `or`": `f or` (an expression followed by the identifier
//! `or`, which the grammar takes as an application of it to a variable named `or`, because
//! nixpkgs once had a function so named) in a place where a future Nix, treating `or` as a
//! plain identifier, would read it differently: as an argument of an application
//! (`g f or`), an element of a list (`[ f or ]`) or the default of a selection (`a.b or f or`).
//! As the head of an application (`map or [ ]`), or alone (`f (g or)`), it means the same
//! either way and gets no warning. The meaning itself is unchanged: rnix's tree already
//! parses these as C++ Nix does.
//!
//! Checked where the compiler reads the variable `or` (rare: the keyword `or` of `a.b or c`
//! is another token), from its place in the tree, so other code costs nothing.

use rnix::SyntaxKind::{NODE_APPLY, NODE_LIST, NODE_SELECT};
use rnix::SyntaxNode;

/// The range and source of the application whose argument is `ident` (the variable `or`),
/// if it stands where C++ Nix warns about it.
pub(super) fn call_of(ident: &SyntaxNode) -> Option<(rnix::TextRange, String)> {
    cursed_call(ident).map(|call| (call.text_range(), call.text().to_string()))
}

/// The application `ident` (the variable `or`) is the argument of, if it stands where C++
/// Nix warns about it.
fn cursed_call(ident: &SyntaxNode) -> Option<SyntaxNode> {
    let call = ident.parent().filter(|n| n.kind() == NODE_APPLY)?;
    // The `or` is the call's argument (its last child), not its function.
    if call.last_child().as_ref() != Some(ident) {
        return None;
    }
    let outer = call.parent()?;
    let last = outer.last_child().as_ref() == Some(&call);
    let warned = match outer.kind() {
        // An argument: the last child of the application (the first is the function).
        NODE_APPLY => last,
        NODE_LIST => true,
        // The default: what follows the keyword `or`, the selection's last child.
        NODE_SELECT => last && outer.children().count() > 2,
        _ => false,
    };
    warned.then_some(call)
}
