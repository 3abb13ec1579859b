//! Parse and serialize throughput of the two frames a busy runtime sends most: a
//! `stream_delta` carrying an assistant_message chunk, and `update_device_status`.
//!
//! Run with `cargo bench -p tether-protocol`; `scripts/bench.sh` runs it with a short
//! measurement time and puts the figures in its table.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a bad fixture should stop it loudly

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tether_protocol::ServerFrame;

/// A typical streamed chunk, compact as it travels on the wire (the golden fixture).
const STREAM_DELTA: &str = include_str!("../tests/golden/server/stream_delta.assistant_message.json");

/// A full device status snapshot, as sent on connect, sync and every state change.
const DEVICE_STATUS: &str = include_str!("../tests/golden/server/update_device_status.json");

/// The fixture as the runtime would send it: one line, no pretty-printing.
fn compact(pretty: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(pretty).expect("fixture is JSON");
    value.to_string()
}

fn bench_frame(c: &mut Criterion, name: &str, fixture: &str) {
    let text = compact(fixture);
    let frame = ServerFrame::from_json(&text).expect("fixture decodes");
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| b.iter(|| ServerFrame::from_json(black_box(&text)).expect("decodes")));
    group.bench_function("serialize", |b| b.iter(|| serde_json::to_string(black_box(&frame)).expect("encodes")));
    group.finish();
}

fn frames(c: &mut Criterion) {
    bench_frame(c, "stream_delta", STREAM_DELTA);
    bench_frame(c, "update_device_status", DEVICE_STATUS);
}

criterion_group!(benches, frames);
criterion_main!(benches);
