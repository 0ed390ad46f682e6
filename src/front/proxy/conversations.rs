//! Vaults of Responses-API conversations whose earlier turns the provider keeps.
//!
//! A Responses request may carry only the new turn and `previous_response_id`: the earlier
//! turns (with their placeholders) live at the provider, not in the request. The proxy
//! remembers the vault of each response it passed on, by the response's id, so a follow-up
//! request continues that vault: its values keep their numbers, and placeholders from
//! earlier turns that the model repeats are restored.
//!
//! Bounded: at most [`MAX_CONVERSATIONS`] ids, each kept for [`TTL`]; the oldest go first.
//! In memory, per proxy process: behind a load balancer, a follow-up that lands on another
//! replica gets a fresh vault (its earlier placeholders then reach the client unrestored,
//! never as wrong values). Requests that carry their whole history (chat completions,
//! messages, Responses without `previous_response_id`) never need it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::placeholder::Vault;

/// The most response ids remembered.
pub const MAX_CONVERSATIONS: usize = 10_000;
/// How long a response id is remembered.
pub const TTL: Duration = Duration::from_secs(3600);

/// Response id → the vault its request used.
#[derive(Default)]
pub(crate) struct Conversations {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    by_id: HashMap<String, (Vault, Instant)>,
    order: VecDeque<(String, Instant)>,
}

impl Conversations {
    /// The vault of the response `id`, if remembered and fresh.
    pub(crate) fn get(&self, id: &str) -> Option<Vault> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.by_id
            .get(id)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(v, _)| v.clone())
    }

    /// Remembers that response `id` was produced with `vault`.
    pub(crate) fn insert(&self, id: &str, vault: Vault) {
        if id.is_empty() || id.len() > 256 {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        s.by_id.insert(id.to_string(), (vault, now));
        s.order.push_back((id.to_string(), now));
        while s.order.len() > MAX_CONVERSATIONS
            || s.order.front().is_some_and(|(_, at)| at.elapsed() >= TTL)
        {
            let (old, at) = s.order.pop_front().expect("not empty");
            // Only if not re-inserted since.
            if s.by_id.get(&old).is_some_and(|(_, t)| *t == at) {
                s.by_id.remove(&old);
            }
        }
    }
}

/// The ids a Responses request continues: its `previous_response_id` and its `conversation`
/// (a string or `{"id": ...}`), read without building the rest of the body.
pub(crate) fn continued_ids(body: &[u8]) -> (Option<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Conv {
        Id(String),
        Object { id: String },
    }
    #[derive(serde::Deserialize)]
    struct Ids {
        previous_response_id: Option<String>,
        conversation: Option<Conv>,
    }
    match serde_json::from_slice::<Ids>(body) {
        Ok(ids) => (
            ids.previous_response_id,
            ids.conversation.map(|c| match c {
                Conv::Id(id) | Conv::Object { id } => id,
            }),
        ),
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_reads_previous_ids() {
        let c = Conversations::default();
        let v = Vault::default();
        v.placeholder("EMAIL", b"a@x.io");
        c.insert("resp_1", v);
        assert_eq!(c.get("resp_1").unwrap().len(), 1);
        assert!(c.get("resp_2").is_none());
        assert_eq!(
            continued_ids(
                br#"{"input":"x","previous_response_id":"resp_1","conversation":{"id":"c"}}"#
            ),
            (Some("resp_1".into()), Some("c".into()))
        );
        assert_eq!(
            continued_ids(br#"{"input":"x","conversation":"c"}"#),
            (None, Some("c".into()))
        );
        assert_eq!(continued_ids(br#"{"input":"x"}"#), (None, None));
    }
}
