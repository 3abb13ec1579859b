//! Turns against the instant fake model: input → `input_accepted`, → first streamed
//! delta, → `turn_finished`; the runtime's CPU time per turn; RSS after many turns.

use std::time::{Duration, Instant};

use anyhow::bail;

use crate::client::{Client, Scope};
use crate::fake_model::BASH_MARKER;
use crate::report::Report;
use crate::runtime::Runtime;
use crate::stats::Samples;

/// Turns before measuring (first-use costs: model client, prepared statements …).
const WARM_UP: usize = 10;

/// Delta types that come from the model (as opposed to the echo of the user's message).
const MODEL_DELTAS: &[&str] = &["assistant_message", "tool_call_message", "reasoning_message"];

/// The latencies of one kind of turn.
#[derive(Default)]
struct TurnSamples {
    accepted: Samples,
    first_delta: Samples,
    first_model_delta: Samples,
    finished: Samples,
}

/// Runs `n_text` text turns and `n_tool` turns with one Bash call, on one conversation each.
pub async fn run(runtime: &Runtime, n_text: usize, n_tool: usize, report: &mut Report) -> anyhow::Result<()> {
    let mut client = Client::connect(&runtime.url()).await?;
    let rss_before = runtime.rss_kib()?;

    let scope = client.start_new("turns-text").await?;
    let (text, cpu) = turns(&mut client, runtime, &scope, "t", n_text, "Say hello.").await?;
    let rss_after = runtime.rss_kib()?;
    add(report, "text turn", &text, cpu);
    report.value("memory", format!("RSS before the {n_text} text turns"), "MiB", rss_before as f64 / 1024.0, "");
    report.value("memory", format!("RSS after {n_text} text turns (one conversation)"), "MiB", rss_after as f64 / 1024.0, "growth = transcript kept + leaks");

    let scope = client.start_new("turns-tool").await?;
    let (tool, cpu) = turns(&mut client, runtime, &scope, "b", n_tool, &format!("Run it. {BASH_MARKER}")).await?;
    add(report, "turn with one Bash call", &tool, cpu);
    Ok(())
}

fn add(report: &mut Report, kind: &str, samples: &TurnSamples, cpu_per_turn: Duration) {
    report.samples("turn", format!("{kind}: input → `input_accepted`"), "ms", &samples.accepted, "");
    report.samples("turn", format!("{kind}: input → first `stream_delta` (user echo)"), "ms", &samples.first_delta, "");
    report.samples("turn", format!("{kind}: input → first model delta"), "ms", &samples.first_model_delta, "aim ≤ 2 ms");
    report.samples("turn", format!("{kind}: input → `turn_finished`"), "ms", &samples.finished, "");
    report.value("turn", format!("{kind}: runtime CPU per turn (utime+stime)"), "ms", cpu_per_turn.as_secs_f64() * 1e3, "10 ms tick resolution, averaged");
}

async fn turns(
    client: &mut Client,
    runtime: &Runtime,
    scope: &Scope,
    prefix: &str,
    n: usize,
    text: &str,
) -> anyhow::Result<(TurnSamples, Duration)> {
    let mut samples = TurnSamples::default();
    let mut cpu_before = runtime.cpu_time()?;
    for i in 0..WARM_UP + n {
        if i == WARM_UP {
            cpu_before = runtime.cpu_time()?;
        }
        let request_id = format!("{prefix}{i}");
        let began = Instant::now();
        client.say(scope, &request_id, text).await?;
        let (mut accepted, mut first_delta, mut first_model_delta) = (None, None, None);
        let finished = loop {
            let head = client.recv_head().await?;
            let at = began.elapsed();
            match head.frame_type.as_str() {
                "input_accepted" if head.request_id.as_deref() == Some(&request_id) => accepted = accepted.or(Some(at)),
                "stream_delta" => {
                    first_delta = first_delta.or(Some(at));
                    if MODEL_DELTAS.contains(&head.message_type()) {
                        first_model_delta = first_model_delta.or(Some(at));
                    }
                }
                "turn_finished" => break at,
                _ => {}
            }
        };
        let (Some(accepted), Some(first_delta), Some(first_model_delta)) = (accepted, first_delta, first_model_delta) else {
            bail!("turn {request_id} finished without input_accepted or deltas");
        };
        if i >= WARM_UP {
            samples.accepted.push_ms(accepted);
            samples.first_delta.push_ms(first_delta);
            samples.first_model_delta.push_ms(first_model_delta);
            samples.finished.push_ms(finished);
        }
    }
    let cpu = runtime.cpu_time()?.saturating_sub(cpu_before) / n.max(1) as u32;
    Ok((samples, cpu))
}
