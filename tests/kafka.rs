//! `blackbar kafka` against a real Kafka-protocol broker on loopback (`tansu`, in memory,
//! from `$BLACKBAR_TANSU`), driven through the binary and read back with a real Kafka client:
//! a consumer group of two instances, one stopped part-way; JSON records; a restart from the
//! committed offsets; the broker down at the start, lost mid-run, and away when the
//! connector is stopped; a record that cannot be redacted.
//!
//! With `BLACKBAR_TANSU` unset (a machine with only Rust) the broker tests print a notice
//! and pass without running; `.ci/run` installs the broker and sets it, so there any problem
//! fails.

#![cfg(feature = "kafka")]

#[path = "support/kafka.rs"]
mod kafka;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kafka::{Broker, Instance, Raw, Reader};

/// Planted values that must never reach the clean topic.
const PLANTED: [&str; 3] = [
    "@example.com",
    "4111 1111 1111 1111",
    "AKIAQ3EGRZ4XWMJ7VN2K",
];

fn assert_clean(values: impl IntoIterator<Item = impl AsRef<str>>) {
    for v in values {
        let v = v.as_ref();
        for p in PLANTED {
            assert!(
                !v.contains(p),
                "a planted value reached the clean topic: {v}"
            );
        }
    }
}

/// `key=K seq=N` and planted values.
fn text_record(key: usize, seq: usize) -> Raw {
    Raw {
        key: Some(format!("k{key}")),
        value: format!(
            "key=k{key} seq={seq} user{seq}@example.com paid with 4111 1111 1111 1111 \
             aws AKIAQ3EGRZ4XWMJ7VN2K"
        )
        .into_bytes(),
        header: Some(("trace".into(), format!("t{seq}"))),
        timestamp: Some(1_700_000_000_000 + seq as i64),
    }
}

fn distinct(out: &[kafka::Out]) -> usize {
    out.iter()
        .map(|o| seq_of(&o.value))
        .collect::<BTreeSet<u64>>()
        .len()
}

fn seq_of(value: &str) -> u64 {
    let at = value.find("seq=").expect("seq in the value") + 4;
    value[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn two_instances_in_a_group_one_stopped_part_way() {
    let Some(tansu) = kafka::tansu() else { return };
    let broker = Broker::start(&tansu);
    broker.create_topics(&["raw", "clean"], 4);
    const N: usize = 10_000;
    let records: Vec<Raw> = (0..N).map(|seq| text_record(seq % 37, seq)).collect();
    kafka::produce(&broker.addr, "raw", &records);
    let dir = tempfile::tempdir().unwrap();
    let topics = ("raw", "clean");
    let mut reader = Reader::new(&broker.addr, "clean");
    let a = Instance::start(dir.path(), "a", &broker.addr, "g", topics, &[]);
    let b = Instance::start(dir.path(), "b", &broker.addr, "g", topics, &[]);
    // Stop one instance part-way: its partitions move to the other one.
    let part = reader.at_least(2_000, Duration::from_secs(90));
    assert!(part >= 2_000, "only {part} records out: {}", a.log());
    let (status, log) = a.stop();
    assert!(status.success(), "a: {status}\n{log}");
    reader.until(Duration::from_secs(120), |r| {
        r.len() >= N && distinct(r) == N
    });
    let out = reader.finish(Duration::from_secs(1));
    let (status, log_b) = b.stop();
    assert!(status.success(), "b: {status}\n{log_b}");

    // Every record out at least once.
    let seqs: BTreeSet<u64> = out.iter().map(|o| seq_of(&o.value)).collect();
    assert_eq!(seqs.len(), N, "records missing; a:\n{log}\nb:\n{log_b}");
    assert_clean(out.iter().map(|o| &o.value));
    // Keys, headers and timestamps kept; a key goes to one partition, in order.
    let mut partition_of: BTreeMap<&str, i32> = BTreeMap::new();
    for o in &out {
        let seq = seq_of(&o.value);
        let key = o.key.as_deref().expect("a key");
        assert_eq!(key, format!("k{}", seq % 37));
        assert_eq!(o.headers, vec![("trace".to_string(), format!("t{seq}"))]);
        assert_eq!(o.timestamp, Some(1_700_000_000_000 + seq as i64));
        let p = *partition_of.entry(key).or_insert(o.partition);
        assert_eq!(p, o.partition, "key {key} in two partitions");
        assert!(o.value.contains("[EMAIL]") && o.value.contains("[CREDIT_CARD]"));
    }
    let keyed: Vec<(String, u64)> = out
        .iter()
        .map(|o| (o.key.clone().unwrap(), seq_of(&o.value)))
        .collect();
    kafka::check_per_key_order(&keyed);
    assert!(
        log.contains("partitions revoked") || log.contains("left the group"),
        "{log}"
    );
}

#[test]
fn json_records_and_restart_from_committed_offsets() {
    let Some(tansu) = kafka::tansu() else { return };
    let broker = Broker::start(&tansu);
    broker.create_topics(&["raw-json", "clean-json"], 2);
    let json = |seq: usize| {
        Raw {
        key: Some(format!("u{}", seq % 5)),
        value: format!(
            "{{\"seq\":{seq},\"msg\":\"from user{seq}@example.com\",\"password\":\"hunter{seq}\",\"n\":1.50}}"
        )
        .into_bytes(),
        header: None,
        timestamp: None,
    }
    };
    let first: Vec<Raw> = (0..200).map(json).collect();
    kafka::produce(&broker.addr, "raw-json", &first);
    let dir = tempfile::tempdir().unwrap();
    let topics = ("raw-json", "clean-json");
    let args = ["--format", "json"];
    let mut reader = Reader::new(&broker.addr, "clean-json");
    let metrics = format!("127.0.0.1:{}", kafka::free_port());
    let with_metrics = [&args[..], &["--metrics", &metrics]].concat();
    let one = Instance::start(dir.path(), "one", &broker.addr, "gj", topics, &with_metrics);
    let n = reader.at_least(200, Duration::from_secs(90));
    assert_eq!(n, 200, "{}", one.log());
    // The metrics: counts by rule and mode, never a value.
    let deadline = Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page = kafka::get(&metrics, "/metrics");
        let lag = page.contains("blackbar_kafka_consumer_lag{");
        if (lag && page.contains("records_out_total 200\n")) || Instant::now() > deadline {
            break page;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    for line in [
        "blackbar_kafka_records_out_total 200\n",
        "blackbar_kafka_records_in_total 200\n",
        "blackbar_kafka_records_by_mode_total{mode=\"json\"} 200\n",
        "blackbar_kafka_findings_total{rule=\"email\",category=\"pii\"} 200\n",
        "blackbar_kafka_consumer_lag{topic=\"raw-json\",partition=\"0\"}",
    ] {
        assert!(page.contains(line), "{line} not in\n{page}");
    }
    assert!(
        !page.contains("example.com") && !page.contains("hunter"),
        "{page}"
    );
    assert!(kafka::get(&metrics, "/healthz").ends_with("ok\n"));
    let (status, log) = one.stop();
    assert!(status.success(), "{status}\n{log}");

    // More records while no instance runs; the next one resumes after the committed ones.
    let second: Vec<Raw> = (200..300).map(json).collect();
    kafka::produce(&broker.addr, "raw-json", &second);
    let two = Instance::start(dir.path(), "two", &broker.addr, "gj", topics, &args);
    reader.at_least(300, Duration::from_secs(90));
    let out = reader.finish(Duration::from_secs(2));
    let (status, log) = two.stop();
    assert!(status.success(), "{status}\n{log}");
    assert_eq!(out.len(), 300, "a record missing or written twice: {log}");
    assert_clean(out.iter().map(|o| &o.value));
    let mut seqs = BTreeSet::new();
    for o in &out {
        let v: serde_json::Value = serde_json::from_str(&o.value).expect("valid JSON out");
        let seq = v["seq"].as_u64().unwrap();
        assert!(seqs.insert(seq));
        assert_eq!(v["msg"], "from [EMAIL]", "{}", o.value);
        assert_eq!(v["password"], "[REDACTED]");
        assert!(o.value.contains("\"n\":1.50"), "numbers kept as written");
    }
    assert_eq!(seqs.len(), 300);
}

#[test]
fn broker_down_at_start_is_one_clear_error() {
    // No broker needed: nothing listens on this port.
    let port = kafka::free_port();
    let dir = tempfile::tempdir().unwrap();
    let brokers = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let i = Instance::start(
        dir.path(),
        "down",
        &brokers,
        "g",
        ("raw", "clean"),
        &["--connect-timeout", "2"],
    );
    let (status, log) = i.wait();
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(started.elapsed() < Duration::from_secs(15), "{log}");
    let errors: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(errors.len(), 1, "one line, one error:\n{log}");
    assert!(
        errors[0].contains(&format!(
            "cannot reach the Kafka brokers {brokers} within 2s"
        )),
        "{log}"
    );
}

/// A broker that the clients reach through a [`kafka::Switch`], with the two `topics` (2
/// partitions each), `n` text records in the first, and a reader of the second.
fn behind_a_switch(
    tansu: &std::path::Path,
    topics: (&str, &str),
    n: usize,
) -> (kafka::Switch, Broker, Reader) {
    let port = kafka::free_port();
    let switch = kafka::Switch::start(port);
    let broker = Broker::start_advertising(tansu, port, switch.port);
    broker.create_topics(&[topics.0, topics.1], 2);
    let records: Vec<Raw> = (0..n).map(|seq| text_record(seq % 11, seq)).collect();
    kafka::produce(&broker.addr, topics.0, &records);
    let reader = Reader::new(&broker.addr, topics.1);
    (switch, broker, reader)
}

#[test]
fn broker_lost_mid_run_loses_nothing() {
    let Some(tansu) = kafka::tansu() else { return };
    const N: usize = 3_000;
    let topics = ("raw-lost", "clean-lost");
    let (switch, broker, mut reader) = behind_a_switch(&tansu, topics, N);
    let dir = tempfile::tempdir().unwrap();
    let i = Instance::start(dir.path(), "lost", &broker.addr, "gl", topics, &[]);
    let part = reader.at_least(300, Duration::from_secs(90));
    assert!(part >= 300, "{}", i.log());
    switch.cut();
    std::thread::sleep(Duration::from_secs(4));
    switch.restore();
    reader.until(Duration::from_secs(120), |r| {
        r.len() >= N && distinct(r) == N
    });
    let out = reader.finish(Duration::from_secs(1));
    let (status, log) = i.stop();
    assert!(status.success(), "{status}\n{log}");
    let seqs: BTreeSet<u64> = out.iter().map(|o| seq_of(&o.value)).collect();
    assert_eq!(seqs.len(), N, "records lost:\n{log}");
    assert_clean(out.iter().map(|o| &o.value));
}

/// Stopped (SIGTERM) while the broker is unreachable: records consumed whose clean copies
/// were not acknowledged are not committed (the connector exits 2 saying so; 0 when the cut
/// found nothing in flight, which depends on timing), and the next instance of the group
/// produces every record the first did not, so none is lost; none goes out raw. The stop
/// takes at most twice the grace period although librdkafka's close waits for the absent
/// group coordinator.
#[test]
fn stopped_while_the_broker_is_away_commits_nothing_unproduced() {
    let Some(tansu) = kafka::tansu() else { return };
    const N: usize = 3_000;
    let topics = ("raw-away", "clean-away");
    let (switch, broker, mut reader) = behind_a_switch(&tansu, topics, N);
    let dir = tempfile::tempdir().unwrap();
    let grace = ["--grace", "2"];
    let first = Instance::start(dir.path(), "first", &broker.addr, "ga", topics, &grace);
    let part = reader.at_least(300, Duration::from_secs(90));
    assert!(part >= 300, "{}", first.log());
    switch.cut();
    let stopping = Instant::now();
    let (status, log) = first.stop();
    // Twice the grace period, with room for a loaded machine.
    assert!(
        stopping.elapsed() < Duration::from_secs(12),
        "{:?}: {log}",
        stopping.elapsed()
    );
    match status.code() {
        Some(2) => assert!(log.contains("unacknowledged"), "{log}"),
        Some(0) => println!("nothing was in flight at the cut"),
        _ => panic!("{status}: {log}"),
    }
    switch.restore();
    let second = Instance::start(dir.path(), "second", &broker.addr, "ga", topics, &grace);
    reader.until(Duration::from_secs(120), |r| distinct(r) == N);
    // Stopped once it is running (a SIGTERM before its handler is set would just kill it).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !second.log().contains("partitions assigned") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = reader.finish(Duration::from_millis(500));
    let (status, log2) = second.stop();
    assert!(status.success(), "{status}\n{log2}");
    let seqs: BTreeSet<u64> = out.iter().map(|o| seq_of(&o.value)).collect();
    assert_eq!(seqs.len(), N, "records lost:\n{log}\n{log2}");
    assert_clean(out.iter().map(|o| &o.value));
}

#[test]
fn a_record_that_cannot_be_redacted_stops_without_committing() {
    use blackbar::kafka::{Connector, ConnectorError, KafkaConfig};
    let Some(tansu) = kafka::tansu() else { return };
    let broker = Broker::start(&tansu);
    broker.create_topics(&["raw-bad", "clean-bad"], 1);
    let mut records: Vec<Raw> = (0..50).map(|seq| text_record(0, seq)).collect();
    records[30].value = b"seq=30 POISON user30@example.com".to_vec();
    kafka::produce(&broker.addr, "raw-bad", &records);
    let run = || {
        let mut config = KafkaConfig::new(&broker.addr, "gb", "raw-bad", "clean-bad");
        config.commit_interval = Duration::from_millis(100);
        let redactor = blackbar::Redactor::builder().build().unwrap();
        Connector::new(config, redactor)
            .unwrap()
            .fail_on_values_containing(b"POISON")
            .run()
    };
    for _ in 0..2 {
        // Every time: the records before it are out, it is not, and it stops the connector.
        let err = run().unwrap_err();
        assert!(
            matches!(
                err,
                ConnectorError::Redaction {
                    partition: 0,
                    offset: 30,
                    ..
                }
            ),
            "{err}"
        );
        assert!(!err.to_string().contains("POISON"));
    }
    let mut reader = Reader::new(&broker.addr, "clean-bad");
    reader.at_least(30, Duration::from_secs(30));
    let out = reader.finish(Duration::from_secs(2));
    // Written once each: the second run resumed at the committed offset, 30.
    let seqs: Vec<u64> = out.iter().map(|o| seq_of(&o.value)).collect();
    assert_eq!(seqs, (0..30).collect::<Vec<u64>>());
    assert_clean(out.iter().map(|o| &o.value));
}

/// Throughput, for docs/kafka.md (not run by default): the lines of
/// `corpora/logs-sprinkled.log`, repeated `BLACKBAR_KAFKA_BENCH_REPEAT` times (default 16), as
/// records of a 4-partition topic, through 1 and then 2 instances (each in a new group), and
/// the same lines through the pipe. Prints records/s and MB/s of values in, measured from the
/// first redacted record to the last.
///
/// `BLACKBAR_TANSU=... cargo test --release --test kafka -- --ignored --nocapture throughput`
#[test]
#[ignore]
fn throughput() {
    let Some(tansu) = kafka::tansu() else { return };
    let repeat: usize = std::env::var("BLACKBAR_KAFKA_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let corpus = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpora/logs-sprinkled.log"
    ))
    .unwrap();
    let lines: Vec<&str> = corpus.lines().collect();
    let records: Vec<Raw> = (0..repeat)
        .flat_map(|r| lines.iter().enumerate().map(move |(i, l)| (r, i, l)))
        .map(|(r, i, l)| Raw {
            key: Some(format!("host{}", (r * lines.len() + i) % 64)),
            value: l.as_bytes().to_vec(),
            header: None,
            timestamp: None,
        })
        .collect();
    let n = records.len();
    let bytes: usize = records.iter().map(|r| r.value.len()).sum();
    let broker = Broker::start(&tansu);
    broker.create_topics(&["raw", "clean1", "clean2"], 4);
    kafka::produce(&broker.addr, "raw", &records);
    let dir = tempfile::tempdir().unwrap();
    let report = |what: &str, secs: f64| {
        println!(
            "{what}: {n} records, {:.1} MB in {secs:.2} s: {:.0} records/s, {:.1} MB/s",
            bytes as f64 / 1e6,
            n as f64 / secs,
            bytes as f64 / 1e6 / secs
        );
    };
    for (instances, out) in [(1, "clean1"), (2, "clean2")] {
        let group = format!("bench{instances}");
        let running: Vec<Instance> = (0..instances)
            .map(|i| {
                let name = format!("{group}-{i}");
                Instance::start(dir.path(), &name, &broker.addr, &group, ("raw", out), &[])
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut reader = Reader::new(&broker.addr, out);
        let mut first = None;
        let last = loop {
            let c = reader.at_least(reader.records.len() + 1, Duration::from_millis(200));
            if c > 0 && first.is_none() {
                first = Some((Instant::now(), c));
            }
            if c >= n {
                break Instant::now();
            }
            assert!(Instant::now() < deadline, "{c} of {n} out");
        };
        let (t0, c0) = first.unwrap();
        let secs = last.duration_since(t0).as_secs_f64();
        let scale = n as f64 / (n as f64 - c0 as f64);
        report(&format!("kafka, {instances} instance(s)"), secs * scale);
        let cpu: f64 = running.iter().map(Instance::cpu_seconds).sum();
        println!(
            "  blackbar kafka CPU: {cpu:.2} s in all ({:.0} records per CPU second, start-up included)",
            n as f64 / cpu
        );
        for i in running {
            let (status, log) = i.stop();
            assert!(status.success(), "{log}");
        }
    }
    let mut input = Vec::with_capacity(bytes + n);
    for r in &records {
        input.extend_from_slice(&r.value);
        input.push(b'\n');
    }
    let path = dir.path().join("input.log");
    std::fs::write(&path, &input).unwrap();
    let started = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_blackbar"))
        .arg("--threads")
        .arg("1")
        .stdin(std::fs::File::open(&path).unwrap())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    report("pipe, --threads 1", started.elapsed().as_secs_f64());
}
