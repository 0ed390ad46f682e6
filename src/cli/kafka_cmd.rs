//! `blackbar kafka`: the consumer-group connector (see `blackbar::kafka`). Runs until SIGTERM
//! or Ctrl-C, then finishes the records in flight, commits and leaves the group. Its logs, the
//! runtime of its metrics server and the shutdown signal are the server commands' own
//! ([`super::serve`]).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use blackbar::json::{Format, JsonOptions};
use blackbar::kafka::{Connector, KafkaConfig, Properties};

use super::args::{
    format_value, next, redactor_opt, scan_opt, unexpected, value_str, Flag, RedactorOpts, ScanOpts,
};
use super::serve::{self, address, seconds};

pub(crate) const HELP: &str = "\
blackbar kafka: a Kafka consumer-group connector that redacts one topic into another

USAGE:
    blackbar kafka --brokers HOST:PORT[,HOST:PORT...] --group G \\
                   --input-topic IN --output-topic OUT [OPTIONS]

Consumes IN as a member of group G, redacts every record's value and writes it to OUT with
its key, headers and timestamp. Instances with the same group split IN's partitions. An
offset is committed only after its redacted record is acknowledged (at least once); a record
that cannot be redacted or written stops the connector without being committed, never
forwarded raw.

OPTIONS:
    --brokers LIST         bootstrap brokers, HOST:PORT separated by commas
    --group G              the consumer group
    --input-topic IN       the topic of raw records
    --output-topic OUT     the topic for redacted records
    --format F             record values as text (default), json (one JSON document each:
                           only string values change) or auto (JSON when a value starts
                           with '{' or '[')
    --kafka-config FILE    librdkafka properties, key=value lines (security.protocol, sasl.*,
                           ssl.*, tuning); consumer.KEY or producer.KEY for one client;
                           ${NAME} is the environment variable NAME (repeatable)
    --metrics ADDR         serve Prometheus metrics at http://ADDR/metrics
    --commit-interval S    seconds between commits of acknowledged offsets (default 1)
    --grace S              seconds in-flight records get at a rebalance or stop (default 30;
                           a stop takes at most twice that)
    --connect-timeout S    seconds the start-up check waits for the brokers (default 10)
    --json-keys LIST, --json-scan-keys, --decode LIST, --decode-depth N: as for blackbar
    --rules FILE, --disable ID|CAT, --canaries FILE, --policy FILE, --action TARGET=ACT,
    --min-confidence C, --key-file FILE, --engine E, --allow FILE: as for blackbar
    -h, --help             this help

Secrets (sasl.password, ssl.key.password) belong in the --kafka-config file or in the
environment through ${NAME}, never on the command line. Keys for hash and token come from
--key-file or BLACKBAR_KEY, shared by every instance.

EXAMPLE:
    blackbar kafka --brokers kafka-1:9092,kafka-2:9092 --group redact \\
        --input-topic logs-raw --output-topic logs-clean --format auto \\
        --kafka-config /etc/blackbar/kafka.properties --metrics 0.0.0.0:9464
";

#[derive(Debug, Default)]
pub(crate) struct Opts {
    redactor: RedactorOpts,
    scan: ScanOpts,
    format: Option<Format>,
    json_scan_keys: bool,
    brokers: Option<String>,
    group: Option<String>,
    input: Option<String>,
    output: Option<String>,
    kafka_configs: Vec<PathBuf>,
    metrics: Option<SocketAddr>,
    commit_interval: Option<Duration>,
    grace: Option<Duration>,
    connect_timeout: Option<Duration>,
    help: bool,
}

pub(crate) fn parse(args: Vec<OsString>) -> anyhow::Result<Opts> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = Opts::default();
    while let Some(arg) = next(&mut parser)? {
        if redactor_opt(&mut opts.redactor, &arg, &mut parser)?
            || scan_opt(&mut opts.scan, &arg, &mut parser)?
        {
            continue;
        }
        let Flag::Long(ref name) = arg else {
            if matches!(arg, Flag::Short('h')) {
                opts.help = true;
                continue;
            }
            return Err(unexpected(arg));
        };
        let text = |parser: &mut lexopt::Parser, flag: &str| -> anyhow::Result<String> {
            let v = value_str(parser, flag)?;
            if v.trim().is_empty() {
                bail!("{flag}: the value is empty");
            }
            Ok(v)
        };
        match name.as_str() {
            "help" => opts.help = true,
            "format" => opts.format = Some(format_value(&mut parser)?),
            "json-scan-keys" => opts.json_scan_keys = true,
            "brokers" => opts.brokers = Some(text(&mut parser, "--brokers")?),
            "group" => opts.group = Some(text(&mut parser, "--group")?),
            "input-topic" => opts.input = Some(text(&mut parser, "--input-topic")?),
            "output-topic" => opts.output = Some(text(&mut parser, "--output-topic")?),
            "kafka-config" => opts
                .kafka_configs
                .push(value_str(&mut parser, "--kafka-config")?.into()),
            "metrics" => opts.metrics = Some(address(&mut parser, "--metrics", "0.0.0.0:9464")?),
            "commit-interval" => {
                opts.commit_interval = Some(seconds(&mut parser, "--commit-interval")?)
            }
            "grace" => opts.grace = Some(seconds(&mut parser, "--grace")?),
            "connect-timeout" => {
                opts.connect_timeout = Some(seconds(&mut parser, "--connect-timeout")?)
            }
            _ => return Err(unexpected(arg)),
        }
    }
    if opts.help {
        return Ok(opts);
    }
    let missing: Vec<&str> = [
        ("--brokers", opts.brokers.is_none()),
        ("--group", opts.group.is_none()),
        ("--input-topic", opts.input.is_none()),
        ("--output-topic", opts.output.is_none()),
    ]
    .into_iter()
    .filter_map(|(flag, missing)| missing.then_some(flag))
    .collect();
    if !missing.is_empty() {
        bail!(
            "kafka: missing {} (see blackbar kafka --help)",
            missing.join(", ")
        );
    }
    if opts.input == opts.output {
        bail!("kafka: --input-topic and --output-topic are the same topic: records would be redacted over and over");
    }
    Ok(opts)
}

fn config(opts: &Opts) -> anyhow::Result<KafkaConfig> {
    let given = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut config = KafkaConfig::new(
        &given(&opts.brokers),
        &given(&opts.group),
        &given(&opts.input),
        &given(&opts.output),
    );
    for path in &opts.kafka_configs {
        config
            .properties
            .extend(Properties::read(path).map_err(|e| anyhow!("--kafka-config {e}"))?);
    }
    config.format = opts.format.unwrap_or(Format::Text);
    config.json = JsonOptions::default()
        .keys(opts.scan.keys())
        .scan_keys(opts.json_scan_keys);
    config.commit_interval = opts.commit_interval.unwrap_or(config.commit_interval);
    config.grace = opts.grace.unwrap_or(config.grace);
    config.connect_timeout = opts.connect_timeout.unwrap_or(config.connect_timeout);
    Ok(config)
}

pub(crate) fn run(opts: &Opts) -> anyhow::Result<i32> {
    if opts.help {
        print!("{HELP}");
        return Ok(0);
    }
    let config = config(opts)?;
    let (builder, policy) = opts.redactor.builder(&[])?;
    let redactor = builder
        .clone()
        .policy(policy)
        .decoders(opts.scan.decoders()?)
        .build()?;
    serve::run(builder, || async {
        let listener = match opts.metrics {
            Some(addr) => Some(serve::listen(addr).await.context("--metrics")?),
            None => None,
        };
        // The consumer-group loop is blocking (librdkafka's clients are polled): it runs on
        // a thread of its own; the signal handler and the metrics server on the runtime.
        let connector = tokio::task::spawn_blocking(move || Connector::new(config, redactor))
            .await
            .context("the connector's start-up panicked")??;
        let stopper = connector.stopper();
        tokio::spawn(async move {
            serve::shutdown_signal().await;
            stopper.stop();
        });
        if let Some(listener) = listener {
            let addr = listener.local_addr()?;
            tracing::info!(target: "blackbar::kafka", metrics = %addr, "serving metrics");
            let metrics = connector.metrics();
            tokio::spawn(blackbar::kafka::serve_metrics(
                metrics,
                listener,
                std::future::pending(),
            ));
        }
        tokio::task::spawn_blocking(move || connector.run())
            .await
            .context("the connector panicked")??;
        anyhow::Ok(())
    })
}
