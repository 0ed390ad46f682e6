//! Test hooks (cargo feature `testkit`): what blackbar's own tests, fuzz targets and corpus
//! generators need and users do not. Nothing here is a stable API.
//!
//! * [`mod@reference`]: the obviously-correct slow redaction the fast path is tested against;
//! * [`fuzz`]: the fuzz targets' entry points, each checking its invariant;
//! * [`find_tokens`]: the token parser's view of a text, to check it against the catalog rule;
//! * the checksum and identifier encoders ([`checksum`], [`national`], [`crypto_address`])
//!   that make valid synthetic values for the labeled corpora.

pub mod fuzz;
pub mod reference;

pub use crate::token::find_tokens;
pub use crate::validate::{crypto_address, national};

/// The checksum functions the validators use, to make values that pass them.
pub mod checksum {
    pub use crate::validate::{
        base62_crc32, bech32_checksum, crc32, gitlab_routable_crc, iban_mod97, luhn_valid,
        BECH32_CHARSET,
    };
}
