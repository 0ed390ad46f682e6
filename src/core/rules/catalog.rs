//! The default catalog: every `patterns/*.toml` file, embedded into the binary at build time.

/// `(file name, contents)` of every embedded rule file, in load order.
pub const DEFAULT_CATALOG: &[(&str, &str)] = &[
    ("pii.toml", include_str!("../../../patterns/pii.toml")),
    (
        "secrets.toml",
        include_str!("../../../patterns/secrets.toml"),
    ),
    ("canary.toml", include_str!("../../../patterns/canary.toml")),
    ("tokens.toml", include_str!("../../../patterns/tokens.toml")),
];
