//! The transcript as fine-grained signals: one signal per row plus one for the row order.
//! Applying a streaming chunk sets exactly one row's signal; the keyed `<For>` only
//! re-runs when rows are added, so long transcripts stay smooth.

use std::collections::HashMap;

use leptos::prelude::*;
use serde_json::Value;

use crate::state::transcript::{Change, Entry, Transcript};

/// The transcript model and its signals.
#[derive(Clone, Copy)]
pub struct LiveTranscript {
    model: StoredValue<Transcript>,
    cells: StoredValue<HashMap<String, RwSignal<Entry>>>,
    /// Row keys in order (what the keyed list iterates).
    pub order: RwSignal<Vec<String>>,
    /// Bumped on every change (drives scroll-to-bottom, nothing else).
    pub version: RwSignal<u64>,
}

impl Default for LiveTranscript {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveTranscript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self {
            model: StoredValue::new(Transcript::new()),
            cells: StoredValue::new(HashMap::new()),
            order: RwSignal::new(Vec::new()),
            version: RwSignal::new(0),
        }
    }

    /// Empties it (another conversation opens).
    pub fn clear(&self) {
        self.model.set_value(Transcript::new());
        self.cells.set_value(HashMap::new());
        self.order.set(Vec::new());
    }

    /// The signal of one row, if it exists.
    pub fn cell(&self, key: &str) -> Option<RwSignal<Entry>> {
        self.cells.with_value(|cells| cells.get(key).copied())
    }

    /// Applies a `stream_delta` frame.
    pub fn apply_frame(&self, frame: &Value) {
        let change = self.model.try_update_value(|model| model.apply_frame(frame)).unwrap_or_default();
        self.publish(change);
    }

    /// Merges a page of history.
    pub fn load_history(&self, messages: &[Value]) {
        let change = self.model.try_update_value(|model| model.load_history(messages)).unwrap_or_default();
        self.publish(change);
    }

    /// Pushes the model's changed rows into their signals.
    fn publish(&self, change: Change) {
        for key in &change.touched {
            let Some(entry) = self.model.with_value(|model| model.get(key).cloned()) else { continue };
            match self.cell(key) {
                Some(cell) => cell.set(entry),
                None => self.cells.update_value(|cells| {
                    cells.insert(key.clone(), RwSignal::new(entry));
                }),
            }
        }
        if !change.touched.is_empty() || change.order_changed {
            self.version.update(|v| *v += 1);
        }
        if change.order_changed {
            self.order.set(self.model.with_value(|model| model.order().to_vec()));
        }
    }
}
