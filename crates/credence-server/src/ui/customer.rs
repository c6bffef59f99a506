//! Customer 360 (RATE-7 on screen): master data, the rating with its explanation and
//! radar, limit and exposure, aging, indicators with industry medians and their trends,
//! events, the group and guarantee neighbourhood, open alerts and cases, rating history.
//! Each section shows only what the viewer's role and scope allow.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use credence_cockpit::charts::{self, Edge, Node, Series};
use credence_cockpit::pages::{CustomerPage, Fact, IndicatorRow, ScoreRow, level_label};
use credence_cockpit::{LangWords, Words, format};
use credence_domain::{Labelled, Lang};

use super::pages::{alert_rows, case_rows};
use super::{Viewer, html, notice_of};
use crate::access::Permission;
use crate::error::ApiError;
use crate::routes::customers::CustomerPage as Page;
use crate::routes::groups::Relations;
use crate::routes::receivables::OpenInvoices;
use crate::state::AppState;

/// Indicators drawn as trends on the page, when the viewer may see them.
const TRENDS: [&str; 6] =
    ["current_ratio", "debt_to_asset", "net_margin", "dso", "overdue_rate", "payment_timeliness_score"];

/// A column name as English words (`relationship_start` → `Relationship start`).
fn english(column: &str) -> String {
    if column == "uscc" {
        return "Unified social credit code".to_owned();
    }
    let mut s = column.replace('_', " ");
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    s
}

/// An indicator's value with its unit.
fn value_text(value: Option<f64>, unit: &str) -> String {
    match (value, unit) {
        (None, _) => "—".to_owned(),
        (Some(v), "percent") => format!("{v:.1}%"),
        (Some(v), "fraction") => format::percent(Some(v)),
        (Some(v), "days") => format!("{v:.0}"),
        (Some(v), _) => format::number(Some((v * 100.0).round() / 100.0)),
    }
}

/// The last `n` quarter ends up to `date` (oldest first).
fn quarter_ends(date: chrono::NaiveDate, n: u32) -> Vec<chrono::NaiveDate> {
    use chrono::Datelike;
    let q_month = (date.month() - 1) / 3 * 3 + 3;
    let first_after = chrono::NaiveDate::from_ymd_opt(date.year(), q_month, 1).expect("a month start")
        + chrono::Months::new(1);
    let mut out: Vec<chrono::NaiveDate> = (0..n)
        .map(|k| first_after - chrono::Months::new(3 * k) - chrono::Days::new(1))
        .filter(|d| *d <= date)
        .collect();
    if out.len() < n as usize {
        out.push(first_after - chrono::Months::new(3 * n) - chrono::Days::new(1));
    }
    out.reverse();
    out
}

/// Everything the page shows, gathered in one piece of store work.
struct Gathered {
    page: Page,
    relations: Option<crate::routes::groups::Relations>,
    events: Vec<credence_records::Record>,
    alerts: Vec<credence_store::StoredAlert>,
    cases: Vec<credence_store::StoredCase>,
    series: Vec<(String, Vec<Option<f64>>)>,
    dates: Vec<chrono::NaiveDate>,
    /// The warning level now (the latest change), when the viewer may see alerts.
    level: Option<String>,
}

pub async fn customer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = viewer.refuse(&state, Permission::CustomerRead) {
        return r;
    }
    let caller = viewer.caller.clone();
    let today = state.today();
    let who = id.clone();
    let gathered = state.with_store(move |store, shared| gather(store, shared, &caller, &who, today)).await;
    let g = match gathered {
        Ok(g) => g,
        Err(e) => return viewer.fail(&state, e),
    };
    let standing = match standing_of(&state, &viewer, &id).await {
        Ok(s) => s,
        Err(e) => return viewer.fail(&state, e),
    };
    let lang = viewer.lang;
    let w = lang.words();
    let artefacts = state.0.artefacts();
    let exponent = artefacts.policy.currency().exponent();
    let names = Names { lang, catalogue: &artefacts.catalogue, model: &artefacts.model };
    let page = &g.page;
    let (name, facts) = master_facts(lang, page);
    let medians: BTreeMap<&str, Option<f64>> =
        page.indicators.iter().map(|l| (l.id.as_str(), l.peer_median)).collect();
    let rating = page.rating.as_ref().map(|d| rating_section(&names, page, &d.rating, &medians));
    let rating = rating.unwrap_or_default();
    let mut level_code = g.level.clone().unwrap_or_else(|| "green".to_owned());
    if let (None, Some((_, Some(s)))) = (&g.level, &standing) {
        level_code = s.level.code().to_owned();
    }
    let standing = standing.as_ref().map(|(open, s)| standing_section(lang, exponent, open, s.as_ref()));
    let standing = standing.unwrap_or_default();
    let relations = g.relations.as_ref().map(|rel| relations_section(lang, rel, &id)).unwrap_or_default();
    let view = CustomerPage {
        f: viewer.frame(&state, &format!("{id} {name}"), &format!("/customers/{id}"), notice_of(&q)),
        id: id.clone(),
        name,
        level: level_label(lang, &level_code),
        facts,
        rating: rating.facts,
        rated: page.rating.is_some(),
        knockouts: rating.knockouts,
        score_rows: rating.score_rows,
        radar: rating.radar,
        standing: standing.facts,
        aging: standing.aging,
        open_items: standing.open_items,
        indicators: indicator_rows(lang, page),
        trend_charts: trend_charts(&names, &g, &medians),
        events: event_rows(lang, exponent, &g.events),
        group: relations.group,
        circles: relations.circles,
        graph: relations.graph,
        alerts: alert_rows(lang, &g.alerts),
        cases: case_rows(lang, &g.cases, &state.business_now()),
        history: history_rows(page),
        migrations: page
            .migrations
            .iter()
            .map(|m| format!("{} {} → {} {}", m.from_as_of, m.from_grade, m.to_as_of, m.to_grade))
            .collect(),
        held_accounts: held_account_rows(lang, page),
        data_changed: page.data_changed_since_rating,
        breakdown_gap: page.breakdown_unavailable.as_ref().map(|g| {
            let reason = if lang == Lang::Zh { &g.message_zh } else { &g.message };
            format!("{}{reason}", w.breakdown_gap)
        }),
        amounts_note: format!("{} {}", w.amounts_in, artefacts.policy.currency().code()),
    };
    html(&view)
}

/// The utility billing accounts the customer holds, one row each.
fn held_account_rows(lang: Lang, page: &Page) -> Vec<Vec<String>> {
    page.billing_accounts
        .iter()
        .map(|a| {
            let exponent = credence_domain::Currency::parse(&a.currency).map_or(2, |c| c.exponent());
            vec![
                a.account_id.clone(),
                super::billing::class_name(lang, &a.class),
                a.supply_unit.clone(),
                format::money(lang, a.owed, exponent),
                format::money(lang, a.overdue, exponent),
                format::money(lang, a.penalty_due, exponent),
                a.grade.clone().unwrap_or_else(|| "—".to_owned()),
                format::pd(a.forecast_pd),
            ]
        })
        .collect()
}

/// Reads everything the page shows in one piece of store work.
fn gather(
    store: &mut credence_store::Store,
    shared: &crate::state::Shared,
    caller: &crate::auth::Caller,
    who: &str,
    today: chrono::NaiveDate,
) -> Result<Gathered, ApiError> {
    let page = crate::routes::customers::customer_page(
        store,
        shared,
        caller,
        who,
        today,
        credence_engine::IndicatorSource::Rating,
    )?;
    let relations = crate::routes::groups::relations_of(store, shared, caller, who, today, 2).ok();
    let events = store.customer_records(credence_records::Kind::Events, who, 500)?;
    let level = if caller.may(Permission::AlertRead) {
        store.level_changes(who)?.last().map(|c| c.to_level.clone())
    } else {
        None
    };
    let (alerts, cases) = if caller.may(Permission::AlertRead) {
        let filter = credence_store::AlertFilter {
            status: Some("open".into()),
            subject: Some(who.to_owned()),
            ..Default::default()
        };
        let cases = credence_store::CaseFilter {
            status: Some("open".into()),
            customer: Some(who.to_owned()),
            ..Default::default()
        };
        let mut alerts = store.alerts(&filter)?;
        crate::routes::evidence::cut_all(store, shared, caller, &mut alerts)?;
        (alerts, store.cases(&cases)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let as_of = page.rating.as_ref().map_or(today, |r| r.rating.as_of);
    let dates = quarter_ends(as_of, 8);
    let visible: Vec<&str> =
        TRENDS.iter().copied().filter(|t| page.indicators.iter().any(|l| l.id == *t)).collect();
    let series =
        credence_engine::indicator_series(store, &shared.artefacts().catalogue, who, &dates, &visible)?;
    Ok(Gathered { page, relations, events, alerts, cases, series, dates, level })
}

/// The customer's open invoices and standing, when the viewer may read receivables. The
/// customer is in scope (its page was read): both come from one look at the warm book.
async fn standing_of(state: &AppState, viewer: &Viewer, id: &str) -> Result<Option<Standing>, ApiError> {
    if !viewer.caller.may(Permission::ReceivablesRead) {
        return Ok(None);
    }
    let s = crate::warm::snapshot(state).await?;
    let open = crate::routes::receivables::invoices_in(&s.book, id, state.0.artefacts().policy.currency())?;
    Ok(Some((open, s.book.book.standing(id, s.book.as_of))))
}

/// Open invoices and, when the book knows the customer, its standing.
type Standing = (OpenInvoices, Option<credence_engine::types::control::Standing>);

/// Names of indicators, qualitative factors and scorecard dimensions in the viewer's
/// language.
struct Names<'a> {
    lang: Lang,
    catalogue: &'a credence_engine::types::indicators::Catalogue,
    model: &'a credence_engine::types::rating::ScorecardModel,
}

impl Names<'_> {
    fn indicator(&self, id: &str) -> String {
        let lang = self.lang;
        self.catalogue
            .indicators()
            .iter()
            .find(|d| d.id == id)
            .map(|d| lang.pick(&d.name_en, &d.name_zh).to_owned())
            .or_else(|| {
                credence_domain::QualitativeFactor::parse_label(id)
                    .map(|f| lang.pick(f.name_en(), f.name_zh()).to_owned())
            })
            .unwrap_or_else(|| id.to_owned())
    }

    fn unit(&self, id: &str) -> &str {
        self.catalogue.indicators().iter().find(|d| d.id == id).map_or("", |d| d.unit.code())
    }

    fn dimension(&self, id: &str) -> String {
        self.model
            .dimensions()
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| id.to_owned(), |d| self.lang.pick(&d.name_en, &d.name_zh).to_owned())
    }
}

/// The customer's name and its other master data as facts.
fn master_facts(lang: Lang, page: &Page) -> (String, Vec<Fact>) {
    let name = page.master.iter().find(|m| m.field == "name").map(|m| m.value.clone()).unwrap_or_default();
    let facts = page
        .master
        .iter()
        .filter(|m| m.field != "name" && m.field != "customer_id")
        .map(|m| {
            let value = match m.field.as_str() {
                "industry" => credence_cockpit::pages::industry_name(lang, &m.value),
                "region" => credence_cockpit::pages::region_name(lang, &m.value),
                _ => m.value.clone(),
            };
            Fact { label: lang.pick(&english(&m.field), &m.name_zh).to_owned(), value }
        })
        .collect();
    (name, facts)
}

/// The rating section: grades and model, knock-outs, the scorecard lines and the radar.
#[derive(Default)]
struct RatingSection {
    facts: Vec<Fact>,
    knockouts: Vec<String>,
    score_rows: Vec<ScoreRow>,
    radar: String,
}

fn rating_section(
    names: &Names,
    page: &Page,
    r: &crate::routes::rating_bodies::RatingBody,
    medians: &BTreeMap<&str, Option<f64>>,
) -> RatingSection {
    let lang = names.lang;
    let w = lang.words();
    RatingSection {
        facts: rating_facts(w, page, r),
        knockouts: r
            .knockouts
            .iter()
            .map(|k| {
                let rule = names.model.knockout_rules().iter().find(|x| x.code == k.code);
                let name = rule.map_or(k.name.as_str(), |x| lang.pick(&x.name_en, &x.name_zh));
                format!("{} {name} → {} / {}", k.code, k.letter_grade_at_best, k.point_grade_at_best)
            })
            .collect(),
        score_rows: score_rows(names, r, medians),
        radar: radar(names, r),
    }
}

/// Grades (the override's when one is in force), score, PD and the model behind them.
fn rating_facts(w: &Words, page: &Page, r: &crate::routes::rating_bodies::RatingBody) -> Vec<Fact> {
    let letter = page.override_in_force.as_ref().map_or(r.letter_grade.clone(), |o| o.letter_grade.clone());
    let point = page.override_in_force.as_ref().map_or(r.point_grade.clone(), |o| o.point_grade.clone());
    let mut rating = vec![
        Fact { label: w.letter_grade.into(), value: letter },
        Fact { label: w.point_grade.into(), value: point },
        Fact { label: w.score.into(), value: format!("{:.1}", r.score) },
        Fact { label: w.pd.into(), value: format::pd(Some(r.pd)) },
        Fact { label: w.as_of.into(), value: r.as_of.to_string() },
        Fact { label: w.sub_model.into(), value: r.sub_model.clone() },
        Fact {
            label: w.model_version.into(),
            value: format!("{} · {}", r.model_version, r.catalogue_version),
        },
    ];
    if let Some(o) = &page.override_in_force {
        rating.push(Fact {
            label: w.overridden.into(),
            value: format!("{} → {} ({}; {})", r.letter_grade, o.letter_grade, o.reason, o.approver),
        });
    }
    rating
}

/// The scorecard's lines with the peer median of each indicator.
fn score_rows(
    names: &Names,
    r: &crate::routes::rating_bodies::RatingBody,
    medians: &BTreeMap<&str, Option<f64>>,
) -> Vec<ScoreRow> {
    r.lines
        .iter()
        .map(|l| ScoreRow {
            dimension: names.dimension(&l.dimension),
            name: names.indicator(&l.indicator),
            value: if l.qualitative {
                format::number(l.value)
            } else {
                value_text(l.value, names.unit(&l.indicator))
            },
            peer: medians
                .get(l.indicator.as_str())
                .copied()
                .flatten()
                .map_or_else(String::new, |m| value_text(Some(m), names.unit(&l.indicator))),
            points: format!("{:.1}", l.points),
            weight: format::percent(Some(l.weight)),
            contribution: format!("{:.2}", l.contribution),
            missing: l.value.is_none(),
        })
        .collect()
}

/// Points per dimension, and per qualitative factor answered, as a radar.
fn radar(names: &Names, r: &crate::routes::rating_bodies::RatingBody) -> String {
    let w = names.lang.words();
    let mut axes: Vec<String> = r.dimensions.iter().map(|d| names.dimension(&d.dimension)).collect();
    let mut values: Vec<f64> = r.dimensions.iter().map(|d| d.points).collect();
    for l in r.lines.iter().filter(|l| l.qualitative && l.value.is_some()) {
        axes.push(names.indicator(&l.indicator));
        values.push(l.points);
    }
    charts::radar("radar", w.dimensions_radar, w.dimensions_radar, &axes, &values, None, w.this_customer)
}

/// Limit and exposure, receivables by overdue bucket, and the oldest open invoices.
#[derive(Default)]
struct StandingSection {
    facts: Vec<Fact>,
    aging: Vec<Fact>,
    open_items: Vec<Vec<String>>,
}

fn standing_section(
    lang: Lang,
    exponent: u8,
    open: &OpenInvoices,
    s: Option<&credence_engine::types::control::Standing>,
) -> StandingSection {
    let w = lang.words();
    let money = |v: i64| format::money_full(v, exponent);
    let facts = match s {
        Some(s) => vec![
            Fact { label: w.exposure.into(), value: money(s.exposure) },
            Fact { label: w.limit.into(), value: money(s.limit) },
            Fact { label: w.temporary_limit.into(), value: money(s.temporary_limit) },
            Fact { label: w.headroom.into(), value: money(s.available) },
            Fact {
                label: w.utilisation.into(),
                value: format::percent(
                    (s.limit + s.temporary_limit > 0)
                        .then(|| s.exposure as f64 / (s.limit + s.temporary_limit) as f64),
                ),
            },
            Fact { label: w.overdue_items.into(), value: s.overdue_items.to_string() },
        ],
        None => Vec::new(),
    };
    let aging = open
        .buckets
        .iter()
        .map(|(b, amount)| {
            let label = credence_engine::types::control::OverdueBucket::parse_label(b)
                .map_or(b.clone(), |x| lang.pick(x.name_en(), x.name_zh()).to_owned());
            Fact { label, value: money(*amount) }
        })
        .collect();
    let open_items = open
        .items
        .iter()
        .take(20)
        .map(|i| {
            vec![i.invoice_no.clone(), i.due_date.to_string(), i.days_overdue.to_string(), money(i.open)]
        })
        .collect();
    StandingSection { facts, aging, open_items }
}

/// Each indicator against its industry median.
fn indicator_rows(lang: Lang, page: &Page) -> Vec<IndicatorRow> {
    page.indicators
        .iter()
        // Electricity-account indicators say nothing for a customer that holds none.
        .filter(|l| {
            !l.id.starts_with("utility_") || l.value.value.is_some() || !page.billing_accounts.is_empty()
        })
        .map(|l| {
            let against = match (l.value.value, l.peer_median) {
                (Some(v), Some(m)) if (v - m).abs() > 1e-9 => {
                    if (v > m) == l.higher_is_better {
                        "better"
                    } else {
                        "worse"
                    }
                }
                _ => "",
            };
            IndicatorRow {
                name: lang.pick(&l.name_en, &l.name_zh).to_owned(),
                value: value_text(l.value.value, &l.unit),
                median: value_text(l.peer_median, &l.unit),
                against: against.to_owned(),
            }
        })
        .collect()
}

/// A line chart per trend indicator, with its peer median.
fn trend_charts(names: &Names, g: &Gathered, medians: &BTreeMap<&str, Option<f64>>) -> Vec<String> {
    let w = names.lang.words();
    let x_labels: Vec<String> = g.dates.iter().map(|d| d.format("%Y-%m").to_string()).collect();
    g.series
        .iter()
        .enumerate()
        .map(|(k, (indicator, values))| {
            let name = names.indicator(indicator);
            let unit = names.unit(indicator).to_owned();
            let mut series = vec![Series { name: name.clone(), values: values.clone(), class: "s1".into() }];
            if let Some(Some(m)) = medians.get(indicator.as_str()) {
                series.push(Series {
                    name: w.peer_median.to_owned(),
                    values: vec![Some(*m); values.len()],
                    class: "s3".into(),
                });
            }
            charts::line_chart(
                &format!("trend-{k}"),
                &name,
                &format!("{name} · {}", w.indicator_trends),
                &x_labels,
                &series,
                &|v| value_text(Some(v), &unit),
            )
        })
        .collect()
}

/// The latest 30 events, newest first: date, kind and what is known of them.
fn event_rows(lang: Lang, exponent: u8, events: &[credence_records::Record]) -> Vec<Vec<String>> {
    events
        .iter()
        .rev()
        .take(30)
        .map(|e| {
            let kind = e.text("event_type").unwrap_or_default();
            let kind = credence_domain::EventKind::parse_label(kind)
                .map_or(kind.to_owned(), |k| lang.pick(k.name_en(), k.name_zh()).to_owned());
            let amount = e.int("amount").map(|a| {
                format!("{} {}", format::money_full(a, exponent), e.text("currency").unwrap_or_default())
            });
            let change = e.real("change_pct").map(|p| format!("{p:+.1}%"));
            let detail = [
                e.text("description").map(str::to_owned),
                e.text("role").map(str::to_owned),
                amount,
                change,
                e.text("source").map(str::to_owned),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            vec![e.text("event_date").unwrap_or_default().to_owned(), kind, detail]
        })
        .collect()
}

/// The group facts, guarantee circles and relations graph.
#[derive(Default)]
struct RelationsSection {
    group: Vec<Fact>,
    circles: Vec<String>,
    graph: String,
}

fn relations_section(lang: Lang, rel: &Relations, id: &str) -> RelationsSection {
    let w = lang.words();
    let (group, circles) = match &rel.ties {
        Some(ties) => group_facts(lang, ties),
        // Ties are for roles that may read groups: say so rather than show nothing.
        None => {
            (vec![Fact { label: w.group.into(), value: w.group_needs_permission.to_owned() }], Vec::new())
        }
    };
    RelationsSection { group, circles, graph: relations_graph(lang, &rel.neighbourhood, id) }
}

/// Controller, group and why, and the guarantee circles, saying what is withheld.
fn group_facts(lang: Lang, ties: &crate::routes::groups::Ties) -> (Vec<Fact>, Vec<String>) {
    let w = lang.words();
    let withheld = |part: &str| ties.withheld.contains(&part);
    let mut group = vec![
        Fact {
            label: w.controller.into(),
            value: match &ties.control {
                Some(c) => c.actual_controller.clone().unwrap_or_else(|| w.none.to_owned()),
                None => w.withheld_outside_scope.to_owned(),
            },
        },
        Fact {
            label: w.group.into(),
            value: match &ties.group {
                Some((gid, head)) => format!("{gid} ({head})"),
                None if withheld("group") => w.withheld_outside_scope.to_owned(),
                None => w.no_group.to_owned(),
            },
        },
    ];
    if let (Some(m), Some(c)) = (&ties.membership, &ties.control) {
        let text = lang.pick(&c.text_en, &c.text_zh).to_owned();
        group.push(Fact {
            label: w.explanation.into(),
            value: if text.is_empty() { format!("{:?}", m.rule) } else { text },
        });
    }
    let mut circles: Vec<String> =
        ties.circles.iter().map(|c| lang.pick(&c.text_en, &c.text_zh).to_owned()).collect();
    if withheld("circle") {
        circles.push(format!("{} {}", w.guarantee_circles, w.withheld_outside_scope));
    }
    (group, circles)
}

/// The neighbourhood as a graph (empty when the customer has no links).
fn relations_graph(lang: Lang, n: &credence_engine::types::groups::Neighbourhood, id: &str) -> String {
    let w = lang.words();
    let nodes: Vec<Node> = n
        .nodes
        .iter()
        .map(|x| Node {
            id: x.id.clone(),
            label: match &x.name {
                Some(name) => name.clone(),
                None if x.id.starts_with("outside-") => w.outside_scope_party.to_owned(),
                None => x.id.clone(),
            },
            distance: x.distance,
            customer: x.customer,
            href: (x.customer && x.id != id).then(|| format!("/customers/{}", x.id)),
        })
        .collect();
    let edges: Vec<Edge> = n
        .edges
        .iter()
        .map(|e| {
            let share = e.share_pct.or(e.voting_pct).map_or_else(String::new, |p| format!(" {p:.0}%"));
            Edge {
                from: e.from.clone(),
                to: e.to.clone(),
                label: format!("{}{share}", lang.pick(e.kind.name_en(), e.kind.name_zh())),
                class: e.kind.code().to_owned(),
            }
        })
        .collect();
    if edges.is_empty() {
        String::new()
    } else {
        charts::graph("graph", w.relations, w.relations, &nodes, &edges)
    }
}

/// The rating history, latest first as the page keeps it.
fn history_rows(page: &Page) -> Vec<Vec<String>> {
    page.history
        .iter()
        .map(|h| {
            vec![
                h.as_of.clone(),
                h.letter_grade.clone(),
                h.point_grade.clone(),
                format!("{:.1}", h.score),
                format::pd(Some(h.pd)),
                h.overridden.as_ref().map_or_else(String::new, |o| format!("{} ({})", o.reason, o.approver)),
            ]
        })
        .collect()
}
