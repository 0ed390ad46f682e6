//! PyPI API tokens: `pypi-` followed by a base64url macaroon (libmacaroons' v2 binary format).
//!
//! The v2 layout is a version byte `0x02`, then *sections* of fields, each field a type
//! byte, a varint length and that many bytes, each section ended by a `0x00` byte:
//!
//! ```text
//! 02 | [01 location] 02 identifier 00 | ( [01 location] 02 identifier [04 vid] 00 )* 00 | 06 signature(32)
//! ```
//!
//! The header's location is `pypi.org` (or `test.pypi.org` for TestPyPI), which is why every
//! token begins `pypi-AgEIcHlwaS5vcmc`. There is no checksum: the signature is an HMAC only
//! PyPI can check. What can be checked offline is the structure, so a random string after a
//! copied prefix fails.

use super::structure::base64url_decode;

const LOCATION: u8 = 1;
const IDENTIFIER: u8 = 2;
const VID: u8 = 4;
const SIGNATURE: u8 = 6;
const EOS: u8 = 0;

/// The macaroon locations PyPI issues tokens for.
const PYPI_LOCATIONS: &[&[u8]] = &[b"pypi.org", b"test.pypi.org"];

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.first().copied()
    }

    fn varint(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// One field: `(type, data)`.
    fn field(&mut self) -> Option<(u8, &'a [u8])> {
        let kind = self.byte()?;
        let len = self.varint()?;
        if len > self.bytes.len() {
            return None;
        }
        let (data, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some((kind, data))
    }

    /// A section: fields up to `EOS`, whose types must appear in `allowed` order, each at
    /// most once; the identifier is required. Returns the location, if any.
    fn section(&mut self, allowed: &[u8]) -> Option<Option<&'a [u8]>> {
        let mut next = 0;
        let mut location = None;
        let mut identified = false;
        while self.peek()? != EOS {
            let (kind, data) = self.field()?;
            let pos = allowed[next..].iter().position(|&k| k == kind)? + next;
            next = pos + 1;
            match kind {
                LOCATION => location = Some(data),
                IDENTIFIER => identified = !data.is_empty(),
                _ => {}
            }
        }
        self.byte()?;
        identified.then_some(location)
    }
}

/// Whether the bytes of a v2 macaroon are well formed and located at PyPI.
fn pypi_macaroon(bytes: &[u8]) -> bool {
    let mut r = Reader { bytes };
    if r.byte() != Some(2) {
        return false;
    }
    let Some(Some(location)) = r.section(&[LOCATION, IDENTIFIER]) else {
        return false;
    };
    if !PYPI_LOCATIONS.contains(&location) {
        return false;
    }
    // Caveats (PyPI restricts tokens with first-party caveats), up to the closing EOS.
    loop {
        match r.peek() {
            Some(EOS) => {
                r.byte();
                break;
            }
            Some(_) => {
                if r.section(&[LOCATION, IDENTIFIER, VID]).is_none() {
                    return false;
                }
            }
            None => return false,
        }
    }
    matches!(r.field(), Some((SIGNATURE, sig)) if sig.len() == 32) && r.bytes.is_empty()
}

/// Whether `value` (`pypi-` + base64url) holds a well-formed PyPI macaroon.
pub(crate) fn pypi_token_valid(value: &[u8]) -> bool {
    value
        .strip_prefix(b"pypi-")
        .and_then(base64url_decode)
        .is_some_and(|bytes| pypi_macaroon(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A macaroon laid out as pymacaroons' v2 serializer writes one (built here field by
    /// field, with a zero signature: the signature is not checked offline).
    fn macaroon(location: &[u8], caveats: &[&[u8]]) -> Vec<u8> {
        let mut m = vec![2u8];
        m.extend([LOCATION, location.len() as u8]);
        m.extend_from_slice(location);
        let id = br#"{"nonce": "0f4a9e1c", "version": 1}"#;
        m.extend([IDENTIFIER, id.len() as u8]);
        m.extend_from_slice(id);
        m.push(EOS);
        for c in caveats {
            m.extend([IDENTIFIER, c.len() as u8]);
            m.extend_from_slice(c);
            m.push(EOS);
        }
        m.push(EOS);
        m.extend([SIGNATURE, 32]);
        m.extend([0x5a; 32]);
        m
    }

    #[test]
    fn well_formed() {
        assert!(pypi_macaroon(&macaroon(b"pypi.org", &[])));
        assert!(pypi_macaroon(&macaroon(
            b"pypi.org",
            &[br#"{"version": 1, "permissions": "user"}"#]
        )));
        assert!(pypi_macaroon(&macaroon(b"test.pypi.org", &[b"x"])));
    }

    #[test]
    fn malformed() {
        assert!(!pypi_macaroon(&macaroon(b"example.org", &[])));
        let good = macaroon(b"pypi.org", &[b"caveat"]);
        assert!(!pypi_macaroon(&good[..good.len() - 1]), "short signature");
        let mut extra = good.clone();
        extra.push(0);
        assert!(!pypi_macaroon(&extra), "trailing byte");
        let mut v1 = good.clone();
        v1[0] = 1;
        assert!(!pypi_macaroon(&v1), "version byte");
    }

    #[test]
    fn the_published_prefix_is_the_pypi_location_field() {
        // `AgEIcHlwaS5vcmc` decodes to 02 01 08 "pypi.org".
        assert_eq!(
            base64url_decode(b"AgEIcHlwaS5vcmc").unwrap()[..11],
            *b"\x02\x01\x08pypi.org"
        );
        assert!(!pypi_token_valid(
            b"pypi-AgEIcHlwaS5vcmcI5MMTMa2sA9s-HT5P_vpDXqLQ6GU1xFa7EomwYjM"
        ));
    }
}
