//! `genlabeled`: writes the labeled corpora for `blackbar eval` (see `corpora/README.md`).
//!
//! ```text
//! cargo run --example genlabeled -- --seed 1 --out corpora/eval
//! ```
//!
//! Writes every corpus file of [`labeled::generate`] under `--out` (creating directories),
//! each with its `X.labels.jsonl` sidecar, and prints a summary on stderr. The output depends
//! only on the seed; `tests/eval.rs` checks the committed copy is up to date.

#[path = "labeled/mod.rs"]
mod labeled;

use std::path::PathBuf;

const USAGE: &str = "usage: genlabeled [--seed N] --out DIR";

fn main() {
    let mut seed = labeled::SEED;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    let fail = |msg: &str| -> ! {
        eprintln!("genlabeled: {msg}\n{USAGE}");
        std::process::exit(2);
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--seed" => seed = value.parse().unwrap_or_else(|_| fail("bad --seed")),
            "--out" => out = Some(value.into()),
            _ => fail(&format!("unknown flag {flag}")),
        }
    }
    let out = out.unwrap_or_else(|| fail("--out is required"));
    let files = labeled::generate(seed);
    let (mut bytes, mut labels, mut decoys) = (0, 0, 0);
    for f in &files {
        let path = out.join(&f.name);
        let sidecar = labeled::labels::sidecar_path(&path);
        let write = |p: &PathBuf, data: &[u8]| {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)
                    .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", dir.display())));
            }
            std::fs::write(p, data)
                .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", p.display())));
        };
        write(&path, &f.bytes);
        let side = labeled::labels::to_jsonl(&f.labels);
        write(&sidecar, side.as_bytes());
        bytes += f.bytes.len() + side.len();
        labels += f.labels.len();
        decoys += usize::from(f.labels.is_empty());
    }
    eprintln!(
        "genlabeled: seed {seed}: wrote {} corpus files ({decoys} decoy) with {labels} labels, \
         {bytes} bytes with sidecars, to {}",
        files.len(),
        out.display()
    );
}
