//! Rate limits for public endpoints, per client address (or per username for sign-in), in each
//! `serve` process.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A keyed limiter: `per_minute` requests a minute per key, with bursts of `burst`.
#[derive(Clone)]
pub struct Limiter<K: Hash + Eq + Clone = IpAddr>(Arc<DefaultKeyedRateLimiter<K>>);

impl<K: Hash + Eq + Clone> std::fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn per_minute(per_minute: u32, burst: u32) -> Limiter<K> {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Limiter(Arc::new(RateLimiter::keyed(
            Quota::per_minute(rate).allow_burst(burst),
        )))
    }

    /// Whether `key` may make one more request now.
    pub fn check_key(&self, key: &K) -> bool {
        // Forget keys whose allowance is full again, so that the table stays small.
        if self.0.len() > 10_000 {
            self.0.retain_recent();
        }
        self.0.check_key(key).is_ok()
    }
}

impl Limiter<IpAddr> {
    /// Whether `client` may make one more request now.
    pub fn check(&self, client: IpAddr) -> bool {
        self.check_key(&client)
    }
}
