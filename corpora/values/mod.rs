//! Planted values for the labeled corpora: the PII and secret generators, as one list.
//!
//! `pii.rs` and `secrets.rs` each export `PLANTS: &[(rule id, fn(seed) -> (lead, value))]`
//! (the shared interface of issue 8); this module tags each entry with its category.

pub mod pii;
pub mod secrets;

use blackbar::Category;

/// One planted-value generator.
#[derive(Clone, Copy)]
pub struct Plant {
    /// The rule that must report the value.
    pub rule: &'static str,
    /// The rule's category.
    pub category: Category,
    /// Makes `(lead, value)` from a seed.
    pub make: fn(u64) -> (String, String),
}

/// Every PII plant, in `pii::PLANTS` order.
pub fn pii() -> Vec<Plant> {
    tagged(pii::PLANTS, Category::Pii)
}

/// Every secret plant, in `secrets::PLANTS` order.
pub fn secrets() -> Vec<Plant> {
    tagged(secrets::PLANTS, Category::Secret)
}

fn tagged(list: &[(&'static str, fn(u64) -> (String, String))], category: Category) -> Vec<Plant> {
    list.iter()
        .map(|&(rule, make)| Plant {
            rule,
            category,
            make,
        })
        .collect()
}
