//! maillage: a static knowledge-site generator.
//!
//! The pipeline is the layout, one module per stage, plain data types handed
//! between them (see docs/ARCHITECTURE.md):
//!
//! load → structure → topics → link → render → write
//!
//! `load` and `write` do the I/O; the stages between are pure functions.
//! `build` chains them; `watch` (incremental rebuilds through
//! `incremental`, a local server, live reload) and the CLI in `main.rs` sit
//! on top.

pub mod build;
pub mod config;
pub mod error;
pub mod fingerprint;
pub mod incremental;
pub mod link;
pub mod load;
pub mod model;
pub mod plural;
pub mod render;
pub mod search;
pub mod structure;
pub mod timing;
pub mod topics;
pub mod watch;
pub mod write;
