//! Pushing frames without a store-forwarding stall.
//!
//! `Vec::push` receives its element already built. When the element is an enum put together
//! from parts (a frame's fields), the compiler writes those parts to a temporary on the native
//! stack, because the element must survive the call that may grow the vector, and then copies
//! the temporary into the vector in 16-byte loads. Each such load reads bytes written a few
//! cycles earlier by several smaller stores, which the processor cannot forward: it waits for
//! them to reach the cache, about a dozen cycles on every frame push. `push_with` makes room
//! first and builds the element straight into its slot. (Operand pushes gained nothing from
//! it: their values mostly come from calls, already in memory.)

pub(crate) trait PushWith<T> {
    /// Appends the element `make` returns, built after room has been made for it.
    fn push_with(&mut self, make: impl FnOnce() -> T);
}

impl<T> PushWith<T> for Vec<T> {
    #[inline(always)]
    fn push_with(&mut self, make: impl FnOnce() -> T) {
        if self.len() == self.capacity() {
            self.reserve(1);
        }
        let len = self.len();
        if let Some(slot) = self.spare_capacity_mut().first_mut() {
            slot.write(make());
            // SAFETY: the slot just initialised is the first one past `len`, inside capacity.
            unsafe { self.set_len(len + 1) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PushWith;

    #[test]
    fn push_with_appends_and_grows() {
        let mut v: Vec<String> = Vec::with_capacity(1);
        for i in 0..100 {
            v.push_with(|| i.to_string());
        }
        assert_eq!(v.len(), 100);
        assert_eq!(v[99], "99");
    }
}
