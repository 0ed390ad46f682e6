//! Reversible tokens: deterministic authenticated encryption of a value, and its reversal.
//!
//! A token is
//!
//! ```text
//! tok_EMAIL_k3f9a1c2b_ndpxzhlxmvftbsaf7p5pgrwixhvq3yk2bftjs6igf6wjwtqbmbngi_
//! └┬┘ └─┬─┘ └───┬───┘ └──────────────────────┬──────────────────────────┘└ terminator
//! prefix label  key id   base32 (RFC 4648, lowercase, unpadded) of AES-256-SIV(value)
//! ```
//!
//! Guarantees:
//! * **Self-delimiting.** A token is found and restored in any surrounding text, with no
//!   separator around it: `tok_` cannot occur inside a label, the payload alphabet
//!   (`[a-z2-7]`) holds no `_`, and the terminator `_` ends it. Tokens glued to each other,
//!   to words or to digits restore exactly.
//! * **Versioned.** The format version is authenticated (the first associated-data
//!   component). Version 1 tokens had no terminator and needed a non-word byte after them;
//!   they still restore, and when a `_` follows one, authentication tells whether that `_`
//!   is a version 2 terminator or the text's own byte.
//! * **Deterministic.** The same value, label and key give the same token on every machine,
//!   with no shared store, so tokenized logs stay joinable. (This is what SIV is for: it is
//!   misuse-resistant, and determinism only reveals that two values are equal.)
//! * **Authenticated.** The label and key id are associated data: a token whose payload,
//!   label or key id was changed does not decrypt. [`Detokenizer`] never writes anything for
//!   a token that does not authenticate; it stops with a [`DetokenizeError`] naming the
//!   token's byte offset and line (or, with [`Detokenizer::keep_going`], leaves the token as
//!   it is and records the error). Anything shaped like a token up to its key id
//!   (`tok_LABEL_k0123abcd_`) must restore: a truncated or glued-over payload is an error,
//!   never text passed through.
//! * **Recognisable and inert.** A token is one "word" (`[A-Za-z0-9_]`): URL-safe, JSON-safe,
//!   selected whole by a double click, and nothing a language model tends to drop. The
//!   default catalog's `blackbar-token` rule (`patterns/tokens.toml`) finds tokens, wins
//!   every overlap and leaves them unchanged, so blackbar never re-tokenizes its own output
//!   and two blackbars in a row give the same text as one.
//! * **Bounded.** Values longer than [`MAX_VALUE_LEN`] bytes are not tokenized (the action
//!   writes the rule's `[LABEL]` instead), so every token is at most [`MAX_TOKEN_LEN`] bytes.

pub(crate) mod fpe;

use std::fmt;

use aes_siv::{siv::Aes256Siv, KeyInit};
use memchr::memmem;

use crate::key::{format_id, Key, KeyEntry};

/// Every token starts with this.
pub const PREFIX: &str = "tok_";
/// The id of the catalog rule that recognises tokens (`patterns/tokens.toml`).
pub const RULE_ID: &str = crate::rules::OWN_TOKEN_RULE;
/// The longest value the `token` action encrypts, in bytes.
pub const MAX_VALUE_LEN: usize = 1024;
/// The longest label a token carries.
pub const MAX_LABEL_LEN: usize = 64;
/// The SIV tag in front of every ciphertext.
const TAG_LEN: usize = 16;
/// Payload characters: the shortest (a one-byte value) and the longest.
const MIN_PAYLOAD: usize = ((TAG_LEN + 1) * 8).div_ceil(5);
const MAX_PAYLOAD: usize = ((TAG_LEN + MAX_VALUE_LEN) * 8).div_ceil(5);
/// The longest token, in bytes (terminator included).
pub const MAX_TOKEN_LEN: usize = PREFIX.len() + MAX_LABEL_LEN + 1 + 9 + 1 + MAX_PAYLOAD + 1;
/// The byte that ends a version 2 token.
const TERMINATOR: u8 = b'_';
/// Domain separation and version: the first associated-data component of every token.
const DOMAIN_V2: &[u8] = b"blackbar token v2";
/// Version 1 tokens (no terminator) are still restored.
const DOMAIN_V1: &[u8] = b"blackbar token v1";

const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn b32_value(c: u8) -> Option<u8> {
    match c {
        b'a'..=b'z' => Some(c - b'a'),
        b'2'..=b'7' => Some(c - b'2' + 26),
        _ => None,
    }
}

fn encode_base32(bytes: &[u8], out: &mut Vec<u8>) {
    let mut acc: u64 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | b as u64;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[(acc >> bits) as usize & 31]);
        }
    }
    if bits > 0 {
        out.push(B32[(acc << (5 - bits)) as usize & 31]);
    }
}

/// Decodes unpadded lowercase base32; `None` for a length no encoding has or non-zero
/// trailing bits (so each ciphertext has exactly one spelling).
fn decode_base32(text: &[u8]) -> Option<Vec<u8>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc: u64 = 0;
    let mut bits = 0;
    for &c in text {
        acc = (acc << 5) | b32_value(c)? as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if acc & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

/// Whether `label` can be carried by a token: 1 to [`MAX_LABEL_LEN`] of `[A-Z0-9_]`.
pub fn is_token_label(label: &str) -> bool {
    !label.is_empty() && label.len() <= MAX_LABEL_LEN && label.bytes().all(is_label_byte)
}

/// Appends the token for `value` under the newest key of `key`. Returns false, writing
/// nothing, when the value is empty or longer than [`MAX_VALUE_LEN`] or the label cannot be
/// carried (see [`is_token_label`]).
pub(crate) fn encrypt_into(key: &Key, label: &str, value: &[u8], out: &mut Vec<u8>) -> bool {
    if value.is_empty() || value.len() > MAX_VALUE_LEN || !is_token_label(label) {
        return false;
    }
    let entry = key.current();
    let id = entry.id_string();
    let mut siv = Aes256Siv::new(entry.siv_key().into());
    let sealed = siv
        .encrypt([DOMAIN_V2, label.as_bytes(), id.as_bytes()], value)
        .expect("three headers and a bounded value are always accepted");
    out.reserve(PREFIX.len() + label.len() + id.len() + 3 + sealed.len() * 8 / 5 + 1);
    out.extend_from_slice(PREFIX.as_bytes());
    out.extend_from_slice(label.as_bytes());
    out.push(b'_');
    out.extend_from_slice(id.as_bytes());
    out.push(b'_');
    encode_base32(&sealed, out);
    out.push(TERMINATOR);
    true
}

/// The token for `value` under the newest key of `key`, or `None` when it cannot be
/// tokenized (empty, longer than [`MAX_VALUE_LEN`], or a label outside `[A-Z0-9_]{1,64}`).
///
/// # Example
///
/// ```
/// let key = blackbar::Key::new(b"0123456789abcdef-test-key")?;
/// let t = blackbar::token::tokenize(&key, "EMAIL", b"alice@example.com").unwrap();
/// assert!(t.starts_with("tok_EMAIL_k"));
/// assert_eq!(blackbar::token::detokenize(&key, t.as_bytes()).unwrap(), b"alice@example.com");
/// # Ok::<(), blackbar::Error>(())
/// ```
pub fn tokenize(key: &Key, label: &str, value: &[u8]) -> Option<String> {
    let mut out = vec![];
    encrypt_into(key, label, value, &mut out)
        .then(|| String::from_utf8(out).expect("tokens are ASCII"))
}

/// A token-shaped string's parts, as offsets into the text it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Parsed {
    label: std::ops::Range<usize>,
    id: [u8; 4],
    /// The `[a-z2-7]` run after the key id (possibly empty or too long: then it does not
    /// restore).
    payload: std::ops::Range<usize>,
    /// Whether a `_` follows the payload: a version 2 token ends there.
    terminated: bool,
}

impl Parsed {
    /// Whether the catalog rule `blackbar-token` matches it: a payload of a length some
    /// value has, ended by the terminator or by a non-word byte.
    fn is_well_formed(&self, buf: &[u8]) -> bool {
        (MIN_PAYLOAD..=MAX_PAYLOAD).contains(&self.payload.len())
            && (self.terminated || !buf.get(self.payload.end).is_some_and(|&b| is_word(b)))
    }

    /// The end of the token when it is of version 2 (terminator included).
    fn end_v2(&self) -> usize {
        self.payload.end + 1
    }
}

enum Parse {
    /// Shaped like a token up to its key id: it must restore.
    Token(Parsed),
    /// Could still become a token with more bytes.
    NeedMore,
    No,
}

/// Parses a token-shaped string starting at `at` (which holds `tok_`): `tok_`, a label of
/// `[A-Z0-9_]{1,64}`, `_k`, eight hex digits, `_`, then the payload run. Nothing before `at`
/// matters: `tok_` cannot continue a label, so a token glued to what precedes it is found.
fn parse(buf: &[u8], at: usize, eof: bool) -> Parse {
    let more = |i: usize| {
        if i >= buf.len() && !eof {
            Parse::NeedMore
        } else {
            Parse::No
        }
    };
    let mut i = at + PREFIX.len();
    // The label run [A-Z0-9_]+ must end with `_` followed by `k`.
    let start = i;
    while i < buf.len() && is_label_byte(buf[i]) {
        i += 1;
        if i - start > MAX_LABEL_LEN + 1 {
            return Parse::No;
        }
    }
    if i >= buf.len() {
        return more(i);
    }
    if buf[i] != b'k' || i - start < 2 || buf[i - 1] != b'_' {
        return Parse::No;
    }
    let label = start..i - 1;
    i += 1;
    let mut id = [0u8; 4];
    for k in 0..8 {
        let Some(&c) = buf.get(i + k) else {
            return more(i + k);
        };
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return Parse::No,
        };
        id[k / 2] |= v << if k % 2 == 0 { 4 } else { 0 };
    }
    i += 8;
    match buf.get(i) {
        None => return more(i),
        Some(b'_') => i += 1,
        Some(_) => return Parse::No,
    }
    let p = i;
    // One byte past the longest payload is enough to know it is too long.
    while i < buf.len() && i - p <= MAX_PAYLOAD && b32_value(buf[i]).is_some() {
        i += 1;
    }
    if i >= buf.len() && !eof && i - p <= MAX_PAYLOAD {
        // The payload, or whether a terminator follows, is still to come.
        return Parse::NeedMore;
    }
    Parse::Token(Parsed {
        label,
        id,
        payload: p..i,
        terminated: buf.get(i) == Some(&TERMINATOR),
    })
}

/// Why a token could not be restored. Carries positions and the key id, never the token's
/// payload or any value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenProblem {
    /// No key in the ring has the token's key id.
    UnknownKey(String),
    /// The payload is not valid base32 of a sealed value.
    Malformed,
    /// The token does not authenticate under its key: tampered, or a different key with a
    /// colliding id.
    Forged(String),
}

/// A token that could not be restored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DetokenizeError {
    /// Byte offset of the token's first byte in the whole input (0-based).
    pub offset: u64,
    /// The 1-based line the token is on.
    pub line: u64,
    /// The token's label and key id, e.g. `tok_EMAIL_k3f9a1c2b_…` (never the payload).
    pub token: String,
    /// What is wrong.
    pub problem: TokenProblem,
}

impl fmt::Display for DetokenizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, byte {}: token {} ",
            self.line, self.offset, self.token
        )?;
        match self.problem {
            TokenProblem::UnknownKey(ref id) => {
                write!(f, "was made with key {id}, which is not in the key ring")
            }
            TokenProblem::Malformed => f.write_str("is malformed (truncated or altered)"),
            TokenProblem::Forged(ref id) => write!(
                f,
                "does not authenticate under key {id} (altered, or made with another key)"
            ),
        }
    }
}

impl std::error::Error for DetokenizeError {}

fn open(
    entry: &KeyEntry,
    domain: &[u8],
    label: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, TokenProblem> {
    if payload.len() > MAX_PAYLOAD {
        return Err(TokenProblem::Malformed);
    }
    let sealed = decode_base32(payload).ok_or(TokenProblem::Malformed)?;
    if sealed.len() <= TAG_LEN {
        return Err(TokenProblem::Malformed);
    }
    let id = entry.id_string();
    let mut siv = Aes256Siv::new(entry.siv_key().into());
    siv.decrypt([domain, label, id.as_bytes()], &sealed)
        .map_err(|_| TokenProblem::Forged(id))
}

/// Restores every token in a stream of text, in bounded memory: only a trailing word that
/// could still be the start of a token (at most [`MAX_TOKEN_LEN`] bytes) is held back
/// between calls. Text that is not a token passes unchanged, byte for byte.
///
/// By default the first token that does not restore (unknown key, malformed, tampered) ends
/// the stream: everything before it has been written, nothing of it or after it is, and the
/// error is returned from then on. With [`Detokenizer::keep_going`] such a token is left as
/// it is and the error recorded ([`Detokenizer::take_errors`]).
///
/// # Example
///
/// ```
/// use blackbar::token::{tokenize, Detokenizer};
/// let key = blackbar::Key::new(b"0123456789abcdef-test-key")?;
/// let text = format!("user {} logged in\n", tokenize(&key, "EMAIL", b"bob@example.com").unwrap());
/// let mut d = Detokenizer::new(key);
/// let mut out = vec![];
/// for chunk in text.as_bytes().chunks(7) {
///     d.feed(chunk, &mut out).unwrap();
/// }
/// d.finish(&mut out).unwrap();
/// assert_eq!(out, b"user bob@example.com logged in\n");
/// # Ok::<(), blackbar::Error>(())
/// ```
pub struct Detokenizer {
    key: Key,
    keep_going: bool,
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Line number of `buf[0]`.
    line: u64,
    restored: u64,
    errors: Vec<DetokenizeError>,
    failed: Option<DetokenizeError>,
}

impl fmt::Debug for Detokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detokenizer")
            .field("key", &self.key)
            .field("held", &self.buf.len())
            .field("offset", &self.base)
            .field("restored", &self.restored)
            .finish_non_exhaustive()
    }
}

impl Detokenizer {
    /// A detokenizer trying the keys of `key` (each token names its key).
    pub fn new(key: Key) -> Detokenizer {
        Detokenizer {
            key,
            keep_going: false,
            buf: vec![],
            base: 0,
            line: 1,
            restored: 0,
            errors: vec![],
            failed: None,
        }
    }

    /// Leave tokens that do not restore in place and record the error, instead of stopping.
    pub fn keep_going(mut self, yes: bool) -> Detokenizer {
        self.keep_going = yes;
        self
    }

    /// The number of tokens restored so far.
    pub fn restored(&self) -> u64 {
        self.restored
    }

    /// Removes and returns the errors recorded so far (with [`Detokenizer::keep_going`]).
    pub fn take_errors(&mut self) -> Vec<DetokenizeError> {
        std::mem::take(&mut self.errors)
    }

    /// Takes more input and appends whatever is final to `out`.
    ///
    /// # Errors
    ///
    /// The first token that does not restore (unless [`Detokenizer::keep_going`]); `out`
    /// then ends just before that token, and every later call returns the same error.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), DetokenizeError> {
        if let Some(ref e) = self.failed {
            return Err(e.clone());
        }
        // Feed in pieces so the held-back buffer stays small whatever the chunk size.
        for piece in input.chunks(64 * 1024) {
            self.buf.extend_from_slice(piece);
            self.process(false, out)?;
        }
        Ok(())
    }

    /// Ends the input and writes the rest.
    ///
    /// # Errors
    ///
    /// As [`Detokenizer::feed`].
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), DetokenizeError> {
        if let Some(ref e) = self.failed {
            return Err(e.clone());
        }
        self.process(true, out)
    }

    fn process(&mut self, eof: bool, out: &mut Vec<u8>) -> Result<(), DetokenizeError> {
        let buf = std::mem::take(&mut self.buf);
        let mut pos = 0; // bytes of `buf` already handled
        let mut hold = buf.len();
        let mut result = Ok(());
        for at in memmem::find_iter(&buf, PREFIX.as_bytes()) {
            if at < pos {
                continue;
            }
            let t = match parse(&buf, at, eof) {
                Parse::No => continue,
                Parse::NeedMore => {
                    hold = at;
                    break;
                }
                Parse::Token(t) => t,
            };
            out.extend_from_slice(&buf[pos..at]);
            match self.restore(&buf, &t) {
                Ok((value, end)) => {
                    out.extend_from_slice(&value);
                    self.restored += 1;
                    pos = end;
                }
                Err(problem) => {
                    let line = self.line + count_lines(&buf[..at]);
                    let err = DetokenizeError {
                        offset: self.base + at as u64,
                        line,
                        token: format!(
                            "{PREFIX}{}_{}_…",
                            String::from_utf8_lossy(&buf[t.label.clone()]),
                            format_id(t.id)
                        ),
                        problem,
                    };
                    if !self.keep_going {
                        self.failed = Some(err.clone());
                        result = Err(err);
                        hold = at;
                        pos = at;
                        break;
                    }
                    self.errors.push(err);
                    let end = if t.terminated {
                        t.end_v2()
                    } else {
                        t.payload.end
                    };
                    out.extend_from_slice(&buf[at..end]);
                    pos = end;
                }
            }
        }
        if result.is_ok() && hold == buf.len() && !eof {
            // A split `tok_` prefix at the very end, e.g. "... to".
            for k in (1..PREFIX.len()).rev() {
                let at = buf.len().saturating_sub(k);
                if at >= pos && buf.len() >= k && buf[at..] == PREFIX.as_bytes()[..k] {
                    hold = at;
                    break;
                }
            }
        }
        let hold = hold.max(pos);
        if result.is_ok() {
            out.extend_from_slice(&buf[pos..hold]);
        }
        // Book-keeping for what was consumed: `buf[..hold]`.
        self.line += count_lines(&buf[..hold]);
        self.base += hold as u64;
        self.buf = buf;
        self.buf.drain(..hold);
        result
    }

    /// The value of a token-shaped string and where the token ends. A `_` after the payload
    /// is a version 2 terminator when the payload authenticates as version 2; otherwise the
    /// token is of version 1 and the `_` is the text's own.
    fn restore(&self, buf: &[u8], t: &Parsed) -> Result<(Vec<u8>, usize), TokenProblem> {
        let entry = self
            .key
            .find(t.id)
            .ok_or_else(|| TokenProblem::UnknownKey(format_id(t.id)))?;
        let (label, payload) = (&buf[t.label.clone()], &buf[t.payload.clone()]);
        if t.terminated {
            match open(entry, DOMAIN_V2, label, payload) {
                Ok(value) => return Ok((value, t.end_v2())),
                Err(problem) => {
                    return open(entry, DOMAIN_V1, label, payload)
                        .map(|value| (value, t.payload.end))
                        .map_err(|_| problem)
                }
            }
        }
        open(entry, DOMAIN_V1, label, payload).map(|value| (value, t.payload.end))
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Restores every token in `text` at once.
///
/// # Errors
///
/// The first token that does not restore, with its offset and line.
pub fn detokenize(key: &Key, text: &[u8]) -> Result<Vec<u8>, DetokenizeError> {
    let mut d = Detokenizer::new(key.clone());
    let mut out = Vec::with_capacity(text.len());
    d.feed(text, &mut out)?;
    d.finish(&mut out)?;
    Ok(out)
}

/// Finds every well-formed token in `text` (what the catalog rule `blackbar-token` matches):
/// `(start, end)` byte ranges. Used by tests to check the parser against the rule.
pub fn find_tokens(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut pos = 0;
    for at in memmem::find_iter(text, PREFIX.as_bytes()) {
        if at < pos {
            continue;
        }
        if let Parse::Token(t) = parse(text, at, true) {
            if t.is_well_formed(text) {
                let end = if t.terminated {
                    t.end_v2()
                } else {
                    t.payload.end
                };
                out.push((at, end));
                pos = end;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::new(s.as_bytes()).unwrap()
    }

    #[test]
    fn base32_round_trip_and_canonical() {
        for len in 0..50 {
            let data: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(91) ^ 0x5a).collect();
            let mut text = vec![];
            encode_base32(&data, &mut text);
            assert_eq!(text.len(), (len * 8usize).div_ceil(5));
            assert_eq!(decode_base32(&text).unwrap(), data);
        }
        assert!(decode_base32(b"ab").is_none(), "non-zero trailing bits");
        assert!(decode_base32(b"a").is_none());
        assert!(decode_base32(b"A2").is_none());
    }

    #[test]
    fn payload_bounds() {
        let k = key("0123456789abcdef-test-key");
        let short = tokenize(&k, "X", b"a").unwrap();
        let long = tokenize(&k, "X", &vec![b'v'; MAX_VALUE_LEN]).unwrap();
        assert_eq!(payload(&short).len(), MIN_PAYLOAD);
        assert_eq!(payload(&long).len(), MAX_PAYLOAD);
        assert!(tokenize(&k, "X", &vec![b'v'; MAX_VALUE_LEN + 1]).is_none());
        assert!(tokenize(&k, "X", b"").is_none());
        assert!(tokenize(&k, "lower", b"v").is_none());
        let longest = tokenize(&k, &"L".repeat(MAX_LABEL_LEN), &vec![0; MAX_VALUE_LEN]).unwrap();
        assert_eq!(longest.len(), MAX_TOKEN_LEN);
    }

    #[test]
    fn label_with_underscores_and_digits_parses() {
        let k = key("0123456789abcdef-test-key");
        for label in ["AWS_ACCESS_KEY_ID", "A", "X_", "_", "SHA256", "K_K"] {
            let t = tokenize(&k, label, b"v4lue").unwrap();
            assert_eq!(find_tokens(t.as_bytes()), vec![(0, t.len())], "{t}");
            assert_eq!(detokenize(&k, t.as_bytes()).unwrap(), b"v4lue");
        }
    }

    /// The payload of a token: between the key id and the terminator.
    fn payload(t: &str) -> &str {
        t.trim_end_matches('_').rsplit('_').next().unwrap()
    }

    /// A version 1 token (no terminator), as blackbar wrote them before.
    fn tokenize_v1(key: &Key, label: &str, value: &[u8]) -> String {
        let entry = key.current();
        let id = entry.id_string();
        let sealed = Aes256Siv::new(entry.siv_key().into())
            .encrypt([DOMAIN_V1, label.as_bytes(), id.as_bytes()], value)
            .unwrap();
        let mut out = format!("{PREFIX}{label}_{id}_").into_bytes();
        encode_base32(&sealed, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tokens_are_found_glued_to_any_text() {
        let k = key("0123456789abcdef-test-key");
        let t = tokenize(&k, "EMAIL", b"a@b.co").unwrap();
        assert!(t.ends_with('_'));
        let u = tokenize(&k, "IP_ADDRESS", b"10.0.0.1").unwrap();
        for (text, want) in [
            (format!("x{t}"), "xa@b.co"),
            (format!("{t}9"), "a@b.co9"),
            (format!("{t}_"), "a@b.co_"),
            (format!("{t}A"), "a@b.coA"),
            (format!("{t}abc"), "a@b.coabc"),
            (format!("{t}{u}"), "a@b.co10.0.0.1"),
            (format!("tok{t}tok_{u}"), "toka@b.cotok_10.0.0.1"),
            (format!("_{u}{t}{t}_"), "_10.0.0.1a@b.coa@b.co_"),
        ] {
            assert_eq!(
                String::from_utf8(detokenize(&k, text.as_bytes()).unwrap()).unwrap(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn version_1_tokens_still_restore() {
        let k = key("0123456789abcdef-test-key");
        let v1 = tokenize_v1(&k, "EMAIL", b"a@b.co");
        assert!(!v1.ends_with('_'));
        for (text, want) in [
            (v1.clone(), "a@b.co".to_string()),
            (format!("x {v1}."), "x a@b.co.".to_string()),
            // The `_` after a version 1 token is the text's own.
            (format!("{v1}_tail"), "a@b.co_tail".to_string()),
            (format!("q{v1}_"), "qa@b.co_".to_string()),
        ] {
            assert_eq!(
                String::from_utf8(detokenize(&k, text.as_bytes()).unwrap()).unwrap(),
                want,
                "{text}"
            );
        }
        // Glued to a base32 letter, a version 1 payload no longer authenticates: an error.
        let glued = format!("{v1}abc");
        assert!(detokenize(&k, glued.as_bytes()).is_err());
    }

    #[test]
    fn token_shapes_that_do_not_restore_are_errors() {
        let k = key("0123456789abcdef-test-key");
        let t = tokenize(&k, "EMAIL", b"a@b.co").unwrap();
        let id = k.current_id();
        for text in [
            t[..t.len() - 3].to_string(),
            format!("{} next", &t[..t.len() - 1]),
            format!("tok_EMAIL_{id}_abc_"),
            format!("tok_EMAIL_{id}_ rest"),
            format!("tok_EMAIL_{id}_{}", "a".repeat(MAX_PAYLOAD + 5)),
        ] {
            assert!(detokenize(&k, text.as_bytes()).is_err(), "{text}");
        }
        // Not shaped like a token up to the key id: plain text.
        for text in [
            "tok_",
            "tok_email_k00000000_abc",
            "tok_EMAIL_kxyz",
            "stok_A_",
        ] {
            assert_eq!(detokenize(&k, text.as_bytes()).unwrap(), text.as_bytes());
        }
    }
}
