//! What the long-running commands (`proxy`, `kafka`) share: their own logs, written to
//! stderr through blackbar's tracing writer, and the shutdown signal.

/// Sends the command's logs to stderr through a redacting writer with the default policy
/// (of `builder`'s rules, canaries and key), so even a log line that somehow carried a value
/// would be redacted.
pub(crate) fn init_logs(builder: blackbar::RedactorBuilder) -> anyhow::Result<()> {
    let logs = builder.policy(blackbar::Policy::default()).build()?;
    tracing_subscriber::fmt()
        .with_writer(blackbar::tracing::RedactingMakeWriter::new(
            logs,
            std::io::stderr,
        ))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .init();
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!(target: "blackbar", "shutdown signal received");
}
