//! kpitree-layout: a tidy layout of the tree for drawing: where each box goes, in linear time.
//!
//! The tree is a DAG; a drawing needs a tree. The *display tree* unfolds it: a node sits under its
//! first parent (the first id in its `parents`) with its whole subtree, and appears under each other
//! parent as a *reference* item without its subtree (so nothing is drawn twice and the size stays
//! linear). Nodes without parents (strategies) are roots, side by side in document order. A collapsed
//! node's children are hidden. Items are numbered in preorder, so index order is the visible order
//! (what keyboard navigation walks).
//!
//! Positions come from Buchheim, Jünger and Leipert's linear-time version of Walker's algorithm
//! ("Improving Walker's algorithm to run in linear time", 2002), the algorithm behind d3-hierarchy's
//! `tree()`: parents centred over their children, subtrees packed as close as the separation allows,
//! equal subtrees drawn alike. Several roots are laid out as the children of an invisible root, as d3
//! does with a hierarchy's root. Traversals use explicit stacks: a long chain of KPIs must not
//! overflow the (small, in wasm) call stack.
//!
//! Only `+ − × ÷` on floats, so positions are bit-identical natively and in the browser.
//!
//! A crate of its own, over `kpitree-core`'s `Tree`, so the browser's wasm build (`web/scripts/build.sh`)
//! can compile it at opt-level s, for speed, and the engine at z, for size.

use kpitree_core::tree::{Ix, Tree};

/// Flag: the node has children in the tree (whether or not they are shown here).
pub const HAS_CHILDREN: u8 = 1;
/// Flag: the item shows its children (it has some, is not collapsed and is not a reference).
pub const EXPANDED: u8 = 2;
/// Flag: a shared node shown again under another parent than its first; its subtree is not repeated.
pub const REFERENCE: u8 = 4;
/// Flag: the node has more than one parent.
pub const SHARED: u8 = 8;

/// No item (a root's parent, a missing thread or child).
const NONE: u32 = u32::MAX;

/// The shape of a tree that layout needs, owned (so a front end can keep it next to the document):
/// children in document order and each node's first parent and number of parents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    child_offsets: Vec<u32>,
    children: Vec<u32>,
    first_parent: Vec<u32>,
    parent_count: Vec<u32>,
}

impl Shape {
    /// The shape of a validated tree.
    pub fn new(tree: &Tree) -> Shape {
        let n = tree.len();
        let mut shape = Shape {
            child_offsets: Vec::with_capacity(n + 1),
            children: Vec::new(),
            first_parent: Vec::with_capacity(n),
            parent_count: Vec::with_capacity(n),
        };
        shape.child_offsets.push(0);
        for i in 0..n as Ix {
            shape.children.extend_from_slice(tree.children(i));
            shape.child_offsets.push(shape.children.len() as u32);
            let parents = tree.parents(i);
            shape.first_parent.push(parents.first().copied().unwrap_or(NONE));
            shape.parent_count.push(parents.len() as u32);
        }
        shape
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.first_parent.len()
    }

    /// True for a tree without nodes.
    pub fn is_empty(&self) -> bool {
        self.first_parent.is_empty()
    }

    /// The nodes with children shown in full at display depth `depth` or deeper (0: the roots), in
    /// index order: what a view opened down to `depth` levels closes. The same nodes as a whole
    /// layout's non-reference items with children at that depth, without laying the tree out (a
    /// large tree opens collapsed, and this is on its path to the first screen).
    pub fn openable_from(&self, depth: u32) -> Vec<u32> {
        // Each node's display depth: it is shown in full under its first parent only. Collected in
        // index order afterwards, which needs no sort (and no sort's code in the wasm).
        let mut depths = vec![0u32; self.len()];
        let mut stack: Vec<u32> = (0..self.len() as u32).filter(|&i| self.first_parent[i as usize] == NONE).collect();
        while let Some(node) = stack.pop() {
            for &c in self.children(node) {
                if self.first_parent[c as usize] == node {
                    depths[c as usize] = depths[node as usize] + 1;
                    stack.push(c);
                }
            }
        }
        (0..self.len() as u32).filter(|&i| depths[i as usize] >= depth && !self.children(i).is_empty()).collect()
    }

    fn children(&self, i: u32) -> &[u32] {
        let (a, b) = (self.child_offsets[i as usize] as usize, self.child_offsets[i as usize + 1] as usize);
        &self.children[a..b]
    }
}

/// How to lay out.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Width and height of the space one item takes (its box plus the gaps around it).
    pub node_size: (f64, f64),
    /// Distance between neighbours with the same parent, in widths (d3's default: 1).
    pub siblings: f64,
    /// Distance between neighbours with different parents, in widths (d3's default: 2).
    pub cousins: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { node_size: (1.0, 1.0), siblings: 1.0, cousins: 2.0 }
    }
}

/// The laid-out display tree, one entry per item in every column, items in preorder.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Horizontal centre of each item; the leftmost centre is at half a node width.
    pub x: Vec<f64>,
    /// Vertical centre of each item: (depth + ½) × node height.
    pub y: Vec<f64>,
    /// Depth below the roots (roots are 0).
    pub depth: Vec<u32>,
    /// The display parent's item index, -1 for a root.
    pub parent: Vec<i32>,
    /// The node shown (an index into the document's nodes).
    pub node: Vec<u32>,
    /// [`HAS_CHILDREN`], [`EXPANDED`], [`REFERENCE`], [`SHARED`].
    pub flags: Vec<u8>,
    /// Width of the drawing: every item's box fits in `0..width`.
    pub width: f64,
    /// Height of the drawing: every item's box fits in `0..height`.
    pub height: f64,
}

impl Layout {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// True when nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }
}

/// The display tree's links, for the walks of the algorithm. The last slot is the invisible root.
struct Links {
    parent: Vec<u32>,
    first_child: Vec<u32>,
    last_child: Vec<u32>,
    prev_sibling: Vec<u32>,
    next_sibling: Vec<u32>,
    /// Position among siblings.
    number: Vec<u32>,
}

impl Links {
    /// Adds an item under `parent`, not yet linked to children or siblings.
    fn push(&mut self, parent: u32) {
        self.parent.push(parent);
        self.first_child.push(NONE);
        self.last_child.push(NONE);
        self.next_sibling.push(NONE);
        self.prev_sibling.push(NONE);
        self.number.push(0);
    }
}

/// Lays out `shape`; `collapsed[i]` hides node `i`'s children (a shorter slice collapses nothing past
/// its end).
pub fn layout(shape: &Shape, collapsed: &[bool], options: &Options) -> Layout {
    let mut out = Layout::default();
    let links = unfold(shape, collapsed, &mut out);
    let x = place(&links, options);
    let (w, h) = options.node_size;
    let count = out.node.len();
    let (mut lo, mut hi, mut deepest) = (f64::INFINITY, f64::NEG_INFINITY, 0);
    out.x = Vec::with_capacity(count);
    out.y = Vec::with_capacity(count);
    for (&xk, &d) in x.iter().zip(&out.depth) {
        let xk = xk * w;
        lo = lo.min(xk);
        hi = hi.max(xk);
        deepest = deepest.max(d);
        out.x.push(xk);
    }
    if count > 0 {
        let shift = w / 2.0 - lo;
        for xk in &mut out.x {
            *xk += shift;
        }
        out.width = hi - lo + w;
        out.height = (f64::from(deepest) + 1.0) * h;
    }
    out.y.extend(out.depth.iter().map(|&d| (f64::from(d) + 0.5) * h));
    out
}

/// Builds the display tree in preorder into `out` (node, parent, depth, flags) and returns its links.
fn unfold(shape: &Shape, collapsed: &[bool], out: &mut Layout) -> Links {
    let n = shape.len();
    // Each node once in full, plus one reference per extra parent.
    let capacity = shape.children.len() + n - shape.first_parent.iter().filter(|&&p| p != NONE).count();
    let mut links = Links {
        parent: Vec::with_capacity(capacity + 1),
        first_child: Vec::with_capacity(capacity + 1),
        last_child: Vec::with_capacity(capacity + 1),
        prev_sibling: Vec::with_capacity(capacity + 1),
        next_sibling: Vec::with_capacity(capacity + 1),
        number: Vec::with_capacity(capacity + 1),
    };
    for v in [&mut out.node, &mut out.depth] {
        v.reserve(capacity);
    }
    out.parent.reserve(capacity);
    out.flags.reserve(capacity);
    // (node, display parent item, reference?), popped in preorder.
    let mut stack: Vec<(u32, u32, bool)> = Vec::new();
    stack.extend((0..n as u32).rev().filter(|&i| shape.first_parent[i as usize] == NONE).map(|i| (i, NONE, false)));
    while let Some((node, parent, reference)) = stack.pop() {
        let item = out.node.len() as u32;
        let has_children = !shape.children(node).is_empty();
        let expanded = has_children && !reference && !collapsed.get(node as usize).copied().unwrap_or(false);
        let mut flags = 0;
        for (on, bit) in [
            (has_children, HAS_CHILDREN),
            (expanded, EXPANDED),
            (reference, REFERENCE),
            (shape.parent_count[node as usize] > 1, SHARED),
        ] {
            if on {
                flags |= bit;
            }
        }
        out.node.push(node);
        out.flags.push(flags);
        out.parent.push(if parent == NONE { -1 } else { parent as i32 });
        out.depth.push(if parent == NONE { 0 } else { out.depth[parent as usize] + 1 });
        links.push(parent);
        if expanded {
            for &c in shape.children(node).iter().rev() {
                stack.push((c, item, shape.first_parent[c as usize] != node));
            }
        }
    }
    // The invisible root holds the roots; then siblings are linked in preorder, which is left to right.
    let root = out.node.len() as u32;
    links.push(NONE);
    for item in 0..root {
        let p = match links.parent[item as usize] {
            NONE => root,
            p => p,
        };
        links.parent[item as usize] = p;
        let last = links.last_child[p as usize];
        if last == NONE {
            links.first_child[p as usize] = item;
        } else {
            links.next_sibling[last as usize] = item;
            links.prev_sibling[item as usize] = last;
            links.number[item as usize] = links.number[last as usize] + 1;
        }
        links.last_child[p as usize] = item;
    }
    links
}

/// Walker's algorithm state per item (names as in Buchheim et al.).
struct Walk<'l> {
    links: &'l Links,
    /// Preliminary x.
    prelim: Vec<f64>,
    /// Modifier: added to the whole subtree below.
    modifier: Vec<f64>,
    /// Shift and change: pending moves of subtrees, spread by `execute_shifts`.
    shift: Vec<f64>,
    change: Vec<f64>,
    /// Thread: the next contour item for a leaf.
    thread: Vec<u32>,
    /// Ancestor pointer.
    ancestor: Vec<u32>,
    /// The default ancestor of each item's children while they are placed.
    default_ancestor: Vec<u32>,
    siblings: f64,
    cousins: f64,
}

/// Horizontal positions in node widths (the invisible root at 0 is not returned).
fn place(links: &Links, options: &Options) -> Vec<f64> {
    let total = links.parent.len();
    let root = (total - 1) as u32;
    let mut walk = Walk {
        links,
        prelim: vec![0.0; total],
        modifier: vec![0.0; total],
        shift: vec![0.0; total],
        change: vec![0.0; total],
        thread: vec![NONE; total],
        ancestor: (0..total as u32).collect(),
        default_ancestor: vec![NONE; total],
        siblings: options.siblings,
        cousins: options.cousins,
    };
    // First walk: post-order, children left to right before their parent.
    let mut stack: Vec<(u32, bool)> = vec![(root, false)];
    while let Some((v, done)) = stack.pop() {
        if done {
            walk.first_walk(v);
            continue;
        }
        stack.push((v, true));
        let mut c = links.last_child[v as usize];
        while c != NONE {
            stack.push((c, false));
            c = links.prev_sibling[c as usize];
        }
    }
    // Second walk: preorder is index order, parents before children; the root ends at 0.
    let mut x = vec![0.0; total - 1];
    let root_m = walk.modifier[root as usize] - walk.prelim[root as usize];
    walk.modifier[root as usize] = root_m;
    for (v, xv) in x.iter_mut().enumerate() {
        let p = links.parent[v] as usize;
        *xv = walk.prelim[v] + walk.modifier[p];
        walk.modifier[v] += walk.modifier[p];
    }
    x
}

impl Walk<'_> {
    fn separation(&self, a: u32, b: u32) -> f64 {
        if self.links.parent[a as usize] == self.links.parent[b as usize] { self.siblings } else { self.cousins }
    }

    fn first_walk(&mut self, v: u32) {
        let l = self.links;
        let vi = v as usize;
        let left = l.prev_sibling[vi];
        if l.first_child[vi] != NONE {
            self.execute_shifts(v);
            let mid = (self.prelim[l.first_child[vi] as usize] + self.prelim[l.last_child[vi] as usize]) / 2.0;
            if left != NONE {
                self.prelim[vi] = self.prelim[left as usize] + self.separation(v, left);
                self.modifier[vi] = self.prelim[vi] - mid;
            } else {
                self.prelim[vi] = mid;
            }
        } else if left != NONE {
            self.prelim[vi] = self.prelim[left as usize] + self.separation(v, left);
        }
        let p = l.parent[vi];
        if p != NONE {
            let da = match self.default_ancestor[p as usize] {
                NONE => l.first_child[p as usize],
                a => a,
            };
            self.default_ancestor[p as usize] = self.apportion(v, left, da);
        }
    }

    fn next_left(&self, v: u32) -> u32 {
        match self.links.first_child[v as usize] {
            NONE => self.thread[v as usize],
            c => c,
        }
    }

    fn next_right(&self, v: u32) -> u32 {
        match self.links.last_child[v as usize] {
            NONE => self.thread[v as usize],
            c => c,
        }
    }

    /// Pushes `v`'s subtree right of its left siblings' subtrees, level by level along the contours.
    fn apportion(&mut self, v: u32, left: u32, mut default_ancestor: u32) -> u32 {
        if left == NONE {
            return default_ancestor;
        }
        let l = self.links;
        // Inside/outside contour items, right (p) and left (m) of the gap.
        let (mut vip, mut vop, mut vim) = (v, v, left);
        let mut vom = l.first_child[l.parent[v as usize] as usize];
        let mut sip = self.modifier[vip as usize];
        let mut sop = self.modifier[vop as usize];
        let mut sim = self.modifier[vim as usize];
        let mut som = self.modifier[vom as usize];
        loop {
            vim = self.next_right(vim);
            vip = self.next_left(vip);
            if vim == NONE || vip == NONE {
                break;
            }
            vom = self.next_left(vom);
            vop = self.next_right(vop);
            self.ancestor[vop as usize] = v;
            let shift = self.prelim[vim as usize] + sim - self.prelim[vip as usize] - sip + self.separation(vim, vip);
            if shift > 0.0 {
                let a = self.next_ancestor(vim, v, default_ancestor);
                self.move_subtree(a, v, shift);
                sip += shift;
                sop += shift;
            }
            sim += self.modifier[vim as usize];
            sip += self.modifier[vip as usize];
            som += self.modifier[vom as usize];
            sop += self.modifier[vop as usize];
        }
        if vim != NONE && self.next_right(vop) == NONE {
            self.thread[vop as usize] = vim;
            self.modifier[vop as usize] += sim - sop;
        }
        if vip != NONE && self.next_left(vom) == NONE {
            self.thread[vom as usize] = vip;
            self.modifier[vom as usize] += sip - som;
            default_ancestor = v;
        }
        default_ancestor
    }

    fn next_ancestor(&self, vim: u32, v: u32, default_ancestor: u32) -> u32 {
        let a = self.ancestor[vim as usize];
        if self.links.parent[a as usize] == self.links.parent[v as usize] { a } else { default_ancestor }
    }

    fn move_subtree(&mut self, wm: u32, wp: u32, shift: f64) {
        let (wm, wp) = (wm as usize, wp as usize);
        let change = shift / f64::from(self.links.number[wp] - self.links.number[wm]);
        self.change[wp] -= change;
        self.shift[wp] += shift;
        self.change[wm] += change;
        self.prelim[wp] += shift;
        self.modifier[wp] += shift;
    }

    /// Spreads the moves recorded by `move_subtree` over `v`'s children, right to left.
    fn execute_shifts(&mut self, v: u32) {
        let (mut shift, mut change) = (0.0, 0.0);
        let mut w = self.links.last_child[v as usize];
        while w != NONE {
            let wi = w as usize;
            self.prelim[wi] += shift;
            self.modifier[wi] += shift;
            change += self.change[wi];
            shift += self.shift[wi] + change;
            w = self.links.prev_sibling[wi];
        }
    }
}
