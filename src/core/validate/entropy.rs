//! Shannon entropy, used to tell random-looking secrets from words and placeholders.

/// Shannon entropy of `value` in bits per byte (0 for an empty value).
pub fn shannon_entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_example_1() {
        assert_eq!(super::shannon_entropy(b"aaaa"), 0.0);
        assert!(super::shannon_entropy(b"q8Zr2LmX0vTw") > 3.5);
    }
}
