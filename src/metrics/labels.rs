//! The label values of every metric family: closed enums (and the interned route patterns), so the set of series
//! is fixed by the code and counting never formats a string.

use std::sync::Arc;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};

/// An enum of label values, each written as the given text.
macro_rules! label_values {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                std::fmt::Write::write_str(encoder, self.as_str())
            }
        }
    };
}

label_values!(
    /// An HTTP method; the rare others share one value.
    Method {
        Get => "GET",
        Head => "HEAD",
        Post => "POST",
        Put => "PUT",
        Patch => "PATCH",
        Delete => "DELETE",
        Options => "OPTIONS",
        Other => "other",
    }
);

impl Method {
    pub fn of(method: &str) -> Method {
        match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }
}

label_values!(
    /// The class of an HTTP status code.
    StatusClass {
        Informational => "1xx",
        Success => "2xx",
        Redirection => "3xx",
        ClientError => "4xx",
        ServerError => "5xx",
    }
);

impl StatusClass {
    pub fn of(status: u16) -> StatusClass {
        match status {
            ..200 => StatusClass::Informational,
            200..300 => StatusClass::Success,
            300..400 => StatusClass::Redirection,
            400..500 => StatusClass::ClientError,
            _ => StatusClass::ServerError,
        }
    }
}

/// A matched route pattern such as `/{tenant}/{workspace}/oauth2/token`, or `unmatched`; shared, never a raw path.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Route(pub Arc<str>);

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, &self.0)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: Method,
    pub route: Route,
    pub status: StatusClass,
}

label_values!(
    /// How someone signed in.
    SignInMethod {
        Password => "password",
        Code => "code",
        Passkey => "passkey",
    }
);

label_values!(
    /// How a sign-in attempt ended.
    Outcome {
        Success => "success",
        Failure => "failure",
        Locked => "locked",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SignInLabels {
    pub method: SignInMethod,
    pub outcome: Outcome,
}

label_values!(
    /// A grant type of the token endpoint.
    GrantType {
        AuthorizationCode => "authorization_code",
        RefreshToken => "refresh_token",
        ClientCredentials => "client_credentials",
        DeviceCode => "device_code",
    }
);

impl GrantType {
    pub fn of(grant_type: &str) -> Option<GrantType> {
        match grant_type {
            "authorization_code" => Some(GrantType::AuthorizationCode),
            "refresh_token" => Some(GrantType::RefreshToken),
            "client_credentials" => Some(GrantType::ClientCredentials),
            crate::identity::client::DEVICE_CODE_GRANT => Some(GrantType::DeviceCode),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct GrantLabels {
    pub grant_type: GrantType,
}

/// An OAuth error code: the codes are `&'static str` constants of the code, a closed set.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub error: &'static str,
}

label_values!(
    /// A channel messages go out on.
    Channel {
        Email => "email",
        Sms => "sms",
    }
);

label_values!(
    /// How one attempt to send a message ended.
    Delivery {
        Sent => "sent",
        Failed => "failed",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MessageLabels {
    pub channel: Channel,
    pub outcome: Delivery,
}

label_values!(
    /// A background worker that delivers to the outside world.
    Worker {
        Outbox => "outbox",
        BackchannelLogout => "backchannel_logout",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WorkerLabels {
    pub worker: Worker,
}

label_values!(
    /// What a limiter guards.
    Limiter {
        CodeResend => "code_resend",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimiterLabels {
    pub limiter: Limiter,
}

label_values!(
    /// A connection of the database pool.
    ConnectionState {
        InUse => "in_use",
        Idle => "idle",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConnectionLabels {
    pub state: ConnectionState,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AlgorithmLabels {
    /// A JOSE algorithm name (`RS256`, `ES256`, `EdDSA`): a closed set.
    pub alg: &'static str,
}

label_values!(
    /// An in-memory cache.
    Cache {
        Provider => "provider",
        Client => "client",
    }
);

label_values!(
    /// Whether a cache lookup found a fresh value.
    Lookup {
        Hit => "hit",
        Miss => "miss",
    }
);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub cache: Cache,
    pub result: Lookup,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabels {
    pub version: &'static str,
}
