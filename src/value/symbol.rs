//! Interned attribute names.
//!
//! Every attribute name of every set is a `Symbol`: one shared record per distinct name, so
//! two names are equal exactly when they are the same record. A lookup with a name written in
//! the source (`x.name`, a formal, `inherit`) compares pointers, never bytes, and a name that
//! was never interned cannot be in any set, so looking it up fails without a search.
//!
//! Sets stay sorted by the names' bytes (the order Nix iterates in); each record keeps its
//! first eight bytes as a number so that ordering two names rarely reads their bytes.
//!
//! The table is per thread, like every `Value` (they hold `Rc`s and never cross threads), and
//! a name once interned lives as long as its thread: C++ Nix's symbol table keeps its names
//! for as long as the evaluator lives, and the set of distinct names a program uses is small.

use super::NixString;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::cmp::Ordering;

/// One interned name.
struct Record {
    name: NixString,
    /// The first eight bytes, big-endian, zero-padded: ordered as the names are.
    prefix: u64,
}

/// An interned attribute name: a copyable pointer to its record.
#[derive(Clone, Copy)]
pub struct Symbol(&'static Record);

thread_local! {
    static TABLE: RefCell<FxHashMap<&'static [u8], Symbol>> = RefCell::new(FxHashMap::default());
}

/// A name's first eight bytes, big-endian, zero-padded: ordered as the names are.
fn prefix(name: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = name.len().min(8);
    b[..n].copy_from_slice(&name[..n]);
    u64::from_be_bytes(b)
}

impl Symbol {
    /// The symbol for `name`, interning it on first use.
    pub fn new(name: &[u8]) -> Symbol {
        if let Some(s) = Symbol::existing(name) {
            return s;
        }
        Symbol::insert(NixString::new(name, None))
    }

    /// The symbol for a string's bytes (its context is not part of a name), reusing the string
    /// itself as the record's name when it is new.
    pub(crate) fn from_string(s: &NixString) -> Symbol {
        if let Some(sym) = Symbol::of_string(s) {
            return sym;
        }
        let sym = Symbol::insert(s.without_context());
        s.know_symbol(sym);
        sym
    }

    /// `existing` for a string's bytes, remembered in the string: asked again (the same name
    /// looked up in a loop), it is a read of the string's own block.
    #[inline]
    pub(crate) fn of_string(s: &NixString) -> Option<Symbol> {
        if let Some(sym) = s.known_symbol() {
            return Some(sym);
        }
        let sym = Symbol::existing(s.as_bytes())?;
        s.know_symbol(sym);
        Some(sym)
    }

    /// The symbol for `name` if some name like it was ever interned; `None` means no set can
    /// have an attribute of that name.
    pub(crate) fn existing(name: &[u8]) -> Option<Symbol> {
        TABLE.with(|t| t.borrow().get(name).copied())
    }

    fn insert(name: NixString) -> Symbol {
        let prefix = prefix(name.as_bytes());
        let record: &'static Record = Box::leak(Box::new(Record { name, prefix }));
        let sym = Symbol(record);
        // The names `attrNames` and `mapAttrs` hand out are this string: they know their symbol.
        record.name.know_symbol(sym);
        TABLE.with(|t| t.borrow_mut().insert(record.name.as_bytes(), sym));
        sym
    }

    /// The record's address: equal symbols have equal addresses (a hash of it places the name
    /// in a large set's index).
    #[inline]
    pub(crate) fn addr(self) -> usize {
        std::ptr::from_ref(self.0).addr()
    }

    /// The name's bytes.
    pub fn as_bytes(self) -> &'static [u8] {
        self.0.name.as_bytes()
    }

    /// The name as a Nix string value (shared, not copied).
    pub(crate) fn to_nix_string(self) -> NixString {
        self.0.name.clone()
    }

    /// The name as UTF-8 text, replacing invalid sequences (for messages).
    pub fn to_str_lossy(self) -> std::borrow::Cow<'static, str> {
        String::from_utf8_lossy(self.as_bytes())
    }
}

/// The symbol for a name written in gnix's own code (`sym!("outPath")`), interned once per
/// thread and place of use: a lookup with it compares pointers, where looking up the bytes would
/// first hash them into the symbol table.
macro_rules! sym {
    ($name:literal) => {{
        thread_local! {
            static SYMBOL: $crate::value::Symbol = $crate::value::Symbol::new($name.as_bytes());
        }
        SYMBOL.with(|s| *s)
    }};
}
pub(crate) use sym;

impl PartialEq for Symbol {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}
impl Eq for Symbol {}

impl PartialOrd for Symbol {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Byte order of the names, as Nix sorts attributes.
impl Ord for Symbol {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        if self == other {
            return Ordering::Equal;
        }
        match self.0.prefix.cmp(&other.0.prefix) {
            Ordering::Equal => self.as_bytes().cmp(other.as_bytes()),
            unequal => unequal,
        }
    }
}

impl std::hash::Hash for Symbol {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state)
    }
}

impl From<&str> for Symbol {
    fn from(s: &str) -> Self {
        Symbol::new(s.as_bytes())
    }
}

impl From<String> for Symbol {
    fn from(s: String) -> Self {
        Symbol::new(s.as_bytes())
    }
}

impl From<&NixString> for Symbol {
    fn from(s: &NixString) -> Self {
        Symbol::from_string(s)
    }
}

impl std::fmt::Debug for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0.name)
    }
}

impl std::fmt::Display for Symbol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.name)
    }
}

#[cfg(test)]
mod tests {
    use super::Symbol;

    #[test]
    fn equal_names_are_one_symbol() {
        let a = Symbol::new(b"services");
        assert!(a == Symbol::from("services"));
        assert!(a != Symbol::from("service"));
        assert!(Symbol::existing(b"never-interned-name").is_none());
    }

    #[test]
    fn symbols_order_as_their_bytes() {
        let mut names = ["abcdefghij", "abcdefghi", "b", "", "abcdefgh\u{0}", "Z"];
        let mut syms: Vec<Symbol> = names.iter().map(|n| Symbol::from(*n)).collect();
        names.sort();
        syms.sort();
        let sorted: Vec<&str> = syms
            .iter()
            .map(|s| std::str::from_utf8(s.as_bytes()).unwrap())
            .collect();
        assert_eq!(sorted, names);
    }
}
