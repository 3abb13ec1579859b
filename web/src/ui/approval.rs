//! The approval card: what the tool wants to do, its diff, and Allow / Deny / Edit /
//! "Always allow …" buttons. The answer goes to `on_answer`; the card itself keeps only
//! the local edit/deny drafts.

use leptos::prelude::*;
use serde_json::Value;

use crate::state::approval::{Approval, Decision, Diff};

/// Tools whose preview is the diff, not the raw arguments.
const DIFF_TOOLS: [&str; 3] = ["Write", "Edit", "MultiEdit"];

/// One pending approval.
#[component]
pub fn ApprovalCard(approval: Approval, #[prop(into)] on_answer: Callback<Decision>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let denying = RwSignal::new(false);
    let pretty_input = serde_json::to_string_pretty(&approval.input).unwrap_or_default();
    let draft = RwSignal::new(pretty_input.clone());
    let error = RwSignal::new(None::<String>);
    let original = approval.input.clone();
    let reason = RwSignal::new(String::new());
    let show_args = !DIFF_TOOLS.contains(&approval.tool_name.as_str()) || approval.diffs.is_empty();

    let allow = move |_| {
        let updated_input = if editing.get_untracked() {
            match serde_json::from_str::<Value>(&draft.get_untracked()) {
                Ok(value) if value.is_object() => (value != original).then_some(value),
                _ => {
                    error.set(Some("The arguments must be a JSON object.".into()));
                    return;
                }
            }
        } else {
            None
        };
        on_answer.run(Decision::Allow { updated_input, suggestion_ids: Vec::new() });
    };
    let deny = move |_| {
        if denying.get_untracked() {
            on_answer.run(Decision::Deny { message: reason.get_untracked() });
        } else {
            denying.set(true);
        }
    };
    let suggestions = approval
        .suggestions
        .iter()
        .map(|s| {
            let id = s.id.clone();
            view! {
                <button class="btn suggestion" on:click=move |_| {
                    on_answer.run(Decision::Allow { updated_input: None, suggestion_ids: vec![id.clone()] })
                }>{s.text.clone()}</button>
            }
        })
        .collect_view();
    let diffs = approval.diffs.iter().cloned().map(|diff| view! { <DiffView diff=diff/> }).collect_view();
    let title = approval.summary();
    let group_label = format!("Approve {title}");

    view! {
        <section class="approval" role="group" aria-label=group_label>
            <h3 class="approval-title">
                <span class="badge">"Approval"</span>
                <span class="approval-what">{title}</span>
            </h3>
            {approval.blocked_path.clone().map(|path| view! {
                <p class="blocked" role="note">"Outside the allowed directories: " <code>{path}</code></p>
            })}
            {diffs}
            <Show when=move || show_args && !editing.get()>
                <pre class="args">{pretty_input.clone()}</pre>
            </Show>
            <Show when=move || editing.get()>
                <textarea class="args-edit" aria-label="Arguments" rows="6"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || denying.get()>
                <input class="deny-reason" type="text" aria-label="Reason for denying (optional)"
                    placeholder="Reason (optional)"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
            </Show>
            <div class="actions">
                <button class="btn allow" on:click=allow>"Allow"</button>
                <button class="btn deny" on:click=deny>{move || if denying.get() { "Confirm deny" } else { "Deny" }}</button>
                <Show when=move || !editing.get()>
                    <button class="btn" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
            </div>
            <div class="actions suggestions">{suggestions}</div>
        </section>
    }
}

/// A file diff: hunks with added and removed lines coloured, or why there is none.
#[component]
pub fn DiffView(diff: Diff) -> impl IntoView {
    match diff {
        Diff::Hunks { file_name, hunks } => {
            let rows = hunks
                .into_iter()
                .map(|hunk| {
                    let header = format!("@@ -{} +{} @@", hunk.old_start, hunk.new_start);
                    let lines = hunk
                        .lines
                        .into_iter()
                        .map(|line| {
                            let (class, sign) = match line.kind.as_str() {
                                "add" => ("diff-line add", "+"),
                                "remove" => ("diff-line remove", "-"),
                                _ => ("diff-line", " "),
                            };
                            view! { <div class=class><span class="sign" aria-hidden="true">{sign}</span>{line.content}</div> }
                        })
                        .collect_view();
                    view! { <div class="hunk"><div class="hunk-header">{header}</div>{lines}</div> }
                })
                .collect_view();
            view! {
                <figure class="diff">
                    <figcaption class="diff-file">{file_name}</figcaption>
                    <div class="diff-body">{rows}</div>
                </figure>
            }
            .into_any()
        }
        Diff::NoPreview { file_name, reason } => view! {
            <figure class="diff">
                <figcaption class="diff-file">{file_name}</figcaption>
                <p class="diff-none">"No preview: " {reason}</p>
            </figure>
        }
        .into_any(),
    }
}
