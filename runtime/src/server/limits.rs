//! Caps that keep one client from exhausting the runtime: open connections per address
//! and in total, and a token bucket of failed authentication attempts per address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed attempts an address may make before it is throttled.
const FAILURE_BURST: f64 = 10.0;

/// How long an empty bucket takes to fill again (so 10 failures a minute, sustained).
const FAILURE_REFILL: Duration = Duration::from_secs(60);

/// Buckets kept before full (forgiven) ones are pruned, so a spray of addresses cannot grow memory.
const MAX_TRACKED_ADDRESSES: usize = 10_000;

/// The address a client is counted as: IPv6 clients by their /64 (one host usually holds
/// a whole /64, so counting single addresses would let it dodge every limit).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Counts open connections, per address and in total.
#[derive(Debug)]
pub struct ConnTracker {
    per_ip: usize,
    total: usize,
    open: Mutex<(HashMap<IpAddr, usize>, usize)>,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnRefusal {
    /// This address already holds its share.
    #[error("too many connections from your address")]
    PerAddress,
    /// The runtime holds as many connections as it serves.
    #[error("too many connections in total")]
    Total,
}

/// One admitted connection; dropping it frees its slot.
#[derive(Debug)]
pub struct ConnSlot {
    tracker: Arc<ConnTracker>,
    ip: IpAddr,
}

impl ConnTracker {
    /// A tracker allowing `per_ip` connections per address and `total` overall.
    pub fn new(per_ip: usize, total: usize) -> Arc<Self> {
        Arc::new(Self { per_ip, total, open: Mutex::new((HashMap::new(), 0)) })
    }

    /// Connections open right now.
    pub fn open_total(&self) -> usize {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1
    }

    /// Admits a connection from `ip`, or says why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<ConnSlot, ConnRefusal> {
        let ip = client_key(ip);
        let mut guard = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (per_ip, total) = &mut *guard;
        if *total >= self.total {
            return Err(ConnRefusal::Total);
        }
        let count = per_ip.entry(ip).or_insert(0);
        if *count >= self.per_ip {
            return Err(ConnRefusal::PerAddress);
        }
        *count += 1;
        *total += 1;
        Ok(ConnSlot { tracker: self.clone(), ip })
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut guard = self.tracker.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (per_ip, total) = &mut *guard;
        *total = total.saturating_sub(1);
        if let Some(count) = per_ip.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// A token bucket of failed authentication attempts per address.
#[derive(Debug, Default)]
pub struct FailureLimiter {
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl FailureLimiter {
    /// Whether `ip` may try to authenticate now; `Err` carries the seconds until it may.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let ip = client_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match buckets.get_mut(&ip) {
            None => Ok(()),
            Some((tokens, at)) => {
                refill(tokens, at);
                if *tokens >= 1.0 {
                    Ok(())
                } else {
                    let per_token = FAILURE_REFILL.as_secs_f64() / FAILURE_BURST;
                    Err(((1.0 - *tokens) * per_token).ceil().max(1.0) as u64)
                }
            }
        }
    }

    /// Records one failed attempt from `ip`.
    pub fn fail(&self, ip: IpAddr) {
        let ip = client_key(ip);
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_ADDRESSES {
            buckets.retain(|_, (tokens, at)| {
                refill(tokens, at);
                *tokens < FAILURE_BURST
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((FAILURE_BURST, Instant::now()));
        refill(tokens, at);
        *tokens = (*tokens - 1.0).max(0.0);
    }
}

fn refill(tokens: &mut f64, at: &mut Instant) {
    let now = Instant::now();
    let rate = FAILURE_BURST / FAILURE_REFILL.as_secs_f64();
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(FAILURE_BURST);
    *at = now;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_throttle_one_address_only() {
        let limiter = FailureLimiter::default();
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..10 {
            assert!(limiter.check(a).is_ok());
            limiter.fail(a);
        }
        let retry = limiter.check(a).err();
        assert!(retry.is_some_and(|secs| (1..=60).contains(&secs)), "{retry:?}");
        assert!(limiter.check(b).is_ok());
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap_or(IpAddr::from([0; 4]));
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap_or(IpAddr::from([0; 4]));
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key(mapped), IpAddr::from([127, 0, 0, 1]));
    }

    #[test]
    fn slots_are_freed_on_drop() {
        let tracker = ConnTracker::new(2, 3);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = tracker.admit(a).ok();
        let _second = tracker.admit(a).ok();
        assert_eq!(tracker.admit(a).err(), Some(ConnRefusal::PerAddress));
        let _third = tracker.admit(b).ok();
        assert_eq!(tracker.admit(b).err(), Some(ConnRefusal::Total));
        drop(first);
        assert!(tracker.admit(a).is_ok());
    }
}
