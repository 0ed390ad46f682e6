//! Secrets embedded in config files, `.env`, JSON, YAML, source code, URLs and logs.
//!
//! Every secret plant goes into [`SECRET_REPEATS`] of the carrier files (a different set for
//! each plant, rotating through all of them), skipping a carrier that cannot hold its value
//! byte for byte (a multi-line private key cannot sit in a JSON string without escapes, a
//! value with a space cannot be a URL parameter). Values are assigned to key names
//! derived from the rule's label (`GITHUB_TOKEN`, `githubToken`, `github_token`) or to
//! neutral names, among ordinary settings that are not secret, in a shuffled order.

use std::collections::HashSet;
use std::fmt::Write as _;

use blackbar::RuleSet;

use super::values::Plant;
use super::{shuffle, CorpusFile, Doc, Planted, Rng, SECRET_REPEATS};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Carrier {
    Ini,
    Toml,
    Env,
    Json,
    Yaml,
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    Rust,
    Shell,
    Urls,
    Log,
}

use Carrier::*;

const CARRIERS: &[(Carrier, &str)] = &[
    (Ini, "secrets/service.ini"),
    (Toml, "secrets/config.toml"),
    (Env, "secrets/app.env"),
    (Json, "secrets/settings.json"),
    (Yaml, "secrets/deploy.yaml"),
    (Python, "secrets/settings.py"),
    (JavaScript, "secrets/client.js"),
    (TypeScript, "secrets/config.ts"),
    (Go, "secrets/main.go"),
    (Java, "secrets/Config.java"),
    (Rust, "secrets/config.rs"),
    (Shell, "secrets/deploy.sh"),
    (Urls, "secrets/urls.txt"),
    (Log, "secrets/app.log"),
];

/// Ordinary settings written between the secrets.
const SETTINGS: &[(&str, &str)] = &[
    ("timeout_seconds", "30"),
    ("region", "eu-west-1"),
    ("log_level", "info"),
    ("max_retries", "5"),
    ("endpoint", "https://api.example.net/v2"),
    ("feature_flags", "beta-search,dark-mode"),
    ("cache_dir", "/var/cache/app"),
    ("pool_size", "16"),
];

const NEUTRAL_NAMES: &[&str] = &[
    "credential",
    "auth",
    "upstream_auth",
    "client_auth",
    "access",
];

/// Key names for one value: `snake`, `UPPER`, `camel`, `Pascal`.
struct Names {
    snake: String,
    upper: String,
    camel: String,
    pascal: String,
}

/// Names for a value of `rule`; a name already `used` in the file gets a number.
fn names(rng: &mut Rng, rules: &RuleSet, rule: &str, used: &mut HashSet<String>) -> Names {
    let mut base = match rules.get(rule) {
        Some(r) if rng.chance(75) => r.label().to_ascii_lowercase(),
        _ => rng.pick(NEUTRAL_NAMES).to_string(),
    };
    let stem = base.clone();
    let mut n = 1;
    while !used.insert(base.clone()) {
        n += 1;
        base = format!("{stem}_{n}");
    }
    let words: Vec<&str> = base.split('_').filter(|w| !w.is_empty()).collect();
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let pascal: String = words.iter().map(|w| cap(w)).collect();
    let mut camel = pascal.clone();
    if let Some(f) = camel.get(..1) {
        camel.replace_range(..1, &f.to_ascii_lowercase());
    }
    Names {
        snake: words.join("_"),
        upper: words.join("_").to_ascii_uppercase(),
        camel,
        pascal,
    }
}

/// Whether the carrier can hold `lead` + `value` exactly.
fn fits(c: Carrier, p: &Planted) -> bool {
    let text = p.text();
    let multiline = text.contains('\n');
    let quote_safe = p.avoids(&['"', '\\']) && !text.chars().any(|c| c.is_control() && c != '\n');
    match c {
        Ini | Json | Yaml | Urls => !multiline && quote_safe,
        Toml => !text.contains("'''") && p.avoids(&['\\']),
        Env | Shell => p.avoids(&['\'']),
        Python | JavaScript | TypeScript | Java => quote_safe && !text.contains('`'),
        Go => !text.contains('`'),
        Rust => !text.contains("\"#"),
        Log => true,
    }
}

pub fn files(rng: &mut Rng, plants: &[Plant]) -> Vec<CorpusFile> {
    let rules = RuleSet::default_catalog();
    let mut out = vec![];
    for (c, &(carrier, name)) in CARRIERS.iter().enumerate() {
        let mut values: Vec<Planted> = plants
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                (c + CARRIERS.len() - i % CARRIERS.len()) % CARRIERS.len() < SECRET_REPEATS
            })
            .map(|(_, p)| Planted::new(p, rng))
            .filter(|p| fits(carrier, p))
            .collect();
        shuffle(rng, &mut values);
        let mut doc = Doc::default();
        let mut used = HashSet::new();
        open(&mut doc, carrier);
        for (i, p) in values.iter().enumerate() {
            let n = names(rng, &rules, p.rule, &mut used);
            let (k, v) = SETTINGS[rng.below(SETTINGS.len() as u64) as usize];
            entry(rng, &mut doc, carrier, p, &n, i, (k, v));
        }
        close(&mut doc, carrier);
        out.push(doc.finish(name));
    }
    out
}

fn open(doc: &mut Doc, c: Carrier) {
    doc.push(match c {
        Ini => "; service configuration, generated by the deploy tool\n",
        Toml => "# application settings\ntitle = \"orders\"\n",
        Env => "# local development environment\nNODE_ENV=development\n",
        Json => "{\n  \"version\": 3,\n  \"services\": [\n",
        Yaml => "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n",
        Python => "\"\"\"Settings for the orders service.\"\"\"\nimport os\n\nDEBUG = False\n",
        JavaScript => "'use strict';\nconst { Client } = require('./client');\n\n",
        TypeScript => "import { defineConfig } from './define';\n\nexport const services = {\n",
        Go => "package main\n\nimport \"net/http\"\n\n",
        Java => "package com.example.orders;\n\npublic final class Config {\n",
        Rust => "//! Service configuration.\n\n",
        Shell => "#!/usr/bin/env bash\nset -euo pipefail\n\n",
        Urls => "",
        Log => "",
    });
}

fn close(doc: &mut Doc, c: Carrier) {
    doc.push(match c {
        Json => "    {\"name\": \"end\"}\n  ]\n}\n",
        TypeScript => "};\n\nexport default defineConfig(services);\n",
        Java => "}\n",
        _ => "",
    });
}

/// Whether the lead is itself an assignment (`password=`, `Authorization: Bearer `): then it
/// is written as it is, without a key name of ours.
fn lead_assigns(p: &Planted) -> bool {
    p.lead.contains('=') || p.lead.contains(':')
}

fn entry(
    rng: &mut Rng,
    doc: &mut Doc,
    c: Carrier,
    p: &Planted,
    n: &Names,
    i: usize,
    (sk, sv): (&str, &str),
) {
    let raw = lead_assigns(p);
    match c {
        Ini => {
            let _ = writeln!(doc.text, "\n[{}_{i}]\n{sk} = {sv}", n.snake);
            if raw && p.lead.contains('=') {
                doc.plant(p);
                doc.push("\n");
            } else if raw {
                doc.fill("header = {}\n", p);
            } else {
                doc.fill(&format!("{} = {{}}\n", n.snake), p);
            }
        }
        Toml => {
            let _ = writeln!(doc.text, "\n[service_{i}]\n{sk} = \"{sv}\"");
            let quote = if p.value.contains('\n') { "'''" } else { "\"" };
            let key = if raw { "note" } else { &n.snake };
            doc.fill(&format!("{key} = {quote}{{}}{quote}\n"), p);
        }
        Env => {
            let key = &n.upper;
            if raw && p.lead.contains('=') {
                doc.plant(p);
                doc.push("\n");
            } else if raw {
                doc.fill(&format!("{key}_HEADER=\"{{}}\"\n"), p);
            } else if p.value.contains('\n') {
                doc.fill(&format!("{key}=\"{{}}\"\n"), p);
            } else if rng.chance(50) {
                doc.fill(&format!("{key}={{}}\n"), p);
            } else {
                doc.fill(&format!("export {key}='{{}}'\n"), p);
            }
            let _ = writeln!(doc.text, "{}={sv}", sk.to_ascii_uppercase());
        }
        Json => {
            let key = if raw { "note" } else { &n.snake };
            doc.fill(
                &format!(
                    "    {{\"name\": \"svc-{i}\", \"{sk}\": \"{sv}\", \"{key}\": \"{{}}\", \"enabled\": true}},\n"
                ),
                p,
            );
        }
        Yaml => {
            let key = if raw { "note" } else { &n.snake };
            let _ = writeln!(doc.text, "  {sk}_{i}: \"{sv}\"");
            doc.fill(&format!("  {key}_{i}: \"{{}}\"\n"), p);
        }
        Python => {
            let q = if p.value.contains('\n') {
                "\"\"\""
            } else {
                "\""
            };
            match (raw, rng.below(3)) {
                (true, _) => doc.fill(&format!("HEADERS_{i} = [{q}{{}}{q}]\n"), p),
                (false, 0) => doc.fill(&format!("{} = {q}{{}}{q}\n", n.upper), p),
                (false, 1) => doc.fill(
                    &format!("client_{i} = Client({}={q}{{}}{q}, timeout=30)\n", n.snake),
                    p,
                ),
                (false, _) => doc.fill(
                    &format!(
                        "{} = os.environ.get(\"{}\", {q}{{}}{q})\n",
                        n.upper, n.upper
                    ),
                    p,
                ),
            }
        }
        JavaScript => {
            let q = if p.value.contains('\n') { "`" } else { "'" };
            if raw {
                doc.fill(&format!("const header{i} = {q}{{}}{q};\n"), p);
            } else if rng.chance(50) {
                doc.fill(&format!("const {} = {q}{{}}{q};\n", n.camel), p);
            } else {
                doc.fill(
                    &format!(
                        "const client{i} = new Client({{ {}: {q}{{}}{q} }});\n",
                        n.camel
                    ),
                    p,
                );
            }
        }
        TypeScript => {
            let q = if p.value.contains('\n') { "`" } else { "\"" };
            let key = if raw {
                format!("header{i}")
            } else {
                n.camel.clone()
            };
            doc.fill(
                &format!("  svc{i}: {{ {key}: {q}{{}}{q}, retries: 3 }},\n"),
                p,
            );
        }
        Go => {
            let q = if p.value.contains('\n') || p.value.contains('"') {
                "`"
            } else {
                "\""
            };
            if raw {
                doc.fill(&format!("var header{i} = {q}{{}}{q}\n\n"), p);
            } else if rng.chance(50) {
                doc.fill(&format!("const {} = {q}{{}}{q}\n\n", n.camel), p);
            } else {
                doc.fill(
                    &format!(
                        "func newRequest{i}(req *http.Request) {{\n\treq.Header.Set(\"X-{}\", {q}{{}}{q})\n}}\n\n",
                        n.pascal
                    ),
                    p,
                );
            }
        }
        Java => {
            let key = if raw {
                format!("HEADER_{i}")
            } else {
                n.upper.clone()
            };
            if p.value.contains('\n') {
                doc.fill(
                    &format!("    static final String {key} = \"\"\"\n{{}}\"\"\";\n"),
                    p,
                );
            } else {
                doc.fill(
                    &format!("    private static final String {key} = \"{{}}\";\n"),
                    p,
                );
            }
        }
        Rust => {
            let key = if raw {
                format!("HEADER_{i}")
            } else {
                n.upper.clone()
            };
            doc.fill(&format!("pub const {key}: &str = r#\"{{}}\"#;\n"), p);
        }
        Shell => {
            if raw {
                doc.fill("curl -fsS -H '{}' https://api.example.net/v1/status\n", p);
            } else if rng.chance(50) {
                doc.fill(&format!("export {}='{{}}'\n", n.upper), p);
            } else {
                doc.fill(
                    &format!("docker login --username deploy --password '{{}}' registry.example.net # {}\n", n.snake),
                    p,
                );
            }
        }
        Urls => {
            let url_safe = !p.text().contains([' ', '#', '&', '?']);
            if url_safe && rng.chance(60) {
                doc.fill(
                    &format!(
                        "https://api.example.net/v1/items?page={i}&{}={{}}&sort=desc\n",
                        n.snake
                    ),
                    p,
                );
            } else if url_safe && !raw {
                doc.fill(
                    &format!(
                        "wss://stream.example.net/socket?client=web&{}={{}}\n",
                        n.snake
                    ),
                    p,
                );
            } else {
                doc.fill(
                    "curl -H \"{}\" \"https://api.example.net/v1/items?limit=50\"\n",
                    p,
                );
            }
        }
        Log => {
            let (h, m, s) = (rng.below(24), rng.below(60), rng.below(60));
            let day = 1 + i % 28;
            match rng.below(3) {
                0 => {
                    let _ = write!(
                        doc.text,
                        "2026-04-{day:02}T{h:02}:{m:02}:{s:02}Z DEBUG http.client request headers: "
                    );
                    doc.plant(p);
                    doc.push(" host=api.example.net\n");
                }
                1 => {
                    let _ = write!(
                        doc.text,
                        "[2026-04-{day:02} {h:02}:{m:02}:{s:02}] WARN config: loaded {} from environment: ",
                        n.upper
                    );
                    doc.plant(p);
                    doc.push("\n");
                }
                _ => {
                    let _ = write!(
                        doc.text,
                        "time=\"2026-04-{day:02}T{h:02}:{m:02}:{s:02}Z\" level=error msg=\"auth failed\" credential="
                    );
                    doc.plant(p);
                    doc.push(" attempt=2\n");
                }
            }
        }
    }
}
