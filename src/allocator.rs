//! gnix's allocator: the system allocator, with per-thread free lists for small blocks in front
//! of it, a count of allocations for `--stats` (`nrAllocations`) and of the bytes each thread
//! holds, which `Settings::max_memory` is checked against. The `gnix` binary installs it; a
//! host installs it the same way (`#[global_allocator] static A: gnix::allocator::Allocator =
//! gnix::allocator::Allocator;`) to get the same speed and the memory budget.
//!
//! Evaluation allocates and frees small objects at a high rate: every thunk is one 32-byte
//! block, every environment one of 16 bytes plus 16 a slot, closures and partial applications
//! a few more. glibc's per-thread cache holds only seven blocks of a size, and a fresh block costs a walk through
//! its general allocator, so runs of allocations (a `genList`, a module system's option tree)
//! fall through to its slower paths. Here blocks of up to 512 bytes come in size classes (multiples of 8):
//! a freed block goes on its class's list and the next allocation of the class takes it back
//! (a push and a pop); when the list is empty, the block is cut from the class's current
//! slab (a pointer bump; see `slab_bytes`). Slabs are cut from 2 MiB chunks. The kernel is not
//! asked to back them with transparent huge pages: with its default `defrag=madvise`, a fault
//! in a region advised `MADV_HUGEPAGE` compacts memory on the spot when no huge page is free,
//! and half the runs of the real-sized workloads then spent 0.25-0.45 s in the kernel instead
//! of 0.01-0.09 s. Over 6-10 alternating runs each, 4 KiB pages against huge pages gave medians
//! of 0.82x wall on fixpoint, 0.89x attrs, 0.92x modules, 0.78x derivations, 0.94x lazy and
//! 1.04x lists (`benches/RESULTS.md`, session 17), and far steadier system times. The chunks
//! stay aligned to 2 MiB, so where the system's setting is `always` they still get huge pages.
//! Past a thread's first few chunks, each new chunk is backed at once with `MADV_POPULATE_WRITE`
//! (`populate`): its pages would all be touched anyway, and one system call replaces a fault
//! per page (the module workload's system time 0.144 -> 0.104 s; start-up, whose objects fit in
//! the first chunks, is unchanged).
//! Slabs are never handed back to the system, so memory that held small objects is kept for
//! small objects of the same class; the peak is that of the largest live set plus at most one
//! partly used slab per class and one partly used chunk. The library sets no allocator: hosts
//! that embed gnix choose their own. With another allocator, `max_memory` still refuses any
//! single list or string larger than the budget (`reserve`), but cannot see the heap grow.
//!
//! The bytes a thread holds are counted per thread, by the size of each block (a small one by
//! its class's size): values never cross threads, so an evaluation's heap is its thread's.
//! A block freed on another thread than the one that made it counts against the freeing one;
//! the counts are for budgets, not accounting.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::null_mut;

/// Size classes: 8, 16, 24, ..., 512 bytes. Up to 512, the entries of a set of up to 21
/// attributes (`//` on option sets: modules 548M -> 541M instructions, 0.94-0.97x wall). Steps
/// of 8, not 16: a set's entries are 24 bytes each and its header block 40 (`Attrs`), which
/// 16-byte classes rounded up (module workload peak 142.3 -> 141.5 MB from the classes alone;
/// what Rust asks to be aligned to 16 goes to the system allocator).
const CLASS: usize = 8;
const CLASSES: usize = 64;
/// Bytes a class's blocks are cut from at a time: 64 KiB for the classes up to 128 bytes,
/// where nearly every allocation falls; 16 KiB for the larger ones, so that a run touching
/// every class (compiling does) still fits its first slabs into one chunk (with 64 KiB slabs
/// throughout, small runs touched a second huge page: fixpoint's peak went 6.1 -> 8.2 MiB).
fn slab_bytes(class: usize) -> usize {
    if class < 16 { 64 * 1024 } else { 16 * 1024 }
}
/// Bytes the system is asked for at a time to cut slabs from (the size of a huge page, and
/// aligned to it).
const CHUNK: usize = 2 * 1024 * 1024;

/// gnix's allocator: size classes cut from 2 MiB chunks, with per-thread counts of the bytes
/// held (what `Settings::max_memory` checks). The CLI installs it; a host that wants memory
/// budgets installs it too:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;
/// ```
pub struct Allocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    /// Bytes of the blocks this thread allocated minus those it freed.
    static HELD: Cell<isize> = const { Cell::new(0) };
    /// The `HELD` this thread may not grow past (`Budget`).
    static LIMIT: Cell<isize> = const { Cell::new(isize::MAX) };
    /// Head of each class's list of free blocks; a free block's first word points to the next.
    static FREE: [Cell<*mut u8>; CLASSES] = const { [const { Cell::new(null_mut()) }; CLASSES] };
    /// The unused part of each class's current slab, as (next, end) addresses.
    static SLABS: [Cell<(usize, usize)>; CLASSES] = const { [const { Cell::new((0, 0)) }; CLASSES] };
    /// The unused part of the current chunk that slabs are cut from, as (next, end).
    static CHUNK_LEFT: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Chunks this thread has taken.
    static CHUNKS: Cell<usize> = const { Cell::new(0) };
}

/// A new slab, cut from the current chunk (a new chunk when it is used up).
fn new_slab(bytes: usize) -> *mut u8 {
    CHUNK_LEFT.with(|left| {
        let (mut next, mut end) = left.get();
        if next + bytes > end {
            let Ok(layout) = Layout::from_size_align(CHUNK, CHUNK) else {
                return null_mut();
            };
            // SAFETY: a valid, non-zero-sized layout.
            let chunk = unsafe { System.alloc(layout) };
            if chunk.is_null() {
                return null_mut();
            }
            if CHUNKS.with(|n| n.replace(n.get() + 1)) >= POPULATE_FROM {
                populate(chunk);
            }
            (next, end) = (chunk as usize, chunk as usize + CHUNK);
        }
        left.set((next + bytes, end));
        std::ptr::with_exposed_provenance_mut(next)
    })
}

/// The chunks a thread takes before `populate` backs the next ones at once: start-up and small
/// evaluations fit in them and touch only the pages they use.
const POPULATE_FROM: usize = 4;

/// Backs a chunk with memory in one system call (`MADV_POPULATE_WRITE`), where each of its
/// pages would otherwise fault on first touch: slabs are cut from a chunk until it is used up,
/// so an evaluation that has taken a few chunks will touch the whole of the next. A fault is a
/// trap into the kernel per page; populating zeroes the same pages without them (the module
/// workload: system time 0.144 -> 0.104 s, medians of 10 paired runs; `benches/RESULTS.md`).
#[cfg(target_os = "linux")]
fn populate(chunk: *mut u8) {
    // SAFETY: `chunk` is a live allocation of `CHUNK` bytes; the advice only makes the kernel
    // back its pages now (a kernel without it refuses the advice, which changes nothing).
    unsafe {
        libc::madvise(chunk.cast(), CHUNK, libc::MADV_POPULATE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn populate(_chunk: *mut u8) {}

/// Asks the processor to bring the cache line at `at` in, ahead of a read (the allocator's
/// next free block; the cycle collector's next objects).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn prefetch(at: usize) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    // SAFETY: a prefetch is a hint with no effect on memory or on what a program observes; it
    // does not fault, whatever the address (SSE, which it needs, is part of x86_64).
    unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::with_exposed_provenance(at)) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn prefetch(_at: usize) {}

/// Allocations made so far by the calling thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Bytes the calling thread holds (allocated and not freed), as far as this allocator saw:
/// zero throughout where it is not the global allocator.
pub fn held() -> isize {
    HELD.with(Cell::get)
}

/// A limit on how far the calling thread's heap may grow while it lives (one run of the VM,
/// under `Settings::max_memory`); the previous limit comes back when it is dropped.
pub(crate) struct Budget {
    previous: isize,
}

impl Budget {
    /// `bytes` more than the thread holds now; `None` for no limit (an outer one still holds).
    pub(crate) fn new(bytes: Option<usize>) -> Budget {
        let previous = LIMIT.with(Cell::get);
        let limit = bytes.map_or(isize::MAX, |b| {
            let b = isize::try_from(b).unwrap_or(isize::MAX);
            held().saturating_add(b)
        });
        LIMIT.with(|l| l.set(limit.min(previous)));
        Budget { previous }
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        LIMIT.with(|l| l.set(self.previous));
    }
}

/// Whether the calling thread holds more than its budget allows.
pub(crate) fn over_budget() -> bool {
    held() > LIMIT.with(Cell::get)
}

/// Checks that `bytes` more fit in the budget before a builtin makes a list or string of
/// that size (it becomes an error of class `OutOfMemory`). The size alone is checked against
/// the budget too, so a budget holds for single large values under any allocator.
pub fn reserve(bytes: usize, what: &str) -> Result<(), OverBudget> {
    let limit = LIMIT.with(Cell::get);
    let bytes = isize::try_from(bytes).unwrap_or(isize::MAX);
    let base = held().max(0);
    if limit == isize::MAX || base.saturating_add(bytes) <= limit {
        return Ok(());
    }
    Err(OverBudget(format!(
        "evaluation stopped: {what} of {bytes} bytes would exceed the memory budget (max-memory)"
    )))
}

/// Past the memory budget, with the message to say so; the VM and the builtins turn it into an
/// error of class `OutOfMemory` (this module knows nothing of errors: it sits below them).
#[derive(Debug)]
pub struct OverBudget(pub String);

/// What stops an evaluation whose heap grew past its budget.
pub(crate) fn heap_over_budget() -> OverBudget {
    OverBudget("evaluation stopped: the heap grew past the memory budget (max-memory)".into())
}

/// Adds to the bytes the thread holds (blocks never exceed `isize::MAX` bytes).
#[inline]
fn count(bytes: isize) {
    // During thread teardown the counter may be gone; nothing is budgeted then.
    let _ = HELD.try_with(|h| h.set(h.get().wrapping_add(bytes)));
}

/// The class index of a layout, if it is small enough to be cached.
#[inline]
fn class_of(layout: &Layout) -> Option<usize> {
    let size = layout.size().max(1);
    (size <= CLASS * CLASSES && layout.align() <= CLASS).then(|| (size - 1) / CLASS)
}

/// A new block of class `c`, cut from the class's slab (a new slab when it is used up).
#[cold]
fn fresh_block(c: usize) -> *mut u8 {
    let size = (c + 1) * CLASS;
    SLABS.with(|slabs| {
        let (mut next, mut end) = slabs[c].get();
        if next + size > end {
            let bytes = slab_bytes(c);
            let slab = new_slab(bytes);
            if slab.is_null() {
                return null_mut();
            }
            (next, end) = (slab as usize, slab as usize + bytes);
        }
        slabs[c].set((next + size, end));
        // The address came from the slab's pointer: a multiple of 8 inside the slab.
        std::ptr::with_exposed_provenance_mut(next)
    })
}

// SAFETY: every block handed out is either cut fresh from a slab (an 8-aligned, class-sized
// part of a `System` allocation no other block overlaps, never freed) or a block of the same
// class that was freed and not handed out since, so it is valid for the requested layout (its
// size and alignment are the class's, which are at least the request's). A free block is only
// touched through its first word, which holds the list link while no one else owns it; it
// was allocated with a size of at least 8 bytes, so the word fits. Blocks of other sizes go
// to `System` unchanged, with their original layout. The lists are thread-local `Cell`s with
// const initialisers and no destructors: touching them never allocates or re-enters this
// allocator.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        let Some(c) = class_of(&layout) else {
            count(layout.size() as isize);
            // SAFETY: same contract as ours.
            return unsafe { System.alloc(layout) };
        };
        count(((c + 1) * CLASS) as isize);
        let head = FREE.with(|free| {
            let head = free[c].get();
            if !head.is_null() {
                // SAFETY: `head` is a free block of this class; its first word is the link.
                let next = unsafe { head.cast::<*mut u8>().read() };
                free[c].set(next);
                // The next allocation of the class reads the new head's link: blocks freed
                // in bulk (by the cycle collector) are cold by then, and that read missed.
                prefetch(next.addr());
            }
            head
        });
        if head.is_null() { fresh_block(c) } else { head }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class_of(&layout) {
            Some(c) => FREE.with(|free| {
                count(-(((c + 1) * CLASS) as isize));
                // SAFETY: `ptr` came from `alloc` with a layout of this class and is no longer
                // in use; it is at least 8 bytes and 8-aligned, so it can hold the link.
                unsafe { ptr.cast::<*mut u8>().write(free[c].get()) };
                free[c].set(ptr);
            }),
            None => {
                count(-(layout.size() as isize));
                // SAFETY: same contract as ours; such blocks came from `System` with `layout`.
                unsafe { System.dealloc(ptr, layout) }
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return null_mut();
        };
        match (class_of(&layout), class_of(&new_layout)) {
            (Some(a), Some(b)) if a == b => ptr,
            (None, None) => {
                ALLOCATIONS.with(|n| n.set(n.get() + 1));
                count(new_size as isize - layout.size() as isize);
                // SAFETY: both layouts are uncached, so `ptr` came from `System` with `layout`.
                unsafe { System.realloc(ptr, layout, new_size) }
            }
            _ => {
                // SAFETY: moving between a cached class and anything else: a new block, the
                // common prefix copied, the old block freed, each through our own contract.
                unsafe {
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Allocator, allocations, held};

    /// The library's unit tests run on this allocator (the CLI installs it in `main.rs`).
    #[global_allocator]
    static ALLOCATOR: Allocator = Allocator;

    #[test]
    fn chunks_past_the_first_few_are_backed_before_they_are_touched() {
        use super::{CHUNK, POPULATE_FROM, new_slab};
        let slab = 64 * 1024;
        let mut last = std::ptr::null_mut();
        for _ in 0..(POPULATE_FROM + 2) * (CHUNK / slab) {
            last = new_slab(slab);
        }
        // The chunk the last slab was cut from (chunks are aligned to their size), which
        // this thread took after its first `POPULATE_FROM`; nothing has touched its pages.
        let chunk = (last as usize) & !(CHUNK - 1);
        let page = 4096;
        let mut resident = vec![0u8; CHUNK / page];
        // SAFETY: the chunk is allocated and stays so (slabs are never freed); `resident` has
        // a byte per page of it.
        let r = unsafe { libc::mincore(chunk as *mut _, CHUNK, resident.as_mut_ptr()) };
        assert_eq!(r, 0);
        let backed = resident.iter().filter(|b| **b & 1 == 1).count();
        assert_eq!(backed, CHUNK / page, "pages backed");
    }

    #[test]
    fn the_bytes_a_thread_holds_are_counted() {
        let before = held();
        let big = vec![0u8; 1 << 20];
        let small: Vec<Box<u64>> = (0..1000).map(Box::new).collect();
        let grown = held() - before;
        assert!(grown >= (1 << 20) + 16 * 1000, "{grown}");
        drop((big, small));
        assert!(held() - before < 4096, "{}", held() - before);
    }

    #[test]
    fn blocks_are_reused_and_keep_their_contents_across_classes() {
        // Vectors growing through every class and beyond move their contents each time.
        let mut v: Vec<u8> = Vec::new();
        for i in 0..1000u32 {
            v.push(i as u8);
        }
        assert!(v.iter().enumerate().all(|(i, b)| *b == i as u8));
        // A freed block of a class is what the next allocation of that class gets.
        let a = Box::new([7u64; 8]);
        let addr = &*a as *const [u64; 8] as usize;
        drop(a);
        let b = Box::new([9u64; 8]);
        assert_eq!(&*b as *const [u64; 8] as usize, addr);
        assert_eq!(*b, [9u64; 8]);
    }

    #[test]
    fn allocations_are_counted() {
        let before = allocations();
        let boxes: Vec<Box<u32>> = (0..100).map(Box::new).collect();
        assert!(allocations() - before >= 100);
        assert_eq!(boxes.iter().map(|b| **b).sum::<u32>(), 4950);
    }
}
