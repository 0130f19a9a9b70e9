//! The compiler: rnix syntax tree to bytecode, with every variable resolved statically.
//!
//! Scopes at compile time mirror environments at run time one to one (`let`, `rec`, lambda
//! arguments, `with`, hidden slots for `inherit (e)`), so a variable compiles to a
//! (depth, slot) pair. A name found in no static scope and not a global falls back, at run time,
//! to the enclosing `with` sets, innermost first; with no `with` around it is a compile-time
//! "undefined variable" error, as in C++ Nix. See `design/compiler.md`.

mod bindings;
mod bytecode;
mod cursed_or;
pub mod disasm;
mod scope;
mod speculable;

use crate::value::code::{Chunk, Op};
use bytecode::ChunkBuilder;

use crate::errors::{Error, ErrorClass, FileId, LineTable, Span};
use crate::paths::canon_path;
use crate::settings::{LintLevel, Lints};
use crate::value::{Attrs, Formals, Lambda, Symbol, Value};
use rnix::ast::{self, AstToken, InterpolPart};
use rowan::ast::AstNode;
use rustc_hash::FxHashMap as HashMap;
use scope::{Resolved, Scope, ScopeKind};
use smol_str::{SmolStr, format_smolstr};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What the compiler needs to know about where the code comes from.
pub struct CompileContext<'a> {
    pub file: FileId,
    /// Directory relative path literals resolve against.
    pub dir: PathBuf,
    /// Global names (`true`, `map`, `builtins`, `__add`, ...).
    pub globals: &'a HashMap<SmolStr, Value>,
    /// The `origin` printed by `__curPos` (the file path or `«string»`).
    pub origin: String,
    /// Needed for `__curPos` line/column.
    pub text: &'a str,
    /// The user's home directory for `~/` paths.
    pub home: Option<PathBuf>,
    pub lints: Lints,
    /// Whether chunks may be marked speculable (`Settings::speculate`).
    pub speculate: bool,
    /// Names bound around the whole file (`scopedImport`), in slot order.
    pub outer: Vec<SmolStr>,
    /// Whether calls in tail position replace their caller's frame (`Settings::tail_calls`).
    pub tail_calls: bool,
}

/// A compiled file and the warnings its compilation produced.
pub struct Compiled {
    pub chunk: Rc<Chunk>,
    pub warnings: Vec<Warning>,
}

/// A warning about the source, at `span`.
pub struct Warning {
    pub message: String,
    pub span: Span,
    /// C++ Nix shows the position of some with an excerpt of the source below the message
    /// (the lints), of others inline: `warning: at FILE:LINE:COL: message` (a cursed `or`).
    pub excerpt: bool,
}

pub struct Compiler<'a> {
    ctx: CompileContext<'a>,
    scopes: Vec<Scope>,
    /// Chunks being compiled, innermost last.
    chunks: Vec<ChunkBuilder>,
    warnings: Vec<Warning>,
    /// Where the source's lines start, for positions.
    lines: LineTable,
    /// Whether text compiled into values may hold stand-ins for bytes that are not UTF-8
    /// (`rawtext`); without (nearly always) literals are taken as they are.
    raw: bool,
}

/// Compiles a parsed file into its top-level chunk.
pub fn compile(root: &ast::Root, ctx: CompileContext) -> Result<Compiled, Error> {
    let lines = LineTable::new(ctx.text);
    let raw = holds_stand_ins(&ctx);
    let mut c = Compiler {
        ctx,
        scopes: Vec::new(),
        chunks: Vec::new(),
        warnings: Vec::new(),
        lines,
        raw,
    };
    let expr = root
        .expr()
        .ok_or_else(|| Error::new("syntax error, unexpected end of file"))?;
    if !c.ctx.outer.is_empty() {
        let mut scope = Scope::new(ScopeKind::Normal);
        for name in c.ctx.outer.clone() {
            scope.declare(name);
        }
        c.scopes.push(scope);
    }
    let span = c.span(expr.syntax());
    let (chunk, r) = c.in_chunk(span, |c| c.tail(&expr, span));
    r?;
    // In the order of the source, as C++ Nix's parser reports them.
    c.warnings.sort_by_key(|w| w.span.start);
    c.warnings
        .dedup_by(|a, b| a.span == b.span && a.message == b.message);
    Ok(Compiled {
        chunk: Rc::new(chunk.finish(false, c.ctx.speculate)),
        warnings: c.warnings,
    })
}

type CResult = Result<(), Error>;

impl<'a> Compiler<'a> {
    fn chunk(&mut self) -> &mut ChunkBuilder {
        self.chunks
            .last_mut()
            .expect("a chunk is always being compiled")
    }

    /// Runs `body` emitting into a new chunk for the code of the expression at `span`; returns
    /// that chunk and what `body` returned.
    fn in_chunk(
        &mut self,
        span: Span,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> (ChunkBuilder, CResult) {
        let tail_calls = self.ctx.tail_calls;
        self.chunks.push(ChunkBuilder::new(span, tail_calls));
        let r = body(self);
        let chunk = self
            .chunks
            .pop()
            .unwrap_or_else(|| ChunkBuilder::new(span, tail_calls));
        (chunk, r)
    }

    fn emit(&mut self, op: Op, span: Span) -> usize {
        self.chunk().emit(op, span)
    }

    /// Compiles `e` forced, then `check` (the op that takes it, placed at `e`), as an operand
    /// C++ Nix evaluates with context `what`: an error in either says so, at `e`'s position.
    /// Returns where `check` went.
    fn operand(
        &mut self,
        e: &ast::Expr,
        what: &'static str,
        check: Option<Op>,
    ) -> Result<usize, Error> {
        let start = self.chunk().here();
        self.forced(e)?;
        let at = self.c_pos(e);
        let check = check.map(|op| self.emit(op, at));
        self.chunk().operand_context(start, at, what);
        Ok(check.unwrap_or(start))
    }

    /// Where C++ Nix places an expression (its `getPos`): an operator at the operator, the
    /// others at their start, parentheses left out.
    fn c_pos(&self, e: &ast::Expr) -> Span {
        let e = unparen(e);
        if let ast::Expr::BinOp(b) = &e
            && let Some(op) = b
                .syntax()
                .children_with_tokens()
                .filter_map(|t| t.into_token())
                .find(|t| ast::BinOpKind::from_kind(t.kind()).is_some())
        {
            let r = op.text_range();
            return Span {
                file: self.ctx.file,
                start: r.start().into(),
                end: r.end().into(),
            };
        }
        self.span(e.syntax())
    }

    fn constant(&mut self, v: Value, span: Span) {
        let i = self.chunk().add_const(v);
        self.emit(Op::Const(i), span);
    }

    fn name_const(&mut self, name: &str) -> u32 {
        let v = self.text_value(name);
        self.chunk().add_const(v)
    }

    /// The index in this chunk's symbol table of attribute name `name`.
    fn symbol(&mut self, name: &str) -> u32 {
        let symbol = Symbol::new(&self.bytes(name));
        self.chunk().add_symbol(symbol)
    }

    /// The bytes source text stands for: a string literal's or attribute name's stand-ins for
    /// bytes that are not UTF-8 taken back (`rawtext`).
    fn bytes<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, [u8]> {
        match self.raw {
            true => crate::rawtext::encode(text),
            false => std::borrow::Cow::Borrowed(text.as_bytes()),
        }
    }

    /// A string literal's text (or an attribute name's) as a Nix string.
    fn text_value(&self, text: &str) -> Value {
        Value::string(crate::value::NixString::from(self.bytes(text).as_ref()))
    }

    fn span(&self, node: &rnix::SyntaxNode) -> Span {
        let r = node.text_range();
        Span {
            file: self.ctx.file,
            start: r.start().into(),
            end: r.end().into(),
        }
    }

    fn error(&self, node: &rnix::SyntaxNode, msg: impl Into<String>) -> Error {
        Error::new(msg)
            .with_class(ErrorClass::Parse)
            .at(self.span(node))
    }

    /// `file:line:column` of a span, as messages print it.
    pub(crate) fn position(&self, span: Span) -> String {
        let (line, col) = self.line_col(span);
        format!("{}:{line}:{col}", self.ctx.origin)
    }

    fn line_col(&self, span: Span) -> (usize, usize) {
        self.lines.line_col(self.ctx.text, span.start as usize)
    }

    /// Applies a `--lint-*` level: a warning, a fatal error, or nothing.
    /// C++ Nix's warning about the variable `or` (`id`) read where that will change
    /// (`cursed_or`).
    fn warn_cursed_or(&mut self, id: &ast::Ident) {
        if let Some((range, source)) = cursed_or::call_of(id.syntax()) {
            let message = format!(
                "This expression uses `or` as an identifier in a way that will change in a future Nix release.\nWrap this entire expression in parentheses to preserve its current meaning:\n    ({source})\nGive feedback at https://github.com/NixOS/nix/pull/11121"
            );
            let span = Span {
                file: self.ctx.file,
                start: range.start().into(),
                end: range.end().into(),
            };
            self.warnings.push(Warning {
                message,
                span,
                excerpt: false,
            });
        }
    }

    fn lint(&mut self, level: LintLevel, msg: String, span: Span) -> CResult {
        match level {
            LintLevel::Ignore => Ok(()),
            LintLevel::Warn => {
                self.warnings.push(Warning {
                    message: msg,
                    span,
                    excerpt: true,
                });
                Ok(())
            }
            LintLevel::Fatal => Err(Error::new(msg).with_class(ErrorClass::Parse).at(span)),
        }
    }

    fn patch(&mut self, at: usize) {
        self.chunk().patch_jump(at)
    }

    /// Compiles `expr` leaving its value (possibly an unevaluated thunk) on the stack.
    /// Recursion depth follows the input's nesting; `stacker` extends the stack as needed.
    fn expr(&mut self, expr: &ast::Expr) -> CResult {
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || self.expr_inner(expr))
    }

    fn expr_inner(&mut self, expr: &ast::Expr) -> CResult {
        let span = self.span(expr.syntax());
        match expr {
            ast::Expr::Literal(lit) => self.literal(lit, span),
            ast::Expr::Str(s) => self.string(s, span),
            ast::Expr::Ident(id) => self.ident(id, span),
            ast::Expr::Paren(p) => self.expr(&self.child(p.expr(), p.syntax())?),
            ast::Expr::Root(r) => self.expr(&self.child(r.expr(), r.syntax())?),
            ast::Expr::Apply(a) => self.apply(a, span),
            ast::Expr::Lambda(l) => self.lambda(l, None),
            ast::Expr::IfElse(i) => self.if_else(i, span),
            ast::Expr::Assert(a) => self.assert(a, span, None),
            ast::Expr::List(l) => self.list(l, span),
            ast::Expr::AttrSet(s) => self.attrset(s, span),
            ast::Expr::LetIn(l) => self.let_in(l, span, None),
            ast::Expr::LegacyLet(l) => self.legacy_let(l, span),
            ast::Expr::With(w) => self.with(w, span, None),
            ast::Expr::Select(s) => self.select(s, span, false),
            ast::Expr::HasAttr(h) => self.has_attr(h, span),
            ast::Expr::BinOp(b) => self.binop(b, span),
            ast::Expr::UnaryOp(u) => self.unary(u, span),
            ast::Expr::PathAbs(_) | ast::Expr::PathRel(_) | ast::Expr::PathHome(_) => {
                self.path(expr, span)
            }
            ast::Expr::PathSearch(p) => self.search_path(p, span),
            ast::Expr::CurPos(_) => self.cur_pos(span),
            ast::Expr::Error(e) => Err(self.error(e.syntax(), "syntax error")),
        }
    }

    fn child<T>(&self, node: Option<T>, parent: &rnix::SyntaxNode) -> Result<T, Error> {
        node.ok_or_else(|| self.error(parent, "syntax error: incomplete expression"))
    }

    /// Compiles `expr` and forces it.
    /// Compiles `expr` as what its chunk returns: forced, then `Return` (with span `ret`). The
    /// branches of an `if` and the body of a `let`, `with` or `assert` are in that position
    /// too, so each returns by itself: no jump to a shared end, no scope to leave, and a call
    /// there is a tail call.
    fn tail(&mut self, expr: &ast::Expr, ret: Span) -> CResult {
        let span = self.span(expr.syntax());
        match expr {
            ast::Expr::Paren(p) => self.tail(&self.child(p.expr(), p.syntax())?, ret),
            ast::Expr::IfElse(i) => {
                let cond = self.child(i.condition(), i.syntax())?;
                let to_else = self.condition(&cond)?;
                self.tail(&self.child(i.body(), i.syntax())?, ret)?;
                self.patch(to_else);
                self.tail(&self.child(i.else_body(), i.syntax())?, ret)
            }
            ast::Expr::LetIn(l) => self.let_in(l, span, Some(ret)),
            ast::Expr::With(w) => self.with(w, span, Some(ret)),
            ast::Expr::Assert(a) => self.assert(a, span, Some(ret)),
            _ => {
                self.forced(expr)?;
                self.emit(Op::Return, ret);
                Ok(())
            }
        }
    }

    fn forced(&mut self, expr: &ast::Expr) -> CResult {
        let span = self.span(expr.syntax());
        // A selection forces the value it selects within its own context.
        if let ast::Expr::Select(s) = expr {
            return self.select(s, span, true);
        }
        self.expr(expr)?;
        self.emit(Op::Force, span);
        Ok(())
    }

    /// Compiles `expr` in a lazy position (binding, list element, argument): cheap expressions
    /// inline, everything else as a thunk.
    fn lazy(&mut self, expr: &ast::Expr) -> CResult {
        if self.is_cheap(expr) {
            return self.expr(expr);
        }
        self.thunk(expr)
    }

    fn is_cheap(&self, expr: &ast::Expr) -> bool {
        match expr {
            ast::Expr::Literal(_) | ast::Expr::Lambda(_) | ast::Expr::CurPos(_) => true,
            ast::Expr::PathAbs(_) | ast::Expr::PathRel(_) | ast::Expr::PathHome(_) => {
                !ast::Path::cast(expr.syntax().clone()).is_some_and(|p| {
                    p.parts()
                        .iter()
                        .any(|p| matches!(p, InterpolPart::Interpolation(_)))
                })
            }
            ast::Expr::Str(s) => s.parts().all(|p| matches!(p, InterpolPart::Literal(_))),
            ast::Expr::Ident(id) => {
                let name = ident_name(id);
                matches!(
                    scope::resolve(&self.scopes, &name, self.chunks.len()),
                    Resolved::Local {
                        initialized: true,
                        ..
                    }
                ) || (matches!(
                    scope::resolve(&self.scopes, &name, self.chunks.len()),
                    Resolved::Dynamic
                ) && self.ctx.globals.contains_key(name.as_str()))
            }
            ast::Expr::Paren(p) => p.expr().is_some_and(|e| self.is_cheap(&e)),
            // Building a list, or a set whose names are all static, evaluates nothing and
            // cannot fail (its elements stay lazy): it needs no thunk around it.
            ast::Expr::List(_) => true,
            ast::Expr::AttrSet(s) => s.rec_token().is_none() && self.static_names(s),
            _ => false,
        }
    }

    /// Whether every attribute path of a set literal is made of static names.
    fn static_names(&self, s: &ast::AttrSet) -> bool {
        use rnix::ast::HasEntry;
        s.attrpath_values().all(|kv| {
            kv.attrpath().is_some_and(|path| {
                path.attrs()
                    .all(|a| matches!(self.attr_name(&a), Ok(AttrName::Static(_))))
            })
        })
    }

    /// Compiles `expr` into a separate chunk and pushes a thunk of it.
    fn thunk(&mut self, expr: &ast::Expr) -> CResult {
        let span = self.span(expr.syntax());
        let (chunk, body) = self.in_chunk(span, |c| c.tail(expr, span));
        body?;
        // `[ 1 2 ]`, `{ a = "x"; }`: constant data needs no thunk.
        if let Some(v) = chunk.constant_result() {
            self.constant(v, span);
            return Ok(());
        }
        let body = chunk.finish(true, self.ctx.speculate);
        let i = self.chunk().add_thunk(body);
        self.emit(Op::Thunk(i), span);
        Ok(())
    }

    fn literal(&mut self, lit: &ast::Literal, span: Span) -> CResult {
        let v = match lit.kind() {
            ast::LiteralKind::Integer(i) => match i.value() {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    return Err(self.error(
                        lit.syntax(),
                        format!("invalid integer '{}'", i.syntax().text()),
                    ));
                }
            },
            ast::LiteralKind::Float(f) => match f.value() {
                // Like strtod's ERANGE: overflow to infinity and underflow are rejected.
                Ok(x) if x.is_finite() && (x == 0.0 || x.abs() >= f64::MIN_POSITIVE) => {
                    Value::float(x)
                }
                _ => {
                    return Err(self.error(
                        lit.syntax(),
                        format!("invalid float '{}'", f.syntax().text()),
                    ));
                }
            },
            ast::LiteralKind::Uri(u) => {
                let text = u.syntax().text();
                // C++ Nix's word depends on whether the lint stops the evaluation.
                let verdict = match self.ctx.lints.url_literals {
                    LintLevel::Fatal => "disallowed",
                    _ => "discouraged",
                };
                let msg = format!(
                    "URL literals are {verdict}. Consider using a string literal \"{text}\" instead (lint-url-literals)"
                );
                self.lint(self.ctx.lints.url_literals, msg, span)?;
                Value::string(text)
            }
        };
        self.constant(v, span);
        Ok(())
    }

    fn string(&mut self, s: &ast::Str, span: Span) -> CResult {
        if let Some(e) = self.nul_in_string(s) {
            return Err(e);
        }
        let parts = crate::syntax::string_parts(s);
        self.interpolation(parts, span)
    }

    /// C++ Nix's lexer rejects a NUL byte in a string, at the piece of text holding it (the
    /// text between interpolations): in a plain string that piece with its escapes read, in
    /// an indented string the text as written (before the indentation is stripped), from the
    /// line after the opening `''`.
    fn nul_in_string(&self, s: &ast::Str) -> Option<Error> {
        let token = s
            .syntax()
            .children_with_tokens()
            .filter_map(|t| t.into_token())
            .find(|t| {
                t.kind() == rnix::SyntaxKind::TOKEN_STRING_CONTENT && t.text().contains('\0')
            })?;
        let text = token.text();
        let nul_error = |shown: String, start: u32| {
            Error::new(format!(
                "input string '{shown}' cannot be represented as Nix string because it contains null bytes"
            ))
            .at(Span {
                file: self.ctx.file,
                start,
                end: start,
            })
        };
        if !is_indented(s) {
            let mut shown = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                shown.push(match (c, c == '\\') {
                    (_, true) => match chars.next() {
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some(other) => other,
                        None => break,
                    },
                    (c, false) => c,
                });
            }
            let shown = shown.replace('\0', "␀");
            return Some(nul_error(shown, token.text_range().start().into()));
        }
        // The opening `''` takes the spaces and line break right after it.
        let skip = match text.find('\n') {
            Some(i)
                if text[..i].bytes().all(|b| b == b' ')
                    && token.text_range().start()
                        == s.syntax().text_range().start() + rowan::TextSize::from(2) =>
            {
                i + 1
            }
            _ => 0,
        };
        let shown = text[skip..].replace('\0', "␀");
        let start = u32::from(token.text_range().start()) + skip as u32;
        Some(nul_error(shown, start))
    }

    /// Literal parts and `${}` parts, concatenated.
    fn interpolation(&mut self, parts: Vec<InterpolPart<String>>, span: Span) -> CResult {
        for part in &parts {
            if let InterpolPart::Literal(lit) = part
                && lit.contains('\0')
            {
                let shown = lit.replace('\0', "␀");
                return Err(Error::new(format!(
                        "input string '{shown}' cannot be represented as Nix string because it contains null bytes"
                    ))
                    .at(span));
            }
        }
        if let [InterpolPart::Literal(lit)] = parts.as_slice() {
            self.constant(self.text_value(lit), span);
            return Ok(());
        }
        if parts.is_empty() {
            self.constant(Value::string(""), span);
            return Ok(());
        }
        let n = parts.len() as u32;
        for part in parts {
            match part {
                InterpolPart::Literal(lit) => self.constant(self.text_value(&lit), span),
                InterpolPart::Interpolation(i) => {
                    let e = self.child(i.expr(), i.syntax())?;
                    self.forced(&e)?;
                    // C++ Nix places a part at its `${`.
                    let ispan = self.span(i.syntax());
                    self.emit(Op::CoerceInterp, ispan);
                }
            }
        }
        self.emit(Op::Interpolate(n), span);
        Ok(())
    }

    fn ident(&mut self, id: &ast::Ident, span: Span) -> CResult {
        let name = ident_name(id);
        if name == "or" {
            self.warn_cursed_or(id);
        }
        self.variable(&name, span, id.syntax())
    }

    fn variable(&mut self, name: &str, span: Span, node: &rnix::SyntaxNode) -> CResult {
        self.variable_from(name, span, node, 0)
    }

    /// Pushes variable `name` as seen from outside the innermost `skip` scopes.
    fn variable_from(
        &mut self,
        name: &str,
        span: Span,
        node: &rnix::SyntaxNode,
        skip: usize,
    ) -> CResult {
        match scope::resolve_from(&self.scopes, name, skip, self.chunks.len()) {
            Resolved::Local { depth, slot, .. } => {
                self.emit(Op::Local(depth as u16, slot as u32), span);
                Ok(())
            }
            Resolved::Dynamic => {
                if let Some(v) = self.ctx.globals.get(name) {
                    self.constant(v.clone(), span);
                    return Ok(());
                }
                let withs = scope::with_slots(&self.scopes, skip);
                if withs.is_empty() {
                    let e = self.error(node, format!("undefined variable '{name}'"));
                    return Err(e.with_class(ErrorClass::UndefinedVariable));
                }
                let name_c = self.symbol(name);
                let mut exits = Vec::new();
                for (depth, slot) in withs {
                    self.emit(Op::Local(depth as u16, slot as u32), span);
                    self.emit(Op::Force, span);
                    exits.push(self.emit(Op::WithLookup(name_c, 0), span));
                }
                self.emit(Op::UndefinedVar(name_c), span);
                for e in exits {
                    self.patch(e);
                }
                Ok(())
            }
        }
    }

    fn apply(&mut self, a: &ast::Apply, span: Span) -> CResult {
        let f = self.child(a.lambda(), a.syntax())?;
        let arg = self.child(a.argument(), a.syntax())?;
        // `g x y`: both arguments in one call where the function allows it (`Op::Call2`).
        if let ast::Expr::Apply(inner) = &f {
            let g = self.child(inner.lambda(), inner.syntax())?;
            let first = self.child(inner.argument(), inner.syntax())?;
            let inner_span = self.span(inner.syntax());
            self.forced(&g)?;
            self.lazy(&first)?;
            self.lazy(&arg)?;
            self.emit(Op::Call2, inner_span);
            self.emit(Op::Swap, span);
            self.emit(Op::Call, span);
            return Ok(());
        }
        self.forced(&f)?;
        self.lazy(&arg)?;
        self.emit(Op::Call, span);
        Ok(())
    }

    /// An `if`'s condition and the jump to its `else` (to patch).
    fn condition(&mut self, cond: &ast::Expr) -> Result<usize, Error> {
        self.operand(
            cond,
            "while evaluating a branch condition",
            Some(Op::JumpIfFalse(0)),
        )
    }

    fn if_else(&mut self, i: &ast::IfElse, span: Span) -> CResult {
        let cond = self.child(i.condition(), i.syntax())?;
        let to_else = self.condition(&cond)?;
        self.expr(&self.child(i.body(), i.syntax())?)?;
        let to_end = self.emit(Op::Jump(0), span);
        self.patch(to_else);
        self.expr(&self.child(i.else_body(), i.syntax())?)?;
        self.patch(to_end);
        Ok(())
    }

    /// `assert c; body`; in tail position (`ret`), the body returns by itself.
    fn assert(&mut self, a: &ast::Assert, span: Span, ret: Option<Span>) -> CResult {
        let cond = self.child(a.condition(), a.syntax())?;
        self.forced(&cond)?;
        let text = crate::syntax::show(&cond);
        let c = self.name_const(&text);
        // `assert a == b` explains a failure: both sides are evaluated again and compared by
        // a walk that reports the first difference, as C++ Nix does.
        let equality = match unparen(&cond) {
            ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Equal) => {
                // Where the `==` is: the trace of a difference points there.
                let eq = b
                    .syntax()
                    .children_with_tokens()
                    .filter_map(|c| c.into_token())
                    .find(|t| t.kind() == rnix::SyntaxKind::TOKEN_EQUAL)
                    .map_or(0, |t| u32::from(t.text_range().start()));
                b.lhs().zip(b.rhs()).map(|(l, r)| (l, r, eq))
            }
            _ => None,
        };
        match equality {
            Some((lhs, rhs, eq)) => {
                let cspan = self.span(cond.syntax());
                let ok = self.emit(Op::JumpIfTrue(0), cspan);
                self.forced(&lhs)?;
                self.forced(&rhs)?;
                self.emit(Op::AssertEqFail(c, eq), span);
                self.patch(ok);
            }
            None => {
                self.emit(Op::Assert(c), span);
            }
        }
        let body = self.child(a.body(), a.syntax())?;
        match ret {
            Some(ret) => self.tail(&body, ret),
            None => self.expr(&body),
        }
    }

    fn list(&mut self, l: &ast::List, span: Span) -> CResult {
        let mut n = 0;
        for item in l.items() {
            if let ast::Expr::Lambda(lambda) = &item {
                return Err(crate::syntax::lambda_in_list(lambda, self.ctx.file));
            }
            self.lazy(&item)?;
            n += 1;
        }
        // A list of constant data is a constant, built once.
        if let Some(items) = self.chunk().trailing_data(n as usize) {
            self.chunk().fold_tail(n as usize, Value::list(items), span);
            return Ok(());
        }
        self.emit(Op::MakeList(n), span);
        Ok(())
    }

    /// `with e; body`; in tail position (`ret`), the body returns from inside the scope.
    fn with(&mut self, w: &ast::With, span: Span, ret: Option<Span>) -> CResult {
        let ns = self.child(w.namespace(), w.syntax())?;
        let body = self.child(w.body(), w.syntax())?;
        self.lazy(&ns)?;
        self.emit(Op::PushEnvFrom(1), span);
        self.scopes.push(Scope::new(ScopeKind::With));
        let r = match ret {
            Some(ret) => self.tail(&body, ret),
            None => self.expr(&body),
        };
        self.scopes.pop();
        r?;
        if ret.is_none() {
            self.emit(Op::PopEnv, span);
        }
        Ok(())
    }

    /// `e.a.b` and `e.a.b or d`, and with `force` the value selected forced. As C++ Nix's
    /// `ExprSelect`, an error evaluating `e` is `while selecting an attribute` at `e`, and
    /// one after it (a set that is none, a name, a missing attribute, the value selected) is
    /// `while evaluating the attribute 'a.b'` at the selection.
    fn select(&mut self, s: &ast::Select, span: Span, force: bool) -> CResult {
        let e = self.child(s.expr(), s.syntax())?;
        let path = self.child(s.attrpath(), s.syntax())?;
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        // `builtins.length` and the like: the global set never changes, so the attribute is a
        // constant.
        let skip = match self.global_attr(&e, attrs.first()) {
            Some(v) => {
                self.constant(v, span);
                1
            }
            None => {
                let start = self.chunk().here();
                self.forced(&e)?;
                let at = self.c_pos(&e);
                self.chunk()
                    .operand_context(start, at, "while selecting an attribute");
                0
            }
        };
        let start = self.chunk().here();
        let mut shown = Vec::new();
        let default = s.default_expr();
        let mut fallbacks = Vec::new();
        for (i, attr) in attrs.iter().enumerate().skip(skip) {
            let aspan = self.span(attr.syntax());
            if i > 0 {
                self.emit(Op::Force, aspan);
            }
            let name = self.attr_name(attr)?;
            // C++ Nix shows a name it could not compute as written (`"${key}"`).
            shown.push(match &name {
                AttrName::Static(n) => n.to_string(),
                AttrName::Dynamic(e) => format!("\"${{{}}}\"", crate::syntax::show(e)),
            });
            // A computed name's errors are at the name, the expression in `${ }`.
            let aspan = match &name {
                AttrName::Dynamic(e) => self.c_pos(e),
                AttrName::Static(_) => aspan,
            };
            match (name, default.is_some()) {
                (AttrName::Static(n), false) => {
                    let c = self.symbol(&n);
                    self.emit(Op::Select(c), aspan);
                }
                (AttrName::Static(n), true) => {
                    let c = self.symbol(&n);
                    fallbacks.push(self.emit(Op::SelectOrJump(c, 0), aspan));
                }
                (AttrName::Dynamic(e), false) => {
                    self.dynamic_name(&e)?;
                    self.emit(Op::DynSelect, aspan);
                }
                (AttrName::Dynamic(e), true) => {
                    self.dynamic_name(&e)?;
                    fallbacks.push(self.emit(Op::DynSelectOrJump(0), aspan));
                }
            }
        }
        if let Some(d) = default {
            let to_end = self.emit(Op::Jump(0), span);
            for f in fallbacks {
                self.patch(f);
            }
            self.expr(&d)?;
            self.patch(to_end);
        }
        if force {
            self.emit(Op::Force, span);
        }
        if !shown.is_empty() {
            self.chunk()
                .selection_context(start, span, &shown.join("."));
        }
        Ok(())
    }

    /// The value of `g.name` when `g` is a global set (`builtins`) that has `name`.
    fn global_attr(&self, e: &ast::Expr, first: Option<&ast::Attr>) -> Option<Value> {
        let ast::Expr::Ident(id) = e else {
            return None;
        };
        let name = ident_name(id);
        if !matches!(
            scope::resolve(&self.scopes, &name, self.chunks.len()),
            Resolved::Dynamic
        ) {
            return None;
        }
        let Some(Value::Attrs(set)) = self.ctx.globals.get(name.as_str()) else {
            return None;
        };
        let Some(ast::Attr::Ident(attr)) = first else {
            return None;
        };
        set.get_bytes(ident_name(attr).as_bytes()).cloned()
    }

    /// `e ? a.b`.
    fn has_attr(&mut self, h: &ast::HasAttr, span: Span) -> CResult {
        let e = self.child(h.expr(), h.syntax())?;
        let path = self.child(h.attrpath(), h.syntax())?;
        self.operand(&e, "in the argument of '?'", None)?;
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        let mut fallbacks = Vec::new();
        for (i, attr) in attrs.iter().enumerate() {
            let aspan = self.span(attr.syntax());
            let last = i + 1 == attrs.len();
            match (self.attr_name(attr)?, last) {
                (AttrName::Static(n), true) => {
                    let c = self.symbol(&n);
                    self.emit(Op::HasAttr(c), aspan);
                }
                (AttrName::Dynamic(e), true) => {
                    self.dynamic_name(&e)?;
                    self.emit(Op::DynHasAttr, aspan);
                }
                (AttrName::Static(n), false) => {
                    let c = self.symbol(&n);
                    fallbacks.push(self.emit(Op::SelectOrJump(c, 0), aspan));
                    self.emit(Op::Force, aspan);
                }
                (AttrName::Dynamic(e), false) => {
                    self.dynamic_name(&e)?;
                    fallbacks.push(self.emit(Op::DynSelectOrJump(0), aspan));
                    self.emit(Op::Force, aspan);
                }
            }
        }
        if !fallbacks.is_empty() {
            let to_end = self.emit(Op::Jump(0), span);
            for f in fallbacks {
                self.patch(f);
            }
            self.constant(Value::bool(false), span);
            self.patch(to_end);
        }
        Ok(())
    }

    /// Pushes a dynamic attribute name, forced.
    fn dynamic_name(&mut self, e: &ast::Expr) -> CResult {
        self.forced(e)
    }

    fn binop(&mut self, b: &ast::BinOp, span: Span) -> CResult {
        use ast::BinOpKind as K;
        let lhs = self.child(b.lhs(), b.syntax())?;
        let rhs = self.child(b.rhs(), b.syntax())?;
        let op = self.child(b.operator(), b.syntax())?;
        match op {
            K::And | K::Or | K::Implication => return self.logic(op, &lhs, &rhs, span),
            K::PipeRight | K::PipeLeft => {
                let msg = "experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it";
                let c = self.name_const(msg);
                self.emit(Op::Fail(c), span);
                return Ok(());
            }
            _ => {}
        }
        let start = self.chunk().here();
        let operands = match op {
            K::Equal => Some((
                "in the left operand of '=='",
                "in the right operand of '=='",
            )),
            K::NotEqual => Some((
                "in the left operand of '!='",
                "in the right operand of '!='",
            )),
            K::Concat => Some((
                "in the left operand of '++'",
                "in the right operand of '++'",
            )),
            K::Update => Some((
                "in the left operand of '//'",
                "in the right operand of '//'",
            )),
            // C++ Nix's `+` is a concatenation, which evaluates each operand so.
            K::Add => Some(("in an operand of '+'", "in an operand of '+'")),
            _ => None,
        };
        // C++ Nix evaluates a chain of `//` as one update of all its operands: an operand
        // that is itself a `//` has no context of its own, its operands do.
        let is_update = |e: &ast::Expr| matches!(unparen(e), ast::Expr::BinOp(b) if b.operator() == Some(K::Update));
        match operands {
            Some((left, right)) => {
                match op == K::Update && is_update(&lhs) {
                    true => self.forced(&lhs)?,
                    false => _ = self.operand(&lhs, left, None)?,
                }
                match op == K::Update && is_update(&rhs) {
                    true => self.forced(&rhs)?,
                    false => _ = self.operand(&rhs, right, None)?,
                }
            }
            None => {
                self.forced(&lhs)?;
                self.forced(&rhs)?;
            }
        }
        let opspan = self.c_pos(&ast::Expr::BinOp(b.clone()));
        let call = builtin_operator(op);
        let op = match op {
            K::Concat => Op::Concat,
            K::Update => Op::Update,
            K::Add => Op::Add,
            K::Sub => Op::Sub,
            K::Mul => Op::Mul,
            K::Div => Op::Div,
            K::Equal => Op::Eq,
            K::NotEqual => Op::NotEq,
            K::Less => Op::Less,
            K::LessOrEq => Op::LessEq,
            K::More => Op::Greater,
            K::MoreOrEq => Op::GreaterEq,
            K::And | K::Or | K::Implication | K::PipeLeft | K::PipeRight => Op::Pop,
        };
        // C++ Nix's `+` is a concatenation placed at each operand; its errors (an overflow, a
        // part that cannot be coerced) are at the second, the one being added.
        // `++`'s is at the operator, as C++ Nix places it.
        let span = match op {
            Op::Add => self.span(rhs.syntax()),
            Op::Concat => opspan,
            _ => span,
        };
        self.emit(op, span);
        if let Some((what, negated)) = call {
            self.chunk().builtin_call(start, opspan, what);
            if negated {
                self.chunk()
                    .operand_context(start, opspan, "in the argument of '!'");
            }
        }
        Ok(())
    }

    fn logic(
        &mut self,
        op: ast::BinOpKind,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> CResult {
        use ast::BinOpKind as K;
        let (jump, short_value, left, right) = match op {
            K::And => (
                Op::JumpIfFalse(0),
                false,
                "in the left operand of '&&'",
                "in the right operand of '&&'",
            ),
            K::Or => (
                Op::JumpIfTrue(0),
                true,
                "in the left operand of '||'",
                "in the right operand of '||'",
            ),
            _ => (
                Op::JumpIfFalse(0),
                true,
                "in the left operand of '->'",
                "in the right operand of '->'",
            ),
        };
        let short = self.operand(lhs, left, Some(jump))?;
        self.operand(rhs, right, Some(Op::AssertBool))?;
        let to_end = self.emit(Op::Jump(0), span);
        self.patch(short);
        self.constant(Value::bool(short_value), span);
        self.patch(to_end);
        Ok(())
    }

    fn unary(&mut self, u: &ast::UnaryOp, span: Span) -> CResult {
        let e = self.child(u.expr(), u.syntax())?;
        match self.child(u.operator(), u.syntax())? {
            ast::UnaryOpKind::Invert => {
                self.operand(&e, "in the argument of '!'", Some(Op::Not))?;
            }
            // C++ Nix parses `-e` as a call `__sub 0 e`, at the `-`.
            ast::UnaryOpKind::Negate => {
                let start = self.chunk().here();
                self.forced(&e)?;
                self.emit(Op::Negate, span);
                self.chunk()
                    .builtin_call(start, span, "while calling the 'sub' builtin");
            }
        };
        Ok(())
    }

    fn path(&mut self, expr: &ast::Expr, span: Span) -> CResult {
        let path = self.child(ast::Path::cast(expr.syntax().clone()), expr.syntax())?;
        let parts = path.parts();
        let source = expr.syntax().text().to_string();
        if source.ends_with('/') {
            return Err(self.error(expr.syntax(), "path has a trailing slash"));
        }
        self.lint_path(expr, &source, span)?;
        let interpolated = parts
            .iter()
            .any(|p| matches!(p, InterpolPart::Interpolation(_)));
        let mut strs: Vec<InterpolPart<String>> = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            match part {
                InterpolPart::Literal(lit) => {
                    let text = lit.text();
                    let text = if i == 0 {
                        self.path_prefix(text, expr)?
                    } else {
                        text.to_string()
                    };
                    strs.push(InterpolPart::Literal(text));
                }
                InterpolPart::Interpolation(x) => strs.push(InterpolPart::Interpolation(x)),
            }
        }
        if !interpolated {
            let text = match strs.first() {
                Some(InterpolPart::Literal(t)) => t.clone(),
                _ => String::new(),
            };
            let path = canon_path(&crate::paths::from_bytes(&self.bytes(&text)));
            self.constant(Value::Path(Rc::new(path)), span);
            return Ok(());
        }
        self.interpolation(strs, span)?;
        self.emit(Op::ToPath, span);
        Ok(())
    }

    fn lint_path(&mut self, expr: &ast::Expr, source: &str, span: Span) -> CResult {
        let level = self.ctx.lints;
        match expr {
            ast::Expr::PathAbs(_) => self.lint(
                level.absolute_path_literals,
                format!("absolute path literals are not portable. Consider replacing path literal '{source}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
                span,
            ),
            ast::Expr::PathHome(_) => self.lint(
                level.absolute_path_literals,
                format!("home path literals are not portable. Consider replacing path literal '{source}' by a string, relative path, or parameter (lint-absolute-path-literals)"),
                span,
            ),
            _ if !source.starts_with("./") && !source.starts_with("../") => self.lint(
                level.short_path_literals,
                format!("relative path literal '{source}' should be prefixed with '.' for clarity: './{source}' (lint-short-path-literals)"),
                span,
            ),
            _ => Ok(()),
        }
    }

    /// The absolute form of a path literal's first segment.
    fn path_prefix(&self, text: &str, expr: &ast::Expr) -> Result<String, Error> {
        if let Some(rest) = text.strip_prefix("~/") {
            let home =
                self.ctx.home.as_ref().ok_or_else(|| {
                    self.error(expr.syntax(), "cannot resolve '~/': HOME is not set")
                })?;
            return Ok(format!("{}/{rest}", path_text(home)));
        }
        if text.starts_with('/') {
            return Ok(text.to_string());
        }
        Ok(format!("{}/{text}", path_text(&self.ctx.dir)))
    }

    /// `<name>` is `__findFile __nixPath "name"`, resolved like any variables.
    fn search_path(&mut self, p: &ast::PathSearch, span: Span) -> CResult {
        let content = self.child(p.content(), p.syntax())?;
        let text = content.text();
        let name = text
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        self.variable("__findFile", span, p.syntax())?;
        self.emit(Op::Force, span);
        self.variable("__nixPath", span, p.syntax())?;
        self.emit(Op::Call, span);
        self.constant(Value::string(name), span);
        self.emit(Op::Call, span);
        Ok(())
    }

    fn cur_pos(&mut self, span: Span) -> CResult {
        let (line, col) = self.line_col(span);
        let attrs = Attrs::from_unsorted(vec![
            ("file".into(), Value::string(self.ctx.origin.as_str())),
            ("line".into(), Value::Int(line as i64)),
            ("column".into(), Value::Int(col as i64)),
        ]);
        self.constant(Value::attrs(attrs), span);
        Ok(())
    }

    /// A lambda; `name` is the binding it is assigned to, for traces.
    fn lambda(&mut self, l: &ast::Lambda, name: Option<SmolStr>) -> CResult {
        self.lambda_in(l, name, Scope::new(ScopeKind::Normal))
    }

    /// Compiles a lambda whose scope starts as `scope`: empty, or for the inner lambda of
    /// `x: y: ...` the scope of the lambda around it, which the inner one extends (one scope
    /// per curried call instead of one per argument).
    fn lambda_in(&mut self, l: &ast::Lambda, name: Option<SmolStr>, mut scope: Scope) -> CResult {
        let span = self.span(l.syntax());
        let param = self.child(l.param(), l.syntax())?;
        let body = self.child(l.body(), l.syntax())?;
        let merged = scope.len();
        let mut formals = None;
        let mut defaults = Vec::new();
        match &param {
            ast::Param::IdentParam(p) => {
                let id = self.child(p.ident(), p.syntax())?;
                scope.declare(ident_name(&id));
            }
            ast::Param::Pattern(p) => {
                let mut entries = Vec::new();
                for entry in p.pat_entries() {
                    let id = self.child(entry.ident(), entry.syntax())?;
                    let n = ident_name(&id);
                    if scope.lookup(&n).is_some() {
                        return Err(self.error(
                            entry.syntax(),
                            format!("duplicate formal function argument '{n}'"),
                        ));
                    }
                    scope.declare(n.clone());
                    entries.push((Symbol::from(n.as_str()), self.span(id.syntax())));
                    defaults.push(entry.default());
                }
                let bind_slot = match p.pat_bind().and_then(|b| b.ident()) {
                    Some(id) => {
                        let n = ident_name(&id);
                        if scope.lookup(&n).is_some() {
                            return Err(self.error(
                                p.syntax(),
                                format!("duplicate formal function argument '{n}'"),
                            ));
                        }
                        Some(scope.declare(n))
                    }
                    None => None,
                };
                scope.declare_hidden();
                formals = Some((entries, p.ellipsis_token().is_some(), bind_slot));
            }
        }
        let nslots = scope.len();
        let (chunk, result) = self.in_chunk(span, |c| match curried_body(&param, &body) {
            // `x: y: ...`: the inner lambda is compiled in this lambda's scope, extended. It
            // has the outer one's name, as in C++ Nix (`ExprLambda::setName`).
            Some(inner) => c.lambda_in(&inner, name.clone(), scope).map(|()| {
                c.emit(Op::Return, span);
            }),
            None => {
                c.scopes.push(scope);
                let r = c.lambda_body(&body, formals, defaults, nslots, span, &name);
                c.scopes.pop();
                r
            }
        });
        // `x: x * 2`, `a: b: a < b` and the like can be applied speculatively (`map`,
        // `genList`, `sort`): bodies whose scope holds nothing but plain arguments.
        let allowed = nslots == merged + 1 && !chunk.has_formals();
        let mut chunk = chunk.finish(allowed, self.ctx.speculate);
        chunk.lambda = Some(match &name {
            Some(n) => format_smolstr!("'{n}'"),
            None => SmolStr::new_static("anonymous lambda"),
        });
        result?;
        let position = self.position(span);
        let arg = match &param {
            ast::Param::IdentParam(p) => p.ident().map(|id| ident_name(&id)),
            ast::Param::Pattern(p) => p
                .pat_bind()
                .and_then(|b| b.ident())
                .map(|id| ident_name(&id)),
        };
        // `x: y: ...`: the body only makes the inner lambda, so a call can build it directly.
        let curried = match (&chunk.ops[..], chunk.formals.is_none()) {
            ([Op::Closure(0), Op::Return], true) => chunk.lambdas.first().cloned(),
            _ => None,
        };
        let lambda = Lambda {
            arg,
            merged,
            curried,
            formals: chunk.formals.clone(),
            chunk: Rc::new(chunk),
            name,
            nslots,
            span,
            position,
        };
        let i = self.chunk().add_lambda(lambda);
        self.emit(Op::Closure(i), span);
        Ok(())
    }

    fn lambda_body(
        &mut self,
        body: &ast::Expr,
        formals: Option<PatternInfo>,
        defaults: Vec<Option<ast::Expr>>,
        nslots: usize,
        span: Span,
        lambda_name: &Option<SmolStr>,
    ) -> CResult {
        if let Some((names, ellipsis, bind_slot)) = formals {
            let name = lambda_name
                .as_ref()
                .map_or("anonymous lambda".to_string(), |n| n.to_string());
            let mut entries = Vec::new();
            let positions = names.iter().map(|(_, span)| *span).collect();
            for ((name, _), default) in names.into_iter().zip(defaults) {
                let code = match default {
                    Some(d) => Some(self.default_chunk(&d)?),
                    None => None,
                };
                entries.push((name, code));
            }
            self.chunk().set_formals(Rc::new(Formals {
                name,
                entries,
                positions,
                ellipsis,
                bind_slot,
            }));
            self.emit(Op::Local(0, (nslots - 1) as u32), span);
            self.emit(Op::Force, span);
            self.emit(Op::Formals, span);
        }
        // A body that is a lambda has this lambda's name (C++ Nix's `ExprLambda::setName`).
        if let ast::Expr::Lambda(inner) = unparen(body) {
            self.lambda(&inner, lambda_name.clone())?;
            self.emit(Op::Return, span);
            return Ok(());
        }
        self.tail(body, span)
    }

    /// A formal's default: thunk code run in the lambda's own scope.
    fn default_chunk(&mut self, d: &ast::Expr) -> Result<Rc<Chunk>, Error> {
        let span = self.span(d.syntax());
        let (chunk, r) = self.in_chunk(span, |c| c.tail(d, span));
        r?;
        // `b ? 2`, `x ? y + 1`: computed on the spot when the call binds it (`bind_formals`).
        Ok(Rc::new(chunk.finish(true, self.ctx.speculate)))
    }
}

/// A pattern lambda's formals (name and where it is written), `...`, and `@` slot.
type PatternInfo = (Vec<(Symbol, Span)>, bool, Option<usize>);

/// An attribute name in a path: known at compile time, or computed.
pub(crate) enum AttrName {
    Static(SmolStr),
    Dynamic(ast::Expr),
}

impl Compiler<'_> {
    fn attr_name(&self, attr: &ast::Attr) -> Result<AttrName, Error> {
        self.attr_name_at(attr, false)
    }

    /// `attr_name`; `opens_binding` when `attr` starts a binding or follows `inherit`, where
    /// C++ Nix's parser could have taken too many other tokens to name what it expected.
    fn attr_name_at(&self, attr: &ast::Attr, opens_binding: bool) -> Result<AttrName, Error> {
        // rnix takes an indented string as a name; C++ Nix's grammar does not.
        if let ast::Attr::Str(s) = attr
            && is_indented(s)
        {
            let expecting = match opens_binding {
                true => "",
                false => ", expecting identifier or 'or' or '${' or '\"'",
            };
            let msg = format!("syntax error, unexpected start of an indented string{expecting}");
            return Err(self.error(s.syntax(), msg));
        }
        match attr {
            ast::Attr::Ident(id) => Ok(AttrName::Static(ident_name(id))),
            ast::Attr::Str(s) => Ok(static_str(s)
                .map(AttrName::Static)
                .unwrap_or_else(|| AttrName::Dynamic(ast::Expr::Str(s.clone())))),
            ast::Attr::Dynamic(d) => {
                let e = self.child(d.expr(), d.syntax())?;
                if let ast::Expr::Str(s) = &e
                    && let Some(n) = static_str(s)
                {
                    return Ok(AttrName::Static(n));
                }
                Ok(AttrName::Dynamic(e))
            }
        }
    }
}

/// For `x: y: ...` (both plain arguments), the inner lambda: its scope extends the outer one's.
fn curried_body(param: &ast::Param, body: &ast::Expr) -> Option<ast::Lambda> {
    let ast::Param::IdentParam(_) = param else {
        return None;
    };
    match unparen(body) {
        ast::Expr::Lambda(inner) if matches!(inner.param(), Some(ast::Param::IdentParam(_))) => {
            Some(inner)
        }
        _ => None,
    }
}

/// The operators C++ Nix parses as calls of builtins: the builtin's trace line, and whether
/// the call is negated (`a <= b` is `!(b < a)`).
fn builtin_operator(op: ast::BinOpKind) -> Option<(&'static str, bool)> {
    use ast::BinOpKind as K;
    Some(match op {
        K::Sub => ("while calling the 'sub' builtin", false),
        K::Mul => ("while calling the 'mul' builtin", false),
        K::Div => ("while calling the 'div' builtin", false),
        K::Less | K::More => ("while calling the 'lessThan' builtin", false),
        K::LessOrEq | K::MoreOrEq => ("while calling the 'lessThan' builtin", true),
        _ => return None,
    })
}

/// Whether the source, or the directory or home a path literal starts with, holds stand-ins.
fn holds_stand_ins(ctx: &CompileContext) -> bool {
    let dirs = [Some(&ctx.dir), ctx.home.as_ref()].into_iter().flatten();
    crate::rawtext::has_stand_ins(ctx.text)
        || dirs
            .map(|d| path_text(d))
            .any(|t| matches!(t, std::borrow::Cow::Owned(_)))
}

/// A directory's name as source text, its bytes that are not UTF-8 as stand-ins (`rawtext`).
fn path_text(dir: &Path) -> std::borrow::Cow<'_, str> {
    crate::rawtext::decode(dir.as_os_str().as_encoded_bytes())
}

/// The expression inside any parentheses.
fn unparen(e: &ast::Expr) -> ast::Expr {
    let mut e = e.clone();
    while let ast::Expr::Paren(p) = &e {
        match p.expr() {
            Some(inner) => e = inner,
            None => break,
        }
    }
    e
}

/// A string literal without interpolation, as text.
fn static_str(s: &ast::Str) -> Option<SmolStr> {
    let parts = crate::syntax::string_parts(s);
    match parts.as_slice() {
        [] => Some(SmolStr::default()),
        [InterpolPart::Literal(l)] => Some(SmolStr::new(l)),
        _ => None,
    }
}

/// Whether a string literal is an indented string (`''...''`), from its opening token.
fn is_indented(s: &ast::Str) -> bool {
    s.syntax().first_token().is_some_and(|t| t.text() == "''")
}

pub(crate) fn ident_name(id: &ast::Ident) -> SmolStr {
    match id.ident_token() {
        Some(token) => SmolStr::new(token.text()),
        None => SmolStr::new(id.syntax().text().to_string()),
    }
}
