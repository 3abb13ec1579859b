//! Components with logic, mounted in headless Chromium: the approval card, the diff
//! view, and the transcript applying deltas and history with fine-grained updates.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use serde_json::{Value, json};
use tether_web::state::approval::{Approval, Decision, Diff, DiffLine, Hunk};
use tether_web::ui::approval::{ApprovalCard, DiffView};
use tether_web::ui::live::LiveTranscript;
use tether_web::ui::transcript::TranscriptView;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container in the page.
fn container() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn button(root: &Element, name: &str) -> HtmlElement {
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|b| b.text_content().unwrap_or_default() == name)
        .unwrap_or_else(|| panic!("no button {name}"))
}

fn type_into(element: &Element, text: &str) {
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else {
        element.unchecked_ref::<HtmlTextAreaElement>().set_value(text);
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    element.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}

fn write_approval() -> Approval {
    Approval::from_wire(&json!({
        "request_id": "perm-1",
        "request": {"subtype": "can_use_tool", "tool_name": "Write", "tool_call_id": "call_1",
            "input": {"file_path": "/w/hello.txt", "content": "hi\n"},
            "permission_suggestions": [{"id": "project:Edit(**)", "text": "Always allow edits in this project"}],
            "blocked_path": "/etc/hosts",
            "diffs": [{"mode": "advanced", "fileName": "/w/hello.txt", "hunks": [{"oldStart": 1, "oldLines": 1,
                "newStart": 1, "newLines": 1, "lines": [{"type": "remove", "content": "old"}, {"type": "add", "content": "hi"}]}]}]}
    }))
    .unwrap()
}

/// Mounts a card and returns its root and the decisions it reported.
fn mount_card() -> (HtmlElement, Arc<Mutex<Vec<Decision>>>) {
    let root = container();
    let decisions = Arc::new(Mutex::new(Vec::new()));
    let sink = decisions.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <ApprovalCard approval=write_approval() on_answer=move |d| sink.lock().unwrap().push(d)/> }
    });
    handle.forget();
    (root, decisions)
}

#[wasm_bindgen_test]
async fn approval_card_allows_denies_edits_and_offers_rules() {
    let (root, decisions) = mount_card();
    let card = find(&root, "section[role=group]");
    assert_eq!(card.get_attribute("aria-label").as_deref(), Some("Approve Write /w/hello.txt"));
    assert!(find(&root, ".blocked").text_content().unwrap().contains("/etc/hosts"));

    button(&root, "Allow").click();
    button(&root, "Always allow edits in this project").click();
    button(&root, "Deny").click();
    leptos::task::tick().await;
    assert_eq!(decisions.lock().unwrap().len(), 2, "the first Deny only asks for a reason");
    type_into(&find(&root, "input.deny-reason"), "not that file");
    button(&root, "Confirm deny").click();
    assert_eq!(
        *decisions.lock().unwrap(),
        vec![
            Decision::Allow { updated_input: None, suggestion_ids: vec![] },
            Decision::Allow { updated_input: None, suggestion_ids: vec!["project:Edit(**)".into()] },
            Decision::Deny { message: "not that file".into() },
        ]
    );
}

#[wasm_bindgen_test]
async fn approval_card_sends_edited_arguments_and_rejects_bad_json() {
    let (root, decisions) = mount_card();
    button(&root, "Edit").click();
    leptos::task::tick().await;
    let editor = find(&root, "textarea[aria-label=Arguments]");
    type_into(&editor, "{not json");
    button(&root, "Allow").click();
    leptos::task::tick().await;
    assert!(decisions.lock().unwrap().is_empty());
    assert!(find(&root, "[role=alert]").text_content().unwrap().contains("JSON object"));
    type_into(&editor, r#"{"file_path": "/w/other.txt", "content": "bye\n"}"#);
    button(&root, "Allow").click();
    let expected: Value = json!({"file_path": "/w/other.txt", "content": "bye\n"});
    assert_eq!(*decisions.lock().unwrap(), vec![Decision::Allow { updated_input: Some(expected), suggestion_ids: vec![] }]);
}

#[wasm_bindgen_test]
fn diff_view_colours_added_and_removed_lines() {
    let root = container();
    let diff = Diff::Hunks {
        file_name: "/w/a.rs".into(),
        hunks: vec![Hunk {
            old_start: 3,
            new_start: 3,
            lines: vec![
                DiffLine { kind: "context".into(), content: "fn a() {".into() },
                DiffLine { kind: "remove".into(), content: "    1".into() },
                DiffLine { kind: "add".into(), content: "    2".into() },
            ],
        }],
    };
    leptos::mount::mount_to(root.clone(), move || view! { <DiffView diff=diff/> }).forget();
    assert_eq!(find(&root, ".diff-file").text_content().as_deref(), Some("/w/a.rs"));
    assert_eq!(find(&root, ".hunk-header").text_content().as_deref(), Some("@@ -3 +3 @@"));
    assert_eq!(find(&root, ".diff-line.remove").text_content().as_deref(), Some("-    1"));
    assert_eq!(find(&root, ".diff-line.add").text_content().as_deref(), Some("+    2"));
    assert_eq!(root.query_selector_all(".diff-line").unwrap().length(), 3);

    let none = container();
    let diff = Diff::NoPreview { file_name: "/w/b.bin".into(), reason: "binary file".into() };
    leptos::mount::mount_to(none.clone(), move || view! { <DiffView diff=diff/> }).forget();
    assert!(find(&none, ".diff-none").text_content().unwrap().contains("binary file"));
}

/// Rendered HTML without Leptos' empty marker comments.
fn html(element: &Element) -> String {
    element.inner_html().replace("<!---->", "")
}

fn delta(seq: u64, delta: Value) -> Value {
    json!({"type": "stream_delta", "event_seq": seq, "runtime": {"agent_id": "a", "conversation_id": "c"}, "delta": delta})
}

#[wasm_bindgen_test]
async fn transcript_streams_into_one_row_and_leaves_the_others_alone() {
    let root = container();
    let live = LiveTranscript::new();
    leptos::mount::mount_to(root.clone(), move || view! { <TranscriptView live=live/> }).forget();
    live.load_history(&[
        json!({"message_type": "user_message", "id": "u1", "content": "hello"}),
        json!({"message_type": "reasoning_message", "id": "r1", "reasoning": "thinking"}),
    ]);
    leptos::task::tick().await;
    let first_row = find(&root, "li.row");
    live.apply_frame(&delta(1, json!({"message_type": "assistant_message", "id": "m1", "content": "Use `cargo` **now**"})));
    leptos::task::tick().await;
    let reply = find(&root, ".msg.assistant");
    assert_eq!(html(&reply), "<p>Use <code>cargo</code> <strong>now</strong></p>");
    live.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "m1", "content": " <b>x</b>"})));
    live.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "m1", "content": " replayed"})));
    leptos::task::tick().await;
    assert_eq!(
        html(&find(&root, ".msg.assistant")),
        "<p>Use <code>cargo</code> <strong>now</strong> &lt;b&gt;x&lt;/b&gt;</p>"
    );
    assert!(first_row.is_connected() && first_row.is_same_node(Some(&find(&root, "li.row"))), "rows above were not re-rendered");
    assert_eq!(root.query_selector_all("li.row").unwrap().length(), 3);
    assert!(!find(&root, "details.reasoning").has_attribute("open"), "reasoning starts collapsed");

    live.apply_frame(&delta(3, json!({"message_type": "tool_call_message", "id": "t", "tool_call": {"name": "Bash", "arguments": "{\"command\":\"ls\"}", "tool_call_id": "c1"}})));
    live.apply_frame(&delta(4, json!({"message_type": "client_tool_output", "tool_call_id": "c1", "output": "a.txt\n"})));
    leptos::task::tick().await;
    let card = find(&root, "article.tool");
    assert_eq!(card.get_attribute("data-status").as_deref(), Some("running"));
    assert_eq!(find(&root, ".tool-output").text_content().as_deref(), Some("a.txt\n"));
    live.apply_frame(&delta(5, json!({"message_type": "tool_return_message", "id": "r", "tool_call_id": "c1", "status": "error", "tool_return": "Denied by user"})));
    leptos::task::tick().await;
    assert_eq!(find(&root, "article.tool").get_attribute("data-status").as_deref(), Some("denied"));
    assert_eq!(find(&root, ".tool-result").text_content().as_deref(), Some("Denied by user"));
}

#[wasm_bindgen_test]
async fn a_long_transcript_updates_only_the_streaming_row() {
    let root = container();
    let live = LiveTranscript::new();
    leptos::mount::mount_to(root.clone(), move || view! { <TranscriptView live=live/> }).forget();
    let history: Vec<Value> = (0..2000)
        .map(|i| {
            let kind = if i % 2 == 0 { "user_message" } else { "assistant_message" };
            json!({"message_type": kind, "id": format!("m{i}"), "content": format!("message {i}")})
        })
        .collect();
    live.load_history(&history);
    leptos::task::tick().await;
    assert_eq!(root.query_selector_all("li.row").unwrap().length(), 2000);
    let rows = root.query_selector_all("li.row").unwrap();
    let (first, last) = (rows.item(0).unwrap(), rows.item(1999).unwrap());
    let last_inner = last.first_child().unwrap();
    live.apply_frame(&delta(10, json!({"message_type": "assistant_message", "id": "live", "content": "stre"})));
    leptos::task::tick().await;
    live.apply_frame(&delta(11, json!({"message_type": "assistant_message", "id": "live", "content": "aming"})));
    leptos::task::tick().await;
    let rows = root.query_selector_all("li.row").unwrap();
    assert_eq!(rows.length(), 2001);
    assert!(rows.item(0).unwrap().is_same_node(Some(&first)));
    assert!(rows.item(1999).unwrap().is_same_node(Some(&last)));
    assert!(last.first_child().unwrap().is_same_node(Some(&last_inner)), "an older row's content was not rebuilt");
    assert_eq!(html(&find(&root, "li.row:last-child .msg.assistant")), "<p>streaming</p>");
}

#[wasm_bindgen_test]
async fn a_history_page_after_a_reconnect_completes_the_streaming_row_in_place() {
    let root = container();
    let live = LiveTranscript::new();
    leptos::mount::mount_to(root.clone(), move || view! { <TranscriptView live=live/> }).forget();
    live.apply_frame(&delta(1, json!({"message_type": "user_message", "id": "u1", "content": "hi"})));
    live.apply_frame(&delta(2, json!({"message_type": "assistant_message", "id": "a1", "content": "Hello, "})));
    leptos::task::tick().await;
    let reply = find(&root, "li.row:last-child");
    // Reconnected mid-turn: the reply is not stored yet, so the page keeps what it had…
    live.load_history(&[json!({"message_type": "user_message", "id": "u1", "content": "hi"})]);
    live.apply_frame(&delta(9, json!({"message_type": "assistant_message", "id": "a1", "content": "world"})));
    leptos::task::tick().await;
    assert_eq!(html(&find(&root, ".msg.assistant")), "<p>Hello, world</p>");
    // …and once stored, its complete text replaces the gap the dropped socket left.
    live.load_history(&[
        json!({"message_type": "user_message", "id": "u1", "content": "hi"}),
        json!({"message_type": "assistant_message", "id": "a1", "content": [{"type": "text", "text": "Hello, wide world"}]}),
    ]);
    leptos::task::tick().await;
    assert_eq!(root.query_selector_all("li.row").unwrap().length(), 2);
    assert_eq!(html(&find(&root, ".msg.assistant")), "<p>Hello, wide world</p>");
    assert!(reply.is_connected() && reply.is_same_node(Some(&find(&root, "li.row:last-child"))), "the row was updated, not rebuilt");
}
