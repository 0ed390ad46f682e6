//! The parts of OTLP's messages the hop looks into, for both encodings: which fields are
//! messages to walk, which strings are scanned, and which messages a `drop` removes.
//!
//! Everything the schema does not name (numbers, severities, timestamps, flags, trace and
//! span ids, `trace_state`, schema URLs, scope names and versions, severity texts, fields
//! added to OTLP after this was written) is copied as it came. Scanned are the free text
//! fields: log bodies, every attribute value (of records, spans, span events and links,
//! scopes and resources; strings, byte strings, and the values inside arrays and key/value
//! lists, recursively), span, event and log event names, and span status messages.

/// A message type of the OTLP logs and traces requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Msg {
    LogsRequest,
    ResourceLogs,
    ScopeLogs,
    LogRecord,
    TracesRequest,
    ResourceSpans,
    ScopeSpans,
    Span,
    Event,
    Link,
    Status,
    Resource,
    Scope,
    KeyValue,
    AnyValue,
    ArrayValue,
    KvList,
}

/// What a field of a message is to the hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// A message to walk into.
    Message(Msg),
    /// A string to scan.
    Text,
    /// A byte string to scan (`AnyValue.bytes_value`; base64 in JSON).
    Bytes,
    /// `KeyValue.key`: decides whether the value is sensitive.
    Key,
    /// A field of the schema the hop does not scan (ids, timestamps, names of things):
    /// copied as it came.
    Known,
    /// A field the hop does not know (newer than it, or a vendor's): copied as it came,
    /// after its text was checked for findings (see [`super`]).
    Unknown,
}

impl Msg {
    /// Whether a `drop` finding inside this message (and not inside a smaller one that a
    /// drop removes) removes it: a log record or a span, or a scope's or resource's group
    /// when the finding is in the scope's or resource's own attributes.
    pub(crate) fn droppable(self) -> bool {
        matches!(
            self,
            Msg::ResourceLogs
                | Msg::ScopeLogs
                | Msg::LogRecord
                | Msg::ResourceSpans
                | Msg::ScopeSpans
                | Msg::Span
        )
    }

    /// The field with protobuf number `n`.
    pub(crate) fn field(self, n: u64) -> Field {
        use Field::{Bytes, Key, Known, Message as M, Text, Unknown};
        match (self, n) {
            (Msg::LogsRequest, 1) => M(Msg::ResourceLogs),
            (Msg::ResourceLogs, 1) | (Msg::ResourceSpans, 1) => M(Msg::Resource),
            (Msg::ResourceLogs, 2) => M(Msg::ScopeLogs),
            (Msg::ScopeLogs, 1) | (Msg::ScopeSpans, 1) => M(Msg::Scope),
            (Msg::ScopeLogs, 2) => M(Msg::LogRecord),
            (Msg::LogRecord, 5) => M(Msg::AnyValue),
            (Msg::LogRecord, 6) => M(Msg::KeyValue),
            (Msg::LogRecord, 12) => Text,
            (Msg::TracesRequest, 1) => M(Msg::ResourceSpans),
            (Msg::ResourceSpans, 2) => M(Msg::ScopeSpans),
            (Msg::ScopeSpans, 2) => M(Msg::Span),
            (Msg::Span, 5) => Text,
            (Msg::Span, 9) => M(Msg::KeyValue),
            (Msg::Span, 11) => M(Msg::Event),
            (Msg::Span, 13) => M(Msg::Link),
            (Msg::Span, 15) => M(Msg::Status),
            (Msg::Event, 2) => Text,
            (Msg::Event, 3) => M(Msg::KeyValue),
            (Msg::Link, 4) => M(Msg::KeyValue),
            (Msg::Status, 2) => Text,
            (Msg::Resource, 1) => M(Msg::KeyValue),
            (Msg::Scope, 3) => M(Msg::KeyValue),
            (Msg::KeyValue, 1) => Key,
            (Msg::KeyValue, 2) => M(Msg::AnyValue),
            (Msg::AnyValue, 1) => Text,
            (Msg::AnyValue, 5) => M(Msg::ArrayValue),
            (Msg::AnyValue, 6) => M(Msg::KvList),
            (Msg::AnyValue, 7) => Bytes,
            (Msg::ArrayValue, 1) => M(Msg::AnyValue),
            (Msg::KvList, 1) => M(Msg::KeyValue),
            // The fields the hop copies without scanning.
            (Msg::ResourceLogs | Msg::ScopeLogs | Msg::ResourceSpans | Msg::ScopeSpans, 3)
            | (Msg::LogRecord, 1..=3 | 7..=11)
            | (Msg::Span, 1..=4 | 6..=8 | 10 | 12 | 14 | 16)
            | (Msg::Event, 1 | 4)
            | (Msg::Link, 1..=3 | 5 | 6)
            | (Msg::Status, 3)
            | (Msg::Resource, 2 | 3)
            | (Msg::Scope, 1 | 2 | 4)
            | (Msg::AnyValue, 2..=4) => Known,
            _ => Unknown,
        }
    }

    /// The field named `name` in OTLP/JSON: the lowerCamelCase name, or the protobuf
    /// field name, which receivers must accept too.
    pub(crate) fn json_field(self, name: &[u8]) -> Field {
        let n = match (self, name) {
            (Msg::LogsRequest, b"resourceLogs" | b"resource_logs")
            | (Msg::TracesRequest, b"resourceSpans" | b"resource_spans")
            | (Msg::ResourceLogs | Msg::ResourceSpans, b"resource")
            | (Msg::ScopeLogs | Msg::ScopeSpans, b"scope")
            | (Msg::Resource, b"attributes")
            | (Msg::KeyValue, b"key")
            | (Msg::AnyValue, b"stringValue" | b"string_value")
            | (Msg::ArrayValue | Msg::KvList, b"values") => 1,
            (Msg::ResourceLogs, b"scopeLogs" | b"scope_logs")
            | (Msg::ResourceSpans, b"scopeSpans" | b"scope_spans")
            | (Msg::ScopeLogs, b"logRecords" | b"log_records")
            | (Msg::ScopeSpans, b"spans")
            | (Msg::Event, b"name")
            | (Msg::Status, b"message")
            | (Msg::KeyValue, b"value") => 2,
            (Msg::Scope | Msg::Event, b"attributes") => 3,
            (Msg::LogRecord, b"body") | (Msg::Span, b"name") => 5,
            (Msg::AnyValue, b"arrayValue" | b"array_value") => 5,
            (Msg::LogRecord, b"attributes") => 6,
            (Msg::AnyValue, b"kvlistValue" | b"kvlist_value") => 6,
            (Msg::AnyValue, b"bytesValue" | b"bytes_value") => 7,
            (Msg::Link, b"attributes") => 4,
            (Msg::Span, b"attributes") => 9,
            (Msg::Span, b"events") => 11,
            (Msg::LogRecord, b"eventName" | b"event_name") => 12,
            (Msg::Span, b"links") => 13,
            (Msg::Span, b"status") => 15,
            (
                Msg::ResourceLogs | Msg::ScopeLogs | Msg::ResourceSpans | Msg::ScopeSpans,
                b"schemaUrl" | b"schema_url",
            )
            | (
                Msg::LogRecord,
                b"timeUnixNano"
                | b"time_unix_nano"
                | b"observedTimeUnixNano"
                | b"observed_time_unix_nano"
                | b"severityNumber"
                | b"severity_number"
                | b"severityText"
                | b"severity_text"
                | b"flags"
                | b"traceId"
                | b"trace_id"
                | b"spanId"
                | b"span_id",
            )
            | (
                Msg::Span,
                b"traceId"
                | b"trace_id"
                | b"spanId"
                | b"span_id"
                | b"traceState"
                | b"trace_state"
                | b"parentSpanId"
                | b"parent_span_id"
                | b"flags"
                | b"kind"
                | b"startTimeUnixNano"
                | b"start_time_unix_nano"
                | b"endTimeUnixNano"
                | b"end_time_unix_nano"
                | b"droppedEventsCount"
                | b"dropped_events_count"
                | b"droppedLinksCount"
                | b"dropped_links_count",
            )
            | (Msg::Event, b"timeUnixNano" | b"time_unix_nano")
            | (
                Msg::Link,
                b"traceId" | b"trace_id" | b"spanId" | b"span_id" | b"traceState" | b"trace_state"
                | b"flags",
            )
            | (Msg::Status, b"code")
            | (Msg::Resource, b"entityRefs" | b"entity_refs")
            | (Msg::Scope, b"name" | b"version")
            | (
                Msg::AnyValue,
                b"boolValue" | b"bool_value" | b"intValue" | b"int_value" | b"doubleValue"
                | b"double_value",
            ) => return Field::Known,
            (_, b"droppedAttributesCount" | b"dropped_attributes_count") => return Field::Known,
            _ => return Field::Unknown,
        };
        self.field(n)
    }
}
