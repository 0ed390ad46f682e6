//! The consumer-group loop: consume a record, redact it, produce the redacted copy, and
//! commit offsets whose copies the broker acknowledged.
//!
//! One thread runs the loop and everything it calls back: the consumer's rebalance and
//! commit callbacks run inside its `poll`, and the producer's delivery reports inside the
//! producer's `poll` and `flush`, both called from the loop. So when a flush returns, every
//! delivery report it waited for has been applied to the offsets. At the stop the loop has
//! ended and hands the consumer to a closing thread, whose time is bounded (see
//! [`Connector::run`]).

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::statistics::Statistics;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use tracing::{debug, error, info, warn};

use super::config::{KafkaConfig, Scope};
use super::metrics::{ErrorKind, Metrics};
use super::offsets::Offsets;
use super::record::RecordRedactor;
use crate::redactor::Redactor;

/// The target of librdkafka's own log lines.
const LIBRDKAFKA: &str = "blackbar::kafka::librdkafka";

/// How long one `poll` of the consumer waits for a record.
const POLL: Duration = Duration::from_millis(100);

/// Why the connector could not start, or stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorError {
    /// librdkafka refused a property: its name and why (never its value).
    Property {
        /// The property.
        key: String,
        /// librdkafka's reason.
        problem: String,
    },
    /// The brokers did not answer within the start-up check's time.
    Unreachable {
        /// The bootstrap brokers.
        brokers: String,
        /// How long the check waited.
        timeout: Duration,
        /// What the client reported.
        reason: String,
    },
    /// A topic does not exist or cannot be described.
    Topic {
        /// `input` or `output`.
        role: &'static str,
        /// The topic.
        topic: String,
        /// What the brokers said.
        reason: String,
    },
    /// A record could not be redacted: the connector stopped without committing it.
    Redaction {
        /// The input topic.
        topic: String,
        /// The record's partition.
        partition: i32,
        /// The record's offset.
        offset: i64,
    },
    /// A redacted record could not be written: the connector stopped without committing it.
    Write {
        /// The input topic.
        topic: String,
        /// The input record's partition.
        partition: i32,
        /// The input record's offset.
        offset: i64,
        /// What the producer reported.
        reason: String,
    },
    /// Consuming failed for good (authorization, a fatal client error).
    Consume(String),
    /// At the stop, redacted records were still unacknowledged when the grace period ran
    /// out: they were not committed and are consumed again on the next start.
    Unacknowledged {
        /// How many.
        records: usize,
        /// The grace period.
        grace: Duration,
    },
    /// Another client error (subscribing to the input topic).
    Client(String),
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectorError::Property { key, problem } => {
                write!(f, "kafka property {key}: {problem}")
            }
            ConnectorError::Unreachable {
                brokers,
                timeout,
                reason,
            } => write!(
                f,
                "cannot reach the Kafka brokers {brokers} within {}s: {reason}",
                timeout.as_secs_f64()
            ),
            ConnectorError::Topic {
                role,
                topic,
                reason,
            } => write!(f, "{role} topic {topic}: {reason}"),
            ConnectorError::Redaction {
                topic,
                partition,
                offset,
            } => write!(
                f,
                "the record at {topic} partition {partition} offset {offset} could not be \
                 redacted: stopped without committing it (it is consumed again on the next start)"
            ),
            ConnectorError::Write {
                topic,
                partition,
                offset,
                reason,
            } => write!(
                f,
                "the redacted copy of the record at {topic} partition {partition} offset \
                 {offset} could not be written ({reason}): stopped without committing it (it is \
                 consumed again on the next start)"
            ),
            ConnectorError::Consume(reason) => write!(f, "consuming failed: {reason}"),
            ConnectorError::Unacknowledged { records, grace } => write!(
                f,
                "stopped with {records} redacted records unacknowledged after {}s: they were \
                 not committed and are consumed again on the next start",
                grace.as_secs_f64()
            ),
            ConnectorError::Client(reason) => write!(f, "kafka client: {reason}"),
        }
    }
}

impl std::error::Error for ConnectorError {}

/// Asks a running connector to stop: it stops consuming, lets in-flight records be
/// acknowledged, commits and leaves the group. Cheap to clone; safe from any thread (a
/// signal handler's task).
#[derive(Clone, Debug, Default)]
pub struct Stopper(Arc<AtomicBool>);

impl Stopper {
    /// Requests the stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn stopping(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The consumer-group connector: consumes the input topic as a member of the group,
/// redacts every record and writes it to the output topic, committing at least once.
///
/// See the [module docs](super) for the guarantees.
pub struct Connector {
    consumer: BaseConsumer<ConsumerCtx>,
    records: RecordRedactor,
    stopper: Stopper,
    commit_interval: Duration,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("input", &self.consumer.context().shared.input)
            .field("output", &self.consumer.context().shared.output)
            .finish_non_exhaustive()
    }
}

/// State shared by the loop and the clients' callbacks.
struct Shared {
    metrics: Arc<Metrics>,
    offsets: Mutex<Offsets>,
    /// The first redacted record that could not be written: the loop stops on it.
    failure: Mutex<Option<ConnectorError>>,
    /// The start-up check passed: from then on the clients' complaints are logged. Before,
    /// the first one is kept for the start-up error instead, so that a broker that is down
    /// gives one clear error.
    started: AtomicBool,
    early: Mutex<Option<String>>,
    input: String,
    output: String,
    grace: Duration,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn client_error(&self, error: &KafkaError, reason: &str) {
        if !self.started.load(Ordering::Relaxed) {
            lock(&self.early).get_or_insert_with(|| reason.to_string());
            return;
        }
        self.metrics.error(ErrorKind::Client);
        warn!(target: "blackbar::kafka", error = %error, "{reason}");
    }

    fn client_log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        if !self.started.load(Ordering::Relaxed) {
            return;
        }
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => error!(target: LIBRDKAFKA, facility, "{message}"),
            RDKafkaLogLevel::Warning => warn!(target: LIBRDKAFKA, facility, "{message}"),
            RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
                info!(target: LIBRDKAFKA, facility, "{message}")
            }
            RDKafkaLogLevel::Debug => debug!(target: LIBRDKAFKA, facility, "{message}"),
        }
    }

    fn fail(&self, e: ConnectorError) {
        lock(&self.failure).get_or_insert(e);
    }

    fn failure(&self) -> Option<ConnectorError> {
        lock(&self.failure).clone()
    }
}

/// Where a redacted record came from: its delivery report acknowledges that offset.
struct Origin {
    partition: i32,
    offset: i64,
}

struct ProducerCtx {
    shared: Arc<Shared>,
}

impl ClientContext for ProducerCtx {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        self.shared.client_log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.shared.client_error(&error, reason);
    }
}

impl ProducerContext for ProducerCtx {
    type DeliveryOpaque = Box<Origin>;

    fn delivery(&self, result: &DeliveryResult<'_>, origin: Box<Origin>) {
        let shared = &self.shared;
        match result {
            Ok(m) => {
                shared.metrics.written(m.payload_len());
                lock(&shared.offsets).acknowledged(origin.partition, origin.offset);
            }
            Err((e, _)) => {
                shared.metrics.error(ErrorKind::Delivery);
                shared.fail(ConnectorError::Write {
                    topic: shared.input.clone(),
                    partition: origin.partition,
                    offset: origin.offset,
                    reason: e.to_string(),
                });
            }
        }
    }
}

struct ConsumerCtx {
    shared: Arc<Shared>,
    producer: BaseProducer<ProducerCtx>,
}

impl ClientContext for ConsumerCtx {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        self.shared.client_log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.shared.client_error(&error, reason);
    }

    fn stats(&self, stats: Statistics) {
        let Some(topic) = stats.topics.get(&self.shared.input) else {
            return;
        };
        let lag: BTreeMap<i32, i64> = topic
            .partitions
            .values()
            .filter(|p| p.partition >= 0 && p.desired && p.consumer_lag >= 0)
            .map(|p| (p.partition, p.consumer_lag))
            .collect();
        self.shared.metrics.set_lag(lag);
    }
}

impl ConsumerContext for ConsumerCtx {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let shared = &self.shared;
        match rebalance {
            Rebalance::Revoke(list) => {
                let partitions = self.partitions(list);
                // Before the partitions go to another member: everything in flight is
                // acknowledged and committed, so the next owner starts right after it.
                let settled = self.settle(consumer, Some(&partitions));
                let mut offsets = lock(&shared.offsets);
                for &p in &partitions {
                    offsets.revoke(p);
                }
                info!(target: "blackbar::kafka", partitions = ?partitions, settled, "partitions revoked");
            }
            Rebalance::Assign(list) => {
                let partitions = self.partitions(list);
                let mut offsets = lock(&shared.offsets);
                for &p in &partitions {
                    offsets.assign(p);
                }
                info!(target: "blackbar::kafka", partitions = ?partitions, "partitions assigned");
            }
            Rebalance::Error(e) => {
                shared.metrics.error(ErrorKind::Rebalance);
                warn!(target: "blackbar::kafka", error = %e, "rebalance failed");
            }
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, list: &TopicPartitionList) {
        match result {
            Ok(()) => {
                let mut offsets = lock(&self.shared.offsets);
                for e in list.elements_for_topic(&self.shared.input) {
                    if let Offset::Offset(o) = e.offset() {
                        offsets.committed(e.partition(), o);
                    }
                }
            }
            Err(e) => {
                self.shared.metrics.error(ErrorKind::Commit);
                warn!(target: "blackbar::kafka", error = %e, "commit failed (retried later)");
            }
        }
    }
}

impl ConsumerCtx {
    fn partitions(&self, list: &TopicPartitionList) -> Vec<i32> {
        list.elements_for_topic(&self.shared.input)
            .iter()
            .map(|e| e.partition())
            .collect()
    }

    /// Waits (at most the grace period) until every record in flight is acknowledged, then
    /// commits synchronously what may be committed in `only` (or every partition). Returns
    /// whether nothing was left in flight.
    fn settle(&self, consumer: &BaseConsumer<Self>, only: Option<&[i32]>) -> bool {
        let flushed =
            self.producer.in_flight_count() == 0 || self.producer.flush(self.shared.grace).is_ok();
        self.commit(consumer, only, CommitMode::Sync);
        flushed
    }

    /// Commits the acknowledged prefix of each partition (of `only`, or all) that moved.
    fn commit(&self, consumer: &BaseConsumer<Self>, only: Option<&[i32]>, mode: CommitMode) {
        let due = lock(&self.shared.offsets).to_commit(only);
        if due.is_empty() {
            return;
        }
        let mut list = TopicPartitionList::new();
        for &(p, o) in &due {
            if list
                .add_partition_offset(&self.shared.input, p, Offset::Offset(o))
                .is_err()
            {
                return;
            }
        }
        match consumer.commit(&list, mode) {
            Ok(()) if matches!(mode, CommitMode::Sync) => {
                let mut offsets = lock(&self.shared.offsets);
                for (p, o) in due {
                    offsets.committed(p, o);
                }
            }
            Ok(()) => {}
            Err(e) => {
                self.shared.metrics.error(ErrorKind::Commit);
                warn!(target: "blackbar::kafka", error = %e, "commit failed (retried later)");
            }
        }
    }
}

/// The client configuration: blackbar's settings, then the user's properties for this
/// client (which may change the defaults but not the settings at-least-once relies on:
/// [`super::Properties::set`] refuses those).
fn client_config(config: &KafkaConfig, scope: Scope) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &config.brokers)
        .set("client.id", "blackbar");
    match scope {
        Scope::Consumer => {
            c.set("group.id", &config.group)
                .set("enable.auto.commit", "false")
                .set("enable.auto.offset.store", "false")
                .set("auto.offset.reset", "earliest")
                .set("statistics.interval.ms", "5000");
        }
        Scope::Producer | Scope::Both => {
            // Idempotence keeps each partition's order through retries; murmur2 is the
            // Java client's partitioner, so a key goes to the partition other clients
            // choose for it.
            c.set("enable.idempotence", "true")
                .set("partitioner", "murmur2_random")
                .set("queue.buffering.max.kbytes", "65536");
        }
    }
    for (k, v) in config.properties.for_client(scope) {
        c.set(k, v);
    }
    let debug = config.properties.get(scope, "debug").is_some();
    c.set_log_level(if debug {
        RDKafkaLogLevel::Debug
    } else {
        RDKafkaLogLevel::Warning
    });
    c
}

fn property_error(e: KafkaError) -> ConnectorError {
    match e {
        KafkaError::ClientConfig(_, problem, key, value) => ConnectorError::Property {
            // librdkafka quotes the value; it may be a secret.
            problem: if value.is_empty() {
                problem
            } else {
                problem.replace(&value, "…")
            },
            key,
        },
        other => ConnectorError::Client(other.to_string()),
    }
}

impl Connector {
    /// Makes the clients and checks, within [`KafkaConfig::connect_timeout`], that the
    /// brokers answer and that both topics exist. Nothing is consumed yet.
    ///
    /// # Errors
    ///
    /// A property librdkafka refuses, brokers that do not answer, a missing topic.
    pub fn new(config: KafkaConfig, redactor: Redactor) -> Result<Connector, ConnectorError> {
        let shared = Arc::new(Shared {
            metrics: Arc::new(Metrics::new(&config.input_topic)),
            offsets: Mutex::new(Offsets::default()),
            failure: Mutex::new(None),
            started: AtomicBool::new(false),
            early: Mutex::new(None),
            input: config.input_topic.clone(),
            output: config.output_topic.clone(),
            grace: config.grace,
        });
        let producer: BaseProducer<ProducerCtx> = client_config(&config, Scope::Producer)
            .create_with_context(ProducerCtx {
                shared: shared.clone(),
            })
            .map_err(property_error)?;
        let consumer: BaseConsumer<ConsumerCtx> = client_config(&config, Scope::Consumer)
            .create_with_context(ConsumerCtx {
                shared: shared.clone(),
                producer,
            })
            .map_err(property_error)?;
        let metadata = consumer
            .fetch_metadata(None, config.connect_timeout)
            .map_err(|e| ConnectorError::Unreachable {
                brokers: config.brokers.clone(),
                timeout: config.connect_timeout,
                reason: lock(&shared.early).take().unwrap_or_else(|| e.to_string()),
            })?;
        let mut counts = [0; 2];
        for (i, (role, topic)) in [
            ("input", &config.input_topic),
            ("output", &config.output_topic),
        ]
        .into_iter()
        .enumerate()
        {
            let described = metadata.topics().iter().find(|t| t.name() == topic);
            let reason = match described {
                None => "does not exist on the brokers".to_string(),
                Some(t) => match t.error() {
                    Some(e) => RDKafkaErrorCode::from(e).to_string(),
                    None if t.partitions().is_empty() => "has no partitions".to_string(),
                    None => {
                        counts[i] = t.partitions().len();
                        continue;
                    }
                },
            };
            return Err(ConnectorError::Topic {
                role,
                topic: topic.clone(),
                reason,
            });
        }
        shared.started.store(true, Ordering::Relaxed);
        info!(
            target: "blackbar::kafka",
            brokers = %config.brokers,
            group = %config.group,
            input = %config.input_topic,
            input_partitions = counts[0],
            output = %config.output_topic,
            output_partitions = counts[1],
            "connected"
        );
        Ok(Connector {
            consumer,
            records: RecordRedactor::new(redactor, config.format, config.json.clone()),
            stopper: Stopper::default(),
            commit_interval: config.commit_interval,
        })
    }

    /// The connector's metrics (serve them with [`super::serve_metrics`]).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.consumer.context().shared.metrics.clone()
    }

    /// A handle that stops [`Connector::run`].
    pub fn stopper(&self) -> Stopper {
        self.stopper.clone()
    }

    /// Test hook: redacting a value that contains `needle` panics, as a bug in the
    /// redaction would (the connector must stop without forwarding or committing it).
    #[cfg(feature = "testkit")]
    #[doc(hidden)]
    pub fn fail_on_values_containing(mut self, needle: &[u8]) -> Connector {
        self.records.fail_on = Some(needle.to_vec());
        self
    }

    /// Joins the group and runs until [`Stopper::stop`] or an error; then stops consuming,
    /// waits (at most the grace period) for in-flight records to be acknowledged, commits
    /// them and leaves the group. The stop takes at most twice the grace period, even with
    /// the broker unreachable.
    ///
    /// # Errors
    ///
    /// A record that cannot be redacted or written, a fatal consumer error, or records
    /// still unacknowledged at the stop. Offsets at and after such a record are never
    /// committed.
    pub fn run(mut self) -> Result<(), ConnectorError> {
        let ctx = self.consumer.context();
        self.consumer
            .subscribe(&[ctx.shared.input.as_str()])
            .map_err(|e| ConnectorError::Client(e.to_string()))?;
        let mut out = Vec::new();
        let mut last_commit = Instant::now();
        let result = loop {
            let ctx = self.consumer.context();
            if self.stopper.stopping() {
                break Ok(());
            }
            if let Some(e) = ctx.shared.failure() {
                break Err(e);
            }
            ctx.producer.poll(Duration::ZERO);
            if last_commit.elapsed() >= self.commit_interval {
                ctx.commit(&self.consumer, None, CommitMode::Async);
                let in_flight = lock(&ctx.shared.offsets).in_flight();
                ctx.shared.metrics.set_in_flight(in_flight);
                last_commit = Instant::now();
            }
            match self.consumer.poll(POLL) {
                None => {}
                Some(Ok(msg)) => {
                    if let Err(e) = process(&mut self.records, ctx, &msg, &mut out, &self.stopper) {
                        break Err(e);
                    }
                }
                Some(Err(e)) => {
                    if let Some(fatal) = consume_error(&ctx.shared, e) {
                        break Err(fatal);
                    }
                }
            }
        };
        self.finish(result)
    }

    /// Stops: lets in-flight records be acknowledged and commits them, then leaves the
    /// group (closing the consumer gives its partitions up at once).
    ///
    /// All of it takes at most twice the grace period. librdkafka's close waits for the
    /// group coordinator, so with the broker unreachable it would wait until the broker
    /// returned: the close runs on its own thread, and past the bound the connector gives up
    /// on it (the group then moves the partitions after its session timeout) and reports
    /// what was still in flight. Nothing uncommitted is lost: the next member resumes at the
    /// last committed offset.
    fn finish(self, result: Result<(), ConnectorError>) -> Result<(), ConnectorError> {
        let shared = self.consumer.context().shared.clone();
        info!(target: "blackbar::kafka", "stopping: waiting for in-flight records, committing");
        let consumer = self.consumer;
        let (closed, on_close) = std::sync::mpsc::channel();
        let close = move || {
            consumer.context().settle(&consumer, None);
            drop(consumer);
            let _ = closed.send(());
        };
        let left = match std::thread::Builder::new()
            .name("blackbar-kafka-close".into())
            .spawn(close)
        {
            Ok(_) => on_close
                .recv_timeout(shared.grace.saturating_mul(2))
                .is_ok(),
            Err(e) => {
                error!(target: "blackbar::kafka", error = %e, "cannot start the closing thread");
                false
            }
        };
        let in_flight = lock(&shared.offsets).in_flight();
        shared.metrics.set_in_flight(in_flight);
        if left {
            info!(target: "blackbar::kafka", in_flight, "left the group");
        } else {
            shared.metrics.error(ErrorKind::Client);
            warn!(
                target: "blackbar::kafka",
                in_flight,
                "could not commit and leave the group within twice the grace period (the broker \
                 is unreachable); the group moves the partitions after its session timeout"
            );
        }
        let failure = shared.failure();
        match (result, failure) {
            (Err(e), _) | (Ok(()), Some(e)) => Err(e),
            (Ok(()), None) if in_flight > 0 => Err(ConnectorError::Unacknowledged {
                records: in_flight,
                grace: shared.grace,
            }),
            (Ok(()), None) => Ok(()),
        }
    }
}

/// Redacts one record and hands its copy to the producer. The record is registered as in
/// flight first, so its offset is committed only once the copy is acknowledged.
fn process(
    records: &mut RecordRedactor,
    ctx: &ConsumerCtx,
    msg: &BorrowedMessage<'_>,
    out: &mut Vec<u8>,
    stopper: &Stopper,
) -> Result<(), ConnectorError> {
    let shared = &ctx.shared;
    let (partition, offset) = (msg.partition(), msg.offset());
    let value = msg.payload();
    shared.metrics.consumed(value.map_or(0, <[u8]>::len));
    lock(&shared.offsets).consumed(partition, offset);
    out.clear();
    if let Some(value) = value {
        let outcome =
            catch_unwind(AssertUnwindSafe(|| records.redact(value, out))).map_err(|_| {
                shared.metrics.error(ErrorKind::Redaction);
                ConnectorError::Redaction {
                    topic: shared.input.clone(),
                    partition,
                    offset,
                }
            })?;
        shared.metrics.redacted(&outcome);
        if outcome.drop {
            lock(&shared.offsets).acknowledged(partition, offset);
            return Ok(());
        }
    }
    let mut record: BaseRecord<'_, [u8], [u8], Box<Origin>> =
        BaseRecord::with_opaque_to(&shared.output, Box::new(Origin { partition, offset }));
    if let Some(key) = msg.key() {
        record = record.key(key);
    }
    if value.is_some() {
        record = record.payload(&out[..]);
    }
    if let Some(headers) = msg.headers() {
        record = record.headers(headers.detach());
    }
    if let Some(ms) = msg.timestamp().to_millis() {
        record = record.timestamp(ms);
    }
    loop {
        match ctx.producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                if stopper.stopping() {
                    // Left in flight: never committed, consumed again on the next start.
                    return Ok(());
                }
                record = back;
                ctx.producer.poll(Duration::from_millis(50));
            }
            Err((e, _)) => {
                shared.metrics.error(ErrorKind::Delivery);
                return Err(ConnectorError::Write {
                    topic: shared.input.clone(),
                    partition,
                    offset,
                    reason: e.to_string(),
                });
            }
        }
    }
}

/// Counts and logs a consumer error; returns it when it is fatal.
fn consume_error(shared: &Shared, e: KafkaError) -> Option<ConnectorError> {
    let code = match e {
        KafkaError::PartitionEOF(_) => return None,
        KafkaError::MessageConsumption(code) | KafkaError::MessageConsumptionFatal(code) => {
            Some(code)
        }
        _ => None,
    };
    shared.metrics.error(ErrorKind::Consume);
    let fatal = matches!(e, KafkaError::MessageConsumptionFatal(_))
        || matches!(
            code,
            Some(
                RDKafkaErrorCode::TopicAuthorizationFailed
                    | RDKafkaErrorCode::GroupAuthorizationFailed
                    | RDKafkaErrorCode::Fatal
            )
        );
    if fatal {
        return Some(ConnectorError::Consume(e.to_string()));
    }
    warn!(target: "blackbar::kafka", error = %e, "consume error (retried)");
    None
}
