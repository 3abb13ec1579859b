//! The address-bar route: `#/c/<agent_id>/<conversation_id>` names the open conversation,
//! so a reload or a shared link comes back to it. `#token=…` is the one-time sign-in link.

/// Prefix of a conversation route in the URL fragment.
const CONVERSATION_PREFIX: &str = "#/c/";
/// Prefix of the sign-in fragment printed by `tether app-server`.
const TOKEN_PREFIX: &str = "#token=";

/// Which agent and conversation the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The agent's id.
    pub agent_id: String,
    /// The conversation's id.
    pub conversation_id: String,
}

impl Route {
    /// Reads a route from a URL fragment (`location.hash`); `None` when it names none.
    pub fn parse(hash: &str) -> Option<Route> {
        let rest = hash.strip_prefix(CONVERSATION_PREFIX)?;
        let (agent, conversation) = rest.split_once('/')?;
        let conversation = conversation.trim_end_matches('/');
        if agent.is_empty() || conversation.is_empty() || conversation.contains('/') {
            return None;
        }
        Some(Route { agent_id: decode(agent), conversation_id: decode(conversation) })
    }

    /// The fragment that names this route.
    pub fn to_hash(&self) -> String {
        format!("{CONVERSATION_PREFIX}{}/{}", encode(&self.agent_id), encode(&self.conversation_id))
    }
}

/// The token of a `#token=…` sign-in fragment, if that is what the fragment holds.
pub fn token_from_hash(hash: &str) -> Option<String> {
    let token = hash.strip_prefix(TOKEN_PREFIX)?;
    let token = token.split('&').next().unwrap_or_default();
    (!token.is_empty()).then(|| decode(token))
}

/// Percent-encodes what could break a fragment path segment.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Undoes [`encode`]; malformed escapes are kept literally.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_conversation_route() {
        let route = Route { agent_id: "agent-1".into(), conversation_id: "conv 2/x".into() };
        assert_eq!(route.to_hash(), "#/c/agent-1/conv%202%2Fx");
        assert_eq!(Route::parse(&route.to_hash()), Some(route));
    }

    #[test]
    fn rejects_other_fragments() {
        assert_eq!(Route::parse(""), None);
        assert_eq!(Route::parse("#/c/only-agent"), None);
        assert_eq!(Route::parse("#token=abc"), None);
    }

    #[test]
    fn reads_the_sign_in_token() {
        assert_eq!(token_from_hash("#token=abc%2B1"), Some("abc+1".into()));
        assert_eq!(token_from_hash("#token="), None);
        assert_eq!(token_from_hash("#/c/a/b"), None);
    }
}
