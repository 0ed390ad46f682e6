//! What a panic prints. A panic's message may be formatted from the data being redacted (a
//! dependency's `expect` with a value in it), so the hook prints a message only when it is a
//! `&'static str`, fixed when the program was built; a formatted message is withheld. The
//! location (file and line) is always printed: it is what a bug report needs.

use std::any::Any;
use std::io::Write;
use std::panic::Location;

/// Replaces the default panic hook with [`report`] on stderr.
pub(crate) fn install() {
    std::panic::set_hook(Box::new(|info| {
        let _ = report(
            &mut std::io::stderr().lock(),
            info.payload(),
            info.location(),
        );
    }));
}

/// Writes one line about a panic: where, and its message if it is a fixed string.
pub(crate) fn report(
    w: &mut dyn Write,
    payload: &dyn Any,
    location: Option<&Location<'_>>,
) -> std::io::Result<()> {
    let at = location.map_or_else(|| "an unknown place".to_string(), |l| l.to_string());
    match payload.downcast_ref::<&'static str>() {
        Some(message) => writeln!(w, "blackbar: internal error at {at}: {message}"),
        None => writeln!(
            w,
            "blackbar: internal error at {at} (its message is withheld: it may hold input data)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_messages_are_withheld_fixed_ones_shown() {
        let secret = "AKIAIOSFODNN7EXAMPLE";
        let at = Location::caller();
        let mut out = vec![];
        report(&mut out, &format!("bad value {secret}"), Some(at)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains(secret) && text.contains("withheld"),
            "{text}"
        );
        assert!(text.contains(file!()), "{text}");
        let mut out = vec![];
        report(&mut out, &"a redaction worker stopped", None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("a redaction worker stopped"), "{text}");
    }

    /// The hook is what a real panic goes through: caught here, its formatted message never
    /// reaches the hook's output.
    #[test]
    fn a_real_panic_goes_through_the_hook() {
        let secret = String::from("hunter2-Zq8vL2pXw");
        let payload = std::panic::catch_unwind(|| {
            std::panic::panic_any(format!("value {secret}"));
        })
        .unwrap_err();
        let mut out = vec![];
        report(&mut out, &*payload, None).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains(&secret));
    }
}
