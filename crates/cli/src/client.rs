//! AWS SDK clients for the emulator or for AWS.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_organizations::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// The endpoint of client commands when none is given.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4566";

/// The region used when neither the command line nor the environment names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The target of a client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A bulkhead server (or any AWS-compatible endpoint) at this URL.
    Url(String),
    /// Real AWS, with the SDK's own endpoint resolution.
    Aws,
}

/// Builds an Organizations client.
///
/// Against AWS it uses the normal credential chain and region. Against an endpoint URL it
/// uses the credentials in `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` when both are set.
/// Otherwise it uses the default account's convenience credentials, which bulkhead accepts
/// without a signature check, and the region falls back to `us-east-1`.
pub async fn organizations_client(endpoint: &Endpoint) -> aws_sdk_organizations::Client {
    let config = sdk_config(endpoint, cloud::identity::DEFAULT_ACCOUNT).await;
    aws_sdk_organizations::Client::new(&config)
}

/// Loads the SDK configuration for `endpoint`.
///
/// Against AWS it uses the normal credential chain and region, and `account_id` is ignored.
/// Against an endpoint URL it uses [`environment_credentials`] when they are set, otherwise
/// the convenience credentials of `account_id`; the region comes from `AWS_REGION` or
/// `AWS_DEFAULT_REGION`, else `us-east-1`.
pub async fn sdk_config(endpoint: &Endpoint, account_id: &str) -> SdkConfig {
    let credentials =
        environment_credentials().unwrap_or_else(|| convenience_credentials(account_id));
    config_with(endpoint, credentials).await
}

/// Loads the SDK configuration for reading `account_id` itself, as `simulate` reads every
/// account it decides for.
///
/// Against an endpoint URL, environment credentials that are a convenience key (a 12-digit
/// account id) name the user's own account, not `account_id`, so `account_id`'s convenience
/// credentials are used instead; other environment credentials (keys bulkhead issued) are used
/// as they are.
pub async fn account_config(endpoint: &Endpoint, account_id: &str) -> SdkConfig {
    let credentials = environment_credentials()
        .filter(|credentials| !is_account_id(credentials.access_key_id()))
        .unwrap_or_else(|| convenience_credentials(account_id));
    config_with(endpoint, credentials).await
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

async fn config_with(endpoint: &Endpoint, credentials: Credentials) -> SdkConfig {
    match endpoint {
        Endpoint::Aws => aws_config::defaults(BehaviorVersion::latest()).load().await,
        Endpoint::Url(url) => {
            let region = std::env::var("AWS_REGION")
                .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|_| DEFAULT_REGION.to_owned());
            aws_config::defaults(BehaviorVersion::latest())
                .endpoint_url(url)
                .credentials_provider(credentials)
                .region(Region::new(region))
                .load()
                .await
        }
    }
}

/// Returns the credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`, or `None` unless both the key and the secret are set.
pub fn environment_credentials() -> Option<Credentials> {
    let non_empty = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let key = non_empty("AWS_ACCESS_KEY_ID")?;
    let secret = non_empty("AWS_SECRET_ACCESS_KEY")?;
    Some(Credentials::new(
        key,
        secret,
        non_empty("AWS_SESSION_TOKEN"),
        None,
        "environment",
    ))
}

/// Credentials that act as the root user of `account_id` on a bulkhead server.
pub fn convenience_credentials(account_id: &str) -> Credentials {
    Credentials::new(account_id, "bulkhead", None, None, "bulkhead-convenience")
}

/// An Organizations client for a bulkhead server, acting as the root user of `account_id`.
pub fn emulator_client(endpoint_url: &str, account_id: &str) -> aws_sdk_organizations::Client {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(DEFAULT_REGION))
        .credentials_provider(convenience_credentials(account_id))
        .endpoint_url(endpoint_url)
        .build();
    aws_sdk_organizations::Client::from_conf(config)
}

/// Turns a failed SDK call into one error that names the operation and gives AWS's error code
/// and message once.
pub fn sdk_error<E, R>(operation: &str) -> impl FnOnce(SdkError<E, R>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let operation = operation.to_owned();
    move |error| match error.code() {
        Some(code) => anyhow::anyhow!(
            "{operation} failed: {code}: {}",
            error.message().unwrap_or_default()
        ),
        None if matches!(error, SdkError::DispatchFailure(_)) => anyhow::anyhow!(
            "{operation} failed: the endpoint cannot be reached ({}); check that the server is \
             running (bulkhead serve, for the emulator) and that --endpoint or BULKHEAD_ENDPOINT \
             names its address",
            dispatch_cause(&error)
        ),
        None => anyhow::anyhow!("{operation} failed: {}", DisplayErrorContext(&error)),
    }
}

/// Returns the innermost cause of an SDK error, such as `Connection refused (os error 111)`.
fn dispatch_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
