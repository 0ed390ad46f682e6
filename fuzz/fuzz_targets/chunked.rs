//! What the chunking fuzz targets share: streaming an input in pseudo-random chunk sizes drawn
//! from a one-byte seed, and comparing findings as sets (`blackbar::testkit::fuzz`).

pub use blackbar::testkit::fuzz::{sorted, streamed as stream};
