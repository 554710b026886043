//! DynamoDB access shared by the functions: the contacts repository, messages and media, the
//! audit trail, the records of dead-lettered messages, the users record, the overview's counters, a tenant's settings, the AI interactions,
//! pagination cursors, and an SDK interceptor that records which operations ran.
//!
//! Keys are built here and nowhere else, always from a `TenantId` that came from the verified
//! token, so no handler can address another tenant's items. Every write that must be unique or
//! must not be lost is a conditional write or a transaction, because moto and DynamoDB both make
//! those atomic and nothing else is.

pub mod ai;
pub mod audit;
pub mod batch;
pub mod bulk;
pub mod contacts;
pub mod cursor;
pub mod dlq;
pub mod error;
pub mod keys;
pub mod media;
pub mod messages;
pub mod oplog;
pub mod overview;
pub mod ratelimit;
pub mod settings;
pub mod templates;
pub mod tier;
pub mod users;

pub use ai::AiRepo;
pub use audit::{AuditContext, AuditEntry};
pub use bulk::BulkRepo;
pub use contacts::{Contact, ContactsRepo};
pub use dlq::DlqRepo;
pub use error::StoreError;
pub use media::{MediaFile, MediaRepo};
pub use messages::MessagesRepo;
pub use oplog::OperationLog;
pub use overview::OverviewCounters;
pub use ratelimit::RateLimiter;
pub use settings::SettingsRepo;
pub use templates::TemplatesRepo;
pub use tier::{TierOutcome, TierTracker};
pub use users::UsersRepo;
