//! The official-SDK tests' Python scripts (`tests/sdk/`), run with the interpreter an
//! environment variable names. When the variable is set, the script must run and succeed;
//! when it is unset (a machine with only Rust) the test prints a notice and skips.

/// Runs `tests/sdk/{script}` with the Python in `$var` and `env`, prints its output, asserts
/// that it succeeded, and returns its standard output; `None`, after a notice naming `what`,
/// when `$var` is unset.
pub async fn run_script(
    var: &str,
    what: &str,
    script: &str,
    env: Vec<(&'static str, String)>,
) -> Option<String> {
    let Some(python) = std::env::var_os(var) else {
        eprintln!("NOTICE: {var} is not set: {what} did not run (.ci/run sets it up)");
        return None;
    };
    let script = format!("{}/tests/sdk/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(&script)
            .envs(env)
            .output()
            .unwrap_or_else(|e| panic!("run {script}: {e}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "SDK script failed:\n{stdout}\n{stderr}"
    );
    Some(stdout)
}
