//! Tests of the early-warning rule language, the shipped rule pack, levels, peer rules
//! and monitoring frequency, on hand-built credit files.

mod errors;
mod fixture;
mod frequency;
mod language;
mod levels;
mod peers;
mod robustness;
mod rules;
mod snapshots;
