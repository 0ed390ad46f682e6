"""The OpenTelemetry Python SDK's OTLP exporters against blackbar's OTLP hop.

Driven by tests/otlp_sdk.rs, which starts a fake collector (COLLECTOR_URL) and the hop in
front of it (HOP_URL, serving OTLP/HTTP and OTLP/gRPC on one port). The same log records and
the same span are exported three times each: straight to the collector over OTLP/HTTP (the
reference), through the hop over OTLP/HTTP with gzip, and through the hop over OTLP/gRPC
with gzip. The Rust side compares what the collector received. Prints one line per export
and a closing `otlp-sdk: N passed, M failed`.
"""

import os
import sys

import grpc
from opentelemetry import trace
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import (
    OTLPLogExporter as GrpcLogExporter,
)
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
    OTLPSpanExporter as GrpcSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import (
    OTLPLogExporter as HttpLogExporter,
)
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
    OTLPSpanExporter as HttpSpanExporter,
)
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

COLLECTOR = os.environ["COLLECTOR_URL"]
HOP = os.environ["HOP_URL"]
T0 = 1_700_000_000_123_456_789
TRACE_ID = 0x5B8EFFF798038103D269B633813FC60C
SPAN_ID = 0xEEE19B7EC3C1B174

resource = Resource.create(
    {"service.name": "checkout", "owner.email": "dave@example.com"}
)
scope = InstrumentationScope(
    "blackbar-test", "1.2.3", attributes={"team.contact": "carol@example.com"}
)
ctx = SpanContext(TRACE_ID, SPAN_ID, is_remote=False, trace_flags=TraceFlags(1))
in_span = trace.set_span_in_context(trace.NonRecordingSpan(ctx))

records = [
    ReadableLogRecord(
        LogRecord(
            timestamp=T0,
            observed_timestamp=T0 + 1,
            context=in_span,
            severity_text="INFO",
            severity_number=SeverityNumber.INFO,
            body="login alice@example.com",
            attributes={
                "user.email": "bob@example.com",
                "password": "Xk9#mP2vL7q!",
                "http.request.header.authorization": "Bearer eyJ0b2tlbiI6InNlY3JldCJ9",
                "retries": 3,
                "ratio": 0.25,
                "ok": True,
                "tags": ("a", "mallory@example.com"),
            },
            event_name="user.login",
        ),
        resource=resource,
        instrumentation_scope=scope,
    ),
    ReadableLogRecord(
        LogRecord(
            timestamp=T0 + 1000,
            observed_timestamp=T0 + 1001,
            severity_text="ERROR",
            severity_number=SeverityNumber.ERROR,
            body={
                "msg": "key AKIAQ3EGRZ4XWMJ7VN2K",
                "n": 7,
                "nested": {"email": "trent@example.com"},
                "db.password": 1234,
            },
        ),
        resource=resource,
        instrumentation_scope=scope,
    ),
]

span = ReadableSpan(
    name="GET /users/erin@example.com",
    context=ctx,
    parent=SpanContext(TRACE_ID, 0x1111, is_remote=False),
    resource=resource,
    attributes={
        "http.url": "https://shop.example.com/reset?email=ivan@example.com",
        "db.statement": "SELECT * FROM users WHERE email = 'heidi@example.com'",
        "db.password": "s3cr3t-Pa55w0rd",
        "http.status_code": 404,
    },
    events=[
        Event(
            "exception",
            {"exception.message": "no user frank@example.com", "exception.type": "NotFound"},
            timestamp=T0 + 5,
        )
    ],
    links=[
        Link(
            SpanContext(0x1234, 0x5678, is_remote=True),
            {"peer.email": "judy@example.com"},
        )
    ],
    kind=SpanKind.SERVER,
    status=Status(StatusCode.ERROR, "failed for grace@example.com"),
    start_time=T0,
    end_time=T0 + 9_000_000,
    instrumentation_scope=scope,
)

hop_grpc = HOP.removeprefix("http://")
exports = [
    ("logs, http, direct", HttpLogExporter(endpoint=f"{COLLECTOR}/v1/logs"), records),
    (
        "logs, http gzip, hop",
        HttpLogExporter(endpoint=f"{HOP}/v1/logs", compression=Compression.Gzip),
        records,
    ),
    (
        "logs, grpc gzip, hop",
        GrpcLogExporter(endpoint=hop_grpc, insecure=True, compression=grpc.Compression.Gzip),
        records,
    ),
    ("spans, http, direct", HttpSpanExporter(endpoint=f"{COLLECTOR}/v1/traces"), [span]),
    (
        "spans, http gzip, hop",
        HttpSpanExporter(endpoint=f"{HOP}/v1/traces", compression=Compression.Gzip),
        [span],
    ),
    (
        "spans, grpc gzip, hop",
        GrpcSpanExporter(endpoint=hop_grpc, insecure=True, compression=grpc.Compression.Gzip),
        [span],
    ),
]

passed = failed = 0
for name, exporter, batch in exports:
    result = exporter.export(batch)
    ok = result in (LogRecordExportResult.SUCCESS, SpanExportResult.SUCCESS)
    print(f"{'ok' if ok else 'FAILED'}: {name}: {result}")
    passed += ok
    failed += not ok
    exporter.shutdown()
print(f"otlp-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
