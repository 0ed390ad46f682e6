//! `blackbar eval` through the real binary, and the committed labeled corpora.
//!
//! * The committed corpora (`corpora/eval/`) are exactly what the seeded generator makes
//!   (`corpora/labeled/`, seed [`labeled::SEED`]): a stale copy fails here.
//! * The default catalog meets `corpora/eval-thresholds.toml` on them, and a regression
//!   (a disabled rule, a rule that flags decoys) makes the same command fail, naming the
//!   metric.
//! * Reports never carry a value unless `--show-values` is given.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::Dir;

#[allow(dead_code)] // The generator's binary uses more of it than the test does.
#[path = "../corpora/labeled/mod.rs"]
mod labeled;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn corpus_dir() -> PathBuf {
    repo("corpora/eval")
}

fn thresholds() -> PathBuf {
    repo("corpora/eval-thresholds.toml")
}

fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read corpus dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.insert(path);
        }
    }
}

#[test]
fn committed_corpora_match_the_generator() {
    let regen = "cargo run --example genlabeled -- --out corpora/eval";
    let mut expected = BTreeSet::new();
    for f in labeled::generate(labeled::SEED) {
        let path = corpus_dir().join(&f.name);
        let side = labeled::labels::sidecar_path(&path);
        let jsonl = labeled::labels::to_jsonl(&f.labels);
        for (p, want) in [(&path, &f.bytes[..]), (&side, jsonl.as_bytes())] {
            let have = std::fs::read(p)
                .unwrap_or_else(|e| panic!("{}: {e}; regenerate with `{regen}`", p.display()));
            assert!(
                have == want,
                "{} differs from what the generator makes; regenerate with `{regen}`",
                p.display()
            );
        }
        expected.insert(path);
        expected.insert(side);
    }
    let mut present = BTreeSet::new();
    walk(&corpus_dir(), &mut present);
    let extra: Vec<_> = present.difference(&expected).collect();
    assert!(
        extra.is_empty(),
        "files the generator no longer makes: {extra:?}"
    );
    let bytes: u64 = present
        .iter()
        .map(|p| std::fs::metadata(p).expect("stat").len())
        .sum();
    assert!(
        bytes < 1 << 20,
        "committed corpora are {bytes} bytes: keep them under 1 MiB"
    );
}

#[test]
fn generator_is_deterministic_and_labels_are_exact() {
    let a = labeled::generate(7);
    let b = labeled::generate(7);
    assert_eq!(a.len(), b.len());
    let c = labeled::generate(8);
    let mut differs = false;
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(
            (&x.name, &x.bytes, &x.labels),
            (&y.name, &y.bytes, &y.labels)
        );
        differs |= x.bytes != z.bytes;
        for l in &x.labels {
            assert!(l.end as usize <= x.bytes.len());
            // Each label covers a whole value: no partial UTF-8 character at either end.
            assert!(std::str::from_utf8(&x.bytes[l.start as usize..l.end as usize]).is_ok());
        }
    }
    assert!(differs, "another seed must give other values");
}

/// `blackbar eval` on the committed corpora with extra arguments.
fn eval(dir: &Dir, extra: &[&str]) -> support::Run {
    let mut cmd = dir.command();
    cmd.arg("eval")
        .args(extra)
        .arg("--thresholds")
        .arg(thresholds());
    cmd.arg(corpus_dir()).run()
}

/// The labeled real logs (`corpora/real/`, labels made without blackbar by its `label.py`):
/// the default catalog changes every IP and e-mail address in them and nothing else.
#[test]
fn default_catalog_changes_only_personal_data_in_the_real_logs() {
    let dir = Dir::new();
    let out = dir
        .command()
        .args(["eval", "--list", "all", "--thresholds"])
        .arg(repo("corpora/real-thresholds.toml"))
        .arg(repo("corpora/real"))
        .run()
        .ok();
    assert!(out.contains("\nthresholds: PASSED\n"), "{out}");
    assert!(out.contains("\npii "), "{out}");
}

#[test]
fn default_catalog_meets_the_committed_thresholds() {
    let dir = Dir::new();
    let run = eval(&dir, &["--list", "0"]);
    let out = run.ok();
    assert!(out.contains("\nthresholds: PASSED\n"), "{out}");
    // Metrics known to be below target are printed loudly.
    if out.contains("KNOWN BELOW TARGET:") {
        assert!(out.contains("!!! "), "{out}");
    }
    for line in [
        "\ncategory ",
        "\npii ",
        "\nsecret ",
        "\noverall ",
        "\ndecoys: ",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}

#[test]
fn a_disabled_rule_fails_the_thresholds() {
    let dir = Dir::new();
    let run = eval(&dir, &["--list", "0", "--disable", "card-visa"]);
    let out = run.status(1).stdout_str();
    assert!(
        out.contains("FAIL: rule.card-visa.recall") && out.contains("not loaded"),
        "{out}"
    );
    assert!(out.ends_with("thresholds: FAILED\n"), "{out}");
}

#[test]
fn a_rule_that_flags_decoys_fails_the_thresholds() {
    // A user rule that takes every UUID for a secret: the decoy count and overall precision
    // go past their recorded figures.
    let dir = Dir::new();
    let rules = dir.create(
        "uuid.toml",
        r#"
[[rule]]
id = "t-uuid"
name = "Every UUID (a bad rule)"
category = "secret"
label = "UUID"
pattern = '''\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b'''
confidence = "high"
examples = ["id 123e4567-e89b-12d3-a456-426614174000", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"]
counterexamples = ["123e4567-e89b-12d3-a456"]
"#,
    );
    let run = eval(&dir, &["--list", "all", "--rules", rules.to_str().unwrap()]);
    let out = run.status(1).stdout_str();
    assert!(out.contains("FAIL: decoys.findings"), "{out}");
    assert!(
        out.contains("uuids.log:1:"),
        "false hits are listed by file:line:col\n{out}"
    );
    assert!(
        out.contains("t-uuid  secret  false hit (decoy file)"),
        "{out}"
    );
}

const CARD: &str = "4111 1111 1111 1111";

fn small_corpus(dir: &Dir) -> PathBuf {
    // Line 2: a labeled card, and an unlabeled email (a false hit); line 3: a labeled name
    // that no rule finds (a miss).
    let text = format!("hello\ncard {CARD} bob@example.com\nby Jane Roe\n");
    let card = text.find(CARD).unwrap();
    let name = text.find("Jane").unwrap();
    dir.create(
        "c/a.txt.labels.jsonl",
        format!(
            "{{\"start\":{card},\"end\":{},\"rule\":\"card-visa\",\"category\":\"pii\"}}\n\
             {{\"start\":{name},\"end\":{},\"rule\":\"person-name\",\"category\":\"pii\"}}\n",
            card + CARD.len(),
            name + 8
        ),
    );
    dir.create("c/a.txt", text);
    dir.create("c/README", "not a corpus file: no sidecar");
    dir.path("c")
}

#[test]
fn report_lists_misses_and_false_hits_without_values() {
    let dir = Dir::new();
    let c = small_corpus(&dir);
    let out = dir.command().arg("eval").arg(&c).run().ok();
    assert!(out.contains("a.txt:3:4  person-name  pii  missed"), "{out}");
    assert!(out.contains("a.txt:2:26  email  pii  false hit"), "{out}");
    assert!(
        !out.contains("1111") && !out.contains("bob@") && !out.contains("Jane"),
        "{out}"
    );
    let shown = dir
        .command()
        .args(["eval", "--show-values"])
        .arg(&c)
        .run()
        .ok();
    assert!(shown.contains("value=\"Jane Roe\""), "{shown}");
    assert!(shown.contains("value=\"bob@example.com\""), "{shown}");
}

#[test]
fn json_report() {
    let dir = Dir::new();
    let c = small_corpus(&dir);
    let out = dir.command().args(["eval", "--json"]).arg(&c).run().ok();
    let v: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["overall"]["counts"]["labels"], 2);
    assert_eq!(v["overall"]["counts"]["detected"], 1);
    assert_eq!(v["overall"]["ratios"]["recall"], 0.5);
    assert_eq!(v["rules"]["card-visa"]["detected"], 1);
    assert_eq!(v["rule_ratios"]["email"]["precision"], 0.0);
    assert_eq!(v["category_ratios"]["pii"]["recall"], 0.5);
    assert_eq!(v["misses"][0]["rule"], "person-name");
    assert_eq!(v["misses"][0]["line"], 3);
    assert!(v["misses"][0].get("value").is_none());
    assert!(!out.contains("bob@"), "{out}");
}

#[test]
fn json_report_with_thresholds() {
    let dir = Dir::new();
    let run = eval(&dir, &["--json", "--disable", "email"]);
    let v: Value = serde_json::from_str(&run.status(1).stdout_str()).expect("JSON");
    assert_eq!(v["thresholds"]["passed"], false);
    let failed: Vec<&str> = v["thresholds"]["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "fail")
        .map(|x| x["metric"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"rule.email.recall"), "{failed:?}");
}

#[test]
fn policy_threshold_is_respected() {
    // With only certain findings acted on, the email (no checksum) is not reported: the
    // card (Luhn) still is.
    let dir = Dir::new();
    let c = small_corpus(&dir);
    let out = dir
        .command()
        .args(["eval", "--json", "--min-confidence", "certain"])
        .arg(&c)
        .run()
        .ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rules"]["card-visa"]["detected"], 1);
    assert_eq!(v["categories"]["pii"]["findings"], 1);
    // The same threshold from a policy file; a `report` action still counts as reported.
    let policy = dir.create(
        "p.toml",
        "min_confidence = \"certain\"\n[actions]\ncard-visa = \"report\"\n",
    );
    let out = dir
        .command()
        .args(["eval", "--json", "--policy"])
        .arg(&policy)
        .arg(&c)
        .run()
        .ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rules"]["card-visa"]["detected"], 1);
    assert_eq!(v["categories"]["pii"]["findings"], 1);
}

#[test]
fn errors_name_the_file() {
    let dir = Dir::new();
    dir.create("x.txt", "abc");
    let run = dir.command().args(["eval", "x.txt"]).run();
    assert!(run
        .status(2)
        .stderr_str()
        .contains("no label file x.txt.labels.jsonl"));
    dir.create(
        "x.txt.labels.jsonl",
        "{\"start\":1,\"end\":9,\"rule\":\"email\",\"category\":\"pii\"}\n",
    );
    let run = dir.command().args(["eval", "x.txt"]).run();
    let err = run.status(2).stderr_str();
    assert!(
        err.contains("x.txt.labels.jsonl: line 1: span 1..9 ends past the file"),
        "{err}"
    );
    dir.create("t.toml", "[overall]\nrecal = 0.9\n");
    dir.create("x.txt.labels.jsonl", "");
    let run = dir
        .command()
        .args(["eval", "--thresholds", "t.toml", "x.txt"])
        .run();
    assert!(run.status(2).stderr_str().contains("t.toml"));
    let run = dir.command().args(["eval"]).run();
    assert!(run.status(2).stderr_str().contains("at least one corpus"));
}
