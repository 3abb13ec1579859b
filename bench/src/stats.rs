//! Median and p99 of a set of samples: the two figures every row of the table shows.

use std::time::Duration;

/// Samples of one figure, in its own unit (milliseconds, KiB, …).
#[derive(Debug, Clone, Default)]
pub struct Samples {
    values: Vec<f64>,
}

impl Samples {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    pub fn push(&mut self, value: f64) {
        self.values.push(value);
    }

    /// Adds one duration, in milliseconds.
    pub fn push_ms(&mut self, elapsed: Duration) {
        self.values.push(elapsed.as_secs_f64() * 1e3);
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The median (nearest rank); NaN when empty.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The 99th percentile (nearest rank); NaN when empty.
    pub fn p99(&self) -> f64 {
        self.quantile(0.99)
    }

    /// The q-quantile by nearest rank, so a reported figure is a value that was measured.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.values.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = (q * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}
