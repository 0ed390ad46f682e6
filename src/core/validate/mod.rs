//! Validators: checks run on a confirmed match that decide how sure the finding is.
//!
//! A validator never drops a match. *Checksum* validators (Luhn, mod-97, CRC32 token
//! checksums, the canary checksum) make a finding [`Confidence::Certain`] when they pass and
//! lower it one level when they fail. *Gates* (entropy, placeholder, structure, required
//! context) make a failing finding [`Confidence::Low`]. The policy then decides what to do
//! with each confidence level; low findings are reported, not silently lost.

mod bech32;
pub(crate) mod canary;
mod checksum;
pub mod crypto_address;
mod entropy;
mod gitlab_routable;
mod identifier;
mod macaroon;
pub mod national;
mod phone;
mod phone_metadata;
mod structure;

#[cfg(any(test, feature = "testkit"))]
pub use self::bech32::{bech32_checksum, BECH32_CHARSET};
#[cfg(any(test, feature = "testkit"))]
pub use self::checksum::{base62_crc32, crc32, iban_mod97, luhn_valid};
#[cfg(any(test, feature = "testkit"))]
pub use self::gitlab_routable::gitlab_routable_crc;
pub use self::identifier::IdCheck;
pub use self::phone::PhoneRegions;
pub(crate) use self::structure::is_masked_or_example;

/// A check run on the redacted part of a match.
#[derive(Clone, Debug, PartialEq)]
pub enum Validator {
    /// Luhn mod-10 over the digits (cards, IMEI, SIN).
    Luhn,
    /// IBAN mod-97 and per-country length.
    Iban,
    /// GitHub/npm: last 6 chars are the base62 CRC32 of the 30 (or 36-6) chars after `_`.
    GithubCrc32,
    /// Atlassian: last 8 hex chars are the CRC32 of everything before them.
    AtlassianCrc32,
    /// blackbar's own canary checksum.
    Canary,
    /// US SSN structure: no 000/666/9xx area, no 00 group, no 0000 serial.
    Ssn,
    /// Parses as an IPv4 address.
    Ipv4,
    /// Parses as an IPv6 address.
    Ipv6,
    /// An address a host can have, which may name a person's device: not the unspecified
    /// address (`0.0.0.0/8`, `::`), a loopback (`127.0.0.0/8`, `::1`) or a `255.`
    /// broadcast address or netmask (`255.255.255.0`).
    IpHost,
    /// A JWT whose header decodes to a JSON object with `alg`.
    Jwt,
    /// GitLab routable token: base36 CRC32 of the whole token and a matching length field.
    GitlabRoutable,
    /// Bech32 checksum (age secret keys and recipients).
    Bech32,
    /// PyPI token: `pypi-` + a well-formed v2 macaroon located at PyPI.
    PypiMacaroon,
    /// Shannon entropy (bits per byte) at least this much.
    Entropy(f64),
    /// Not a placeholder such as `changeme`, `${VAR}`, `<password>`, `****`.
    NotPlaceholder,
    /// Not a slot by its syntax (`${VAR}`, `<password>`, `%PW%`, `****`), dictionary words
    /// allowed: for places that can only hold a password (a URL's userinfo).
    NotTemplate,
    /// Not an SSH algorithm name in `name@domain` form (`rijndael-cbc@lysator.liu.se`).
    NotAlgorithmName,
    /// An identifier's check digit or structure: national ids, VIN, crypto addresses.
    Id(IdCheck),
    /// A possible phone number of one of these regions, by libphonenumber's metadata
    /// (`phone:US,GB,DE`: calling code, trunk prefix, possible lengths).
    Phone(PhoneRegions),
}

/// Whether a failing validator lowers the confidence by a level or makes it low: a
/// checksum's failure lowers it, a gate's makes it low.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// A checksum: passing makes a finding certain, failing lowers it a level.
    Checksum,
    /// A gate: failing makes a finding low.
    Gate,
}

impl Validator {
    /// Parses a validator name as written in rule files, e.g. `luhn` or `entropy>=3.5`.
    ///
    /// # Errors
    ///
    /// An unknown name or a malformed threshold, as a message naming it.
    pub fn parse(s: &str) -> Result<Validator, String> {
        if let Some(t) = s.strip_prefix("entropy>=") {
            let v: f64 = t
                .parse()
                .map_err(|_| format!("validator '{s}': bad threshold"))?;
            if !(0.0..=8.0).contains(&v) {
                return Err(format!(
                    "validator '{s}': threshold must be within 0..8 bits"
                ));
            }
            return Ok(Validator::Entropy(v));
        }
        if let Some(list) = s.strip_prefix("phone:") {
            return PhoneRegions::parse(list).map(Validator::Phone);
        }
        Ok(match s {
            "luhn" => Validator::Luhn,
            "iban" => Validator::Iban,
            "github-crc32" => Validator::GithubCrc32,
            "atlassian-crc32" => Validator::AtlassianCrc32,
            "canary" => Validator::Canary,
            "ssn" => Validator::Ssn,
            "ipv4" => Validator::Ipv4,
            "ipv6" => Validator::Ipv6,
            "ip-host" => Validator::IpHost,
            "jwt" => Validator::Jwt,
            "gitlab-routable-crc32" => Validator::GitlabRoutable,
            "bech32" => Validator::Bech32,
            "pypi-macaroon" => Validator::PypiMacaroon,
            "not-placeholder" => Validator::NotPlaceholder,
            "not-template" => Validator::NotTemplate,
            "not-algorithm-name" => Validator::NotAlgorithmName,
            _ => match IdCheck::parse(s) {
                Some(id) => Validator::Id(id),
                None => {
                    return Err(format!(
                    "unknown validator '{s}' (known: luhn, iban, github-crc32, atlassian-crc32, \
                         canary, ssn, ipv4, ipv6, ip-host, jwt, gitlab-routable-crc32, bech32, \
                         pypi-macaroon, not-placeholder, not-template, not-algorithm-name, entropy>=N, phone:REGIONS, {})",
                    IdCheck::names().collect::<Vec<_>>().join(", ")
                ))
                }
            },
        })
    }

    /// The name as written in rule files.
    pub fn name(&self) -> String {
        match self {
            Validator::Luhn => "luhn".into(),
            Validator::Iban => "iban".into(),
            Validator::GithubCrc32 => "github-crc32".into(),
            Validator::AtlassianCrc32 => "atlassian-crc32".into(),
            Validator::Canary => "canary".into(),
            Validator::Ssn => "ssn".into(),
            Validator::Ipv4 => "ipv4".into(),
            Validator::Ipv6 => "ipv6".into(),
            Validator::IpHost => "ip-host".into(),
            Validator::Jwt => "jwt".into(),
            Validator::GitlabRoutable => "gitlab-routable-crc32".into(),
            Validator::Bech32 => "bech32".into(),
            Validator::PypiMacaroon => "pypi-macaroon".into(),
            Validator::Entropy(t) => format!("entropy>={t}"),
            Validator::NotPlaceholder => "not-placeholder".into(),
            Validator::NotTemplate => "not-template".into(),
            Validator::NotAlgorithmName => "not-algorithm-name".into(),
            Validator::Id(id) => id.name().into(),
            Validator::Phone(ref r) => format!("phone:{}", r.ids().collect::<Vec<_>>().join(",")),
        }
    }

    /// Whether this is a checksum (a passing one makes a finding certain), not a gate.
    pub fn is_checksum(&self) -> bool {
        self.effect() == Effect::Checksum
    }

    pub(crate) fn effect(&self) -> Effect {
        match self {
            Validator::Luhn
            | Validator::Iban
            | Validator::GithubCrc32
            | Validator::AtlassianCrc32
            | Validator::GitlabRoutable
            | Validator::Bech32
            | Validator::PypiMacaroon
            | Validator::Canary => Effect::Checksum,
            Validator::Id(id) if !id.is_gate() => Effect::Checksum,
            _ => Effect::Gate,
        }
    }

    /// Runs the check on `value` (the bytes a finding would redact).
    pub fn check(&self, value: &[u8]) -> bool {
        match *self {
            Validator::Phone(ref r) => r.check(value),
            Validator::Luhn => checksum::luhn_valid(value),
            Validator::Iban => checksum::iban_valid(value),
            Validator::GithubCrc32 => checksum::github_crc32_valid(value),
            Validator::AtlassianCrc32 => checksum::atlassian_crc32_valid(value),
            Validator::Canary => canary::is_valid(value),
            Validator::Ssn => structure::ssn_valid(value),
            Validator::Ipv4 => structure::ipv4_valid(value),
            Validator::Ipv6 => structure::ipv6_valid(value),
            Validator::IpHost => structure::ip_host(value),
            Validator::Jwt => structure::jwt_valid(value),
            Validator::GitlabRoutable => gitlab_routable::gitlab_routable_valid(value),
            Validator::Bech32 => bech32::bech32_valid(value),
            Validator::PypiMacaroon => macaroon::pypi_token_valid(value),
            Validator::Entropy(t) => entropy::shannon_entropy(value) >= t,
            Validator::NotPlaceholder => !structure::is_placeholder(value),
            Validator::NotTemplate => !structure::is_template(value),
            Validator::NotAlgorithmName => !structure::is_ssh_algorithm_name(value),
            Validator::Id(id) => id.outcome(value).unwrap_or(true),
        }
    }

    /// The check's outcome, or `None` when `value` carries nothing to check (an
    /// all-lowercase Ethereum address has no EIP-55 checksum): the confidence then stays
    /// where the rule puts it.
    pub(crate) fn outcome(&self, value: &[u8]) -> Option<bool> {
        match *self {
            Validator::Id(id) => id.outcome(value),
            _ => Some(self.check(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{IdCheck, Validator};

    /// An identifier check shadowed by a built-in validator of the same name would silently
    /// run the wrong check (it happened: two `bech32`s, one without Bech32m).
    #[test]
    fn identifier_check_names_reach_their_checks() {
        for name in IdCheck::names() {
            assert!(
                matches!(Validator::parse(name), Ok(Validator::Id(_))),
                "validator name '{name}' is taken by a built-in validator"
            );
        }
    }
}
