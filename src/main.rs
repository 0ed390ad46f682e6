//! The `blackbar` command: a stdin/stdout redaction filter, a checker for CI, and tools for
//! the rule catalog and canaries. See `blackbar --help`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
