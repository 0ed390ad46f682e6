//! Streamed answers: SSE events rewritten one by one, as they arrive.
//!
//! Every incremental text field gets its own `TextStream` (output check, then placeholder
//! restore), keyed by where it sits, so a placeholder, secret or canary split across events
//! is seen whole while everything that cannot be part of one is sent at once. Event shapes
//! are recognised by their structure, not by optional fields such as `object` or `id`:
//!
//! | shape | incremental fields | a stream ends at |
//! | --- | --- | --- |
//! | chat / completions chunk: has a `choices` array | `choices[i].delta.{content, refusal, reasoning_content, reasoning}`, `choices[i].delta.tool_calls[j].function.arguments` (JSON text), `choices[i].text` | the choice's `finish_reason`, `[DONE]`, the end of the body |
//! | Anthropic `content_block_delta` (`type`) | `delta.text`, `delta.thinking`, `delta.partial_json` (JSON text) | `content_block_stop` of its `index`, `message_delta`, `message_stop` |
//! | Responses `response.*.delta` (`type`, string `delta`) | `delta` (JSON text when the type names arguments), keyed by type, `output_index`, `content_index`, `summary_index` | the matching `response.*.done`, `response.completed` / `incomplete` / `failed` |
//!
//! What a stream still holds when it ends is sent in one more event of the same shape
//! (a copy of its last delta event, trimmed to the identifying fields and the text), right
//! before the event that ended it. Every other event — `*.done` events carrying the full
//! text, `message_start`, output items — has each of its strings checked and restored whole
//! (see `answer.rs`). An event that is rewritten is re-serialized (same structure and
//! values; key order may differ); an event with nothing to change is sent byte for byte.
//! `[DONE]`, comments and usage events pass through.

use serde_json::{Map, Value};

use super::answer::{transform_value, AnswerCtx, CanaryHit, TextStream};
use super::sse::Event;
use crate::finding::Finding;

/// Why a stream is stopped.
#[derive(Debug, Clone)]
pub(crate) enum Stop {
    /// A canary in the answer.
    Canary(CanaryHit),
    /// An event whose data is not JSON (the answer cannot be inspected).
    Uninspectable(&'static str),
}

impl From<CanaryHit> for Stop {
    fn from(h: CanaryHit) -> Stop {
        Stop::Canary(h)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

struct Delta {
    key: String,
    path: Vec<Seg>,
    json_text: bool,
}

enum Finish {
    /// Streams whose key starts with one of these.
    Prefix(Vec<String>),
    All,
}

struct Slot {
    key: String,
    text: TextStream,
    /// The last event that carried this stream, and where its text sits.
    template: (Option<String>, Value, Vec<Seg>),
}

/// The rewriter of one streamed answer.
pub(crate) struct Rewriter {
    ctx: AnswerCtx,
    slots: Vec<Slot>,
    /// Everything the output check found so far (never values).
    pub findings: Vec<Finding>,
    /// The id of a Responses-API answer (from `response.created`).
    pub response_id: Option<String>,
}

impl Rewriter {
    pub(crate) fn new(ctx: AnswerCtx) -> Rewriter {
        Rewriter {
            ctx,
            slots: vec![],
            findings: vec![],
            response_id: None,
        }
    }

    /// Rewrites one event, appending what to send to `out`.
    pub(crate) fn event(&mut self, ev: &Event, out: &mut Vec<u8>) -> Result<(), Stop> {
        let Some(data) = ev.data.as_deref() else {
            out.extend_from_slice(&ev.raw);
            return Ok(());
        };
        if data.trim() == "[DONE]" {
            self.finish(Finish::All, out)?;
            out.extend_from_slice(&ev.raw);
            return Ok(());
        }
        let mut v: Value = serde_json::from_str(data)
            .map_err(|_| Stop::Uninspectable("an event's data is not JSON"))?;
        if self.response_id.is_none()
            && v.get("type").and_then(Value::as_str) == Some("response.created")
        {
            self.response_id = v
                .get("response")
                .and_then(|r| r.get("id"))
                .and_then(Value::as_str)
                .map(String::from);
        }
        let (deltas, finish) = classify(&v);
        let mut changed = false;
        if deltas.is_empty() && !matches!(v.get("choices"), Some(Value::Array(_))) {
            if let Some(f) = finish {
                self.finish(f, out)?;
            }
            changed = transform_value(&self.ctx, &mut v, &mut self.findings)?;
        } else {
            for d in &deltas {
                let Some(Value::String(s)) = get_mut(&mut v, &d.path) else {
                    continue;
                };
                let piece = std::mem::take(s);
                let i = match self.slots.iter().position(|s| s.key == d.key) {
                    Some(i) => i,
                    None => {
                        self.slots.push(Slot {
                            key: d.key.clone(),
                            text: TextStream::new(&self.ctx, d.json_text),
                            template: (None, Value::Null, vec![]),
                        });
                        self.slots.len() - 1
                    }
                };
                let released = self.slots[i].text.push(&piece, &mut self.findings)?;
                changed |= released != piece;
                if let Some(Value::String(s)) = get_mut(&mut v, &d.path) {
                    *s = released;
                }
                self.slots[i].template = (ev.event.clone(), Value::Null, d.path.clone());
            }
            for d in &deltas {
                if let Some(slot) = self.slots.iter_mut().find(|s| s.key == d.key) {
                    slot.template.1 = v.clone();
                }
            }
            if let Some(f) = finish {
                // The event that ends a choice may carry its last text: append what was held.
                let keys = self.take(&f);
                for mut slot in keys {
                    let rest = slot.text.finish(&mut self.findings)?;
                    if rest.is_empty() {
                        continue;
                    }
                    match get_mut(&mut v, &slot.template.2) {
                        Some(Value::String(s)) if deltas.iter().any(|d| d.key == slot.key) => {
                            s.push_str(&rest);
                            changed = true;
                        }
                        _ => synthesize(&slot, &rest, out),
                    }
                }
            }
        }
        if changed {
            let json = serde_json::to_vec(&v).expect("a JSON value serializes");
            Event::write(ev.event.as_deref(), ev.id.as_deref(), &json, out);
        } else {
            out.extend_from_slice(&ev.raw);
        }
        Ok(())
    }

    /// Ends the answer (the body ended): sends whatever every stream still holds.
    pub(crate) fn end(&mut self, out: &mut Vec<u8>) -> Result<(), Stop> {
        self.finish(Finish::All, out)
    }

    fn take(&mut self, f: &Finish) -> Vec<Slot> {
        let (done, keep) = std::mem::take(&mut self.slots)
            .into_iter()
            .partition(|s| match f {
                Finish::All => true,
                Finish::Prefix(p) => p.iter().any(|p| s.key.starts_with(p.as_str())),
            });
        self.slots = keep;
        done
    }

    fn finish(&mut self, f: Finish, out: &mut Vec<u8>) -> Result<(), Stop> {
        for mut slot in self.take(&f) {
            let rest = slot.text.finish(&mut self.findings)?;
            if !rest.is_empty() {
                synthesize(&slot, &rest, out);
            }
        }
        Ok(())
    }
}

/// Sends `rest` in a copy of the slot's last event, trimmed to the identifying fields.
fn synthesize(slot: &Slot, rest: &str, out: &mut Vec<u8>) {
    let (event, template, path) = &slot.template;
    let mut v = trim(template, path, true);
    if let Some(Value::String(s)) = get_mut(&mut v, path) {
        *s = rest.to_string();
    }
    let json = serde_json::to_vec(&v).expect("a JSON value serializes");
    Event::write(event.as_deref(), None, &json, out);
}

/// `v` reduced to the path to its text: at the top level scalars (ids, model, type, index)
/// are kept; below it only `index` and `type`; arrays keep only the element on the path
/// (renumbered to 0, its own `index` field says which it is).
fn trim(v: &Value, path: &[Seg], top: bool) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return v.clone();
    };
    match (v, first) {
        (Value::Object(map), Seg::Key(k)) => {
            let mut m = Map::new();
            for (key, val) in map {
                if key == k {
                    m.insert(key.clone(), trim(val, rest, false));
                } else if (top && !val.is_object() && !val.is_array())
                    || key == "index"
                    || key == "type"
                {
                    m.insert(key.clone(), val.clone());
                }
            }
            Value::Object(m)
        }
        (Value::Array(items), Seg::Index(i)) => match items.get(*i) {
            Some(item) => Value::Array(vec![trim(item, rest, false)]),
            None => Value::Array(vec![]),
        },
        _ => v.clone(),
    }
}

fn get_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match (cur, seg) {
            (Value::Object(m), Seg::Key(k)) => m.get_mut(k)?,
            (Value::Array(a), Seg::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn key(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

fn num(v: &Value, field: &str) -> Option<u64> {
    v.get(field).and_then(Value::as_u64)
}

/// The incremental text fields of an event, and which streams it ends.
fn classify(v: &Value) -> (Vec<Delta>, Option<Finish>) {
    let mut deltas = vec![];
    if let Some(Value::Array(choices)) = v.get("choices") {
        let mut ended = vec![];
        for (pos, c) in choices.iter().enumerate() {
            let idx = num(c, "index").unwrap_or(pos as u64);
            let base = vec![key("choices"), Seg::Index(pos)];
            if let Some(Value::Object(d)) = c.get("delta") {
                for field in ["content", "refusal", "reasoning_content", "reasoning"] {
                    if let Some(Value::String(_)) = d.get(field) {
                        let mut path = base.clone();
                        path.extend([key("delta"), key(field)]);
                        deltas.push(Delta {
                            key: format!("c{idx}/{field}"),
                            path,
                            json_text: false,
                        });
                    }
                }
                if let Some(Value::Array(calls)) = d.get("tool_calls") {
                    for (tpos, call) in calls.iter().enumerate() {
                        let tidx = num(call, "index").unwrap_or(tpos as u64);
                        if let Some(Value::String(_)) =
                            call.get("function").and_then(|f| f.get("arguments"))
                        {
                            let mut path = base.clone();
                            path.extend([
                                key("delta"),
                                key("tool_calls"),
                                Seg::Index(tpos),
                                key("function"),
                                key("arguments"),
                            ]);
                            deltas.push(Delta {
                                key: format!("c{idx}/tool{tidx}"),
                                path,
                                json_text: true,
                            });
                        }
                    }
                }
            }
            if let Some(Value::String(_)) = c.get("text") {
                let mut path = base.clone();
                path.push(key("text"));
                deltas.push(Delta {
                    key: format!("c{idx}/text"),
                    path,
                    json_text: false,
                });
            }
            if c.get("finish_reason").is_some_and(|f| !f.is_null()) {
                ended.push(format!("c{idx}/"));
            }
        }
        let finish = (!ended.is_empty()).then_some(Finish::Prefix(ended));
        return (deltas, finish);
    }
    let Some(t) = v.get("type").and_then(Value::as_str) else {
        return (deltas, None);
    };
    match t {
        "content_block_delta" => {
            let idx = num(v, "index").unwrap_or(0);
            let field = match v
                .get("delta")
                .and_then(|d| d.get("type"))
                .and_then(Value::as_str)
            {
                Some("text_delta") => Some(("text", false)),
                Some("thinking_delta") => Some(("thinking", false)),
                Some("input_json_delta") => Some(("partial_json", true)),
                _ => None,
            };
            if let Some((field, json_text)) = field {
                if let Some(Value::String(_)) = v.get("delta").and_then(|d| d.get(field)) {
                    deltas.push(Delta {
                        key: format!("a{idx}/{field}"),
                        path: vec![key("delta"), key(field)],
                        json_text,
                    });
                }
            }
            (deltas, None)
        }
        "content_block_stop" => {
            let idx = num(v, "index").unwrap_or(0);
            (deltas, Some(Finish::Prefix(vec![format!("a{idx}/")])))
        }
        "message_delta" | "message_stop" => (deltas, Some(Finish::All)),
        "response.completed" | "response.incomplete" | "response.failed" => {
            (deltas, Some(Finish::All))
        }
        t if t.starts_with("response.") && t.ends_with(".delta") => {
            if let Some(Value::String(_)) = v.get("delta") {
                let family = &t[..t.len() - ".delta".len()];
                deltas.push(Delta {
                    key: responses_key(family, v),
                    path: vec![key("delta")],
                    json_text: family.contains("arguments"),
                });
            }
            (deltas, None)
        }
        t if t.starts_with("response.") && t.ends_with(".done") => {
            let family = &t[..t.len() - ".done".len()];
            (deltas, Some(Finish::Prefix(vec![responses_key(family, v)])))
        }
        _ => (deltas, None),
    }
}

fn responses_key(family: &str, v: &Value) -> String {
    let n = |f: &str| num(v, f).map_or(String::from("-"), |n| n.to_string());
    format!(
        "r{family}:{}:{}:{}/",
        n("output_index"),
        n("content_index"),
        n("summary_index")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewriter() -> (Rewriter, crate::placeholder::Vault) {
        let (_, check) =
            crate::proxy::redactors(crate::Redactor::builder(), &crate::Policy::default()).unwrap();
        let vault = crate::placeholder::Vault::default();
        vault.placeholder("EMAIL", b"alice@example.com");
        let ctx = AnswerCtx {
            check,
            vault: vault.clone(),
        };
        (Rewriter::new(ctx), vault)
    }

    fn chunk(text: &str) -> Event {
        let data =
            serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}}]}).to_string();
        Event {
            raw: format!("data: {data}\n\n").into_bytes(),
            data: Some(data),
            ..Event::default()
        }
    }

    #[test]
    fn text_is_released_at_once_and_only_a_possible_prefix_is_held() {
        let (mut rw, _) = rewriter();
        let mut out = vec![];
        rw.event(
            &chunk("Hello there, how are you today? Mail [EMA"),
            &mut out,
        )
        .unwrap();
        let sent = String::from_utf8(out.clone()).unwrap();
        assert!(
            sent.contains("Hello there, how are you today? Mail "),
            "{sent}"
        );
        assert!(!sent.contains("[EMA"), "{sent}");
        out.clear();
        rw.event(&chunk("IL_1] now"), &mut out).unwrap();
        let sent = String::from_utf8(out).unwrap();
        // Restored; what follows may still be held as a possible key-name prefix.
        assert!(sent.contains("alice@example.com"), "{sent}");
    }
}
