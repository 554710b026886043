//! The user pool's signing keys, fetched once per cold start and cached.
//!
//! An unknown `kid` triggers one refresh (Cognito rotates keys by adding a new one), but at most
//! one per minute, so a stream of tokens with made-up key ids cannot turn the authorizer into a
//! load generator against the JWKS endpoint.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::Mutex;

const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("signing key {0:?} is not in the user pool's key set")]
    UnknownKey(String),
    #[error("the user pool's key set could not be fetched")]
    Fetch(#[source] reqwest::Error),
}

#[derive(Deserialize)]
struct KeySetDoc {
    keys: Vec<JwkDoc>,
}

#[derive(Deserialize)]
struct JwkDoc {
    kid: String,
    kty: String,
    n: Option<String>,
    e: Option<String>,
}

struct Cache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

pub struct Jwks {
    http: reqwest::Client,
    url: String,
    cache: Mutex<Cache>,
}

impl Jwks {
    pub fn new(http: reqwest::Client, url: &str) -> Self {
        Jwks {
            http,
            url: url.to_string(),
            cache: Mutex::new(Cache {
                keys: HashMap::new(),
                fetched_at: None,
            }),
        }
    }

    /// The key with id `kid`, fetching the key set if it is not known yet.
    pub async fn key(&self, kid: &str) -> Result<DecodingKey, JwksError> {
        let mut cache = self.cache.lock().await;
        if let Some(k) = cache.keys.get(kid) {
            return Ok(k.clone());
        }
        let may_refresh = cache.fetched_at.is_none_or(|t| t.elapsed() >= MIN_REFRESH_INTERVAL);
        if !may_refresh {
            return Err(JwksError::UnknownKey(kid.to_string()));
        }
        let doc: KeySetDoc = self
            .http
            .get(&self.url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(JwksError::Fetch)?
            .json()
            .await
            .map_err(JwksError::Fetch)?;
        cache.keys = doc
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA")
            .filter_map(|k| {
                let key = DecodingKey::from_rsa_components(k.n.as_deref()?, k.e.as_deref()?).ok()?;
                Some((k.kid, key))
            })
            .collect();
        cache.fetched_at = Some(Instant::now());
        tracing::info!(keys = cache.keys.len(), "user pool signing keys fetched");
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| JwksError::UnknownKey(kid.to_string()))
    }
}
