//! What the five contacts functions share: their configuration, their dependencies, the access
//! check with its audit of denials, the parsing of contact fields, and the one mapping from
//! repository failures to API errors.

use chrono::{DateTime, Utc};
use wecare_core::{ContactId, ContactName, Email, ErrorCode, Permission, PhoneNumber, Region};
use wecare_http::config::{ConfigError, Env};
use wecare_http::guard::{self, Attempt};
use wecare_http::{ApiError, Request};
use wecare_store::audit::AuditContext;
use wecare_store::contacts::WriteError;
use wecare_store::ContactsRepo;

pub use wecare_store::contacts::{Contact, Page, ReadError};

/// Configuration of a contacts function, from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub contacts_table: String,
    pub audit_logs_table: String,
    /// The region numbers without a country code are read in (`DEFAULT_PHONE_REGION`, e.g. `IN`).
    pub default_region: Region,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(Env::from_process())
    }

    pub fn from(mut env: Env) -> Result<Self, ConfigError> {
        let contacts_table = env.required("CONTACTS_TABLE");
        let audit_logs_table = env.required("AUDIT_LOGS_TABLE");
        let region = env.parsed("DEFAULT_PHONE_REGION", Region::parse);
        env.finish(|| {
            Some(Config {
                contacts_table,
                audit_logs_table,
                default_region: region?,
            })
        })
    }
}

/// Built once per cold start.
#[derive(Clone)]
pub struct Deps {
    pub repo: ContactsRepo,
    pub default_region: Region,
}

impl Deps {
    pub fn new(dynamo: aws_sdk_dynamodb::Client, config: &Config) -> Self {
        Deps {
            repo: ContactsRepo::new(dynamo, &config.contacts_table, &config.audit_logs_table),
            default_region: config.default_region,
        }
    }

    /// Checks `permission` for the caller; denials are audited and answer 403.
    pub async fn authorize(
        &self,
        req: &Request,
        permission: Permission,
        action: &str,
        resource_id: &str,
        now: DateTime<Utc>,
    ) -> Result<AuditContext, ApiError> {
        let attempt = Attempt {
            permission,
            action,
            resource_type: "contact",
            resource_id,
        };
        guard::authorize(self.repo.client(), self.repo.audit_table(), req, attempt, now).await
    }
}

pub fn parse_name(raw: &str) -> Result<ContactName, ApiError> {
    ContactName::parse(raw).map_err(|e| ApiError::validation("name", e))
}

pub fn parse_phone(raw: &str, region: Region) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::parse(raw, region).map_err(|e| ApiError::validation("phone", e))
}

pub fn parse_email(raw: &str) -> Result<Email, ApiError> {
    Email::parse(raw).map_err(|e| ApiError::validation("email", e))
}

/// A path's `{contactId}`: anything that is not a contact id names no contact.
pub fn contact_id(req: &Request) -> Result<ContactId, ApiError> {
    wecare_http::path_param(req, "contactId")
        .and_then(ContactId::parse)
        .ok_or_else(|| ApiError::not_found("contact"))
}

/// `limit` query parameter: 1–100, default 25.
pub fn page_limit(req: &Request) -> Result<usize, ApiError> {
    wecare_http::page_limit(req, 25).map(|n| n as usize)
}

/// The one mapping of repository write failures to API errors.
pub fn write_error(e: WriteError) -> ApiError {
    match e {
        WriteError::Duplicate { field, existing } => ApiError::new(
            ErrorCode::Conflict,
            format!("{}: already belongs to contact {existing}", field.as_str()),
        ),
        WriteError::NotFound => ApiError::not_found("contact"),
        WriteError::Contended => ApiError::new(
            ErrorCode::Conflict,
            "the contact is being changed by someone else; try again",
        ),
        WriteError::Store(e) => ApiError::internal(&e),
    }
}

/// The one mapping of repository read failures to API errors.
pub fn read_error(e: ReadError) -> ApiError {
    match e {
        ReadError::Cursor(c) => ApiError::validation("cursor", c),
        ReadError::Store(e) => ApiError::internal(&e),
    }
}
