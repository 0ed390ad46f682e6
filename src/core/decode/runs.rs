//! Finding the long runs of base64-alphabet bytes in a buffer, 16 bytes at a time.
//!
//! The base64 decoder only looks at maximal runs of alphabet bytes (letters, digits and
//! `+/-_`) at least `min` long, and on log text nearly every byte is in a short run (a word,
//! a number). Testing each byte cost about 6 instructions a byte, a fifth of what redacting
//! a clean 200-byte tracing record cost. [`long_runs`] instead builds, for each block of 64
//! bytes, a bitmask of the alphabet bytes (16 at a time with SSE2 on x86-64, from the byte
//! table elsewhere), finds with a few shifts whether `window` consecutive bytes are all in the
//! alphabet, and reads a run's ends off the bits.
//!
//! # Invariants
//!
//! * Every maximal run at least `min` long is reported, once, in order; nothing else is.
//! * `carry` is the number of alphabet bytes just before the block: a run of at least
//!   `window` bytes (`window = min(min, 64)`) either has `window` of them inside one block, or
//!   crosses the block's start with `carry` + the block's leading alphabet bytes `>= window`.

use std::ops::Range;

pub(super) const B64: u8 = 1;
pub(super) const URL: u8 = 2;

/// Byte classes: `B64` for the union of both base64 alphabets, `URL` for the bytes of a URL
/// or form body (unreserved, sub-delims, `:@/?#%`).
pub(super) static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] = B64 | URL;
        }
        c += 1;
    }
    t[b'+' as usize] = B64 | URL;
    t[b'/' as usize] = B64 | URL;
    t[b'-' as usize] = B64 | URL;
    t[b'_' as usize] = B64 | URL;
    let url = b".~!$&()*,;=:@?#%";
    let mut i = 0;
    while i < url.len() {
        t[url[i] as usize] |= URL;
        i += 1;
    }
    t
};

/// Whether `c` is in the base64 alphabet (standard or URL-safe).
#[inline(always)]
fn is_base64(c: u8) -> bool {
    CLASS[c as usize] & B64 != 0
}

/// Calls `f` with each maximal run of base64-alphabet bytes in `text` at least `min` bytes
/// long (`min` of 0 counts as 1), in order.
pub(super) fn long_runs(text: &[u8], min: usize, mut f: impl FnMut(Range<usize>)) {
    let min = min.max(1);
    let window = min.min(64);
    let windows = Windows::new(window);
    let mut pos = 0;
    let mut carry = 0;
    'blocks: while pos < text.len() {
        let len = (text.len() - pos).min(64);
        // Bits at and past `len` are clear: bytes outside the alphabet, for what follows.
        let m = mask(&text[pos..pos + len]);
        let lead = m.trailing_ones() as usize;
        let mut hits = windows.of(m);
        if carry > 0 && carry + lead >= window {
            // A long run crossing into the block: bit 0 stands for it.
            hits |= 1;
        }
        while hits != 0 {
            let j = hits.trailing_zeros();
            // The run starts after the highest byte below `j` outside the alphabet, or, when
            // there is none, `carry` bytes before the block.
            let below = !m & ((1u64 << j) - 1);
            let start = match below {
                0 => pos - carry,
                _ => pos + 64 - below.leading_zeros() as usize,
            };
            let ones = (!m >> j).trailing_zeros().min(64 - j);
            let mut end = pos + (j + ones) as usize;
            if end - pos == 64 {
                // The run reaches the block's end and may go on: the next block starts after
                // it.
                while end < text.len() && is_base64(text[end]) {
                    end += 1;
                }
                if end - start >= min {
                    f(start..end);
                }
                pos = end + 1;
                carry = 0;
                continue 'blocks;
            }
            if end - start >= min {
                f(start..end);
            }
            // The hits left are past this run (the byte at `end` is outside the alphabet).
            hits &= !0u64 << (end - pos);
        }
        carry = match lead == len {
            true => carry + len,
            false => (m << (64 - len)).leading_ones() as usize,
        };
        pos += len;
    }
}

/// The shifts that turn a mask into its `len`-byte windows (see [`Windows::of`]).
#[derive(Clone, Copy)]
struct Windows([u32; 6]);

impl Windows {
    /// `len` from 1 to 64: each shift at most doubles the length covered; unused steps
    /// shift by 0, which changes nothing.
    fn new(len: usize) -> Windows {
        debug_assert!((1..=64).contains(&len));
        let mut shifts = [0; 6];
        let mut have = 1;
        for s in &mut shifts {
            let step = have.min(len - have);
            *s = step as u32;
            have += step;
        }
        debug_assert_eq!(have, len);
        Windows(shifts)
    }

    /// Bit `j` set when `m` has bits `j..j + len` all set (bits past 63 count as clear).
    #[inline(always)]
    fn of(self, mut m: u64) -> u64 {
        for s in self.0 {
            m &= m >> s;
        }
        m
    }
}

/// Bit `j` set when `block[j]` is in the base64 alphabet (`block` is at most 64 bytes).
#[inline(always)]
fn mask(block: &[u8]) -> u64 {
    debug_assert!(block.len() <= 64);
    #[cfg(target_arch = "x86_64")]
    {
        let mut m = 0u64;
        let mut chunks = block.chunks_exact(16);
        for (k, chunk) in (&mut chunks).enumerate() {
            m |= u64::from(sse2::mask16(chunk)) << (16 * k);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // NUL is outside the alphabet: the padding adds no bits.
            let mut padded = [0u8; 16];
            padded[..rest.len()].copy_from_slice(rest);
            m |= u64::from(sse2::mask16(&padded)) << (block.len() - rest.len());
        }
        m
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block
            .iter()
            .enumerate()
            .fold(0u64, |m, (j, &c)| m | u64::from(is_base64(c)) << j)
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod sse2 {
    use std::arch::x86_64::*;

    /// Bit `j` set when `chunk[j]` (16 bytes) is in the base64 alphabet.
    #[inline(always)]
    pub(super) fn mask16(chunk: &[u8]) -> u16 {
        assert_eq!(chunk.len(), 16);
        // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads the 16 bytes of
        // `chunk` (checked above), unaligned.
        unsafe {
            let c = _mm_loadu_si128(chunk.as_ptr().cast());
            // Letters: `c | 0x20` in `a..=z`. Digits: `c` in `0..=9`. Ranges are tested with
            // signed compares after shifting the range's start to -128.
            let lower = _mm_or_si128(c, _mm_set1_epi8(0x20));
            let letter = in_range(lower, b'a', 26);
            let digit = in_range(c, b'0', 10);
            let eq = |b: u8| _mm_cmpeq_epi8(c, _mm_set1_epi8(b as i8));
            let signs = _mm_or_si128(
                _mm_or_si128(eq(b'+'), eq(b'/')),
                _mm_or_si128(eq(b'-'), eq(b'_')),
            );
            let all = _mm_or_si128(_mm_or_si128(letter, digit), signs);
            _mm_movemask_epi8(all) as u16
        }
    }

    /// Lanes of `c` in `first..first + len` (as unsigned bytes): moved to `-128..`, where a
    /// signed compare tests the range.
    #[inline(always)]
    fn in_range(c: __m128i, first: u8, len: u8) -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe {
            let shifted = _mm_add_epi8(c, _mm_set1_epi8(128u8.wrapping_sub(first) as i8));
            _mm_cmplt_epi8(shifted, _mm_set1_epi8((len as i8).wrapping_add(i8::MIN)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: maximal runs, by testing every byte.
    fn naive(text: &[u8], min: usize) -> Vec<Range<usize>> {
        let mut runs = vec![];
        let mut i = 0;
        while i < text.len() {
            if !is_base64(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && is_base64(text[i]) {
                i += 1;
            }
            if i - start >= min.max(1) {
                runs.push(start..i);
            }
        }
        runs
    }

    fn found(text: &[u8], min: usize) -> Vec<Range<usize>> {
        let mut runs = vec![];
        long_runs(text, min, |r| runs.push(r));
        runs
    }

    #[test]
    fn mask_agrees_with_the_alphabet_on_every_byte() {
        let all: Vec<u8> = (0..=255).chain(0..=255).collect();
        for block in all.chunks(64) {
            let m = mask(block);
            for (j, &c) in block.iter().enumerate() {
                assert_eq!(m >> j & 1 == 1, is_base64(c), "byte {c:#04x}");
            }
        }
    }

    #[test]
    fn runs_across_blocks_and_at_the_ends() {
        // Runs of every length near `min` at every offset around a block boundary.
        for min in [1usize, 2, 11, 12, 13, 31, 32, 33, 64, 65, 100] {
            for len in [min.saturating_sub(1), min, min + 1, 63, 64, 65, 130] {
                for at in [0, 1, 40, 52, 53, 63, 64, 65, 120] {
                    let mut text = vec![b' '; at + len + 70];
                    text[at..at + len].fill(b'Q');
                    text.truncate(at + len + (at % 3));
                    assert_eq!(found(&text, min), naive(&text, min), "{min} {len} {at}");
                }
            }
        }
    }

    #[test]
    fn random_texts_match_the_definition() {
        // A fixed xorshift stream over a small alphabet, so that runs of all lengths occur.
        let mut rng = crate::xorshift::Xorshift(0x2545_f491_4f6c_dd1d);
        let alphabet = b"aZ09+/-_ .=%\n\xff";
        for round in 0..3000 {
            let len = round % 300;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    // Mostly alphabet bytes, so that long runs are common.
                    let k = (rng.next() % 32) as usize;
                    alphabet[if k < 24 { k % 8 } else { k % alphabet.len() }]
                })
                .collect();
            for min in [1, 4, 12, 20, 40] {
                assert_eq!(found(&text, min), naive(&text, min), "{text:?} {min}");
            }
        }
    }
}
