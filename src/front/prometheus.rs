//! The Prometheus text exposition format, written by the front ends that serve `/metrics`
//! (the proxy, the Kafka connector).
//!
//! Label values are escaped here; the callers put rule ids, categories, topics and status
//! codes in labels, never a matched value.

use std::fmt::{Display, Write};

/// The type of a metric family.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// A metrics page being written: families, each a `# HELP` and `# TYPE` line followed by
/// its samples.
#[derive(Debug, Default)]
pub(crate) struct Exposition {
    out: String,
}

impl Exposition {
    /// Starts the family `name`.
    pub(crate) fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Exposition {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        self
    }

    /// One sample, `name{label="value",...} value`.
    pub(crate) fn sample(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        value: impl Display,
    ) -> &mut Exposition {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (label, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{label}=\"{}\"", escape(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
        self
    }

    /// The page.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Escapes a label value (rule ids are `[a-z0-9-]`, but user rule files and topic names may
/// say more).
fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\\', '"', '\n']) {
        return s.into();
    }
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_samples_and_escapes() {
        let mut e = Exposition::default();
        e.family("x_total", Kind::Counter, "Things.")
            .sample("x_total", &[], 3)
            .sample("x_total", &[("rule", "a\"b\\c\nd"), ("k", "v")], 1.5);
        assert_eq!(
            e.finish(),
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n\
             x_total{rule=\"a\\\"b\\\\c\\nd\",k=\"v\"} 1.5\n"
        );
    }
}
