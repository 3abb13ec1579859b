//! One module per group of figures; each adds its rows to the [`crate::report::Report`].

pub mod connections;
pub mod fanout;
pub mod roundtrip;
pub mod startup;
pub mod turns;
