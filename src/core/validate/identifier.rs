//! The validators of identifiers with a public check digit or a fixed structure: national
//! ids ([`super::national`]), VINs, passport numbers, names, and cryptocurrency addresses
//! ([`super::crypto_address`]). Each has a rule-file name; checksum checks set a finding's
//! confidence like Luhn does, structure checks are gates.

use super::crypto_address;
use super::national;

/// One identifier check, by the name rule files give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdCheck {
    /// UK NHS number, mod 11.
    UkNhs,
    /// UK National Insurance number prefix rules (structure: there is no check digit).
    UkNino,
    /// German Steuer-ID: ISO 7064 MOD 11,10 and the digit-frequency rule.
    DeSteuerId,
    /// French NIR: key = 97 - n mod 97, Corsica 2A/2B.
    FrNir,
    /// Spanish DNI/NIE control letter.
    EsDniNie,
    /// Italian codice fiscale check character.
    ItCodiceFiscale,
    /// Dutch BSN 11-proof.
    NlBsn,
    /// Belgian national number mod 97, both centuries.
    BeNrn,
    /// Polish PESEL weights 1-3-7-9 and birth-date month.
    PlPesel,
    /// Swedish personnummer: date and Luhn.
    SePersonnummer,
    /// Finnish HETU: century sign and mod-31 check character.
    FiHetu,
    /// Indian Aadhaar: Verhoeff.
    InAadhaar,
    /// Australian TFN weights, mod 11.
    AuTfn,
    /// Australian ABN weights, mod 89.
    AuAbn,
    /// Australian Medicare weights 1-3-7-9, mod 10.
    AuMedicare,
    /// Canadian SIN: Luhn.
    CaSin,
    /// Brazilian CPF: two mod-11 digits.
    BrCpf,
    /// Brazilian CNPJ: two mod-11 digits.
    BrCnpj,
    /// Singapore NRIC/FIN check letter (S, T, F, G, M series).
    SgNric,
    /// Korean RRN check digit (numbers issued before October 2020).
    KrRrn,
    /// The first six digits are a date `YYMMDD` (structure).
    Yymmdd,
    /// US ABA routing number: prefix and 3-7-1 weights.
    AbaRouting,
    /// VIN check digit (position 9): checked for North-American VINs (first character 1-5),
    /// where it is mandatory; other regions' VINs carry nothing to check.
    Vin,
    /// Any VIN: characters and letter/digit mix (structure).
    VinStructure,
    /// Bitcoin Base58Check address.
    Base58Check,
    /// Bitcoin SegWit address, Bech32/Bech32m.
    Bech32,
    /// Ethereum EIP-55 mixed-case checksum; all-lowercase or all-uppercase is unchecked.
    Eip55,
    /// Passport number shape after a passport keyword (structure).
    Passport,
    /// Not a word that follows a name field or salutation without being a name.
    PersonName,
}

const ALL: &[(&str, IdCheck)] = &[
    ("uk-nhs", IdCheck::UkNhs),
    ("uk-nino", IdCheck::UkNino),
    ("de-steuer-id", IdCheck::DeSteuerId),
    ("fr-nir", IdCheck::FrNir),
    ("es-dni-nie", IdCheck::EsDniNie),
    ("it-codice-fiscale", IdCheck::ItCodiceFiscale),
    ("nl-bsn", IdCheck::NlBsn),
    ("be-nrn", IdCheck::BeNrn),
    ("pl-pesel", IdCheck::PlPesel),
    ("se-personnummer", IdCheck::SePersonnummer),
    ("fi-hetu", IdCheck::FiHetu),
    ("in-aadhaar", IdCheck::InAadhaar),
    ("au-tfn", IdCheck::AuTfn),
    ("au-abn", IdCheck::AuAbn),
    ("au-medicare", IdCheck::AuMedicare),
    ("ca-sin", IdCheck::CaSin),
    ("br-cpf", IdCheck::BrCpf),
    ("br-cnpj", IdCheck::BrCnpj),
    ("sg-nric", IdCheck::SgNric),
    ("kr-rrn", IdCheck::KrRrn),
    ("yymmdd", IdCheck::Yymmdd),
    ("aba-routing", IdCheck::AbaRouting),
    ("vin", IdCheck::Vin),
    ("vin-structure", IdCheck::VinStructure),
    ("base58check", IdCheck::Base58Check),
    ("segwit-address", IdCheck::Bech32),
    ("eip55", IdCheck::Eip55),
    ("passport", IdCheck::Passport),
    ("person-name", IdCheck::PersonName),
];

impl IdCheck {
    /// The check with this rule-file name.
    pub fn parse(name: &str) -> Option<IdCheck> {
        ALL.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
    }

    /// Every rule-file name, for error messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ALL.iter().map(|(n, _)| *n)
    }

    /// The rule-file name.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| *n)
            .expect("every check is listed")
    }

    /// Whether this is a structure check (a gate) rather than a check digit.
    pub fn is_gate(self) -> bool {
        matches!(
            self,
            IdCheck::UkNino
                | IdCheck::VinStructure
                | IdCheck::Passport
                | IdCheck::PersonName
                | IdCheck::Yymmdd
        )
    }

    /// The outcome on `value`: `None` when the value carries no checksum to check (an
    /// all-lowercase Ethereum address).
    pub fn outcome(self, value: &[u8]) -> Option<bool> {
        Some(match self {
            IdCheck::UkNhs => national::nhs_valid(value),
            IdCheck::UkNino => national::uk_nino_valid(value),
            IdCheck::DeSteuerId => national::steuer_id_valid(value),
            IdCheck::FrNir => national::nir_valid(value),
            IdCheck::EsDniNie => national::dni_nie_valid(value),
            IdCheck::ItCodiceFiscale => national::codice_fiscale_valid(value),
            IdCheck::NlBsn => national::bsn_valid(value),
            IdCheck::BeNrn => national::be_nrn_valid(value),
            IdCheck::PlPesel => national::pesel_valid(value),
            IdCheck::SePersonnummer => national::personnummer_valid(value),
            IdCheck::FiHetu => national::hetu_valid(value),
            IdCheck::InAadhaar => national::aadhaar_valid(value),
            IdCheck::AuTfn => national::tfn_valid(value),
            IdCheck::AuAbn => national::abn_valid(value),
            IdCheck::AuMedicare => national::medicare_valid(value),
            IdCheck::CaSin => national::sin_valid(value),
            IdCheck::BrCpf => national::cpf_valid(value),
            IdCheck::BrCnpj => national::cnpj_valid(value),
            IdCheck::SgNric => national::nric_valid(value),
            IdCheck::KrRrn => national::rrn_valid(value),
            IdCheck::Yymmdd => national::yymmdd_valid(value),
            IdCheck::AbaRouting => national::aba_valid(value),
            IdCheck::Vin if !matches!(value.first(), Some(b'1'..=b'5')) => return None,
            IdCheck::Vin => national::vin_valid(value),
            IdCheck::VinStructure => national::vin_structure_valid(value),
            IdCheck::Base58Check => crypto_address::base58check_address_valid(value),
            IdCheck::Bech32 => crypto_address::segwit_address_valid(value),
            IdCheck::Eip55 => return crypto_address::eip55_checksummed(value),
            IdCheck::Passport => national::passport_valid(value),
            IdCheck::PersonName => national::person_name_valid(value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in IdCheck::names() {
            assert_eq!(IdCheck::parse(name).unwrap().name(), name);
        }
        assert_eq!(IdCheck::parse("nope"), None);
    }
}
