//! Arbitrary text through the detokenizer, in arbitrary chunks, with a fixed key ring. The
//! invariants (a crash file is a complete reproduction: `cargo fuzz run detokenize ARTIFACT`;
//! the first byte picks the chunk sizes, the second whether to keep going):
//!
//! * no panic;
//! * chunking never changes the result: the output (and the error, if any) equals the
//!   one-shot result;
//! * a real token inserted into the input is restored.
#![no_main]

use std::sync::OnceLock;

use blackbar::token::{detokenize, tokenize, Detokenizer};
use blackbar::Key;
use libfuzzer_sys::fuzz_target;

fn key() -> &'static Key {
    static K: OnceLock<Key> = OnceLock::new();
    K.get_or_init(|| {
        Key::new(b"bbkey1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\nbbkey1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n")
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let Some((&mode, input)) = rest.split_first() else {
        return;
    };
    let key = key();
    let keep_going = mode & 1 == 1;
    let one_shot = {
        let mut d = Detokenizer::new(key.clone()).keep_going(keep_going);
        let mut out = vec![];
        let r = d.feed(input, &mut out).and_then(|()| d.finish(&mut out));
        (out, r, d.take_errors())
    };
    let mut d = Detokenizer::new(key.clone()).keep_going(keep_going);
    let mut out = vec![];
    let mut result = Ok(());
    let mut rest = input;
    let mut k = u32::from(seed);
    while !rest.is_empty() && result.is_ok() {
        k = k.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (k >> 16) as usize % 97).min(rest.len());
        let before = out.len();
        result = d.feed(&rest[..n], &mut out);
        assert!(out.len() >= before);
        rest = &rest[n..];
    }
    if result.is_ok() {
        result = d.finish(&mut out);
    }
    assert_eq!(out, one_shot.0);
    assert_eq!(result, one_shot.1);
    assert_eq!(d.take_errors(), one_shot.2);

    // A real token spliced in at a word boundary is restored.
    if let Some(t) = tokenize(key, "FUZZ", input.get(..16).unwrap_or(input)) {
        let text = [b"<", t.as_bytes(), b">"].concat();
        let back = detokenize(key, &text).unwrap();
        assert_eq!(&back[1..back.len() - 1], input.get(..16).unwrap_or(input));
    }
});
