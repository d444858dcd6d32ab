//! bulkhead's HTTP server: every AWS API on one port, and the control endpoints under
//! `/_bulkhead/`.
//!
//! One request, end to end: route it to a service and operation by its protocol, authenticate
//! its SigV4 `Authorization` header, resolve the calling principal, run the operation, and
//! write the result or the AWS error in the request's protocol. Every response carries an
//! `x-amzn-RequestId` header.

mod aws;
mod control;
mod request_id;
mod routing;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use cloud::organizations::Organizations;
use cloud::{AuthSettings, Settings};
use store::{Location, Store};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// AWS's limit on the body of a request to its JSON and query APIs: 1 MiB.
///
/// NOTE: services with larger bodies (S3 uploads) will need their own limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The server's settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The store's location.
    pub location: Location,
    /// Quotas and delays of the emulated services.
    pub settings: Settings,
    /// The mapping of access keys to principals.
    pub auth: AuthSettings,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How far a request's signing time may be from the server's clock.
    pub max_clock_skew: Duration,
    /// Whether every request is authorized with the policies that apply to it.
    pub enforce: bool,
}

impl ServerConfig {
    /// Returns a configuration with AWS's defaults and the given store location.
    pub fn new(location: Location) -> ServerConfig {
        ServerConfig {
            location,
            settings: Settings::default(),
            auth: AuthSettings::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_clock_skew: wire::sigv4::DEFAULT_MAX_CLOCK_SKEW,
            enforce: true,
        }
    }
}

/// A failure to start the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store could not be opened or loaded.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The listening socket failed.
    #[error("cannot serve on the listening socket: {0}")]
    Io(#[from] std::io::Error),
}

/// The state every request handler shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) organizations: Organizations,
    pub(crate) sts: cloud::sts::Sts,
    pub(crate) iam: cloud::iam::Iam,
    pub(crate) store: Store,
    pub(crate) auth: AuthSettings,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_clock_skew: Duration,
    pub(crate) started: Instant,
    pub(crate) authorizer: cloud::access::Authorizer,
    pub(crate) enforce: bool,
}

/// Opens the store, loads every service and builds the router.
pub async fn build_router(config: &ServerConfig) -> Result<Router, ServerError> {
    let store = Store::open(&config.location).await?;
    let iam = cloud::iam::Iam::load(store.clone()).await?;
    let organizations =
        Organizations::load(store.clone(), config.settings.clone(), iam.clone()).await?;
    let sts = cloud::sts::Sts::load(store.clone()).await?;
    let app = Arc::new(App {
        authorizer: cloud::access::Authorizer::new(organizations.clone(), iam.clone()),
        enforce: config.enforce,
        organizations,
        sts,
        iam,
        store,
        auth: config.auth.clone(),
        max_body_bytes: config.max_body_bytes,
        max_clock_skew: config.max_clock_skew,
        started: Instant::now(),
    });
    Ok(router(app))
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/_bulkhead/health",
            get(control::health).fallback(control::method_not_allowed),
        )
        .route(
            "/_bulkhead/reset",
            post(control::reset).fallback(control::method_not_allowed),
        )
        .route(
            "/moto-api/reset",
            post(control::reset).fallback(control::method_not_allowed),
        )
        .fallback(aws::handle)
        .with_state(app)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            control::panic_response,
        ))
        // Outermost, so that even the response to a panicked handler carries a request id.
        .layer(axum::middleware::from_fn(request_id::assign))
}

/// A server running on a background task.
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), std::io::Error>>,
}

impl RunningServer {
    /// Returns the address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the endpoint URL for AWS clients, such as `http://127.0.0.1:4566`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the end.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.await {
            Ok(result) => Ok(result?),
            Err(error) => Err(ServerError::Io(std::io::Error::other(error))),
        }
    }
}

/// Starts serving on `listener` in the background.
pub async fn start(
    config: &ServerConfig,
    listener: TcpListener,
) -> Result<RunningServer, ServerError> {
    let router = build_router(config).await?;
    let address = listener.local_addr()?;
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = signal.await;
        })
        .await
    });
    tracing::info!(target: "bulkhead::server", %address, store = ?config.location, "server started");
    Ok(RunningServer {
        address,
        shutdown: Some(shutdown),
        task,
    })
}
