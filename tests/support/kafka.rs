//! A Kafka-protocol broker on loopback for the connector's tests (`tansu`, in memory), a
//! switch that cuts the clients' connections to it, the `blackbar kafka` binary as a child
//! process, and a real Kafka client (rdkafka) to make topics, produce raw records and read
//! the clean topic.
//!
//! The broker is `$BLACKBAR_TANSU` (`.ci/run` installs it and sets the variable). Without the
//! variable, [`tansu`] prints a notice and the tests return without running.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blackbar::kafka::rdkafka;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

/// The broker binary, or `None` (with a notice) when the variable is unset.
pub fn tansu() -> Option<PathBuf> {
    match std::env::var_os("BLACKBAR_TANSU") {
        Some(path) => Some(path.into()),
        None => {
            eprintln!(
                "NOTICE: BLACKBAR_TANSU is not set: the Kafka connector tests against a real \
                 broker did not run (.ci/run installs tansu and sets it)"
            );
            None
        }
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `addr`.
fn wait_listening(addr: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `tansu` broker with in-memory storage on a loopback port, killed on drop.
pub struct Broker {
    child: Child,
    /// What clients connect to (the advertised address).
    pub addr: String,
}

impl Broker {
    /// Starts a broker that advertises its own address.
    pub fn start(tansu: &Path) -> Broker {
        let port = free_port();
        Broker::start_advertising(tansu, port, port)
    }

    /// Starts a broker listening on `port` that tells clients to connect to `advertised`
    /// (a [`Switch`] in front of it).
    pub fn start_advertising(tansu: &Path, port: u16, advertised: u16) -> Broker {
        let child = Command::new(tansu)
            .arg("broker")
            .arg("--listener-url")
            .arg(format!("tcp://127.0.0.1:{port}"))
            .arg("--advertised-listener-url")
            .arg(format!("tcp://127.0.0.1:{advertised}"))
            .arg("--storage-engine")
            .arg("memory://tansu/")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tansu.display()));
        wait_listening(&format!("127.0.0.1:{port}"), "tansu");
        Broker {
            child,
            addr: format!("127.0.0.1:{advertised}"),
        }
    }

    /// Makes topics with `partitions` partitions each.
    pub fn create_topics(&self, names: &[&str], partitions: i32) {
        let admin: AdminClient<DefaultClientContext> = client(&self.addr).create().unwrap();
        let topics: Vec<NewTopic<'_>> = names
            .iter()
            .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1)))
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let results = rt.block_on(admin.create_topics(&topics, &opts)).unwrap();
        for r in results {
            r.unwrap_or_else(|(topic, e)| panic!("cannot create {topic}: {e}"));
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(brokers: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", brokers);
    c
}

/// A TCP forwarder between the clients and the broker that can cut every connection and
/// refuse new ones for a while: the broker lost, as the clients see it, with its records
/// kept.
pub struct Switch {
    pub port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Switch {
    /// Forwards `127.0.0.1:port` (a free port) to `127.0.0.1:target`.
    pub fn start(target: u16) -> Switch {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let mut list = conns2.lock().unwrap();
                list.push(client.try_clone().unwrap());
                list.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Switch { port, up, conns }
    }

    /// Cuts every connection; new ones are closed at once until [`Switch::restore`].
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// A raw record to produce.
pub struct Raw {
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub header: Option<(String, String)>,
    pub timestamp: Option<i64>,
}

/// Produces `records` to `topic` and waits until the broker acknowledged every one.
pub fn produce(brokers: &str, topic: &str, records: &[Raw]) {
    let producer: BaseProducer = client(brokers)
        .set("partitioner", "murmur2_random")
        .set("linger.ms", "5")
        .create()
        .unwrap();
    for r in records {
        let mut rec: BaseRecord<'_, str, [u8]> = BaseRecord::to(topic).payload(&r.value[..]);
        if let Some(ref k) = r.key {
            rec = rec.key(k.as_str());
        }
        if let Some((ref k, ref v)) = r.header {
            rec = rec.headers(OwnedHeaders::new().insert(Header {
                key: k,
                value: Some(v.as_str()),
            }));
        }
        if let Some(ts) = r.timestamp {
            rec = rec.timestamp(ts);
        }
        let mut rec = rec;
        loop {
            match producer.send(rec) {
                Ok(()) => break,
                Err((_, back)) => {
                    rec = back;
                    producer.poll(Duration::from_millis(20));
                }
            }
        }
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(60)).unwrap();
}

/// A record read from the clean topic.
#[derive(Clone, Debug)]
pub struct Out {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
    pub value: String,
    pub headers: Vec<(String, String)>,
    pub timestamp: Option<i64>,
}

/// Reads a topic from the start, every partition, and keeps what it read.
pub struct Reader {
    consumer: BaseConsumer,
    pub records: Vec<Out>,
}

impl Reader {
    pub fn new(brokers: &str, topic: &str) -> Reader {
        let consumer: BaseConsumer = client(brokers)
            .set("group.id", "blackbar-test-reader")
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let meta = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .unwrap();
        let partitions = meta.topics()[0].partitions().len() as i32;
        let mut list = TopicPartitionList::new();
        for p in 0..partitions {
            list.add_partition_offset(topic, p, Offset::Beginning)
                .unwrap();
        }
        consumer.assign(&list).unwrap();
        Reader {
            consumer,
            records: Vec::new(),
        }
    }

    /// Reads until `done` holds for what was read or `timeout` passes; returns whether it
    /// held.
    pub fn until(&mut self, timeout: Duration, done: impl Fn(&[Out]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.records) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            match self.consumer.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => self.records.push(Out {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    value: String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(),
                    headers: m
                        .headers()
                        .map(|h| {
                            h.iter()
                                .map(|h| {
                                    let v = h.value.map(|v| String::from_utf8_lossy(v));
                                    (h.key.to_string(), v.unwrap_or_default().into_owned())
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    timestamp: m.timestamp().to_millis(),
                }),
                Some(Err(e)) => eprintln!("reader: {e}"),
                None => {}
            }
        }
    }

    /// Reads until at least `n` records were read or `timeout` passes; returns how many.
    pub fn at_least(&mut self, n: usize, timeout: Duration) -> usize {
        self.until(timeout, |r| r.len() >= n);
        self.records.len()
    }

    /// Reads for `quiet` more, then returns everything, in partition then offset order.
    pub fn finish(mut self, quiet: Duration) -> Vec<Out> {
        self.until(quiet, |_| false);
        self.records.sort_by_key(|o| (o.partition, o.offset));
        self.records
    }
}

/// `blackbar kafka` running as a child process, its stderr in a file.
pub struct Instance {
    child: Child,
    log: PathBuf,
}

impl Instance {
    /// Starts `blackbar kafka --brokers B --group G --input-topic IN --output-topic OUT`
    /// with `extra` arguments, logging to `dir/name.log`.
    pub fn start(
        dir: &Path,
        name: &str,
        brokers: &str,
        group: &str,
        topics: (&str, &str),
        extra: &[&str],
    ) -> Instance {
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_blackbar"))
            .env_clear()
            .args(["kafka", "--brokers", brokers, "--group", group])
            .args(["--input-topic", topics.0, "--output-topic", topics.1])
            .args(["--commit-interval", "0.2", "--connect-timeout", "10"])
            .arg("--kafka-config")
            .arg(quick_group(dir))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Instance { child, log }
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        (status, self.log())
    }

    /// Waits for the exit.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        (status, self.log())
    }

    /// CPU seconds (user and system) the process used so far (Linux; 0 elsewhere), assuming
    /// the usual 100 clock ticks a second.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()));
        let Ok(stat) = stat else { return 0.0 };
        // The fields after the command name (which is in parentheses): utime, stime are the
        // 14th and 15th of the line.
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        let fields: Vec<&str> = after.split(' ').collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(11) + ticks(12)) / 100.0
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` from `addr` over HTTP/1.1: the whole answer, headers included.
pub fn get(addr: &str, path: &str) -> String {
    let Ok(mut conn) = TcpStream::connect(addr) else {
        return String::new();
    };
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    let _ = conn.write_all(request.as_bytes());
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    answer
}

/// Properties that make the group's life quick in tests: a short session, so a member's
/// loss is noticed soon, and quick heartbeats.
fn quick_group(dir: &Path) -> PathBuf {
    let path = dir.join("quick.properties");
    std::fs::write(
        &path,
        "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=500\n",
    )
    .unwrap();
    path
}

/// Sequence numbers per key, in the order of the clean topic: the first time each appears
/// must be increasing (redeliveries may repeat a number, never reorder a key).
pub fn check_per_key_order(out: &[(String, u64)]) {
    let mut last: BTreeMap<&str, u64> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for (key, seq) in out {
        if !seen.insert((key.as_str(), *seq)) {
            continue;
        }
        if let Some(prev) = last.insert(key, *seq) {
            assert!(prev < *seq, "key {key}: {seq} first seen after {prev}");
        }
    }
}
