//! A fixed pseudo-random stream for unit tests (xorshift64): the same seed gives the same
//! bytes on every run, so a failing case can be replayed. Not for anything but tests.

/// The xorshift64 generator; its state must not be zero.
pub(crate) struct Xorshift(pub(crate) u64);

impl Xorshift {
    /// The next value of the stream.
    pub(crate) fn next(&mut self) -> u64 {
        let Xorshift(x) = self;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }
}
