//! The transcript reducer: streaming, tool cards, and history merged with live rows.

use serde_json::json;

use super::*;

fn delta(seq: u64, delta: Value) -> Value {
    json!({"type": "stream_delta", "event_seq": seq, "runtime": {"agent_id": "a", "conversation_id": "c"}, "delta": delta})
}

fn texts(t: &Transcript) -> Vec<Entry> {
    t.order().iter().filter_map(|k| t.get(k).cloned()).collect()
}

#[test]
fn streaming_chunks_append_to_one_row() {
    let mut t = Transcript::new();
    let first = t.apply_frame(&delta(1, json!({"message_type": "assistant_message", "id": "m1", "content": "Hel"})));
    assert_eq!(first, Change { touched: vec!["assistant:m1".into()], order_changed: true });
    let second = t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "m1", "content": "lo"})));
    assert_eq!(second, Change { touched: vec!["assistant:m1".into()], order_changed: false });
    assert_eq!(texts(&t), vec![Entry::Assistant("Hello".into())]);
}

#[test]
fn replayed_frames_are_dropped() {
    let mut t = Transcript::new();
    let chunk = delta(5, json!({"message_type": "assistant_message", "id": "m1", "content": "x"}));
    t.apply_frame(&chunk);
    assert_eq!(t.apply_frame(&chunk), Change::default());
    assert_eq!(texts(&t), vec![Entry::Assistant("x".into())]);
}

#[test]
fn a_tool_call_streams_waits_runs_and_returns() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"name": "Write", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(2, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"arguments": "{\"a\":", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(3, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"arguments": "1}", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(4, json!({"message_type": "approval_request_message", "id": "m2", "tool_call": {"arguments": "{\"a\":1}", "name": "Write", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(5, json!({"message_type": "client_tool_output", "tool_call_id": "call_1", "output": "line\n"})));
    t.apply_frame(&delta(6, json!({"message_type": "tool_return_message", "id": "r", "tool_call_id": "call_1", "status": "success", "tool_return": "Created"})));
    t.apply_frame(&delta(7, json!({"message_type": "client_tool_end", "tool_call_id": "call_1", "status": "success"})));
    assert_eq!(
        texts(&t),
        vec![Entry::Tool(ToolCard {
            tool_call_id: "call_1".into(),
            name: "Write".into(),
            arguments: "{\"a\":1}".into(),
            output: "line\n".into(),
            result: Some("Created".into()),
            state: ToolState::Done,
        })]
    );
}

#[test]
fn a_denied_call_and_a_reused_call_id_get_their_own_cards() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, json!({"message_type": "tool_call_message", "id": "m", "tool_call": {"name": "Bash", "arguments": "{}", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(2, json!({"message_type": "tool_return_message", "id": "r", "tool_call_id": "call_1", "status": "error", "tool_return": "Denied by user"})));
    t.apply_frame(&delta(3, json!({"message_type": "tool_call_message", "id": "m3", "tool_call": {"name": "Read", "arguments": "{}", "tool_call_id": "call_1"}})));
    let states: Vec<_> = texts(&t)
        .into_iter()
        .map(|e| match e {
            Entry::Tool(card) => (card.name, card.state),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(states, vec![("Bash".into(), ToolState::Denied), ("Read".into(), ToolState::Running)]);
}

fn user(id: &str, text: &str) -> Value {
    json!({"message_type": "user_message", "id": id, "content": text})
}

fn assistant(id: &str, text: &str) -> Value {
    json!({"message_type": "assistant_message", "id": id, "content": [{"type": "text", "text": text}]})
}

#[test]
fn history_and_the_stream_meet_by_id_without_duplicates() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, user("u1", "hi")));
    t.apply_frame(&delta(2, json!({"message_type": "reasoning_message", "id": "a1-reasoning", "reasoning": "thi"})));
    t.apply_frame(&delta(3, json!({"message_type": "reasoning_message", "id": "a1-reasoning", "reasoning": "nk"})));
    t.apply_frame(&delta(4, json!({"message_type": "assistant_message", "id": "a1", "content": "y"})));
    t.apply_frame(&delta(5, json!({"message_type": "assistant_message", "id": "a1", "content": "o"})));
    let history = [
        user("u1", "hi"),
        json!({"message_type": "reasoning_message", "id": "a1-reasoning", "reasoning": "think"}),
        assistant("a1", "yo"),
    ];
    let change = t.load_history(&history);
    assert!(!change.order_changed);
    assert_eq!(
        texts(&t),
        vec![Entry::User("hi".into()), Entry::Reasoning("think".into()), Entry::Assistant("yo".into())]
    );
    assert_eq!(t.load_history(&history), Change { touched: change.touched, order_changed: false });
    assert_eq!(t.len(), 3);
    // A replay of a frame seen before the reload does not come back.
    t.apply_frame(&delta(5, json!({"message_type": "assistant_message", "id": "a1", "content": "o"})));
    assert_eq!(texts(&t)[2], Entry::Assistant("yo".into()));
}

#[test]
fn a_reply_cut_short_by_a_dropped_socket_keeps_its_text_and_is_completed_by_history() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, user("u1", "hi")));
    t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "a1", "content": "Hello, "})));
    // The socket drops; "wide " streams meanwhile. After the reconnect the reply is not
    // stored yet (history has only the user's message), then the stream goes on.
    t.load_history(&[user("u1", "hi")]);
    assert_eq!(texts(&t), vec![Entry::User("hi".into()), Entry::Assistant("Hello, ".into())]);
    t.apply_frame(&delta(9, json!({"message_type": "assistant_message", "id": "a1", "content": "world"})));
    assert_eq!(texts(&t)[1], Entry::Assistant("Hello, world".into()));
    // Once stored, history has it whole; a chunk the runtime sent before storing it but
    // that arrives after the page is late, and is dropped.
    t.load_history(&[user("u1", "hi"), assistant("a1", "Hello, wide world")]);
    t.apply_frame(&delta(10, json!({"message_type": "assistant_message", "id": "a1", "content": "world"})));
    assert_eq!(texts(&t), vec![Entry::User("hi".into()), Entry::Assistant("Hello, wide world".into())]);
}

#[test]
fn rows_history_lacks_stay_where_they_were_and_other_devices_messages_join() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, user("u1", "one")));
    t.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "a1", "content": "first"})));
    t.apply_frame(&delta(3, json!({"message_type": "retry", "id": "x1", "message": "Retrying"})));
    t.apply_frame(&delta(4, json!({"message_type": "stop_reason", "stop_reason": "cancelled"})));
    t.apply_frame(&delta(5, user("u2", "two")));
    t.apply_frame(&delta(6, json!({"message_type": "assistant_message", "id": "a2", "content": "stream"})));
    // Another device's message is stored while this page was away; a2 still streams.
    let change = t.load_history(&[user("u1", "one"), assistant("a1", "first"), user("u2", "two"), user("u3", "three")]);
    assert!(change.order_changed);
    assert_eq!(
        texts(&t),
        vec![
            Entry::User("one".into()),
            Entry::Assistant("first".into()),
            Entry::Notice { level: "retry", text: "Retrying".into() },
            Entry::Notice { level: "info", text: "Stopped.".into() },
            Entry::User("two".into()),
            Entry::Assistant("stream".into()),
            Entry::User("three".into()),
        ]
    );
}

#[test]
fn rows_streamed_before_the_first_page_arrives_go_after_it() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, json!({"message_type": "assistant_message", "id": "a1", "content": "late join"})));
    t.load_history(&[user("u0", "old"), assistant("a0", "answer"), user("u1", "now")]);
    assert_eq!(
        texts(&t),
        vec![
            Entry::User("old".into()),
            Entry::Assistant("answer".into()),
            Entry::User("now".into()),
            Entry::Assistant("late join".into())
        ]
    );
}

#[test]
fn rows_that_fall_out_of_the_newest_page_stay_first() {
    let mut t = Transcript::new();
    t.load_history(&[user("u1", "one"), assistant("a1", "first"), user("u2", "two")]);
    // A later page of the newest messages no longer reaches back to u1 and a1.
    t.load_history(&[user("u2", "two"), assistant("a2", "second")]);
    assert_eq!(
        texts(&t),
        vec![
            Entry::User("one".into()),
            Entry::Assistant("first".into()),
            Entry::User("two".into()),
            Entry::Assistant("second".into())
        ]
    );
}

fn tool_history(call_message: &str, call_id: &str, result: Option<&str>) -> Vec<Value> {
    let mut page = vec![json!({"message_type": "tool_call_message", "id": call_message,
        "tool_call": {"name": "Write", "arguments": "{\"a\":1}", "tool_call_id": call_id}})];
    if let Some(result) = result {
        page.push(json!({"message_type": "tool_return_message", "id": format!("{call_message}-r"),
            "tool_call_id": call_id, "status": "success", "tool_return": result}));
    }
    page
}

fn cards(t: &Transcript) -> Vec<ToolCard> {
    texts(t)
        .into_iter()
        .filter_map(|e| match e {
            Entry::Tool(card) => Some(card),
            _ => None,
        })
        .collect()
}

#[test]
fn a_tool_card_waiting_across_a_reconnect_stays_one_card() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, json!({"message_type": "tool_call_message", "id": "m-call0", "tool_call": {"name": "Write", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(2, json!({"message_type": "tool_call_message", "id": "m-call0", "tool_call": {"arguments": "{\"a\":1}", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(3, json!({"message_type": "approval_request_message", "id": "ask", "tool_call": {"arguments": "{\"a\":1}", "name": "Write", "tool_call_id": "call_1"}})));
    t.load_history(&tool_history("m-call0", "call_1", None));
    assert_eq!(cards(&t).len(), 1);
    assert_eq!(cards(&t)[0].state, ToolState::Running);
    t.apply_frame(&delta(8, json!({"message_type": "client_tool_output", "tool_call_id": "call_1", "output": "ok\n"})));
    t.apply_frame(&delta(9, json!({"message_type": "tool_return_message", "id": "m-call0-r", "tool_call_id": "call_1", "status": "success", "tool_return": "Created"})));
    t.load_history(&tool_history("m-call0", "call_1", Some("Created")));
    let cards = cards(&t);
    assert_eq!(cards.len(), 1);
    assert_eq!((cards[0].state, cards[0].output.as_str(), cards[0].result.as_deref()), (ToolState::Done, "ok\n", Some("Created")));
    assert_eq!(cards[0].arguments, "{\"a\":1}");
}

#[test]
fn a_card_made_by_an_approval_or_a_result_is_claimed_by_its_stored_call() {
    let mut t = Transcript::new();
    // The page joined after the call streamed: it saw only the approval request.
    t.apply_frame(&delta(1, json!({"message_type": "approval_request_message", "id": "ask", "tool_call": {"arguments": "{\"a\":1}", "name": "Write", "tool_call_id": "call_1"}})));
    t.apply_frame(&delta(2, json!({"message_type": "tool_return_message", "id": "r2", "tool_call_id": "call_2", "status": "success", "tool_return": "two"})));
    let mut page = tool_history("m-call0", "call_1", None);
    page.extend(tool_history("n-call0", "call_2", Some("two")));
    t.load_history(&page);
    assert_eq!(cards(&t).len(), 2);
    assert_eq!(cards(&t)[1].result.as_deref(), Some("two"));
}

#[test]
fn a_call_id_reused_across_turns_keeps_one_card_per_call_over_reloads() {
    let mut t = Transcript::new();
    let mut page = tool_history("m-call0", "call_1", Some("first"));
    page.extend(tool_history("n-call0", "call_1", Some("second")));
    t.load_history(&page);
    t.load_history(&page);
    let results: Vec<_> = cards(&t).into_iter().map(|c| c.result).collect();
    assert_eq!(results, vec![Some("first".into()), Some("second".into())]);
}

#[test]
fn errors_and_retries_show_where_they_happened() {
    let mut t = Transcript::new();
    t.apply_frame(&delta(1, json!({"message_type": "retry", "id": "x1", "message": "Rate limited, retrying"})));
    t.apply_frame(&delta(2, json!({"message_type": "loop_error", "id": "x2", "message": "model unreachable"})));
    t.apply_frame(&delta(3, json!({"type": "message", "message_type": "stop_reason", "stop_reason": "end_turn"})));
    t.apply_frame(&delta(4, json!({"type": "message", "message_type": "stop_reason", "stop_reason": "cancelled"})));
    assert_eq!(
        texts(&t),
        vec![
            Entry::Notice { level: "retry", text: "Rate limited, retrying".into() },
            Entry::Notice { level: "error", text: "model unreachable".into() },
            Entry::Notice { level: "info", text: "Stopped.".into() }
        ]
    );
}
