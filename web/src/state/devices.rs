//! Paired devices as `GET /auth/devices` lists them, and "last seen" said plainly.

use serde_json::Value;

/// Seconds in a minute, hour and day, for "last seen" wording.
const MINUTE: f64 = 60.0;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// One device that can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `device-<uuid>`: what a revoke names.
    pub id: String,
    /// From the browser's user agent ("Chrome on Android").
    pub name: String,
    /// RFC 3339: when it last authenticated.
    pub last_seen: String,
    /// The device this page runs on.
    pub current: bool,
}

/// The devices in a `GET /auth/devices` answer; entries without an id are skipped.
pub fn parse_devices(answer: &Value) -> Vec<Device> {
    let Some(list) = answer.get("devices").and_then(Value::as_array) else { return Vec::new() };
    let text = |d: &Value, key: &str| d.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    list.iter()
        .filter(|d| d.get("id").and_then(Value::as_str).is_some_and(|id| !id.is_empty()))
        .map(|d| Device {
            id: text(d, "id"),
            name: match text(d, "name") {
                name if name.trim().is_empty() => "Unnamed device".to_owned(),
                name => name,
            },
            last_seen: text(d, "last_seen"),
            current: d.get("current").and_then(Value::as_bool).unwrap_or(false),
        })
        .collect()
}

/// "Last seen …" for a device seen at `seen_ms` when it is `now_ms` (milliseconds since
/// the epoch; `None` when the time could not be read).
pub fn last_seen_label(now_ms: f64, seen_ms: Option<f64>) -> String {
    let Some(seen_ms) = seen_ms.filter(|ms| ms.is_finite()) else { return "Last seen: unknown".to_owned() };
    let secs = ((now_ms - seen_ms) / 1000.0).max(0.0);
    let ago = |n: f64, unit: &str| {
        let n = n.floor() as u64;
        format!("Last seen {n} {unit}{} ago", if n == 1 { "" } else { "s" })
    };
    if secs < MINUTE {
        "Last seen just now".to_owned()
    } else if secs < HOUR {
        ago(secs / MINUTE, "minute")
    } else if secs < DAY {
        ago(secs / HOUR, "hour")
    } else {
        ago(secs / DAY, "day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn devices_are_read_from_the_answer_and_odd_entries_are_skipped() {
        let answer = json!({"devices": [
            {"id": "device-a", "name": "Chrome on Android", "first_seen": "t0", "last_seen": "2026-11-22T03:00:00Z", "current": true},
            {"id": "device-b", "name": "", "last_seen": "2026-11-22T02:00:00Z", "current": false},
            {"name": "no id"},
        ]});
        let devices = parse_devices(&answer);
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0], Device { id: "device-a".into(), name: "Chrome on Android".into(), last_seen: "2026-11-22T03:00:00Z".into(), current: true });
        assert_eq!(devices[1].name, "Unnamed device");
        assert!(!devices[1].current);
        assert!(parse_devices(&json!({"error": "x"})).is_empty());
    }

    #[test]
    fn last_seen_reads_naturally() {
        let now = 1_000_000_000.0;
        assert_eq!(last_seen_label(now, Some(now - 5_000.0)), "Last seen just now");
        assert_eq!(last_seen_label(now, Some(now + 5_000.0)), "Last seen just now", "a clock ahead of ours");
        assert_eq!(last_seen_label(now, Some(now - 60_000.0)), "Last seen 1 minute ago");
        assert_eq!(last_seen_label(now, Some(now - 3.0 * 3_600_000.0)), "Last seen 3 hours ago");
        assert_eq!(last_seen_label(now, Some(now - 2.0 * 86_400_000.0)), "Last seen 2 days ago");
        assert_eq!(last_seen_label(now, None), "Last seen: unknown");
        assert_eq!(last_seen_label(now, Some(f64::NAN)), "Last seen: unknown");
    }
}
