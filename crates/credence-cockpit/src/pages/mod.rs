//! The pages: each a template (`templates/*.html`) and the view model it is rendered from.
//! The server fills the inputs; the page builders here decide how figures read in each
//! language, which figure links where, and draw the charts. What every page shares is
//! here; the pages by area are in the submodules.

mod billing;
mod cockpit;
mod customers;
mod work;

use askama::Template;
use credence_domain::{Industry, Labelled, region_name_en, region_name_zh};

pub use billing::{BillingPage, BillingRequestRow, HighRiskRow, billing_feature};
pub use cockpit::{CockpitPage, LargeRow, LevelTile, cockpit};
pub use customers::{Chip, CustomerListPage, CustomerPage, Fact, IndicatorRow, ListRow, ScoreRow};
pub use work::{
    CasePage, ControlPage, JobsView, ModelRow, ModelsPage, OrderRow, RequestRow, RuleRow, WorkPage,
};

use crate::format;
use crate::words::{Lang, LangWords, Words};

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("rendering the page failed")]
pub struct RenderError(#[from] askama::Error);

/// A link in the main menu.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A message shown at the top of a page after a change.
#[derive(Debug, Clone)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

/// What every signed-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Frame {
    pub lang: Lang,
    pub title: String,
    pub user: String,
    pub role: String,
    /// The session's CSRF token, sent back with every form.
    pub csrf: String,
    pub as_of: String,
    /// The business date is past: deadlines are shown as they stood at its end and do not
    /// count down with the wall clock.
    pub clock_fixed: bool,
    /// The artefacts in force, for the footer: `model 2026-Q4-V1.2 · rules …`.
    pub artefacts: String,
    pub nav: Vec<NavItem>,
    /// This page's path and query, to come back to after switching language.
    pub here: String,
    pub notice: Option<Notice>,
}

impl Frame {
    pub fn w(&self) -> &'static Words {
        self.lang.words()
    }

    pub fn other_lang(&self) -> Lang {
        self.lang.other()
    }
}

/// An industry section's name in a language (`C 制造业`).
pub fn industry_name(lang: Lang, code: &str) -> String {
    match Industry::parse_label(code) {
        Some(i) => format!("{} {}", i.code(), lang.pick(i.name_en(), i.name_zh())),
        None => code.to_owned(),
    }
}

/// A region's name in a language.
pub fn region_name(lang: Lang, region: &str) -> String {
    match lang {
        Lang::En => region_name_en(region).to_owned(),
        Lang::Zh => region_name_zh(region).to_owned(),
    }
}

/// A warning level's CSS class and name (always written out: colour is not the only sign).
pub fn level_label(lang: Lang, level: &str) -> (String, String) {
    let w = lang.words();
    let name = match level {
        "red" => w.level_red,
        "yellow" => w.level_yellow,
        "green" => w.level_green,
        "green_watch" => w.watch,
        other => other,
    };
    (format!("lvl-{}", level.replace('_', "-")), name.to_owned())
}

/// A case's stage, status or log entry kind in a language (the code when unknown).
pub fn case_word(lang: Lang, code: &str) -> String {
    let w = lang.words();
    match code {
        "opened" => w.case_opened,
        "joined" => w.case_joined,
        "assigned" => w.case_assigned,
        "action" => w.case_action,
        "escalated" => w.case_escalated,
        "overdue" => w.case_overdue,
        "closed" => w.case_closed,
        "watch" => w.stage_watch,
        "downgrade" => w.stage_downgrade,
        "exit" => w.stage_exit,
        "open" => w.status_open,
        other => other,
    }
    .to_owned()
}

/// Appends a query parameter to a URL.
pub fn with_param(base: &str, key: &str, value: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{key}={}", encode(value))
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A figure on a tile: what is shown, the exact value for machines (`data-value`), and
/// where it leads.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: String,
    pub label: String,
    pub shown: String,
    pub exact: String,
    pub href: Option<String>,
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub error: Option<String>,
    pub next: String,
    pub username: String,
}

impl LoginPage {
    pub fn w(&self) -> &'static Words {
        self.lang.words()
    }
}

/// A page with only a message (forbidden, not found, our error).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub f: Frame,
    pub heading: String,
    pub text: String,
}

/// An alert in a list.
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id: i64,
    pub subject: String,
    pub subject_href: Option<String>,
    pub rule: String,
    /// (CSS class, name).
    pub level: (String, String),
    pub raised: String,
    pub evidence: String,
}

/// A case in a list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: i64,
    pub customer_id: String,
    /// (CSS class, name).
    pub level: (String, String),
    pub stage: String,
    pub owner: String,
    pub due_at: String,
    /// Seconds from now to the deadline (negative: past it).
    pub seconds_left: i64,
    pub status: String,
    pub open: bool,
}

impl CaseRow {
    pub fn countdown(&self, lang: &Lang) -> String {
        format::countdown(*lang, self.seconds_left)
    }

    pub fn late(&self) -> bool {
        self.seconds_left < 0 && self.open
    }
}

/// Renders any page.
pub fn render(page: &impl Template) -> Result<String, RenderError> {
    Ok(page.render()?)
}
