//! A list that grows a fixed-size segment at a time, for the cycle collector's registrations.
//!
//! The registrations of live objects are the collector's largest structure (half a million at
//! the end of the module-system workload, 8 bytes each). In a `Vec` every doubling copied
//! them into a new block twice the size, and the old block went back to the system allocator's
//! heap, where the slabs of small objects (`allocator`) could not reuse it: fresh pages for the
//! copy, plus the room never filled. Here the list is segments of `SEGMENT` entries: growing
//! adds one, nothing is ever copied, and at most one segment has room left. The workload's peak
//! went 149.3 -> 142.3 MB (`benches/RESULTS.md`, session 20).

/// Entries a segment holds (32 KiB of 8-byte registrations).
const SEGMENT: usize = 4096;

/// A list of `T`s in segments of `SEGMENT`: every segment but the last is full, and the last
/// is not empty.
pub(super) struct SegmentedList<T> {
    segments: Vec<Vec<T>>,
}

impl<T> Default for SegmentedList<T> {
    fn default() -> Self {
        SegmentedList {
            segments: Vec::new(),
        }
    }
}

impl<T> SegmentedList<T> {
    pub fn len(&self) -> usize {
        match self.segments.last() {
            Some(last) => (self.segments.len() - 1) * SEGMENT + last.len(),
            None => 0,
        }
    }

    #[inline]
    pub fn push(&mut self, item: T) {
        match self.segments.last_mut() {
            Some(last) if last.len() < SEGMENT => last.push(item),
            _ => self.push_segment(item),
        }
    }

    #[cold]
    #[inline(never)]
    fn push_segment(&mut self, first: T) {
        let mut segment = Vec::with_capacity(SEGMENT);
        segment.push(first);
        self.segments.push(segment);
    }

    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        items.into_iter().for_each(|item| self.push(item));
    }

    /// The entries from position `start` on, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> {
        let first = start / SEGMENT;
        let skip = start % SEGMENT;
        self.segments.iter().skip(first).flatten().skip(skip)
    }

    /// Keeps, from position `start` on, only the entries `keep` says to (in their order); the
    /// others are dropped.
    pub fn retain_from(&mut self, start: usize, mut keep: impl FnMut(&T) -> bool) {
        let mut kept = start;
        for i in start..self.len() {
            if keep(self.get(i)) {
                self.swap(kept, i);
                kept += 1;
            }
        }
        self.truncate(kept);
    }

    /// Takes out the entries from position `at` on, in order.
    pub fn split_off(&mut self, at: usize) -> Vec<T> {
        let mut taken = Vec::with_capacity(self.len().saturating_sub(at));
        let first = at / SEGMENT;
        let skip = at % SEGMENT;
        if let Some(segment) = self.segments.get_mut(first) {
            taken.extend(segment.drain(skip.min(segment.len())..));
        }
        for segment in self.segments.iter_mut().skip(first + 1) {
            taken.append(segment);
        }
        self.segments.truncate(first + usize::from(skip > 0));
        taken
    }

    fn get(&self, i: usize) -> &T {
        &self.segments[i / SEGMENT][i % SEGMENT]
    }

    /// Swaps entries `a` and `b`, `a` at or before `b`.
    fn swap(&mut self, a: usize, b: usize) {
        let (sa, sb) = (a / SEGMENT, b / SEGMENT);
        if sa == sb {
            self.segments[sa].swap(a % SEGMENT, b % SEGMENT);
        } else {
            let (low, high) = self.segments.split_at_mut(sb);
            std::mem::swap(&mut low[sa][a % SEGMENT], &mut high[0][b % SEGMENT]);
        }
    }

    /// Drops the entries from position `len` on.
    fn truncate(&mut self, len: usize) {
        let segments = len.div_ceil(SEGMENT);
        self.segments.truncate(segments);
        if let Some(last) = self.segments.last_mut() {
            last.truncate(len - (segments - 1) * SEGMENT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> SegmentedList<usize> {
        let mut l = SegmentedList::default();
        l.extend(0..n);
        l
    }

    #[test]
    fn pushes_and_iterates_across_segments() {
        let n = 3 * SEGMENT + 5;
        let l = list(n);
        assert_eq!(l.len(), n);
        assert!(l.iter_from(0).copied().eq(0..n));
        for start in [0, 1, SEGMENT - 1, SEGMENT, 2 * SEGMENT + 3, n, n + 7] {
            assert!(
                l.iter_from(start).copied().eq(start.min(n)..n),
                "from {start}"
            );
        }
        assert_eq!(l.segments.len(), 4);
    }

    #[test]
    fn split_off_takes_the_tail_in_order_and_keeps_the_segments_full() {
        for n in [0, 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 5] {
            for at in [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 2, n, n + 3] {
                let mut l = list(n);
                let tail = l.split_off(at);
                let at = at.min(n);
                assert!(tail.into_iter().eq(at..n), "n {n} at {at}");
                assert_eq!(l.len(), at);
                assert!(l.iter_from(0).copied().eq(0..at));
                l.push(n);
                assert!(l.iter_from(0).copied().eq((0..at).chain([n])));
                assert!(l.segments.iter().rev().skip(1).all(|s| s.len() == SEGMENT));
                assert!(l.segments.iter().all(|s| !s.is_empty()));
            }
        }
    }

    #[test]
    fn retain_from_keeps_the_head_and_the_order_of_what_it_keeps() {
        let n = 2 * SEGMENT + 100;
        for start in [0, 10, SEGMENT + 1] {
            let mut l = list(n);
            l.retain_from(start, |&x| x % 3 == 0);
            let expected = (0..start).chain((start..n).filter(|x| x % 3 == 0));
            assert!(l.iter_from(0).copied().eq(expected), "from {start}");
            l.retain_from(0, |_| false);
            assert_eq!(l.len(), 0);
            assert!(l.segments.is_empty());
        }
    }

    #[test]
    fn dropped_entries_are_dropped_once() {
        let witness = std::rc::Rc::new(());
        let mut l = SegmentedList::default();
        l.extend((0..SEGMENT + 10).map(|_| witness.clone()));
        l.retain_from(5, |_| false);
        assert_eq!(std::rc::Rc::strong_count(&witness), 6);
        drop(l.split_off(2));
        assert_eq!(std::rc::Rc::strong_count(&witness), 3);
    }
}
