//! The secret plants (`corpora/values/secrets.rs`) are what the labeled corpora are made of, so
//! they must be exactly right: every generated value is found by its own rule, at exactly its
//! span, redacted by the default policy, with a passing checksum where the format has one; the
//! values vary with the seed; and every secret rule of the default catalog has a generator.

#[allow(dead_code)] // The corpus generator uses more of the module than this test does.
#[path = "../corpora/values/secrets.rs"]
mod secrets;

use std::collections::HashSet;

use blackbar::ActionKind;
use blackbar::{Category, Confidence, Redactor};

const SEEDS: u64 = 50;

/// Secret rules without a generator, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "url-credentials",
        "the password is only a secret when `@host` follows it; a (lead, value) pair cannot \
         say what comes after the value (the eval carriers plant whole URLs)",
    ),
    (
        "xml-secret-element",
        "the value is only a secret when its element's closing tag follows it; same reason",
    ),
    (
        "gradle-credentials-password",
        "the value is only a secret when its closing quote follows it; same reason \
         (corpora/labeled/infra.rs plants it in a credentials block)",
    ),
    (
        "xml-secret-element-block",
        "the value is only a secret when a line with its element's closing tag follows it; \
         same reason (corpora/labeled/infra.rs plants whole elements)",
    ),
    (
        "generic-password-quoted",
        "the value is only a secret when its closing quote follows it; same reason \
         (corpora/labeled/infra.rs plants it in assignments and comparisons)",
    ),
    (
        "secret-comparison",
        "the value is only a secret when its closing quote follows it; same reason \
         (corpora/labeled/infra.rs plants it)",
    ),
    (
        "password-in-prose-quoted",
        "the value is only a secret when its closing quote follows it; same reason \
         (corpora/labeled/infra.rs plants it in sentences)",
    ),
    (
        "secret-quoted-to-line-end",
        "the value is only a secret when its closing quote ends the line; same reason \
         (corpora/labeled/infra.rs plants it)",
    ),
    (
        "secret-single-quoted-to-line-end",
        "the value is only a secret when its closing quote ends the line; same reason \
         (corpora/labeled/infra.rs plants it)",
    ),
    (
        "network-credential-password",
        "the value is only a secret when its closing quote follows it; same reason \
         (corpora/labeled/infra.rs plants it)",
    ),
    (
        "gradle-build-config-secret",
        "the value is only a secret when its closing quotes follow it; same reason \
         (corpora/labeled/infra.rs plants it)",
    ),
    (
        "ado-net-password-first",
        "the value is only a secret when another connection-string keyword follows it; same \
         reason (corpora/labeled/infra.rs plants it)",
    ),
    (
        "jenkins-initial-admin-password",
        "the value is on the line after Jenkins' sentence, which a one-line carrier cannot \
         hold (corpora/labeled/infra.rs plants it)",
    ),
    (
        "xml-secret-attribute",
        "the value is only a secret when its attribute's closing quote follows it; same reason",
    ),
    (
        "sentry-dsn",
        "the key is only a secret when `@oNNN.ingest.sentry.io/NNN` follows it; same reason",
    ),
    (
        "aws-secret-near-key-id",
        "the secret is only found after an access key id, a second value that a (lead, value) \
         pair cannot label; its examples cover it",
    ),
    (
        "k8s-secret-data-sorted",
        "kubectl's order puts `kind: Secret` after the data block, which a (lead, value) pair \
         cannot say; `secrets/k8s-secrets.yaml` in the eval corpora holds manifests of both orders",
    ),
    (
        "thingsboard-access-token",
        "the token is only one when `/telemetry` (or another device API resource) follows it; \
         `secrets/device-api.log` in the eval corpora plants whole URLs",
    ),
    (
        "s3-bucket-uri",
        "a low-confidence shape (bucket names are often public): logs report it and no log \
         corpus expects it redacted; its examples cover it",
    ),
    (
        "s3-bucket-host",
        "a low-confidence shape (bucket names are often public): logs report it and no log \
         corpus expects it redacted; its examples cover it",
    ),
    (
        "slack-token-shape",
        "a low-confidence shape (documentation examples, truncated tokens): logs report it and \
         no log corpus expects it redacted; its examples and the proxy tests cover it",
    ),
    (
        "blackbar-token",
        "blackbar's own reversible-token output, left unchanged by the default policy on \
         purpose (it never re-tokenizes); not a value a corpus plants",
    ),
];

/// Rules whose format has a public checksum: their plants must pass it (confidence certain).
const CHECKSUMMED: &[&str] = &[
    "github-pat-classic",
    "github-oauth-token",
    "github-user-to-server-token",
    "github-server-to-server-token",
    "github-refresh-token",
    "npm-token",
    "atlassian-api-token",
    "age-secret-key",
    "age-recipient",
    "gitlab-pat-routable",
    "gitlab-runner-token-routable",
];

fn redactor() -> Redactor {
    Redactor::builder()
        .build()
        .expect("the embedded catalog loads")
}

/// `Redactor::detect` builds a fresh scanner (cold lazy DFAs) per call, so the 50 seeds of a
/// rule are checked in one call: one sample per line, each line `lead + value` or
/// `x lead + value y`. No secret rule can match across a line break except `pem-private-key`,
/// whose match ends at its own END line, so a line sees what a lone input would. Seed 0 is also
/// checked alone, as a whole input.
#[test]
fn every_plant_is_detected_by_its_rule_at_its_span() {
    let r = redactor();
    let mut failures = Vec::new();
    for &(id, generate) in secrets::PLANTS {
        let index = rule_index(&r, id);
        let mut text = String::new();
        let mut spans = Vec::new();
        for seed in 0..SEEDS {
            let (lead, value) = generate(seed);
            for (before, after) in [("", ""), ("x ", " y")] {
                let start = (text.len() + before.len() + lead.len()) as u64;
                spans.push((seed, start..start + value.len() as u64));
                text.push_str(&format!("{before}{lead}{value}{after}\n"));
            }
        }
        let detections = r.detect(text.as_bytes());
        for (seed, span) in spans {
            if !detections
                .iter()
                .any(|d| d.rule as usize == index && d.span == span)
            {
                failures.push(format!("{id} seed {seed}: no detection at {span:?}"));
            }
        }
        let (lead, value) = generate(0);
        let alone = format!("{lead}{value}");
        let span = lead.len() as u64..alone.len() as u64;
        if !r
            .detect(alone.as_bytes())
            .iter()
            .any(|d| d.rule as usize == index && d.span == span)
        {
            failures.push(format!("{id} seed 0 alone: no detection at {span:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first 20:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

/// The whole pipeline, per sample: after overlap resolution the value is its rule's one
/// finding, at exactly its span, acted on by the default policy, gone from the output, and
/// `certain` where the format has a checksum.
#[test]
fn every_plant_is_redacted_as_its_rule() {
    let r = redactor();
    let mut scratch = r.stream();
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for &(id, generate) in secrets::PLANTS {
        rule_index(&r, id);
        for seed in 0..SEEDS {
            let (lead, value) = generate(seed);
            for (before, after) in [("", ""), ("x ", " y")] {
                let text = format!("{before}{lead}{value}{after}");
                let start = (before.len() + lead.len()) as u64;
                let span = start..start + value.len() as u64;
                let mut fail = |problem: String| {
                    failures.push(format!("{id} seed {seed} in {text:?}: {problem}"))
                };
                out.clear();
                let findings = r.redact_with(&mut scratch, text.as_bytes(), &mut out);
                // Low-confidence findings (a Luhn-failing "card" inside a Slack token) are
                // reported, not acted on; only acted-on findings compete for the value.
                let over: Vec<_> = findings
                    .iter()
                    .filter(|f| f.action != ActionKind::None)
                    .filter(|f| f.span.start < span.end && span.start < f.span.end)
                    .collect();
                match over.as_slice() {
                    [f] if &*f.rule_id == id && f.span == span => {
                        if CHECKSUMMED.contains(&id) && f.confidence != Confidence::Certain {
                            fail(format!("checksum not passed: {:?}", f.confidence));
                        }
                    }
                    _ => fail(format!(
                        "resolved to {:?}",
                        over.iter()
                            .map(|f| (&*f.rule_id, f.span.clone(), f.confidence))
                            .collect::<Vec<_>>()
                    )),
                }
                if out.windows(value.len()).any(|w| w == value.as_bytes()) {
                    fail("value still in the redacted output".into());
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first 20:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

fn rule_index(r: &Redactor, id: &str) -> usize {
    r.rules()
        .rules()
        .iter()
        .position(|rule| rule.id() == id)
        .unwrap_or_else(|| panic!("PLANTS names unknown rule {id}"))
}

#[test]
fn plants_vary_with_the_seed() {
    for &(id, generate) in secrets::PLANTS {
        let values: HashSet<String> = (0..SEEDS).map(|s| generate(s).1).collect();
        assert!(
            values.len() as u64 == SEEDS,
            "{id}: {} distinct values from {SEEDS} seeds",
            values.len()
        );
        assert_eq!(generate(7), generate(7), "{id}: not deterministic");
    }
}

#[test]
fn every_secret_rule_has_a_plant() {
    let r = redactor();
    let planted: HashSet<&str> = secrets::PLANTS.iter().map(|&(id, _)| id).collect();
    assert_eq!(
        planted.len(),
        secrets::PLANTS.len(),
        "duplicate ids in PLANTS"
    );
    let excepted: HashSet<&str> = EXCEPTIONS.iter().map(|&(id, _)| id).collect();
    let mut missing = Vec::new();
    for rule in r.rules().rules() {
        if rule.category() != Category::Secret {
            assert!(
                !planted.contains(rule.id()),
                "{} is not a secret rule",
                rule.id()
            );
            continue;
        }
        let id = rule.id();
        match (planted.contains(id), excepted.contains(id)) {
            (true, false) | (false, true) => {}
            (false, false) => missing.push(id.to_string()),
            (true, true) => panic!("{id} is both planted and excepted"),
        }
    }
    assert!(
        missing.is_empty(),
        "secret rules without a plant: {missing:?}"
    );
    for id in excepted {
        assert!(r.rules().get(id).is_some(), "exception {id} names no rule");
    }
}

/// A token in a query string ends at the `&` of the next parameter, which stays as it was.
/// (Passwords and secrets may contain `&`: see the next test.)
#[test]
fn api_token_in_a_query_string_ends_at_the_next_parameter() {
    assert_redacts(&[
        (
            "GET /v1/items?api_key=3f9a1c7e5b2d8f60&page=2 HTTP/1.1",
            "GET /v1/items?api_key=[API_TOKEN]&page=2 HTTP/1.1",
        ),
        (
            "cb=https://x.io/cb?access_token=ya29.a0AfH6SMBx7Lq2Zk9&state=xyz",
            "cb=https://x.io/cb?access_token=[API_TOKEN]&state=xyz",
        ),
        ("token=8fK2mQ9xLp4Zr7Tw&", "token=[API_TOKEN]&"),
    ]);
}

/// Redacts each input with the default catalog and compares the output with the one wanted.
fn assert_redacts(cases: &[(&str, &str)]) {
    let r = redactor();
    for (input, want) in cases {
        let out = r.redact(input.as_bytes()).output;
        assert_eq!(String::from_utf8_lossy(&out), *want, "{input}");
    }
}

/// A password or secret ends at an `&` that starts the next parameter (`&name=`), which stays
/// as it was; any other `&` (a password may contain one) is part of the value. Before, an
/// OAuth body lost everything after `client_secret=`.
#[test]
fn password_and_secret_end_at_the_next_parameter_only() {
    assert_redacts(&[
        (
            "POST /oauth/token grant_type=client_credentials&client_secret=q8Zr2LmX0vTwY3Kp&scope=read",
            "POST /oauth/token grant_type=client_credentials&client_secret=[SECRET]&scope=read",
        ),
        (
            "GET /login?user=bob&password=Xk9#mP2vL7qw&next=/home HTTP/1.1",
            "GET /login?user=bob&password=[PASSWORD]&next=/home HTTP/1.1",
        ),
        (
            "pwd=h7Gf2kLq9Zx&remember_me.v2=1",
            "pwd=[PASSWORD]&remember_me.v2=1",
        ),
        // `&` inside the value: followed by a digit, by a word and a symbol, by a word at the
        // value's end.
        ("DB_PASSWORD=Tr0ub4dor&3xZ", "DB_PASSWORD=[PASSWORD]"),
        ("password=Xk9#mP2vL7q&word#2 ok", "password=[PASSWORD] ok"),
        ("secret: Vx93kdL0qPzW&tail", "secret: [SECRET]"),
        ("password=Xk9#mP2vL7q&word&x=1", "password=[PASSWORD]&x=1"),
    ]);
}
