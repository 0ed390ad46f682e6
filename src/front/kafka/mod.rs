//! The Kafka consumer-group connector (cargo feature `kafka`): consumes a topic of raw
//! records as a member of a consumer group, redacts every record and writes it to a clean
//! topic.
//!
//! ```text
//! shipper ──► raw topic ──► N × blackbar kafka (one group) ──► clean topic ──► sink
//! ```
//!
//! Instances with the same group split the input topic's partitions between them, as Kafka
//! assigns them; keyed actions (`hash`, `token`) need only the shared key, so instances
//! never coordinate. Built on librdkafka (the `rdkafka` crate, librdkafka compiled from its
//! vendored source).
//!
//! # Records
//!
//! A record's value is redacted as one event ([`KafkaConfig::format`]): text, or one JSON
//! document where only string values change (see `record.rs` and [`crate::json`]). A value
//! that is not valid JSON is redacted as text, never passed raw. Values longer than 64 KiB
//! are streamed through the redactor in pieces, so its working memory stays bounded
//! whatever the record's size. Each record is redacted on its own: the same record gives the
//! same output on every instance and every redelivery (`placeholder` numbers per record).
//!
//! The key, the headers and the timestamp are kept as they are (they are not redacted: put
//! no values in them). The output partition follows the key (murmur2, as the Java client
//! does; records without a key are spread at random), and the producer is idempotent, so
//! the records of one key stay in order. A record whose finding's action is `drop` is not
//! written. Tombstones (no value) are written as tombstones.
//!
//! # At least once
//!
//! An offset is committed only when the redacted copies of that record and of every record
//! before it in its partition have been acknowledged by the broker (`offsets.rs`); commits
//! happen every [`KafkaConfig::commit_interval`], and synchronously before partitions are
//! given up in a rebalance and at the stop. After a clean stop or a rebalance, the next
//! owner of a partition starts right after the last written record. After a crash, the
//! records written since the last commit are written again: duplicates, never gaps.
//! Exactly-once (transactions) is not offered.
//!
//! # Failing closed
//!
//! A record is never forwarded raw. If a value cannot be redacted, or its redacted copy
//! cannot be written (refused by the broker, too large, retries exhausted), the connector
//! stops with [`ConnectorError::Redaction`] or [`ConnectorError::Write`], naming the topic,
//! partition and offset, never the value; that record and everything after it in its
//! partition stay uncommitted and are consumed again on the next start. The records before
//! it that were acknowledged are committed.
//!
//! # Group life
//!
//! * **Rebalance:** before partitions are given up, in-flight records are flushed and their
//!   offsets committed (within [`KafkaConfig::grace`]).
//! * **Stop** ([`Stopper::stop`], SIGTERM in the command): consuming stops, in-flight
//!   records are flushed and committed, and the consumer leaves the group at once, so its
//!   partitions move without waiting for the session timeout.
//! * **Restart:** consumption resumes from the committed offsets (a new group starts at the
//!   earliest offset; `auto.offset.reset` changes that).
//! * **Broker lost mid-run:** librdkafka reconnects and retries; records wait in flight
//!   (not committed) until acknowledged.
//! * **Broker down at start:** [`Connector::new`] checks within
//!   [`KafkaConfig::connect_timeout`] that the brokers answer and both topics exist, and
//!   fails with one error otherwise.
//!
//! # Client properties
//!
//! [`Properties`] are librdkafka's (security, SASL, TLS, tuning), for both clients or, as
//! `consumer.KEY` / `producer.KEY`, for one. blackbar sets `enable.auto.commit=false` and
//! `enable.auto.offset.store=false` (not changeable), and defaults that a property may
//! change: `auto.offset.reset=earliest`, `enable.idempotence=true`,
//! `partitioner=murmur2_random`, `queue.buffering.max.kbytes=65536`,
//! `statistics.interval.ms=5000` (the consumer lag metric), `client.id=blackbar`.
//!
//! # Metrics
//!
//! [`Metrics`] counts records and bytes in and out, records by how they were read, findings
//! by rule and category, errors by kind, records in flight and the consumer lag of each
//! assigned partition; [`serve_metrics`] serves them for Prometheus.
//!
//! # Example
//!
//! ```no_run
//! use blackbar::kafka::{Connector, KafkaConfig};
//! let redactor = blackbar::Redactor::builder().build()?;
//! let config = KafkaConfig::new("kafka-1:9092", "redact", "logs-raw", "logs-clean");
//! let connector = Connector::new(config, redactor)?;
//! let stopper = connector.stopper(); // stopper.stop() from a signal handler
//! connector.run()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "kafka")]
mod config;
#[cfg(feature = "kafka")]
mod connector;
#[cfg(feature = "kafka")]
mod metrics;
#[cfg(feature = "kafka")]
mod offsets;
// Built with `testkit` alone too: the record fuzz target needs no Kafka client.
#[cfg_attr(not(feature = "kafka"), allow(dead_code))]
pub(crate) mod record;

#[cfg(feature = "kafka")]
pub use self::config::{KafkaConfig, Properties};
#[cfg(feature = "kafka")]
pub use self::connector::{Connector, ConnectorError, Stopper};
#[cfg(feature = "kafka")]
pub use self::metrics::{serve as serve_metrics, ErrorKind, Metrics};

/// The `rdkafka` crate the connector is built on, for blackbar's own tests (producing raw
/// records and reading the clean topic with the same client). Not a stable API.
#[cfg(all(feature = "kafka", feature = "testkit"))]
#[doc(hidden)]
pub use rdkafka;
