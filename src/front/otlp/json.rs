//! OTLP/JSON, rewritten in place like the JSON mode does it: only the scanned strings and
//! the values under sensitive keys change; every other byte (numbers, the int64 strings,
//! hex ids, enums as integers, key order, whitespace, members the hop does not know) is
//! copied as it came.
//!
//! A generic JSON redactor would scan every string, trace ids and int64 values included;
//! the hop scans only the strings the schema names (`schema.rs`). Attribute keys are not
//! JSON keys but the `key` member of a key/value object, which may come after its `value`,
//! so each key/value object is looked at whole before its value is planned.

use std::borrow::Cow;

use base64::Engine as _;

use super::plan::{Invalid, Kind, Plan};
use super::schema::{Field, Msg};
use crate::escape::write_escaped;
use crate::json::{string_end, SensitiveKeys, REDACTED};

/// Deeper nesting is refused.
const MAX_DEPTH: usize = 128;

fn bad(why: &str) -> Invalid {
    Invalid(format!("not valid OTLP/JSON: {why}"))
}

fn ws(body: &[u8], mut at: usize) -> usize {
    while at < body.len() && matches!(body[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// Walks an OTLP/JSON request into `plan`.
pub(crate) struct Walk<'a> {
    pub body: &'a [u8],
    pub keys: &'a SensitiveKeys,
    pub plan: &'a mut Plan,
}

impl Walk<'_> {
    /// Plans the whole request, an object of type `msg`.
    pub(crate) fn run(mut self, msg: Msg) -> Result<(), Invalid> {
        // Validity first (UTF-8, syntax, escapes), so the walk below may rely on it.
        serde_json::from_slice::<serde::de::IgnoredAny>(self.body)
            .map_err(|e| Invalid(format!("not valid JSON: {}", e)))?;
        let all = 0..self.body.len();
        let root = self.plan.open(Kind::Root, all.clone(), all, 0);
        let at = ws(self.body, 0);
        if self.body.get(at) != Some(&b'{') {
            return Err(bad("the request is not an object"));
        }
        self.object(msg, at, root, root, 0, false)?;
        self.plan.close(root);
        Ok(())
    }
}

/// The end of the string token at `at` and its text (unescaped).
fn string(body: &[u8], at: usize) -> Result<(usize, Cow<'_, [u8]>), Invalid> {
    {
        let (end, escaped) = string_end(body, at).map_err(|_| bad("a string is not closed"))?;
        let text = if escaped {
            let s: String = serde_json::from_slice(&body[at..end])
                .map_err(|_| bad("a string does not unescape"))?;
            Cow::Owned(s.into_bytes())
        } else {
            Cow::Borrowed(&body[at + 1..end - 1])
        };
        Ok((end, text))
    }
}

/// The end of the value at `at` (valid JSON).
fn skip(body: &[u8], at: usize) -> Result<usize, Invalid> {
    {
        match body.get(at) {
            Some(b'"') => Ok(string_end(body, at)
                .map_err(|_| bad("a string is not closed"))?
                .0),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                let mut i = at;
                while i < body.len() {
                    match body[i] {
                        b'"' => {
                            i = string_end(body, i)
                                .map_err(|_| bad("a string is not closed"))?
                                .0;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                Err(bad("an object or array is not closed"))
            }
            Some(_) => {
                let mut i = at;
                while i < body.len()
                    && !matches!(body[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                Ok(i)
            }
            None => Err(bad("truncated")),
        }
    }
}

/// The members of the object at `at`: (key text, value start, value end), and the object's
/// end.
#[allow(clippy::type_complexity)]
fn members(body: &[u8], at: usize) -> Result<(Vec<(Cow<'_, [u8]>, usize, usize)>, usize), Invalid> {
    {
        let mut out = vec![];
        let mut i = ws(body, at + 1);
        if body.get(i) == Some(&b'}') {
            return Ok((out, i + 1));
        }
        loop {
            let (end, key) = string(body, i)?;
            i = ws(body, end);
            if body.get(i) != Some(&b':') {
                return Err(bad("expected ':'"));
            }
            let v = ws(body, i + 1);
            let v_end = skip(body, v)?;
            out.push((key, v, v_end));
            i = ws(body, v_end);
            match body.get(i) {
                Some(b',') => i = ws(body, i + 1),
                Some(b'}') => return Ok((out, i + 1)),
                _ => return Err(bad("expected ',' or '}'")),
            }
        }
    }
}

impl Walk<'_> {
    /// Plans the object of type `msg` at `at` under `node`; returns its end.
    fn object(
        &mut self,
        msg: Msg,
        at: usize,
        node: u32,
        unit: u32,
        depth: usize,
        hidden: bool,
    ) -> Result<usize, Invalid> {
        if depth > MAX_DEPTH {
            return Err(bad("nested too deep"));
        }
        let body = self.body;
        let (members, end) = members(body, at)?;
        let sensitive = msg == Msg::KeyValue
            && !self.keys.is_empty()
            && members.iter().any(|(k, v, _)| {
                msg.json_field(k) == Field::Key
                    && body[*v] == b'"'
                    && string(body, *v).is_ok_and(|(_, text)| self.keys.matches(&text))
            });
        // The attribute's key, for the allowlist (an error leaves the plan, which is cleared).
        let key = match msg == Msg::KeyValue && self.plan.track_keys {
            true => members
                .iter()
                .find(|(k, v, _)| msg.json_field(k) == Field::Key && body[*v] == b'"')
                .and_then(|(_, v, _)| string(body, *v).ok())
                .map(|(_, text)| text),
            false => None,
        };
        let saved = self.plan.enter(key.as_deref());
        for (name, v, v_end) in members {
            let field = msg.json_field(&name);
            let first = body[v];
            if first == b'n' {
                continue; // null: the field's default
            }
            match field {
                Field::Message(_) if first == b'[' => {
                    let arr = if hidden {
                        node
                    } else {
                        self.plan.open(Kind::Array, v..v_end, v..v_end, node)
                    };
                    let mut i = ws(body, v + 1);
                    while body[i] != b']' {
                        i = self.value(msg, field, i, arr, unit, depth + 1, hidden, false)?;
                        i = ws(body, i);
                        if body[i] == b',' {
                            i = ws(body, i + 1);
                        }
                    }
                    if !hidden {
                        self.plan.close(arr);
                    }
                }
                Field::Message(_) | Field::Text | Field::Bytes => {
                    self.value(msg, field, v, node, unit, depth + 1, hidden, sensitive)?;
                }
                Field::Unknown if !hidden && matches!(first, b'"' | b'{' | b'[') => {
                    let text = if first == b'"' {
                        string(body, v)?.1
                    } else {
                        Cow::Borrowed(&body[v..v_end])
                    };
                    self.plan.probe(&text, unit, || {
                        format!("member \"{}\" of a {msg:?}", String::from_utf8_lossy(&name))
                    });
                }
                Field::Key | Field::Known | Field::Unknown => {}
            }
        }
        self.plan.leave(saved);
        Ok(end)
    }

    /// Plans one value of `field` (a member of a `parent` message, or an array element)
    /// at `at`; returns its end.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        parent: Msg,
        field: Field,
        at: usize,
        node: u32,
        unit: u32,
        depth: usize,
        hidden: bool,
        sensitive: bool,
    ) -> Result<usize, Invalid> {
        let body = self.body;
        match field {
            Field::Message(m) => {
                if body[at] != b'{' {
                    return Err(bad("a message is not an object"));
                }
                let end = skip(body, at)?;
                if hidden {
                    self.object(m, at, node, unit, depth, true)?;
                } else if sensitive && parent == Msg::KeyValue && m == Msg::AnyValue {
                    let n = self.plan.open(Kind::Hidden, at..end, at..end, node);
                    self.object(m, at, n, unit, depth, true)?;
                    self.plan.close(n);
                } else {
                    let droppable = m.droppable();
                    let n = self.plan.open(Kind::Message, at..end, at..end, node);
                    let unit = if droppable { n } else { unit };
                    self.object(m, at, n, unit, depth, false)?;
                    self.plan.close(n);
                }
                Ok(end)
            }
            Field::Text | Field::Bytes => {
                if body[at] != b'"' {
                    return Err(bad("a string field is not a string"));
                }
                let (end, text) = string(body, at)?;
                let bytes = field == Field::Bytes;
                let text = if bytes {
                    Cow::Owned(
                        base64::engine::general_purpose::STANDARD
                            .decode(&*text)
                            .map_err(|_| bad("a bytes value is not base64"))?,
                    )
                } else {
                    text
                };
                if !text.is_empty() {
                    let seg = self.plan.string(&text, unit);
                    if !hidden {
                        let n = self
                            .plan
                            .open(Kind::Text { seg, bytes }, at..end, at..end, node);
                        self.plan.close(n);
                    }
                }
                Ok(end)
            }
            Field::Key | Field::Known | Field::Unknown => skip(body, at),
        }
    }
}

/// Writes the planned request, redacted, to `out` (after [`Plan::settle`]).
pub(crate) fn emit(plan: &Plan, body: &[u8], out: &mut Vec<u8>) {
    if !plan.nodes[0].changed {
        out.extend_from_slice(body);
        return;
    }
    write(plan, body, 0, out);
}

fn write(plan: &Plan, body: &[u8], i: u32, out: &mut Vec<u8>) {
    let n = &plan.nodes[i as usize];
    if n.dropped {
        // Outside an array (where it is left out), a removed message is its default.
        out.extend_from_slice(b"null");
        return;
    }
    if !n.changed {
        out.extend_from_slice(&body[n.raw.clone()]);
        return;
    }
    match n.kind {
        Kind::Text { seg, bytes: false } => write_escaped(plan.strings.out(seg), out),
        Kind::Text { seg, bytes: true } => {
            out.push(b'"');
            let text = base64::engine::general_purpose::STANDARD.encode(plan.strings.out(seg));
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        Kind::Hidden => {
            out.extend_from_slice(b"{\"stringValue\":\"");
            out.extend_from_slice(REDACTED.as_bytes());
            out.extend_from_slice(b"\"}");
        }
        Kind::Array if plan.children(i).any(|c| plan.nodes[c as usize].dropped) => {
            out.push(b'[');
            let mut first = true;
            for c in plan.children(i) {
                if plan.nodes[c as usize].dropped {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                write(plan, body, c, out);
            }
            out.push(b']');
        }
        Kind::Root | Kind::Message | Kind::Array => {
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
