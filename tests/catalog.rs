//! The default catalog is data with its own tests: every rule's examples are caught and its
//! counterexamples are not, through the real engine; the catalog has the breadth the product
//! promises; only multi-line formats may match a newline; every rule keeps within the automaton
//! budget that user rules must keep to; the copy in docs/catalog.md is current.

use blackbar::{Category, Redactor};

fn redactor() -> Redactor {
    Redactor::builder()
        .build()
        .expect("the embedded catalog loads")
}

#[test]
fn every_example_and_counterexample_behaves() {
    for &kind in blackbar::EngineKind::compiled() {
        let r = Redactor::builder().engine(kind).build().expect("loads");
        examples_behave(&r, kind.name());
    }
}

fn examples_behave(r: &Redactor, engine: &str) {
    let failures = r.check_examples(&[]);
    let lines: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}: {}", f.origin, f.rule, f.problem))
        .collect();
    assert!(
        failures.is_empty(),
        "{engine} engine: {} failures:\n{}",
        failures.len(),
        lines.join("\n")
    );
}

#[test]
fn catalog_breadth() {
    let r = redactor();
    let count = |c: Category| {
        r.rules()
            .rules()
            .iter()
            .filter(|x| x.category() == c)
            .count()
    };
    assert!(
        count(Category::Secret) >= 333,
        "{} secret rules",
        count(Category::Secret)
    );
    assert!(
        count(Category::Pii) >= 59,
        "{} pii rules",
        count(Category::Pii)
    );
    assert!(count(Category::Canary) >= 1);
    for id in [
        "email",
        "ipv4",
        "ipv6",
        "mac-address",
        "iban",
        "blackbar-canary",
        "pem-private-key",
        "uk-nhs",
        "de-steuer-id",
        "fr-nir",
        "nl-bsn",
        "in-aadhaar",
        "eth-address",
        "gitlab-pat-routable",
        "age-secret-key",
        "age-recipient",
        "pypi-token",
        "jwt",
    ] {
        assert!(r.rules().get(id).is_some(), "missing rule {id}");
    }
    for r in r.rules().rules() {
        assert!(
            r.examples().len() >= 2 && !r.counterexamples().is_empty(),
            "{} lacks examples",
            r.id()
        );
    }
}

/// Single-line rules let the stream release each completed line at once; a rule that can
/// match `\n` by accident (`\s`, `[^x]`) would hold lines back. The block formats are a PEM
/// key, a Kubernetes Secret manifest (whose `kind: Secret` and `data:` values are on
/// different lines), an XML element whose value sits on a line of its own and a YAML list
/// entry's `- name:` with its `value:` on the next line; each starts
/// with its keyword, so the parallel pipeline can still cut between lines away from them.
#[test]
fn only_block_formats_are_multiline() {
    let r = redactor();
    let multi: Vec<&str> = r
        .rules()
        .rules()
        .iter()
        .filter(|r| r.is_multiline())
        .map(|r| r.id())
        .collect();
    assert_eq!(
        multi,
        vec![
            "k8s-secret-data",
            "k8s-secret-data-sorted",
            "curl-user-password",
            "netrc-password",
            "pem-private-key",
            "jenkins-initial-admin-password",
            "xml-secret-element-block",
            "name-value-secret-block",
            "terraform-variable-default"
        ]
    );
}

/// The catalog loads without the automaton budget's exploration (it is trusted); this is what
/// earns the trust. Its widest rule reaches 206 NFA states against the limit of 1024.
#[test]
fn every_rule_keeps_within_the_automaton_budget() {
    let rules = blackbar::RuleSet::default_catalog();
    let over: Vec<String> = rules
        .rules()
        .iter()
        .filter_map(|r| {
            blackbar::rules::check_budget(r.pattern())
                .err()
                .map(|e| format!("{}: {e}", r.id()))
        })
        .collect();
    assert!(over.is_empty(), "over the budget:\n{}", over.join("\n"));
}

#[test]
fn docs_catalog_is_current() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
        .args(["rules", "list", "--markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/catalog.md"))
        .expect("docs/catalog.md exists");
    let start = doc
        .find("<!-- catalog:start -->")
        .expect("docs/catalog.md has a catalog:start marker");
    let end = doc
        .find("<!-- catalog:end -->")
        .expect("docs/catalog.md has a catalog:end marker");
    let current = doc[start + "<!-- catalog:start -->".len()..end].trim();
    assert!(
        current == table.trim(),
        "docs/catalog.md is stale: regenerate it with `blackbar rules list --markdown` \
         between the markers <!-- catalog:start --> and <!-- catalog:end --> in docs/catalog.md"
    );
}
