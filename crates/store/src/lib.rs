//! bulkhead's persistence: every emulated resource as rows in SQLite, behind one interface.
//!
//! The store serves no queries on the request path. At start-up the service layer loads
//! every record once with [`Store::load`] and keeps them in memory; each write operation then
//! hands the store a list of [`Change`]s, which [`Store::commit`] applies in one transaction
//! before the operation is acknowledged. A committed change survives a crash of the process:
//! the database runs in WAL mode with `synchronous=FULL`, so the commit has reached the disk
//! when `commit` returns.
//!
//! Records are plain rows. What they mean (parents, states, quotas) belongs to the `cloud`
//! crate.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

mod iam;
mod records;

pub use iam::{
    IamAccessKeyRecord, IamAttachmentRecord, IamChange, IamInlinePolicyRecord, IamPolicyRecord,
    IamPolicyVersionRecord, IamProvisionedAccessRoleRecord, IamRoleRecord, IamSnapshot,
    IamUserRecord,
};

pub use records::{
    AccountRecord, Change, CreateAccountRequestRecord, DelegatedAdministratorRecord,
    EnabledPolicyTypeRecord, HandshakeRecord, OrganizationRecord, OrganizationalUnitRecord,
    PolicyAttachmentRecord, PolicyRecord, ResourcePolicyRecord, ResponsibilityTransferRecord,
    RootRecord, ServiceAccessRecord, SessionRecord, Snapshot, TagRecord,
};

/// The location of the store's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file `bulkhead.db` inside this directory, created if missing.
    Directory(PathBuf),
    /// A private in-memory database, lost when the process exits.
    InMemory,
}

/// A failure of the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDirectory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// The database file name inside the data directory.
pub const DATABASE_FILE: &str = "bulkhead.db";

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    description: String,
}

impl Store {
    /// Opens (creating if needed) the database at `location` and brings its schema up to date.
    pub async fn open(location: &Location) -> Result<Store, StoreError> {
        let (options, description) = match location {
            Location::Directory(directory) => {
                std::fs::create_dir_all(directory).map_err(|source| {
                    StoreError::CreateDirectory {
                        path: directory.clone(),
                        source,
                    }
                })?;
                let path = directory.join(DATABASE_FILE);
                let options = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full);
                (options, format!("sqlite:{}", path.display()))
            }
            Location::InMemory => {
                let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
                (options, "sqlite::memory:".to_owned())
            }
        };
        let options = options
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));

        // One connection: every write is serialised by the service layer anyway, and an
        // in-memory database exists only inside the connection that created it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        // A commit during the migrations need not reach the disk before the next one starts:
        // WAL mode keeps the file consistent, and migrations lost to a crash run again at the
        // next start. Writes are synchronous again before the store serves a request.
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&pool)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        sqlx::query("PRAGMA synchronous = FULL")
            .execute(&pool)
            .await?;
        tracing::debug!(target: "bulkhead::store", store = %description, "store opened");
        Ok(Store { pool, description })
    }

    /// Returns a short description for logs and the health endpoint, such as `sqlite:./.bulkhead/bulkhead.db`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Returns the database file of a directory location.
    pub fn database_path(directory: &Path) -> PathBuf {
        directory.join(DATABASE_FILE)
    }

    /// Reads every record, each table in insertion order.
    pub async fn load(&self) -> Result<Snapshot, StoreError> {
        records::load(&self.pool).await
    }

    /// Reads every IAM record, each table in insertion order.
    pub async fn load_iam(&self) -> Result<IamSnapshot, StoreError> {
        iam::load(&self.pool).await
    }

    /// Reads the temporary credentials STS issued that expire after `now_millis`.
    pub async fn load_sessions(&self, now_millis: i64) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM sessions WHERE expires_at > ? ORDER BY rowid")
            .bind(now_millis)
            .fetch_all(&self.pool)
            .await?;
        let mut sessions = Vec::with_capacity(rows.len());
        for row in &rows {
            sessions.push(<SessionRecord as sqlx::FromRow<
                '_,
                sqlx::sqlite::SqliteRow,
            >>::from_row(row)?);
        }
        Ok(sessions)
    }

    /// Applies `changes` in one transaction: all of them or none.
    pub async fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut transaction = self.pool.begin().await?;
        for change in changes {
            records::apply(&mut transaction, change).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Deletes every record, keeping the schema.
    pub async fn reset(&self) -> Result<(), StoreError> {
        let mut transaction = self.pool.begin().await?;
        for table in records::TABLES_CHILD_FIRST.iter().chain(iam::IAM_TABLES) {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Counts the rows of a table; for tests and the health endpoint.
    pub async fn count(&self, table: &str) -> Result<i64, StoreError> {
        if !records::TABLES_CHILD_FIRST.contains(&table) && !iam::IAM_TABLES.contains(&table) {
            return Ok(0);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Closes the connection, flushing the WAL into the database file.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
