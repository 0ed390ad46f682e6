//! Excerpts of public logs from real systems (`tests/data/real/`, see its README for the
//! source and licence) redacted by the default catalog and policy give exactly the committed
//! `NAME.out`: IP addresses and e-mail addresses change; the sudo `PWD=` working directory,
//! OpenSSH algorithm names (`rijndael-cbc@lysator.liu.se`), host names, counters and
//! epoch-millisecond timestamps do not.
//!
//! After a deliberate change, regenerate the `.out` files with
//! `BLACKBAR_BLESS=1 cargo test --test real_logs` and review the diff.

use std::path::Path;

use blackbar::Redactor;

const FILES: &[&str] = &["auth.log", "apache-access.log", "nginx-plus-status.jsonl"];

#[test]
fn real_log_excerpts_change_only_personal_data() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real");
    let r = Redactor::builder().build().expect("default catalog");
    let bless = std::env::var_os("BLACKBAR_BLESS").is_some();
    let mut failures = vec![];
    for name in FILES {
        let input = std::fs::read(dir.join(name)).expect("excerpt");
        let got = r.redact(&input).output;
        let want_path = dir.join(format!("{name}.out"));
        if bless {
            std::fs::write(&want_path, &got).expect("write .out");
            continue;
        }
        let want = std::fs::read(&want_path).expect("expected output");
        let got_lines: Vec<&[u8]> = got.split(|&b| b == b'\n').collect();
        for (i, w) in want.split(|&b| b == b'\n').enumerate() {
            let g = got_lines.get(i).copied().unwrap_or_default();
            if g != w {
                failures.push(format!(
                    "{name}:{}:\n  want {}\n  got  {}",
                    i + 1,
                    String::from_utf8_lossy(w),
                    String::from_utf8_lossy(g)
                ));
            }
        }
        if got_lines.len() != want.split(|&b| b == b'\n').count() {
            failures.push(format!("{name}: line count differs"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
