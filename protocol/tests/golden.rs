//! Golden round trips: every fixture under `tests/golden/{client,server}/` must decode to
//! a known frame (not `Unknown`) and serialise back to exactly the same JSON.
//!
//! Fixtures are named `<type>[.<variant>].json`; the `<type>` must be the frame's wire
//! type. For `stream_delta` and `input` the variant must start with the delta's
//! `message_type` / the payload's `kind`, and that member must be typed too.

use std::fs;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde_json::Value;
use tether_protocol::input::InputPayload;
use tether_protocol::letta_message::LettaMessage;
use tether_protocol::stream::StreamDelta;
use tether_protocol::{ClientFrame, ServerFrame};

/// Fewer fixtures than this means the directory was emptied or moved.
const MIN_CLIENT_FIXTURES: usize = 40;
/// Fewer fixtures than this means the directory was emptied or moved.
const MIN_SERVER_FIXTURES: usize = 70;

fn fixtures(side: &str) -> Vec<(String, String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(side);
    let mut out: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("bad entry in {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_else(|| panic!("fixture name is not UTF-8: {}", path.display()))
                .to_owned();
            let (frame_type, variant) = match stem.split_once('.') {
                Some((t, v)) => (t.to_owned(), v.to_owned()),
                None => (stem.clone(), String::new()),
            };
            (frame_type, variant, path)
        })
        .collect();
    out.sort_by(|a, b| a.2.cmp(&b.2));
    out
}

fn read(path: &Path) -> (String, Value) {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    (text, value)
}

#[test]
fn client_fixtures_round_trip() {
    let fixtures = fixtures("client");
    assert!(
        fixtures.len() >= MIN_CLIENT_FIXTURES,
        "only {} client fixtures, expected at least {MIN_CLIENT_FIXTURES}",
        fixtures.len()
    );
    for (frame_type, variant, path) in fixtures {
        let name = path.display().to_string();
        let (text, expected) = read(&path);
        let frame = ClientFrame::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(frame, ClientFrame::Unknown(_)),
            "{name} decoded as Unknown"
        );
        assert_eq!(frame.frame_type(), frame_type, "{name}: frame_type()");
        assert_eq!(
            frame.request_id(),
            expected.get("request_id").and_then(Value::as_str)
        );
        if let ClientFrame::Input(input) = &frame {
            assert!(
                !matches!(input.payload, InputPayload::Unknown(_)),
                "{name}: raw payload"
            );
            let kind = input.payload.kind().unwrap_or_default();
            assert!(variant.starts_with(kind), "{name}: payload kind {kind}");
        }
        let actual = serde_json::to_value(&frame).expect("serialises");
        assert_eq!(actual, expected, "{name}: round trip");
        let via_serde: ClientFrame = serde_json::from_value(expected).expect("Deserialize impl");
        assert_eq!(via_serde, frame, "{name}: Deserialize impl");
    }
}

#[test]
fn server_fixtures_round_trip() {
    let fixtures = fixtures("server");
    assert!(
        fixtures.len() >= MIN_SERVER_FIXTURES,
        "only {} server fixtures, expected at least {MIN_SERVER_FIXTURES}",
        fixtures.len()
    );
    for (frame_type, variant, path) in fixtures {
        let name = path.display().to_string();
        let (text, expected) = read(&path);
        let frame = ServerFrame::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(frame, ServerFrame::Unknown(_)),
            "{name} decoded as Unknown"
        );
        assert_eq!(frame.frame_type(), frame_type, "{name}: frame_type()");
        assert_eq!(
            frame.request_id(),
            expected.get("request_id").and_then(Value::as_str)
        );
        assert_eq!(
            frame.envelope().is_some(),
            expected.get("event_seq").is_some() && expected.get("idempotency_key").is_some(),
            "{name}: envelope()"
        );
        if let ServerFrame::StreamDelta(message) = &frame {
            let delta = &message.delta;
            assert!(
                !matches!(delta, StreamDelta::Unknown(_)),
                "{name}: raw delta"
            );
            assert!(
                !matches!(delta, StreamDelta::Message(LettaMessage::Unknown(_))),
                "{name}: raw Letta message"
            );
            let message_type = delta.message_type().unwrap_or_default();
            assert!(
                variant.starts_with(message_type),
                "{name}: message_type {message_type}"
            );
        }
        let actual = serde_json::to_value(&frame).expect("serialises");
        assert_eq!(actual, expected, "{name}: round trip");
        let via_serde: ServerFrame = serde_json::from_value(expected).expect("Deserialize impl");
        assert_eq!(via_serde, frame, "{name}: Deserialize impl");
    }
}

/// Every `stream_delta` variant has a fixture, so none is left untested.
#[test]
fn every_stream_delta_variant_has_a_fixture() {
    let variants: Vec<String> = fixtures("server")
        .into_iter()
        .filter(|(frame_type, _, _)| frame_type == "stream_delta")
        .map(|(_, variant, _)| variant)
        .collect();
    for message_type in [
        "assistant_message",
        "reasoning_message",
        "hidden_reasoning_message",
        "tool_call_message",
        "tool_return_message",
        "approval_request_message",
        "approval_response_message",
        "system_message",
        "user_message",
        "summary_message",
        "event_message",
        "ping",
        "error_message",
        "stop_reason",
        "usage_statistics",
        "approval_classification_end",
        "client_tool_start",
        "client_tool_end",
        "command_start",
        "command_end",
        "slash_command_start",
        "slash_command_end",
        "status",
        "retry",
        "loop_error",
    ] {
        assert!(
            variants.iter().any(|v| v == message_type),
            "no fixture for {message_type}"
        );
    }
}
