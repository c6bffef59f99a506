//! Integration tests of the expert scorecard: hand-computed values on hand-built indicator
//! sets, the shipped model's sub-models, grades and knock-outs, and load errors.

mod fixtures;

mod calibration;
mod explain;
mod knockouts;
mod loading;
mod overrides;
mod reproducible;
mod robustness;
mod scales;
mod scoring;
mod snapshots;
mod submodels;
