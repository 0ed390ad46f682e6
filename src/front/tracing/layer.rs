//! [`RedactLayer`]: an inner [`Layer`] sees event and span field values only after redaction.

use std::any::TypeId;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use tracing_core::field::{display, DisplayValue, Field, FieldSet, Value, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Dispatch, Event, Interest, LevelFilter, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::scratch::{Scratch, Shared, Which, NOTICE};
use crate::redactor::Redactor;

/// Wraps a [`Layer`] so that it sees every event and span with its field values redacted.
///
/// Events and span attributes whose values need no change are passed on as they are (no
/// copy); otherwise the layer builds a copy with the same metadata, parent and fields and
/// hands that to the inner layer. See [the module documentation](crate::tracing) for exactly
/// what is covered.
///
/// # Example
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let redactor = blackbar::Redactor::builder().build()?;
/// let layer = blackbar::tracing::RedactLayer::new(redactor, tracing_subscriber::fmt::layer());
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(card = "4111 1111 1111 1111", "charged"); // card=[CREDIT_CARD]
/// });
/// # Ok::<(), blackbar::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RedactLayer<L> {
    inner: L,
    shared: Arc<Shared>,
}

impl<L> RedactLayer<L> {
    /// Redacts with `redactor` (shared with the rest of the service by cloning it).
    pub fn new(redactor: Redactor, inner: L) -> RedactLayer<L> {
        RedactLayer {
            inner,
            shared: Shared::from_redactor(redactor),
        }
    }

    /// The default catalog and policy, in one call.
    ///
    /// # Errors
    ///
    /// Only if the embedded catalog fails to build (never in a released build).
    pub fn with_default_catalog(inner: L) -> Result<RedactLayer<L>, crate::Error> {
        Ok(RedactLayer::new(Redactor::builder().build()?, inner))
    }

    /// The wrapped layer.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// Test hook: every redaction fails, so every field value becomes the notice.
    #[doc(hidden)]
    pub fn fail_every_record(mut self) -> RedactLayer<L> {
        let mut shared = (*self.shared).clone();
        shared.fail = true;
        self.shared = Arc::new(shared);
        self
    }
}

/// One field's value as the inner layer will see it.
enum Slot {
    /// Not recorded.
    Empty,
    /// Unchanged values that cannot carry text.
    F64(f64),
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    /// A string value (recorded with `record_str`).
    Str(String),
    /// Recorded with `record_debug` (or an error): its text, shown as is.
    Text(DisplayValue<String>),
    Bytes(Box<[u8]>),
}

impl Slot {
    fn as_value(&self) -> Option<&dyn Value> {
        Some(match self {
            Slot::Empty => return None,
            Slot::F64(v) => v,
            Slot::Bool(v) => v,
            Slot::I64(v) => v,
            Slot::U64(v) => v,
            Slot::I128(v) => v,
            Slot::U128(v) => v,
            Slot::Str(v) => v,
            Slot::Text(v) => v,
            Slot::Bytes(v) => v,
        })
    }
}

/// Visits a value set, redacting every text value into `slots`.
struct Redacting<'a> {
    scratch: &'a mut Scratch,
    slots: &'a mut Vec<Slot>,
    changed: bool,
}

impl Redacting<'_> {
    /// The redacted text of field `name`'s value `bytes`, or `None` if unchanged.
    ///
    /// A field named like a sensitive key (`password`, `api_key`... as in the JSON mode)
    /// is replaced whole. Otherwise the rules see `name=value`, the way the value appears in
    /// a formatted record, so that rules needing a keyword before the value (`password=`,
    /// `aws_secret=`) match as they do in the writer's output.
    fn redact(&mut self, name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
        if self
            .scratch
            .shared
            .json
            .options()
            .keys
            .matches(name.as_bytes())
        {
            return Some(crate::json::REDACTED.as_bytes().to_vec());
        }
        let input = &mut self.scratch.input;
        input.clear();
        input.extend_from_slice(name.as_bytes());
        input.push(b'=');
        let prefix = input.len();
        input.extend_from_slice(bytes);
        if !self.scratch.redact_text(Which::Input) {
            return Some(crate::json::REDACTED.as_bytes().to_vec());
        }
        let (out, input) = (&self.scratch.out, &self.scratch.input);
        if out == input {
            return None;
        }
        Some(match out.strip_prefix(&input[..prefix]) {
            Some(value) => value.to_vec(),
            // A finding reached into the name: the whole redacted text stands for the value.
            None => out.clone(),
        })
    }

    fn put(&mut self, field: &Field, slot: Slot) {
        if let Some(s) = self.slots.get_mut(field.index()) {
            *s = slot;
        }
    }

    fn text(&mut self, field: &Field, text: &str, as_str: bool) {
        let slot = match self.redact(field.name(), text.as_bytes()) {
            Some(red) => {
                self.changed = true;
                String::from_utf8_lossy(&red).into_owned()
            }
            None => text.to_owned(),
        };
        self.put(
            field,
            if as_str {
                Slot::Str(slot)
            } else {
                Slot::Text(display(slot))
            },
        );
    }

    /// Integers are scanned as their decimal text (an SSN or a card number logged as a
    /// number); a redacted one becomes a string.
    fn integer(&mut self, field: &Field, value: impl fmt::Display, slot: Slot) {
        let mut buf = [0u8; 48];
        let n = {
            let mut cursor = std::io::Cursor::new(&mut buf[..]);
            let _ = std::io::Write::write_fmt(&mut cursor, format_args!("{value}"));
            cursor.position() as usize
        };
        match self.redact(field.name(), &buf[..n]) {
            Some(red) => {
                self.changed = true;
                let text = String::from_utf8_lossy(&red).into_owned();
                self.put(field, Slot::Str(text));
            }
            None => self.put(field, slot),
        }
    }
}

impl Visit for Redacting<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Slot::F64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Slot::Bool(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.integer(field, value, Slot::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.integer(field, value, Slot::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.integer(field, value, Slot::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.integer(field, value, Slot::U128(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value, true);
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        let slot = match self.redact(field.name(), value) {
            Some(red) => {
                self.changed = true;
                red
            }
            None => value.to_vec(),
        };
        self.put(field, Slot::Bytes(slot.into_boxed_slice()));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // The error's text, source chain included, as one value.
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        self.text(field, &text, false);
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        self.text(field, &text, false);
    }
}

/// After a failure: every recorded field becomes the notice. Never formats a value.
struct Withhold<'a>(&'a mut Vec<Slot>);

impl Visit for Withhold<'_> {
    fn record_debug(&mut self, field: &Field, _: &dyn fmt::Debug) {
        if let Some(s) = self.0.get_mut(field.index()) {
            *s = Slot::Text(display(NOTICE.to_owned()));
        }
    }
}

impl<L> RedactLayer<L> {
    /// The redacted values of `record` (a value set of `fields`), or `None` when nothing
    /// changed and the original can be passed on.
    fn redact_values(
        &self,
        fields: &FieldSet,
        record: impl Fn(&mut dyn Visit),
    ) -> Option<Vec<Slot>> {
        let mut slots: Vec<Slot> = std::iter::repeat_with(|| Slot::Empty)
            .take(fields.len())
            .collect();
        let mut scratch = Scratch::take(&self.shared);
        let done = catch_unwind(AssertUnwindSafe(|| {
            let mut v = Redacting {
                scratch: &mut scratch,
                slots: &mut slots,
                changed: false,
            };
            record(&mut v);
            v.changed
        }));
        match done {
            Ok(changed) => {
                scratch.give_back();
                changed.then_some(slots)
            }
            Err(_) => {
                slots.iter_mut().for_each(|s| *s = Slot::Empty);
                // The scratch saw a panic: not reused.
                let _ = catch_unwind(AssertUnwindSafe(|| record(&mut Withhold(&mut slots))));
                Some(slots)
            }
        }
    }
}

fn values(slots: &[Slot]) -> Vec<Option<&dyn Value>> {
    slots.iter().map(Slot::as_value).collect()
}

impl<S, L> Layer<S> for RedactLayer<L>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    L: Layer<S>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        self.inner.on_register_dispatch(subscriber);
    }

    fn on_layer(&mut self, subscriber: &mut S) {
        self.inner.on_layer(subscriber);
    }

    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.inner.register_callsite(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: Context<'_, S>) -> bool {
        self.inner.enabled(metadata, ctx)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        let Some(slots) = self.redact_values(meta.fields(), |v| attrs.record(v)) else {
            return self.inner.on_new_span(attrs, id, ctx);
        };
        let values = values(&slots);
        let set = meta.fields().value_set_all(&values);
        let copy = if attrs.is_contextual() {
            Attributes::new(meta, &set)
        } else if let Some(parent) = attrs.parent() {
            Attributes::child_of(parent.clone(), meta, &set)
        } else {
            Attributes::new_root(meta, &set)
        };
        self.inner.on_new_span(&copy, id, ctx);
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.inner.max_level_hint()
    }

    fn on_record(&self, span: &Id, values_in: &Record<'_>, ctx: Context<'_, S>) {
        let Some(meta) = ctx.metadata(span) else {
            // Unknown span: its fields cannot be rebuilt, so they are not passed on.
            return;
        };
        let Some(slots) = self.redact_values(meta.fields(), |v| values_in.record(v)) else {
            return self.inner.on_record(span, values_in, ctx);
        };
        let values = values(&slots);
        let set = meta.fields().value_set_all(&values);
        self.inner.on_record(span, &Record::new(&set), ctx);
    }

    fn on_follows_from(&self, span: &Id, follows: &Id, ctx: Context<'_, S>) {
        self.inner.on_follows_from(span, follows, ctx);
    }

    fn event_enabled(&self, event: &Event<'_>, ctx: Context<'_, S>) -> bool {
        let mut enabled = true;
        self.with_redacted(event, |e| enabled = self.inner.event_enabled(e, ctx));
        enabled
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.with_redacted(event, |e| self.inner.on_event(e, ctx));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        self.inner.on_exit(id, ctx);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        self.inner.on_close(id, ctx);
    }

    fn on_id_change(&self, old: &Id, new: &Id, ctx: Context<'_, S>) {
        self.inner.on_id_change(old, new, ctx);
    }

    #[allow(unsafe_code)]
    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        if id == TypeId::of::<Self>() {
            return Some(self as *const Self as *const ());
        }
        // SAFETY: forwarded as is; the inner layer upholds the contract for its own types.
        unsafe { self.inner.downcast_raw(id) }
    }
}

impl<L> RedactLayer<L> {
    /// Calls `f` with `event`, or with a redacted copy of it when a value changed.
    fn with_redacted(&self, event: &Event<'_>, f: impl FnOnce(&Event<'_>)) {
        let meta = event.metadata();
        let Some(slots) = self.redact_values(meta.fields(), |v| event.record(v)) else {
            return f(event);
        };
        let values = values(&slots);
        let set = meta.fields().value_set_all(&values);
        let copy = if event.is_contextual() {
            Event::new(meta, &set)
        } else {
            Event::new_child_of(event.parent().cloned(), meta, &set)
        };
        f(&copy);
    }
}
