//! The transcript list: a keyed `<For>` over row keys; each row reads its own signal.

use leptos::prelude::*;

use super::live::LiveTranscript;
use crate::state::markdown;
use crate::state::transcript::{Entry, ToolCard};

/// The whole transcript.
#[component]
pub fn TranscriptView(live: LiveTranscript) -> impl IntoView {
    view! {
        <ol class="transcript" aria-label="Transcript" aria-live="polite">
            <For each=move || live.order.get() key=|key| key.clone() let:key>
                <Row live=live key=key/>
            </For>
        </ol>
    }
}

/// One row, re-rendered only when its own entry changes.
#[component]
fn Row(live: LiveTranscript, key: String) -> impl IntoView {
    let Some(cell) = live.cell(&key) else { return ().into_any() };
    view! {
        <li class="row">
            {move || match cell.get() {
                Entry::User(text) => view! { <div class="msg user"><p class="user-text">{text}</p></div> }.into_any(),
                Entry::Assistant(text) => view! {
                    <div class="msg assistant markdown" inner_html=markdown::to_html(&text)></div>
                }.into_any(),
                Entry::Reasoning(text) => view! {
                    <details class="reasoning"><summary>"Reasoning"</summary><p>{text}</p></details>
                }.into_any(),
                Entry::Tool(card) => view! { <ToolCardView card=card/> }.into_any(),
                Entry::Notice { level, text } => view! {
                    <p class=format!("notice {level}") role="alert">{text}</p>
                }.into_any(),
            }}
        </li>
    }
    .into_any()
}

/// A tool call: name, arguments, live output, result and status.
#[component]
pub fn ToolCardView(card: ToolCard) -> impl IntoView {
    let state = card.state.label();
    let args = pretty_args(&card.arguments);
    let gist = args_gist(&card.arguments);
    view! {
        <article class=format!("tool tool-{state}") aria-label=format!("Tool {}", card.name) data-status=state>
            <header class="tool-head">
                <span class="tool-name">{card.name.clone()}</span>
                <span class=format!("status status-{state}")>{state}</span>
            </header>
            <details class="tool-args"><summary><span class="gist">{gist}</span></summary><pre>{args}</pre></details>
            {(!card.output.is_empty()).then(|| view! { <pre class="tool-output">{card.output.clone()}</pre> })}
            {card.result.clone().map(|result| view! { <pre class="tool-result">{result}</pre> })}
        </article>
    }
}

/// Keys whose value best says what a call does, in order of preference.
const GIST_KEYS: [&str; 5] = ["command", "file_path", "path", "pattern", "url"];

/// One line for the collapsed arguments: the most telling argument, or "Arguments".
fn args_gist(arguments: &str) -> String {
    let parsed = serde_json::from_str::<serde_json::Value>(arguments).ok();
    parsed
        .as_ref()
        .and_then(|v| GIST_KEYS.iter().find_map(|k| v.get(*k).and_then(serde_json::Value::as_str)))
        .map(str::to_owned)
        .unwrap_or_else(|| "Arguments".to_owned())
}

/// Pretty-prints JSON arguments; leaves partial (still streaming) text as it is.
fn pretty_args(arguments: &str) -> String {
    serde_json::from_str::<serde_json::Value>(arguments)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| arguments.to_owned())
}
