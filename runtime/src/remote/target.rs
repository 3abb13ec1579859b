//! Where `--url` points: a controller's WebSocket (`ws://`, `wss://`), or the base URL of
//! a Letta-style environments service (`http://`, `https://`) that hands out the socket
//! URL on registration.

use url::Url;

use super::identity::Identity;
use crate::runtime::VERSION;

/// What `--url` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Dial this WebSocket directly.
    Socket(Url),
    /// Register at `<base>/v1/environments/register`, then dial the returned `wsUrl`.
    Environments(Url),
}

/// `--url` could not be understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("--url {url:?}: {reason} (expected ws[s]://HOST:PORT/PATH or an http[s]:// environments base URL)")]
pub struct BadUrl {
    /// What was given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Target {
    /// Parses `--url` by its scheme.
    pub fn parse(text: &str) -> Result<Self, BadUrl> {
        let bad = |reason: &str| BadUrl { url: text.to_owned(), reason: reason.to_owned() };
        let url = Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        match url.scheme() {
            "ws" | "wss" => Ok(Target::Socket(url)),
            "http" | "https" => Ok(Target::Environments(url)),
            other => Err(bad(&format!("unsupported scheme {other}"))),
        }
    }
}

/// The socket URL with this environment's identity in the query (`deviceId`,
/// `connectionName`, as the reference runtime sends them, and tether's `version`);
/// existing values of those keys are replaced, other query parameters kept.
pub fn socket_url(base: &Url, identity: &Identity) -> Url {
    const OURS: [&str; 3] = ["deviceId", "connectionName", "version"];
    let kept: Vec<(String, String)> =
        base.query_pairs().filter(|(k, _)| !OURS.contains(&k.as_ref())).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut url = base.clone();
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        query.extend_pairs(kept);
        query.append_pair("deviceId", &identity.device_id);
        query.append_pair("connectionName", &identity.env_name);
        query.append_pair("version", VERSION);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_the_target() {
        assert!(matches!(Target::parse("ws://127.0.0.1:9000/ws"), Ok(Target::Socket(_))));
        assert!(matches!(Target::parse("wss://ctl.example/agent"), Ok(Target::Socket(_))));
        assert!(matches!(Target::parse("https://api.example"), Ok(Target::Environments(_))));
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("not a url").is_err());
    }

    #[test]
    fn identity_goes_in_the_query_and_other_parameters_stay() {
        let base = Url::parse("ws://h:1/ws?channel=control&deviceId=old").expect("url");
        let identity = Identity { device_id: "d-1".to_owned(), env_name: "my box".to_owned() };
        let url = socket_url(&base, &identity);
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(
            pairs,
            vec![
                ("channel".to_owned(), "control".to_owned()),
                ("deviceId".to_owned(), "d-1".to_owned()),
                ("connectionName".to_owned(), "my box".to_owned()),
                ("version".to_owned(), VERSION.to_owned()),
            ]
        );
    }
}
