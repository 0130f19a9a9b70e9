//! Cycle collection: reclaiming the reference cycles that `rec`, `let` and fixpoints leave.
//!
//! Values are reference-counted, which frees everything acyclic the moment it is dropped.
//! Cycles need a collector, and it must work without knowing the roots: values are also held
//! by suspended builtin generators, by host handles and by Rust locals, none of which can be
//! enumerated. So this is trial deletion over the reference counts, as CPython's collector
//! does it: for a set of objects, subtract from each object's count the references it gets
//! from inside the set; whatever still has references left is held from outside (a root of
//! some kind), and so is everything it reaches; the rest is garbage, held only by itself.
//!
//! **Which objects start the search.** Nix values never change once made, except two cells:
//! a thunk gets its value, and a `let`/`rec` scope gets its bindings after it exists. A cycle
//! needs a reference from an older object to a newer one, and only those writes make one; so
//! the oldest object of every cycle is a thunk evaluated to something holding values, or a
//! scope whose slots were filled after it was made. Those two are *registered* when the write
//! happens (`Thunk::finish`, `Env::may_cycle`), as weak references in a per-thread list; a
//! collection starts from the registered objects that are still alive and follows every
//! reference from there (sets, lists, closures, partial applications, scopes, thunks, the
//! shared calls of a `map`). An object with one reference is simply part of its only
//! referrer; a shared object keeps its count in a mark inside it (`Mark`, in room that sets,
//! lists, thunks, scopes and calls have spare: no block grows), or, for the rarer kinds with
//! no room, in a table by address. The marks also say which objects an earlier collection
//! found alive: a young collection, started from the registrations since the last one, stops
//! there. Reading a mark costs nothing beyond the reference count the search reads anyway,
//! where a table lookup was a cache miss of its own: the marks took the collector's time on
//! the module-system workload from 1.55 s to about 1 s.
//! The search is an explicit stack, never native recursion, whose references are fetched into
//! the cache a few ahead of being followed (`Search`).
//!
//! **Breaking the cycles.** Every garbage cycle contains a registered garbage object (its
//! oldest); emptying those (the thunk's state, the scope's slots) breaks every cycle, and the
//! reference counts free the rest, through the non-recursive destructors of `drop`.
//!
//! **When.** The VM calls `checkpoint` every few thousand operations; a young collection runs
//! every few thousand registrations (each live object is searched once by one of them, so
//! they cost a bounded amount per registration), or every few such intervals while they
//! reclaim little (an interval passed over marks its registered objects old unsearched), a
//! full one once the live registrations have grown some times over since the last, and
//! `collect` runs one on demand (a host; an evaluation being dropped). Registrations of
//! objects that die young are swept out in between, so the memory of a dead thunk is reused
//! soon.
//!
//! **Why this is safe.** A collection runs only between operations, where everything the VM
//! and the builtins hold is an owned, counted reference. An object declared garbage has all
//! its references from other garbage, so no such owned reference reaches it, and nothing can
//! borrow into it: emptying it disturbs no one.

use super::function::{Closure, PartialApp};
use super::scope::{self, Env};
use super::segmented::SegmentedList;
use super::thunk::{Calls, Over, Registered, ThunkCell, ThunkState};
use super::{Attrs, NixList, Thunk, Value};
use crate::allocator::prefetch;
use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Registrations that make a young collection due. Small, so that a young collection finds
/// its objects still in the cache: the objects a run's young collections search come to the
/// same number at any interval (each live one is searched once, then old), but each costs
/// less while it is fresh (the module workload searched 2.70 M objects either way, in 839 ms
/// when the interval grew to 64 Ki after collections that freed little, 518 ms at 2 048).
const YOUNG_EVERY: usize = 2048;
/// Growth of the registrations of live objects, past `full_growth` times their number after
/// the last full collection, that makes a full collection due.
const FULL_SLACK: usize = 64 * 1024;
/// That factor after a full collection that freed a tenth or more of what it searched, and
/// after one that freed less (a program whose old objects never become cyclic garbage, such as
/// `benches/real/attrs.nix`, stops paying for searches of its whole heap; the module workload
/// at 200 services, whose second full collection freed 11%: 1.70 s with it, 1.29 s without).
const FULL_GROWTH: usize = 4;
const FULL_GROWTH_MAX: usize = 16;
/// The most room a collection's search stack starts with (16 bytes a reference).
const EDGES_ROOM_MAX: usize = 64 * 1024;
/// Fresh registrations after which those of dead objects are swept out.
const SWEEP_EVERY: usize = 4096;
/// A young collection that reclaims fewer than one object in `LOW_YIELD` of those it searched
/// doubles the number of young intervals that pass before the next one (up to `SPACING_MAX`);
/// one that reclaims more sets it back to one.
const LOW_YIELD: u64 = 16;
const SPACING_MAX: usize = 64;

/// What the collector did on this thread, all collections together.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GcStats {
    /// Collections run (young and full).
    pub collections: u64,
    /// Of those, full collections.
    pub full_collections: u64,
    /// Objects the collections looked at (each collection counts what it searched).
    pub objects_searched: u64,
    /// Objects freed by breaking cycles (sets, lists, thunks, scopes, functions).
    pub objects_reclaimed: u64,
    /// Their size, estimated from their types and lengths.
    pub bytes_reclaimed: u64,
    /// Time spent in collections.
    pub time: Duration,
    /// Thunks and scopes registered as possible starts of cycles.
    pub registered: u64,
}

/// The objects that may start a cycle, by weak reference, and what the last collections
/// found alive.
#[derive(Default)]
struct Registry {
    thunks: SegmentedList<Registered>,
    envs: SegmentedList<scope::Registered>,
    /// Where the registrations since the last collection (the young ones) start.
    young: (usize, usize),
    /// Where the registrations not yet swept start (at or after `young`).
    unswept: (usize, usize),
    /// Registrations since the last collection.
    fresh: usize,
    /// Marks of the objects without room for one (`Trial::side`).
    side: SideMarks,
    /// Registrations of live objects right after the last full collection.
    live_after_full: usize,
    /// How many times `live_after_full` makes a full collection due (`FULL_GROWTH` to
    /// `FULL_GROWTH_MAX`).
    full_growth: usize,
    /// Young intervals from one young collection to the next (1 to `SPACING_MAX`), and how
    /// many have passed without one.
    spacing: usize,
    passed: usize,
    /// Collect at every checkpoint (`set_eager`).
    eager: bool,
    /// The room the last collection's search stack grew to: the next one starts with it
    /// instead of growing its stack a dozen times over.
    edges_room: usize,
    stats: GcStats,
}

/// Which registered objects a collection starts from.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Those registered since the last collection, searching no further than old objects.
    Young,
    /// All of them, searching everything they reach.
    Full,
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry {
        full_growth: FULL_GROWTH,
        spacing: 1,
        ..Registry::default()
    });
}

/// Registers an evaluated thunk whose value holds further values.
#[inline]
pub(super) fn register_thunk(thunk: &Thunk) {
    if let Some(registered) = Registered::new(thunk) {
        register(registered, |r| &mut r.thunks);
    }
}

/// Registers a scope whose slots are filled after it was made.
#[inline]
pub(super) fn register_env(env: &Env) {
    if let Some(registered) = scope::Registered::new(env) {
        register(registered, |r| &mut r.envs);
    }
}

#[inline]
fn register<R>(weak: R, list: fn(&mut Registry) -> &mut SegmentedList<R>) {
    // During thread teardown the registry may be gone; nothing is collected then anyway.
    let _ = REGISTRY.try_with(|r| {
        let mut r = r.borrow_mut();
        list(&mut r).push(weak);
        r.fresh += 1;
    });
}

/// Called by the VM between operations: collects if enough has been registered since the last
/// collection (a full collection once the old objects have doubled), else sweeps out the
/// registrations of objects that died since the last sweep.
pub(crate) fn checkpoint() {
    let due = REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        if r.eager {
            // Every sixteenth collection full, so that both kinds run everywhere.
            let full = r.stats.collections % 16 == 15;
            return Some(if full { Kind::Full } else { Kind::Young });
        }
        if r.fresh >= YOUNG_EVERY {
            let live = r.young.0 + r.young.1;
            if live >= r.full_growth * r.live_after_full + FULL_SLACK {
                return Some(Kind::Full);
            }
            r.passed += 1;
            if r.passed >= r.spacing {
                return Some(Kind::Young);
            }
            r.pass();
            return None;
        }
        let (t, e) = r.unswept;
        if r.thunks.len() + r.envs.len() - t - e >= SWEEP_EVERY {
            r.sweep();
        }
        None
    });
    if let Some(kind) = due {
        run(kind);
    }
}

/// Makes this thread collect at every checkpoint (one in sixteen collections full), and the VMs made on
/// it from now on check after every operation (`is_eager`). Very slow: for tests, where a
/// collection at every possible point shows up any reference the collector does not know of.
pub fn set_eager(eager: bool) {
    REGISTRY.with(|r| r.borrow_mut().eager = eager);
}

/// Whether `set_eager` is on for this thread.
pub(crate) fn is_eager() -> bool {
    REGISTRY.with(|r| r.borrow().eager)
}

/// This thread's collector counters.
pub fn stats() -> GcStats {
    REGISTRY.with(|r| {
        let r = r.borrow();
        GcStats {
            registered: r.stats.registered + r.fresh as u64,
            ..r.stats
        }
    })
}

impl Registry {
    /// Lets a young interval pass without a collection: its registered objects are marked old
    /// unsearched (young collections stop at them), their registrations stay for the full
    /// collections, and the next young collection starts after them.
    fn pass(&mut self) {
        self.sweep();
        let (t, e) = self.young;
        self.thunks.iter_from(t).for_each(|r| r.mark().set_old());
        self.envs.iter_from(e).for_each(|r| r.mark().set_old());
        self.young = self.unswept;
        self.stats.registered += self.fresh as u64;
        self.fresh = 0;
    }

    /// Drops the unswept registrations of objects no longer alive (freeing their blocks).
    fn sweep(&mut self) {
        let (t, e) = self.unswept;
        self.thunks.retain_from(t, Registered::is_alive);
        self.envs.retain_from(e, scope::Registered::is_alive);
        self.unswept = (self.thunks.len(), self.envs.len());
    }

    /// Takes out the registrations a collection of `kind` starts from, and the side marks
    /// (emptied for a full collection, which ignores what earlier ones found).
    fn take(&mut self, kind: Kind) -> (Vec<Registered>, Vec<scope::Registered>, SideMarks) {
        let side = std::mem::take(&mut self.side);
        match kind {
            Kind::Young => {
                let (t, e) = self.young;
                (self.thunks.split_off(t), self.envs.split_off(e), side)
            }
            Kind::Full => {
                let thunks = self.thunks.split_off(0);
                (thunks, self.envs.split_off(0), FxHashMap::default())
            }
        }
    }

    /// Puts back the registrations of the objects a collection found alive and the side
    /// marks, and records what it found.
    fn put_back(&mut self, kind: Kind, survivors: Survivors, this: GcStats) {
        let searched = this.objects_searched;
        self.thunks.extend(survivors.thunks);
        self.envs.extend(survivors.envs);
        self.side = survivors.side;
        self.edges_room = survivors.edges_room;
        self.young = (self.thunks.len(), self.envs.len());
        self.unswept = self.young;
        self.stats.registered += self.fresh as u64;
        self.fresh = 0;
        self.passed = 0;
        if kind == Kind::Young {
            self.spacing = match this.objects_reclaimed * LOW_YIELD < searched {
                true => (self.spacing * 2).min(SPACING_MAX),
                false => 1,
            };
        }
        if kind == Kind::Full {
            self.live_after_full = self.young.0 + self.young.1;
            self.stats.full_collections += 1;
            self.full_growth = match this.objects_reclaimed * 10 < searched {
                true => FULL_GROWTH_MAX,
                false => FULL_GROWTH,
            };
        }
        let s = &mut self.stats;
        s.collections += 1;
        s.objects_searched += this.objects_searched;
        s.objects_reclaimed += this.objects_reclaimed;
        s.bytes_reclaimed += this.bytes_reclaimed;
        s.time += this.time;
    }
}

/// A weak reference to a registered object: a thunk's or a scope's.
trait Registration {
    type Owner;
    fn upgrade(&self) -> Option<Self::Owner>;
    /// The start of the object's block, to fetch it into the cache by.
    fn block(&self) -> usize;
}

impl Registration for Registered {
    type Owner = Thunk;
    fn upgrade(&self) -> Option<Thunk> {
        Registered::upgrade(self)
    }
    fn block(&self) -> usize {
        self.addr()
    }
}

impl Registration for scope::Registered {
    type Owner = Env;
    fn upgrade(&self) -> Option<Env> {
        scope::Registered::upgrade(self)
    }
    fn block(&self) -> usize {
        self.addr()
    }
}

/// The bytes of counts that an `Rc`'s block holds in front of the address it points at.
const RC_COUNTS: usize = 16;

/// Runs a full collection on this thread: frees every cycle that nothing outside it refers
/// to. Returns what it reclaimed.
pub fn collect() -> GcStats {
    run(Kind::Full)
}

/// What a collection keeps: the registrations of live objects, and the side marks.
struct Survivors {
    thunks: Vec<Registered>,
    envs: Vec<scope::Registered>,
    side: SideMarks,
    edges_room: usize,
}

fn run(kind: Kind) -> GcStats {
    let start = Instant::now();
    let (thunks, envs, mut side) = REGISTRY.with(|r| r.borrow_mut().take(kind));
    let edges_room = REGISTRY.with(|r| r.borrow().edges_room);
    // The collector's own references: one per registration (counted out below). The
    // registrations of dead objects are dropped here, freeing their blocks.
    let thunks = upgrade_all(thunks);
    let envs = upgrade_all(envs);
    let (dead_thunks, dead_envs, found) = {
        let roots = thunks.len() + envs.len();
        let mut trial = Trial::new(&mut side, kind == Kind::Young, roots, edges_room);
        each_ahead(&thunks, Thunk::ptr_id, |t| trial.root(Obj::Thunk(t)));
        each_ahead(&envs, Env::addr, |e| trial.root(Obj::Env(e)));
        trial.subtract();
        trial.scan();
        let mut dead_thunks = Vec::with_capacity(thunks.len());
        each_ahead(&thunks, Thunk::ptr_id, |t| {
            dead_thunks.push(!trial.is_live(Obj::Thunk(t)));
        });
        let mut dead_envs = Vec::with_capacity(envs.len());
        each_ahead(&envs, Env::addr, |e| {
            dead_envs.push(!trial.is_live(Obj::Env(e)));
        });
        (dead_thunks, dead_envs, trial.finish())
    };
    let (live_thunks, live_envs) = break_cycles(&thunks, &dead_thunks, &envs, &dead_envs);
    drop(thunks);
    drop(envs);
    let this = GcStats {
        collections: 1,
        full_collections: u64::from(kind == Kind::Full),
        objects_searched: found.objects,
        objects_reclaimed: found.objects - found.live_objects,
        bytes_reclaimed: found.bytes - found.live_bytes,
        time: start.elapsed(),
        registered: 0,
    };
    let survivors = Survivors {
        thunks: live_thunks,
        envs: live_envs,
        side,
        edges_room: found.edges_room,
    };
    REGISTRY.with(|r| r.borrow_mut().put_back(kind, survivors, this));
    this
}

fn upgrade_all<R: Registration>(registered: Vec<R>) -> Vec<R::Owner> {
    let mut live = Vec::with_capacity(registered.len());
    each_ahead(&registered, R::block, |w| live.extend(w.upgrade()));
    live
}

/// Calls `f` on each item, having asked the processor to fetch the object of the item
/// `AHEAD` places further on (`at` gives the start of its block): the passes over
/// registrations and members touch one object each, rarely in the cache, and fetching ahead
/// overlaps the misses.
#[inline(always)]
fn each_ahead<'a, T>(items: &'a [T], at: impl Fn(&T) -> usize, mut f: impl FnMut(&'a T)) {
    for (i, item) in items.iter().enumerate() {
        if let Some(next) = items.get(i + AHEAD) {
            prefetch(at(next));
        }
        f(item);
    }
}

/// Empties the garbage registered objects, which frees their cycles once the collector's own
/// references go; returns the registrations of the live ones.
fn break_cycles(
    thunks: &[Thunk],
    dead_thunks: &[bool],
    envs: &[Env],
    dead_envs: &[bool],
) -> (Vec<Registered>, Vec<scope::Registered>) {
    let mut live_thunks = Vec::with_capacity(thunks.len());
    let mut dead = dead_thunks.iter();
    each_ahead(thunks, Thunk::ptr_id, |t| match dead.next() {
        Some(true) => t.clear(),
        _ => live_thunks.extend(Registered::new(t)),
    });
    let mut live_envs = Vec::with_capacity(envs.len());
    let mut dead = dead_envs.iter();
    each_ahead(envs, Env::addr, |e| match dead.next() {
        Some(true) => {
            for slot in e.slots() {
                // SAFETY: the trial found this scope unreachable from anything but
                // garbage, so no reference into it exists (see the module docs).
                drop(unsafe { slot.clear() });
            }
        }
        _ => live_envs.extend(scope::Registered::new(e)),
    });
    (live_thunks, live_envs)
}

/// An object's identity: the address of its allocation.
fn addr<T: ?Sized>(rc: &Rc<T>) -> usize {
    Rc::as_ptr(rc) as *const u8 as usize
}

/// An object the search can look into: the counted reference that reaches it.
#[derive(Clone, Copy)]
enum Obj<'r> {
    Attrs(&'r Rc<Attrs>),
    List(&'r Rc<NixList>),
    Closure(&'r Rc<Closure>),
    Builtin(&'r Rc<PartialApp>),
    Thunk(&'r Thunk),
    Env(&'r Env),
    /// A lazy application's function and arguments (`ThunkState::Apply`).
    Args(&'r Rc<[Value]>),
    /// The lazy calls of a `map`, `genList` or `mapAttrs` (`ThunkState::Call`).
    Calls(&'r Rc<Calls>),
}

impl<'r> Obj<'r> {
    /// The object's identity: the address of its allocation.
    #[inline(always)]
    fn addr(self) -> usize {
        match self {
            Obj::Attrs(a) => addr(a),
            Obj::List(l) => addr(l),
            Obj::Closure(c) => addr(c),
            Obj::Builtin(b) => addr(b),
            Obj::Thunk(t) => t.ptr_id(),
            Obj::Env(e) => e.addr(),
            Obj::Args(a) => addr(a),
            Obj::Calls(c) => addr(c),
        }
    }

    /// Its reference count and where its mark is, read with one look at its kind (the search
    /// reads both for every reference it follows).
    #[inline(always)]
    fn head(self) -> (usize, Place<'r>) {
        match self {
            Obj::Attrs(a) => (Rc::strong_count(a), Place::inside(&a.mark.0)),
            Obj::List(l) => (Rc::strong_count(l), Place::inside(&l.mark.0)),
            Obj::Thunk(t) => (t.owners(), Place::inside(&t.cell().mark.0)),
            Obj::Env(e) => (e.owners(), Place::inside(&e.mark().0)),
            Obj::Calls(c) => (Rc::strong_count(c), Place::inside(&c.mark.0)),
            Obj::Closure(c) => (Rc::strong_count(c), Place::side(addr(c))),
            Obj::Builtin(b) => (Rc::strong_count(b), Place::side(addr(b))),
            Obj::Args(a) => (Rc::strong_count(a), Place::side(addr(a))),
        }
    }

    /// Where its mark is.
    #[inline(always)]
    fn place(self) -> Place<'r> {
        self.head().1
    }

    /// Asks the processor to bring the object's block (its counts, its mark and, for thunks
    /// and scopes, its contents) into the cache, ahead of the search reading it.
    #[inline(always)]
    fn prefetch(self) {
        // An `Rc`'s counts sit just before the address `Rc::as_ptr` gives, in the same
        // block; a thunk's and a scope's are inside it.
        prefetch(match self {
            Obj::Thunk(t) => t.ptr_id(),
            Obj::Env(e) => e.addr(),
            _ => self.addr().wrapping_sub(RC_COUNTS),
        });
    }

    /// Asks for the block holding the object's entries, where they are not in the object's
    /// own block (a set's, a list's, a large scope's); whether there is one.
    #[inline(always)]
    fn prefetch_entries(self) -> bool {
        // Addresses only: nothing in the entries' block is read here.
        let first = match self {
            Obj::Attrs(a) => a.values().next().map(|v| std::ptr::from_ref(v).addr()),
            Obj::List(l) => l.iter().next().map(|v| std::ptr::from_ref(v).addr()),
            Obj::Env(e) => e.slots().get(3).map(|s| std::ptr::from_ref(s).addr()),
            _ => None,
        };
        first.inspect(|&at| prefetch(at)).is_some()
    }

    /// Calls `f` with every reference this object holds to another object.
    #[inline(always)]
    fn each_child(self, f: &mut impl FnMut(Obj<'r>)) {
        match self {
            Obj::Attrs(a) => a.values().for_each(|v| value_edge(v, f)),
            Obj::List(l) => l.iter().for_each(|v| value_edge(v, f)),
            Obj::Args(a) => a.iter().for_each(|v| value_edge(v, f)),
            Obj::Calls(c) => {
                value_edge(&c.func, f);
                match &c.over {
                    Over::Indices => {}
                    Over::List(l) => f(Obj::List(l)),
                    Over::Attrs(a) => f(Obj::Attrs(a)),
                }
            }
            Obj::Builtin(p) => p.args.iter().for_each(|v| value_edge(v, f)),
            Obj::Closure(c) => f(Obj::Env(&c.env)),
            Obj::Env(e) => {
                if let Some(p) = e.parent() {
                    f(Obj::Env(p));
                }
                e.slots()
                    .iter()
                    .filter_map(|s| s.get())
                    .for_each(|v| value_edge(v, f));
            }
            Obj::Thunk(cell) => {
                // SAFETY: nothing writes a thunk while a collection runs (it runs between
                // operations and only reads until the search is over), so the state stays as
                // it is for as long as the search holds references into it.
                state_edges(unsafe { cell.cell().peek() }, f);
            }
        }
    }

    /// The object's size in bytes, estimated: its block with the reference counts, and the
    /// out-of-line storage of its entries.
    fn bytes(self) -> usize {
        const RC: usize = RC_COUNTS;
        let value = std::mem::size_of::<Value>();
        match self {
            Obj::Attrs(a) => RC + std::mem::size_of::<Attrs>() + a.len() * (value + 8),
            Obj::List(l) => RC + std::mem::size_of::<NixList>() + l.len() * value,
            Obj::Args(a) => RC + std::mem::size_of_val(&**a),
            Obj::Calls(_) => RC + std::mem::size_of::<Calls>(),
            Obj::Builtin(_) => RC + std::mem::size_of::<PartialApp>(),
            Obj::Closure(_) => RC + std::mem::size_of::<Closure>(),
            Obj::Thunk(_) => std::mem::size_of::<ThunkCell>(),
            Obj::Env(e) => e.bytes(),
        }
    }
}

#[inline(always)]
fn value_edge<'r>(v: &'r Value, f: &mut impl FnMut(Obj<'r>)) {
    match v {
        Value::Attrs(a) => f(Obj::Attrs(a)),
        Value::List(l) => f(Obj::List(l)),
        Value::Closure(c) => f(Obj::Closure(c)),
        Value::Builtin(b) => f(Obj::Builtin(b)),
        Value::Thunk(t) => f(Obj::Thunk(t)),
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::Path(_) => {}
    }
}

#[inline(always)]
fn state_edges<'r>(state: &'r ThunkState, f: &mut impl FnMut(Obj<'r>)) {
    match state {
        ThunkState::Code { env, .. } | ThunkState::ForcingCode { env, .. } => f(Obj::Env(env)),
        ThunkState::Apply(call) | ThunkState::ForcingApply(call) => f(Obj::Args(call)),
        ThunkState::Call { calls, .. } | ThunkState::ForcingCall { calls, .. } => {
            f(Obj::Calls(calls))
        }
        ThunkState::Done(v) => value_edge(v, f),
        ThunkState::Blackhole | ThunkState::Failed(_) => {}
    }
}

/// Objects counted and found live, and their estimated bytes.
#[derive(Default, Clone, Copy)]
struct Found {
    objects: u64,
    bytes: u64,
    live_objects: u64,
    live_bytes: u64,
    /// The room the search stack grew to.
    edges_room: usize,
}

/// The collector's mark in an object that has room for one (sets, lists, thunks, scopes,
/// calls).
/// Zero for an object no collection has found alive, `OLD` once one has; during a collection,
/// `TRIAL` with the count of the object's references not yet accounted for, and `LIVE` once it
/// is found held from outside. A copy of an object gets a fresh mark.
#[derive(Default)]
pub(crate) struct Mark(Cell<u32>);

impl Clone for Mark {
    fn clone(&self) -> Self {
        Mark::default()
    }
}

impl Mark {
    /// Counts the object as held from outside in young collections, as if one had found it
    /// alive (`Registry::pass`).
    fn set_old(&self) {
        self.0.set(self.0.get() | OLD);
    }
}

/// A collection found the object alive: young collections count it as held from outside.
const OLD: u32 = 1 << 31;
/// Met by the collection under way; the low bits count its references.
const TRIAL: u32 = 1 << 30;
/// Found held from outside by the collection under way.
const LIVE: u32 = 1 << 29;
/// The count's bits. A count this large (never seen: it takes 2^29 references) stays there,
/// which keeps the object alive.
const REFS: u32 = LIVE - 1;

/// A trial mark for an object with `count` references, one of which is being followed.
fn trial_mark(count: usize) -> u32 {
    TRIAL | u32::try_from(count - 1).map_or(REFS, |refs| refs.min(REFS))
}

/// A trial mark with one reference accounted for.
fn account(mark: u32) -> u32 {
    match mark & REFS {
        0 => unreachable!("cycle collector: more references found than counted"),
        REFS => mark,
        _ => mark - 1,
    }
}

/// Marks of the objects without room for one, by address (`Trial::side`).
type SideMarks = FxHashMap<usize, u32>;

/// One trial deletion over the shared objects reachable from the registered ones (short of
/// the old ones, in a young collection). Their marks hold the counts of references from
/// outside; objects with one reference are part of their referrer and are not marked.
struct Trial<'r, 't> {
    /// The shared objects met, with where their marks are, so that they can be reset.
    members: Vec<(Packed<'r>, Place<'r>)>,
    /// References still to follow, taken through `Search`.
    edges: Vec<Packed<'r>>,
    /// Marks of the objects without room for one (closures, partial applications, argument
    /// arrays), by address. Old ones stay from one collection to the next; addresses of
    /// objects freed since stay until the next full collection, and a new object at such an
    /// address is merely taken for old, which only keeps what it holds alive a little longer.
    side: &'t mut SideMarks,
    /// Stop at old objects.
    young: bool,
    /// Everything met is held from outside (`scan` found no count at zero).
    all_live: bool,
    found: Found,
}

impl<'r, 't> Trial<'r, 't> {
    fn new(side: &'t mut SideMarks, young: bool, roots: usize, edges_room: usize) -> Self {
        Trial {
            members: Vec::with_capacity(2 * roots),
            edges: Vec::with_capacity(edges_room),
            side,
            young,
            all_live: false,
            found: Found::default(),
        }
    }

    /// Adds a registered object with its reference count, one of which is the collector's
    /// own (not counted).
    fn root(&mut self, obj: Obj<'r>) {
        let (count, place) = obj.head();
        let mark = place.get(self.side);
        if mark & TRIAL != 0 {
            // Registered twice: the collector holds it twice.
            place.set(self.side, account(mark));
            return;
        }
        place.set(self.side, trial_mark(count));
        self.members.push((obj.into(), place));
        self.found.objects += 1;
        self.found.bytes += obj.bytes() as u64;
        obj.each_child(&mut |child| self.edges.push(child.into()));
    }

    /// Subtracts every reference between searched objects from the counts, searching
    /// everything reachable from the registered objects.
    fn subtract(&mut self) {
        let Trial {
            members,
            edges,
            side,
            young,
            found,
            ..
        } = self;
        let mut search = Search::default();
        while let Some(obj) = search.next(edges) {
            let (count, place) = obj.head();
            if count > 1 {
                let mark = place.get(side);
                if mark & TRIAL != 0 {
                    place.set(side, account(mark));
                    continue;
                }
                if *young && mark & OLD != 0 {
                    // Old: counted as held from outside, not searched.
                    continue;
                }
                place.set(side, trial_mark(count));
                members.push((obj.into(), place));
            }
            // Met for the first time (or its only referrer is the one that led here: part
            // of it): search what it holds.
            found.objects += 1;
            found.bytes += obj.bytes() as u64;
            search.expand(obj, edges);
        }
    }

    /// Marks live every object with references from outside and everything it reaches.
    fn scan(&mut self) {
        let Trial {
            members,
            edges,
            side,
            found,
            ..
        } = self;
        // The members with references from outside, by index; whether all have some.
        let mut held = Vec::new();
        each_ahead(
            members,
            |m| m.1.addr(),
            |&(obj, place)| {
                if place.get(side) & REFS > 0 {
                    held.push((obj, place));
                }
            },
        );
        if held.len() == members.len() {
            // Everything searched is held from outside (the common case where nothing died).
            self.all_live = true;
            found.live_objects = found.objects;
            found.live_bytes = found.bytes;
            return;
        }
        let mut live = |obj: Obj<'r>, edges: &mut Vec<Packed<'r>>| {
            found.live_objects += 1;
            found.live_bytes += obj.bytes() as u64;
            obj.each_child(&mut |child| edges.push(child.into()));
        };
        each_ahead(
            &held,
            |m| m.1.addr(),
            |&(obj, place): &(Packed<'r>, Place<'r>)| {
                place.set(side, place.get(side) | LIVE);
                live(obj.obj(), edges);
            },
        );
        let mut search = Search::default();
        while let Some(obj) = search.next(edges) {
            let (count, place) = obj.head();
            if count > 1 {
                let mark = place.get(side);
                if mark & (TRIAL | LIVE) != TRIAL {
                    // Already found live, or not searched (old, in a young collection).
                    continue;
                }
                place.set(side, mark | LIVE);
            }
            found.live_objects += 1;
            found.live_bytes += obj.bytes() as u64;
            search.expand(obj, edges);
        }
    }

    /// Whether a registered object (a member) was found alive.
    fn is_live(&self, obj: Obj<'r>) -> bool {
        self.all_live || obj.place().get(self.side) & LIVE != 0
    }

    /// Ends the trial: what was found alive is old from now on, the rest unmarked.
    fn finish(mut self) -> Found {
        let members = std::mem::take(&mut self.members);
        each_ahead(
            &members,
            |m| m.1.addr(),
            |&(_, place)| {
                let live = self.all_live || place.get(self.side) & LIVE != 0;
                place.set(self.side, if live { OLD } else { 0 });
            },
        );
        // (A full collection's stack may have grown far past what young ones need.)
        self.found.edges_room = self.edges.capacity().min(EDGES_ROOM_MAX);
        self.found
    }
}

impl Drop for Trial<'_, '_> {
    /// A trial left by a panic leaves no counts behind to mislead the next one.
    fn drop(&mut self) {
        for (_, place) in std::mem::take(&mut self.members) {
            place.set(self.side, 0);
        }
    }
}

/// How the search goes through references. The search is bound by memory: nearly every
/// reference leads to an object not in the cache, and following one means reading its count
/// and mark. So the processor is asked for an object some time before it is read: a reference
/// the search pushes is asked for as it is pushed, one below the top `AHEAD` when the stack
/// shrinks down to it, and the one followed next is the lowest of the top `AHEAD`, which has
/// waited longest; its place is taken by the top one. (The registered objects' references,
/// pushed before the search starts, are not asked for as they are pushed: asking for them all
/// at once pushed the module workload's collections from 328-364 to 391-449 ms.) The order does not matter to the counts, and
/// this keeps several fetches in flight with no more bookkeeping than the stack's own (a ring
/// the references passed through on their way took a quarter more instructions: module
/// workload, collector 1.15 G -> 0.95 G instructions, 448 -> 412 ms; lists 198 -> 154 ms).
/// An object whose entries live in a block of their own (a set, a list, a large scope) is
/// held back a little before its references are pushed: that block was asked for when it
/// came in, so reading the entries does not wait for a second miss.
#[derive(Default)]
struct Search<'r> {
    later: Ring<'r, LATER>,
}

/// References fetched ahead of the one followed.
const AHEAD: usize = 8;
/// Objects held back.
const LATER: usize = 4;

impl<'r> Search<'r> {
    /// The next reference to follow: the one that has waited longest among the top `AHEAD`
    /// of `edges` (which were all asked for when they came among them); the one below them
    /// comes among them and is asked for. When none is left, the objects held back push their
    /// references first.
    #[inline(always)]
    fn next(&mut self, edges: &mut Vec<Packed<'r>>) -> Option<Obj<'r>> {
        loop {
            let n = edges.len();
            if n > AHEAD {
                let obj = edges.swap_remove(n - AHEAD);
                edges[n - 1 - AHEAD].obj().prefetch();
                return Some(obj.obj());
            }
            if let Some(obj) = edges.pop() {
                return Some(obj.obj());
            }
            self.later
                .pop()?
                .each_child(&mut |child| push(edges, child));
        }
    }

    /// Pushes the references `obj` holds, now or (for one with entries elsewhere) once a few
    /// more such objects have come in.
    #[inline(always)]
    fn expand(&mut self, obj: Obj<'r>, edges: &mut Vec<Packed<'r>>) {
        let ready = match obj.prefetch_entries() {
            false => Some(obj),
            true => {
                let oldest = if self.later.len == LATER {
                    self.later.pop()
                } else {
                    None
                };
                self.later.push(obj);
                oldest
            }
        };
        if let Some(obj) = ready {
            obj.each_child(&mut |child| push(edges, child));
        }
    }
}

/// Pushes a reference to follow, asking for its object: it comes among the top `AHEAD`.
#[inline(always)]
fn push<'r>(edges: &mut Vec<Packed<'r>>, obj: Obj<'r>) {
    obj.prefetch();
    edges.push(obj.into());
}

/// A first-in, first-out ring of up to `N` objects.
struct Ring<'r, const N: usize> {
    items: [Option<Obj<'r>>; N],
    /// Where the oldest sits in `items`, and how many there are.
    head: usize,
    len: usize,
}

impl<const N: usize> Default for Ring<'_, N> {
    fn default() -> Self {
        Ring {
            items: [None; N],
            head: 0,
            len: 0,
        }
    }
}

impl<'r, const N: usize> Ring<'r, N> {
    /// Adds `obj` at the end (the caller keeps `len` below `N`).
    #[inline(always)]
    fn push(&mut self, obj: Obj<'r>) {
        self.items[(self.head + self.len) % N] = Some(obj);
        self.len += 1;
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<Obj<'r>> {
        if self.len == 0 {
            return None;
        }
        let obj = self.items[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        obj
    }
}

/// Where an object's mark is: inside it (sets, lists, thunks, scopes, calls), or in the side
/// table under its address (`Trial::side`). One word, as the members' list holds a place per
/// member: a mark's address (4-aligned), or an object's address (8-aligned) with the low bit
/// set.
#[derive(Clone, Copy)]
struct Place<'r> {
    at: *const Cell<u32>,
    _marks: PhantomData<&'r Cell<u32>>,
}

/// The bit that makes a place a side table's key.
const SIDE: usize = 1;

impl<'r> Place<'r> {
    #[inline(always)]
    fn inside(mark: &'r Cell<u32>) -> Self {
        Place {
            at: std::ptr::from_ref(mark),
            _marks: PhantomData,
        }
    }

    #[inline(always)]
    fn side(addr: usize) -> Self {
        Place {
            at: std::ptr::without_provenance(addr | SIDE),
            _marks: PhantomData,
        }
    }

    /// The mark itself, or the side table's key.
    #[inline(always)]
    fn get_place(self) -> Result<&'r Cell<u32>, usize> {
        match self.at.addr() & SIDE {
            // SAFETY: a place without the bit was made by `inside` from a reference that lives
            // for `'r`.
            0 => Ok(unsafe { &*self.at }),
            _ => Err(self.at.addr() & !SIDE),
        }
    }

    #[inline(always)]
    fn get(self, side: &SideMarks) -> u32 {
        match self.get_place() {
            Ok(mark) => mark.get(),
            Err(at) => side.get(&at).copied().unwrap_or(0),
        }
    }

    #[inline(always)]
    fn set(self, side: &mut SideMarks, value: u32) {
        match (self.get_place(), value) {
            (Ok(mark), _) => mark.set(value),
            (Err(at), 0) => drop(side.remove(&at)),
            (Err(at), _) => drop(side.insert(at, value)),
        }
    }

    /// An address in the object's block, to fetch it into the cache by.
    #[inline(always)]
    fn addr(self) -> usize {
        self.at.addr() & !SIDE
    }
}

/// An `Obj` in one word, for the search's stack and the members' list (a million entries in a
/// full collection of the module workload, whose peak they add to): the reference with its
/// kind in the low three bits, which every reference an `Obj` holds leaves free (each points
/// at a pointer-sized, 8-aligned field).
#[derive(Clone, Copy)]
struct Packed<'r> {
    tagged: *const (),
    _refs: PhantomData<Obj<'r>>,
}

const KIND: usize = 7;

impl<'r> From<Obj<'r>> for Packed<'r> {
    #[inline(always)]
    fn from(obj: Obj<'r>) -> Self {
        fn at<T: ?Sized>(r: &T) -> *const () {
            std::ptr::from_ref(r).cast()
        }
        let (ptr, kind) = match obj {
            Obj::Attrs(a) => (at(a), 0),
            Obj::List(l) => (at(l), 1),
            Obj::Closure(c) => (at(c), 2),
            Obj::Builtin(b) => (at(b), 3),
            Obj::Thunk(t) => (at(t), 4),
            Obj::Env(e) => (at(e), 5),
            Obj::Args(a) => (at(a), 6),
            Obj::Calls(c) => (at(c), 7),
        };
        debug_assert_eq!(ptr.addr() & KIND, 0, "an 8-aligned reference");
        Packed {
            tagged: ptr.map_addr(|a| a | kind),
            _refs: PhantomData,
        }
    }
}

impl<'r> Packed<'r> {
    #[inline(always)]
    fn obj(self) -> Obj<'r> {
        let ptr = self.tagged.map_addr(|a| a & !KIND);
        // SAFETY: `from` made this from a reference of the kind in the low bits, which lives
        // for `'r`; the pointer is that reference's, its provenance kept.
        unsafe {
            match self.tagged.addr() & KIND {
                0 => Obj::Attrs(&*ptr.cast()),
                1 => Obj::List(&*ptr.cast()),
                2 => Obj::Closure(&*ptr.cast()),
                3 => Obj::Builtin(&*ptr.cast()),
                4 => Obj::Thunk(&*ptr.cast()),
                5 => Obj::Env(&*ptr.cast()),
                6 => Obj::Args(&*ptr.cast()),
                _ => Obj::Calls(&*ptr.cast()),
            }
        }
    }
}
