//! Binding groups: attribute sets, `rec` sets and `let`.
//!
//! Entries are first gathered into a `BindingSet` tree, which merges nested paths
//! (`a.b = 1; a.c = 2;`, `a = { b = 1; }; a.c = 2;`) and reports duplicates as C++ Nix does;
//! then the tree is compiled. `rec` and `let` get a scope whose slots hold the bindings, so
//! bindings refer to each other by slot.

use super::scope::{Scope, ScopeKind};
use super::{AttrName, CResult, Compiler};
use crate::errors::{Error, Span};
use crate::value::Value;
use crate::value::code::Op;
use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;
use rustc_hash::FxHashMap as HashMap;
use smol_str::SmolStr;

enum BValue {
    Expr(ast::Expr),
    Nested(Box<BindingSet>),
    /// `inherit x;`: the variable `x` of the scope around the group.
    InheritVar(SmolStr, rnix::SyntaxNode),
    /// `inherit (froms[i]) x;`.
    InheritFrom(usize, SmolStr),
}

struct Binding {
    span: Span,
    value: BValue,
}

#[derive(Default)]
struct BindingSet {
    recursive: bool,
    statics: Vec<(SmolStr, Binding)>,
    index: HashMap<SmolStr, usize>,
    dynamics: Vec<(ast::Expr, Binding)>,
    froms: Vec<ast::Expr>,
}

impl BindingSet {
    fn get_mut(&mut self, name: &str) -> Option<&mut Binding> {
        let i = *self.index.get(name)?;
        Some(&mut self.statics[i].1)
    }

    fn insert(&mut self, name: SmolStr, b: Binding) {
        self.index.insert(name.clone(), self.statics.len());
        self.statics.push((name, b));
    }
}

/// The slot of a static `__overrides` binding.
fn overrides_slot(set: &BindingSet) -> Option<usize> {
    set.index.get("__overrides").copied()
}

impl Compiler<'_> {
    fn dup_error(&self, path: &[SmolStr], at: Span, first: Span) -> Error {
        let path = path
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(".");
        Error::new(format!(
            "attribute '{path}' already defined at {}",
            self.position(first)
        ))
        .with_class(crate::errors::ErrorClass::Parse)
        .at(at)
    }

    /// Gathers the entries of a set, `let` or legacy `let` into a tree.
    fn gather(&self, node: &impl HasEntry, recursive: bool) -> Result<BindingSet, Error> {
        let mut set = BindingSet {
            recursive,
            ..BindingSet::default()
        };
        self.gather_into(&mut set, node, &[])?;
        Ok(set)
    }

    fn gather_into(
        &self,
        set: &mut BindingSet,
        node: &impl HasEntry,
        prefix: &[SmolStr],
    ) -> CResult {
        for entry in node.entries() {
            match entry {
                ast::Entry::Inherit(inh) => self.gather_inherit(set, &inh, prefix)?,
                ast::Entry::AttrpathValue(apv) => self.gather_path(set, &apv, prefix)?,
            }
        }
        Ok(())
    }

    fn gather_inherit(
        &self,
        set: &mut BindingSet,
        inh: &ast::Inherit,
        prefix: &[SmolStr],
    ) -> CResult {
        let from = match inh.from() {
            Some(f) => {
                set.froms.push(self.child(f.expr(), f.syntax())?);
                Some(set.froms.len() - 1)
            }
            None => None,
        };
        for attr in inh.attrs() {
            let span = self.span(attr.syntax());
            let name = match self.attr_name_at(&attr, true)? {
                AttrName::Static(n) => n,
                AttrName::Dynamic(_) => {
                    return Err(
                        self.error(attr.syntax(), "dynamic attributes not allowed in inherit")
                    );
                }
            };
            if let Some(first) = set.index.get(&name).map(|&i| set.statics[i].1.span) {
                let mut path = prefix.to_vec();
                path.push(name);
                return Err(self.dup_error(&path, span, first));
            }
            let value = match from {
                Some(i) => BValue::InheritFrom(i, name.clone()),
                None => BValue::InheritVar(name.clone(), attr.syntax().clone()),
            };
            set.insert(name, Binding { span, value });
        }
        Ok(())
    }

    fn gather_path(
        &self,
        set: &mut BindingSet,
        apv: &ast::AttrpathValue,
        prefix: &[SmolStr],
    ) -> CResult {
        let path = self.child(apv.attrpath(), apv.syntax())?;
        let value = self.child(apv.value(), apv.syntax())?;
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        // As in C++ Nix, everything a binding defines (the sets its path makes on the way, and
        // the value) is placed at the start of its attribute path.
        let span = self.span(path.syntax());
        let mut cur = set;
        let mut names = prefix.to_vec();
        for (i, attr) in attrs.iter().enumerate() {
            let last = i + 1 == attrs.len();
            match self.attr_name_at(attr, i == 0)? {
                AttrName::Static(name) => {
                    names.push(name.clone());
                    if last {
                        self.define_static(cur, name, span, value.clone(), &names)?;
                        return Ok(());
                    }
                    if cur.get_mut(&name).is_none() {
                        let nested = BindingSet::default();
                        cur.insert(
                            name.clone(),
                            Binding {
                                span,
                                value: BValue::Nested(Box::new(nested)),
                            },
                        );
                    }
                    let existing = cur
                        .get_mut(&name)
                        .ok_or_else(|| self.error(attr.syntax(), "internal error"))?;
                    let first = existing.span;
                    self.make_nested(existing, &names)?;
                    cur = match &mut existing.value {
                        BValue::Nested(n) => n,
                        _ => return Err(self.dup_error(&names, span, first)),
                    };
                }
                AttrName::Dynamic(key) => {
                    names.push(SmolStr::new("\"${dynamic}\""));
                    if last {
                        cur.dynamics.push((
                            key,
                            Binding {
                                span,
                                value: self.bvalue(&value)?,
                            },
                        ));
                        return Ok(());
                    }
                    cur.dynamics.push((
                        key,
                        Binding {
                            span,
                            value: BValue::Nested(Box::default()),
                        },
                    ));
                    cur = match cur.dynamics.last_mut().map(|d| &mut d.1.value) {
                        Some(BValue::Nested(n)) => n,
                        _ => return Err(self.error(attr.syntax(), "internal error")),
                    };
                }
            }
        }
        Ok(())
    }

    /// A binding's value; a plain attribute set literal becomes a mergeable nested set. Its
    /// own duplicates are named relative to it, as C++ Nix parses it as a set of its own.
    fn bvalue(&self, value: &ast::Expr) -> Result<BValue, Error> {
        if let ast::Expr::AttrSet(s) = value {
            let mut nested = BindingSet {
                recursive: s.rec_token().is_some(),
                ..BindingSet::default()
            };
            self.gather_into(&mut nested, s, &[])?;
            return Ok(BValue::Nested(Box::new(nested)));
        }
        Ok(BValue::Expr(value.clone()))
    }

    /// Turns an existing binding into a nested set if it is a set literal; else a duplicate.
    fn make_nested(&self, b: &mut Binding, names: &[SmolStr]) -> CResult {
        match &b.value {
            BValue::Nested(_) => Ok(()),
            _ => Err(self.dup_error(names, b.span, b.span)),
        }
    }

    fn define_static(
        &self,
        set: &mut BindingSet,
        name: SmolStr,
        span: Span,
        value: ast::Expr,
        names: &[SmolStr],
    ) -> CResult {
        let new = self.bvalue(&value)?;
        self.define(set, name, Binding { span, value: new }, names)
    }

    /// Adds binding `b` named `name` (whose full path is `names`) to `set`. Where both it and
    /// an existing binding of that name are set literals, the new one's entries are merged in,
    /// level by level (`x.y.a = 1; x = { y.b = 2; };`), as current C++ Nix does.
    fn define(
        &self,
        set: &mut BindingSet,
        name: SmolStr,
        b: Binding,
        names: &[SmolStr],
    ) -> CResult {
        let Some(existing) = set.get_mut(&name) else {
            set.insert(name, b);
            return Ok(());
        };
        let first = existing.span;
        match (&mut existing.value, b.value) {
            (BValue::Nested(old), BValue::Nested(new)) => {
                let offset = old.froms.len();
                old.froms.extend(new.froms);
                for (n, mut inner) in new.statics {
                    if let BValue::InheritFrom(i, _) = &mut inner.value {
                        *i += offset;
                    }
                    let mut path = names.to_vec();
                    path.push(n.clone());
                    self.define(old, n, inner, &path)?;
                }
                old.dynamics.extend(new.dynamics);
                Ok(())
            }
            _ => Err(self.dup_error(names, b.span, first)),
        }
    }

    pub(super) fn attrset(&mut self, s: &ast::AttrSet, span: Span) -> CResult {
        let set = self.gather(s, s.rec_token().is_some())?;
        self.compile_set(&set, span)
    }

    fn compile_set(&mut self, set: &BindingSet, span: Span) -> CResult {
        if set.recursive {
            return self.compile_rec_set(set, span);
        }
        let hidden = !set.froms.is_empty();
        if hidden {
            // The sources of `inherit (e)` see the enclosing scope only: made before the
            // hidden scope, they cannot refer back to it.
            for f in &set.froms {
                self.lazy(f)?;
            }
            self.emit(Op::PushEnvFrom(set.froms.len() as u32), span);
            let mut scope = Scope::new(ScopeKind::Normal);
            for _ in &set.froms {
                scope.declare_hidden();
            }
            self.scopes.push(scope);
        }
        let result = self.set_entries(set, span, None);
        if hidden {
            self.scopes.pop();
            self.emit(Op::PopEnv, span);
        }
        result
    }

    /// Pushes the (name, value) pairs and builds the set. With `slots`, static values are read
    /// from the current (`rec`) scope's slots.
    /// Static names are pushed in sorted order, so a set without dynamic names needs no
    /// sorting at run time and shares its table of positions.
    fn set_entries(&mut self, set: &BindingSet, span: Span, slots: Option<()>) -> CResult {
        let mut n = 0;
        let mut order: Vec<usize> = (0..set.statics.len()).collect();
        order.sort_by(|&x, &y| {
            self.bytes(&set.statics[x].0)
                .cmp(&self.bytes(&set.statics[y].0))
        });
        let mut positions = Vec::with_capacity(set.statics.len() + set.dynamics.len());
        // Without dynamic names, the names are the table's and only the values are pushed.
        let all_static = set.dynamics.is_empty();
        let mut names = Vec::new();
        for i in order {
            let (name, b) = &set.statics[i];
            positions.push(b.span);
            if all_static {
                names.push(crate::value::Symbol::new(&self.bytes(name)));
            } else {
                self.constant(self.text_value(name), b.span);
            }
            match slots {
                Some(()) => {
                    self.emit(Op::Local(0, i as u32), b.span);
                }
                None => self.binding_value(b, name, 0, 0)?,
            }
            n += 1;
        }
        for (key, b) in &set.dynamics {
            positions.push(b.span);
            self.forced(key)?;
            self.binding_value(b, "", 0, 0)?;
            n += 1;
        }
        let chunk = self.chunk();
        if all_static
            && slots.is_none()
            && let Some(values) = chunk.trailing_data(n as usize)
        {
            // A set of constant data is a constant, built once.
            let entries = names.into_iter().zip(values).collect();
            let set =
                crate::value::Attrs::with_positions(entries, crate::value::positions(positions));
            chunk.fold_tail(n as usize, Value::attrs(set), span);
            return Ok(());
        }
        let table = chunk.add_attr_positions(crate::value::positions(positions));
        if all_static {
            let names = chunk.add_attr_names(names.into());
            self.emit(Op::MakeStaticAttrs(table, names), span);
        } else {
            self.emit(Op::MakeAttrs(n, table), span);
        }
        Ok(())
    }

    /// Pushes a binding's value. `from_base` is the slot of the first hidden `inherit (e)` slot
    /// in the current scope; `outer` how many scopes to skip for `inherit x;`.
    fn binding_value(
        &mut self,
        b: &Binding,
        name: &str,
        from_base: usize,
        outer: usize,
    ) -> CResult {
        match &b.value {
            // A lambda bound to a name takes it, in parentheses too (as in C++ Nix, whose
            // parentheses leave no node).
            BValue::Expr(e) => match super::unparen(e) {
                ast::Expr::Lambda(l) => self.lambda(&l, Some(SmolStr::new(name))),
                _ => self.lazy(e),
            },
            BValue::Nested(set) => self.thunk_with(b.span, |c| c.compile_set(set, b.span)),
            BValue::InheritVar(var, node) => {
                let cheap =
                    match super::scope::resolve_from(&self.scopes, var, outer, self.chunks.len()) {
                        super::scope::Resolved::Local { initialized, .. } => initialized,
                        super::scope::Resolved::Dynamic => {
                            self.ctx.globals.contains_key(var.as_str())
                        }
                    };
                if cheap {
                    self.variable_from(var, b.span, node, outer)
                } else {
                    self.thunk_with(b.span, |c| {
                        c.variable_from(var, b.span, node, outer)?;
                        c.emit(Op::Force, b.span);
                        Ok(())
                    })
                }
            }
            BValue::InheritFrom(i, attr) => {
                let slot = (from_base + i) as u32;
                self.thunk_with(b.span, |c| {
                    c.emit(Op::Local(0, slot), b.span);
                    c.emit(Op::Force, b.span);
                    let k = c.symbol(attr);
                    c.emit(Op::Select(k), b.span);
                    c.emit(Op::Force, b.span);
                    Ok(())
                })
            }
        }
    }

    /// Compiles code built by `body` into its own chunk and pushes a thunk of it. The body must
    /// leave a forced value.
    pub(super) fn thunk_with(
        &mut self,
        span: Span,
        body: impl FnOnce(&mut Self) -> CResult,
    ) -> CResult {
        let (chunk, r) = self.in_chunk(span, |c| {
            let r = body(c);
            c.emit(Op::Force, span);
            c.emit(Op::Return, span);
            r
        });
        r?;
        if let Some(v) = chunk.constant_result() {
            self.constant(v, span);
            return Ok(());
        }
        let body = chunk.finish(true, self.ctx.speculate);
        let i = self.chunk().add_thunk(body);
        self.emit(Op::Thunk(i), span);
        Ok(())
    }

    /// Opens the scope of a `rec` set or `let` and fills its slots.
    /// `is_rec_set` distinguishes `rec { }` (where `__overrides` applies) from `let`.
    fn open_group(&mut self, set: &BindingSet, span: Span, is_rec_set: bool) -> CResult {
        let nstatic = set.statics.len();
        let mut scope = Scope::new(ScopeKind::Normal);
        for (name, _) in &set.statics {
            scope.declare(name.clone());
        }
        if !is_rec_set && set.froms.is_empty() && !refers_to_itself(set) {
            // A `let` whose bindings do not refer to each other: its values are made in the
            // enclosing scope, before the `let`'s own, which cannot start a cycle.
            for (name, b) in &set.statics {
                self.binding_value(b, name, 0, 0)?;
            }
            self.emit(Op::PushEnvFrom(nstatic as u32), span);
            self.scopes.push(scope);
            return Ok(());
        }
        for _ in &set.froms {
            scope.declare_hidden();
        }
        scope.initializing = Some(self.chunks.len());
        self.emit(Op::PushEnv(scope.len() as u32), span);
        self.scopes.push(scope);
        for (i, f) in set.froms.iter().enumerate() {
            self.lazy(f)?;
            self.emit(Op::SetSlot((nstatic + i) as u32), span);
        }
        let overrides = overrides_slot(set).filter(|_| is_rec_set);
        for (i, (name, b)) in set.statics.iter().enumerate() {
            match overrides {
                Some(ov) if ov != i => self.overridable(b, name, nstatic, ov)?,
                _ => self.binding_value(b, name, nstatic, 1)?,
            }
            self.emit(Op::SetSlot(i as u32), b.span);
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.initializing = None;
        }
        Ok(())
    }

    /// A binding of a `rec` set with `__overrides`: the override's value if it has one, as
    /// C++ Nix replaces both the attribute and the variable.
    fn overridable(&mut self, b: &Binding, name: &str, from_base: usize, ov: usize) -> CResult {
        self.thunk_with(b.span, |c| {
            c.emit(Op::Local(0, ov as u32), b.span);
            c.emit(Op::Force, b.span);
            let k = c.symbol(name);
            let fallback = c.emit(Op::SelectOrJump(k, 0), b.span);
            let end = c.emit(Op::Jump(0), b.span);
            c.patch(fallback);
            c.binding_value(b, name, from_base, 1)?;
            c.patch(end);
            Ok(())
        })
    }

    fn compile_rec_set(&mut self, set: &BindingSet, span: Span) -> CResult {
        self.open_group(set, span, true)?;
        let r = self.set_entries(set, span, Some(()));
        if let (Ok(()), Some(ov)) = (&r, overrides_slot(set)) {
            // The overrides are also merged into the set (adding attributes it lacks). C++
            // Nix forces them with a context of no position, and a value that is no set is
            // an error of no position either.
            let start = self.chunk().here();
            self.emit(Op::Local(0, ov as u32), span);
            self.emit(Op::Force, span);
            self.emit(Op::Update, span);
            let what = "while evaluating the `__overrides` attribute";
            self.chunk().builtin_call(start, Span::UNKNOWN, what);
        }
        self.scopes.pop();
        r?;
        self.emit(Op::PopEnv, span);
        Ok(())
    }

    /// `let ... in body`; in tail position (`ret`), the body returns from inside the scope.
    pub(super) fn let_in(&mut self, l: &ast::LetIn, span: Span, ret: Option<Span>) -> CResult {
        let set = self.gather(l, true)?;
        // C++ Nix's parser says so at the `let`.
        if !set.dynamics.is_empty() {
            return Err(self.error(l.syntax(), "dynamic attributes not allowed in let"));
        }
        let body = self.child(l.body(), l.syntax())?;
        self.open_group(&set, span, false)?;
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

    /// `let { a = 1; body = a; }` is `rec { a = 1; body = a; }.body`.
    pub(super) fn legacy_let(&mut self, l: &ast::LegacyLet, span: Span) -> CResult {
        let set = self.gather(l, true)?;
        self.compile_rec_set(&set, span)?;
        self.emit(Op::Force, span);
        // C++ Nix's `(rec { ... }).body`, placed at the `let`: an error selecting or
        // evaluating `body` says so, and where `body` is defined.
        let start = self.chunk().here();
        let k = self.symbol("body");
        self.emit(Op::Select(k), span);
        self.emit(Op::Force, span);
        if let Some(body) = set.index.get("body").map(|&i| &set.statics[i].1) {
            self.chunk()
                .operand_context(start, body.span, "from the definition of 'body'");
        }
        self.chunk().selection_context(start, span, "body");
        Ok(())
    }
}

/// Whether the bindings of a `let` may refer to its own variables (then their thunks and
/// closures capture its scope, which must exist before they are made). Ers on the side of
/// yes: any identifier spelled like one of the names counts, shadowed or an attribute name.
fn refers_to_itself(set: &BindingSet) -> bool {
    let names = &set.index;
    set.statics.iter().any(|(_, b)| match &b.value {
        // `inherit x;` in a `let` reads the `x` of the scope around it.
        BValue::InheritVar(..) => false,
        _ => binding_mentions(b, names),
    })
}

fn binding_mentions(b: &Binding, names: &HashMap<SmolStr, usize>) -> bool {
    match &b.value {
        BValue::Expr(e) => expr_mentions(e, names),
        BValue::Nested(set) => {
            set.statics.iter().any(|(_, b)| binding_mentions(b, names))
                || (set.dynamics.iter())
                    .any(|(k, b)| expr_mentions(k, names) || binding_mentions(b, names))
                || set.froms.iter().any(|f| expr_mentions(f, names))
        }
        BValue::InheritVar(var, _) => names.contains_key(var),
        BValue::InheritFrom(..) => true,
    }
}

fn expr_mentions(e: &ast::Expr, names: &HashMap<SmolStr, usize>) -> bool {
    e.syntax().descendants_with_tokens().any(|t| {
        t.kind() == rnix::SyntaxKind::TOKEN_IDENT
            && t.as_token().is_some_and(|t| names.contains_key(t.text()))
    })
}
