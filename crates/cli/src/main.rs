//! The `bulkhead` command: parses arguments and calls the libraries.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use bulkhead::client::{self, Endpoint};
use bulkhead::landing_zone::{self, ProgressMode};
use bulkhead::simulate::{Case, DataSource};
use bulkhead::tree;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use cloud::{AuthSettings, Compatibility, Settings};
use server::ServerConfig;
use store::Location;

/// A local AWS multi-account cloud: Organizations and its guardrails, wire-compatible with the
/// AWS CLI and SDKs.
#[derive(Debug, Parser)]
#[command(name = "bulkhead", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the AWS APIs on one port.
    Serve(ServeArgs),
    /// Inspect an organization through the Organizations API.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Decide whether requests would be allowed, with the decision function the server
    /// enforces with, and show which policy, statement and OU level decides.
    Simulate(SimulateArgs),
    /// Compare a landing-zone file with the live organization: the changes that would make
    /// them equal, and the access decisions those changes flip.
    Plan(PlanArgs),
    /// Make the live organization equal to a landing-zone file.
    Apply(ApplyArgs),
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// The landing-zone YAML file.
    file: PathBuf,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    endpoint: EndpointArgs,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// The landing-zone YAML file.
    file: PathBuf,
    /// Apply without asking for confirmation. Without it, apply prints the plan and asks on a
    /// terminal, and refuses to run when standard input is not a terminal.
    #[arg(long)]
    auto_approve: bool,
    #[command(flatten)]
    endpoint: EndpointArgs,
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Print the organization as a tree of OUs and accounts.
    Tree(EndpointArgs),
}

#[derive(Debug, Args)]
struct EndpointArgs {
    /// The endpoint URL to query [default: $AWS_ENDPOINT_URL, else http://127.0.0.1:4566].
    #[arg(long, env = "BULKHEAD_ENDPOINT", conflicts_with = "aws")]
    endpoint: Option<String>,
    /// Query real AWS with the normal credential chain and region instead of an endpoint URL.
    #[arg(long)]
    aws: bool,
}

impl EndpointArgs {
    fn endpoint(&self) -> Endpoint {
        if self.aws {
            return Endpoint::Aws;
        }
        let url = self
            .endpoint
            .clone()
            .or_else(|| {
                std::env::var("AWS_ENDPOINT_URL")
                    .ok()
                    .filter(|url| !url.is_empty())
            })
            .unwrap_or_else(|| client::DEFAULT_ENDPOINT.to_owned());
        Endpoint::Url(url)
    }
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("question")
        .required(true)
        .args(["principal", "account", "batch"])
))]
struct SimulateArgs {
    /// The ARN of the principal that sends the request: a root user
    /// (arn:aws:iam::ACCOUNT:root), an IAM user (…:user/NAME), a role (…:role/NAME, simulated
    /// as a session of the role) or a role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
    #[arg(long)]
    principal: Option<String>,
    /// Shorthand for `--principal arn:aws:iam::ACCOUNT:root`, the account's root user.
    #[arg(long, value_parser = parse_account_id, conflicts_with = "principal")]
    account: Option<String>,
    /// An action to decide, such as `s3:PutObject`; repeat for several.
    #[arg(long = "action", required_unless_present = "batch")]
    actions: Vec<String>,
    /// The resource ARN.
    #[arg(long, default_value = "*")]
    resource: String,
    /// The region the request goes to; also the default of batch cases that name none.
    #[arg(long, default_value = client::DEFAULT_REGION)]
    region: String,
    /// A request condition key, as `KEY=VALUE`, such as `aws:PrincipalTag/team=red`; it sets
    /// or replaces the key's value. Repeat a key to give it several values.
    #[arg(long = "context", value_parser = parse_context)]
    context: Vec<(String, String)>,
    /// A JSON file with an array of cases, each `{"principal", "action", "resource",
    /// "region", "context"}`; only the principal and the action are required.
    #[arg(long, conflicts_with_all = ["principal", "account", "actions", "context"])]
    batch: Option<PathBuf>,
    /// Decide from a snapshot file saved with `--save-snapshot`, with no network call;
    /// `--endpoint` is then ignored.
    #[arg(long, conflicts_with_all = ["aws", "save_snapshot"])]
    snapshot: Option<PathBuf>,
    /// Write what was read (organization policies, IAM policies, trust policies) to this file
    /// as a snapshot.
    #[arg(long)]
    save_snapshot: Option<PathBuf>,
    /// Print one JSON document, an array with one result per case.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    endpoint: EndpointArgs,
}

fn parse_context(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got '{text}'")),
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "BULKHEAD_LISTEN", default_value = "127.0.0.1:4566")]
    listen: SocketAddr,
    /// The directory of the SQLite store.
    #[arg(
        long,
        env = "BULKHEAD_DATA_DIR",
        default_value = "./.bulkhead",
        conflicts_with = "in_memory"
    )]
    data_dir: PathBuf,
    /// Keep all state in memory; it is lost when the server stops.
    #[arg(long)]
    in_memory: bool,
    /// On an empty store, build the multi-account organization AWS recommends, managed by the
    /// default account.
    #[arg(long)]
    demo: bool,
    /// Reject access keys that bulkhead did not issue, as AWS does: only IAM users' access keys
    /// and STS credentials are then accepted.
    #[arg(long, conflicts_with = "demo")]
    strict_auth: bool,
    /// Allow every authenticated request without evaluating identity policies, SCPs, RCPs or
    /// resource policies. Enforcement is on by default, as on AWS.
    #[arg(long)]
    no_enforce: bool,
    /// The account that access keys other than 12-digit account ids act in
    /// [default: 000000000000, or 123456789012 with --compat moto].
    #[arg(long, value_parser = parse_account_id)]
    default_account: Option<String>,
    /// Whose conventions to follow where emulators differ from AWS: `aws`, or `moto` for test
    /// suites written against moto's server mode.
    #[arg(long, value_enum, default_value_t = CompatArg::Aws)]
    compat: CompatArg,
    /// Seconds a CreateAccount request stays IN_PROGRESS before it settles.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    account_creation_delay: f64,
    /// Seconds a closed account stays PENDING_CLOSURE before it becomes SUSPENDED.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    account_closure_delay: f64,
    /// The maximum number of accounts in an organization, the management account included
    /// (AWS's default quota is 10).
    #[arg(long, default_value_t = Settings::default().max_accounts)]
    max_accounts: usize,
    /// The maximum number of invitations an organization may send in 24 hours (AWS's quota is
    /// 20).
    #[arg(long, default_value_t = Settings::default().max_invitations_per_day)]
    max_invitations_per_day: usize,
    /// The log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// The log filter, in `RUST_LOG` syntax, such as `info` or `bulkhead::request=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CompatArg {
    /// AWS's behaviour.
    Aws,
    /// moto's server mode: unknown access keys act in 123456789012 and CreateAccount reports
    /// SUCCEEDED at once.
    Moto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "expected a number of seconds from 0 to 86400, got '{text}'"
        )),
    }
}

fn parse_account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err(format!("expected a 12-digit account id, got '{text}'"))
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the Tokio runtime")?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
        Command::Org {
            command: OrgCommand::Tree(args),
        } => runtime.block_on(org_tree(args)),
        Command::Simulate(args) => runtime.block_on(simulate(args)),
        Command::Plan(args) => runtime.block_on(plan(args)),
        Command::Apply(args) => runtime.block_on(apply(args)),
    }
}

fn init_logging(format: LogFormat, filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .with_context(|| format!("invalid log filter '{filter}'"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    result.map_err(|error| anyhow::anyhow!("cannot set up logging: {error}"))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format, &args.log)?;
    let compatibility = match args.compat {
        CompatArg::Aws => Compatibility::Aws,
        CompatArg::Moto => Compatibility::Moto,
    };
    let default_account = args
        .default_account
        .clone()
        .unwrap_or_else(|| match compatibility {
            Compatibility::Aws => cloud::identity::DEFAULT_ACCOUNT.to_owned(),
            Compatibility::Moto => cloud::identity::MOTO_DEFAULT_ACCOUNT.to_owned(),
        });
    let location = if args.in_memory {
        Location::InMemory
    } else {
        Location::Directory(args.data_dir.clone())
    };
    let config = ServerConfig {
        settings: Settings {
            account_creation_delay: Duration::from_secs_f64(args.account_creation_delay),
            account_closure_delay: Duration::from_secs_f64(args.account_closure_delay),
            max_accounts: args.max_accounts,
            compatibility,
            max_invitations_per_day: args.max_invitations_per_day,
            ..Settings::default()
        },
        auth: AuthSettings {
            strict: args.strict_auth,
            default_account: default_account.clone(),
        },
        enforce: !args.no_enforce,
        ..ServerConfig::new(location)
    };

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; is another server using the port?",
                args.listen
            )
        })?;
    let server = server::start(&config, listener)
        .await
        .context("cannot start the server")?;
    let endpoint = server.endpoint_url();

    if args.demo {
        let client = client::emulator_client(&endpoint, &default_account);
        let file = landing_zone::parse(landing_zone::EXAMPLE, landing_zone::EXAMPLE_NAME, None)
            .map_err(|errors| anyhow::anyhow!("the embedded example is invalid: {errors}"))?;
        let built = if landing_zone::live::read(&client).await?.exists {
            false
        } else {
            landing_zone::apply(&client, &file, ProgressMode::Quiet)
                .await
                .context("cannot build the demo organization")?;
            true
        };
        let tree = tree::fetch(&client)
            .await
            .context("cannot read the demo organization")?;
        if built {
            println!(
                "Built the recommended organization from {}:\n",
                landing_zone::EXAMPLE_NAME
            );
        } else {
            println!("The store already holds an organization; left it as it is:\n");
        }
        println!("{}", tree::render(&tree));
        println!("bulkhead is serving AWS APIs at {endpoint}. Point the AWS CLI at it:\n");
        println!(
            "  export AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL={endpoint}",
            default_account
        );
        println!("  aws organizations list-accounts\n");
    } else {
        println!("bulkhead is serving AWS APIs at {endpoint}");
    }

    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    tracing::info!(target: "bulkhead::server", "shutting down");
    server
        .shutdown()
        .await
        .context("the server failed while shutting down")?;
    Ok(())
}

async fn org_tree(args: EndpointArgs) -> anyhow::Result<()> {
    let client = client::organizations_client(&args.endpoint()).await;
    let tree = tree::fetch(&client).await?;
    print!("{}", tree::render(&tree));
    Ok(())
}

async fn simulate(args: SimulateArgs) -> anyhow::Result<()> {
    let cases = simulation_cases(&args)?;
    warn_unknown_actions(&cases);
    let source = match &args.snapshot {
        Some(path) => DataSource::Snapshot(path.clone()),
        None => DataSource::Endpoint(args.endpoint.endpoint()),
    };
    let outcomes =
        bulkhead::simulate::simulate(&cases, &source, args.save_snapshot.as_deref()).await?;
    if args.json {
        let json = serde_json::to_string_pretty(&outcomes).context("cannot encode the results")?;
        println!("{json}");
    } else {
        print!("{}", bulkhead::simulate::render(&outcomes));
    }
    Ok(())
}

/// Warns on standard error about actions the action catalog does not list. Such an action
/// is usually misspelled, and the engine decides it like any other action.
fn warn_unknown_actions(cases: &[bulkhead::simulate::Case]) {
    let Ok(catalog) = catalog::Catalog::builtin() else {
        return;
    };
    for case in cases {
        if catalog.action(&case.action).is_none() {
            eprintln!(
                "warning: {} is not in the action catalog; check its spelling",
                case.action
            );
        }
    }
}

async fn plan(args: PlanArgs) -> anyhow::Result<()> {
    let file = landing_zone::load(&args.file)?;
    let client = client::organizations_client(&args.endpoint.endpoint()).await;
    let plan = landing_zone::plan(&client, &file).await?;
    if args.json {
        let json = serde_json::to_string_pretty(&plan).context("cannot encode the plan")?;
        println!("{json}");
    } else {
        print!("{}", landing_zone::render(&plan));
    }
    Ok(())
}

async fn apply(args: ApplyArgs) -> anyhow::Result<()> {
    let file = landing_zone::load(&args.file)?;
    let client = client::organizations_client(&args.endpoint.endpoint()).await;
    if !args.auto_approve {
        let plan = landing_zone::plan(&client, &file).await?;
        print!("{}", landing_zone::render(&plan));
        if plan.structure.changes.is_empty() {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "standard input is not a terminal, so apply cannot ask; pass --auto-approve"
            );
        }
        println!(
            "\nApply these {} changes? Type yes to continue:",
            plan.structure.changes.len()
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("cannot read the answer")?;
        if answer.trim() != "yes" {
            println!("Nothing applied.");
            return Ok(());
        }
    }
    let outcome = landing_zone::apply(&client, &file, ProgressMode::Auto).await?;
    let applied = outcome.plan.changes.len();
    if applied == 0 {
        println!("No changes: the organization matches {}.", file.source);
    } else {
        println!(
            "Applied {applied} changes; the organization matches {}.",
            file.source
        );
    }
    for refusal in &outcome.plan.refusals {
        println!("  not done: {} {}", refusal.subject, refusal.reason);
    }
    Ok(())
}

/// Collects the cases of a simulation from the batch file or from the command line.
fn simulation_cases(args: &SimulateArgs) -> anyhow::Result<Vec<Case>> {
    if let Some(path) = &args.batch {
        return bulkhead::simulate::read_batch(path, &args.region);
    }
    let principal = match (&args.principal, &args.account) {
        (Some(principal), _) => principal.clone(),
        (None, Some(account)) => format!(
            "arn:{}:iam::{account}:root",
            cloud::partition_for_region(&args.region)
        ),
        (None, None) => anyhow::bail!("give --principal, --account or --batch"),
    };
    // Repeating a key gives it several values, in the order given.
    let mut context: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in &args.context {
        match context.iter_mut().find(|(existing, _)| existing == key) {
            Some((_, values)) => values.push(value.clone()),
            None => context.push((key.clone(), vec![value.clone()])),
        }
    }
    args.actions
        .iter()
        .map(|action| {
            Case::new(
                &principal,
                action,
                &args.resource,
                &args.region,
                context.clone(),
            )
        })
        .collect()
}
