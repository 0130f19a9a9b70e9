//! The thunk's cell and the references to it, counted by hand.
//!
//! Thunks are the most numerous objects of an evaluation (1.4 M of them alive at the end of the
//! module-system workload), so their block size is much of the heap. With `Rc`, a cell of 32
//! bytes (the state and the collector's mark) took a 48-byte block: `Rc` puts two machine-word
//! counts in front, a strong one and a weak one. Here both counts share one 32-bit word inside
//! the cell, beside the mark, and the block is 32 bytes.
//!
//! - **Owners** (`Thunk`, the low 28 bits): the references that keep the state alive. Past
//!   2^28 - 1 (4 GiB of values pointing at one thunk) the count stays where it is and the
//!   thunk is never freed: a leak of 32 bytes rather than an overflow.
//! - **Registrations** (`Registered`, the top four bits): the cycle collector's weak
//!   references (a thunk is registered at most three times: filled in, then evaluated). They
//!   keep the block, not the state: when the last owner goes, the state is released at once
//!   and the block stays until the last registration is dropped, as `Rc`'s weak count does.
//!   A sixteenth registration is refused (`Registered::new`): that thunk is then not a start
//!   of the collector's searches, which can only keep a cycle a while longer.

use super::ThunkState;
use crate::value::collect::Mark;
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

/// The owners' bits of `ThunkCell::refs`, and the count at which they stop.
const OWNERS: u32 = (1 << 28) - 1;
/// One registration in `ThunkCell::refs`.
const REGISTRATION: u32 = 1 << 28;

/// The shared cell; its destructor frees what the thunk holds without recursion.
///
/// The state sits in an `UnsafeCell` rather than a `RefCell` so that the cell keeps its 32
/// bytes with the cycle collector's mark and the counts beside the state (a `RefCell`'s borrow
/// flag would take their place). What a `RefCell` would check at run time holds by
/// construction instead: every access is one of the methods below, none of which keeps a
/// reference into the state past its own body or calls out while it holds one (a replaced
/// state is dropped after the write, so no destructor runs while the cell is being written).
pub(crate) struct ThunkCell {
    state: UnsafeCell<ThunkState>,
    pub(in crate::value) mark: Mark,
    /// Owners in the low bits, registrations in the top four (see the module docs).
    refs: Cell<u32>,
}

impl ThunkCell {
    /// The state, to read.
    ///
    /// # Safety
    /// The reference must be gone before the cell is next written (`replace`); callers use it
    /// within one expression, or (the cycle collector) while nothing runs that writes thunks.
    #[inline]
    pub(in crate::value) unsafe fn peek(&self) -> &ThunkState {
        // SAFETY: writes happen only in `replace`, which the caller keeps away for as long as
        // the reference lives.
        unsafe { &*self.state.get() }
    }

    /// Puts `new` in and hands back the old state, for the caller to drop after the write.
    #[inline]
    pub(in crate::value) fn replace(&self, new: ThunkState) -> ThunkState {
        // SAFETY: no reference into the state is alive (see `peek`), and the swap calls no
        // code of ours: the old state is returned, not dropped here.
        unsafe { std::ptr::replace(self.state.get(), new) }
    }

    fn owners(&self) -> u32 {
        self.refs.get() & OWNERS
    }
}

impl Drop for ThunkCell {
    fn drop(&mut self) {
        super::release_state(std::mem::replace(
            self.state.get_mut(),
            ThunkState::Blackhole,
        ));
    }
}

/// A value that is evaluated when first needed, then remembers its value. Cloning it shares
/// it: forcing one clone evaluates them all.
pub struct Thunk(NonNull<ThunkCell>);

impl Thunk {
    /// A new thunk in `state`, with one owner.
    #[inline]
    pub(crate) fn new(state: ThunkState) -> Thunk {
        let cell = Box::new(ThunkCell {
            state: UnsafeCell::new(state),
            mark: Mark::default(),
            refs: Cell::new(1),
        });
        Thunk(NonNull::from(Box::leak(cell)))
    }

    /// The shared cell.
    #[inline(always)]
    pub(in crate::value) fn cell(&self) -> &ThunkCell {
        // SAFETY: an owner keeps the block allocated (it is freed only once owners and
        // registrations are both gone), and the cell is only ever read through shared
        // references: its mutable parts are `Cell`s and the `UnsafeCell` state.
        unsafe { self.0.as_ref() }
    }

    /// How many `Thunk`s refer to the cell (the collector's trial counts them); `usize::MAX`
    /// once the count has stopped at its limit, which the collector takes for held from
    /// outside (it may find more references than the count says).
    #[inline(always)]
    pub(in crate::value) fn owners(&self) -> usize {
        match self.cell().owners() {
            OWNERS => usize::MAX,
            n => n as usize,
        }
    }

    /// The cell's address: the thunk's identity.
    #[inline(always)]
    pub(crate) fn ptr_id(&self) -> usize {
        self.0.as_ptr().addr()
    }
}

impl Clone for Thunk {
    #[inline(always)]
    fn clone(&self) -> Thunk {
        let refs = &self.cell().refs;
        // Owners at their limit carry into the registrations' bits (or, with fifteen of
        // those, out of the word): the count stays instead.
        let raised = refs.get().wrapping_add(1);
        if raised & OWNERS != 0 {
            refs.set(raised);
        }
        Thunk(self.0)
    }
}

impl Drop for Thunk {
    #[inline(always)]
    fn drop(&mut self) {
        let refs = self.cell().refs.get();
        // One comparison for the common case, owners from 2 to one short of the limit.
        if (refs & OWNERS).wrapping_sub(2) < OWNERS - 2 {
            self.cell().refs.set(refs - 1);
        } else if refs & OWNERS == 1 {
            self.drop_last(refs);
        }
    }
}

impl Thunk {
    /// Drops the last owner: the state goes, and the block too unless a registration keeps it.
    #[cold]
    #[inline(never)]
    fn drop_last(&mut self, refs: u32) {
        if refs == 1 {
            // SAFETY: the block came from `Box::leak` in `Thunk::new`; this was its only
            // reference of either kind, so nothing reaches it any more.
            drop(unsafe { Box::from_raw(self.0.as_ptr()) });
        } else {
            let cell = self.cell();
            cell.refs.set(refs - 1);
            super::release_state(cell.replace(ThunkState::Blackhole));
        }
    }
}

/// The cycle collector's weak reference to a thunk: it keeps the block, not what the thunk
/// holds, and gives an owner back while the thunk has any.
pub(in crate::value) struct Registered(NonNull<ThunkCell>);

impl Registered {
    /// A registration of `thunk`; `None` if it has fifteen already (see the module docs).
    pub(in crate::value) fn new(thunk: &Thunk) -> Option<Registered> {
        let refs = &thunk.cell().refs;
        if refs.get() / REGISTRATION == 15 {
            return None;
        }
        refs.set(refs.get() + REGISTRATION);
        Some(Registered(thunk.0))
    }

    fn cell(&self) -> &ThunkCell {
        // SAFETY: a registration keeps the block allocated (see `Drop` below), and the cell
        // is only read through shared references.
        unsafe { self.0.as_ref() }
    }

    /// Whether the thunk still has owners.
    #[inline]
    pub(in crate::value) fn is_alive(&self) -> bool {
        self.cell().owners() > 0
    }

    /// An owner of the thunk, if it still has any.
    #[inline]
    pub(in crate::value) fn upgrade(&self) -> Option<Thunk> {
        let refs = &self.cell().refs;
        match refs.get() & OWNERS {
            0 => None,
            OWNERS => Some(Thunk(self.0)),
            _ => {
                refs.set(refs.get() + 1);
                Some(Thunk(self.0))
            }
        }
    }

    /// The collector's mark in the cell.
    pub(in crate::value) fn mark(&self) -> &Mark {
        &self.cell().mark
    }

    /// The cell's address.
    #[inline(always)]
    pub(in crate::value) fn addr(&self) -> usize {
        self.0.as_ptr().addr()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let refs = &self.cell().refs;
        let left = refs.get() - REGISTRATION;
        refs.set(left);
        if left == 0 {
            // SAFETY: the block came from `Box::leak` in `Thunk::new`, and this was the last
            // reference of either kind (its state was released with its last owner).
            drop(unsafe { Box::from_raw(self.0.as_ptr()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn a_thunk_is_one_32_byte_block() {
        assert_eq!(std::mem::size_of::<ThunkCell>(), 32);
    }

    #[test]
    fn a_registration_keeps_the_block_and_releases_the_state_with_the_last_owner() {
        let list = Value::list(vec![Value::Int(1)]);
        let Value::List(l) = &list else {
            unreachable!("a list")
        };
        let witness = l.clone();
        let thunk = Thunk::new(ThunkState::Done(list));
        let other = thunk.clone();
        let registered = Registered::new(&thunk).expect("room for a registration");
        assert_eq!(thunk.owners(), 2);
        drop(thunk);
        assert!(registered.is_alive());
        let back = registered.upgrade().expect("an owner is left");
        drop((other, back));
        assert!(!registered.is_alive());
        assert!(registered.upgrade().is_none());
        assert_eq!(
            std::rc::Rc::strong_count(&witness),
            1,
            "the state went with the owners"
        );
        drop(registered);
    }

    #[test]
    fn owners_at_the_limit_stay_there() {
        let thunk = Thunk::new(ThunkState::Done(Value::Int(1)));
        thunk.cell().refs.set(OWNERS - 1);
        let clones: Vec<Thunk> = (0..3).map(|_| thunk.clone()).collect();
        assert_eq!(thunk.owners(), usize::MAX, "counted as held from outside");
        let registered = Registered::new(&thunk).expect("room for a registration");
        drop(clones);
        assert_eq!(
            thunk.cell().owners(),
            OWNERS,
            "a count at the limit never falls"
        );
        assert!(registered.upgrade().is_some());
        // With fifteen registrations too, the word is full: a clone still leaves it so.
        thunk.cell().refs.set(u32::MAX);
        drop(thunk.clone());
        assert_eq!(thunk.cell().refs.get(), u32::MAX);
        // Back to one owner and one registration, so that the test frees the block.
        thunk.cell().refs.set(1 + REGISTRATION);
        drop((thunk, registered));
    }

    #[test]
    fn registrations_past_fifteen_are_refused() {
        let thunk = Thunk::new(ThunkState::Blackhole);
        let held: Vec<_> = (0..15).map(|_| Registered::new(&thunk)).collect();
        assert!(held.iter().all(Option::is_some));
        assert!(Registered::new(&thunk).is_none());
        assert_eq!(thunk.owners(), 1);
        drop(thunk);
        assert!(held.iter().flatten().all(|r| !r.is_alive()));
    }
}
