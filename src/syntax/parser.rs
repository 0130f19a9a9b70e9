//! gnix's parser: Nix tokens ([`super::lexer`], the same as rnix's tokenizer's) into the rowan
//! green tree rnix's parser builds.
//!
//! Why not rnix's own parser: it gives up past 512 nested expressions ("recursion limit
//! exceeded") where C++ Nix takes thousands, and it builds with rowan's `GreenNodeBuilder`,
//! whose node cache hashes whole subtrees again each time its table grows, so a long call
//! (`f 1 1 ... 1`, a left-nested tree) takes quadratic time. This parser builds green nodes
//! directly (`GreenNode::new`, without rowan's cache: only short tokens and one-token nodes
//! are shared, looked up by their text) in linear time, and runs its recursion on a stack that
//! grows on demand (`stacker`), so any nesting up to `MAX_NESTING` (10 000) levels parses on
//! a small thread stack, and deeper input is the error `ParseError::RecursionLimitExceeded`.
//!
//! Everything else is rnix's parser's behaviour, on purpose: the same node and token kinds,
//! the same tree shapes (where the blanks and comments go included), the same recovery from
//! errors and the same `ParseError`s with the same ranges, so rnix's typed AST
//! (`rnix::ast`), the compiler and the mapping of errors to C++ Nix's messages
//! (`syntax::parse_error`) read it unchanged. tests/parser_differential.rs checks that on
//! every corpus file, truncations of them and random text; tests/properties.rs on generated
//! programs. The grammar is a
//! recursive descent, one function per precedence level as in rnix; right-associative
//! operators loop instead of recursing, so a long `a ++ b ++ ...` does not count as nesting.

use rnix::{ParseError, SyntaxKind, SyntaxKind::*, T, TextRange, TextSize};
use rowan::{GreenNode, GreenToken, Language, NodeOrToken};
use rustc_hash::FxHashMap;

use super::MAX_NESTING;

/// Native stack kept free before a nested level runs; below it the level runs on a new
/// segment of `STACK_SEGMENT` bytes.
const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The parse of a text: its root node (`NODE_ROOT`, always present, holding every token of the
/// text) and its errors in the order found. The tree is complete even when there are errors.
pub struct Parsed {
    /// The green tree, the same rnix's `Root::parse` builds.
    pub green: GreenNode,
    /// The syntax errors, the same rnix's `Root::parse` reports (except past 512 levels).
    pub errors: Vec<ParseError>,
    /// Where the text first nests deeper than `MAX_NESTING` (then `errors` holds
    /// `RecursionLimitExceeded`).
    pub too_deep_at: Option<TextSize>,
}

/// Parses `text` into rnix's green tree.
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser::new(text);
    // The root holds the leading blanks too.
    p.start_node_at(0, NODE_ROOT);
    p.expr();
    p.eat_trivia();
    if p.peek().is_some() {
        let start = p.start_error_node();
        while p.peek().is_some() {
            p.bump();
        }
        let end = p.finish_error_node();
        p.errors
            .push(ParseError::UnexpectedExtra(TextRange::new(start, end)));
        p.eat_trivia();
    }
    p.finish_node();
    Parsed {
        green: p.tree.finish(),
        errors: p.errors,
        too_deep_at: p.too_deep_at,
    }
}

/// A green tree under construction: the finished children of the open nodes, in order, and
/// where each open node's children start. A checkpoint is a length of `children`.
///
/// Short tokens are shared (each name, blank or operator text is made once) and so are nodes
/// holding one token (`NODE_IDENT`, `NODE_LITERAL`): looked up by their kind and text, a hash
/// of a few bytes, never of a subtree, which is what rowan's cache does that made rnix's
/// parser quadratic. Sharing saves memory (a quarter of the tree on nixpkgs' lib) and time.
#[derive(Default)]
struct Tree<'a> {
    children: Vec<NodeOrToken<GreenNode, GreenToken>>,
    open: Vec<(SyntaxKind, usize)>,
    tokens: FxHashMap<(SyntaxKind, &'a str), GreenToken>,
    leaves: FxHashMap<(SyntaxKind, GreenToken), GreenNode>,
}

/// The longest token text shared.
const SHARED_TOKEN: usize = 32;

fn raw(kind: SyntaxKind) -> rowan::SyntaxKind {
    rnix::NixLanguage::kind_to_raw(kind)
}

impl<'a> Tree<'a> {
    fn token(&mut self, kind: SyntaxKind, text: &'a str) {
        let token = if text.len() <= SHARED_TOKEN {
            let made = self.tokens.entry((kind, text));
            made.or_insert_with(|| GreenToken::new(raw(kind), text))
                .clone()
        } else {
            GreenToken::new(raw(kind), text)
        };
        self.children.push(NodeOrToken::Token(token));
    }

    fn checkpoint(&self) -> usize {
        self.children.len()
    }

    fn start_node_at(&mut self, checkpoint: usize, kind: SyntaxKind) {
        // The parser only wraps what the open node holds; clamped all the same, so a mistake
        // would misshape the tree rather than panic.
        let floor = self.open.last().map_or(0, |&(_, first)| first);
        let at = checkpoint.clamp(floor, self.children.len());
        self.open.push((kind, at));
    }

    fn finish_node(&mut self) {
        let Some((kind, first)) = self.open.pop() else {
            return;
        };
        let first = first.min(self.children.len());
        let node = match self.children.get(first..) {
            Some([NodeOrToken::Token(t)]) if t.text().len() <= SHARED_TOKEN => {
                let token = t.clone();
                self.children.truncate(first);
                self.leaves
                    .entry((kind, token.clone()))
                    .or_insert_with(|| GreenNode::new(raw(kind), [NodeOrToken::Token(token)]))
                    .clone()
            }
            _ => GreenNode::new(raw(kind), self.children.drain(first..)),
        };
        self.children.push(NodeOrToken::Node(node));
    }

    fn finish(mut self) -> GreenNode {
        while !self.open.is_empty() {
            self.finish_node();
        }
        match self.children.pop() {
            Some(NodeOrToken::Node(root)) if self.children.is_empty() => root,
            last => {
                // Not reached: the parser opens the root first and closes it last.
                self.children.extend(last);
                GreenNode::new(raw(NODE_ROOT), self.children)
            }
        }
    }
}

struct Parser<'a> {
    tokens: Vec<(SyntaxKind, &'a str)>,
    /// The text offset of each token, and of the end.
    offsets: Vec<TextSize>,
    /// The next token not yet taken.
    next: usize,
    /// The first token not yet in the tree: those from here to `next` are blanks and comments
    /// taken but not yet placed (they go where the next node or token starts).
    placed: usize,
    tree: Tree<'a>,
    errors: Vec<ParseError>,
    /// Nested levels being parsed (expressions, list items, operands of prefix operators, the
    /// defaults of selections).
    depth: usize,
    too_deep_at: Option<TextSize>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let tokens: Vec<_> = super::lexer::tokenize(text).collect();
        let mut offsets = Vec::with_capacity(tokens.len() + 1);
        let mut at = TextSize::from(0);
        for (_, s) in &tokens {
            offsets.push(at);
            at += TextSize::of(*s);
        }
        offsets.push(at);
        Parser {
            tokens,
            offsets,
            next: 0,
            placed: 0,
            tree: Tree::default(),
            errors: Vec::new(),
            depth: 0,
            too_deep_at: None,
        }
    }

    /// The text offset up to which tokens are in the tree.
    fn position(&self) -> TextSize {
        self.offsets.get(self.placed).copied().unwrap_or_default()
    }

    fn kind_at(&self, i: usize) -> Option<SyntaxKind> {
        self.tokens.get(i).map(|&(k, _)| k)
    }

    /// Puts the tokens taken into the tree (blanks and comments waiting, and the token taken
    /// after them).
    fn place_taken(&mut self) {
        while self.placed < self.next {
            if let Some(&(kind, s)) = self.tokens.get(self.placed) {
                self.tree.token(kind, s);
            }
            self.placed += 1;
        }
    }

    fn eat_trivia(&mut self) {
        self.peek();
        self.place_taken();
    }

    fn start_node(&mut self, kind: SyntaxKind) {
        self.eat_trivia();
        self.tree.start_node_at(self.tree.checkpoint(), kind);
    }

    fn checkpoint(&mut self) -> usize {
        self.eat_trivia();
        self.tree.checkpoint()
    }

    fn start_node_at(&mut self, checkpoint: usize, kind: SyntaxKind) {
        self.tree.start_node_at(checkpoint, kind);
    }

    fn finish_node(&mut self) {
        self.tree.finish_node();
    }

    fn start_error_node(&mut self) -> TextSize {
        self.start_node(NODE_ERROR);
        self.position()
    }

    fn finish_error_node(&mut self) -> TextSize {
        self.finish_node();
        self.position()
    }

    /// Takes the next token: a blank or comment waits to be placed, anything else goes into
    /// the tree (after the blanks waiting). At the end, an error.
    fn bump(&mut self) {
        match self.tokens.get(self.next) {
            Some(&(kind, _)) => {
                self.next += 1;
                if !kind.is_trivia() {
                    self.place_taken();
                }
            }
            None => self.errors.push(ParseError::UnexpectedEOF),
        }
    }

    /// Takes the next token (never a blank: the blanks before it are placed) as `kind`.
    fn bump_as(&mut self, kind: SyntaxKind) {
        if let Some(&(_, s)) = self.tokens.get(self.next) {
            self.place_taken();
            self.tree.token(kind, s);
            self.next += 1;
            self.placed = self.next;
        }
    }

    /// The next token, not skipping blanks.
    fn peek_raw(&self) -> Option<SyntaxKind> {
        self.kind_at(self.next)
    }

    /// The next token that is not a blank or comment, taking those before it.
    fn peek(&mut self) -> Option<SyntaxKind> {
        while self.peek_raw().is_some_and(|k| k.is_trivia()) {
            self.bump();
        }
        self.peek_raw()
    }

    /// The `n`th token after the next one, blanks and comments not counted.
    fn peek_ahead(&self, n: usize) -> Option<SyntaxKind> {
        self.tokens
            .get(self.next..)?
            .iter()
            .map(|&(k, _)| k)
            .filter(|k| !k.is_trivia())
            .nth(n)
    }

    fn peek_is(&mut self, kind: SyntaxKind) -> bool {
        self.peek() == Some(kind)
    }

    /// The next token if it is one of `allowed`; otherwise the tokens up to one that is go
    /// into an error node (`UnexpectedWanted`). At the end, `UnexpectedEOFWanted` and `None`.
    fn expect_peek_any(&mut self, allowed: &[SyntaxKind]) -> Option<SyntaxKind> {
        let next = match self.peek() {
            None => None,
            Some(kind) if allowed.contains(&kind) => Some(kind),
            Some(kind) => {
                let start = self.start_error_node();
                loop {
                    self.bump();
                    if self.peek().is_none_or(|k| allowed.contains(&k)) {
                        break;
                    }
                }
                let end = self.finish_error_node();
                self.errors.push(ParseError::UnexpectedWanted(
                    kind,
                    TextRange::new(start, end),
                    allowed.into(),
                ));
                self.peek()
            }
        };
        if next.is_none() {
            self.errors
                .push(ParseError::UnexpectedEOFWanted(allowed.into()));
        }
        next
    }

    fn expect(&mut self, kind: SyntaxKind) {
        if self.expect_peek_any(&[kind]).is_some() {
            self.bump();
        }
    }

    fn expect_ident(&mut self) {
        if self.expect_peek_any(&[TOKEN_IDENT]).is_some() {
            self.start_node(NODE_IDENT);
            self.bump();
            self.finish_node();
        }
    }

    /// Enters a nested level: `false` (after reporting it once and taking the rest of the text
    /// into an error node) when that is deeper than `MAX_NESTING`.
    fn enter(&mut self) -> bool {
        // The outermost expression is level 0.
        if self.depth > MAX_NESTING {
            if self.too_deep_at.is_none() {
                self.errors.push(ParseError::RecursionLimitExceeded);
                self.peek();
                self.too_deep_at = self.offsets.get(self.next).copied();
            }
            self.start_error_node();
            while self.peek().is_some() {
                self.bump();
            }
            self.finish_error_node();
            return false;
        }
        self.depth += 1;
        true
    }

    /// Runs a nested level on enough native stack.
    fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let out = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || f(self));
        self.depth -= 1;
        out
    }

    /// An expression.
    fn expr(&mut self) -> usize {
        if !self.enter() {
            return self.checkpoint();
        }
        self.nested(Self::expr_inner)
    }

    fn expr_inner(&mut self) -> usize {
        match self.peek() {
            Some(T![let]) => {
                let checkpoint = self.checkpoint();
                self.bump();
                if self.peek_is(T!['{']) {
                    self.start_node_at(checkpoint, NODE_LEGACY_LET);
                    self.bump();
                    self.bindings(T!['}']);
                } else {
                    self.start_node_at(checkpoint, NODE_LET_IN);
                    self.bindings(T![in]);
                    self.expr();
                }
                self.finish_node();
                checkpoint
            }
            Some(kind @ (T![with] | T![assert])) => {
                let checkpoint = self.checkpoint();
                self.start_node(match kind {
                    T![with] => NODE_WITH,
                    _ => NODE_ASSERT,
                });
                self.bump();
                self.expr();
                self.expect(T![;]);
                self.expr();
                self.finish_node();
                checkpoint
            }
            Some(T![if]) => {
                let checkpoint = self.checkpoint();
                self.start_node(NODE_IF_ELSE);
                self.bump();
                self.expr();
                self.expect(T![then]);
                self.expr();
                self.expect(T![else]);
                self.expr();
                self.finish_node();
                checkpoint
            }
            _ => self.binary(0),
        }
    }

    /// The binary operators from loosest (`<|`) to tightest (`++`), then `?`, prefix `-` and
    /// application. Each level's operands are the next level's expressions.
    fn binary(&mut self, level: usize) -> usize {
        use Assoc::*;
        let Some(&(assoc, ops)) = LEVELS.get(level) else {
            return self.has_attr();
        };
        if assoc == Prefix {
            // `!` binds looser than arithmetic: `!a + b` is `!(a + b)`.
            if self.peek_is(TOKEN_INVERT) {
                return self.prefix(level);
            }
            return self.binary(level + 1);
        }
        let checkpoint = self.binary(level + 1);
        let is_op = |k: Option<SyntaxKind>| k.is_some_and(|k| ops.contains(&k));
        match assoc {
            Left => {
                while is_op(self.peek()) {
                    self.start_node_at(checkpoint, NODE_BIN_OP);
                    self.bump();
                    self.binary(level + 1);
                    self.finish_node();
                }
            }
            None => {
                if is_op(self.peek()) {
                    self.start_node_at(checkpoint, NODE_BIN_OP);
                    self.bump();
                    self.binary(level + 1);
                    self.finish_node();
                }
            }
            Right => {
                // `a ++ b ++ c` is `a ++ (b ++ c)`: each operator opens a node at its left
                // operand, all closed after the last operand.
                let mut open = 0usize;
                let mut at = checkpoint;
                while is_op(self.peek()) {
                    self.start_node_at(at, NODE_BIN_OP);
                    self.bump();
                    open += 1;
                    at = self.binary(level + 1);
                }
                for _ in 0..open {
                    self.finish_node();
                }
            }
            Prefix => {}
        }
        checkpoint
    }

    /// A prefix operator (`!` at `level`, or `-`) and its operand, nested.
    fn prefix(&mut self, level: usize) -> usize {
        let checkpoint = self.checkpoint();
        self.start_node(NODE_UNARY_OP);
        self.bump();
        if self.enter() {
            self.nested(|p| match LEVELS.get(level) {
                Some(_) if p.peek_is(TOKEN_INVERT) => p.prefix(level),
                Some(_) => p.binary(level + 1),
                None if p.peek_is(T![-]) => p.prefix(level),
                None => p.apply(),
            });
        }
        self.finish_node();
        checkpoint
    }

    fn has_attr(&mut self) -> usize {
        let checkpoint = match self.peek_is(T![-]) {
            true => self.prefix(LEVELS.len()),
            false => self.apply(),
        };
        while self.peek_is(T![?]) {
            self.start_node_at(checkpoint, NODE_HAS_ATTR);
            self.bump();
            self.attrpath();
            self.finish_node();
        }
        checkpoint
    }

    /// A function applied to arguments (`f a b`), or a simple expression.
    fn apply(&mut self) -> usize {
        let checkpoint = self.simple();
        while self.peek().is_some_and(|k| k.is_fn_arg()) {
            self.start_node_at(checkpoint, NODE_APPLY);
            self.simple();
            self.finish_node();
        }
        checkpoint
    }

    /// A simple expression nested in another (a list item, a selection's default).
    fn nested_simple(&mut self) {
        if self.enter() {
            self.nested(Self::simple);
        }
    }

    /// A simple expression: a literal, name, string, path, parenthesised expression, set, list
    /// or lambda, and a selection from it.
    fn simple(&mut self) -> usize {
        let Some(kind) = self.peek() else {
            self.errors.push(ParseError::UnexpectedEOF);
            // As rnix: a checkpoint without taking the blanks.
            return self.tree.checkpoint();
        };
        let checkpoint = self.checkpoint();
        match kind {
            T!['('] => {
                self.start_node(NODE_PAREN);
                self.bump();
                self.expr();
                // Whatever comes, as rnix (`syntax::check_parens` wants a `)`).
                self.bump();
                self.finish_node();
            }
            T![rec] => {
                self.start_node(NODE_ATTR_SET);
                self.bump();
                self.expect(T!['{']);
                self.bindings(T!['}']);
                self.finish_node();
            }
            T!['{'] => self.brace(),
            T!['['] => {
                self.start_node(NODE_LIST);
                self.bump();
                while self.peek().is_some_and(|k| k != T![']']) {
                    self.nested_simple();
                }
                self.bump();
                self.finish_node();
            }
            TOKEN_STRING_START => self.string(),
            TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME | TOKEN_PATH_SEARCH => {
                self.path(kind)
            }
            k if k.is_literal() => {
                self.start_node(NODE_LITERAL);
                self.bump();
                self.finish_node();
            }
            TOKEN_IDENT => self.ident_start(checkpoint),
            other => {
                let start = self.start_error_node();
                self.bump();
                let end = self.finish_error_node();
                self.errors.push(ParseError::UnexpectedWanted(
                    other,
                    TextRange::new(start, end),
                    Box::new([
                        T!['('],
                        T![rec],
                        T!['{'],
                        T!['['],
                        TOKEN_STRING_START,
                        TOKEN_IDENT,
                    ]),
                ));
            }
        }
        if self.peek_is(T![.]) {
            self.start_node_at(checkpoint, NODE_SELECT);
            self.bump();
            self.attrpath();
            if self.peek_is(T![or]) {
                self.bump();
                self.nested_simple();
            }
            self.finish_node();
        } else if self.peek_is(T![or]) {
            // As C++ Nix: `or` after a simple expression is an argument named `or`
            // (`a b or c` is `(a (b or)) c`).
            self.start_node_at(checkpoint, NODE_APPLY);
            self.start_node(NODE_IDENT);
            self.bump_as(TOKEN_IDENT);
            self.finish_node();
            self.finish_node();
        }
        checkpoint
    }

    /// `{`: a lambda's pattern or a set, told apart by the two tokens after it.
    fn brace(&mut self) {
        let after = (self.peek_ahead(1), self.peek_ahead(2));
        let pattern = matches!(
            after,
            (Some(TOKEN_IDENT), Some(T![,] | T![?] | T!['}']))
                | (Some(T![...]), Some(T!['}']))
                | (Some(T!['}']), Some(T![:] | T![@]))
        );
        if pattern {
            self.start_node(NODE_LAMBDA);
            self.start_node(NODE_PATTERN);
            self.bump();
            self.pattern(false);
            self.finish_node();
            self.expect(T![:]);
            self.expr();
            self.finish_node();
        } else {
            self.start_node(NODE_ATTR_SET);
            self.bump();
            self.bindings(T!['}']);
            self.finish_node();
        }
    }

    /// A name: a variable, `__curPos`, or the head of a lambda (`x: ...`, `x @ { ... }: ...`).
    fn ident_start(&mut self, checkpoint: usize) {
        match self.peek_ahead(1) {
            Some(T![:]) => {
                self.expect_ident();
                self.start_node_at(checkpoint, NODE_LAMBDA);
                self.start_node_at(checkpoint, NODE_IDENT_PARAM);
                self.finish_node();
                self.expect(T![:]);
                self.expr();
                self.finish_node();
            }
            Some(T![@]) => {
                self.expect_ident();
                self.start_node_at(checkpoint, NODE_LAMBDA);
                self.start_node_at(checkpoint, NODE_PATTERN);
                self.start_node_at(checkpoint, NODE_PAT_BIND);
                self.expect(T![@]);
                self.finish_node();
                self.expect(T!['{']);
                self.pattern(true);
                self.finish_node();
                self.expect(T![:]);
                self.expr();
                self.finish_node();
            }
            _ if self
                .tokens
                .get(self.next)
                .is_some_and(|&(_, s)| s == "__curPos") =>
            {
                self.start_node(NODE_CUR_POS);
                self.bump_as(TOKEN_CUR_POS);
                self.finish_node();
            }
            _ => self.expect_ident(),
        }
    }

    /// A path literal, with its interpolations.
    fn path(&mut self, kind: SyntaxKind) {
        let node = match kind {
            TOKEN_PATH_ABS => NODE_PATH_ABS,
            TOKEN_PATH_REL => NODE_PATH_REL,
            TOKEN_PATH_HOME => NODE_PATH_HOME,
            _ => NODE_PATH_SEARCH,
        };
        self.start_node(node);
        self.bump();
        // As rnix: blanks before a `${` are taken into the path (`syntax::check_paths`).
        if node != NODE_PATH_SEARCH && self.peek_is(TOKEN_INTERPOL_START) {
            loop {
                match self.peek_raw() {
                    Some(TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME) => self.bump(),
                    Some(TOKEN_INTERPOL_START) => self.interpolation(),
                    _ => break,
                }
            }
        }
        self.finish_node();
    }

    fn interpolation(&mut self) {
        self.start_node(NODE_INTERPOL);
        self.bump();
        self.expr();
        self.expect(TOKEN_INTERPOL_END);
        self.finish_node();
    }

    fn string(&mut self) {
        self.start_node(NODE_STRING);
        self.expect(TOKEN_STRING_START);
        loop {
            match self.expect_peek_any(&[
                TOKEN_STRING_END,
                TOKEN_STRING_CONTENT,
                TOKEN_INTERPOL_START,
            ]) {
                Some(TOKEN_STRING_CONTENT) => self.bump(),
                Some(TOKEN_INTERPOL_START) => self.interpolation(),
                _ => break,
            }
        }
        self.expect(TOKEN_STRING_END);
        self.finish_node();
    }

    /// An attribute name: a name (or `or`), a string, or `${...}`.
    fn attr(&mut self) {
        match self.peek() {
            Some(TOKEN_INTERPOL_START) => {
                self.start_node(NODE_DYNAMIC);
                self.bump();
                self.expr();
                self.expect(TOKEN_INTERPOL_END);
                self.finish_node();
            }
            Some(TOKEN_STRING_START) => self.string(),
            _ => {
                if self
                    .expect_peek_any(&[TOKEN_IDENT, TOKEN_OR, TOKEN_CUR_POS])
                    .is_some()
                {
                    self.start_node(NODE_IDENT);
                    self.bump_as(TOKEN_IDENT);
                    self.finish_node();
                }
            }
        }
    }

    fn attrpath(&mut self) {
        self.start_node(NODE_ATTRPATH);
        loop {
            self.attr();
            if !self.peek_is(T![.]) {
                break;
            }
            self.bump();
        }
        self.finish_node();
    }

    /// A lambda's pattern after its `{`, and a following `@ name`.
    fn pattern(&mut self, bound: bool) {
        if self.peek().is_none_or(|k| k == T!['}']) {
            self.bump();
        } else {
            loop {
                match self.expect_peek_any(&[T!['}'], T![...], TOKEN_IDENT]) {
                    Some(T!['}']) => {
                        self.bump();
                        break;
                    }
                    Some(T![...]) => {
                        self.bump();
                        self.expect(T!['}']);
                        break;
                    }
                    Some(TOKEN_IDENT) => {
                        self.start_node(NODE_PAT_ENTRY);
                        self.expect_ident();
                        if self.peek_is(T![?]) {
                            self.bump();
                            self.expr();
                        }
                        self.finish_node();
                        if self.peek_is(T![,]) {
                            self.bump();
                        } else {
                            self.expect(T!['}']);
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
        if self.peek_is(T![@]) {
            self.start_node(if bound { NODE_ERROR } else { NODE_PAT_BIND });
            let start = self.position();
            self.bump();
            self.expect_ident();
            let end = self.finish_error_node();
            if bound {
                self.errors
                    .push(ParseError::UnexpectedDoubleBind(TextRange::new(start, end)));
            }
        }
    }

    /// The bindings of a set or `let`, and the token that ends them (`}` or `in`), whatever it
    /// is (as rnix).
    fn bindings(&mut self, until: SyntaxKind) {
        loop {
            match self.peek() {
                None => break,
                Some(k) if k == until => break,
                Some(T![inherit]) => {
                    self.start_node(NODE_INHERIT);
                    self.bump();
                    if self.peek_is(T!['(']) {
                        self.start_node(NODE_INHERIT_FROM);
                        self.bump();
                        self.expr();
                        self.expect(T![')']);
                        self.finish_node();
                    }
                    loop {
                        match self.peek() {
                            Some(T![;]) => break,
                            Some(_) => self.attr(),
                            None => {
                                self.errors.push(ParseError::UnexpectedEOF);
                                break;
                            }
                        }
                    }
                    self.expect(T![;]);
                    self.finish_node();
                }
                Some(_) => {
                    self.start_node(NODE_ATTRPATH_VALUE);
                    self.attrpath();
                    self.expect(T![=]);
                    self.expr();
                    self.expect(T![;]);
                    self.finish_node();
                }
            }
        }
        self.bump();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Assoc {
    Left,
    Right,
    None,
    /// The level of prefix `!`, whose operand is the next level's expression.
    Prefix,
}

/// The binary operator levels, loosest first, as C++ Nix's grammar ranks them; below the last,
/// `?` (`has_attr`), prefix `-` and application.
const LEVELS: &[(Assoc, &[SyntaxKind])] = &[
    (Assoc::Right, &[T!["<|"]]),
    (Assoc::Left, &[T!["|>"]]),
    (Assoc::Right, &[T![->]]),
    (Assoc::Left, &[T![||]]),
    (Assoc::Left, &[T![&&]]),
    (Assoc::None, &[T![==], T![!=]]),
    (Assoc::None, &[T![<], T![<=], T![>], T![>=]]),
    (Assoc::Right, &[T!["//"]]),
    (Assoc::Prefix, &[]),
    (Assoc::Left, &[T![+], T![-]]),
    (Assoc::Left, &[T![*], T![/]]),
    (Assoc::Right, &[T![++]]),
];
