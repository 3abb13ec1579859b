//! The results: rows of (figure, median, p99, n, unit), printed as a table and written
//! as JSON so that runs can be compared.

use std::path::Path;

use serde_json::{Value, json};

use crate::stats::Samples;

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Row {
    /// Section of the table (start, round trips, turns …).
    pub group: &'static str,
    /// What was measured.
    pub name: String,
    /// Unit of `median` and `p99`.
    pub unit: &'static str,
    /// The median (or the single value when `n == 1`).
    pub median: f64,
    /// The 99th percentile; NaN when it does not apply.
    pub p99: f64,
    /// How many samples.
    pub n: usize,
    /// A remark (target, correctness check …).
    pub note: String,
}

/// Everything one run measured.
#[derive(Debug, Default)]
pub struct Report {
    /// The rows, in the order measured.
    pub rows: Vec<Row>,
    /// Facts about the machine and the run (cores, load, versions).
    pub context: Vec<(String, String)>,
}

impl Report {
    /// Adds a row from samples.
    pub fn samples(&mut self, group: &'static str, name: impl Into<String>, unit: &'static str, samples: &Samples, note: impl Into<String>) {
        self.rows.push(Row {
            group,
            name: name.into(),
            unit,
            median: samples.median(),
            p99: samples.p99(),
            n: samples.len(),
            note: note.into(),
        });
    }

    /// Adds a row holding one value.
    pub fn value(&mut self, group: &'static str, name: impl Into<String>, unit: &'static str, value: f64, note: impl Into<String>) {
        self.rows.push(Row { group, name: name.into(), unit, median: value, p99: f64::NAN, n: 1, note: note.into() });
    }

    /// Records a fact about the run.
    pub fn fact(&mut self, key: &str, value: impl Into<String>) {
        self.context.push((key.to_owned(), value.into()));
    }

    /// The table, as printed at the end of a run (and pasted into README.md).
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (key, value) in &self.context {
            out.push_str(&format!("{key}: {value}\n"));
        }
        out.push('\n');
        out.push_str("| group | figure | median | p99 | unit | n | note |\n|---|---|---:|---:|---|---:|---|\n");
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                row.group,
                row.name,
                fmt(row.median),
                fmt(row.p99),
                row.unit,
                row.n,
                row.note
            ));
        }
        out
    }

    /// The run as JSON.
    pub fn json(&self) -> Value {
        let context: serde_json::Map<String, Value> =
            self.context.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!({ "group": r.group, "name": r.name, "unit": r.unit, "median": finite(r.median),
                    "p99": finite(r.p99), "n": r.n, "note": r.note })
            })
            .collect();
        json!({ "context": context, "results": rows })
    }

    /// Writes `results-<stamp>.json` and `latest.json` into `dir`.
    pub fn write(&self, dir: &Path, stamp: &str) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let text = serde_json::to_string_pretty(&self.json())?;
        std::fs::write(dir.join(format!("results-{stamp}.json")), &text)?;
        std::fs::write(dir.join("latest.json"), &text)?;
        Ok(())
    }
}

/// A number with about three significant digits; "—" when there is none.
fn fmt(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

fn finite(value: f64) -> Value {
    if value.is_finite() { json!(value) } else { Value::Null }
}
