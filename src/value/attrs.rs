//! Attribute sets: a vector of `(name, value)` pairs sorted by name bytes.
//!
//! Sorted order is what Nix iterates in (`attrNames`, printing, `mapAttrs`), lookup is a binary
//! search, and `//` is a linear merge of two sorted runs.

use super::{NixString, Value};

#[derive(Clone, Default)]
pub struct Attrs {
    entries: Vec<(NixString, Value)>,
}

impl Attrs {
    pub fn new() -> Self {
        Attrs {
            entries: Vec::new(),
        }
    }

    /// Builds a set from pairs in any order. On duplicate names the first one wins (as
    /// `listToAttrs` wants); callers that must reject duplicates check `find_duplicate` first.
    pub fn from_unsorted(mut entries: Vec<(NixString, Value)>) -> Self {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        Attrs { entries }
    }

    /// Builds a set from pairs already sorted by name with no duplicates.
    pub fn from_sorted(entries: Vec<(NixString, Value)>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Attrs { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&Value> {
        self.entries
            .binary_search_by(|(k, _)| k.as_bytes().cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    pub fn contains(&self, name: &[u8]) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&NixString, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &NixString> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// `self // other`: a merge of two sorted runs where `other` wins.
    pub fn update(&self, other: &Attrs) -> Attrs {
        let (a, b) = (&self.entries, &other.entries);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(b[j].clone());
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Attrs { entries: out }
    }

    /// A copy with the given names left out.
    pub fn without(&self, names: &[NixString]) -> Attrs {
        Attrs {
            entries: self
                .entries
                .iter()
                .filter(|(k, _)| !names.contains(k))
                .cloned()
                .collect(),
        }
    }

    /// The entries as owned pairs.
    pub fn into_entries(self) -> Vec<(NixString, Value)> {
        self.entries
    }
}
