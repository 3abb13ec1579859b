//! Security headers on every HTTP response. The Content-Security-Policy allows only the
//! page's own scripts, styles and socket; Trunk's one inline bootstrap script is allowed by
//! its hash, computed from the served `index.html` at start.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The policy before inline-script hashes are added to `script-src`.
const CSP_SCRIPT_SRC: &str = "script-src 'self' 'wasm-unsafe-eval'";

/// The rest of the policy.
const CSP_REST: &str = "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The Content-Security-Policy for a UI whose `index.html` is in `web_dist` (if any).
pub fn content_security_policy(web_dist: Option<&Path>) -> String {
    let hashes = web_dist
        .and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok())
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let mut script_src = CSP_SCRIPT_SRC.to_owned();
    for hash in hashes {
        script_src.push_str(&format!(" 'sha256-{hash}'"));
    }
    format!("{CSP_REST}; {script_src}")
}

/// The policy for the UI on disk, recomputed when `index.html` changes (a rebuild while
/// the runtime runs must not lock the new bootstrap script out).
#[derive(Debug)]
pub struct CspCache {
    web_dist: Option<PathBuf>,
    cached: Mutex<(Option<SystemTime>, Arc<str>)>,
}

impl CspCache {
    /// A cache for the UI in `web_dist` (if any).
    pub fn new(web_dist: Option<PathBuf>) -> Self {
        let policy: Arc<str> = content_security_policy(web_dist.as_deref()).into();
        let stamp = modified(web_dist.as_deref());
        Self { web_dist, cached: Mutex::new((stamp, policy)) }
    }

    /// The policy for the UI as it is now.
    pub fn current(&self) -> Arc<str> {
        let stamp = modified(self.web_dist.as_deref());
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.0 != stamp {
            *cached = (stamp, content_security_policy(self.web_dist.as_deref()).into());
        }
        cached.1.clone()
    }
}

fn modified(web_dist: Option<&Path>) -> Option<SystemTime> {
    std::fs::metadata(web_dist?.join("index.html")).and_then(|m| m.modified()).ok()
}

/// Base64 SHA-256 of the body of every inline `<script>` (one without `src`).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else { break };
        let open_tag = &rest[..open_end];
        let body_start = open_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else { break };
        let body = &rest[body_start..body_start + close];
        if !open_tag.contains("src=") && !body.trim().is_empty() {
            hashes.push(base64(&Sha256::digest(body.as_bytes())));
        }
        rest = &rest[body_start + close..];
    }
    hashes
}

/// Adds the security headers to one response (kept when a handler set its own).
pub fn apply(csp: &str, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Standard base64 with padding (all CSP hashes need).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_policy_follows_a_rebuilt_index_html() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let index = dir.path().join("index.html");
        std::fs::write(&index, "<script type=module>one()</script>")?;
        let cache = CspCache::new(Some(dir.path().to_owned()));
        let first = cache.current();
        assert!(first.contains(&base64(&Sha256::digest(b"one()"))), "{first}");
        std::fs::write(&index, "<script type=module>two()</script>")?;
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&index)?.set_modified(later)?;
        let second = cache.current();
        assert!(second.contains(&base64(&Sha256::digest(b"two()"))) && !second.contains(&base64(&Sha256::digest(b"one()"))), "{second}");
        Ok(())
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = "<script src=\"/a.js\"></script><script type=\"module\">\nboot()\n</script>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes, vec![base64(&Sha256::digest(b"\nboot()\n"))]);
    }
}
