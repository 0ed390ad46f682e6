//! OTLP/protobuf, rewritten in place on the wire format.
//!
//! The hop does not decode requests into typed messages and encode them again: that would
//! lose every field its message definitions lack (fields newer than the hop, a vendor's
//! extensions) and could change how the rest is encoded. It walks the wire format with the
//! schema (`schema.rs`) instead, and writes the request back field for field: a field it
//! does not rewrite is copied as its original bytes (tag, length and value), so unknown
//! fields, numbers, ids, field order and even non-canonical encodings pass unchanged. A
//! rewritten string gets a new length, and so does each message around it; a message with
//! no change inside is copied whole.

use std::ops::Range;

use super::plan::{Invalid, Kind, Plan};
use super::schema::{Field, Msg};
use crate::json::{SensitiveKeys, REDACTED};

/// Deeper nesting is refused (protobuf's own parsers stop at 100).
const MAX_DEPTH: usize = 100;

const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LEN: u64 = 2;
const FIXED32: u64 = 5;

fn bad(why: &str) -> Invalid {
    Invalid(format!("not a valid protobuf message: {why}"))
}

/// Reads a varint at `*at`.
fn varint(body: &[u8], at: &mut usize) -> Result<u64, Invalid> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *body.get(*at).ok_or_else(|| bad("truncated"))?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(bad("a varint is too long"))
}

pub(crate) fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// One field: its number, wire type, where it starts, where its tag ends and its value.
struct FieldAt {
    number: u64,
    wire: u64,
    start: usize,
    tag_end: usize,
    value: Range<usize>,
}

/// The fields of the message in `body[range]`.
fn fields(body: &[u8], range: Range<usize>) -> impl Iterator<Item = Result<FieldAt, Invalid>> + '_ {
    let mut at = range.start;
    let end = range.end;
    std::iter::from_fn(move || {
        if at >= end {
            return None;
        }
        let start = at;
        let field = (|| {
            let tag = varint(&body[..end], &mut at)?;
            let (number, wire) = (tag >> 3, tag & 7);
            if number == 0 {
                return Err(bad("field number 0"));
            }
            let tag_end = at;
            let value = match wire {
                VARINT => {
                    varint(&body[..end], &mut at)?;
                    tag_end..at
                }
                FIXED64 | FIXED32 => {
                    let n = if wire == FIXED64 { 8 } else { 4 };
                    if end - at < n {
                        return Err(bad("truncated"));
                    }
                    at += n;
                    tag_end..at
                }
                LEN => {
                    let n = varint(&body[..end], &mut at)?;
                    if ((end - at) as u64) < n {
                        return Err(bad("a length runs past the message"));
                    }
                    at += n as usize;
                    at - n as usize..at
                }
                _ => return Err(bad("groups and unknown wire types are not accepted")),
            };
            Ok(FieldAt {
                number,
                wire,
                start,
                tag_end,
                value,
            })
        })();
        if field.is_err() {
            at = end;
        }
        Some(field)
    })
}

/// Walks a protobuf request into `plan`.
pub(crate) struct Walk<'a> {
    pub body: &'a [u8],
    pub keys: &'a SensitiveKeys,
    pub plan: &'a mut Plan,
}

impl Walk<'_> {
    /// Plans the whole request, a message of type `msg`.
    pub(crate) fn run(mut self, msg: Msg) -> Result<(), Invalid> {
        let all = 0..self.body.len();
        let root = self.plan.open(Kind::Root, all.clone(), all.clone(), 0);
        self.message(msg, all, root, root, 0, false)?;
        self.plan.close(root);
        Ok(())
    }

    /// Adds a node for field `f` under `parent`.
    fn open(&mut self, kind: Kind, f: &FieldAt, parent: u32) -> u32 {
        let n = self
            .plan
            .open(kind, f.start..f.value.end, f.value.clone(), parent);
        self.plan.nodes[n as usize].head = f.tag_end;
        n
    }

    /// Plans the fields of a `msg` in `range`, whose node is `node`; a `drop` in it removes
    /// `unit`. `hidden`: under a sensitive key, its strings are scanned for findings only.
    fn message(
        &mut self,
        msg: Msg,
        range: Range<usize>,
        node: u32,
        unit: u32,
        depth: usize,
        hidden: bool,
    ) -> Result<(), Invalid> {
        if depth > MAX_DEPTH {
            return Err(bad("nested too deep"));
        }
        let body = self.body;
        let sensitive = msg == Msg::KeyValue
            && !self.keys.is_empty()
            && fields(body, range.clone()).any(|f| {
                f.is_ok_and(|f| f.number == 1 && f.wire == LEN && self.keys.matches(&body[f.value]))
            });
        let key = (msg == Msg::KeyValue && self.plan.track_keys)
            .then(|| {
                fields(body, range.clone())
                    .filter_map(Result::ok)
                    .find(|f| f.number == 1 && f.wire == LEN)
                    .map(|f| &body[f.value])
            })
            .flatten();
        // An error leaves the attribute entered: it ends the plan, which is cleared.
        let saved = self.plan.enter(key);
        for f in fields(body, range) {
            let f = f?;
            let kind = msg.field(f.number);
            if !matches!(kind, Field::Known | Field::Unknown | Field::Key) && f.wire != LEN {
                return Err(bad("a field has the wrong wire type"));
            }
            match kind {
                Field::Message(m) if hidden => {
                    self.message(m, f.value, node, unit, depth + 1, true)?;
                }
                Field::Message(Msg::AnyValue) if sensitive && f.number == 2 => {
                    let n = self.open(Kind::Hidden, &f, node);
                    self.message(Msg::AnyValue, f.value, n, unit, depth + 1, true)?;
                    self.plan.close(n);
                }
                Field::Message(m) => {
                    let droppable = m.droppable();
                    let n = self.open(Kind::Message, &f, node);
                    let unit = if droppable { n } else { unit };
                    self.message(m, f.value, n, unit, depth + 1, false)?;
                    self.plan.close(n);
                }
                Field::Text | Field::Bytes if f.value.is_empty() => {}
                Field::Text | Field::Bytes => {
                    let seg = self.plan.string(&body[f.value.clone()], unit);
                    if !hidden {
                        let bytes = kind == Field::Bytes;
                        let n = self.open(Kind::Text { seg, bytes }, &f, node);
                        self.plan.close(n);
                    }
                }
                Field::Unknown if !hidden && f.wire == LEN => {
                    let number = f.number;
                    self.plan.probe(&body[f.value], unit, || {
                        format!("field {number} of a {msg:?}")
                    });
                }
                Field::Key | Field::Known | Field::Unknown => {}
            }
        }
        self.plan.leave(saved);
        Ok(())
    }
}

/// The redacted value of a hidden `AnyValue`: `string_value = "[REDACTED]"`.
fn hidden_value(out: &mut Vec<u8>) {
    out.push(0x0a);
    put_varint(REDACTED.len() as u64, out);
    out.extend_from_slice(REDACTED.as_bytes());
}

const HIDDEN_LEN: usize = 2 + REDACTED.len();

/// Writes the planned request, redacted, to `out` (after [`Plan::settle`]).
pub(crate) fn emit(plan: &mut Plan, body: &[u8], out: &mut Vec<u8>) {
    // Content lengths, children first: each node adds its change to its parent's.
    for i in (1..plan.nodes.len()).rev() {
        let n = &plan.nodes[i];
        if !n.changed {
            continue;
        }
        let raw = n.raw.len() as isize;
        let size = if n.dropped {
            0
        } else {
            let content = match n.kind {
                Kind::Text { seg, .. } => plan.strings.out(seg).len(),
                Kind::Hidden => HIDDEN_LEN,
                _ => (n.content.len() as isize + n.delta) as usize,
            };
            tag_len(n) + varint_len(content as u64) + content
        };
        let parent = n.parent as usize;
        plan.nodes[parent].delta += size as isize - raw;
    }
    if !plan.nodes[0].changed {
        out.extend_from_slice(body);
        return;
    }
    write(plan, body, 0, out);
}

fn tag_len(n: &super::plan::Node) -> usize {
    n.head - n.raw.start
}

fn write(plan: &Plan, body: &[u8], i: u32, out: &mut Vec<u8>) {
    let n = &plan.nodes[i as usize];
    if n.dropped {
        return;
    }
    if !n.changed {
        out.extend_from_slice(&body[n.raw.clone()]);
        return;
    }
    let head = n.raw.start..n.head;
    match n.kind {
        Kind::Text { seg, .. } => {
            let text = plan.strings.out(seg);
            out.extend_from_slice(&body[head]);
            put_varint(text.len() as u64, out);
            out.extend_from_slice(text);
        }
        Kind::Hidden => {
            out.extend_from_slice(&body[head]);
            put_varint(HIDDEN_LEN as u64, out);
            hidden_value(out);
        }
        Kind::Root | Kind::Message | Kind::Array => {
            if i != 0 {
                out.extend_from_slice(&body[head]);
                put_varint((n.content.len() as isize + n.delta) as u64, out);
            }
            let mut at = n.content.start;
            for c in plan.children(i) {
                let child = &plan.nodes[c as usize];
                out.extend_from_slice(&body[at..child.raw.start]);
                write(plan, body, c, out);
                at = child.raw.end;
            }
            out.extend_from_slice(&body[at..n.content.end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        for v in [0u64, 1, 127, 128, 300, 16383, 16384, u64::MAX] {
            let mut b = vec![];
            put_varint(v, &mut b);
            assert_eq!(b.len(), varint_len(v), "{v}");
            let mut at = 0;
            assert_eq!(varint(&b, &mut at).unwrap(), v);
            assert_eq!(at, b.len());
        }
        assert!(varint(&[0x80], &mut 0).is_err());
        assert!(varint(&[0xff; 11], &mut 0).is_err());
    }
}
