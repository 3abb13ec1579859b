//! The protocol crate's criterion figures (`cargo bench -p tether-protocol`), read from
//! `<target>/criterion/<group>/<function>/new/{estimates,benchmark}.json`.

use std::path::Path;

use serde_json::Value;

use crate::report::Report;

/// The benchmarks protocol/benches/frames.rs defines: (group, function).
const BENCHES: &[(&str, &str)] = &[
    ("stream_delta", "parse"),
    ("stream_delta", "serialize"),
    ("update_device_status", "parse"),
    ("update_device_status", "serialize"),
];

/// Adds one row per benchmark found under `dir`; missing ones are noted, not errors.
pub fn run(dir: &Path, report: &mut Report) {
    for (group, function) in BENCHES {
        let base = dir.join(group).join(function).join("new");
        let name = format!("`{group}` {function}");
        match (read(&base.join("estimates.json")), read(&base.join("benchmark.json"))) {
            (Some(estimates), Some(benchmark)) => {
                let ns = estimates["median"]["point_estimate"].as_f64().unwrap_or(f64::NAN);
                let bytes = benchmark["throughput"]["Bytes"].as_f64().unwrap_or(f64::NAN);
                let note = format!(
                    "{:.2} M frames/s, {:.0} MB/s ({bytes:.0}-byte frame); criterion median",
                    1e3 / ns,
                    bytes * 1e3 / ns
                );
                report.value("protocol", name, "µs/frame", ns / 1e3, note);
            }
            _ => report.value("protocol", name, "µs/frame", f64::NAN, format!("not found in {}", base.display())),
        }
    }
}

fn read(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}
