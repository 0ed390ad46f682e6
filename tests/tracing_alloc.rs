//! The writer's clean path allocates nothing once the thread is warm: counted with a global
//! allocator that counts this thread's allocations. (A file of its own: the allocator is
//! process-wide.)
#![cfg(feature = "tracing")]

#[path = "support/events.rs"]
mod events;

use events::{clean_event, secret_event};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use blackbar::tracing::RedactingMakeWriter;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to the system allocator with the caller's arguments
// unchanged, so `Counting` upholds `GlobalAlloc`'s contract exactly as `System` does; the
// count is a thread-local `Cell` (`try_with`: no allocation, no panic during thread exit).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's `layout` satisfies `alloc`'s contract; passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(|n| n.get())
}

/// A timestamp in the fmt layer's shape whose digits cycle through `CYCLE` values, one per
/// event, instead of the wall clock.
///
/// Building a lazy DFA state allocates (a bounded, one-time cost: the cache has a fixed
/// capacity). With the wall clock, every event's microseconds could lead the prefilter into a
/// state it had not built yet, so whether the measured events allocated depended on timing
/// (0.008 allocations per event in one CI run). With this timer the warm-up has written every
/// record the measurement writes, so any allocation the measurement sees is the clean path's.
struct CyclingTime;

const CYCLE: u64 = 1000;

impl tracing_subscriber::fmt::time::FormatTime for CyclingTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        use std::sync::atomic::{AtomicU64, Ordering};
        static TICK: AtomicU64 = AtomicU64::new(0);
        let t = TICK.fetch_add(1, Ordering::Relaxed) % CYCLE;
        write!(
            w,
            "2026-11-21T10:{:02}:{:02}.{:06}Z",
            t / 60 % 60,
            t % 60,
            t * 7919 % 1_000_000
        )
    }
}

/// Allocations per event for 1000 events after a warm-up of 2000, which writes every record
/// of the cycle (see [`CyclingTime`]) at least once.
fn per_event(dispatch: &tracing::Dispatch, event: impl Fn()) -> f64 {
    tracing::dispatcher::with_default(dispatch, || {
        for _ in 0..2 * CYCLE {
            event();
        }
        let before = allocs();
        for _ in 0..CYCLE {
            event();
        }
        (allocs() - before) as f64 / CYCLE as f64
    })
}

/// A fmt subscriber writing full (uncoloured) or JSON records to `writer`.
fn dispatch<W>(json: bool, writer: W) -> tracing::Dispatch
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_timer(CyclingTime)
            .with_writer(writer)
            .into()
    } else {
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_timer(CyclingTime)
            .with_writer(writer)
            .into()
    }
}

#[test]
fn clean_path_does_not_allocate() {
    let redactor = blackbar::Redactor::builder().build().unwrap();
    for json in [false, true] {
        let plain = dispatch(json, std::io::sink);
        let base = per_event(&plain, clean_event);
        let redacting = dispatch(
            json,
            RedactingMakeWriter::new(redactor.clone(), std::io::sink),
        );
        let ours = per_event(&redacting, clean_event);
        let secret = dispatch(
            json,
            RedactingMakeWriter::new(redactor.clone(), std::io::sink),
        );
        let with_secret = per_event(&secret, secret_event);
        println!(
            "allocations per event ({}): plain fmt {base}, redacting clean {ours}, redacting with a secret {with_secret}",
            if json { "json" } else { "full" }
        );
        if !json {
            assert_eq!(
                ours, base,
                "the redacting writer allocates on the clean path"
            );
        }
    }
}

/// The JSON formatter's own allocations vary from event to event, so the JSON path is
/// counted on the writer alone: a formatted 200-byte record written and dropped.
#[test]
fn clean_json_and_text_records_do_not_allocate_in_the_writer() {
    use std::io::Write;
    use tracing_subscriber::fmt::MakeWriter;
    let w = RedactingMakeWriter::new(
        blackbar::Redactor::builder().build().unwrap(),
        std::io::sink,
    );
    let json = br#"{"timestamp":"2024-05-01T10:00:01.123456Z","level":"INFO","fields":{"message":"order lookup finished with no errors","request_id":48213,"route":"/api/v1/orders","status":200},"target":"checkout::orders"}"#;
    let text = b"2024-05-01T10:00:01.123456Z  INFO checkout::orders: order lookup finished for the checkout service with no errors reported request_id=48213 route=\"/api/v1/orders\" status=200 latency_ms=12\n";
    for record in [&json[..], &text[..]] {
        let write = || {
            let mut w = w.make_writer();
            w.write_all(record).unwrap();
        };
        for _ in 0..100 {
            write();
        }
        let before = allocs();
        for _ in 0..1000 {
            write();
        }
        let n = allocs() - before;
        println!(
            "writer alone, {} bytes: {n} allocations in 1000 records",
            record.len()
        );
        assert_eq!(n, 0);
    }
}
