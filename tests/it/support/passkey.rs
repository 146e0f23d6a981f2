//! A software passkey (webauthn-authenticator-rs's `SoftPasskey`) in the browser's place: it answers the options
//! Tarn's pages give `navigator.credentials.create/get`, for one origin, and returns the credential JSON the
//! page's script would post.

use std::collections::HashMap;

use serde_json::Value;
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};

use super::browser::Browser;

/// One authenticator, as a browser on `origin` would drive it.
pub struct Authenticator {
    soft: SoftPasskey,
    pub origin: Url,
    /// Credential id → user handle, both base64url: what a resident key stores beside its private key.
    handles: HashMap<String, String>,
}

impl Authenticator {
    pub fn new(origin: &str) -> Authenticator {
        Authenticator {
            soft: SoftPasskey::new(true),
            origin: Url::parse(origin).unwrap(),
            handles: HashMap::new(),
        }
    }

    /// `navigator.credentials.create` with the server's `{"publicKey": …}`.
    pub fn create(&mut self, options: &Value) -> Result<String, String> {
        let mut options = options.clone();
        // SoftPasskey keeps no resident keys: it makes a server-side one and remembers the user handle itself,
        // as a resident key would.
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = Value::from(false);
        let handle = options["publicKey"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let ccr: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let credential = self
            .soft
            .do_registration(self.origin.clone(), ccr)
            .map_err(|e| format!("{e:?}"))?;
        let json = serde_json::to_value(&credential).unwrap();
        self.handles
            .insert(json["id"].as_str().unwrap().to_owned(), handle);
        Ok(json.to_string())
    }

    /// `navigator.credentials.get`. With no `allowCredentials` (discoverable sign-in) the authenticator offers
    /// its own credentials and returns the user handle, as the browser's account picker would.
    pub fn get(&mut self, options: &Value) -> Result<String, String> {
        let mut options = options.clone();
        let discoverable = options["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty);
        if discoverable {
            options["publicKey"]["allowCredentials"] = self
                .handles
                .keys()
                .map(|id| serde_json::json!({"type": "public-key", "id": id}))
                .collect();
        }
        let rcr: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        let credential = self
            .soft
            .do_authentication(self.origin.clone(), rcr)
            .map_err(|e| format!("{e:?}"))?;
        let mut json = serde_json::to_value(&credential).unwrap();
        if discoverable {
            let id = json["id"].as_str().unwrap().to_owned();
            json["response"]["userHandle"] = Value::from(self.handles[&id].clone());
        }
        Ok(json.to_string())
    }
}

/// What an options endpoint answered: status and JSON.
pub async fn options(browser: &Browser, url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = browser.http.post(url).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}
