//! Scopes: the variables of a call, a `let` or a `rec` at run time, one block each, with the
//! slots inline and the counts counted by hand.
//!
//! Scopes are, after thunks, the most numerous objects of an evaluation (600 k alive at the
//! peak of the fixpoint workload, 497 k of them with one slot; on the module workload 89 k with
//! one, 113 k with two, 136 k with more). As an `Rc` holding two slots inline and the rest in a
//! block of their own, every scope took a 64-byte block (16 of it `Rc`'s two counts) and a
//! scope of three or more slots a second block. Here a scope is one block: a 16-byte header
//! (the parent, one word of counts, the collector's mark) followed by its slots, 16 bytes each:
//! 32 bytes for one slot, 48 for two, 80 for four where it was 128.
//!
//! The counts word (`refs`) holds, from the top:
//! - **owners** (22 bits, `Env`): the references that keep the slots alive. Past 2^22 - 1 the
//!   count stays where it is and the scope is never freed (a leak, not an overflow); the cycle
//!   collector counts such a scope as held from outside.
//! - **registrations** (2 bits, `Registered`): the cycle collector's weak references, as for
//!   thunks (`thunk::cell`). A scope is registered once when made (`Env::may_cycle`) and again
//!   by each collection that finds it alive, which drops the old registration: at most two at
//!   a time. A fourth is refused; that scope then starts no search, which can only keep a cycle
//!   a while longer. When the last owner goes, the parent and the slots are released at once
//!   and the block stays until the last registration is dropped.
//! - **the length** (8 bits): the number of slots, or `LONG` for a scope of `LONG` or more
//!   slots, whose length is then a word between the header and the slots.
//!
//! Every access goes through the block's pointer (`Env.0`), never through a reference to the
//! header alone, so that reading the slots past the header stays within the pointer's
//! provenance.

use super::Value;
use super::collect::Mark;
use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

/// A scope's header; its slots follow it in the same block.
#[repr(C)]
struct EnvInner {
    parent: Option<Env>,
    /// Owners, registrations and the length (see the module docs).
    refs: Cell<u32>,
    mark: Mark,
}

/// The length's bits of `refs`, and their value for a scope whose length is in a word of its
/// own (a scope of `LONG` slots or more).
const LONG: u32 = 0xff;
/// One registration in `refs`, and the bits of all of them.
const REGISTRATION: u32 = 1 << 8;
const REGISTRATIONS: u32 = 3 * REGISTRATION;
/// One owner in `refs`, and the count at which owners stop.
const OWNER_SHIFT: u32 = 10;
const OWNER: u32 = 1 << OWNER_SHIFT;
const OWNERS_MAX: u32 = u32::MAX >> OWNER_SHIFT;

/// Where the slots (or the length word) start in the block.
const HEAD: usize = std::mem::size_of::<EnvInner>();

/// The block of a scope of `len` slots.
fn layout(len: usize) -> Layout {
    let long = if len >= LONG as usize { 8 } else { 0 };
    let size = std::mem::size_of::<Slot>()
        .checked_mul(len)
        .and_then(|slots| slots.checked_add(HEAD + long));
    size.and_then(|size| Layout::from_size_align(size, std::mem::align_of::<EnvInner>()).ok())
        .unwrap_or_else(|| unreachable!("a scope of {len} slots: sources are smaller"))
}

fn owners(refs: u32) -> u32 {
    refs >> OWNER_SHIFT
}

/// One variable of a scope: empty until written, written at most once (right after its scope
/// is made), then only read. A hand-made `OnceCell` for one more operation: the cycle collector
/// empties the slots of a scope that nothing can reach any more (`Slot::clear`), which is how
/// it breaks a `let`'s cycles.
pub(crate) struct Slot(UnsafeCell<Option<Value>>);

impl Slot {
    #[inline]
    const fn new() -> Slot {
        Slot(UnsafeCell::new(None))
    }

    #[inline]
    pub fn get(&self) -> Option<&Value> {
        // SAFETY: a slot that holds a value is never written again while anything can reach
        // it (`set` writes only an empty slot; `clear` empties only scopes that no owner or
        // only garbage reaches), so the reference stays valid as long as `self` is borrowed.
        // The `&Option` made here lives only for this call.
        unsafe { (*self.0.get()).as_ref() }
    }

    /// Writes an empty slot; a second write is ignored, as `OnceCell::set`'s is.
    #[inline]
    fn set(&self, value: Value) {
        let cell = self.0.get();
        // SAFETY: no reference into an empty slot exists (`get` hands out references to a
        // value only), so writing it disturbs no reader; a full slot is not touched.
        unsafe {
            if (*cell).is_none() {
                cell.write(Some(value));
            }
        }
    }

    /// Takes the value out of a slot of a scope that is still allocated but garbage, or whose
    /// last owner is going.
    ///
    /// # Safety
    /// Nothing may hold a reference into this slot: the cycle collector calls it only on
    /// scopes it proved unreachable (every reference to them comes from other garbage, and
    /// none from the native stack, which holds counted references only), and `Env`'s drop
    /// only once no owner is left.
    pub(super) unsafe fn clear(&self) -> Option<Value> {
        // SAFETY: the caller guarantees that no reference into the slot is alive.
        unsafe { (*self.0.get()).take() }
    }
}

/// A counted reference to a scope.
pub(crate) struct Env(NonNull<EnvInner>);

impl Env {
    /// A new scope of `size` empty slots under `parent`, with one owner.
    #[inline(always)]
    pub fn new(parent: Option<Env>, size: usize) -> Env {
        match size < LONG as usize {
            true => Env::make(parent, size, size as u32),
            false => Env::new_long(parent, size),
        }
    }

    #[cold]
    #[inline(never)]
    fn new_long(parent: Option<Env>, size: usize) -> Env {
        Env::make(parent, size, LONG)
    }

    /// A new scope of `size` slots whose counts word says `short` for its length.
    #[inline(always)]
    fn make(parent: Option<Env>, size: usize, short: u32) -> Env {
        let layout = layout(size);
        // SAFETY: the layout is never zero-sized (the header alone is 16 bytes).
        let Some(block) = NonNull::new(unsafe { alloc(layout) }.cast::<EnvInner>()) else {
            handle_alloc_error(layout)
        };
        // SAFETY: the block is fresh and `layout(size)` bytes long: the header, the length
        // word for a long scope, then `size` slots, each written once here before any reader
        // can see the block.
        unsafe {
            block.as_ptr().write(EnvInner {
                parent,
                refs: Cell::new(OWNER | short),
                mark: Mark::default(),
            });
            let mut at = block.as_ptr().cast::<u8>().add(HEAD);
            if short == LONG {
                at.cast::<usize>().write(size);
                at = at.add(8);
            }
            let slots = at.cast::<Slot>();
            for i in 0..size {
                slots.add(i).write(Slot::new());
            }
        }
        Env(block)
    }

    #[inline(always)]
    fn header(&self) -> &EnvInner {
        // SAFETY: an owner keeps the block allocated and its header initialised; the header
        // is only read through shared references (its mutable parts are `Cell`s).
        unsafe { self.0.as_ref() }
    }

    /// The scope this one is nested in.
    #[inline(always)]
    pub fn parent(&self) -> Option<&Env> {
        self.header().parent.as_ref()
    }

    /// The scope's slots.
    #[inline(always)]
    pub fn slots(&self) -> &[Slot] {
        // SAFETY: an owner keeps the block and its slots (see `slots_of`).
        unsafe { slots_of(self.0) }
    }

    /// The environment `depth` scopes up (the compiler only asks for scopes that exist).
    #[inline]
    pub fn ancestor(&self, depth: usize) -> Option<&Env> {
        let mut env = self;
        for _ in 0..depth {
            env = env.parent()?;
        }
        Some(env)
    }

    #[inline]
    pub fn get(&self, slot: usize) -> Option<&Value> {
        self.slots().get(slot).and_then(Slot::get)
    }

    /// Initialises a slot. Each slot is written once, right after its scope is created.
    #[inline(always)]
    pub fn set(&self, slot: usize, value: Value) {
        if let Some(cell) = self.slots().get(slot) {
            cell.set(value);
        }
    }

    /// Tells the cycle collector that this scope's slots will hold values made after it that
    /// may refer back to it (a `let` or `rec` scope, defaults of a pattern): such a scope can
    /// start a reference cycle (see `collect`).
    #[inline]
    pub fn may_cycle(&self) {
        super::collect::register_env(self);
    }

    /// How many `Env`s refer to the scope (the collector's trial counts them); `usize::MAX`
    /// once the count has stopped at its limit, which the collector takes for held from
    /// outside.
    #[inline(always)]
    pub(super) fn owners(&self) -> usize {
        match owners(self.header().refs.get()) {
            OWNERS_MAX => usize::MAX,
            n => n as usize,
        }
    }

    /// Whether this is the scope's only owner.
    #[inline]
    pub(super) fn is_unique(&self) -> bool {
        owners(self.header().refs.get()) == 1
    }

    /// The collector's mark.
    #[inline(always)]
    pub(super) fn mark(&self) -> &Mark {
        &self.header().mark
    }

    /// Whether both refer to the same scope.
    #[inline(always)]
    pub fn ptr_eq(&self, other: &Env) -> bool {
        self.0 == other.0
    }

    /// The block's address: the scope's identity.
    #[inline(always)]
    pub(super) fn addr(&self) -> usize {
        self.0.as_ptr().addr()
    }

    /// The block's size in bytes.
    pub(super) fn bytes(&self) -> usize {
        layout(self.slots().len()).size()
    }

    /// Drops the last owner: the parent and the slots are released, and the block is freed
    /// unless a registration keeps it.
    #[cold]
    #[inline(never)]
    fn drop_last(&mut self) {
        let header = self.header();
        header.refs.set(header.refs.get() - OWNER);
        // SAFETY: no owner is left, so nothing reads the slots or the parent any more (a
        // registration only reads the counts and the mark until it gives out an owner, which
        // it no longer can).
        let parent = unsafe { (*std::ptr::addr_of_mut!((*self.0.as_ptr()).parent)).take() };
        if let Some(parent) = parent {
            super::drop::release_env(parent);
        }
        let slots = self.slots();
        for slot in slots {
            // SAFETY: as above, no reference into the slots is alive.
            if let Some(v) = unsafe { slot.clear() } {
                super::drop::release(v);
            }
        }
        // (Read after the release: what releasing runs never touches the registry, but a
        // stale count here would free a block a registration still points at.)
        if self.header().refs.get() & REGISTRATIONS == 0 {
            // SAFETY: no owner and no registration is left; the slots and the parent are
            // empty, so freeing the block leaks nothing.
            unsafe { free_block(self.0, slots.len()) };
        }
    }
}

/// The slots of the scope at `block`.
///
/// # Safety
/// The block must be allocated (an owner or a registration keeps it), and the slice must not
/// outlive that.
#[inline(always)]
unsafe fn slots_of<'a>(block: NonNull<EnvInner>) -> &'a [Slot] {
    // SAFETY: the caller keeps the block allocated; `Env::new` wrote the length and all the
    // slots it gives, at these offsets, and neither changes afterwards.
    unsafe {
        let header = block.as_ref();
        let at = block.as_ptr().cast::<u8>().add(HEAD);
        match header.refs.get() & LONG {
            LONG => std::slice::from_raw_parts(at.add(8).cast(), at.cast::<usize>().read()),
            short => std::slice::from_raw_parts(at.cast(), short as usize),
        }
    }
}

/// Frees the block of a scope of `len` slots.
///
/// # Safety
/// No owner or registration may be left, and the parent and slots must be empty.
unsafe fn free_block(block: NonNull<EnvInner>, len: usize) {
    // SAFETY: the caller guarantees that nothing refers to the block, which came from `alloc`
    // with this layout.
    unsafe { dealloc(block.as_ptr().cast(), layout(len)) }
}

impl Clone for Env {
    #[inline(always)]
    fn clone(&self) -> Env {
        let refs = &self.header().refs;
        // Owners below the limit, compared without shifting them down.
        if refs.get() < OWNERS_MAX << OWNER_SHIFT {
            refs.set(refs.get() + OWNER);
        }
        Env(self.0)
    }
}

impl Drop for Env {
    #[inline(always)]
    fn drop(&mut self) {
        let refs = self.header().refs.get();
        // One comparison for the common case, owners from 2 to one short of the limit (the
        // low bits never carry into the owners'.)
        if refs.wrapping_sub(2 * OWNER) < (OWNERS_MAX - 2) << OWNER_SHIFT {
            self.header().refs.set(refs - OWNER);
        } else if owners(refs) == 1 {
            self.drop_last();
        }
    }
}

/// The cycle collector's weak reference to a scope: it keeps the block, not what the scope
/// holds, and gives an owner back while the scope has any.
pub(in crate::value) struct Registered(NonNull<EnvInner>);

impl Registered {
    /// A registration of `env`; `None` if it has three already (see the module docs).
    pub(in crate::value) fn new(env: &Env) -> Option<Registered> {
        let refs = &env.header().refs;
        if refs.get() & REGISTRATIONS == REGISTRATIONS {
            return None;
        }
        refs.set(refs.get() + REGISTRATION);
        Some(Registered(env.0))
    }

    fn header(&self) -> &EnvInner {
        // SAFETY: a registration keeps the block allocated, and the header is only read
        // through shared references.
        unsafe { self.0.as_ref() }
    }

    /// Whether the scope still has owners.
    #[inline]
    pub(in crate::value) fn is_alive(&self) -> bool {
        owners(self.header().refs.get()) > 0
    }

    /// An owner of the scope, if it still has any.
    #[inline]
    pub(in crate::value) fn upgrade(&self) -> Option<Env> {
        let refs = &self.header().refs;
        match owners(refs.get()) {
            0 => None,
            OWNERS_MAX => Some(Env(self.0)),
            _ => {
                refs.set(refs.get() + OWNER);
                Some(Env(self.0))
            }
        }
    }

    /// The collector's mark in the scope.
    pub(in crate::value) fn mark(&self) -> &Mark {
        &self.header().mark
    }

    /// The block's address.
    #[inline(always)]
    pub(in crate::value) fn addr(&self) -> usize {
        self.0.as_ptr().addr()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let refs = &self.header().refs;
        let left = refs.get() - REGISTRATION;
        refs.set(left);
        if owners(left) == 0 && left & REGISTRATIONS == 0 {
            // SAFETY: this was the last reference of either kind; the last owner emptied the
            // parent and the slots (`Env::drop_last`), and the length is still readable.
            unsafe { free_block(self.0, slots_of(self.0).len()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_one_and_two_slots_take_32_and_48_bytes() {
        assert_eq!(HEAD, 16);
        assert_eq!(layout(0).size(), 16);
        assert_eq!(layout(1).size(), 32);
        assert_eq!(layout(2).size(), 48);
        assert_eq!(layout(4).size(), 80);
        assert_eq!(layout(LONG as usize).size(), 16 + 8 + 16 * LONG as usize);
    }

    #[test]
    fn long_scopes_keep_their_length_and_slots() {
        for size in [0, 1, 2, 254, 255, 256, 1000] {
            let env = Env::new(None, size);
            assert_eq!(env.slots().len(), size);
            if size > 0 {
                env.set(size - 1, Value::Int(7));
                assert!(matches!(env.get(size - 1), Some(Value::Int(7))));
                assert!(env.get(0).is_some() == (size == 1));
            }
            assert!(env.get(size).is_none());
        }
    }

    #[test]
    fn a_registration_keeps_the_block_and_releases_the_slots_with_the_last_owner() {
        let list = Value::list(vec![Value::Int(1)]);
        let Value::List(l) = &list else {
            unreachable!("a list")
        };
        let witness = l.clone();
        let parent = Env::new(None, 1);
        let env = Env::new(Some(parent.clone()), 3);
        env.set(2, list);
        let other = env.clone();
        let registered = Registered::new(&env).expect("room for a registration");
        assert_eq!(env.owners(), 2);
        drop(env);
        assert!(registered.is_alive());
        let back = registered.upgrade().expect("an owner is left");
        drop((other, back));
        assert!(!registered.is_alive());
        assert!(registered.upgrade().is_none());
        assert_eq!(std::rc::Rc::strong_count(&witness), 1, "the slots went");
        assert!(parent.is_unique(), "the parent went");
        drop(registered);
    }

    #[test]
    fn owners_at_the_limit_stay_there() {
        let env = Env::new(None, 1);
        let refs = &env.header().refs;
        refs.set(refs.get() + (OWNERS_MAX - 2) * OWNER);
        let clones: Vec<Env> = (0..3).map(|_| env.clone()).collect();
        assert_eq!(env.owners(), usize::MAX, "counted as held from outside");
        drop(clones);
        assert_eq!(owners(env.header().refs.get()), OWNERS_MAX);
        // Back to one owner, so that the test frees the block.
        let refs = &env.header().refs;
        refs.set(OWNER | (refs.get() & (OWNER - 1)));
        drop(env);
    }

    #[test]
    fn registrations_past_three_are_refused() {
        let env = Env::new(None, 2);
        let held: Vec<_> = (0..3).map(|_| Registered::new(&env)).collect();
        assert!(held.iter().all(Option::is_some));
        assert!(Registered::new(&env).is_none());
        assert_eq!(env.owners(), 1);
        drop(env);
        assert!(held.iter().flatten().all(|r| !r.is_alive()));
    }
}
