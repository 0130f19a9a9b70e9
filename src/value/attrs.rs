//! Attribute sets: a vector of `(name, value)` pairs sorted by name bytes.
//!
//! Sorted order is what Nix iterates in (`attrNames`, printing, `mapAttrs`), and `//` is a
//! linear merge of two sorted runs. Names are interned `Symbol`s: small sets are searched by
//! comparing pointers, middling ones by a binary search whose steps mostly compare the names'
//! eight-byte prefixes, and a large set makes a hash index of its names' addresses the first
//! time it is searched (`Index`): a lookup is a probe or two, where a binary search over a
//! package set of 13 000 names took fourteen steps, the last ones cache misses. A name computed
//! at run time (`x.${n}`) is first made a symbol through the symbol table, which the string
//! remembers (`Symbol::of_string`): looking the same string up again skips the table.
//!
//! Sets written in source also know where each attribute was defined (`unsafeGetAttrPos`,
//! messages): a table of spans aligned with the entries, shared by every set one `{ ... }`
//! expression builds.

use super::collect::Mark;
use super::{NixString, Symbol, Value};
use crate::errors::Span;
use std::cell::OnceCell;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::rc::Rc;

/// An attribute set: its attributes sorted by name, each value as lazy as it was given.
///
/// The header is three words: the entries are a boxed slice taken apart, its pointer here and
/// its length a 32-bit field beside the collector's mark, and one word for the definition
/// sites (`Extra`). With the reference counts that is a 40-byte block (a `Vec`'s three words
/// made it 64 bytes, and a word for a large set's index beside the sites 48: a module
/// system's run holds some 300 000 sets at its peak). A set never changes once made, so it
/// needs no capacity.
pub struct Attrs {
    /// The first of `len` entries, sorted by name (`entries`).
    ptr: NonNull<(Symbol, Value)>,
    /// The definition sites, and a large set's index (`Extra`, read by `len`).
    extra: Extra,
    len: u32,
    pub(super) mark: Mark,
}

/// A set's definition sites (entry `i`'s at `i`, `Span::UNKNOWN` where there is none) in one
/// word: for a set of fewer than `INDEXED` names the table itself, for a larger one a block,
/// made with the set, holding the table and the index (made when the set is first searched).
/// Which of the two it is follows from the set's length, so it needs no tag of its own.
union Extra {
    small: ManuallyDrop<Option<Positions>>,
    large: ManuallyDrop<Box<Large>>,
}

/// What a set of `INDEXED` names or more keeps beside its entries.
struct Large {
    positions: Option<Positions>,
    index: OnceCell<Index>,
}

/// Definition sites of a set's entries, shared by every set one `{ ... }` expression builds.
/// A thin pointer (an `Rc<[Span]>` would make the set's header a word longer) to a slice of
/// their exact size (a `Vec` kept the room `//` reserved for every name both operands have).
pub(crate) type Positions = Rc<Box<[Span]>>;

/// A table of definition sites.
pub(crate) fn positions(spans: impl Into<Box<[Span]>>) -> Positions {
    Rc::new(spans.into())
}

thread_local! {
    /// Where `Attrs::update` gathers the definition sites of its result.
    static SPANS: std::cell::RefCell<Vec<Span>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A large set's index: an open-addressing hash table over the names' addresses, with room for
/// twice as many names as the set has (so a probe sequence is short), each slot the position of
/// an entry plus one, zero for none.
struct Index {
    slots: Box<[u32]>,
    /// 64 minus the table's size in bits: a hash's top bits pick the first slot.
    shift: u32,
}

impl Index {
    /// The index of `entries`, which has at least one entry and fewer than `u32::MAX`.
    fn new(entries: &[(Symbol, Value)]) -> Index {
        let bits = (2 * entries.len()).next_power_of_two().trailing_zeros();
        let mut index = Index {
            slots: vec![0; 1 << bits].into_boxed_slice(),
            shift: 64 - bits,
        };
        let mask = index.slots.len() - 1;
        for (i, (name, _)) in entries.iter().enumerate() {
            let mut at = index.home(*name);
            while index.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            index.slots[at] = i as u32 + 1;
        }
        index
    }

    /// The first slot `name` may be in (Fibonacci hashing of its record's address).
    #[inline]
    fn home(&self, name: Symbol) -> usize {
        ((name.addr() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Where `name` is in `entries` (those the index was made from).
    #[inline]
    fn find(&self, entries: &[(Symbol, Value)], name: Symbol) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(name);
        loop {
            let i = (*self.slots.get(at)? as usize).checked_sub(1)?;
            if entries.get(i)?.0 == name {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

/// Sets at most this large are searched by a linear scan of pointers.
const SCAN: usize = 16;

/// Sets at least this large get an index when first searched.
const INDEXED: usize = 64;

impl Attrs {
    /// C++ Nix's "Did you mean" list for a name this set lacks: the (at most five) names at
    /// edit distance 2 or less from `name`, nearest first and in byte order among equals, as
    /// "x", "one of x or y" or "one of x, y or z"; `None` if there are none.
    pub(crate) fn suggestions(&self, name: &[u8]) -> Option<String> {
        suggestions(self.keys().map(|k| k.as_bytes()), name)
    }

    /// The empty set.
    pub fn new() -> Self {
        Attrs::from_parts(Box::default(), None)
    }

    /// A set of these entries (sorted by name, no duplicates) and definition sites.
    fn from_parts(entries: Box<[(Symbol, Value)]>, positions: Option<Positions>) -> Self {
        let len = u32::try_from(entries.len()).unwrap_or_else(|_| {
            unreachable!(
                "a set of {} attributes: more than memory holds (C++ Nix's sets count theirs \
                 in 32 bits too)",
                entries.len()
            )
        });
        let extra = match entries.len() >= INDEXED {
            true => Extra {
                large: ManuallyDrop::new(Box::new(Large {
                    positions,
                    index: OnceCell::new(),
                })),
            },
            false => Extra {
                small: ManuallyDrop::new(positions),
            },
        };
        Attrs {
            ptr: NonNull::from(Box::leak(entries)).cast(),
            extra,
            len,
            mark: Mark::default(),
        }
    }

    /// The block of a large set (`INDEXED` names or more), `None` for a smaller one.
    #[inline]
    fn large(&self) -> Option<&Large> {
        // SAFETY: `from_parts` wrote `large` for a set of `INDEXED` names or more and `small`
        // for a smaller one, and the length never changes but in `drop`, which reads the
        // field first.
        (self.len() >= INDEXED).then(|| unsafe { &**self.extra.large })
    }

    /// The definition sites, if known.
    #[inline]
    fn positions(&self) -> Option<&Positions> {
        match self.large() {
            Some(large) => large.positions.as_ref(),
            // SAFETY: a set of fewer than `INDEXED` names holds `small` (see `large`).
            None => unsafe { self.extra.small.as_ref() },
        }
    }

    /// The entries, sorted by name.
    #[inline]
    fn entries(&self) -> &[(Symbol, Value)] {
        // SAFETY: `ptr` and `len` are those of the boxed slice `from_parts` leaked, which
        // stays allocated and unchanged until `take_entries` (only through `&mut self`) takes
        // it back: the slice is valid for as long as `self` is borrowed.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len as usize) }
    }

    /// Takes the entries back as the boxed slice they were made from, leaving none.
    fn take_entries(&mut self) -> Box<[(Symbol, Value)]> {
        let (ptr, len) = (self.ptr, self.len as usize);
        self.ptr = NonNull::dangling();
        self.len = 0;
        // SAFETY: `ptr` and `len` came from leaking this boxed slice (`from_parts`), and it
        // is taken back once: the fields now describe an empty slice, which owns nothing.
        unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len)) }
    }

    /// Builds a set from pairs sorted by name with no duplicates, and their definition sites.
    pub(crate) fn with_positions(entries: Vec<(Symbol, Value)>, positions: Positions) -> Self {
        let positions = (positions.len() == entries.len()).then_some(positions);
        Attrs::from_parts(entries.into_boxed_slice(), positions)
    }

    /// Where attribute `name` was defined, if known.
    pub(crate) fn position(&self, name: Symbol) -> Option<Span> {
        let i = self.index_of(name)?;
        let span = *self.positions()?.get(i)?;
        (span != Span::UNKNOWN).then_some(span)
    }

    /// Where the `i`th attribute (in name order) was defined, if known.
    pub(crate) fn position_of_entry(&self, i: usize) -> Option<Span> {
        Some(self.position_at(i)).filter(|&span| span != Span::UNKNOWN)
    }

    fn position_at(&self, i: usize) -> Span {
        self.positions()
            .and_then(|p| p.get(i).copied())
            .unwrap_or(Span::UNKNOWN)
    }

    /// Builds a set from pairs in any order. On duplicate names the first one wins (as
    /// `listToAttrs` wants); callers that must reject duplicates check `find_duplicate` first.
    pub fn from_unsorted(mut entries: Vec<(Symbol, Value)>) -> Self {
        entries.sort_by_key(|e| e.0);
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        Attrs::from_parts(entries.into_boxed_slice(), None)
    }

    /// Builds a set from pairs already sorted by name with no duplicates.
    pub(crate) fn from_sorted(entries: Vec<(Symbol, Value)>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Attrs::from_parts(entries.into_boxed_slice(), None)
    }

    /// How many attributes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index of a large set (made on first use), or `None` for a smaller one.
    #[inline]
    fn index(&self) -> Option<&Index> {
        let large = self.large()?;
        Some(large.index.get_or_init(|| Index::new(self.entries())))
    }

    /// The index of `name` in the sorted entries.
    #[inline]
    fn index_of(&self, name: Symbol) -> Option<usize> {
        if self.len() <= SCAN {
            return self.entries().iter().position(|(k, _)| *k == name);
        }
        if let Some(index) = self.index() {
            return index.find(self.entries(), name);
        }
        self.entries().binary_search_by(|(k, _)| k.cmp(&name)).ok()
    }

    #[inline]
    pub(crate) fn get(&self, name: Symbol) -> Option<&Value> {
        self.index_of(name).map(|i| &self.entries()[i].1)
    }

    /// The attribute named by `name`'s bytes (which need not be interned).
    pub fn get_bytes(&self, name: &[u8]) -> Option<&Value> {
        self.get(Symbol::existing(name)?)
    }

    /// The attribute named by a string computed at run time (`x.${n}`), which remembers the
    /// name's symbol for the next lookup.
    #[inline]
    pub(crate) fn get_string(&self, name: &NixString) -> Option<&Value> {
        self.get(Symbol::of_string(name)?)
    }

    pub(crate) fn contains(&self, name: Symbol) -> bool {
        self.index_of(name).is_some()
    }

    /// Whether it has an attribute of this name.
    pub fn contains_bytes(&self, name: &[u8]) -> bool {
        self.get_bytes(name).is_some()
    }

    /// Names and values, sorted by name.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Symbol, &Value)> + ExactSizeIterator {
        self.entries().iter().map(|(k, v)| (*k, v))
    }

    /// The `i`th attribute in order.
    pub(crate) fn entry(&self, i: usize) -> Option<(Symbol, &Value)> {
        self.entries().get(i).map(|(k, v)| (*k, v))
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = Symbol> + ExactSizeIterator {
        self.entries().iter().map(|(k, _)| *k)
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries().iter().map(|(_, v)| v)
    }

    /// `self // other`: a merge of two sorted runs where `other` wins. The entries of `self`
    /// between two of `other`'s are found by galloping and copied as a run: `//` adds a few
    /// names to a large set (an overlay to a package set, an option's definition to its
    /// defaults) far more often than it interleaves two sets name by name.
    pub(crate) fn update(&self, other: &Attrs) -> Attrs {
        let (a, b) = (self.entries(), other.entries());
        let track = self.positions().is_some() || other.positions().is_some();
        let mut out = Vec::with_capacity(a.len() + b.len());
        // The result's definition sites are gathered in a buffer kept for the purpose and
        // copied into a block of their exact size: a vector sized for both operands and kept
        // would hold room for every name the operands share.
        SPANS.with_borrow_mut(|pos| {
            pos.clear();
            let mut i = 0;
            for (j, entry) in b.iter().enumerate() {
                let end = i + count_below(&a[i..], entry.0);
                if end > i {
                    self.copy_run(i..end, &mut out, track.then_some(&mut *pos));
                }
                i = end + usize::from(a.get(end).is_some_and(|(k, _)| *k == entry.0));
                out.push(entry.clone());
                pos.extend(track.then(|| other.position_at(j)));
            }
            self.copy_run(i..a.len(), &mut out, track.then_some(&mut *pos));
            let positions = track.then(|| positions(&pos[..]));
            Attrs::from_parts(out.into_boxed_slice(), positions)
        })
    }

    /// Appends the entries in `run` to `out`, and their definition sites to `pos`.
    #[inline]
    fn copy_run(
        &self,
        run: std::ops::Range<usize>,
        out: &mut Vec<(Symbol, Value)>,
        pos: Option<&mut Vec<Span>>,
    ) {
        out.extend_from_slice(&self.entries()[run.clone()]);
        if let Some(pos) = pos {
            match self.positions() {
                Some(p) => pos.extend_from_slice(&p[run]),
                None => pos.extend(run.map(|_| Span::UNKNOWN)),
            }
        }
    }

    /// A copy with the given names left out. Each name is searched for once, so the cost is
    /// the set's size plus a search per name (not their product: `removeAttrs` is given
    /// thousands of names).
    pub(crate) fn without(&self, names: &[Symbol]) -> Attrs {
        let mut gone = vec![false; self.len()];
        for &name in names {
            if let Some(i) = self.index_of(name) {
                gone[i] = true;
            }
        }
        let keep: Vec<usize> = (0..self.len()).filter(|&i| !gone[i]).collect();
        let entries = keep.iter().map(|&i| self.entries()[i].clone()).collect();
        let positions = self.positions().map(|_| {
            positions(
                keep.iter()
                    .map(|&i| self.position_at(i))
                    .collect::<Vec<_>>(),
            )
        });
        Attrs::from_parts(entries, positions)
    }
}

/// How many of `entries`' first names sort before `name`: galloping (one, two, four... names
/// ahead), then a binary search of the last stretch, so a short run costs a comparison or two
/// and a long one a few times its logarithm.
#[inline]
fn count_below(entries: &[(Symbol, Value)], name: Symbol) -> usize {
    let mut end = 1;
    while end <= entries.len() && entries[end - 1].0 < name {
        end *= 2;
    }
    let start = end / 2;
    let end = end.min(entries.len() + 1);
    start + entries[start..end - 1].partition_point(|(k, _)| *k < name)
}

impl Clone for Attrs {
    fn clone(&self) -> Self {
        Attrs::from_parts(self.entries().into(), self.positions().cloned())
    }
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs::new()
    }
}

impl Drop for Attrs {
    fn drop(&mut self) {
        // SAFETY: the variant `from_parts` wrote for this length (see `large`), dropped once,
        // before `take_entries` resets the length.
        unsafe {
            match self.len() >= INDEXED {
                true => ManuallyDrop::drop(&mut self.extra.large),
                false => ManuallyDrop::drop(&mut self.extra.small),
            }
        }
        for (_, v) in self.take_entries().into_vec() {
            super::drop::release(v);
        }
    }
}

/// C++ Nix's "Did you mean" list for `name` among `candidates` (`Attrs::suggestions`).
pub(crate) fn suggestions<'a>(
    candidates: impl Iterator<Item = &'a [u8]>,
    name: &[u8],
) -> Option<String> {
    let mut near: Vec<(usize, &[u8])> = candidates
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort();
    near.dedup();
    near.truncate(5);
    let names: Vec<String> = near
        .iter()
        .map(|(_, n)| String::from_utf8_lossy(n).into_owned())
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("one of {} or {last}", rest.join(", "))),
    }
}

/// The Levenshtein distance between two byte strings.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            row[j + 1] = substitution.min(previous[j + 1] + 1).min(row[j] + 1);
        }
        previous = row;
    }
    previous[b.len()]
}

#[cfg(test)]
mod suggestion_tests {
    use super::edit_distance;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance(b"", b"ab"), 2);
        assert_eq!(edit_distance(b"kitten", b"sitting"), 3);
        assert_eq!(edit_distance(b"b", b"bx"), 1);
    }
}

#[cfg(test)]
mod index_tests {
    use super::{Attrs, INDEXED, SCAN, count_below};
    use crate::value::{NixString, Symbol, Value};

    fn set_of(n: usize) -> Attrs {
        Attrs::from_unsorted(
            (0..n)
                .map(|i| {
                    (
                        Symbol::new(format!("n{i}").as_bytes()),
                        Value::Int(i as i64),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn a_set_header_is_three_words() {
        assert_eq!(std::mem::size_of::<Attrs>(), 24);
    }

    #[test]
    fn sites_survive_a_copy_on_both_sides_of_the_index_threshold() {
        for n in [INDEXED - 1, INDEXED, INDEXED + 1] {
            let names: Vec<_> = (0..n)
                .map(|i| Symbol::new(format!("s{i:03}").as_bytes()))
                .collect();
            let spans: Vec<_> = (0..n)
                .map(|i| crate::errors::Span {
                    file: 0,
                    start: i as u32,
                    end: i as u32 + 1,
                })
                .collect();
            let entries = names.iter().map(|&k| (k, Value::Null)).collect();
            let set = Attrs::with_positions(entries, super::positions(spans.clone()));
            let copy = set.clone();
            for (i, &name) in names.iter().enumerate() {
                assert_eq!(set.position(name), Some(spans[i]), "{n} names");
                assert_eq!(copy.position(name), Some(spans[i]), "{n} names, copied");
            }
        }
    }

    #[test]
    fn every_name_is_found_in_sets_of_every_size() {
        for n in [
            0,
            1,
            SCAN,
            SCAN + 1,
            INDEXED - 1,
            INDEXED,
            INDEXED + 1,
            1000,
        ] {
            let set = set_of(n);
            for i in 0..n {
                let want = i as i64;
                let name = format!("n{i}");
                assert!(
                    matches!(set.get_bytes(name.as_bytes()), Some(Value::Int(v)) if *v == want)
                );
                let s = NixString::from(name.as_str());
                assert!(matches!(set.get_string(&s), Some(Value::Int(v)) if *v == want));
                // The second time, through the symbol the string remembered.
                assert!(matches!(set.get_string(&s), Some(Value::Int(v)) if *v == want));
            }
            assert!(set.get_bytes(b"absent-name").is_none());
            assert!(set.get(Symbol::new(b"interned-but-absent")).is_none());
            assert!(set.get_string(&NixString::from(format!("n{n}"))).is_none());
        }
    }

    #[test]
    fn runs_below_a_name_are_measured_to_their_end() {
        let names: Vec<_> = ["b", "d", "f", "h", "j", "l", "n"]
            .map(|n| (Symbol::new(n.as_bytes()), Value::Null))
            .into();
        for (name, below) in [
            ("a", 0),
            ("b", 0),
            ("c", 1),
            ("e", 2),
            ("g", 3),
            ("i", 4),
            ("m", 6),
            ("n", 6),
            ("z", 7),
        ] {
            assert_eq!(
                count_below(&names, Symbol::new(name.as_bytes())),
                below,
                "{name}"
            );
        }
        assert_eq!(count_below(&[], Symbol::new(b"a")), 0);
    }

    #[test]
    fn updates_keep_the_right_values_and_sites() {
        use crate::errors::Span;
        let site = |i: u32| Span {
            file: 0,
            start: i,
            end: i + 1,
        };
        let set = |names: &[(&str, i64)], base: u32| {
            let entries: Vec<_> = names
                .iter()
                .map(|(n, v)| (Symbol::new(n.as_bytes()), Value::Int(*v)))
                .collect();
            let spans: Vec<_> = (0..names.len() as u32).map(|i| site(base + i)).collect();
            Attrs::with_positions(entries, super::positions(spans))
        };
        let a = set(&[("a", 1), ("c", 2), ("d", 3), ("e", 4), ("g", 5)], 0);
        let b = set(&[("b", 10), ("d", 30), ("z", 90)], 100);
        let u = a.update(&b);
        let got: Vec<_> = u
            .iter()
            .map(|(k, v)| {
                let n = if let Value::Int(n) = v { *n } else { -1 };
                (k.to_string(), n)
            })
            .collect();
        let want = [
            ("a", 1),
            ("b", 10),
            ("c", 2),
            ("d", 30),
            ("e", 4),
            ("g", 5),
            ("z", 90),
        ];
        assert_eq!(got, want.map(|(k, v)| (k.to_string(), v)));
        let sites: Vec<_> = (0..u.len()).map(|i| u.position_of_entry(i)).collect();
        let want = [0, 100, 1, 101, 3, 4, 102].map(|i| Some(site(i)));
        assert_eq!(sites, want);
        // Without sites on either side, none on the result; one side's are kept.
        let plain = Attrs::from_sorted(vec![(Symbol::new(b"c"), Value::Int(7))]);
        assert!(plain.update(&plain).position_of_entry(0).is_none());
        let mixed = a.update(&plain);
        assert_eq!(mixed.position_of_entry(0), Some(site(0)));
        assert_eq!(mixed.position_of_entry(1), None);
    }
}
