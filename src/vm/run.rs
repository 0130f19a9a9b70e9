//! The dispatch loop: runs the bytecode frame on top until it returns, needs another frame, or
//! fails. Operands that need evaluating were forced by an explicit `Force` op, so every other op
//! works on values in weak head normal form; an op that cannot finish without forcing inside a
//! structure (`==` on lists, coercing a set with `__toString`, ...) hands over to a generator.
//! What an op computes is in `ops` (shared with speculation); this file moves values between
//! the operand stack, the frames and those functions. Debug builds check the frame and operand
//! stack invariants after every op (`Vm::check_invariants`, `design/vm.md`), so that a VM bug
//! panics where it happens; release builds carry none of it.

use super::frames::Frame;
use super::recursive::Nested;
use super::{Driver, Step, Vm, ops, request, takes_two, trace, walk};
use crate::errors::{Error, ErrorClass, Span};
use crate::paths::canon_path;
use crate::value::code::{Chunk, Op, Test};
use crate::value::{Attrs, Closure, Env, NixList, NixString, Symbol, Thunk, Value};
use std::rc::Rc;

impl Vm<'_> {
    /// Runs bytecode frames: the one on top, and those it calls, forces or returns to without
    /// leaving this loop as long as they stay above `floor` (the scheduler's own stop).
    pub(super) fn execute(&mut self, floor: usize) -> Step {
        let Some(Frame::Code(frame)) = self.frames.last() else {
            return Step::Unwind(Error::new("internal error: no code frame"));
        };
        let mut chunk = frame.chunk.clone();
        let mut env = frame.env.clone();
        let mut ip = frame.ip;

        // Takes over the registers of the code frame now on top.
        macro_rules! reload {
            () => {
                match self.frames.last() {
                    Some(Frame::Code(f)) => {
                        // (A recursive call runs the same chunk; a return often comes back
                        // to the scope it left: no counts to raise and drop then.)
                        if !Rc::ptr_eq(&chunk, &f.chunk) {
                            chunk = f.chunk.clone();
                        }
                        if !env.ptr_eq(&f.env) {
                            env = f.env.clone();
                        }
                        ip = f.ip;
                    }
                    _ => return Step::Run,
                }
            };
        }
        // Continues here if `step` only pushed a code frame, or answered at once with a value
        // for the code frame on top (a fast builtin, a speculated call); otherwise, or when a
        // stepped run is pausing (`slices`), hands it to the scheduler.
        macro_rules! switch {
            ($step:expr) => {{
                match $step {
                    Step::Run if !self.pausing => {
                        reload!();
                        continue;
                    }
                    // (No pause here: a value answered at once pushed no frame, and code
                    // without frames runs straight to its end.)
                    Step::Return(v)
                        if self.frames.len() > floor
                            && matches!(self.frames.last(), Some(Frame::Code(_))) =>
                    {
                        self.stack.push(v);
                        reload!();
                        continue;
                    }
                    other => return other,
                }
            }};
        }

        // Writes the frame's registers back before the scheduler takes over.
        macro_rules! save {
            () => {
                self.write_back(ip, &env)
            };
        }
        macro_rules! span {
            () => {
                chunk.spans[ip - 1]
            };
        }
        // Takes over the registers of the lambda frame just pushed (`Vm::enter_body`), or
        // unwinds with the error of a call that could not be made.
        macro_rules! enter {
            ($entered:expr, $chunk:expr, $span:expr) => {{
                env = match $entered {
                    Ok(scope) => scope,
                    Err(e) => return Step::Unwind(super::at(e, $span)),
                };
                if self.pausing {
                    return Step::Run;
                }
                chunk = $chunk.clone();
                ip = 0;
                continue;
            }};
        }
        macro_rules! fail {
            ($e:expr) => {{
                return self.fail_at($e, ip, &env, span!());
            }};
        }
        macro_rules! pop {
            () => {{
                self.expect_operands(1);
                match self.stack.pop() {
                    Some(v) => v,
                    None => return self.underflow(ip, &env, span!()),
                }
            }};
        }
        // Forces thunk `t`, taken off the operand stack, and continues with its value there.
        macro_rules! force_slow {
            ($t:expr) => {{
                let t = $t;
                save!();
                let span = Some(span!());
                if self.driver == Driver::Recursive {
                    match self.answer_nested(Nested::Force(t), span) {
                        Ok(v) => self.stack.push(v),
                        Err(e) => return Step::Unwind(e),
                    }
                    continue;
                }
                switch!(self.force_thunk(t, span));
            }};
        }
        macro_rules! spawn {
            ($name:expr, $gen:expr) => {{
                save!();
                let span = span!();
                self.push_gen($name, Some(span), $gen, 0);
                return Step::Resume(request::Response::Start);
            }};
        }

        // Pushes variable `slot` of the scope `depth` up, forced.
        macro_rules! local_force {
            ($depth:expr, $slot:expr) => {{
                let v = match env
                    .ancestor($depth as usize)
                    .and_then(|e| e.get($slot as usize))
                {
                    Some(v) => v,
                    None => fail!(Error::new(
                        "internal error: variable read before it was set"
                    )),
                };
                match v {
                    Value::Thunk(t) => match t.value() {
                        Some(v) => self.stack.push(v),
                        None => force_slow!(t.clone()),
                    },
                    v => self.stack.push(v.clone()),
                }
            }};
        }

        loop {
            #[cfg(debug_assertions)]
            self.check_invariants(floor, &chunk);
            let Some(&op) = chunk.ops.get(ip) else {
                save!();
                return Step::Unwind(Error::new("internal error: ran off the end of a chunk"));
            };
            ip += 1;
            self.stats.ops += 1;
            match op {
                Op::Const(i) => self.stack.push(chunk.consts[i as usize].clone()),
                Op::Local(depth, slot) => match env
                    .ancestor(depth as usize)
                    .and_then(|e| e.get(slot as usize))
                {
                    Some(v) => self.stack.push(v.clone()),
                    None => fail!(Error::new(
                        "internal error: variable read before it was set"
                    )),
                },
                Op::LocalForce(depth, slot) => local_force!(depth, slot),
                Op::TestJump(k) => {
                    let Some(&Test {
                        compare,
                        replaced,
                        target,
                    }) = chunk.tests.get(k as usize)
                    else {
                        fail!(Error::new("internal error: a TestJump without its test"));
                    };
                    match super::speculate::test(&compare, &env) {
                        // Past the comparison and its `JumpIfFalse`.
                        Some(true) => ip += 3,
                        Some(false) => ip = target as usize,
                        None => match replaced {
                            Op::LocalForce(depth, slot) => local_force!(depth, slot),
                            Op::Const(i) => self.stack.push(chunk.consts[i as usize].clone()),
                            other => unreachable!("a TestJump in place of {other:?}"),
                        },
                    }
                }
                Op::Thunk(i) => {
                    let v = self.delay(&chunk.thunks[i as usize], &env);
                    self.stack.push(v);
                }
                Op::Closure(i) => {
                    let c = Closure {
                        lambda: chunk.lambdas[i as usize].clone(),
                        env: env.clone(),
                    };
                    self.stack.push(Value::Closure(crate::value::rc_new(|| c)));
                }
                Op::Force => {
                    self.expect_operands(1);
                    if let Some(Value::Thunk(t)) = self.stack.last() {
                        match t.value() {
                            Some(v) => {
                                if let Some(top) = self.stack.last_mut() {
                                    *top = v;
                                }
                            }
                            None => {
                                let t = t.clone();
                                self.stack.pop();
                                force_slow!(t);
                            }
                        }
                    }
                }
                Op::Pop => {
                    pop!();
                }
                Op::PushEnv(n) => {
                    env = crate::value::Env::new(Some(env), n as usize);
                    env.may_cycle();
                }
                Op::PushEnvFrom(n) => {
                    let n = n as usize;
                    self.expect_operands(n);
                    let scope = crate::value::Env::new(Some(env), n);
                    let at = self.stack.len().saturating_sub(n);
                    for (i, v) in self.stack.drain(at..).enumerate() {
                        scope.set(i, v);
                    }
                    env = scope;
                }
                Op::PopEnv => {
                    if let Some(parent) = env.parent().cloned() {
                        env = parent;
                    }
                }
                Op::SetSlot(i) => {
                    let v = pop!();
                    env.set(i as usize, v);
                }
                Op::TailCall | Op::Call if self.driver == Driver::Recursive => {
                    let arg = pop!();
                    let f = pop!();
                    save!();
                    let span = Some(span!());
                    match self.answer_nested(Nested::Call(f, arg), span) {
                        Ok(v) => self.stack.push(v),
                        Err(e) => return Step::Unwind(e),
                    }
                }
                Op::TailCall => {
                    let arg = pop!();
                    let f = pop!();
                    // The callee replaces this frame; it stands for this frame's calls too.
                    let Some(Frame::Code(frame)) = self.frames.pop() else {
                        return Step::Unwind(Error::new("internal error: tail call outside code"));
                    };
                    self.stack.truncate(frame.base);
                    let span = Some(span!());
                    if let Some(c) = runs_body(&f) {
                        let entered = self.continue_calls(frame.calls, |vm| {
                            let entered = vm.enter_body(&c.lambda, &c.env, arg);
                            vm.mark_tail_site(&entered, span);
                            entered
                        });
                        enter!(entered, c.lambda.chunk, span);
                    }
                    switch!(self.continue_calls(frame.calls, |vm| {
                        let step = vm.call(f, arg, span);
                        vm.tail_called(step, span)
                    }));
                }
                Op::Call => {
                    let arg = pop!();
                    let f = pop!();
                    save!();
                    // A lambda whose body runs in a frame is entered without leaving the loop.
                    if let Some(c) = runs_body(&f) {
                        enter!(
                            self.enter_body(&c.lambda, &c.env, arg),
                            c.lambda.chunk,
                            Some(span!())
                        );
                    }
                    switch!(self.call(f, arg, Some(span!())));
                }
                Op::Call2 => {
                    let b = pop!();
                    let a = pop!();
                    let f = pop!();
                    let span = Some(span!());
                    if !takes_two(&f) {
                        // `f a` now; the `Swap; Call` that follow apply its result to `b`.
                        self.stack.push(b);
                        save!();
                        if self.driver == Driver::Recursive {
                            match self.answer_nested(Nested::Call(f, a), span) {
                                Ok(v) => self.stack.push(v),
                                Err(e) => return Step::Unwind(e),
                            }
                            continue;
                        }
                        switch!(self.call(f, a, span));
                    }
                    let tail = matches!(chunk.ops.get(ip + 1), Some(Op::TailCall));
                    ip += 2;
                    if self.driver == Driver::Recursive {
                        save!();
                        match self.answer_nested(Nested::Call2(f, a, b), span) {
                            Ok(v) => self.stack.push(v),
                            Err(e) => return Step::Unwind(e),
                        }
                        continue;
                    }
                    if tail {
                        let Some(Frame::Code(frame)) = self.frames.pop() else {
                            return Step::Unwind(Error::new(
                                "internal error: tail call outside code",
                            ));
                        };
                        self.stack.truncate(frame.base);
                        if let Some((c, inner)) = runs_body2(&f) {
                            let entered = self.continue_calls(frame.calls, |vm| {
                                let entered = vm.enter_body2(&c.lambda, inner, &c.env, a, b);
                                vm.mark_tail_site(&entered, span);
                                entered
                            });
                            enter!(entered, inner.chunk, span);
                        }
                        switch!(self.continue_calls(frame.calls, |vm| {
                            let step = vm.call2(f, a, b, span);
                            vm.tail_called(step, span)
                        }));
                    }
                    save!();
                    if let Some((c, inner)) = runs_body2(&f) {
                        enter!(
                            self.enter_body2(&c.lambda, inner, &c.env, a, b),
                            inner.chunk,
                            span
                        );
                    }
                    switch!(self.call2(f, a, b, span));
                }
                Op::Swap => {
                    self.expect_operands(2);
                    let n = self.stack.len();
                    if n >= 2 {
                        self.stack.swap(n - 1, n - 2);
                    }
                }
                Op::Return => {
                    let v = pop!();
                    if let Some(Frame::Code(f)) = self.frames.pop() {
                        // (Nothing is left above the base as a rule: no call to drop none.)
                        if self.stack.len() > f.base {
                            self.stack.truncate(f.base);
                        }
                        self.call_depth -= f.calls;
                    }
                    // Deliver straight into the code frame below (through thunk updates).
                    loop {
                        if self.frames.len() <= floor {
                            return Step::Return(v);
                        }
                        match self.frames.last() {
                            Some(Frame::Code(_)) => break,
                            Some(Frame::Thunk(_)) => {
                                if let Some(Frame::Thunk(t)) = self.frames.pop() {
                                    t.thunk.finish(v.clone());
                                }
                            }
                            _ => return Step::Return(v),
                        }
                    }
                    self.stack.push(v);
                    reload!();
                }
                Op::Jump(t) => ip = t as usize,
                // (Matched by value: a Boolean taken off the stack needs no drop call.)
                Op::JumpIfFalse(t) => match pop!() {
                    Value::Bool(b) => {
                        if !b.get() {
                            ip = t as usize
                        }
                    }
                    other => fail!(ops::type_error("a Boolean", &other)),
                },
                // (Matched by value: a Boolean taken off the stack needs no drop call.)
                Op::JumpIfTrue(t) => match pop!() {
                    Value::Bool(b) => {
                        if b.get() {
                            ip = t as usize
                        }
                    }
                    other => fail!(ops::type_error("a Boolean", &other)),
                },
                Op::AssertBool => {
                    self.expect_operands(1);
                    if let Some(v) = self.stack.last()
                        && let Err(e) = ops::boolean(v)
                    {
                        fail!(e);
                    }
                }
                Op::Add => {
                    if int_fast(&mut self.stack, op) {
                        continue;
                    }
                    let b = pop!();
                    let a = pop!();
                    match ops::add(&a, &b) {
                        Ok(Some(v)) => self.stack.push(v),
                        Ok(None) => {
                            let at = span!();
                            let add = move |co| walk::add_slow(co, a, b, at);
                            spawn!("+", request::generator(add))
                        }
                        Err(e) => fail!(e),
                    }
                }
                Op::Sub | Op::Mul | Op::Div => {
                    if int_fast(&mut self.stack, op) {
                        continue;
                    }
                    let b = pop!();
                    let a = pop!();
                    match ops::arith(op, &a, &b) {
                        Ok(v) => self.stack.push(v),
                        Err(e) => fail!(e),
                    }
                }
                Op::Eq | Op::NotEq => {
                    if int_fast(&mut self.stack, op) {
                        continue;
                    }
                    let b = pop!();
                    let a = pop!();
                    let negate = op == Op::NotEq;
                    match walk::equal_flat(&a, &b) {
                        Some(eq) => self.stack.push(Value::bool(eq != negate)),
                        None => spawn!(
                            "==",
                            request::generator(move |co| async move {
                                Ok(Value::bool(walk::equal(&co, a, b, false).await? != negate))
                            })
                        ),
                    }
                }
                Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq => {
                    if int_fast(&mut self.stack, op) {
                        continue;
                    }
                    let b = pop!();
                    let a = pop!();
                    let (x, y, negate) = ops::as_less(op, a, b);
                    match ops::less_shallow(&x, &y) {
                        Ok(Some(lt)) => self.stack.push(Value::bool(lt != negate)),
                        Ok(None) => spawn!(
                            "<",
                            request::generator(move |co| async move {
                                Ok(Value::bool(walk::less_than(&co, x, y).await? != negate))
                            })
                        ),
                        Err(e) => fail!(e),
                    }
                }
                Op::Not => match ops::boolean(&pop!()) {
                    Ok(b) => self.stack.push(Value::bool(!b)),
                    Err(e) => fail!(e),
                },
                op @ (Op::Concat
                | Op::Update
                | Op::Negate
                | Op::MakeAttrs(..)
                | Op::DynSelect
                | Op::DynSelectOrJump(_)
                | Op::DynHasAttr
                | Op::WithLookup(..)
                | Op::UndefinedVar(_)
                | Op::CoerceInterp
                | Op::Interpolate(_)
                | Op::ToPath
                | Op::Assert(_)
                | Op::Formals
                | Op::AssertEqFail(..)
                | Op::Fail(_)) => match self.rare_op(op, &chunk, &env, ip, span!()) {
                    Ok(Rare::Next) => {}
                    Ok(Rare::Jump(t)) => ip = t,
                    Ok(Rare::Spawn(name, generator)) => spawn!(name, generator),
                    Err(e) => fail!(e),
                },
                Op::MakeStaticAttrs(table, names) => self.make_static_attrs(&chunk, table, names),
                Op::MakeList(n) => self.make_list(n as usize),
                Op::Select(k) => {
                    let v = pop!();
                    let name = chunk.symbols[k as usize];
                    match ops::select(&v, name) {
                        Ok(x) => self.stack.push(x),
                        Err(e) => {
                            fail!(trace::selection_failed(e, &v, name.as_bytes(), &chunk, ip))
                        }
                    }
                }
                Op::SelectOrJump(k, t) => {
                    let v = pop!();
                    let name = chunk.symbols[k as usize];
                    match &v {
                        Value::Attrs(a) => match a.get(name) {
                            Some(x) => self.stack.push(x.clone()),
                            None => ip = t as usize,
                        },
                        _ => ip = t as usize,
                    }
                }
                Op::HasAttr(k) => {
                    let v = pop!();
                    let name = chunk.symbols[k as usize];
                    self.stack.push(Value::bool(ops::has_attr(&v, name)));
                }
            }
        }
    }

    /// Leaves the dispatch loop with an error at `span`, the frame's registers written back.
    /// Out of line, like every error path: the loop's code is what must stay small.
    #[cold]
    #[inline(never)]
    fn fail_at(&mut self, e: Error, ip: usize, env: &crate::value::Env, span: Span) -> Step {
        self.write_back(ip, env);
        // One whose trace already says where it is (`while evaluating a path segment`) keeps
        // no position of its own, as in C++ Nix, nor one of an operator C++ Nix makes a call
        // of a builtin (the call's line says where).
        let call = match self.frames.last() {
            Some(Frame::Code(f)) => f
                .chunk
                .contexts
                .iter()
                .any(|c| c.call && c.end as usize == ip),
            _ => false,
        };
        // Nor an attribute missing from a selection (`while evaluating the attribute`).
        let missing = e.class == ErrorClass::MissingAttribute;
        match e.trace.is_empty() && !call && !missing {
            true => Step::Unwind(e.at(span)),
            false => Step::Unwind(e),
        }
    }

    /// Writes the dispatch loop's registers back into the code frame on top.
    #[inline]
    fn write_back(&mut self, ip: usize, env: &crate::value::Env) {
        if let Some(Frame::Code(f)) = self.frames.last_mut() {
            f.ip = ip;
            if !f.env.ptr_eq(env) {
                f.env = env.clone();
            }
        }
    }

    /// Checks the invariants that hold between two ops of `execute` (`design/vm.md`,
    /// "Invariants"), so that a VM bug panics where it happens instead of turning into a wrong
    /// value or a confusing error later. Debug builds only: it reads the frame stack per op.
    #[cfg(debug_assertions)]
    fn check_invariants(&self, floor: usize, chunk: &Rc<Chunk>) {
        assert!(
            self.frames.len() > floor,
            "execute: running a frame at or below its floor ({} frames, floor {floor})",
            self.frames.len()
        );
        let (top, below) = match self.frames.as_slice() {
            [.., below, Frame::Code(top)] => (top, Some(below)),
            [Frame::Code(top)] => (top, None),
            [.., other] => panic!(
                "execute: the frame on top is a {} frame, not a code frame",
                frame_kind(other)
            ),
            [] => unreachable!("execute: no frames above the floor"),
        };
        assert!(
            Rc::ptr_eq(&top.chunk, chunk),
            "execute: the chunk being run is not that of the code frame on top"
        );
        assert!(
            self.stack.len() >= top.base,
            "execute: the operand stack ({} values) is below the code frame's base ({})",
            self.stack.len(),
            top.base
        );
        match below {
            // The host's chunk, or what it tail-called.
            None => {}
            Some(Frame::Thunk(t)) => assert!(
                t.thunk.is_blackhole(),
                "execute: the thunk of the thunk frame under a code frame is not being forced"
            ),
            Some(Frame::Code(caller)) => {
                assert!(
                    top.calls > 0,
                    "execute: a code frame on a code frame is not a call"
                );
                assert!(
                    caller.base <= top.base,
                    "execute: a code frame's base ({}) is below its caller's ({})",
                    top.base,
                    caller.base
                );
            }
            Some(Frame::Gen(_) | Frame::Loop(_) | Frame::Functor(_)) => assert!(
                top.calls > 0,
                "execute: a code frame on a {} frame is not a call",
                below.map_or("", frame_kind)
            ),
            Some(Frame::Args(_)) => {
                panic!("execute: a code frame on an args frame (only a thunk frame goes there)")
            }
            Some(Frame::Apply(_)) => {
                panic!("execute: a code frame on an apply frame (only a thunk frame goes there)")
            }
        }
    }

    /// Checks (debug builds; nothing in release) that the code frame on top has `n` operands
    /// for the op to take: no op reaches into the operands of the frame below.
    #[inline(always)]
    fn expect_operands(&self, n: usize) {
        debug_assert!(
            matches!(self.frames.last(), Some(Frame::Code(f)) if self.stack.len() >= f.base + n),
            "execute: an op takes {n} operands, more than its code frame has above its base"
        );
    }

    #[cold]
    #[inline(never)]
    fn underflow(&mut self, ip: usize, env: &crate::value::Env, span: Span) -> Step {
        let e = Error::new("internal error: operand stack underflow");
        self.fail_at(e, ip, env, span)
    }

    /// The ops that are rare or costly anyway, out of the dispatch loop so that it stays small
    /// (in one function with the hot ops they cost every op spilled registers).
    #[inline(never)]
    fn rare_op(
        &mut self,
        op: Op,
        chunk: &Chunk,
        env: &Env,
        ip: usize,
        span: Span,
    ) -> Result<Rare, Error> {
        match op {
            Op::Concat => {
                let b = self.pop_operand()?;
                let a = self.pop_operand()?;
                match (a, b) {
                    (Value::List(x), Value::List(y)) => {
                        crate::allocator::reserve(
                            crate::value::list_bytes(x.len() + y.len()),
                            "a list",
                        )?;
                        self.stack.push(Value::List(NixList::concat(x, y)));
                    }
                    (Value::List(_), other) | (other, _) => {
                        let mut e = ops::type_error("a list", &other);
                        e.add_trace(
                            Some(span),
                            "while evaluating one of the elements to concatenate",
                        );
                        return Err(e);
                    }
                }
            }
            Op::Update => {
                let b = self.pop_operand()?;
                let a = self.pop_operand()?;
                match (&a, &b) {
                    (Value::Attrs(x), Value::Attrs(y)) => {
                        let v = if y.is_empty() {
                            a.clone()
                        } else if x.is_empty() {
                            b.clone()
                        } else {
                            Value::attrs(x.update(y))
                        };
                        self.stack.push(v);
                    }
                    (Value::Attrs(_), other) | (other, _) => {
                        return Err(ops::type_error("a set", other));
                    }
                }
            }
            Op::Negate => {
                let v = self.pop_operand()?;
                self.stack.push(ops::negate(&v)?);
            }
            Op::MakeAttrs(n, table) => {
                self.expect_operands(2 * n as usize);
                let positions = &chunk.attr_positions[table as usize];
                match make_attrs(&mut self.stack, n as usize, positions) {
                    Ok(v) => self.stack.push(v),
                    Err(MakeAttrsError::BadName(e)) => return Err(e),
                    Err(MakeAttrsError::Duplicate(name, first, again)) => {
                        let e = Error::new(format!(
                            "dynamic attribute '{name}' already defined at {}",
                            self.host.sources().position(first)
                        ));
                        return Err(match again {
                            Span::UNKNOWN => e,
                            again => e.at(again),
                        });
                    }
                }
            }
            Op::DynSelect => {
                let name = self.pop_operand()?;
                let v = self.pop_operand()?;
                match ops::dyn_select(&v, &name) {
                    Ok(x) => self.stack.push(x),
                    Err(e) => {
                        return Err(trace::dyn_selection_failed(e, &v, &name, chunk, ip, span));
                    }
                }
            }
            Op::DynSelectOrJump(t) => {
                let name = self.pop_operand()?;
                let v = self.pop_operand()?;
                // Its one error is a name that is no string.
                let found = ops::dyn_select_or(&v, &name);
                match found.map_err(|e| trace::attribute_name_failed(e, span))? {
                    Some(x) => self.stack.push(x),
                    None => return Ok(Rare::Jump(t as usize)),
                }
            }
            Op::DynHasAttr => {
                let name = self.pop_operand()?;
                let v = self.pop_operand()?;
                self.stack.push(Value::bool(ops::dyn_has_attr(&v, &name)?));
            }
            Op::WithLookup(k, t) => {
                let v = self.pop_operand()?;
                let name = chunk.symbols[k as usize];
                if let Some(x) = ops::with_lookup(&v, name)? {
                    self.stack.push(x);
                    return Ok(Rare::Jump(t as usize));
                }
            }
            Op::UndefinedVar(k) => {
                let name = chunk.symbols[k as usize];
                return Err(Error::new(format!("undefined variable '{name}'"))
                    .with_class(crate::errors::ErrorClass::UndefinedVariable));
            }
            Op::CoerceInterp => {
                let v = self.pop_operand()?;
                let how = walk::Coercion::INTERPOLATION.within_at(walk::PATH_SEGMENT, span);
                match v {
                    Value::String(_) => self.stack.push(v),
                    Value::Attrs(_) | Value::Path(_) => {
                        return Ok(Rare::Spawn(
                            "interpolation",
                            request::generator(move |co| async move {
                                Ok(Value::String(walk::coerce_to_string(&co, v, how).await?))
                            }),
                        ));
                    }
                    other => return Err(walk::cannot_coerce_for(&other, how)),
                }
            }
            Op::Interpolate(n) => {
                self.expect_operands(n as usize);
                let at = self.stack.len().saturating_sub(n as usize);
                let parts = self.stack.split_off(at);
                let strs: Vec<NixString> = parts
                    .into_iter()
                    .filter_map(|p| match p {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                self.stack
                    .push(Value::String(NixString::concat(strs.iter())?));
            }
            Op::ToPath => {
                let v = self.pop_operand()?;
                match v {
                    Value::String(s) => {
                        let p = crate::paths::from_bytes(s.as_bytes());
                        self.stack.push(Value::Path(Rc::new(canon_path(&p))));
                    }
                    other => return Err(ops::type_error("a string", &other)),
                }
            }
            Op::Assert(k) => match self.pop_operand()? {
                Value::Bool(crate::value::NixBool::TRUE) => {}
                Value::Bool(crate::value::NixBool::FALSE) => {
                    let text = const_text(&chunk.consts[k as usize]);
                    return Err(Error::new(format!("assertion '{text}' failed"))
                        .with_class(ErrorClass::Assert));
                }
                v => return Err(ops::type_error("a Boolean", &v)),
            },
            Op::Formals => {
                let arg = self.pop_operand()?;
                self.bind_formals(chunk, env, arg)?
            }
            Op::AssertEqFail(k, eq) => {
                let b = self.pop_operand()?;
                let a = self.pop_operand()?;
                let text = const_text(&chunk.consts[k as usize]);
                let eq = Span {
                    start: eq,
                    end: eq + 2,
                    ..span
                };
                return Ok(Rare::Spawn(
                    "assert",
                    request::generator(move |co| async move {
                        // The difference has no position: the trace says where it is.
                        if let Err(mut e) = walk::assert_equal(&co, a, b, eq).await {
                            let what =
                                format!("while evaluating the condition of the assertion '{text}'");
                            e.add_trace(Some(span), what);
                            return Err(e);
                        }
                        Err(Error::new(format!("assertion '{text}' failed"))
                            .with_class(ErrorClass::Assert))
                    }),
                ));
            }
            Op::Fail(k) => {
                let msg = const_text(&chunk.consts[k as usize]);
                return Err(Error::new(msg.to_string()));
            }
            _ => return Err(Error::new("internal error: not a rare op")),
        }
        Ok(Rare::Next)
    }

    /// `MakeStaticAttrs` (out of line: it allocates anyway).
    #[inline(never)]
    fn make_static_attrs(&mut self, chunk: &Chunk, table: u32, names: u32) {
        let names = &chunk.attr_names[names as usize];
        self.expect_operands(names.len());
        let at = self.stack.len().saturating_sub(names.len());
        let entries = names.iter().cloned().zip(self.stack.drain(at..)).collect();
        let positions = chunk.attr_positions[table as usize].clone();
        self.stack
            .push(Value::attrs(Attrs::with_positions(entries, positions)));
    }

    /// `MakeList` (out of line: it allocates anyway).
    #[inline(never)]
    fn make_list(&mut self, n: usize) {
        self.expect_operands(n);
        let at = self.stack.len().saturating_sub(n);
        let items = self.stack.split_off(at);
        self.stack.push(Value::list(items));
    }

    /// Pops an operand (`rare_op`).
    fn pop_operand(&mut self) -> Result<Value, Error> {
        self.expect_operands(1);
        self.stack
            .pop()
            .ok_or_else(|| Error::new("internal error: operand stack underflow"))
    }

    /// The value of `body` in `env` when it can be computed on the spot (`vm::speculate`),
    /// else a thunk of it. (Always inlined: as a call from the dispatch loop it cost modules
    /// 2 % more instructions.)
    #[inline(always)]
    fn delay(&mut self, body: &Rc<crate::value::code::Chunk>, env: &crate::value::Env) -> Value {
        let known = match body.speculable {
            true => super::speculate::speculate(body, env, &mut self.stack),
            false => None,
        };
        known.unwrap_or_else(|| {
            self.stats.thunks_created += 1;
            Value::Thunk(Thunk::code(body.clone(), env.clone()))
        })
    }

    /// Fills a pattern lambda's slots from its (forced) argument set.
    fn bind_formals(
        &mut self,
        chunk: &crate::value::code::Chunk,
        env: &crate::value::Env,
        arg: Value,
    ) -> Result<(), Error> {
        let Some(formals) = &chunk.formals else {
            return Ok(());
        };
        let Value::Attrs(attrs) = &arg else {
            return Err(ops::type_error("a set", &arg));
        };
        let fname = &formals.name;
        let mut defaults_may_cycle = false;
        let mut missing = None;
        for (i, (name, default)) in formals.entries.iter().enumerate() {
            match (attrs.get(*name), default) {
                (Some(v), _) => env.set(i, v.clone()),
                (None, Some(code)) => {
                    // `b ? false`, `b ? null`, `b ? [ ]`: the constant itself.
                    let constant = match code.ops[..] {
                        [Op::Const(k), Op::Return] => code.consts.get(k as usize).cloned(),
                        _ => None,
                    };
                    let v = constant.unwrap_or_else(|| self.delay(code, env));
                    // A default may refer to the scope it is stored in.
                    defaults_may_cycle |= v.holds_values();
                    env.set(i, v);
                }
                (None, None) => {
                    missing = Some(*name);
                    break;
                }
            }
        }
        // Registered before either error below returns: the defaults already stored may refer
        // to the scope, and a cycle nobody registered is never freed (found by fuzzing:
        // `({ x ? y, y ? x }: x) { z = 1; }` leaked its scope and both defaults).
        if defaults_may_cycle {
            env.may_cycle();
        }
        if let Some(name) = missing {
            return Err(Error::new(format!(
                "function '{fname}' called without required argument '{name}'"
            )));
        }
        if !formals.ellipsis {
            for key in attrs.keys() {
                if !formals.entries.iter().any(|(n, _)| *n == key) {
                    let mut e = Error::new(format!(
                        "function '{fname}' called with unexpected argument '{key}'"
                    ));
                    let names = formals.entries.iter().map(|(n, _)| n.as_bytes());
                    e.suggestions = crate::value::suggestions(names, key.as_bytes());
                    return Err(e);
                }
            }
        }
        if let Some(slot) = formals.bind_slot {
            env.set(slot, arg.clone());
        }
        Ok(())
    }
}

/// The bytes of a string constant (names and messages), without copying them.
#[inline]
fn const_bytes(v: &Value) -> &[u8] {
    match v {
        Value::String(s) => s.as_bytes(),
        _ => b"",
    }
}

/// A string constant as text, for messages.
fn const_text(v: &Value) -> String {
    String::from_utf8_lossy(const_bytes(v)).into_owned()
}

/// `f` if it is a lambda whose call runs its body in a frame (not a curried lambda, which
/// makes a closure, nor a speculable body worth trying, which `Vm::call` may compute on the
/// spot).
#[inline(always)]
fn runs_body(f: &Value) -> Option<&Closure> {
    match f {
        Value::Closure(c) if c.lambda.curried.is_none() && !tries_speculation(&c.lambda) => Some(c),
        _ => None,
    }
}

/// Whether a call of `lambda` goes through `Vm::call`, which first tries to speculate its
/// body: not for a body that cannot be, or whose attempts keep failing and are not due for
/// a retry (`Record`), such as a fixpoint's `self: { ... }` whose set refers to `self`.
#[inline(always)]
fn tries_speculation(lambda: &crate::value::Lambda) -> bool {
    lambda.chunk.speculable && lambda.chunk.speculation.worth_trying()
}

/// `runs_body` for a curried `a: b: ...` applied to both arguments (`Call2`): the closure and
/// its inner lambda, when the two share one scope and the inner body runs in a frame.
#[inline(always)]
fn runs_body2(f: &Value) -> Option<(&Closure, &crate::value::Lambda)> {
    match f {
        Value::Closure(c) => match &c.lambda.curried {
            Some(inner)
                if inner.merged != 0 && inner.curried.is_none() && !tries_speculation(inner) =>
            {
                Some((c, inner))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A binary operator on the two integers on top of `stack`, done in place; `false` (and
/// nothing done) for other operands or where it would fail (overflow, division by zero: the
/// general path then reports it).
#[inline(always)]
fn int_fast(stack: &mut Vec<Value>, op: Op) -> bool {
    let [.., Value::Int(x), Value::Int(y)] = stack.as_slice() else {
        return false;
    };
    let Some(v) = ops::int_binary(op, *x, *y) else {
        return false;
    };
    // Both operands are integers, which own nothing: forgotten rather than dropped, which
    // would be a call into `Value`'s drop glue for each.
    std::mem::forget(stack.pop());
    if let Some(top) = stack.last_mut() {
        std::mem::forget(std::mem::replace(top, v));
    }
    true
}

/// A frame's kind, for the messages of `Vm::check_invariants`.
#[cfg(debug_assertions)]
fn frame_kind(frame: &Frame) -> &'static str {
    match frame {
        Frame::Code(_) => "code",
        Frame::Thunk(_) => "thunk",
        Frame::Gen(_) => "generator",
        Frame::Args(_) => "args",
        Frame::Loop(_) => "loop",
        Frame::Apply(_) => "apply",
        Frame::Functor(_) => "functor",
    }
}

/// How a rare op (`Vm::rare_op`) lets the dispatch loop go on.
enum Rare {
    /// With the next op.
    Next,
    /// At this op.
    Jump(usize),
    /// With a generator for the op's slow path on a new frame.
    Spawn(&'static str, super::BuiltinGen),
}

/// Why a set could not be built.
enum MakeAttrsError {
    /// A dynamic name that is neither a string without context nor null, and why.
    BadName(Error),
    /// A name defined twice, with the spans of its first definition and of the one that
    /// repeats it (where C++ Nix reports it).
    Duplicate(Symbol, Span, Span),
}

/// Builds a set from the `n` (name, value) pairs on top of `stack`, pushed in the order of
/// their definition sites `positions`; null names are dropped. Sets written with static names
/// arrive sorted and become a set with one allocation besides its `Rc`.
fn make_attrs(
    stack: &mut Vec<Value>,
    n: usize,
    positions: &crate::value::Positions,
) -> Result<Value, MakeAttrsError> {
    let at = stack.len().saturating_sub(2 * n);
    let mut entries = Vec::with_capacity(n);
    // Indices (in push order) of the pairs kept, once a null name has dropped one.
    let mut kept: Option<Vec<usize>> = None;
    let mut pairs = stack.drain(at..);
    let mut index = 0;
    while let (Some(k), Some(v)) = (pairs.next(), pairs.next()) {
        match k {
            Value::Null => {
                kept.get_or_insert_with(|| (0..index).collect());
            }
            k => {
                let name = ops::attr_name(&k).map_err(MakeAttrsError::BadName)?;
                entries.push((Symbol::from_string(name), v));
                if let Some(kept) = &mut kept {
                    kept.push(index);
                }
            }
        }
        index += 1;
    }
    drop(pairs);
    if kept.is_none() && entries.windows(2).all(|w| w[0].0 < w[1].0) {
        return Ok(Value::attrs(Attrs::with_positions(
            entries,
            positions.clone(),
        )));
    }
    let span_of = |i: usize| positions.get(i).copied().unwrap_or(Span::UNKNOWN);
    let mut spanned: Vec<_> = match kept {
        Some(kept) => entries
            .into_iter()
            .zip(kept.into_iter().map(span_of))
            .collect(),
        None => entries.into_iter().zip((0..).map(span_of)).collect(),
    };
    spanned.sort_by_key(|e| e.0.0);
    if let Some(w) = spanned.windows(2).find(|w| w[0].0.0 == w[1].0.0) {
        return Err(MakeAttrsError::Duplicate(w[0].0.0, w[0].1, w[1].1));
    }
    let (entries, spans): (Vec<_>, Vec<_>) = spanned.into_iter().unzip();
    Ok(Value::attrs(Attrs::with_positions(
        entries,
        crate::value::positions(spans),
    )))
}
