//! The keys `genericClosure` has seen, in `<` order: a red-black tree shaped as C++ Nix's
//! `std::set` is (libstdc++'s insertion and rebalancing are the textbook ones), so a new key
//! is compared with the same keys in the same order, and an error names the same pair. A
//! sorted vector searched by bisection, which this replaced, moved every greater key on each
//! insertion: quadratic when keys arrive in descending order.
//!
//! Comparing two keys may need evaluation (the elements of lists) and may fail, so the tree
//! never compares: the caller walks it from the root with Nix's `<` and says where the walk
//! fell off (`insert`); rebalancing needs only the colours.

use crate::value::Value;

/// A node's index in the tree.
pub type Node = usize;

/// Where a walk fell off the tree: a node and its empty side (`LEFT` when the key sought is
/// less than the node's).
pub type Step = (Node, usize);

pub const LEFT: usize = 0;
pub const RIGHT: usize = 1;

/// A node's links to other nodes: `NONE` for none. Indices of 32 bits keep an entry at 32
/// bytes, two to a cache line: walking the tree is reading one entry per level, rarely in
/// the cache (with `Option<usize>` links an entry was 80 bytes, and `genericClosure` over
/// 200 000 keys spent most of its time waiting for them).
type Link = u32;
const NONE: Link = Link::MAX;

/// The most nodes a tree holds (`is_full`): every index below `NONE`.
const CAPACITY: usize = NONE as usize;

/// A node's (or an item's) index as 32 bits; `insert` is only called below `CAPACITY`.
fn index(n: usize) -> Link {
    Link::try_from(n)
        .ok()
        .filter(|&l| l != NONE)
        .unwrap_or_else(|| unreachable!("key tree index {n}: callers stop at is_full"))
}

fn link(node: Option<Node>) -> Link {
    node.map_or(NONE, index)
}

fn node(link: Link) -> Option<Node> {
    (link != NONE).then_some(link as Node)
}

struct Entry {
    key: Value,
    /// What the caller keeps with the key (`genericClosure`: the element's index in its result).
    item: u32,
    children: [Link; 2],
    parent: Link,
}

#[derive(Default)]
pub struct KeyTree {
    entries: Vec<Entry>,
    /// Each node's colour, apart: only rebalancing reads it.
    red: Vec<bool>,
    root: Option<Node>,
}

impl KeyTree {
    pub fn root(&self) -> Option<Node> {
        self.root
    }

    pub fn key(&self, node: Node) -> &Value {
        &self.entries[node].key
    }

    pub fn item(&self, node: Node) -> usize {
        self.entries[node].item as usize
    }

    pub fn child(&self, at: Node, side: usize) -> Option<Node> {
        node(self.entries[at].children[side])
    }

    fn parent(&self, at: Node) -> Option<Node> {
        node(self.entries[at].parent)
    }

    fn set_child(&mut self, at: Node, side: usize, child: Option<Node>) {
        self.entries[at].children[side] = link(child);
    }

    fn set_parent(&mut self, at: Node, parent: Option<Node>) {
        self.entries[at].parent = link(parent);
    }

    /// Whether the tree holds as many keys as its 32-bit links can tell apart.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= CAPACITY
    }

    /// Adds `key` where a walk from the root fell off (`None`: the tree is empty), with `item`
    /// (at most the number of keys so far). The tree must not be full.
    pub fn insert(&mut self, place: Option<Step>, key: Value, item: usize) {
        let node = self.entries.len();
        self.entries.push(Entry {
            key,
            item: index(item),
            children: [NONE, NONE],
            parent: link(place.map(|(parent, _)| parent)),
        });
        self.red.push(true);
        match place {
            Some((parent, side)) => self.set_child(parent, side, Some(node)),
            None => self.root = Some(node),
        }
        self.rebalance(node);
    }

    /// Every node in key order.
    pub fn in_order(&self) -> Vec<Node> {
        let mut out = Vec::with_capacity(self.entries.len());
        let mut pending = Vec::new();
        let mut at = self.root;
        while at.is_some() || !pending.is_empty() {
            while let Some(node) = at {
                pending.push(node);
                at = self.child(node, LEFT);
            }
            if let Some(node) = pending.pop() {
                out.push(node);
                at = self.child(node, RIGHT);
            }
        }
        out
    }

    /// Restores the red-black rules after `x` was added red (libstdc++'s
    /// `_Rb_tree_insert_and_rebalance`).
    fn rebalance(&mut self, mut x: Node) {
        while let Some(p) = self.parent(x).filter(|&p| self.red[p]) {
            // A red node is never the root, so `p` has a parent.
            let Some(g) = self.parent(p) else {
                break;
            };
            let side = self.side_of(p, g);
            match self.child(g, 1 - side) {
                Some(uncle) if self.red[uncle] => {
                    self.red[p] = false;
                    self.red[uncle] = false;
                    self.red[g] = true;
                    x = g;
                }
                _ => {
                    if self.child(p, 1 - side) == Some(x) {
                        x = p;
                        self.lift(x, 1 - side);
                    }
                    if let Some(p) = self.parent(x) {
                        self.red[p] = false;
                    }
                    self.red[g] = true;
                    self.lift(g, side);
                }
            }
        }
        if let Some(root) = self.root {
            self.red[root] = false;
        }
    }

    /// Which side of `parent` `child` is on.
    fn side_of(&self, child: Node, parent: Node) -> usize {
        if self.child(parent, LEFT) == Some(child) {
            LEFT
        } else {
            RIGHT
        }
    }

    /// A rotation: `x`'s child on `side` takes its place, with `x` as its child on the other.
    fn lift(&mut self, x: Node, side: usize) {
        let Some(y) = self.child(x, side) else {
            return;
        };
        let inner = self.child(y, 1 - side);
        self.set_child(x, side, inner);
        if let Some(inner) = inner {
            self.set_parent(inner, Some(x));
        }
        let above = self.parent(x);
        self.set_parent(y, above);
        match above {
            Some(a) => {
                let s = self.side_of(x, a);
                self.set_child(a, s, Some(y));
            }
            None => self.root = Some(y),
        }
        self.set_child(y, 1 - side, Some(x));
        self.set_parent(x, Some(y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(tree: &KeyTree, node: Node) -> i64 {
        match tree.key(node) {
            Value::Int(i) => *i,
            _ => unreachable!("only ints are inserted"),
        }
    }

    /// Inserts ints through the walk `genericClosure` makes (equal keys are skipped).
    fn build(keys: impl IntoIterator<Item = i64>) -> KeyTree {
        let mut tree = KeyTree::default();
        for k in keys {
            let (mut place, mut at, mut below) = (None, tree.root(), None);
            while let Some(node) = at {
                let side = if k < int(&tree, node) { LEFT } else { RIGHT };
                if side == RIGHT {
                    below = Some(node);
                }
                place = Some((node, side));
                at = tree.child(node, side);
            }
            if below.is_none_or(|b| int(&tree, b) < k) {
                tree.insert(place, Value::Int(k), 0);
            }
        }
        tree
    }

    /// The number of black nodes on every path down from `node`; panics if the rules fail.
    fn black_height(tree: &KeyTree, node: Option<Node>, parent_red: bool) -> usize {
        let Some(n) = node else { return 1 };
        let red = tree.red[n];
        assert!(!(red && parent_red), "a red node with a red parent");
        let left = black_height(tree, tree.child(n, LEFT), red);
        assert_eq!(left, black_height(tree, tree.child(n, RIGHT), red));
        left + usize::from(!red)
    }

    fn keys(tree: &KeyTree) -> Vec<i64> {
        tree.in_order().into_iter().map(|n| int(tree, n)).collect()
    }

    #[test]
    fn keys_come_out_in_order_once_whatever_order_they_went_in() {
        let orders: [Vec<i64>; 4] = [
            (0..1000).rev().collect(),
            (0..1000).collect(),
            (0..3000).map(|i| (i * 7919) % 1000).collect(),
            (0..1000).flat_map(|i| [i, 999 - i]).collect(),
        ];
        for order in orders {
            let tree = build(order);
            assert_eq!(keys(&tree), (0..1000).collect::<Vec<_>>());
            assert!(!tree.red[tree.root().unwrap()]);
            // Red-black: at most 2 log2(n + 1) deep, so about 20 for 1000 keys.
            assert!(black_height(&tree, tree.root(), false) <= 11);
        }
    }

    #[test]
    fn an_entry_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }

    #[test]
    fn the_shape_is_the_textbook_one() {
        // 1..=5 ascending: 2 at the root, 1 and 4 below it, 3 and 5 under 4 (both red).
        let tree = build(1..=5);
        let root = tree.root().unwrap();
        assert_eq!(int(&tree, root), 2);
        let four = tree.child(root, RIGHT).unwrap();
        assert_eq!(int(&tree, four), 4);
        assert_eq!(int(&tree, tree.child(root, LEFT).unwrap()), 1);
        assert_eq!(int(&tree, tree.child(four, LEFT).unwrap()), 3);
        assert!(tree.red[tree.child(four, RIGHT).unwrap()]);
    }
}
