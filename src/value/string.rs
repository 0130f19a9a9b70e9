//! Nix strings: immutable byte strings (not necessarily UTF-8) carrying a string context.
//!
//! The context is the set of store paths a string refers to (C++ Nix's `NixStringContext`).
//! It is empty for nearly every string, so it lives behind an `Option` and costs one word.

use super::Symbol;
use bstr::{BStr, ByteSlice};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

/// The string context: encoded elements as C++ Nix writes them (`/nix/store/..`, `=/nix/store/..drv`,
/// `!out!/nix/store/..drv`), kept sorted.
pub type NixContext = BTreeSet<String>;

struct Inner {
    bytes: Box<[u8]>,
    context: Option<Box<NixContext>>,
    /// The interned name of these bytes, once the string was interned or found interned
    /// (`Symbol::of_string`): a string used as an attribute name again (`x.${n}` in a loop, a
    /// name from `attrNames`) skips the symbol table's hashing and probing. It costs no memory:
    /// the `Rc` block is 48 bytes with or without it.
    symbol: Cell<Option<Symbol>>,
}

/// A reference-counted Nix string. Cloning is a count bump.
/// A Nix string: bytes (not necessarily UTF-8) and the context of store paths it refers to.
/// Cloning it shares it.
#[derive(Clone)]
pub struct NixString(Rc<Inner>);

impl NixString {
    /// The address of the string's heap object (`Value::identity`).
    pub(crate) fn ptr_id(&self) -> usize {
        Rc::as_ptr(&self.0) as *const u8 as usize
    }

    /// A string of these bytes with this context (an empty context is none).
    pub fn new(bytes: impl Into<Box<[u8]>>, context: Option<NixContext>) -> Self {
        let context = context.filter(|c| !c.is_empty()).map(Box::new);
        NixString(Rc::new(Inner {
            bytes: bytes.into(),
            context,
            symbol: Cell::new(None),
        }))
    }

    /// The interned name of these bytes, if this string knows it (`Symbol::of_string`).
    #[inline]
    pub(super) fn known_symbol(&self) -> Option<Symbol> {
        self.0.symbol.get()
    }

    /// Remembers the interned name of these bytes.
    #[inline]
    pub(super) fn know_symbol(&self, symbol: Symbol) {
        self.0.symbol.set(Some(symbol));
    }

    /// Its bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// Its bytes as a `bstr` (which prints and compares as text).
    pub fn as_bstr(&self) -> &BStr {
        self.0.bytes.as_bstr()
    }

    /// The string as UTF-8 text, replacing invalid sequences (for messages and paths).
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0.bytes)
    }

    /// The string as text with a stand-in for each byte that is not UTF-8 (`rawtext`), which
    /// the writers of output take back: exact, where `to_str_lossy` is not.
    pub fn to_text(&self) -> std::borrow::Cow<'_, str> {
        crate::rawtext::decode(&self.0.bytes)
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.bytes.len()
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.bytes.is_empty()
    }

    /// Its context: the store paths (and derivation outputs) it refers to, if any.
    pub fn context(&self) -> Option<&NixContext> {
        self.0.context.as_deref()
    }

    /// Whether it refers to any store path.
    pub fn has_context(&self) -> bool {
        self.0.context.is_some()
    }

    /// The same bytes without context.
    pub fn without_context(&self) -> NixString {
        if self.has_context() {
            NixString::new(self.as_bytes(), None)
        } else {
            self.clone()
        }
    }

    /// The same bytes with `context` (replacing any context this string had).
    pub fn with_context(&self, context: Option<NixContext>) -> NixString {
        NixString::new(self.as_bytes(), context)
    }

    /// Concatenates strings, uniting their contexts; an error of class `OutOfMemory` if the
    /// result would not fit in the run's memory budget (`Settings::max_memory`).
    pub(crate) fn concat<'a, I>(parts: I) -> Result<NixString, crate::errors::Error>
    where
        I: IntoIterator<Item = &'a NixString>,
        I::IntoIter: Clone,
    {
        let parts = parts.into_iter();
        let len = parts.clone().fold(0usize, |n, p| n.saturating_add(p.len()));
        crate::allocator::reserve(len, "a string")?;
        let mut bytes = Vec::with_capacity(len);
        let mut context: Option<NixContext> = None;
        for p in parts {
            bytes.extend_from_slice(p.as_bytes());
            if let Some(c) = p.context() {
                context
                    .get_or_insert_with(Default::default)
                    .extend(c.iter().cloned());
            }
        }
        Ok(NixString::new(bytes, context))
    }
}

impl PartialEq for NixString {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || self.0.bytes == other.0.bytes
    }
}
impl Eq for NixString {}

impl PartialOrd for NixString {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for NixString {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.bytes.cmp(&other.0.bytes)
    }
}

impl std::hash::Hash for NixString {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.bytes.hash(state)
    }
}

impl From<&str> for NixString {
    fn from(s: &str) -> Self {
        NixString::new(s.as_bytes(), None)
    }
}
impl From<String> for NixString {
    fn from(s: String) -> Self {
        NixString::new(s.into_bytes(), None)
    }
}
impl From<&[u8]> for NixString {
    fn from(s: &[u8]) -> Self {
        NixString::new(s, None)
    }
}
impl From<Vec<u8>> for NixString {
    fn from(s: Vec<u8>) -> Self {
        NixString::new(s, None)
    }
}

impl std::fmt::Debug for NixString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_bstr())
    }
}

/// The string in a message: its bytes that are not UTF-8 as stand-ins (`to_text`), which the
/// writers of messages take back, so stderr gets the bytes as C++ Nix writes them.
impl std::fmt::Display for NixString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A context element as C++ Nix displays it in messages (`path`, `drv^out`).
pub(crate) fn display_context_element(e: &str) -> String {
    if let Some(drv) = e.strip_prefix('=') {
        return drv.to_string();
    }
    if let Some(rest) = e.strip_prefix('!')
        && let Some((output, drv)) = rest.split_once('!')
    {
        return format!("{drv}^{output}");
    }
    e.to_string()
}
