//! The local peers the tests deliver to.

pub mod http;
pub mod smtp;
