//! A request planned for redaction, in either encoding: the nodes the hop may rewrite (the
//! messages of the schema, the strings it scans, the values it hides), each with its bytes
//! in the body, and the strings themselves in one batch ([`Strings`]). Everything between
//! nodes is copied as it came, so what the hop does not know (unknown fields, numbers,
//! ids, whitespace) passes unchanged.

use std::ops::Range;

use crate::finding::{ActionKind, Finding};
use crate::json::Strings;

/// A request that is not what it claims to be (the message names the problem, never the
/// content).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// What a node is.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// The whole request.
    Root,
    /// A message (an object in JSON).
    Message,
    /// A JSON array (its elements are its children).
    Array,
    /// A scanned string, string `seg` of the batch; `bytes` for a byte string.
    Text { seg: u32, bytes: bool },
    /// A value under a sensitive key, replaced by the string `[REDACTED]` (its strings are
    /// scanned for findings only).
    Hidden,
}

/// A node: its kind, its bytes in the body, and the extent of its subtree.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    /// The whole field (protobuf: tag, length and value) or JSON value.
    pub raw: Range<usize>,
    /// The value's content (protobuf: after the length; JSON: the value itself).
    pub content: Range<usize>,
    /// Protobuf: where the field's tag ends (its length follows).
    pub head: usize,
    /// The parent node (the root is its own parent).
    pub parent: u32,
    /// One past the last node of this node's subtree (nodes are in document order).
    pub end: u32,
    /// Whether anything in the subtree changes.
    pub changed: bool,
    /// Whether a `drop` removes this node.
    pub dropped: bool,
    /// Protobuf: the change of the content's length from what it was.
    pub delta: isize,
}

/// A planned request.
#[derive(Default)]
pub(crate) struct Plan {
    pub nodes: Vec<Node>,
    pub strings: Strings,
    /// For every string of the batch, the node a `drop` of it removes (or `u32::MAX`).
    pub units: Vec<u32>,
    /// The strings that are the text of fields the hop does not know, and what each is.
    pub probes: Vec<(u32, String)>,
    /// Whether strings are added with their attribute's key (the allowlist's `json_keys`).
    pub track_keys: bool,
    /// The key of the attribute being walked (kept in `strings`; empty: none).
    pub key: Range<usize>,
}

/// Why a planned request is not forwarded.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Findings whose action is `block`.
    Blocked(Vec<Finding>),
    /// A field the hop does not know holds a value it would redact.
    Unknown(String),
}

/// What redaction found in a request, besides the new body.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Every finding (spans relative to the string they were found in).
    pub findings: Vec<Finding>,
    /// How many records, spans or groups a `drop` removed.
    pub dropped: usize,
}

impl Plan {
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.strings.clear();
        self.units.clear();
        self.probes.clear();
        self.key = 0..0;
    }

    /// Enters the attribute whose key is `key` (when keys are tracked); returns the key to
    /// give back to [`Plan::leave`].
    pub(crate) fn enter(&mut self, key: Option<&[u8]>) -> Range<usize> {
        match key {
            Some(k) if self.track_keys => {
                let k = self.strings.key(k);
                std::mem::replace(&mut self.key, k)
            }
            _ => self.key.clone(),
        }
    }

    /// Leaves the attribute entered with [`Plan::enter`].
    pub(crate) fn leave(&mut self, saved: Range<usize>) {
        self.key = saved;
    }

    /// Adds a node under `parent`; its `end` is set by [`Plan::close`].
    pub(crate) fn open(
        &mut self,
        kind: Kind,
        raw: Range<usize>,
        content: Range<usize>,
        parent: u32,
    ) -> u32 {
        let i = self.nodes.len() as u32;
        self.nodes.push(Node {
            kind,
            head: raw.start,
            raw,
            content,
            parent,
            end: i + 1,
            changed: false,
            dropped: false,
            delta: 0,
        });
        i
    }

    /// Ends node `i`'s subtree here.
    pub(crate) fn close(&mut self, i: u32) {
        self.nodes[i as usize].end = self.nodes.len() as u32;
    }

    /// Adds a string to scan, that a `drop` finding in it removes `unit` for.
    pub(crate) fn string(&mut self, text: &[u8], unit: u32) -> u32 {
        self.units.push(unit);
        self.strings.push_keyed(text, self.key.clone())
    }

    /// Adds the text of a field the hop does not know, `what`, to be checked for findings.
    pub(crate) fn probe(&mut self, text: &[u8], unit: u32, what: impl FnOnce() -> String) {
        if std::str::from_utf8(text).is_ok() {
            let seg = self.string(text, unit);
            self.probes.push((seg, what()));
        }
    }

    /// After the scan: marks dropped and changed nodes, and collects the findings.
    ///
    /// # Errors
    ///
    /// [`Stop`], when a finding's action is `block`, or a field the hop does not know
    /// holds a finding that is acted on.
    pub(crate) fn settle(&mut self) -> Result<Outcome, Stop> {
        let mut outcome = Outcome::default();
        let mut blocking = vec![];
        for &(seg, ref what) in &self.probes {
            if let Some(f) = self.strings.findings(seg).find(|f| {
                !matches!(
                    f.action,
                    ActionKind::None | ActionKind::Report | ActionKind::Allowed
                )
            }) {
                return Err(Stop::Unknown(format!(
                    "{what} is not known to blackbar and holds {} '{}' ({})",
                    f.category, f.rule_id, f.label
                )));
            }
        }
        for (seg, f) in self.strings.all_findings() {
            match f.action {
                ActionKind::Block => blocking.push(f.clone()),
                ActionKind::Drop => {
                    let unit = self.units[seg as usize];
                    if let Some(n) = self.nodes.get_mut(unit as usize) {
                        if !n.dropped {
                            n.dropped = true;
                            outcome.dropped += 1;
                        }
                    }
                }
                _ => {}
            }
            outcome.findings.push(f.clone());
        }
        if !blocking.is_empty() {
            return Err(Stop::Blocked(blocking));
        }
        // Children come after their parents: one pass backwards carries every change up.
        for i in (1..self.nodes.len()).rev() {
            let n = &self.nodes[i];
            let changed = n.changed
                || n.dropped
                || match n.kind {
                    Kind::Text { seg, .. } => self.strings.changed(seg),
                    Kind::Hidden => true,
                    _ => false,
                };
            let parent = n.parent as usize;
            self.nodes[i].changed = changed;
            if changed {
                self.nodes[parent].changed = true;
            }
        }
        // A dropped node that was dropped inside a dropped ancestor is counted once.
        for i in 1..self.nodes.len() {
            let parent = self.nodes[i].parent as usize;
            if self.nodes[i].dropped && self.gone(parent) {
                outcome.dropped -= 1;
                self.nodes[i].dropped = false;
            }
        }
        Ok(outcome)
    }

    /// Whether node `i` or one of its ancestors is dropped.
    fn gone(&self, mut i: usize) -> bool {
        loop {
            if self.nodes[i].dropped {
                return true;
            }
            let parent = self.nodes[i].parent as usize;
            if parent == i {
                return false;
            }
            i = parent;
        }
    }

    /// The children of node `i`, in order.
    pub(crate) fn children(&self, i: u32) -> Children<'_> {
        Children {
            nodes: &self.nodes,
            next: i + 1,
            end: self.nodes[i as usize].end,
        }
    }
}

/// The children of a node.
pub(crate) struct Children<'p> {
    nodes: &'p [Node],
    next: u32,
    end: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next = self.nodes[i as usize].end;
        Some(i)
    }
}
