//! The web cockpit (风险预警驾驶舱, PORT-1, PORT-3, RATE-7 on screen): the pages a credit
//! manager works in, in Chinese and English, rendered on the server as HTML with inline
//! SVG charts.
//!
//! This crate turns plain view models into HTML and nothing else: it does no IO, knows no
//! HTTP, SQL or session, and computes no credit figures. The server gathers the figures
//! (the same functions its JSON API answers with), fills the view models and serves the
//! pages with the static assets ([`ASSETS`]). Rendering on the server keeps the cockpit
//! one binary with no JavaScript toolchain and no CDN (users are often offline), makes a
//! page fast on a 100,000-customer portfolio (the figures are aggregated once, the HTML
//! is a few tens of kilobytes), and works with the keyboard and screen readers by default.
//!
//! - [`words`]: every fixed label in both languages, complete by construction.
//! - [`format`]: amounts (万/亿, k/m/bn), percentages, PDs and deadlines.
//! - [`charts`]: bars, lines, the heat map, the radar and the relationship graph.
//! - [`pages`]: the page templates (`templates/`) and their view models.

pub mod charts;
pub mod format;
pub mod pages;
pub mod words;

pub use words::{Lang, LangWords, Words};

/// The static files the pages use: (path under `/assets/`, content type, bytes).
pub const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../assets/app.js")),
];
