//! Tokens, format-preserving encryption, placeholders and key rings, through the library.
//!
//! The security properties each have a test: tokens differ per key, any change to a token is
//! detected and never yields a value, nothing secret shows in `Debug` or error output, a
//! second pass of blackbar over its own output changes nothing, and restoring works for any
//! chunking.

mod support;

use blackbar::placeholder::{Vault, VaultConfig};
use blackbar::testkit::find_tokens;
use blackbar::token::{detokenize, tokenize, Detokenizer, TokenProblem};
use blackbar::{Key, Policy, Redactor};
use support::XorShift;

const PLAIN_KEY: &[u8] = b"0123456789abcdef-test-key";
const KEY_A: &str = "bbkey1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const KEY_B: &str = "bbkey1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";

fn key(text: &str) -> Key {
    Key::new(text.as_bytes()).unwrap()
}

fn redactor(actions: &[&str], key: Option<Key>) -> Redactor {
    let mut p = Policy::default();
    for a in actions {
        p.set_action_str(a).unwrap();
    }
    let mut b = Redactor::builder().policy(p);
    if let Some(k) = key {
        b = b.key(k);
    }
    b.build().unwrap()
}

const LOG: &str = "\
2024-05-01 login user=alice@example.com ip=10.1.2.3 card 4111 1111 1111 1111
2024-05-01 call +1 415-555-0132 api_key=AKIAQ3EGRZ4XWMJ7VN2K from bob@example.com
2024-05-01 password=Xk9#mP2$vL7q token=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 done
";

/// A token's payload: between the key id and the terminator `_`.
fn payload(token: &str) -> &str {
    token
        .strip_suffix('_')
        .expect("a token ends with its terminator")
        .rsplit('_')
        .next()
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn tokens_are_deterministic_per_key_and_differ_across_keys() {
    let (a, b) = (key(KEY_A), key(KEY_B));
    let t1 = tokenize(&a, "EMAIL", b"alice@example.com").unwrap();
    assert_eq!(t1, tokenize(&a, "EMAIL", b"alice@example.com").unwrap());
    let t2 = tokenize(&b, "EMAIL", b"alice@example.com").unwrap();
    assert_ne!(t1, t2);
    assert_ne!(t1, tokenize(&a, "EMAIL", b"alice@example.org").unwrap());
    // The label is bound: the same value under another label is another token.
    let t3 = tokenize(&a, "USER", b"alice@example.com").unwrap();
    assert_ne!(payload(&t1), payload(&t3));
    assert!(t1.starts_with(&format!("tok_EMAIL_{}_", a.current_id())));
    assert!(t2.starts_with(&format!("tok_EMAIL_{}_", b.current_id())));
    // URL- and JSON-safe: one word of [A-Za-z0-9_].
    assert!(t1.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
}

#[test]
fn any_change_to_a_token_is_detected_never_decrypted() {
    let k = key(KEY_A);
    let value = b"4111 1111 1111 1111";
    let t = tokenize(&k, "CREDIT_CARD", value).unwrap();
    let text = format!("x {t} y");
    assert_eq!(
        detokenize(&k, text.as_bytes()).unwrap(),
        b"x 4111 1111 1111 1111 y"
    );
    let payload_at = t.len() - 1 - payload(&t).len();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut tried = 0;
    for i in payload_at..t.len() - 1 {
        for &c in alphabet.iter().step_by(5) {
            let mut bad = t.clone().into_bytes();
            if bad[i] == c {
                continue;
            }
            bad[i] = c;
            let text = [b"x ".as_slice(), &bad, b" y"].concat();
            match detokenize(&k, &text) {
                Ok(out) => assert_eq!(out, text, "a changed token must not restore"),
                Err(e) => {
                    assert_eq!((e.offset, e.line), (2, 1));
                    assert!(matches!(
                        e.problem,
                        TokenProblem::Forged(_) | TokenProblem::Malformed
                    ));
                }
            }
            tried += 1;
        }
    }
    assert!(tried > 100);
    // A changed label or key id fails too (the label and id are authenticated).
    let relabelled = t.replacen("CREDIT_CARD", "EMAIL", 1);
    assert!(matches!(
        detokenize(&k, relabelled.as_bytes()).unwrap_err().problem,
        TokenProblem::Forged(_)
    ));
    let reid = t.replacen(&k.current_id(), "k00000000", 1);
    assert!(matches!(
        detokenize(&k, reid.as_bytes()).unwrap_err().problem,
        TokenProblem::UnknownKey(_)
    ));
    // Truncation.
    for cut in [1, 2, 5, 8] {
        let short = &t[..t.len() - cut];
        let r = detokenize(&k, short.as_bytes());
        assert!(r.is_err() || r.unwrap() == short.as_bytes(), "cut {cut}");
    }
}

#[test]
fn wrong_key_errors_name_offset_and_line_and_nothing_secret() {
    let (a, b) = (key(KEY_A), key(KEY_B));
    let t = tokenize(&a, "EMAIL", b"alice@example.com").unwrap();
    let text = format!("first line\nsecond {t} tail\n");
    let mut d = Detokenizer::new(b.clone());
    let mut out = vec![];
    let err = d.feed(text.as_bytes(), &mut out).unwrap_err();
    assert_eq!(
        out, b"first line\nsecond ",
        "everything before the token, nothing of it"
    );
    assert_eq!((err.offset, err.line), (18, 2));
    let msg = err.to_string();
    assert!(msg.contains("line 2, byte 18"), "{msg}");
    assert!(msg.contains(&a.current_id()), "{msg}");
    for secret in ["alice", &KEY_A[7..], &KEY_B[7..], payload(&t)] {
        assert!(!msg.contains(secret), "{msg}");
        assert!(!format!("{err:?} {d:?}").contains(secret));
    }
    // Stays failed.
    assert!(d.finish(&mut out).is_err());
    assert_eq!(out, b"first line\nsecond ");
    // Keep going: the token is left as it is, the error recorded, the rest restored.
    let ok = tokenize(&b, "EMAIL", b"bob@example.com").unwrap();
    let text = format!("{t}\n{ok}\n");
    let mut d = Detokenizer::new(b).keep_going(true);
    let mut out = vec![];
    d.feed(text.as_bytes(), &mut out).unwrap();
    d.finish(&mut out).unwrap();
    assert_eq!(out, format!("{t}\nbob@example.com\n").as_bytes());
    let errors = d.take_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].offset, errors[0].line), (0, 1));
    assert_eq!(d.restored(), 1);
}

#[test]
fn key_ring_newest_tokenizes_all_restore() {
    let old = key(KEY_A);
    let ring = key(&format!("# rotated\n{KEY_A}\n{KEY_B}\n"));
    assert_eq!(ring.ids(), vec![old.current_id(), key(KEY_B).current_id()]);
    let before = tokenize(&old, "EMAIL", b"a@x.io").unwrap();
    let after = tokenize(&ring, "EMAIL", b"a@x.io").unwrap();
    assert!(after.contains(&key(KEY_B).current_id()));
    let text = format!("{before} {after}");
    assert_eq!(
        detokenize(&ring, text.as_bytes()).unwrap(),
        b"a@x.io a@x.io"
    );
    // Pseudonyms: one per key, newest first; the newest is what the hash action writes.
    let p = ring.pseudonyms("EMAIL", b"a@x.io");
    assert_eq!(p.len(), 2);
    let r = redactor(&["pii=hash"], Some(ring.clone()));
    assert_eq!(
        r.redact(b"to a@x.io").output,
        format!("to {}", p[0].1).as_bytes()
    );
    let r_old = redactor(&["pii=hash"], Some(old));
    assert_eq!(
        r_old.redact(b"to a@x.io").output,
        format!("to {}", p[1].1).as_bytes()
    );
}

#[test]
fn plain_key_still_hashes_as_before() {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(PLAIN_KEY).unwrap();
    mac.update(b"a@x.io");
    let hex: String = mac.finalize().into_bytes()[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let r = redactor(&["pii=hash"], Some(Key::new(PLAIN_KEY).unwrap()));
    assert_eq!(
        r.redact(b"a@x.io").output,
        format!("EMAIL#{hex}").as_bytes()
    );
}

#[test]
fn second_pass_changes_nothing() {
    let k = key(KEY_A);
    let tok = redactor(&["pii=token", "secret=token"], Some(k.clone()));
    let once = tok.redact(LOG.as_bytes()).output;
    // (The exact count depends on the catalog's overlaps; every value must be gone.)
    assert!(
        find_tokens(&once).len() >= 7,
        "{}",
        String::from_utf8_lossy(&once)
    );
    for raw in [
        "alice", "bob@", "10.1.2.3", "4111", "AKIA", "Xk9#", "ghp_", "555",
    ] {
        assert!(
            !contains(&once, raw.as_bytes()),
            "{raw} left in {}",
            String::from_utf8_lossy(&once)
        );
    }
    for again in [
        tok.clone(),
        redactor(&[], None),
        redactor(&["secret=hash", "pii=mask"], Some(k.clone())),
        redactor(&["pii=placeholder", "secret=drop"], None),
    ] {
        let twice = again.redact(&once);
        assert_eq!(
            String::from_utf8_lossy(&twice.output),
            String::from_utf8_lossy(&once)
        );
        assert!(twice
            .findings
            .iter()
            .all(|f| &*f.rule_id == blackbar::token::RULE_ID));
    }
    assert_eq!(detokenize(&k, &once).unwrap(), LOG.as_bytes());
    // Naming the rule still works (labelling tokens for an untrusted recipient)...
    let strip = redactor(&["blackbar-token=label"], None);
    let stripped = strip.redact(&once).output;
    assert!(find_tokens(&stripped).is_empty());
    // ...but re-encrypting is refused.
    let mut p = Policy::default();
    p.set_action_str("blackbar-token=token").unwrap();
    let err = Redactor::builder().policy(p).key(k).build().unwrap_err();
    assert!(err.to_string().contains("never re-encrypts"), "{err}");
}

#[test]
fn token_rule_and_parser_agree() {
    let k = key(KEY_A);
    let r = redactor(&[], None);
    let rule = r
        .rules()
        .rules()
        .iter()
        .position(|x| x.id() == blackbar::token::RULE_ID)
        .unwrap();
    let mut rng = XorShift(0x9e3779b97f4a7c15);
    let pieces = [" ", "_", "A", "x", ".", "\"", "tok_", "\n"];
    for i in 0..300 {
        let t = tokenize(&k, "AWS_KEY", format!("v{i}").as_bytes()).unwrap();
        let mut s = t.clone().into_bytes();
        // Mutate: cut, insert or change a byte, and wrap in random neighbours.
        let at = (rng.next() % s.len() as u64) as usize;
        match rng.next() % 4 {
            0 => s.truncate(at.max(1)),
            1 => s.insert(at, b"aZ_7-"[(rng.next() % 5) as usize]),
            2 => s[at] = b"bK2_"[(rng.next() % 4) as usize],
            _ => {}
        }
        let pre = pieces[(rng.next() % pieces.len() as u64) as usize];
        let post = pieces[(rng.next() % pieces.len() as u64) as usize];
        let text = [pre.as_bytes(), &s, post.as_bytes()].concat();
        let by_rule: Vec<(usize, usize)> = r
            .detect(&text)
            .iter()
            .filter(|d| d.rule as usize == rule)
            .map(|d| (d.span.start as usize, d.span.end as usize))
            .collect();
        assert_eq!(
            by_rule,
            find_tokens(&text),
            "{:?}",
            String::from_utf8_lossy(&text)
        );
    }
}

#[test]
fn detokenizer_output_is_the_same_for_any_chunking() {
    let k = key(KEY_A);
    let tok = redactor(&["pii=token", "secret=token"], Some(k.clone()));
    let text = tok.redact(LOG.as_bytes()).output;
    let want = detokenize(&k, &text).unwrap();
    let mut rng = XorShift(7);
    for size in [1, 2, 3, 7, 64, 4096, 0] {
        let mut d = Detokenizer::new(k.clone());
        let mut out = vec![];
        let mut rest = &text[..];
        while !rest.is_empty() {
            let n = if size == 0 {
                1 + (rng.next() % 40) as usize
            } else {
                size
            }
            .min(rest.len());
            d.feed(&rest[..n], &mut out).unwrap();
            rest = &rest[n..];
        }
        d.finish(&mut out).unwrap();
        assert_eq!(out, want, "chunk size {size}");
    }
}

#[test]
fn long_values_are_labelled_not_tokenized() {
    let k = key(KEY_A);
    let r = Redactor::builder()
        .rule_source(
            "long.toml",
            r#"
[[rule]]
id = "t-long"
name = "long"
category = "secret"
label = "LONG"
pattern = '''LONG[a-z]{1,2000}'''
keywords = ["LONG"]
confidence = "high"
examples = ["LONGabc", "x LONGxyz"]
counterexamples = ["LON"]
"#,
        )
        .policy({
            let mut p = Policy::default();
            p.set_action_str("t-long=token").unwrap();
            p
        })
        .key(k)
        .build()
        .unwrap();
    // Letters in a cycle: a run of one repeated letter would be a placeholder (low).
    let long: String = "LONG"
        .chars()
        .chain((0..1100).map(|i| char::from(b'a' + (i * 7 % 26) as u8)))
        .collect();
    assert_eq!(r.redact(long.as_bytes()).output, b"[LONG]");
    assert!(r.redact(b"LONGabc").output.starts_with(b"tok_LONG_"));
}

#[test]
fn fpe_cards_keep_brand_length_luhn_and_reverse() {
    let k = key(KEY_A);
    let enc = redactor(&["pii=fpe"], Some(k.clone()));
    let input = b"card 4111 1111 1111 1111 and 5500-0000-0000-0004, amex 378282246310005\n";
    let out = enc.redact(input).output;
    assert_eq!(out.len(), input.len());
    assert_ne!(out, input);
    let text = String::from_utf8(out.clone()).unwrap();
    let cards: Vec<&str> = vec![&text[5..24], &text[29..48], &text[55..70]];
    for (c, orig) in cards.iter().zip([
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",
    ]) {
        assert!(blackbar::testkit::checksum::luhn_valid(c.as_bytes()), "{c}");
        assert_eq!(c[..6], orig[..6]);
        assert_ne!(*c, orig);
    }
    // The ciphertexts are still cards, so the catalog finds them and reversal restores them.
    let dec = Redactor::builder()
        .policy({
            let mut p = Policy::default();
            p.set_action_str("pii=fpe").unwrap();
            p
        })
        .key(k)
        .reverse_fpe(true)
        .build()
        .unwrap();
    assert_eq!(dec.redact(&out).output, input);
}

#[test]
fn fpe_phones_keep_shape_and_non_digit_values_are_labelled() {
    let k = key(KEY_A);
    let enc = redactor(&["pii=fpe"], Some(k));
    let input = "call (415) 555-0132 or mail bob@example.com";
    let out = String::from_utf8(enc.redact(input.as_bytes()).output).unwrap();
    let phone = &out[5..19];
    assert_ne!(phone, "(415) 555-0132");
    let shape = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_digit() { b'9' } else { b })
            .collect::<Vec<u8>>()
    };
    assert_eq!(shape(phone), shape("(415) 555-0132"));
    assert!(out.ends_with("mail [EMAIL]"), "{out}");
}

#[test]
fn fpe_and_token_need_a_key_at_build_time() {
    for action in ["pii=token", "pii=fpe", "secret=hash"] {
        let mut p = Policy::default();
        p.set_action_str(action).unwrap();
        let err = Redactor::builder().policy(p).build().unwrap_err();
        assert!(err.to_string().contains("no key"), "{err}");
    }
}

#[test]
fn placeholders_per_session_across_turns_and_restore_streamed() {
    let r = redactor(&["pii=placeholder"], None);
    let vault = Vault::default();
    let turn = |text: &str| {
        let mut s = r.stream();
        s.set_vault(vault.clone());
        let mut out = vec![];
        for c in text.as_bytes().chunks(3) {
            s.feed(c, &mut out);
        }
        s.finish(&mut out);
        String::from_utf8(out).unwrap()
    };
    assert_eq!(
        turn("mail alice@example.com, cc bob@example.com, alice@example.com"),
        "mail [EMAIL_1], cc [EMAIL_2], [EMAIL_1]"
    );
    // A later turn: same value, same placeholder; the user's own [EMAIL_3] is never reused.
    assert_eq!(
        turn("I wrote [EMAIL_3] for carol@example.com; and bob@example.com"),
        "I wrote [EMAIL_3] for [EMAIL_4]; and [EMAIL_2]"
    );
    assert_eq!(vault.len(), 3);
    let answer = b"Sent to [EMAIL_1] and [EMAIL_4], not [EMAIL_3] or [EMAIL_9].";
    let want = b"Sent to alice@example.com and carol@example.com, not [EMAIL_3] or [EMAIL_9].";
    for n in 1..answer.len() {
        let mut restorer = vault.restorer();
        let mut out = vec![];
        for c in answer.chunks(n) {
            restorer.feed(c, &mut out);
        }
        restorer.finish(&mut out);
        assert_eq!(out, want, "chunks of {n}");
    }
    let dbg = format!("{vault:?} {r:?}");
    assert!(!dbg.contains("alice") && !dbg.contains("carol"), "{dbg}");
}

#[test]
fn full_vault_falls_back_to_labels() {
    let r = redactor(&["pii=placeholder"], None);
    let mut config = VaultConfig::default();
    config.max_entries = 1;
    config.max_bytes = 1 << 20;
    let vault = Vault::new(config);
    let mut s = r.stream();
    s.set_vault(vault.clone());
    let mut out = vec![];
    s.feed(b"a@x.io b@x.io a@x.io", &mut out);
    s.finish(&mut out);
    assert_eq!(out, b"[EMAIL_1] [EMAIL] [EMAIL_1]");
    assert_eq!(vault.overflowed(), 1);
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let k = key(&format!("{KEY_A}\n{KEY_B}"));
    let r = redactor(&["pii=token"], Some(k.clone()));
    let dbg = format!("{k:?} {r:?} {:?}", r.stream());
    for secret in [&KEY_A[7..], &KEY_B[7..], "AAECAwQF", "ICEiIyQl"] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
    let out = r.redact(b"alice@example.com");
    assert!(!contains(&out.output, b"alice"));
    assert!(!format!("{:?}", out.findings).contains("alice"));
    // A key file error names the line, never the content.
    let err = Key::new(format!("{KEY_A}\nbbkey1:hunter2hunter2hunter2\n").as_bytes()).unwrap_err();
    assert!(!err.to_string().contains("hunter2") && err.to_string().contains("line 2"));
}
