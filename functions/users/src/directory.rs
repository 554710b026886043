//! The team's accounts in Cognito: what an invite creates and what a role or status change
//! must also change there, so that sign-in and the tokens Cognito issues agree with the team
//! directory (the Users table), which is what the platform enforces.
//!
//! Users are addressed by the name they sign in with, their email (an alias of the username in a
//! pool whose users sign in with their email), or by their `sub` when the platform does not know
//! their email ([`account_name`]). Every operation here is safe to repeat, so a change whose
//! Cognito part failed is completed by sending it again.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType, MessageActionType};
use aws_sdk_cognitoidentityprovider::Client;
use wecare_core::team::{MemberStatus, TemporaryPassword};
use wecare_core::{Email, Role, TenantId, UserId};

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// An account with this email exists in the user pool (in this tenant or another).
    #[error("an account with this email address already exists")]
    Exists,
    /// Cognito refused the input (e.g. an address it does not take).
    #[error("{0}")]
    Refused(String),
    #[error("Cognito {operation} failed")]
    Cognito {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn cognito<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> DirectoryError
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |e| DirectoryError::Cognito {
        operation,
        source: Box::new(e),
    }
}

/// How Cognito's admin operations name the account of `user` (with `email`, if known).
pub fn account_name(user: &UserId, email: Option<&Email>) -> String {
    email.map_or_else(|| user.to_string(), |e| e.to_string())
}

pub struct Directory {
    client: Client,
    pool: String,
}

impl Directory {
    pub fn new(client: Client, pool: impl Into<String>) -> Self {
        Directory {
            client,
            pool: pool.into(),
        }
    }

    /// Creates the account of an invited user in `tenant`: with `password` as its temporary
    /// password and no message from Cognito, or without one and Cognito emailing a password it
    /// makes. Either way the user must choose their own password at first sign-in. Returns the
    /// account's `sub`.
    pub async fn create(
        &self,
        email: &Email,
        tenant: &TenantId,
        password: Option<&TemporaryPassword>,
    ) -> Result<UserId, DirectoryError> {
        let attribute = |name: &str, value: &str| AttributeType::builder().name(name).value(value).build();
        let attributes = [
            attribute("email", email.as_str()),
            attribute("email_verified", "true"),
            attribute("custom:tenant_id", tenant.as_str()),
        ]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DirectoryError::Cognito {
            operation: "AdminCreateUser(build)",
            source: Box::new(e),
        })?;
        let request = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(email.as_str())
            .set_user_attributes(Some(attributes));
        let request = match password {
            Some(p) => request
                .temporary_password(p.expose())
                .message_action(MessageActionType::Suppress),
            None => request.desired_delivery_mediums(DeliveryMediumType::Email),
        };
        let out = match request.send().await {
            Ok(out) => out,
            Err(e) => {
                return Err(match e.as_service_error() {
                    Some(s) if s.is_username_exists_exception() => DirectoryError::Exists,
                    Some(s) if s.is_invalid_parameter_exception() || s.is_invalid_password_exception() => {
                        DirectoryError::Refused(s.message().unwrap_or("Cognito refused the account").to_string())
                    }
                    _ => cognito("AdminCreateUser")(e),
                })
            }
        };
        let user = out.user.ok_or_else(|| DirectoryError::Cognito {
            operation: "AdminCreateUser",
            source: "the answer names no user".into(),
        })?;
        let sub = user
            .attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .or(user.username())
            .unwrap_or_default();
        UserId::parse(sub).map_err(|e| DirectoryError::Cognito {
            operation: "AdminCreateUser",
            source: Box::new(e),
        })
    }

    /// Puts the user in `role`'s group and out of every other role's group.
    pub async fn set_role(&self, user: &str, role: Role) -> Result<(), DirectoryError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.pool)
            .username(user)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(cognito("AdminAddUserToGroup"))?;
        let groups = self
            .client
            .admin_list_groups_for_user()
            .user_pool_id(&self.pool)
            .username(user)
            .send()
            .await
            .map_err(cognito("AdminListGroupsForUser"))?;
        for group in groups.groups() {
            let Some(name) = group.group_name() else { continue };
            if Role::parse(name).is_some_and(|r| r != role) {
                self.client
                    .admin_remove_user_from_group()
                    .user_pool_id(&self.pool)
                    .username(user)
                    .group_name(name)
                    .send()
                    .await
                    .map_err(cognito("AdminRemoveUserFromGroup"))?;
            }
        }
        Ok(())
    }

    /// Enables the account, or disables it and revokes its refresh tokens, so a disabled user can
    /// neither sign in nor renew the session they have.
    pub async fn set_status(&self, user: &str, status: MemberStatus) -> Result<(), DirectoryError> {
        match status {
            MemberStatus::Enabled => {
                self.client
                    .admin_enable_user()
                    .user_pool_id(&self.pool)
                    .username(user)
                    .send()
                    .await
                    .map_err(cognito("AdminEnableUser"))?;
            }
            MemberStatus::Disabled => {
                self.client
                    .admin_user_global_sign_out()
                    .user_pool_id(&self.pool)
                    .username(user)
                    .send()
                    .await
                    .map_err(cognito("AdminUserGlobalSignOut"))?;
                self.client
                    .admin_disable_user()
                    .user_pool_id(&self.pool)
                    .username(user)
                    .send()
                    .await
                    .map_err(cognito("AdminDisableUser"))?;
            }
        }
        Ok(())
    }

    /// Deletes an account an invite created but could not finish, so the invite can be sent
    /// again.
    pub async fn delete(&self, user: &str) -> Result<(), DirectoryError> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.pool)
            .username(user)
            .send()
            .await
            .map_err(cognito("AdminDeleteUser"))?;
        Ok(())
    }
}
