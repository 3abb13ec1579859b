//! Request/response round trips on one socket, one at a time (no pipelining).

use std::time::Instant;

use anyhow::bail;
use serde_json::json;

use crate::client::Client;
use crate::report::Report;
use crate::runtime::Runtime;
use crate::stats::Samples;

/// Round trips before measuring, so connection set-up and first-use costs are excluded.
const WARM_UP: usize = 50;

/// `app_server_info` and `sync` round trips (`n` each), and `runtime_start` creating an
/// agent and a conversation (`n_start` times).
pub async fn run(runtime: &Runtime, n: usize, n_start: usize, report: &mut Report) -> anyhow::Result<()> {
    let mut client = Client::connect(&runtime.url()).await?;
    let scope = client.start_new("rt-scope").await?;

    let mut info = Samples::new();
    for i in 0..WARM_UP + n {
        let began = Instant::now();
        let response = client.request(&json!({ "type": "app_server_info", "request_id": format!("i{i}") })).await?;
        if i >= WARM_UP {
            info.push_ms(began.elapsed());
        }
        if response["success"] != true {
            bail!("app_server_info failed: {response}");
        }
    }
    report.samples("round trip", "`app_server_info`", "ms", &info, "one socket, sequential");

    let mut sync = Samples::new();
    for i in 0..WARM_UP + n {
        let began = Instant::now();
        client.sync(&scope, &format!("s{i}")).await?;
        if i >= WARM_UP {
            sync.push_ms(began.elapsed());
        }
    }
    report.samples("round trip", "`sync` of a conversation scope", "ms", &sync, "aim p50 ≤ 0.1 ms; replays status frames before the response");

    let mut start = Samples::new();
    for i in 0..n_start {
        let began = Instant::now();
        client.start_new(&format!("rs{i}")).await?;
        start.push_ms(began.elapsed());
    }
    report.samples("round trip", "`runtime_start` creating agent + conversation", "ms", &start, "");
    Ok(())
}
