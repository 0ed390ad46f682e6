//! Every core: an ordered parallel pipeline over one input.
//!
//! The caller's thread cuts the input into *chunks*; each chunk is streamed, piece by piece,
//! into one of `N` worker threads, which redacts it with its own redactor stream (a
//! [`Chunked`]: a [`crate::StreamRedactor`], or JSON lines); the caller writes the outputs in
//! input order.
//!
//! # Guarantees
//!
//! * **The output is the same for any thread count and any chunking of the input.** A chunk
//!   ends at the first line end at or after each multiple of [`CHUNK`] bytes from the chunk's
//!   start, and only where no match can cross it: every rule is single-line, or no keyword of
//!   a multi-line rule occurs within its longest match before the line end (a PEM block stays
//!   in one chunk). Cut points depend only on the bytes, never on how reads or threads fell,
//!   so one thread, two or eight give the same bytes and the same findings in the same order.
//!   A rule set that no line end can cut safely (a rule anchored at the input's start, a
//!   multi-line rule without a leading keyword) is one chunk; so is any input under a
//!   placeholder policy, whose numbers follow first appearance over the whole input (one
//!   worker, one vault).
//! * **Bounded memory**, whatever the line length: a chunk is never held whole; its pieces go
//!   to the worker through bounded queues, each worker holds one stream's window, and
//!   outputs wait in bounded queues. A single 1 GiB line is one chunk, streamed through one
//!   worker.
//! * **Latency:** [`Parallel::flush`] makes the current chunk's worker release what is final
//!   and waits for it, so an idle input (`tail -f`) still gets each completed line out at once.
//!
//! Findings are reported in input order, with offsets and line numbers in the whole input.

use std::collections::VecDeque;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use aho_corasick::AhoCorasick;

use crate::finding::Finding;

/// Chunks end at the first line end at or after this many bytes from their start.
pub const CHUNK: usize = 1 << 20;
/// Input goes to a worker in pieces of at most this many bytes.
const PIECE: usize = 64 * 1024;
/// Messages a worker's queue holds (its input) and a chunk's queue holds (its output): room
/// for a whole chunk and then some, so that the caller can hand the next chunk to another
/// worker while this one is still busy (with less, the caller waits on the busy worker and
/// the others starve).
const QUEUE: usize = 2 * (CHUNK / PIECE) + 4;
const OUTPUT_QUEUE: usize = 2 * (CHUNK / PIECE) + 4;
/// Emptied output buffers kept for the next pieces, at most.
const SPARE: usize = 16;

/// A redactor stream that can redact one chunk after another.
pub trait Chunked: Send + 'static {
    /// What a chunk's redaction counts besides findings (JSON lines' kinds).
    type Stats: Default + Send + 'static;

    /// Takes more of the current chunk and appends what is final to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// Releases what is final now.
    fn flush(&mut self, out: &mut Vec<u8>);
    /// Ends the chunk: writes the rest.
    fn finish(&mut self, out: &mut Vec<u8>);
    /// The findings made so far, offsets and lines relative to the chunk.
    fn take_findings(&mut self) -> Vec<Finding>;
    /// The chunk's counts, taken at its end.
    fn take_stats(&mut self) -> Self::Stats;
    /// Adds a chunk's counts to a total.
    fn add_stats(total: &mut Self::Stats, chunk: Self::Stats);
    /// Starts a new chunk (a placeholder vault carries on).
    fn restart(&mut self);
}

/// Where line ends may end a chunk: the multi-line rules' keywords and longest match.
#[derive(Clone, Debug)]
pub(crate) enum Cuts {
    /// Every line end.
    Anywhere,
    /// A line end with no keyword of a multi-line rule in the `reach` bytes before it.
    Unless { keywords: AhoCorasick, reach: usize },
    /// No line end: the whole input is one chunk.
    Nowhere,
}

enum ToWorker<S> {
    Start(SyncSender<FromWorker<S>>),
    Piece(Vec<u8>),
    Flush,
    End,
}

enum FromWorker<S> {
    Output(Vec<u8>, Vec<Finding>),
    Flushed,
    Done { newlines: u64, stats: S },
}

/// A chunk whose output is not all written yet.
/// A worker thread and the queue that feeds it.
type Worker<S> = (SyncSender<ToWorker<S>>, JoinHandle<()>);

struct Pending<S> {
    output: Receiver<FromWorker<S>>,
    /// The chunk's first byte, as an offset in the whole input.
    base: u64,
}

/// An ordered parallel redaction of one input (see the module docs). Made by
/// [`crate::Redactor::parallel`] or [`crate::json::JsonRedactor::parallel_lines`].
pub struct Parallel<C: Chunked> {
    workers: Vec<Worker<C::Stats>>,
    next_worker: usize,
    pending: VecDeque<Pending<C::Stats>>,
    /// The worker of the chunk being fed, if one is open.
    current: Option<usize>,
    cuts: Cuts,
    /// Bytes fed so far.
    pos: u64,
    /// The next offset at which a line end may end the open chunk.
    next_cut: u64,
    /// A chunk ends at the first line end this many bytes after its start, or later.
    chunk: u64,
    /// The last `reach` bytes fed, for the keywords of multi-line rules.
    tail: Vec<u8>,
    /// Lines before the front pending chunk.
    lines: u64,
    findings: Vec<Finding>,
    stats: C::Stats,
    /// Output buffers the workers sent, emptied: the next pieces are copied into them, so
    /// that buffers go round between the caller and the workers instead of being allocated.
    spare: Vec<Vec<u8>>,
}

impl<C: Chunked> std::fmt::Debug for Parallel<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parallel")
            .field("workers", &self.workers.len())
            .field("pending", &self.pending.len())
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl<C: Chunked> Parallel<C> {
    /// `threads` workers, each with its own `make()`.
    pub(crate) fn new(threads: usize, cuts: Cuts, make: impl Fn() -> C) -> Parallel<C> {
        let workers = (0..threads.max(1))
            .map(|_| {
                let (tx, rx) = sync_channel::<ToWorker<C::Stats>>(QUEUE);
                let chunked = make();
                let handle = std::thread::spawn(move || work(chunked, rx));
                (tx, handle)
            })
            .collect();
        Parallel {
            workers,
            next_worker: 0,
            pending: VecDeque::new(),
            current: None,
            cuts,
            pos: 0,
            next_cut: CHUNK as u64,
            chunk: CHUNK as u64,
            tail: vec![],
            lines: 0,
            findings: vec![],
            stats: C::Stats::default(),
            spare: vec![],
        }
    }

    /// Ends chunks at the first line end `bytes` after their start (1 MiB by default):
    /// for tests and tuning; the output is the same for any size. Call it before any input.
    pub fn with_chunk_size(mut self, bytes: usize) -> Parallel<C> {
        self.chunk = bytes.max(1) as u64;
        self.next_cut = self.chunk;
        self
    }

    /// Takes more input and appends whatever output is final, in order, to `out`. Blocks
    /// while the workers' queues are full.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while !input.is_empty() {
            let worker = self.open_chunk(out);
            let take = self.cut_in(input);
            let (now, rest) = input.split_at(take.unwrap_or(input.len()));
            for piece in now.chunks(PIECE) {
                let mut buf = self.spare.pop().unwrap_or_default();
                buf.clear();
                buf.extend_from_slice(piece);
                self.send(worker, ToWorker::Piece(buf), out);
            }
            self.remember(now);
            self.pos += now.len() as u64;
            input = rest;
            if take.is_some() {
                self.send(worker, ToWorker::End, out);
                self.current = None;
                self.next_cut = self.pos + self.chunk;
            }
            self.drain(out, false);
        }
    }

    /// Releases everything that is final now (the input went idle), waiting for the workers.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        let Some(worker) = self.current else {
            return self.drain(out, true);
        };
        self.send(worker, ToWorker::Flush, out);
        // The chunks before the open one end (`Done`); the open one answers `Flushed`.
        while self.receive(out, true) != Got::Flushed {}
    }

    /// Ends the input and writes the rest.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if let Some(worker) = self.current.take() {
            self.send(worker, ToWorker::End, out);
        }
        self.drain(out, true);
    }

    /// Removes and returns the findings made so far, in input order.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// The counts of the chunks ended so far.
    pub fn stats(&self) -> &C::Stats {
        &self.stats
    }

    /// The worker of the open chunk, opening one if none is.
    fn open_chunk(&mut self, out: &mut Vec<u8>) -> usize {
        if let Some(w) = self.current {
            return w;
        }
        let w = self.next_worker;
        self.next_worker = (w + 1) % self.workers.len();
        let (tx, rx) = sync_channel(OUTPUT_QUEUE);
        self.pending.push_back(Pending {
            output: rx,
            base: self.pos,
        });
        self.send(w, ToWorker::Start(tx), out);
        self.current = Some(w);
        w
    }

    /// Where in `input` the open chunk ends: just after the first line end at or after the
    /// next cut point where no match can cross it.
    fn cut_in(&mut self, input: &[u8]) -> Option<usize> {
        if matches!(self.cuts, Cuts::Nowhere) {
            return None;
        }
        let mut from = self.next_cut.saturating_sub(self.pos) as usize;
        while from < input.len() {
            let nl = from + memchr::memchr(b'\n', &input[from..])?;
            let end = nl + 1;
            if self.safe_before(&input[..end]) {
                return Some(end);
            }
            from = end;
        }
        None
    }

    /// Whether no keyword of a multi-line rule occurs in the `reach` bytes that end with
    /// `fed` (the bytes just before a line end, after the ones remembered).
    fn safe_before(&self, fed: &[u8]) -> bool {
        let Cuts::Unless {
            ref keywords,
            reach,
        } = self.cuts
        else {
            return true;
        };
        if fed.len() >= reach {
            return !keywords.is_match(&fed[fed.len() - reach..]);
        }
        let mut window = self.tail[self.tail.len().saturating_sub(reach - fed.len())..].to_vec();
        window.extend_from_slice(fed);
        !keywords.is_match(&window)
    }

    fn remember(&mut self, fed: &[u8]) {
        let Cuts::Unless { reach, .. } = self.cuts else {
            return;
        };
        self.tail
            .extend_from_slice(&fed[fed.len().saturating_sub(reach)..]);
        if self.tail.len() > reach {
            self.tail.drain(..self.tail.len() - reach);
        }
    }

    /// Sends to a worker; while its queue is full, writes the front chunk's output (which is
    /// what lets the workers go on).
    fn send(&mut self, worker: usize, mut msg: ToWorker<C::Stats>, out: &mut Vec<u8>) {
        loop {
            match self.workers[worker].0.try_send(msg) {
                Ok(()) => return,
                Err(TrySendError::Full(m)) => {
                    msg = m;
                    self.receive(out, true);
                }
                Err(TrySendError::Disconnected(_)) => panic!("a redaction worker stopped"),
            }
        }
    }

    /// Writes what the chunks have ready, in order; with `wait` (no chunk open), everything.
    fn drain(&mut self, out: &mut Vec<u8>, wait: bool) {
        match wait {
            true => {
                while !self.pending.is_empty() {
                    self.receive(out, true);
                }
            }
            false => while self.receive(out, false) != Got::Nothing {},
        }
    }

    /// Handles one message of the front chunk. Without `wait`, `Nothing` when none is ready.
    fn receive(&mut self, out: &mut Vec<u8>, wait: bool) -> Got {
        let Some(front) = self.pending.front() else {
            return Got::Nothing;
        };
        let msg = match wait {
            true => front.output.recv().ok(),
            false => match front.output.try_recv() {
                Ok(m) => Some(m),
                Err(std::sync::mpsc::TryRecvError::Empty) => return Got::Nothing,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
            },
        };
        let Some(msg) = msg else {
            panic!("a redaction worker stopped");
        };
        let base = front.base;
        match msg {
            FromWorker::Output(bytes, findings) => {
                out.extend_from_slice(&bytes);
                if self.spare.len() < SPARE {
                    self.spare.push(bytes);
                }
                for mut f in findings {
                    f.span = f.span.start + base..f.span.end + base;
                    f.line += self.lines;
                    self.findings.push(f);
                }
                Got::Output
            }
            FromWorker::Flushed => Got::Flushed,
            FromWorker::Done { newlines, stats } => {
                self.lines += newlines;
                C::add_stats(&mut self.stats, stats);
                self.pending.pop_front();
                Got::Done
            }
        }
    }
}

/// What [`Parallel::receive`] handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Got {
    Nothing,
    Output,
    Flushed,
    Done,
}

impl<C: Chunked> Drop for Parallel<C> {
    fn drop(&mut self) {
        // Closing the queues ends the workers.
        let workers = std::mem::take(&mut self.workers);
        self.pending.clear();
        for (tx, handle) in workers {
            drop(tx);
            let _ = handle.join();
        }
    }
}

/// A worker: redacts the chunks it is given, in order.
fn work<C: Chunked>(mut chunked: C, rx: Receiver<ToWorker<C::Stats>>) {
    let mut out: Option<SyncSender<FromWorker<C::Stats>>> = None;
    let mut newlines = 0u64;
    // The last piece's buffer, free once it is redacted: the next output goes into it.
    let mut spare: Vec<u8> = vec![];
    for msg in rx {
        let mut bytes = std::mem::take(&mut spare);
        bytes.clear();
        let reply = match msg {
            ToWorker::Start(tx) => {
                chunked.restart();
                newlines = 0;
                out = Some(tx);
                continue;
            }
            ToWorker::Piece(piece) => {
                newlines += memchr::memchr_iter(b'\n', &piece).count() as u64;
                // Labels may make the output a little longer than the piece.
                bytes.reserve(piece.len() + piece.len() / 8);
                chunked.feed(&piece, &mut bytes);
                spare = piece;
                vec![FromWorker::Output(bytes, chunked.take_findings())]
            }
            ToWorker::Flush => {
                chunked.flush(&mut bytes);
                vec![
                    FromWorker::Output(bytes, chunked.take_findings()),
                    FromWorker::Flushed,
                ]
            }
            ToWorker::End => {
                chunked.finish(&mut bytes);
                vec![
                    FromWorker::Output(bytes, chunked.take_findings()),
                    FromWorker::Done {
                        newlines,
                        stats: chunked.take_stats(),
                    },
                ]
            }
        };
        let Some(ref tx) = out else { continue };
        for r in reply {
            if tx.send(r).is_err() {
                break; // the caller is gone
            }
        }
    }
}
