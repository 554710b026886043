//! A tenant's team: who may sign in, with which role, and the rules an Admin's changes obey.
//!
//! Every change of a member's access is planned here, from the member as stored, before anything
//! is written: the plan says what the member becomes and by how much the tenant's count of
//! enabled Admins moves (-1, 0 or +1). The store applies the plan in one transaction whose
//! conditions are that the member is still as planned from and, when an Admin is lost, that
//! another enabled Admin remains ([`admins_after`]), so the last Admin of a tenant can never be
//! demoted or disabled, whatever changes run at the same time.
//!
//! Invitations carry a temporary password when the deployment shows it to the inviting Admin
//! (locally) rather than having Cognito email it: [`TemporaryPassword`] makes one that always
//! satisfies the user pool's password policy ([`PasswordPolicy::COGNITO_DEFAULT`]).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::identity::{TenantId, UserId};
use crate::rbac::Role;

/// Whether a member may use the platform at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MemberStatus {
    Enabled,
    Disabled,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Enabled => "ENABLED",
            MemberStatus::Disabled => "DISABLED",
        }
    }

    pub fn parse(s: &str) -> Option<MemberStatus> {
        [MemberStatus::Enabled, MemberStatus::Disabled]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

impl fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the member's Cognito account stands: invited with a temporary password not yet
/// replaced, or signed in at least once (a user who must change their password gets no tokens
/// until they have, so any token proves the account confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    ForceChangePassword,
    Confirmed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            AccountStatus::Confirmed => "CONFIRMED",
        }
    }
}

/// The part of a member an Admin changes: their role and whether they are enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Access {
    pub role: Role,
    pub status: MemberStatus,
}

impl Access {
    /// Whether this member is one of the tenant's enabled Admins (the ones the count holds).
    pub fn is_enabled_admin(self) -> bool {
        self.role == Role::Admin && self.status == MemberStatus::Enabled
    }
}

/// A member of a tenant's team, as its directory (the Users table) holds them. The role here is
/// the one the platform enforces: the authorizer reads it for every new token, so an Admin's
/// change applies at the member's next request rather than at their next sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    pub role: Role,
    pub status: MemberStatus,
    pub account_status: AccountStatus,
    /// The email (or user id) of the Admin who invited them; none for members the platform first
    /// saw signing in (created in Cognito directly, like the seed users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::iso_opt")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When they last signed in (the `auth_time` of their latest token the platform saw).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::iso_opt")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl Member {
    pub fn access(&self) -> Access {
        Access {
            role: self.role,
            status: self.status,
        }
    }
}

/// What an Admin asks to change; an absent field stays as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessChange {
    pub role: Option<Role>,
    pub status: Option<MemberStatus>,
}

impl AccessChange {
    pub fn is_empty(&self) -> bool {
        self.role.is_none() && self.status.is_none()
    }
}

/// The outcome of planning a change from the member as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPlan {
    pub before: Access,
    pub after: Access,
    /// How the tenant's count of enabled Admins moves: -1, 0 or +1.
    pub admin_delta: i8,
}

impl AccessPlan {
    /// Nothing would change: no write, no audit entry.
    pub fn is_noop(&self) -> bool {
        self.before == self.after
    }
}

/// Plans `change` on a member whose access is `before`.
pub fn plan(before: Access, change: AccessChange) -> AccessPlan {
    let after = Access {
        role: change.role.unwrap_or(before.role),
        status: change.status.unwrap_or(before.status),
    };
    let admin_delta = i8::from(after.is_enabled_admin()) - i8::from(before.is_enabled_admin());
    AccessPlan {
        before,
        after,
        admin_delta,
    }
}

/// The last enabled Admin of a tenant cannot be demoted or disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the tenant must keep at least one enabled Admin: make someone else an Admin first")]
pub struct LastAdmin;

/// The count of enabled Admins after a change that moves it by `delta`, or [`LastAdmin`] when the
/// change would leave none. This is the condition the store's transaction puts on the count.
pub fn admins_after(admins: u32, delta: i8) -> Result<u32, LastAdmin> {
    match delta {
        d if d < 0 => match admins.checked_sub(u32::from(d.unsigned_abs())) {
            Some(n) if n >= 1 => Ok(n),
            _ => Err(LastAdmin),
        },
        d => Ok(admins.saturating_add(u32::from(d.unsigned_abs()))),
    }
}

/// A user pool's password rules, as the sign-in page states them and as generated temporary
/// passwords must meet them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPolicy {
    pub minimum_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

/// The symbols Cognito counts as special characters.
pub const COGNITO_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

impl PasswordPolicy {
    /// Cognito's default policy (and the local user pool's): 8 characters with an upper-case and
    /// a lower-case letter, a digit and a symbol.
    pub const COGNITO_DEFAULT: PasswordPolicy = PasswordPolicy {
        minimum_length: 8,
        require_uppercase: true,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
    };

    pub fn is_met_by(&self, password: &str) -> bool {
        let has = |f: fn(char) -> bool| password.chars().any(f);
        password.chars().count() >= self.minimum_length
            && (!self.require_uppercase || has(|c| c.is_ascii_uppercase()))
            && (!self.require_lowercase || has(|c| c.is_ascii_lowercase()))
            && (!self.require_numbers || has(|c| c.is_ascii_digit()))
            && (!self.require_symbols || has(|c| COGNITO_SYMBOLS.contains(c)))
    }
}

/// A temporary password for an invited user, shown once to the inviting Admin. Never logged,
/// never stored by the platform (Cognito keeps its hash).
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryPassword(String);

/// Letters and digits that cannot be mistaken for one another when read off a screen.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+=?@";

impl TemporaryPassword {
    /// Bytes of randomness a password is made from.
    pub const ENTROPY_BYTES: usize = 16;

    /// A 16-character password from 16 random bytes: one character from each class the policy
    /// requires at fixed places (so it always meets [`PasswordPolicy::COGNITO_DEFAULT`]), the
    /// rest from all of them.
    pub fn from_entropy(bytes: [u8; Self::ENTROPY_BYTES]) -> TemporaryPassword {
        let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
        let pick = |set: &[u8], b: u8| char::from(set[usize::from(b) % set.len()]);
        let password = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| match i {
                0 => pick(UPPER, *b),
                5 => pick(LOWER, *b),
                10 => pick(DIGITS, *b),
                15 => pick(SYMBOLS, *b),
                _ => pick(&all, *b),
            })
            .collect();
        TemporaryPassword(password)
    }

    /// The password, to hand to Cognito and to the inviting Admin.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemporaryPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn access(role: Role, enabled: bool) -> Access {
        Access {
            role,
            status: if enabled {
                MemberStatus::Enabled
            } else {
                MemberStatus::Disabled
            },
        }
    }

    #[test]
    fn demoting_or_disabling_an_enabled_admin_loses_one_admin() {
        let admin = access(Role::Admin, true);
        let demote = plan(
            admin,
            AccessChange {
                role: Some(Role::Operator),
                status: None,
            },
        );
        assert_eq!(demote.admin_delta, -1);
        let disable = plan(
            admin,
            AccessChange {
                role: None,
                status: Some(MemberStatus::Disabled),
            },
        );
        assert_eq!(disable.admin_delta, -1);
        assert_eq!(admins_after(1, -1), Err(LastAdmin));
        assert_eq!(admins_after(2, -1), Ok(1));
    }

    #[test]
    fn a_disabled_admin_is_not_counted_and_enabling_them_counts_them_again() {
        let disabled_admin = access(Role::Admin, false);
        let enable = plan(
            disabled_admin,
            AccessChange {
                role: None,
                status: Some(MemberStatus::Enabled),
            },
        );
        assert_eq!(enable.admin_delta, 1);
        let demote = plan(
            disabled_admin,
            AccessChange {
                role: Some(Role::Viewer),
                status: None,
            },
        );
        assert_eq!(
            demote.admin_delta, 0,
            "a disabled Admin is not one of the enabled Admins"
        );
    }

    #[test]
    fn a_change_to_what_is_already_there_is_no_change() {
        let op = access(Role::Operator, true);
        let same = plan(
            op,
            AccessChange {
                role: Some(Role::Operator),
                status: Some(MemberStatus::Enabled),
            },
        );
        assert!(same.is_noop());
        assert_eq!(same.admin_delta, 0);
    }

    #[test]
    fn a_temporary_password_is_never_printed() {
        let p = TemporaryPassword::from_entropy([7; 16]);
        assert_eq!(format!("{p:?}"), "TemporaryPassword(<redacted>)");
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn any_change() -> impl Strategy<Value = AccessChange> {
        (
            prop::option::of(any_role()),
            prop::option::of(prop::sample::select(vec![
                MemberStatus::Enabled,
                MemberStatus::Disabled,
            ])),
        )
            .prop_map(|(role, status)| AccessChange { role, status })
    }

    proptest! {
        #[test]
        fn any_temporary_password_meets_the_cognito_default_policy(bytes in any::<[u8; 16]>()) {
            let p = TemporaryPassword::from_entropy(bytes);
            prop_assert!(PasswordPolicy::COGNITO_DEFAULT.is_met_by(p.expose()), "{}", p.expose());
            prop_assert_eq!(p.expose().chars().count(), 16);
        }

        /// A tenant of members with at least one enabled Admin, and any sequence of changes to any
        /// of them: applying each change only when the rule allows it keeps the count equal to the
        /// enabled Admins there are, and never lets it fall to zero.
        #[test]
        fn no_sequence_of_changes_leaves_a_tenant_without_an_enabled_admin(
            members in prop::collection::vec((any_role(), any::<bool>()), 1..6),
            changes in prop::collection::vec((0usize..6, any_change()), 0..40),
        ) {
            let mut team: Vec<Access> = members.iter().map(|(r, e)| access(*r, *e)).collect();
            team[0] = access(Role::Admin, true);
            let count = |t: &[Access]| t.iter().filter(|a| a.is_enabled_admin()).count() as u32;
            let mut admins = count(&team);
            for (who, change) in changes {
                let i = who % team.len();
                let p = plan(team[i], change);
                if let Ok(n) = admins_after(admins, p.admin_delta) {
                    admins = n;
                    team[i] = p.after;
                }
                prop_assert_eq!(admins, count(&team));
                prop_assert!(admins >= 1);
            }
        }
    }
}
