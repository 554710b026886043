//! The role-based access matrix: which role may do what.
//!
//! The authorizer reads the role from the token and every handler checks the permission it needs
//! again from the authorizer context, so the matrix lives in one function that both can call and
//! that is tested exhaustively.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The three roles of the platform, ordered from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

/// Everything a request can need permission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    ReadContacts,
    ReadMessages,
    WriteContacts,
    SendMessages,
    ManageBulk,
    ManageUsers,
    ManageConfig,
    ManageDlq,
    ReadAudit,
    /// Ask the knowledge base and draft, approve or reject AI suggestions.
    UseAi,
    /// Read every AI interaction of the tenant, with feedback statistics.
    ReviewAi,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::ReadContacts,
        Permission::ReadMessages,
        Permission::WriteContacts,
        Permission::SendMessages,
        Permission::ManageBulk,
        Permission::ManageUsers,
        Permission::ManageConfig,
        Permission::ManageDlq,
        Permission::ReadAudit,
        Permission::UseAi,
        Permission::ReviewAi,
    ];

    /// The least privileged role that holds this permission.
    pub fn minimum_role(self) -> Role {
        match self {
            Permission::ReadContacts | Permission::ReadMessages => Role::Viewer,
            Permission::WriteContacts | Permission::SendMessages | Permission::ManageBulk | Permission::UseAi => {
                Role::Operator
            }
            Permission::ManageUsers
            | Permission::ManageConfig
            | Permission::ManageDlq
            | Permission::ReadAudit
            | Permission::ReviewAi => Role::Admin,
        }
    }
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    /// Roles are cumulative: Operator holds everything Viewer holds, Admin everything.
    pub fn can(self, permission: Permission) -> bool {
        self >= permission.minimum_role()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Operator => "Operator",
            Role::Admin => "Admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role a user holds from their Cognito groups: the most privileged known group wins,
    /// unknown groups are ignored, and no known group means no access at all.
    pub fn from_groups<'a>(groups: impl IntoIterator<Item = &'a str>) -> Option<Role> {
        groups.into_iter().filter_map(Role::parse).max()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_matrix_is_exactly_what_the_specification_says() {
        use Permission::*;
        let viewer = [ReadContacts, ReadMessages];
        let operator = [
            ReadContacts,
            ReadMessages,
            WriteContacts,
            SendMessages,
            ManageBulk,
            UseAi,
        ];
        for p in Permission::ALL {
            assert_eq!(Role::Viewer.can(p), viewer.contains(&p), "Viewer {p:?}");
            assert_eq!(Role::Operator.can(p), operator.contains(&p), "Operator {p:?}");
            assert!(Role::Admin.can(p), "Admin {p:?}");
        }
    }

    #[test]
    fn no_known_group_means_no_role() {
        assert_eq!(Role::from_groups([]), None);
        assert_eq!(Role::from_groups(["admins", "viewer"]), None);
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }
    fn any_permission() -> impl Strategy<Value = Permission> {
        prop::sample::select(Permission::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn a_more_privileged_role_can_do_everything_a_lesser_one_can(a in any_role(), b in any_role(), p in any_permission()) {
            if a <= b && a.can(p) {
                prop_assert!(b.can(p));
            }
        }

        #[test]
        fn the_highest_known_group_wins_whatever_the_order(
            groups in prop::collection::vec(prop::sample::select(vec!["Viewer", "Operator", "Admin", "Ops", "", "admin"]), 0..6)
        ) {
            let expected = groups.iter().filter_map(|g| Role::parse(g)).max();
            let mut reversed = groups.clone();
            reversed.reverse();
            prop_assert_eq!(Role::from_groups(groups.iter().copied()), expected);
            prop_assert_eq!(Role::from_groups(reversed.iter().copied()), expected);
        }

        #[test]
        fn every_permission_is_held_by_admin_and_write_permissions_never_by_viewer(p in any_permission()) {
            prop_assert!(Role::Admin.can(p));
            if p.minimum_role() > Role::Viewer {
                prop_assert!(!Role::Viewer.can(p));
            }
        }
    }
}
