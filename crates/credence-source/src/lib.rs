//! Source files and diagnostics shared by every Credence language (indicator formulas,
//! warning rules, knock-out conditions) and configuration file (policy, strategy, groups,
//! notifications, rating models).
//!
//! A problem is located by file, line and column — the column counts characters, not
//! bytes, so it matches what an editor shows for Chinese text — and may carry the dotted
//! TOML key or the code of the rule concerned and a snippet: the line of the file with
//! carets under the text concerned. Whoever edits the file sees every problem at once:
//!
//! ```text
//! warning.toml:108:9: W01: unknown indicator 'curent_ratio' (did you mean 'current_ratio'?)
//!     |
//! 108 | when = "curent_ratio < 1"
//!     |         ^^^^^^^^^^^^
//! ```
//!
//! - [`Source`]: a file's text and the name it is shown by, and positions in it
//!   ([`line_column`], [`snippet`], [`key_at`], [`verbatim_start`]).
//! - [`Problem`], [`Problems`] (a collector by byte offset) and [`Listing`] (one line per
//!   problem).
//! - [`FileError`]: why a file could not be loaded (unreadable, or its problems).
//! - [`from_toml_error`]: a TOML syntax or type error as a located problem.
//! - [`suggestion`]: the " (did you mean 'x'?)" hint.
//!
//! The crate reads no files: callers pass text.

mod file_error;
mod position;
mod problem;
mod suggest;
mod toml_key;

pub use file_error::FileError;
pub use position::{Source, line_column, snippet, verbatim_start};
pub use problem::{Listing, Problem, Problems};
pub use suggest::suggestion;
pub use toml_key::{from_toml_error, key_at};
