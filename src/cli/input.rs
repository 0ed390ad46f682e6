//! The filter's input: every source is read on a thread of its own, and the stop signals
//! (SIGTERM, SIGINT) arrive in the same ordered stream of [`Event`]s, so a signal is seen at
//! once even while a read blocks (`tail -f | blackbar`), and after every byte read before it.
//!
//! # Why a signal stops the filter this way
//!
//! A log shipper stops a filter with SIGTERM (or a terminal with SIGINT) while input may still
//! be open. At that moment the filter holds back the end of its input: a line not yet ended,
//! an open PEM block, a token whose last characters have not arrived. Finishing as if the
//! input had ended would write those bytes as they are (a cut-off token matches no rule), so
//! a key's first half could go out raw. So on the first signal the filter:
//!
//! * redacts and writes every byte read before the signal that is final (what it would have
//!   released had the input gone idle), with its findings and the report's summary;
//! * writes nothing of the held-back end: it is dropped, never written raw;
//! * says so in one line on stderr and exits with status 128 + the signal's number (143 for
//!   SIGTERM, 130 for SIGINT): the shell's convention for a process stopped by a signal, and
//!   a supervisor's sign that the input was not wholly processed.
//!
//! A second signal stops the process at once, as the signal's default action does (say, if
//! stdout is a pipe nobody reads, so the final writes block).
//!
//! Memory stays bounded: a source is read into a pool of [`POOL`] buffers that the filter
//! hands back once it has used them.

use std::io::{self, Read};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// Bytes per read.
pub(crate) const READ: usize = 64 * 1024;

/// Buffers per source: how far reading may run ahead of redacting.
const POOL: usize = 4;

/// How long a source must stay silent after a short read to be idle: `tail -f` gets each
/// line out within this (plus the redaction), while a fast producer whose reads come back
/// short now and then does not make the parallel pipeline's workers drain at each one.
const IDLE: Duration = Duration::from_millis(2);

/// What the filter waits for.
pub(crate) enum Event {
    /// Bytes read.
    Data(Vec<u8>),
    /// A short read, then nothing for [`IDLE`]: the source has nothing more for now.
    Idle,
    /// The source ended.
    End,
    /// Reading failed.
    Failed(io::Error),
    /// A stop signal arrived (its number).
    Stop(i32),
}

/// The events of the sources, one at a time, and of the stop signals.
pub(crate) struct Events {
    tx: Sender<Event>,
    rx: Receiver<Event>,
    /// Where the current source's reader takes empty buffers from.
    free: Option<Sender<Vec<u8>>>,
    /// The last event was a short read.
    short: bool,
}

impl Events {
    /// Starts listening for SIGTERM and SIGINT.
    pub(crate) fn new() -> io::Result<Events> {
        let (tx, rx) = channel();
        listen(tx.clone())?;
        Ok(Events {
            tx,
            rx,
            free: None,
            short: false,
        })
    }

    /// Starts reading `source` on a thread; its events follow those of the previous source.
    pub(crate) fn read(&mut self, mut source: impl Read + Send + 'static) {
        let (free, pool) = channel::<Vec<u8>>();
        for _ in 0..POOL {
            let _ = free.send(vec![0; READ]);
        }
        self.free = Some(free);
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            while let Ok(mut buf) = pool.recv() {
                let event = match read(&mut source, &mut buf) {
                    Ok(0) => Event::End,
                    Ok(n) => {
                        buf.truncate(n);
                        Event::Data(buf)
                    }
                    Err(e) => Event::Failed(e),
                };
                let last = !matches!(event, Event::Data { .. });
                if tx.send(event).is_err() || last {
                    return;
                }
            }
        });
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Event {
        let event = match std::mem::take(&mut self.short) {
            // After a short read: is the source idle, or only slow to fill a buffer?
            true => match self.rx.recv_timeout(IDLE) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => return Event::Idle,
                Err(RecvTimeoutError::Disconnected) => unreachable!("`self` keeps a sender"),
            },
            false => self.rx.recv().expect("`self` keeps a sender"),
        };
        self.short = matches!(event, Event::Data(ref buf) if buf.len() < READ);
        event
    }

    /// Hands a buffer of [`Event::Data`] back to the reader.
    pub(crate) fn recycle(&mut self, mut buf: Vec<u8>) {
        if let Some(ref free) = self.free {
            buf.resize(READ, 0);
            let _ = free.send(buf);
        }
    }
}

/// The signal's name, for messages.
pub(crate) fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGTERM => "SIGTERM",
        signal_hook::consts::SIGINT => "SIGINT",
        _ => "a signal",
    }
}

/// Sends the first SIGTERM or SIGINT as [`Event::Stop`]; a second one ends the process as
/// its default action would.
fn listen(tx: Sender<Event>) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        let mut seen = false;
        for signal in signals.forever() {
            if seen {
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
            seen = true;
            let _ = tx.send(Event::Stop(signal));
        }
    });
    Ok(())
}

fn read(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
