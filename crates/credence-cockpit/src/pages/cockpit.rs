//! The portfolio cockpit (风险预警驾驶舱): totals, levels, grades, the heat map, largest
//! exposures and concentration, trends, new alerts and overdue cases.

use askama::Template;
use credence_control::Level;
use credence_domain::Lang;
use credence_portfolio::{Concentration, HeatAxis, HeatMap, Overview, Totals};

use super::{AlertRow, CaseRow, Figure, Frame, industry_name, level_label, region_name, with_param};
use crate::charts::{self, Bar, Cell, Series};
use crate::format;
use crate::words::{LangWords, Words};

/// A level tile of the cockpit.
#[derive(Debug, Clone)]
pub struct LevelTile {
    pub class: String,
    pub name: String,
    pub customers: Figure,
    pub exposure: Figure,
    pub share: String,
    pub watch: String,
}

/// A row of the largest exposures.
#[derive(Debug, Clone)]
pub struct LargeRow {
    pub id: String,
    pub name: String,
    pub grade: String,
    pub pd: String,
    pub level: (String, String),
    pub exposure: String,
    pub share: String,
    pub utilisation: String,
}

/// The portfolio cockpit.
#[derive(Template)]
#[template(path = "cockpit.html")]
pub struct CockpitPage {
    pub f: Frame,
    pub totals: Vec<Figure>,
    pub levels: Vec<LevelTile>,
    pub grades_chart: String,
    pub heat_chart: String,
    /// (label, link, current) for the heat map's columns.
    pub heat_axes: Vec<(String, String, bool)>,
    pub largest: Vec<LargeRow>,
    pub concentration: Vec<(String, String)>,
    pub pd_chart: String,
    pub overdue_chart: String,
    pub alerts: Vec<AlertRow>,
    pub cases: Vec<CaseRow>,
    pub amounts_note: String,
}

/// The cockpit over an overview (already scoped to the user), with the newest alerts
/// and overdue cases. `base` is the customer list the figures drill down to, with the
/// filters of the view (`/customers?business_line=…`).
pub fn cockpit(
    f: Frame,
    o: &Overview,
    alerts: Vec<AlertRow>,
    cases: Vec<CaseRow>,
    exponent: u8,
    base: &str,
) -> CockpitPage {
    let v = View { lang: f.lang, w: f.lang.words(), exponent, base };
    let (heat_chart, heat_axes) = v.heat(&o.heat);
    let (pd_chart, overdue_chart) = v.trends(o);
    CockpitPage {
        amounts_note: format!("{} {} · LGD {}", v.w.amounts_in, o.currency, format::percent(Some(o.lgd))),
        totals: v.totals(&o.totals),
        levels: o.levels.iter().map(|l| v.level_tile(l)).collect(),
        grades_chart: v.grades_chart(o),
        heat_chart,
        heat_axes,
        largest: v.largest(o),
        concentration: v.concentration(&o.concentration),
        pd_chart,
        overdue_chart,
        alerts,
        cases,
        f,
    }
}

/// How the cockpit shows figures: language, the currency's decimals and the customer
/// list its figures link to.
struct View<'a> {
    lang: Lang,
    w: &'static Words,
    exponent: u8,
    base: &'a str,
}

impl View<'_> {
    fn money(&self, v: i64) -> String {
        format::money(self.lang, v, self.exponent)
    }

    /// The headline figures, each linking to the customers behind it where there are some.
    fn totals(&self, t: &Totals) -> Vec<Figure> {
        let (w, base) = (self.w, self.base);
        vec![
            figure(
                "total-customers",
                w.customers,
                format::count(t.customers),
                t.customers.to_string(),
                Some(base.to_owned()),
            ),
            figure(
                "total-exposure",
                w.exposure,
                self.money(t.exposure),
                t.exposure.to_string(),
                Some(with_param(base, "sort", "exposure")),
            ),
            figure(
                "total-el",
                w.expected_loss,
                self.money(t.expected_loss),
                t.expected_loss.to_string(),
                None,
            ),
            figure(
                "total-pd",
                w.weighted_pd,
                format::pd(t.weighted_pd),
                t.weighted_pd.map_or_else(String::new, |p| p.to_string()),
                Some(with_param(base, "sort", "pd")),
            ),
            figure(
                "total-overdue-rate",
                w.overdue_rate,
                format::percent(t.overdue_rate),
                t.overdue_rate.map_or_else(String::new, |p| p.to_string()),
                Some(with_param(base, "overdue", "true")),
            ),
            figure(
                "total-over-limit",
                w.over_limit_customers,
                format::count(t.over_limit_customers),
                t.over_limit_customers.to_string(),
                Some(with_param(base, "over_limit", "true")),
            ),
        ]
    }

    /// A warning level's customers and exposure, with the green level's watch count.
    fn level_tile(&self, l: &credence_portfolio::LevelTile) -> LevelTile {
        let w = self.w;
        let (class, name) = level_label(self.lang, l.level.code());
        let href = with_param(self.base, "level", l.level.code());
        LevelTile {
            customers: figure(
                &format!("tile-{}-customers", l.level.code()),
                w.customers,
                format::count(l.customers),
                l.customers.to_string(),
                Some(href.clone()),
            ),
            exposure: figure(
                &format!("tile-{}-exposure", l.level.code()),
                w.exposure,
                self.money(l.exposure),
                l.exposure.to_string(),
                Some(with_param(&href, "sort", "exposure")),
            ),
            share: format!("{} {}", format::percent(l.exposure_share), w.share_of_exposure),
            watch: if l.watch > 0 && l.level == Level::Green {
                format!("{} {}", format::count(l.watch), w.watch)
            } else {
                String::new()
            },
            class,
            name,
        }
    }

    /// Customers per grade as bars linking to them.
    fn grades_chart(&self, o: &Overview) -> String {
        let w = self.w;
        let bars: Vec<Bar> = o
            .grades
            .iter()
            .map(|g| {
                let label = if g.grade == credence_portfolio::UNRATED {
                    w.unrated.to_owned()
                } else {
                    g.grade.clone()
                };
                Bar {
                    shown: format::count(g.customers),
                    value: g.customers as f64,
                    href: Some(with_param(self.base, "grade", &g.grade)),
                    class: format!("grade g-{}", g.grade.to_ascii_lowercase()),
                    label,
                }
            })
            .collect();
        charts::bar_chart(
            "grades",
            w.rating_distribution,
            &format!("{} / {}", w.grade, w.customers),
            &bars,
            &|v| format::number(Some(v)),
        )
    }

    /// The heat map of weighted PD by industry and region or business line, and the
    /// links that switch its columns.
    fn heat(&self, heat: &HeatMap) -> (String, Vec<(String, String, bool)>) {
        let (lang, w) = (self.lang, self.w);
        let rows: Vec<String> = heat.rows.iter().map(|r| industry_name(lang, r)).collect();
        let (axis_param, columns): (&str, Vec<String>) = match heat.axis {
            HeatAxis::Region => ("region", heat.columns.iter().map(|c| region_name(lang, c)).collect()),
            HeatAxis::BusinessLine => ("business_line", heat.columns.clone()),
        };
        let cells: Vec<Cell> = heat
            .cells
            .iter()
            .map(|c| {
                let row = heat.rows.iter().position(|r| *r == c.row).unwrap_or(0);
                let column = heat.columns.iter().position(|x| *x == c.column).unwrap_or(0);
                let href = with_param(&with_param(self.base, "industry", &c.row), axis_param, &c.column);
                Cell {
                    row,
                    column,
                    value: c.weighted_pd,
                    shown: format::pd(c.weighted_pd),
                    detail: format!(
                        "{} × {}: {} {}, {} {}, {} {}",
                        rows[row],
                        columns[column],
                        format::count(c.customers),
                        w.customers,
                        w.exposure,
                        self.money(c.exposure),
                        w.weighted_pd,
                        format::pd(c.weighted_pd)
                    ),
                    href,
                }
            })
            .collect();
        let by = match heat.axis {
            HeatAxis::Region => w.by_region,
            HeatAxis::BusinessLine => w.by_business_line,
        };
        let chart = charts::heat_map(
            "heat",
            w.heat_map,
            &format!("{} {by}", w.heat_map_note),
            &rows,
            &columns,
            &cells,
            heat.max_pd.unwrap_or(0.0),
            ("0%", &format::pd(heat.max_pd)),
        );
        let axes = [
            (HeatAxis::Region, w.by_region, "region"),
            (HeatAxis::BusinessLine, w.by_business_line, "business_line"),
        ]
        .into_iter()
        .map(|(axis, label, code)| (label.to_owned(), format!("?heat={code}"), axis == heat.axis))
        .collect();
        (chart, axes)
    }

    fn largest(&self, o: &Overview) -> Vec<LargeRow> {
        o.largest
            .iter()
            .map(|l| LargeRow {
                id: l.customer_id.to_string(),
                name: l.name.clone(),
                grade: l.grade.clone().unwrap_or_else(|| self.w.unrated.to_owned()),
                pd: format::pd(l.pd),
                level: level_label(self.lang, l.level.code()),
                exposure: self.money(l.exposure),
                share: format::percent(Some(l.share)),
                utilisation: format::percent(l.utilisation),
            })
            .collect()
    }

    fn concentration(&self, c: &Concentration) -> Vec<(String, String)> {
        let w = self.w;
        let mut concentration = vec![
            (w.hhi_customers.to_owned(), format!("{:.0}", c.hhi_customers)),
            (w.hhi_groups.to_owned(), format!("{:.0}", c.hhi_groups)),
            (w.top10_share.to_owned(), format::percent(Some(c.top10_share))),
        ];
        if let Some((g, share)) = &c.largest_group {
            concentration
                .push((w.largest_group.to_owned(), format!("{g} · {}", format::percent(Some(*share)))));
        }
        concentration
    }

    /// The mean PD by rating date and the overdue rate by month end.
    fn trends(&self, o: &Overview) -> (String, String) {
        let w = self.w;
        let pd_chart = charts::line_chart(
            "pd-trend",
            w.trend_pd,
            w.trend_pd,
            &o.pd_trend.iter().map(|p| p.date.to_string()).collect::<Vec<_>>(),
            &[Series {
                name: w.pd.to_owned(),
                values: o.pd_trend.iter().map(|p| p.mean_pd).collect(),
                class: "s1".into(),
            }],
            &|v| format::pd(Some(v)),
        );
        let overdue_chart = charts::line_chart(
            "overdue-trend",
            w.trend_overdue,
            w.trend_overdue,
            &o.overdue_trend.iter().map(|p| p.date.format("%Y-%m").to_string()).collect::<Vec<_>>(),
            &[Series {
                name: w.overdue_rate.to_owned(),
                values: o.overdue_trend.iter().map(|p| p.overdue_rate).collect(),
                class: "s2".into(),
            }],
            &|v| format::percent(Some(v)),
        );
        (pd_chart, overdue_chart)
    }
}

/// A figure with its shown and exact values and where it drills down to.
fn figure(id: &str, label: &str, shown: String, exact: String, href: Option<String>) -> Figure {
    Figure { id: id.to_owned(), label: label.to_owned(), shown, exact, href }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::{NavItem, render};
    use crate::words::Lang;
    use credence_portfolio::{
        OverviewConfig, Portfolio, Position, PositionSort, Selection, overview, select,
    };

    fn frame(lang: Lang) -> Frame {
        Frame {
            lang,
            title: "t".into(),
            user: "王经理".into(),
            role: "risk".into(),
            csrf: "tok<&>".into(),
            as_of: "2026-09-30".into(),
            clock_fixed: false,
            artefacts: "model M1".into(),
            nav: vec![NavItem { href: "/cockpit".into(), label: "Cockpit".into(), current: true }],
            here: "/cockpit".into(),
            notice: None,
        }
    }

    /// Two customers: C1 red in C/广东 with 300.00 exposure, C2 green in F/福建 with 100.00.
    fn book() -> Portfolio {
        let p = |id: &str, industry: &str, region: &str, level: Level, exposure: i64| Position {
            customer_id: id.into(),
            name: format!("{id} <公司>"),
            industry: industry.into(),
            region: region.into(),
            grade: Some("A".into()),
            pd: Some(0.02),
            level,
            exposure,
            receivables: exposure,
            ..Position::default()
        };
        Portfolio {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            grade_order: vec!["AAA".into(), "A".into()],
            positions: vec![
                p("C1", "C", "广东", Level::Red, 30_000),
                p("C2", "F", "福建", Level::Green, 10_000),
            ],
            ..Portfolio::default()
        }
    }

    fn cockpit_html(lang: Lang) -> String {
        let b = book();
        let all = select(&b, &Selection::default(), &|_| true, PositionSort::Exposure);
        let o = overview(&b, &all, &OverviewConfig::default());
        render(&cockpit(frame(lang), &o, Vec::new(), Vec::new(), 2, "/customers")).unwrap()
    }

    #[test]
    fn the_cockpit_shows_the_figures_with_their_drill_downs() {
        let html = cockpit_html(Lang::En);
        assert!(html.starts_with("<!doctype html>") && html.contains(r#"<html lang="en">"#));
        assert!(
            html.contains(r#"id="total-customers" data-value="2">2<"#),
            "the exact value beside the shown one"
        );
        assert!(
            html.contains(
                r#"href="/customers?level=red" class="num" id="tile-red-customers" data-value="1""#
            ) || html.contains(r#"id="tile-red-customers" data-value="1" href="/customers?level=red""#)
        );
        assert!(html.contains(r#"id="tile-red-exposure" data-value="30000""#));
        // Heat-map cells link to their industry and region (escaped in the attribute).
        assert!(html.contains("/customers?industry=C&amp;region=%E5%B9%BF%E4%B8%9C"), "{html}");
        // Text from the data is escaped; the form carries the CSRF token escaped too.
        assert!(html.contains("C1 &#60;公司&#62;") && !html.contains("C1 <公司>"));
        assert!(html.contains(r#"value="tok&#60;&#38;&#62;""#), "{html}");
        assert!(html.contains("Portfolio cockpit") && html.contains("Guangdong"));
        // Levels are written out, not only coloured.
        assert!(html.contains(">Red<") && html.contains(">Green<"));
    }

    #[test]
    fn the_cockpit_speaks_chinese() {
        let html = cockpit_html(Lang::Zh);
        assert!(html.contains(r#"<html lang="zh-CN">"#));
        assert!(html.contains("风险预警驾驶舱") && html.contains("广东") && html.contains("C 制造业"));
        assert!(html.contains(">红色<"));
        // The switch offers the other language in its own name.
        assert!(html.contains(r#"lang="en">English</button>"#));
        assert!(!html.contains("Portfolio cockpit"));
    }
}
