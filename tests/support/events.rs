//! The tracing events measured by `benches/tracing.rs` and counted by
//! `tests/tracing_alloc.rs`: one definition, so the overhead and the allocation figures
//! describe the same records.

/// About 200 bytes once formatted (timestamp, level, target, message, fields).
pub fn clean_event() {
    tracing::info!(
        request_id = 48_213u64,
        route = "/api/v1/orders",
        status = 200u64,
        "order lookup finished for the checkout service with no errors reported"
    );
}

/// The same shape carrying an email address.
pub fn secret_event() {
    tracing::info!(
        request_id = 48_213u64,
        user = "alice@example.com",
        status = 200u64,
        "order lookup finished for the checkout service with no errors reported"
    );
}
