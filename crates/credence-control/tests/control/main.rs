//! Integration tests of credit control: hand-computed expectations, each explained beside
//! its test.

mod aging;
mod authority;
mod book;
mod check;
mod collections;
mod fixtures;
mod loading;
mod metrics;
mod promises;
mod proposals;
