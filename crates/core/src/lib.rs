//! Domain rules of the messaging platform, with no AWS dependency.
//!
//! Everything here is a plain type or function: values that cannot be constructed invalid
//! (`PhoneNumber`, `Email`, `TenantId`, `Role`), the RBAC matrix, consent with provenance, the
//! search-token rules for contacts, the stable error codes of the API, and the single definition
//! of the tables and routes that the local stack and the CDK app both derive from. Functions that
//! depend on the time take "now" as an argument so they can be tested without a clock.

pub mod ai;
pub mod audit;
pub mod bulk;
pub mod consent;
pub mod contact;
pub mod dlq;
pub mod email;
pub mod error;
pub mod idempotency;
pub mod identity;
pub mod message;
pub mod overview;
pub mod phone;
pub mod rate;
pub mod rbac;
pub mod routes;
pub mod sender;
pub mod settings;
pub mod sms;
pub mod tables;
pub mod team;
pub mod template;
pub mod time;
pub mod whatsapp;
pub mod window;

pub use consent::{Channel, ConsentChange, ConsentClock, ConsentSource};
pub use contact::{ContactId, ContactName, SearchQuery};
pub use email::Email;
pub use error::ErrorCode;
pub use idempotency::IdempotencyKey;
pub use identity::{Principal, TenantId, UserId};
pub use phone::{PhoneNumber, Region};
pub use rbac::{Permission, Role};
