//! Session placeholders (the `placeholder` action) and their restoration.
//!
//! A [`Vault`] maps values to numbered placeholders such as `[EMAIL_1]`, per session: the same
//! value (under the same label) always gets the same placeholder, a new value the next free
//! number. A [`Restorer`] puts the values back into text that contains placeholders, such as
//! a language model's streamed answer.
//!
//! Guarantees:
//! * **Survives paraphrase.** A placeholder is `[`, the rule's label (`[A-Z0-9_]`), `_`, a
//!   decimal number and `]`: characters a model reproduces verbatim, no Unicode, no escapes.
//! * **No clash with the user's own text.** Every placeholder-shaped string seen in the input
//!   before a number is handed out (the stream shows the vault its input as it arrives, see
//!   [`Vault::observe`]) is reserved: blackbar never hands out a number the user wrote
//!   themselves, and restoring leaves such user text alone.
//! * **Streaming restore.** A placeholder split across chunks is restored; only bytes that
//!   could still be the start of a placeholder this vault handed out are held back (at most
//!   [`MAX_PLACEHOLDER_LEN`] bytes).
//! * **Bounded memory.** [`VaultConfig`] caps the number of values and their bytes. When the
//!   vault is full, values it has not seen get the plain `[LABEL]` (still redacted, not
//!   restorable) and [`Vault::overflowed`] counts them; values it already holds keep their
//!   placeholders. Nothing is evicted, because an evicted number could no longer be restored
//!   in a later turn.
//! * **Secret.** Values never appear in `Debug` output, errors or logs; they are zeroed when
//!   the vault is dropped.
//!
//! # Example
//!
//! ```
//! use blackbar::{placeholder::Vault, Policy, Redactor};
//!
//! let mut policy = Policy::default();
//! policy.set_action_str("pii=placeholder")?;
//! let r = Redactor::builder().policy(policy).build()?;
//! let vault = Vault::default();                        // one per conversation
//! let mut s = r.stream();
//! s.set_vault(vault.clone());
//! let mut prompt = vec![];
//! s.feed(b"mail bob@example.com and [EMAIL_1]", &mut prompt);
//! s.finish(&mut prompt);
//! assert_eq!(prompt, b"mail [EMAIL_2] and [EMAIL_1]");  // [EMAIL_1] was the user's own text
//!
//! let mut restorer = vault.restorer();
//! let mut answer = vec![];
//! for chunk in [&b"I wrote to [EMA"[..], b"IL_2]."] {
//!     restorer.feed(chunk, &mut answer);
//! }
//! restorer.finish(&mut answer);
//! assert_eq!(answer, b"I wrote to bob@example.com.");
//! # Ok::<(), blackbar::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use zeroize::Zeroize;

/// The longest placeholder: `[`, a 64-byte label, `_`, 9 digits, `]`.
pub const MAX_PLACEHOLDER_LEN: usize = 1 + 64 + 1 + 9 + 1;
const MAX_NUMBER: u32 = 999_999_999;
/// Book-keeping bytes counted for each value and each reservation, on top of their text.
const ENTRY_OVERHEAD: usize = 64;

/// Limits of a [`Vault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VaultConfig {
    /// The most values held.
    pub max_entries: usize,
    /// The most bytes held: values (stored twice, for both directions), labels, reserved
    /// placeholders and a fixed overhead per entry.
    pub max_bytes: usize,
}

impl Default for VaultConfig {
    /// 10,000 values, 4 MiB.
    fn default() -> VaultConfig {
        VaultConfig {
            max_entries: 10_000,
            max_bytes: 4 << 20,
        }
    }
}

#[derive(Default)]
struct State {
    by_value: HashMap<(Arc<str>, Vec<u8>), u32>,
    by_placeholder: HashMap<(Arc<str>, u32), Vec<u8>>,
    next: HashMap<Arc<str>, u32>,
    reserved: HashSet<(String, u32)>,
    bytes: usize,
    overflowed: u64,
    /// Set once a reservation could not be recorded: from then on no new number is handed
    /// out, since it might clash with text the vault did not get to remember.
    saturated: bool,
}

impl Drop for State {
    fn drop(&mut self) {
        for ((_, mut v), _) in self.by_value.drain() {
            v.zeroize();
        }
        for (_, mut v) in self.by_placeholder.drain() {
            v.zeroize();
        }
    }
}

/// A session's placeholders: cheap to clone (clones share the session), `Send + Sync`.
#[derive(Clone)]
pub struct Vault {
    config: VaultConfig,
    state: Arc<Mutex<State>>,
}

impl Default for Vault {
    fn default() -> Vault {
        Vault::new(VaultConfig::default())
    }
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("Vault")
            .field("entries", &s.by_value.len())
            .field("reserved", &s.reserved.len())
            .field("bytes", &s.bytes)
            .field("overflowed", &s.overflowed)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

/// Parses `[LABEL_N]` at the start of `text`: `(label, n, length)`.
fn parse(text: &[u8]) -> Option<(&str, u32, usize)> {
    if text.first() != Some(&b'[') {
        return None;
    }
    let close = text
        .iter()
        .take(MAX_PLACEHOLDER_LEN)
        .position(|&b| b == b']')?;
    let inner = &text[1..close];
    let us = inner.iter().rposition(|&b| b == b'_')?;
    let (label, digits) = (&inner[..us], &inner[us + 1..]);
    if label.is_empty()
        || label.len() > 64
        || !label.iter().all(|&b| is_label_byte(b))
        || digits.is_empty()
        || digits.len() > 9
        || digits[0] == b'0'
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((std::str::from_utf8(label).ok()?, n, close + 1))
}

impl Vault {
    /// An empty vault with these limits.
    pub fn new(config: VaultConfig) -> Vault {
        Vault {
            config,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps inconsistent (every update is
        // a few inserts), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of values held.
    pub fn len(&self) -> usize {
        self.lock().by_value.len()
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values that got a plain `[LABEL]` because the vault was full.
    pub fn overflowed(&self) -> u64 {
        self.lock().overflowed
    }

    /// Reserves every placeholder-shaped string in `text` that this vault did not hand out,
    /// so it is never handed out later. The stream calls this with its input as it arrives
    /// (see [`crate::StreamRedactor::set_vault`]); call it yourself with any text the
    /// session's placeholders must not clash with. A placeholder split between two calls is
    /// not seen: pass whole messages where you can.
    pub fn observe(&self, text: &[u8]) {
        let mut state = None;
        for at in memchr::memchr_iter(b'[', text) {
            let Some((label, n, _)) = parse(&text[at..]) else {
                continue;
            };
            let s = state.get_or_insert_with(|| self.lock());
            if s.by_placeholder.contains_key(&(Arc::from(label), n))
                || s.reserved.contains(&(label.to_string(), n))
            {
                continue;
            }
            let cost = label.len() + ENTRY_OVERHEAD;
            if s.bytes + cost > self.config.max_bytes {
                s.saturated = true;
                continue;
            }
            s.bytes += cost;
            s.reserved.insert((label.to_string(), n));
        }
    }

    /// The placeholder number for `value` under `label`, handing out the next free one for a
    /// new value; `None` when the vault is full.
    pub(crate) fn assign(&self, label: &Arc<str>, value: &[u8]) -> Option<u32> {
        let mut s = self.lock();
        if let Some(&n) = s.by_value.get(&(label.clone(), value.to_vec())) {
            return Some(n);
        }
        let cost = 2 * value.len() + label.len() + 2 * ENTRY_OVERHEAD;
        if s.saturated
            || s.by_value.len() >= self.config.max_entries
            || s.bytes + cost > self.config.max_bytes
        {
            s.overflowed += 1;
            return None;
        }
        let mut n = s.next.get(label).copied().unwrap_or(1);
        while s.reserved.contains(&(label.to_string(), n)) {
            n += 1;
        }
        if n > MAX_NUMBER {
            s.overflowed += 1;
            return None;
        }
        s.next.insert(label.clone(), n + 1);
        s.bytes += cost;
        s.by_value.insert((label.clone(), value.to_vec()), n);
        s.by_placeholder.insert((label.clone(), n), value.to_vec());
        Some(n)
    }

    /// The placeholder for `value` under `label` (e.g. `[EMAIL_1]`), handing out the next
    /// free number for a new value; `[LABEL]` when the vault is full. This is what the
    /// `placeholder` action writes.
    pub fn placeholder(&self, label: &str, value: &[u8]) -> String {
        let mut out = vec![];
        self.write(&Arc::from(label), value, &mut out);
        String::from_utf8(out).expect("labels are ASCII")
    }

    /// Writes the placeholder for `value` (or `[LABEL]` when the vault is full).
    pub(crate) fn write(&self, label: &Arc<str>, value: &[u8], out: &mut Vec<u8>) {
        out.push(b'[');
        out.extend_from_slice(label.as_bytes());
        if let Some(n) = self.assign(label, value) {
            out.push(b'_');
            out.extend_from_slice(n.to_string().as_bytes());
        }
        out.push(b']');
    }

    /// Whether `s` (the bytes after a `[`) could still grow into a placeholder this vault
    /// handed out.
    fn could_be(&self, s: &[u8]) -> bool {
        let state = self.lock();
        state.next.keys().any(|label| {
            let l = label.as_bytes();
            if s.len() <= l.len() {
                l.starts_with(s)
            } else {
                s.starts_with(l)
                    && s[l.len()] == b'_'
                    && s.len() - l.len() - 1 <= 9
                    && s[l.len() + 1..].iter().all(u8::is_ascii_digit)
            }
        })
    }

    fn lookup(&self, label: &str, n: u32) -> Option<Vec<u8>> {
        self.lock()
            .by_placeholder
            .get(&(Arc::from(label), n))
            .cloned()
    }

    /// A streaming restorer for this session.
    pub fn restorer(&self) -> Restorer {
        Restorer {
            vault: self.clone(),
            held: Vec::new(),
            json: false,
        }
    }

    /// A streaming restorer for JSON text whose placeholders sit inside string literals,
    /// such as a model's tool-call arguments: each value is written JSON-escaped (`"`, `\`
    /// and control characters), so the text stays valid JSON and decodes to the value.
    pub fn json_restorer(&self) -> Restorer {
        Restorer {
            json: true,
            ..self.restorer()
        }
    }

    /// Restores every placeholder of this vault in `text` at once.
    pub fn restore(&self, text: &[u8]) -> Vec<u8> {
        let mut r = self.restorer();
        let mut out = Vec::with_capacity(text.len());
        r.feed(text, &mut out);
        r.finish(&mut out);
        out
    }
}

/// Puts a vault's values back in place of its placeholders, in a stream of text. Holds back
/// at most [`MAX_PLACEHOLDER_LEN`] bytes, and only while they could still become a
/// placeholder the vault handed out. Placeholders the vault did not hand out (the user's own
/// `[EMAIL_1]`, or a model's invention) pass unchanged.
pub struct Restorer {
    vault: Vault,
    held: Vec<u8>,
    /// Write values JSON-escaped (see [`Vault::json_restorer`]).
    json: bool,
}

impl fmt::Debug for Restorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Restorer")
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

impl Restorer {
    /// Takes more text and appends whatever is final to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.held.extend_from_slice(input);
        let buf = std::mem::take(&mut self.held);
        let mut pos = 0;
        let mut i = 0;
        while let Some(off) = memchr::memchr(b'[', &buf[i..]) {
            let at = i + off;
            if let Some((label, n, len)) = parse(&buf[at..]) {
                if let Some(value) = self.vault.lookup(label, n) {
                    out.extend_from_slice(&buf[pos..at]);
                    if self.json {
                        let mut quoted = Vec::with_capacity(value.len() + 2);
                        crate::escape::write_escaped(&value, &mut quoted);
                        // The escaped content, without the quotes around it.
                        out.extend_from_slice(&quoted[1..quoted.len() - 1]);
                    } else {
                        out.extend_from_slice(&value);
                    }
                    pos = at + len;
                    i = pos;
                    continue;
                }
                i = at + 1;
                continue;
            }
            let rest = &buf[at + 1..];
            if !rest.contains(&b']')
                && buf.len() - at < MAX_PLACEHOLDER_LEN
                && self.vault.could_be(rest)
            {
                // Could still be a placeholder: hold from here.
                out.extend_from_slice(&buf[pos..at]);
                self.held = buf[at..].to_vec();
                return;
            }
            i = at + 1;
        }
        out.extend_from_slice(&buf[pos..]);
    }

    /// Ends the text: writes whatever is held.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.held);
    }
}

/// A stream's link to its session vault: shows the vault the stream's input, including a
/// placeholder split between two chunks.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) vault: Vault,
    /// The input's tail from its last `[`, when no `]` follows it yet.
    carry: Vec<u8>,
}

impl Session {
    pub(crate) fn new(vault: Vault) -> Session {
        Session {
            vault,
            carry: vec![],
        }
    }

    pub(crate) fn observe(&mut self, input: &[u8]) {
        if !self.carry.is_empty() {
            let mut joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(&input[..input.len().min(MAX_PLACEHOLDER_LEN)]);
            self.vault.observe(&joined);
            if !joined.contains(&b']') && joined.len() < MAX_PLACEHOLDER_LEN {
                // Still open and still short enough: keep waiting.
                self.carry = joined;
                return;
            }
        }
        self.vault.observe(input);
        if let Some(at) = memchr::memrchr(b'[', input) {
            let tail = &input[at..];
            if tail.len() < MAX_PLACEHOLDER_LEN && !tail.contains(&b']') {
                self.carry = tail.to_vec();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn same_value_same_number_and_reserved_numbers_skipped() {
        let v = Vault::default();
        v.observe(b"user wrote [EMAIL_1] and [EMAIL_3] and [PHONE_x] [EMAIL_01]");
        let e = label("EMAIL");
        assert_eq!(v.assign(&e, b"a@x.io"), Some(2));
        assert_eq!(v.assign(&e, b"b@x.io"), Some(4));
        assert_eq!(v.assign(&e, b"a@x.io"), Some(2));
        assert_eq!(v.assign(&label("PHONE"), b"a@x.io"), Some(1));
        // Observing its own placeholders later reserves nothing.
        v.observe(b"[EMAIL_2]");
        assert_eq!(
            v.restore(b"[EMAIL_2] [EMAIL_1] [EMAIL_4]"),
            b"a@x.io [EMAIL_1] b@x.io"
        );
    }

    #[test]
    fn full_vault_labels_new_values_and_keeps_old_ones() {
        let v = Vault::new(VaultConfig {
            max_entries: 2,
            max_bytes: 1 << 20,
        });
        let e = label("EMAIL");
        let mut out = vec![];
        for value in [&b"a@x.io"[..], b"b@x.io", b"c@x.io", b"a@x.io"] {
            v.write(&e, value, &mut out);
            out.push(b' ');
        }
        assert_eq!(out, b"[EMAIL_1] [EMAIL_2] [EMAIL] [EMAIL_1] ");
        assert_eq!(v.overflowed(), 1);
        let small = Vault::new(VaultConfig {
            max_entries: 100,
            max_bytes: 200,
        });
        assert!(small.assign(&e, &[b'x'; 100]).is_none());
    }

    #[test]
    fn restore_any_chunking_holds_only_possible_prefixes() {
        let v = Vault::default();
        let e = label("EMAIL");
        v.assign(&e, b"alice@example.com");
        v.assign(&label("CREDIT_CARD"), b"4111 1111 1111 1111");
        let text = b"to [EMAIL_1], card [CREDIT_CARD_1]; [EMAIL_9] [NOT] [ [EMAIL_1";
        let want = v.restore(text);
        assert_eq!(
            want,
            b"to alice@example.com, card 4111 1111 1111 1111; [EMAIL_9] [NOT] [ [EMAIL_1"
        );
        for n in 1..text.len() {
            let mut r = v.restorer();
            let mut out = vec![];
            for c in text.chunks(n) {
                r.feed(c, &mut out);
            }
            r.finish(&mut out);
            assert_eq!(out, want, "chunk size {n}");
        }
        let mut r = v.restorer();
        let mut out = vec![];
        r.feed(b"ok [NOTHING", &mut out);
        assert_eq!(out, b"ok [NOTHING", "not a possible prefix: released");
        r.feed(b" [EMA", &mut out);
        assert_eq!(out, b"ok [NOTHING ", "possible prefix: held");
    }

    #[test]
    fn session_sees_a_placeholder_split_between_chunks() {
        let v = Vault::default();
        let mut s = Session::new(v.clone());
        for c in [&b"x [EM"[..], b"AI", b"L_1] y"] {
            s.observe(c);
        }
        assert_eq!(v.assign(&label("EMAIL"), b"a@x.io"), Some(2));
    }

    #[test]
    fn debug_never_shows_values() {
        let v = Vault::default();
        v.assign(&label("EMAIL"), b"secret@example.com");
        let d = format!("{v:?} {:?}", v.restorer());
        assert!(!d.contains("secret@"), "{d}");
    }
}
