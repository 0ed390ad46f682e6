//! What the writer and the layer share: the compiled redactor, and per-thread scratch kept
//! in the core's thread-local pool ([`crate::scratch`]) so that the hot path neither
//! allocates nor locks.

use std::sync::Arc;

use crate::finding::ActionKind;
use crate::json::{JsonOptions, JsonRedactor, JsonScratch};
use crate::redactor::Redactor;
use crate::stream::StreamRedactor;

/// The fixed text written in place of a record whose redaction failed.
pub const NOTICE: &str = "[blackbar: record withheld]";

/// A scratch buffer grown past this by a large record is shrunk back when returned.
const KEEP_CAPACITY: usize = 64 * 1024;

/// The immutable configuration of a writer or layer, shared by `Arc`.
#[derive(Clone, Debug)]
pub(crate) struct Shared {
    pub(crate) json: JsonRedactor,
    /// Test hook: every redaction panics (to exercise the failure path).
    pub(crate) fail: bool,
}

impl Shared {
    pub(crate) fn new(json: JsonRedactor) -> Arc<Shared> {
        Arc::new(Shared { json, fail: false })
    }

    pub(crate) fn from_redactor(redactor: Redactor) -> Arc<Shared> {
        Shared::new(JsonRedactor::new(redactor, JsonOptions::default()))
    }

    pub(crate) fn redactor(&self) -> &Redactor {
        self.json.redactor()
    }
}

/// Per-thread buffers and search state for one [`Shared`].
pub(crate) struct Scratch {
    pub(crate) shared: Arc<Shared>,
    /// The record as written by the formatter.
    pub(crate) input: Vec<u8>,
    /// The record without ANSI escape sequences.
    pub(crate) clean: Vec<u8>,
    /// The redacted record.
    pub(crate) out: Vec<u8>,
    pub(crate) stream: StreamRedactor,
    pub(crate) json: Option<JsonScratch>,
}

impl Scratch {
    /// A scratch for `shared`: this thread's pooled one when there is one (no allocation),
    /// else a new one.
    pub(crate) fn take(shared: &Arc<Shared>) -> Box<Scratch> {
        crate::scratch::take(|s: &Scratch| Arc::ptr_eq(&s.shared, shared)).unwrap_or_else(|| {
            Box::new(Scratch {
                shared: shared.clone(),
                input: Vec::new(),
                clean: Vec::new(),
                out: Vec::new(),
                stream: shared.redactor().stream(),
                json: None,
            })
        })
    }

    /// Returns a scratch to this thread's pool.
    pub(crate) fn give_back(mut self: Box<Scratch>) {
        for buf in [&mut self.input, &mut self.clean, &mut self.out] {
            buf.clear();
            if buf.capacity() > KEEP_CAPACITY {
                buf.shrink_to(KEEP_CAPACITY);
            }
        }
        crate::scratch::give_back(self);
    }

    /// Redacts `text` (the rules, then the redactor's decoders) into `self.out`, cleared first.
    /// Returns `false` when a finding's action is `drop`: the caller drops the record.
    pub(crate) fn redact_text(&mut self, text: Which) -> bool {
        if self.shared.fail {
            panic!("blackbar: injected failure");
        }
        let shared = self.shared.clone();
        let redactor = shared.redactor();
        let text = match text {
            Which::Input => &self.input[..],
            Which::Clean => &self.clean[..],
        };
        self.out.clear();
        let found = redactor.redact_with(&mut self.stream, text, &mut self.out);
        !found.iter().any(|f| f.action == ActionKind::Drop)
    }
}

/// Which buffer of a [`Scratch`] to redact.
#[derive(Clone, Copy)]
pub(crate) enum Which {
    Input,
    Clean,
}

/// Removes ANSI escape sequences (CSI: `ESC [` parameters, final byte; and two-byte `ESC x`)
/// from `input`, appending the rest to `out`. A lone trailing `ESC` is dropped.
pub(crate) fn strip_ansi(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < input.len() {
        match memchr::memchr(0x1b, &input[i..]) {
            None => {
                out.extend_from_slice(&input[i..]);
                return;
            }
            Some(n) => {
                out.extend_from_slice(&input[i..i + n]);
                i += n + 1;
                match input.get(i) {
                    Some(b'[') => {
                        i += 1;
                        // Parameter and intermediate bytes, then one final byte.
                        while i < input.len() && (0x20..0x40).contains(&input[i]) {
                            i += 1;
                        }
                        if i < input.len() && (0x40..0x7f).contains(&input[i]) {
                            i += 1;
                        }
                    }
                    Some(_) => i += 1,
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip_ansi;

    #[test]
    fn strips_sgr_and_csi() {
        let mut out = vec![];
        strip_ansi(
            b"\x1b[1mkey\x1b[0m=AKIA\x1b[2mQ3EG\x1b[0;31;1mRZ4X\x1b[K\x1b",
            &mut out,
        );
        assert_eq!(out, b"key=AKIAQ3EGRZ4X");
    }
}
