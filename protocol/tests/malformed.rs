//! Hostile and malformed input: every failure must be a precise [`FrameError`], unknown
//! data must survive verbatim, and nothing may panic or overflow the stack.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tether_protocol::approval::ControlRequestBody;
use tether_protocol::content::{ContentPart, MessageContent};
use tether_protocol::input::InputPayload;
use tether_protocol::letta_message::{LettaMessage, StopReasonType};
use tether_protocol::stream::StreamDelta;
use tether_protocol::{ClientFrame, FrameError, ServerFrame};

fn runtime() -> Value {
    json!({"agent_id": "agent-1", "conversation_id": "conv-1"})
}

fn envelope(extra: Value) -> Value {
    let mut frame = json!({
        "runtime": runtime(),
        "event_seq": 7,
        "emitted_at": "2025-11-21T23:30:00Z",
        "idempotency_key": "conv-1:7",
    });
    if let (Value::Object(frame), Value::Object(extra)) = (&mut frame, extra) {
        frame.extend(extra);
    }
    frame
}

/// Asserts `err` is an `InvalidField` for `frame_type` at `field`; returns its message.
fn assert_invalid(err: FrameError, frame_type: &str, field: &str) -> String {
    match err {
        FrameError::InvalidField {
            frame_type: t,
            field: f,
            message,
        } => {
            assert_eq!(
                (t.as_str(), f.as_str()),
                (frame_type, field),
                "message: {message}"
            );
            message
        }
        other => panic!("expected InvalidField for {frame_type}.{field}, got {other:?}"),
    }
}

fn client_err(frame: Value) -> FrameError {
    match ClientFrame::from_value(frame) {
        Ok(frame) => panic!("frame must be rejected, got {frame:?}"),
        Err(err) => err,
    }
}

fn server_err(frame: Value) -> FrameError {
    match ServerFrame::from_value(frame) {
        Ok(frame) => panic!("frame must be rejected, got {frame:?}"),
        Err(err) => err,
    }
}

#[test]
fn wrong_type_reports_the_field() {
    let err = client_err(json!({"type": "app_server_info", "request_id": 5}));
    let message = assert_invalid(err.clone(), "app_server_info", "request_id");
    assert!(message.contains("invalid type"), "{message}");
    assert_eq!(err.frame_type(), Some("app_server_info"));
    assert!(err.to_string().contains("request_id"));
}

#[test]
fn nested_wrong_type_reports_the_dotted_path() {
    let frame = json!({"type": "sync", "runtime": {"agent_id": "a", "conversation_id": 7}});
    assert_invalid(client_err(frame), "sync", "runtime.conversation_id");

    let frame = json!({"type": "runtime_start", "request_id": "r",
        "create_agent": {"body": {"memory_blocks": [{"label": "persona", "value": 3}]}}});
    assert_invalid(
        client_err(frame),
        "runtime_start",
        "create_agent.body.memory_blocks[0].value",
    );

    let frame = json!({"type": "runtime_start", "request_id": "r", "mode": "yolo"});
    let message = assert_invalid(client_err(frame), "runtime_start", "mode");
    assert!(message.contains("unknown variant"), "{message}");
}

#[test]
fn paths_continue_through_hand_decoded_unions() {
    // input.payload (tagged by kind) → messages[0].role
    let frame = json!({"type": "input", "runtime": runtime(), "payload": {
        "kind": "create_message", "messages": [{"role": "robot", "content": "hi"}]}});
    assert_invalid(client_err(frame), "input", "payload.messages[0].role");

    // input.payload → messages[0].content (string | parts) → [1].text
    let frame = json!({"type": "input", "runtime": runtime(), "payload": {
        "kind": "create_message", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "ok"}, {"type": "text", "text": false}]}]}});
    assert_invalid(
        client_err(frame),
        "input",
        "payload.messages[0].content[1].text",
    );

    // stream_delta.delta (type: message) → Letta message (message_type) → content
    let frame = envelope(json!({"type": "stream_delta", "delta": {"type": "message",
        "message_type": "assistant_message", "id": "m", "date": "d", "content": 12}}));
    assert_invalid(server_err(frame), "stream_delta", "delta.content");

    // stream_delta.delta (lifecycle) → attempt
    let frame = envelope(
        json!({"type": "stream_delta", "delta": {"message_type": "retry",
        "id": "e", "date": "d", "message": "m", "reason": "error", "attempt": "two",
        "max_attempts": 3, "delay_ms": 10}}),
    );
    assert_invalid(server_err(frame), "stream_delta", "delta.attempt");

    // control_request.request (subtype) → permission_suggestions[0].id
    let frame = json!({"type": "control_request", "request_id": "p", "request": {
        "subtype": "can_use_tool", "tool_name": "Bash", "input": {}, "tool_call_id": "c",
        "permission_suggestions": [{"id": 1, "text": "t"}], "blocked_path": null}});
    assert_invalid(
        server_err(frame),
        "control_request",
        "request.permission_suggestions[0].id",
    );
}

#[test]
fn envelope_fields_are_reported_by_path() {
    let mut frame = envelope(json!({"type": "update_loop_status", "loop_status": {
        "status": "WAITING_ON_INPUT", "active_run_ids": [], "executing_tool_call_ids": []}}));
    frame["event_seq"] = json!("seven");
    assert_invalid(server_err(frame.clone()), "update_loop_status", "event_seq");

    frame["event_seq"] = json!(7);
    frame["runtime"]["conversation_id"] = json!(null);
    assert_invalid(
        server_err(frame),
        "update_loop_status",
        "runtime.conversation_id",
    );

    let frame = json!({"type": "tool_execution_started", "session_id": 1, "uuid": "u",
        "tool_call_id": "c"});
    assert_invalid(server_err(frame), "tool_execution_started", "session_id");
}

#[test]
fn paths_index_into_lists() {
    let frame = envelope(json!({"type": "update_queue", "removed": [], "queue": [
        {"id": "q1", "client_message_id": "c1", "kind": "message", "source": "user",
         "content": "a", "enqueued_at": "t"},
        {"id": "q2", "client_message_id": "c2", "kind": "gossip", "source": "user",
         "content": "b", "enqueued_at": "t"}]}));
    assert_invalid(server_err(frame), "update_queue", "queue[1].kind");
}

#[test]
fn missing_required_fields_are_rejected() {
    let message = assert_invalid(
        client_err(json!({"type": "runtime_start"})),
        "runtime_start",
        ".",
    );
    assert!(message.contains("missing field `request_id`"), "{message}");

    let message = assert_invalid(
        client_err(json!({"type": "sync", "runtime": {"agent_id": "a"}})),
        "sync",
        "runtime",
    );
    assert!(
        message.contains("missing field `conversation_id`"),
        "{message}"
    );

    let message = assert_invalid(
        client_err(json!({"type": "input", "runtime": runtime()})),
        "input",
        ".",
    );
    assert!(message.contains("missing field `payload`"), "{message}");

    // Flattened envelope: its missing members are still named.
    let message = assert_invalid(
        server_err(json!({"type": "stream_delta", "delta": {"message_type": "status"}})),
        "stream_delta",
        ".",
    );
    assert!(message.contains("missing field `runtime`"), "{message}");

    let message = assert_invalid(
        server_err(envelope(json!({"type": "stream_delta"}))),
        "stream_delta",
        ".",
    );
    assert!(message.contains("missing field `delta`"), "{message}");

    // A `T | null` member may be omitted on input (null and omitted mean the same) but
    // is always written, as `null`.
    let frame = json!({"type": "control_request", "request_id": "p", "request": {
        "subtype": "can_use_tool", "tool_name": "Bash", "input": {}, "tool_call_id": "c",
        "permission_suggestions": []}});
    let decoded = ServerFrame::from_value(frame).expect("omitted nullable member");
    let written = serde_json::to_value(&decoded).expect("serialises");
    assert_eq!(written["request"]["blocked_path"], Value::Null);

    // An approval response needs a decision or an error.
    let frame = json!({"type": "input", "runtime": runtime(),
        "payload": {"kind": "approval_response", "request_id": "p"}});
    assert_invalid(client_err(frame), "input", "payload");
}

#[test]
fn not_json_not_object_and_untyped_frames() {
    assert!(matches!(
        ClientFrame::from_json("{not json"),
        Err(FrameError::NotJson(_))
    ));
    assert!(matches!(
        ClientFrame::from_json(""),
        Err(FrameError::NotJson(_))
    ));
    assert!(matches!(
        ServerFrame::from_json("{\"type\":\"sync\"} trailing"),
        Err(FrameError::NotJson(_))
    ));
    for text in [
        "[]",
        "[{\"type\":\"sync\"}]",
        "42",
        "\"sync\"",
        "null",
        "true",
    ] {
        assert_eq!(
            ClientFrame::from_json(text),
            Err(FrameError::NotObject),
            "{text}"
        );
        assert_eq!(
            ServerFrame::from_json(text),
            Err(FrameError::NotObject),
            "{text}"
        );
    }
    assert_eq!(ClientFrame::from_json("{}"), Err(FrameError::MissingType));
    assert_eq!(
        ClientFrame::from_json(r#"{"request_id":"r"}"#),
        Err(FrameError::MissingType)
    );
    for bad in ["5", "null", "[\"sync\"]", "{\"t\":1}", "true"] {
        let text = format!(r#"{{"type":{bad},"request_id":"r"}}"#);
        assert_eq!(
            ClientFrame::from_json(&text),
            Err(FrameError::MissingType),
            "{text}"
        );
        assert_eq!(
            ServerFrame::from_json(&text),
            Err(FrameError::MissingType),
            "{text}"
        );
    }
}

#[test]
fn unknown_frame_type_is_kept_verbatim() {
    let raw = json!({"type": "terminal_spawn", "terminal_id": "t1", "cols": 80, "rows": 24,
        "nested": {"a": [1, 2.5, null, "x"]}, "request_id": "req-9"});
    let frame = ClientFrame::from_json(&raw.to_string()).expect("unknown types decode");
    assert_eq!(frame, ClientFrame::Unknown(raw.clone()));
    assert_eq!(frame.frame_type(), "terminal_spawn");
    assert_eq!(frame.request_id(), Some("req-9"));
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    let raw = json!({"type": "update_subagent_state", "subagents": [], "event_seq": 3});
    let frame = ServerFrame::from_value(raw.clone()).expect("unknown types decode");
    assert_eq!(frame, ServerFrame::Unknown(raw.clone()));
    assert_eq!(frame.frame_type(), "update_subagent_state");
    assert_eq!(frame.request_id(), None);
    assert_eq!(frame.envelope(), None);
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    // Direction matters: a command is unknown to the server-frame decoder.
    let raw = json!({"type": "sync", "runtime": runtime()});
    assert_eq!(
        ServerFrame::from_value(raw.clone()),
        Ok(ServerFrame::Unknown(raw))
    );
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let frame = ClientFrame::from_value(json!({"type": "app_server_info", "request_id": "r",
        "future": {"deep": [1, 2]}, "another": null}))
    .expect("extra members are fine");
    assert_eq!(
        serde_json::to_value(&frame).expect("serialises"),
        json!({"type": "app_server_info", "request_id": "r"})
    );

    let frame = envelope(json!({"type": "stream_delta", "future": true, "delta": {
        "message_type": "status", "id": "e", "date": "d", "message": "m", "level": "info",
        "color": "blue"}}));
    assert!(matches!(
        ServerFrame::from_value(frame),
        Ok(ServerFrame::StreamDelta(_))
    ));
}

#[test]
fn null_and_omitted_mean_the_same_except_tri_state_fields() {
    let with_null = ClientFrame::from_value(json!({"type": "sync", "runtime": runtime(),
        "request_id": null, "recover_approvals": null}))
    .expect("null optional members");
    let omitted = ClientFrame::from_value(json!({"type": "sync", "runtime": runtime()}))
        .expect("omitted optional members");
    assert_eq!(with_null, omitted);

    let reset = ClientFrame::from_value(json!({"type": "runtime_start", "request_id": "r",
        "cwd": null}))
    .expect("null cwd");
    let keep = ClientFrame::from_value(json!({"type": "runtime_start", "request_id": "r"}))
        .expect("no cwd");
    match (&reset, &keep) {
        (ClientFrame::RuntimeStart(reset), ClientFrame::RuntimeStart(keep)) => {
            assert_eq!(reset.cwd, Some(None));
            assert_eq!(keep.cwd, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&reset).expect("serialises")["cwd"],
        Value::Null
    );
    assert!(
        serde_json::to_value(&keep)
            .expect("serialises")
            .get("cwd")
            .is_none()
    );

    // `agent_id: null` is a valid (agent-free) scope.
    let frame = ClientFrame::from_value(json!({"type": "sync",
        "runtime": {"agent_id": null, "conversation_id": "c"}}))
    .expect("agent-free scope");
    assert_eq!(
        serde_json::to_value(&frame).expect("serialises")["runtime"],
        json!({"agent_id": null, "conversation_id": "c"})
    );
}

#[test]
fn a_ten_megabyte_string_decodes() {
    let big = "x".repeat(10 * 1024 * 1024);
    let text = json!({"type": "input", "runtime": runtime(), "payload": {
        "kind": "create_message", "messages": [{"role": "user", "content": big}]}})
    .to_string();
    let frame = ClientFrame::from_json(&text).expect("large frames decode");
    let ClientFrame::Input(input) = frame else {
        panic!("not an input")
    };
    let InputPayload::CreateMessage(payload) = input.payload else {
        panic!("not create_message")
    };
    assert_eq!(payload.messages[0].content, MessageContent::Text(big));

    // The same size in the wrong place is a clean error.
    let text = json!({"type": "app_server_info", "request_id": ["x".repeat(10 * 1024 * 1024)]})
        .to_string();
    let err = ClientFrame::from_json(&text).expect_err("wrong type");
    assert_invalid(err, "app_server_info", "request_id");
}

#[test]
fn deep_nesting_is_not_json_rather_than_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    assert!(matches!(
        ClientFrame::from_json(&deep),
        Err(FrameError::NotJson(_))
    ));
    assert!(matches!(
        ServerFrame::from_json(&deep),
        Err(FrameError::NotJson(_))
    ));

    let deep_object = format!("{}{}", "{\"a\":".repeat(100_000), "1");
    assert!(matches!(
        ClientFrame::from_json(&deep_object),
        Err(FrameError::NotJson(_))
    ));

    let inside = format!(
        r#"{{"type":"input","runtime":{{"agent_id":"a","conversation_id":"c"}},"payload":{}1{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        ClientFrame::from_json(&inside),
        Err(FrameError::NotJson(_))
    ));
}

#[test]
fn unknown_stream_deltas_are_kept_raw() {
    // A Letta message with a new message_type.
    let delta = json!({"type": "message", "message_type": "artifact_message", "id": "m",
        "date": "d", "artifact": {"kind": "svg", "body": "<svg/>"}});
    let frame = envelope(json!({"type": "stream_delta", "delta": delta.clone()}));
    let decoded = ServerFrame::from_value(frame.clone()).expect("unknown message_type is fine");
    let ServerFrame::StreamDelta(message) = &decoded else {
        panic!("not stream_delta")
    };
    let StreamDelta::Message(LettaMessage::Unknown(raw)) = &message.delta else {
        panic!("expected a raw Letta message, got {:?}", message.delta)
    };
    assert_eq!(raw["artifact"]["kind"], "svg");
    assert_eq!(message.delta.message_type(), Some("artifact_message"));
    assert_eq!(serde_json::to_value(&decoded).expect("serialises"), frame);

    // A lifecycle delta with a new message_type.
    let frame = envelope(json!({"type": "stream_delta",
        "delta": {"message_type": "progress", "id": "e", "percent": 40}}));
    let decoded = ServerFrame::from_value(frame.clone()).expect("unknown lifecycle is fine");
    let ServerFrame::StreamDelta(message) = &decoded else {
        panic!("not stream_delta")
    };
    assert!(matches!(message.delta, StreamDelta::Unknown(_)));
    assert_eq!(serde_json::to_value(&decoded).expect("serialises"), frame);

    // A Letta message without message_type at all.
    let frame = envelope(json!({"type": "stream_delta", "delta": {"type": "message", "id": "m"}}));
    let decoded = ServerFrame::from_value(frame.clone()).expect("untagged message is fine");
    assert_eq!(serde_json::to_value(&decoded).expect("serialises"), frame);

    // A delta that is not an object is an error, not a panic.
    let frame = envelope(json!({"type": "stream_delta", "delta": "oops"}));
    assert_invalid(server_err(frame), "stream_delta", "delta");
}

#[test]
fn unknown_input_kind_is_kept_raw() {
    let payload = json!({"kind": "voice_note", "audio": "UklGR", "duration_ms": 1200});
    let raw = json!({"type": "input", "request_id": "r", "runtime": runtime(), "payload": payload});
    let frame = ClientFrame::from_value(raw.clone()).expect("unknown kind is fine");
    let ClientFrame::Input(input) = &frame else {
        panic!("not input")
    };
    assert_eq!(input.payload, InputPayload::Unknown(payload));
    assert_eq!(input.payload.kind(), Some("voice_note"));
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    // No kind at all is also kept.
    let raw = json!({"type": "input", "runtime": runtime(), "payload": {"text": "hi"}});
    let frame = ClientFrame::from_value(raw.clone()).expect("missing kind is kept raw");
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);
}

#[test]
fn unknown_stop_reason_is_preserved() {
    let raw = envelope(json!({"type": "turn_finished", "turn_id": "t",
        "stop_reason": "quota_paused_by_admin"}));
    let frame = ServerFrame::from_value(raw.clone()).expect("unknown stop reason is fine");
    let ServerFrame::TurnFinished(turn) = &frame else {
        panic!("not turn_finished")
    };
    assert_eq!(
        turn.stop_reason,
        StopReasonType::Other("quota_paused_by_admin".into())
    );
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    let raw = envelope(json!({"type": "stream_delta",
        "delta": {"type": "message", "message_type": "stop_reason", "stop_reason": "mystery"}}));
    let frame = ServerFrame::from_value(raw.clone()).expect("unknown stop reason is fine");
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    assert_eq!(StopReasonType::from("end_turn"), StopReasonType::EndTurn);
    assert_eq!(
        StopReasonType::ContextWindowOverflowInSystemPrompt.as_str(),
        "context_window_overflow_in_system_prompt"
    );
}

#[test]
fn unknown_control_subtype_and_content_parts_are_kept_raw() {
    let request = json!({"subtype": "ask_user_question", "questions": ["Which branch?"]});
    let raw = json!({"type": "control_request", "request_id": "p", "request": request});
    let frame = ServerFrame::from_value(raw.clone()).expect("unknown subtype is fine");
    let ServerFrame::ControlRequest(control) = &frame else {
        panic!("not control_request")
    };
    assert_eq!(control.request, ControlRequestBody::Unknown(request));
    assert_eq!(serde_json::to_value(&frame).expect("serialises"), raw);

    let parts = json!([{"type": "tool_call", "id": "c", "name": "Bash", "input": {}},
        {"text": "no type"}, {"type": "image", "source": {"type": "s3", "key": "k"}}]);
    let content: MessageContent = serde_json::from_value(parts.clone()).expect("parts decode");
    let MessageContent::Parts(list) = &content else {
        panic!("not parts")
    };
    assert!(matches!(list[0], ContentPart::Other(_)));
    assert!(matches!(list[1], ContentPart::Other(_)));
    assert!(matches!(list[2], ContentPart::Image(_)));
    assert_eq!(serde_json::to_value(&content).expect("serialises"), parts);
    assert!(serde_json::from_value::<MessageContent>(json!(42)).is_err());
}
