//! The `blackbar` command: a stdin/stdout redaction filter, a checker for CI, and tools for
//! the rule catalog and canaries. See `blackbar --help`.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::main());
}
