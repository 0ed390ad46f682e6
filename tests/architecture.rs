//! The library's import graph, checked: it points one way, from the front ends down to a
//! vocabulary of plain types, and no import cycle spans more than three files.
//!
//! Every `crate::`, `super::` and `self::` path in the library's sources (comments and
//! `#[cfg(test)]` modules left out) is resolved to the file that defines it, root re-exports
//! included, and the files' strongly connected components are computed. `docs/architecture.md`
//! draws the layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's layers, lowest first: a file may import its own layer and the ones below.
/// A file's layer is that of the longest prefix of its module path listed here.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &["", "finding", "error", "escape", "xorshift"],
    ),
    ("rules", &["rules", "validate", "key", "canary"]),
    ("engine", &["engine"]),
    (
        "redaction",
        &[
            "resolve",
            "action",
            "allow",
            "token",
            "placeholder",
            "policy",
        ],
    ),
    (
        "pipeline",
        &["redactor", "stream", "scratch", "decode", "parallel"],
    ),
    ("formats", &["json"]),
    ("front ends", &["net", "tracing", "proxy", "otlp", "kafka"]),
    ("test kit", &["testkit"]),
];

/// The most files one import cycle may hold: a parent module and the children it re-exports
/// are fine, a knot across the pipeline is not.
const MAX_CYCLE: usize = 3;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file with its module path (`src/a/b.rs` and `src/a/b/mod.rs` are
/// `a::b`). The binary (`main.rs`, `cli/`) is a separate crate and is left out.
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = vec![];
    walk(&src(), &mut files);
    let mut map = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src()).unwrap();
        let mut parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts == ["main"] || parts[0] == "cli" {
            continue;
        }
        // `core/` and `front/` group files; `lib.rs` declares their modules at the root
        // (`#[path]`), so the folder is not part of the module path.
        if parts[0] == "core" || parts[0] == "front" {
            parts.remove(0);
        }
        if parts == ["lib"] || parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        map.insert(parts, file);
    }
    map
}

/// The source without comments and without a trailing `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a source names after `crate::`, `super::` or `self::`, as segment lists
/// relative to the crate root, braces expanded.
fn paths(module: &[String], is_mod_file: bool, code: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    let _ = is_mod_file; // a module's path already names its mod.rs as the module itself
    let parent = module[..module.len().saturating_sub(1)].to_vec();
    for (anchor, base) in [
        ("crate::", vec![]),
        ("super::", parent),
        ("self::", module.to_vec()),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(anchor) {
            let before = rest[..at].chars().last();
            rest = &rest[at + anchor.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            expand(&base, rest, &mut out);
        }
    }
    out
}

/// Expands one path (possibly `a::{b, c::d}`, or a group at the start) at the start of
/// `text` onto `base`.
fn expand(base: &[String], text: &str, out: &mut Vec<Vec<String>>) {
    let mut path = base.to_vec();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => depth -= 1,
                    '}' | ',' if depth == 0 => {
                        let item = group[item_start..i].trim();
                        if !item.is_empty() && item != "self" {
                            expand(&path, item, out);
                        } else if item == "self" {
                            out.push(path.clone());
                        }
                        item_start = i + 1;
                        if c == '}' {
                            return;
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            out.push(path);
            return;
        }
        path.push(name.clone());
        rest = &rest[name.len()..];
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => {
                out.push(path);
                return;
            }
        }
    }
}

/// The root's re-exports: `pub use crate::a::{B, C}` makes `crate::B` a path into `a`.
fn reexports(lib: &str) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::new();
    for path in paths(&[], true, &code(lib)) {
        if path.len() >= 2 {
            map.insert(
                path.last().unwrap().clone(),
                path[..path.len() - 1].to_vec(),
            );
        }
    }
    map
}

/// The file a path lands in: the longest prefix that is a module.
fn resolve<'a>(
    modules: &'a BTreeMap<Vec<String>, PathBuf>,
    root: &BTreeMap<String, Vec<String>>,
    path: &[String],
) -> Option<&'a Vec<String>> {
    // `crate::Error` and `crate::ErrorKind::Parse` are re-exports at the root.
    let path = match path.first() {
        Some(first) if root.contains_key(first) => root[first].clone(),
        _ => path.to_vec(),
    };
    (0..=path.len())
        .rev()
        .find_map(|n| modules.get_key_value(&path[..n]).map(|(k, _)| k))
}

type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

fn graph() -> Graph {
    let modules = modules();
    let root = reexports(&std::fs::read_to_string(src().join("lib.rs")).unwrap());
    let mut graph = Graph::new();
    for (module, file) in &modules {
        let is_mod_file = module.is_empty() || file.ends_with("mod.rs");
        let text = code(&std::fs::read_to_string(file).unwrap());
        let deps = graph.entry(module.clone()).or_default();
        // A module depends on the children it declares (`mod x;`), which it may name without
        // a prefix.
        for line in text.lines() {
            let line = line.trim();
            let decl = line
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ")
                .strip_prefix("mod ");
            if let Some(child) = decl.and_then(|d| d.strip_suffix(';')) {
                let mut path = module.clone();
                path.push(child.trim().to_string());
                if modules.contains_key(&path) {
                    deps.insert(path);
                }
            }
        }
        for path in paths(module, is_mod_file, &text) {
            if let Some(target) = resolve(&modules, &root, &path) {
                if target != module {
                    deps.insert(target.clone());
                }
            }
        }
    }
    graph
}

/// Tarjan's strongly connected components.
fn components(graph: &Graph) -> Vec<Vec<Vec<String>>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g Vec<String>, usize>,
        low: BTreeMap<&'g Vec<String>, usize>,
        stack: Vec<&'g Vec<String>>,
        on_stack: BTreeSet<&'g Vec<String>>,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Vec<String>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = vec![];
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            s.out.push(comp);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on_stack: BTreeSet::new(),
        out: vec![],
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "lib".into()
    } else {
        module.join("::")
    }
}

fn layer(module: &[String]) -> usize {
    (0..=module.len())
        .rev()
        .find_map(|n| {
            let prefix = module[..n].join("::");
            LAYERS.iter().position(|(_, names)| {
                names.contains(&prefix.as_str()) && (n > 0 || module.is_empty())
            })
        })
        .unwrap_or_else(|| {
            panic!(
                "module {} is in no layer of tests/architecture.rs",
                name(module)
            )
        })
}

#[test]
fn no_import_cycle_spans_more_than_three_files() {
    let graph = graph();
    let big: Vec<String> = components(&graph)
        .into_iter()
        .filter(|c| c.len() > MAX_CYCLE)
        .map(|c| c.iter().map(|m| name(m)).collect::<Vec<_>>().join(", "))
        .collect();
    assert!(
        big.is_empty(),
        "import cycles over {MAX_CYCLE} files:\n{}",
        big.join("\n")
    );
}

#[test]
fn imports_point_down_the_layers() {
    let graph = graph();
    let mut up = vec![];
    for (from, deps) in &graph {
        if from.is_empty() {
            continue; // lib.rs declares and re-exports everything
        }
        for to in deps {
            if layer(to) > layer(from) {
                up.push(format!(
                    "{} ({}) imports {} ({})",
                    name(from),
                    LAYERS[layer(from)].0,
                    name(to),
                    LAYERS[layer(to)].0
                ));
            }
        }
    }
    assert!(up.is_empty(), "imports pointing up:\n{}", up.join("\n"));
}

/// The checker itself: paths, braces, `super` and re-exports resolve to the right files.
#[test]
fn the_checker_resolves_paths() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let mut got = paths(
        &m("engine::prefilter"),
        false,
        "use crate::{a::{b, c::D}, e};\nuse super::Detection; let x = crate::f::g(1);",
    );
    got.sort();
    assert_eq!(
        got,
        vec![
            m("a::b"),
            m("a::c::D"),
            m("e"),
            m("engine::Detection"),
            m("f::g")
        ]
    );
    let graph = graph();
    assert!(graph[&m("stream")].contains(&m("resolve")));
    // `crate::Error::new` and `crate::ErrorKind::Parse` reach `error` through the root.
    assert!(graph[&m("decode")].contains(&m("error")));
    assert!(!graph[&m("decode")].contains(&vec![]));
}

/// `cargo test --test architecture -- --ignored --nocapture` prints the graph.
#[test]
#[ignore]
fn print_graph() {
    for (from, deps) in graph() {
        let deps: Vec<String> = deps.iter().map(|m| name(m)).collect();
        println!("{} -> {}", name(&from), deps.join(", "));
    }
}
