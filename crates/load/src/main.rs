//! `bulkhead-load`: drives an AWS endpoint with signed Organizations requests and reports
//! throughput and latency, and measures a server's start-up time and idle memory.
//!
//! Every request is signed with SigV4 by AWS's own signer, as an SDK would sign it, so the
//! tool measures the same work against bulkhead and against any other emulator. Traffic goes
//! only to the endpoint given, which the benchmarks keep on loopback, and every run is bounded
//! by a duration.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use clap::{Parser, Subcommand};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

mod scale;
mod workload;

use workload::{Fixture, Sequence, Workload};

#[derive(Debug, Parser)]
#[command(
    name = "bulkhead-load",
    about = "Load generator and start-up probe for bulkhead's benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create an organization whose management account is `--account`, with this many
    /// accounts in all.
    Setup {
        /// The endpoint URL.
        #[arg(long, default_value = "http://127.0.0.1:4566")]
        endpoint: String,
        /// The total number of accounts, the management account included.
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
        /// The management account (a convenience access key).
        #[arg(long, default_value = "000000000000")]
        account: String,
    },
    /// Send one operation over many connections for a fixed time and report latency.
    Run {
        /// The endpoint URL.
        #[arg(long, default_value = "http://127.0.0.1:4566")]
        endpoint: String,
        /// The operation to send.
        #[arg(long, value_enum, default_value_t = Workload::DescribeAccount)]
        operation: Workload,
        /// Concurrent connections, each with one request in flight.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// How long to send, in seconds.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Offered load in requests per second across all connections; without it every
        /// connection sends as fast as responses return.
        #[arg(long)]
        rate: Option<u64>,
        /// The caller's access key.
        #[arg(long, default_value = "000000000000")]
        account: String,
    },
    /// Build a large organization (accounts spread over OUs several levels deep) and time the
    /// listings and a member's requests.
    Scale {
        /// The endpoint URL.
        #[arg(long, default_value = "http://127.0.0.1:4566")]
        endpoint: String,
        /// The total number of accounts, the management account included.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// The number of OUs.
        #[arg(long, default_value_t = 1_000)]
        units: usize,
        /// Levels of OUs below the root; AWS allows five.
        #[arg(long, default_value_t = 5)]
        depth: usize,
        /// The management account (a convenience access key).
        #[arg(long, default_value = "000000000000")]
        account: String,
    },
    /// Start a server binary on an empty store repeatedly and report its start-up time and
    /// resident memory when idle.
    Startup {
        /// The `bulkhead` binary to start.
        #[arg(long, default_value = "target/release/bulkhead")]
        binary: PathBuf,
        /// How many times to start it.
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Setup {
            endpoint,
            accounts,
            account,
        } => runtime.block_on(setup(&endpoint, accounts, &account)),
        Command::Run {
            endpoint,
            operation,
            connections,
            duration,
            rate,
            account,
        } => runtime.block_on(run(
            &endpoint,
            operation,
            connections,
            Duration::from_secs(duration),
            rate,
            &account,
        )),
        Command::Scale {
            endpoint,
            accounts,
            units,
            depth,
            account,
        } => runtime.block_on(scale::run(
            &endpoint,
            &account,
            scale::Shape {
                accounts,
                units,
                depth,
            },
        )),
        Command::Startup { binary, runs } => runtime.block_on(startup(&binary, runs)),
    }
}

async fn setup(endpoint: &str, accounts: usize, account: &str) -> anyhow::Result<()> {
    let client = bulkhead::client::emulator_client(endpoint, account);
    if bulkhead::demo::ensure_organization(&client).await? {
        println!("created an organization managed by {account}");
    }
    let existing = list_account_ids(endpoint, account).await?.len();
    let started = Instant::now();
    for index in existing..accounts {
        bulkhead::demo::create_account(
            &client,
            &format!("Load {index}"),
            &format!("load-{index}@example.com"),
        )
        .await?;
    }
    println!(
        "organization has {} accounts ({} created in {:.1} s)",
        accounts.max(existing),
        accounts.saturating_sub(existing),
        started.elapsed().as_secs_f64()
    );
    workload::fixture(&client).await?;
    Ok(())
}

async fn list_account_ids(endpoint: &str, account: &str) -> anyhow::Result<Vec<String>> {
    let client = bulkhead::client::emulator_client(endpoint, account);
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token)
            .send()
            .await
            .context("ListAccounts failed")?;
        ids.extend(
            page.accounts()
                .iter()
                .filter_map(|account| account.id().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(ids);
        }
    }
}

/// Latencies and failed responses of one connection, overall and by operation.
struct Measured {
    histogram: Histogram<u64>,
    by_operation: BTreeMap<&'static str, Histogram<u64>>,
    errors: u64,
}

async fn run(
    endpoint: &str,
    workload: Workload,
    connections: usize,
    duration: Duration,
    rate: Option<u64>,
    account: &str,
) -> anyhow::Result<()> {
    let authority = endpoint
        .strip_prefix("http://")
        .context("the endpoint must be an http:// URL")?
        .trim_end_matches('/')
        .to_owned();
    let account_ids = Arc::new(list_account_ids(endpoint, account).await?);
    if account_ids.is_empty() {
        bail!("the organization has no accounts; run `bulkhead-load setup` first");
    }
    let mut sequences = Vec::with_capacity(connections);
    if workload == Workload::Mix {
        if account_ids.len() < connections + 1 {
            bail!("the mix needs an account per connection beside the management account");
        }
        let client = bulkhead::client::emulator_client(endpoint, account);
        let fixture = workload::fixture(&client).await?;
        let members: Vec<&String> = account_ids.iter().filter(|id| *id != account).collect();
        for (connection, member) in members.iter().take(connections).enumerate() {
            let owned = workload::owned(&client, &fixture, member).await?;
            sequences.push(Sequence::new(
                workload,
                connection,
                Some(fixture.clone()),
                Some(owned),
            ));
        }
    } else {
        for connection in 0..connections {
            sequences.push(Sequence::new(workload, connection, None::<Fixture>, None));
        }
    }

    let started = Instant::now();
    let deadline = started + duration;
    let mut schedules = Vec::with_capacity(connections);
    let mut pacer = None;
    if let Some(rate) = rate {
        let mut senders = Vec::with_capacity(connections);
        for _ in 0..connections {
            let (sender, receiver) = mpsc::unbounded_channel();
            senders.push(sender);
            schedules.push(Some(receiver));
        }
        pacer = Some(std::thread::spawn(move || pace(rate, deadline, &senders)));
    } else {
        schedules.resize_with(connections, || None);
    }

    let mut tasks = Vec::with_capacity(connections);
    for (sequence, schedule) in sequences.into_iter().zip(schedules) {
        let authority = authority.clone();
        let account_ids = Arc::clone(&account_ids);
        let account = account.to_owned();
        tasks.push(tokio::spawn(async move {
            drive_connection(
                &authority,
                sequence,
                &account_ids,
                &account,
                deadline,
                schedule,
            )
            .await
        }));
    }

    let mut histogram = Histogram::<u64>::new(3)?;
    let mut by_operation: BTreeMap<&'static str, Histogram<u64>> = BTreeMap::new();
    let mut errors = 0;
    for task in tasks {
        let measured = task.await??;
        histogram.add(&measured.histogram)?;
        for (operation, part) in measured.by_operation {
            match by_operation.get_mut(operation) {
                Some(total) => total.add(&part)?,
                None => {
                    by_operation.insert(operation, part);
                }
            }
        }
        errors += measured.errors;
    }
    if let Some(pacer) = pacer {
        let _ = pacer.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let count = histogram.len();
    println!("operation     {workload:?}");
    println!("connections   {connections}");
    match rate {
        Some(rate) => println!("offered load  {rate} requests/s"),
        None => println!("offered load  closed loop (as fast as responses return)"),
    }
    println!("requests      {count} in {elapsed:.1} s, {errors} errors");
    println!("throughput    {:.0} requests/s", count as f64 / elapsed);
    print_latency("latency", &histogram);
    if by_operation.len() > 1 {
        for (operation, part) in &by_operation {
            println!("  {operation}: {} requests", part.len());
            print_latency("    latency", part);
        }
    }
    if errors > 0 {
        bail!("{errors} requests failed");
    }
    Ok(())
}

fn print_latency(label: &str, histogram: &Histogram<u64>) {
    let millis = |micros: u64| micros as f64 / 1000.0;
    println!(
        "{label} p50   {:.3} ms",
        millis(histogram.value_at_quantile(0.50))
    );
    println!(
        "{label} p99   {:.3} ms",
        millis(histogram.value_at_quantile(0.99))
    );
    println!("{label} max   {:.3} ms", millis(histogram.max()));
}

/// Hands out send times at `rate` per second, round robin over the connections, until the
/// deadline. It runs on its own thread and sleeps with the operating system's timer, which
/// wakes within tens of microseconds, where Tokio's timer rounds up to whole milliseconds.
fn pace(rate: u64, deadline: Instant, connections: &[mpsc::UnboundedSender<Instant>]) {
    let period = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let mut due = Instant::now();
    let mut index = 0usize;
    while due < deadline {
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        if let Some(connection) = connections.get(index % connections.len().max(1)) {
            let _ = connection.send(due);
        }
        index += 1;
        due += period;
    }
}

async fn drive_connection(
    authority: &str,
    mut sequence: Sequence,
    account_ids: &[String],
    account: &str,
    deadline: Instant,
    mut schedule: Option<mpsc::UnboundedReceiver<Instant>>,
) -> anyhow::Result<Measured> {
    let mut sender = connect(authority).await?;
    let credentials = Credentials::new(account, "load-secret", None, None, "load").into();
    let mut measured = Measured {
        histogram: Histogram::new(3)?,
        by_operation: BTreeMap::new(),
        errors: 0,
    };
    loop {
        // With a fixed offered load, latency counts from when the request was due, so a slow
        // response also charges the requests that queued behind it.
        let scheduled = match schedule.as_mut() {
            Some(receiver) => match receiver.recv().await {
                Some(due) => due,
                None => break,
            },
            None if Instant::now() < deadline => Instant::now(),
            None => break,
        };
        let call = sequence.next(account_ids);
        let target = format!("AWSOrganizationsV20161128.{}", call.operation);
        let request = signed_request(authority, &target, call.body.clone(), &credentials)?;
        // A server that closes the connection after each response (moto's development
        // server does) gets a new connection, and the request is sent again on it.
        let response = match send(&mut sender, request).await {
            Ok(response) => response,
            Err(_) => {
                sender = connect(authority).await?;
                let request = signed_request(authority, &target, call.body, &credentials)?;
                send(&mut sender, request).await?
            }
        };
        let ok = response.status().is_success();
        let body = response.into_body().collect().await?.to_bytes();
        let micros = u64::try_from(scheduled.elapsed().as_micros()).unwrap_or(u64::MAX);
        measured.histogram.record(micros.max(1))?;
        let part = match measured.by_operation.get_mut(call.operation) {
            Some(part) => part,
            None => measured
                .by_operation
                .entry(call.operation)
                .or_insert(Histogram::new(3)?),
        };
        part.record(micros.max(1))?;
        if !ok {
            measured.errors += 1;
        }
        if call.operation == "ListAccounts" {
            sequence.next_token = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|page| page["NextToken"].as_str().map(str::to_owned));
        }
    }
    Ok(measured)
}

/// Opens an HTTP/1.1 connection to `authority`.
async fn connect(
    authority: &str,
) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .with_context(|| format!("cannot connect to {authority}"))?;
    stream.set_nodelay(true)?;
    let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(driver);
    Ok(sender)
}

async fn send(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    request: http::Request<Full<Bytes>>,
) -> anyhow::Result<http::Response<hyper::body::Incoming>> {
    sender.ready().await?;
    Ok(sender.send_request(request).await?)
}

fn signed_request(
    authority: &str,
    target: &str,
    body: String,
    identity: &aws_smithy_runtime_api::client::identity::Identity,
) -> anyhow::Result<http::Request<Full<Bytes>>> {
    let headers = [
        ("host", authority),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target),
    ];
    let uri = format!("http://{authority}/");
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name("organizations")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    let mut request = http::Request::builder().method("POST").uri("/");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut request = request.body(Full::new(Bytes::from(body)))?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(request)
}

async fn startup(binary: &PathBuf, runs: usize) -> anyhow::Result<()> {
    let mut to_listening = Vec::with_capacity(runs);
    let mut to_first_response = Vec::with_capacity(runs);
    let mut idle_rss_kib = Vec::with_capacity(runs);
    for _ in 0..runs {
        let directory =
            std::env::temp_dir().join(format!("bulkhead-startup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        let started = Instant::now();
        let mut child = tokio::process::Command::new(binary)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log",
                "warn",
                "--data-dir",
            ])
            .arg(&directory)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await??
            .context("the server printed nothing")?;
        to_listening.push(started.elapsed());
        let authority = line
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();

        let stream = tokio::net::TcpStream::connect(&authority).await?;
        let (mut sender, driver) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(driver);
        let request = http::Request::builder()
            .uri("/_bulkhead/health")
            .header("host", &authority)
            .body(Full::new(Bytes::new()))?;
        let response = sender.send_request(request).await?;
        if !response.status().is_success() {
            bail!("the health endpoint returned HTTP {}", response.status());
        }
        to_first_response.push(started.elapsed());

        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Some(pid) = child.id() {
            idle_rss_kib.push(resident_kib(pid)?);
        }
        child.kill().await?;
        let _ = std::fs::remove_dir_all(&directory);
    }
    report_durations("start-up to listening", &mut to_listening);
    report_durations("start-up to first response", &mut to_first_response);
    idle_rss_kib.sort_unstable();
    if let Some(median) = idle_rss_kib.get(idle_rss_kib.len() / 2) {
        println!(
            "idle resident memory: median {:.1} MiB over {} runs",
            *median as f64 / 1024.0,
            idle_rss_kib.len()
        );
    }
    Ok(())
}

fn report_durations(label: &str, durations: &mut [Duration]) {
    durations.sort_unstable();
    let millis = |d: &Duration| d.as_secs_f64() * 1000.0;
    if let (Some(first), Some(median), Some(last)) = (
        durations.first(),
        durations.get(durations.len() / 2),
        durations.last(),
    ) {
        println!(
            "{label}: median {:.1} ms, min {:.1} ms, max {:.1} ms",
            millis(median),
            millis(first),
            millis(last)
        );
    }
}

/// `VmRSS` of a process, from `/proc/<pid>/status`, in KiB.
fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .context("empty VmRSS line")?
        .parse()?;
    Ok(kib)
}
