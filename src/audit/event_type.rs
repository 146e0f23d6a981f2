//! The closed catalogue of audit event types, rendered as the contract's dotted names.

macro_rules! event_types {
    ($($variant:ident => $name:literal,)*) => {
        /// Every kind of event the audit trail records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            /// Every type, in catalogue order.
            #[cfg(test)]
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            /// The type's name in events and filters (`user.created`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }
        }
    };
}

event_types! {
    PasswordSucceeded => "authn.password.succeeded",
    PasswordFailed => "authn.password.failed",
    CodeSucceeded => "authn.code.succeeded",
    CodeFailed => "authn.code.failed",
    PasskeySucceeded => "authn.passkey.succeeded",
    PasskeyFailed => "authn.passkey.failed",
    Locked => "authn.locked",
    CodeExchanged => "token.code_exchanged",
    RefreshReuseDetected => "token.refresh_reuse_detected",
    TokenRevoked => "token.revoked",
    SessionEnded => "session.ended",
    TenantCreated => "tenant.created",
    UserCreated => "user.created",
    UserUpdated => "user.updated",
    UserDeleted => "user.deleted",
    UserPasswordChanged => "user.password_changed",
    UserPasskeyRemoved => "user.passkey_removed",
    InvitationSent => "invitation.sent",
    InvitationAccepted => "invitation.accepted",
    InvitationRevoked => "invitation.revoked",
    GroupCreated => "group.created",
    GroupUpdated => "group.updated",
    GroupDeleted => "group.deleted",
    GroupMemberAdded => "group.member_added",
    GroupMemberRemoved => "group.member_removed",
    PoolCreated => "pool.created",
    PoolUpdated => "pool.updated",
    PoolDeleted => "pool.deleted",
    SchemaCreated => "schema.created",
    SchemaUpdated => "schema.updated",
    SchemaDeleted => "schema.deleted",
    WorkspaceCreated => "workspace.created",
    WorkspaceUpdated => "workspace.updated",
    WorkspaceDeleted => "workspace.deleted",
    InitialAccessTokenCreated => "workspace.initial_access_token_created",
    InitialAccessTokenDeleted => "workspace.initial_access_token_deleted",
    ClientCreated => "client.created",
    ClientUpdated => "client.updated",
    ClientDeleted => "client.deleted",
    IdpConnected => "idp.connected",
    IdpDisconnected => "idp.disconnected",
    KeyRotated => "key.rotated",
    AdminSignedIn => "admin.signed_in",
    ImportCompleted => "import.completed",
}

#[cfg(test)]
mod tests {
    use super::EventType;

    #[test]
    fn names_are_unique_and_dotted() {
        let mut names: Vec<_> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert!(names.iter().all(|n| n.contains('.')));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
    }
}
