//! Model files that load, and the exact message for each kind of mistake: positions are
//! `line:column` in the file, the column counting characters.

use credence_rating::{BUILTIN_MODEL, ScorecardModel};

use crate::fixtures::*;

/// Loads `SMALL` with the first `from` replaced by `to` and checks the full error text.
fn check(from: &str, to: &str, expected: &str) {
    assert!(SMALL.contains(from), "fixture lacks {from:?}");
    let text = SMALL.replacen(from, to, 1);
    match ScorecardModel::from_toml(&text, "test.toml", KNOWN) {
        Ok(_) => panic!("{from:?} → {to:?} loaded"),
        Err(e) => assert_eq!(e.to_string(), expected, "{from:?} → {to:?}"),
    }
}

#[test]
fn shipped_model_loads_against_the_catalogue() {
    let m = builtin();
    assert_eq!(m.version(), "2026-Q4-V1.2");
    let ids = m.indicator_ids();
    assert!(ids.iter().all(|id| KNOWN.contains(id)));
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    assert_eq!(ScorecardModel::builtin().indicator_ids(), ids);
}

/// The indicator catalogue's own ids: the shipped model uses only those.
#[test]
fn shipped_model_matches_the_indicator_catalogue() {
    let catalogue = credence_indicators::Catalogue::builtin();
    let ids: Vec<&str> = catalogue.indicators().iter().map(|d| d.id.as_str()).collect();
    ScorecardModel::from_toml(BUILTIN_MODEL, "expert.toml", &ids).unwrap_or_else(|e| panic!("{e}"));
}

/// A catalogue without `revenue_cagr_3y` and `staff_turnover` rejects the shipped file at
/// both curves and at knock-out K03's condition.
#[test]
fn shipped_model_names_unknown_ids_where_they_are() {
    let known: Vec<&str> =
        KNOWN.iter().copied().filter(|id| *id != "revenue_cagr_3y" && *id != "staff_turnover").collect();
    let err = ScorecardModel::from_toml(BUILTIN_MODEL, "expert.toml", &known).unwrap_err();
    let lines =
        |needle: &str| BUILTIN_MODEL.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or(0);
    let (curve, staff, k03) = (
        lines("[indicators.revenue_cagr_3y]"),
        lines("[indicators.staff_turnover]"),
        lines("when = \"revenue_cagr_3y"),
    );
    assert_eq!(
        err.to_string(),
        format!(
            "expert.toml:{curve}:13: unknown indicator `revenue_cagr_3y`: not in the indicator catalogue\n\
             expert.toml:{staff}:13: unknown indicator `staff_turnover`: not in the indicator catalogue\n\
             expert.toml:{k03}:9: unknown indicator `revenue_cagr_3y`: not in the indicator catalogue"
        )
    );
}

#[test]
fn toml_syntax_and_type_errors() {
    check(
        "neutral_points = 50",
        "neutral_points = ",
        "test.toml:7:18: string values must be quoted, expected literal string",
    );
    check(
        "policy = \"redistribute\"",
        "policy = \"spread\"",
        "test.toml:6:10: unknown variant `spread`, expected `redistribute` or `neutral`",
    );
    check(
        "unit = \"ratio\"",
        "unit = \"ratio\"\nwieght = 1",
        "test.toml:33:1: unknown field `wieght`, expected one of `name_zh`, `name_en`, `unit`, `direction`, `points`, `bands`",
    );
    check(
        "version = \"2026-Q4-V0.1\"",
        "version = \"v1\"",
        "test.toml:1:12: version `v1` is not named like 2026-Q4-V1.0",
    );
}

#[test]
fn curve_errors() {
    check(
        "points = [[1.0, 0], [2.0, 100]]",
        "points = [[1.0, 0], [1.0, 100]]",
        "test.toml:34:21: indicator `current_ratio`: x values must rise strictly (1 then 1)",
    );
    check(
        "points = [[1.0, 0], [2.0, 100]]",
        "points = [[1.0, 100], [2.0, 0]]",
        "test.toml:34:23: indicator `current_ratio` is higher_better, so its points may not fall (100 then 0)",
    );
    check(
        "{ from = 50, to = 70, points = 60 }",
        "{ from = 55, to = 70, points = 60 }",
        "test.toml:43:3: indicator `debt_to_asset`: gap between bands: 50 to 55 is not covered",
    );
    check(
        "{ from = 70, points = 20 }",
        "{ from = 60, points = 20 }",
        "test.toml:44:3: indicator `debt_to_asset`: bands overlap: this band starts at 60, the previous ends at 70",
    );
    check(
        "points = [[0, 0], [10, 100]]",
        "points = [[0, 0], [10, 120]]",
        "test.toml:52:19: indicator `payment_timeliness_score`: points must be within 0–100, found 120",
    );
    check(
        "[indicators.overseas_revenue_share]",
        "[indicators.overseas_revenue]",
        "test.toml:54:13: unknown indicator `overseas_revenue`: not in the indicator catalogue",
    );
}

#[test]
fn sub_model_errors() {
    check(
        "debt_to_asset = 0.5\n",
        "debt_to_asset = 0.4\n",
        "test.toml:67:1: weights of dimension `financial` sum to 0.9 instead of 1",
    );
    check(
        "character = 0.25",
        "charisma = 0.25",
        "test.toml:73:1: `charisma` has no scoring curve under [indicators] and is not a qualitative factor",
    );
    check(
        "industries = [\"C\"]",
        "industries = [\"Manufacturing\"]",
        "test.toml:86:16: `Manufacturing` is not an industry section code (expected A|B|C|D|E|F|G|H|I|J|K|L|M|N|O|P|Q|R|S|T)",
    );
    check(
        "sub_industries = [\"C34\"]",
        "industries = [\"C\"]",
        "test.toml:92:7: sub-models `manufacturing` and `machinery` are equally specific and can select the same customer",
    );
    check(
        "dimension_weights = { financial = 0.4, operations = 0.6 }",
        "dimension_weights = { financial = 1.0 }",
        "test.toml:65:21: dimension weights of sub-model `general` lack dimension `operations`",
    );
}

#[test]
fn calibration_scale_and_knockout_errors() {
    check(
        "[75, 0.025]",
        "[75, 0.007]",
        "test.toml:101:38: PD must rise as the score falls: score 85 has PD 0.008, score 75 has 0.007",
    );
    check(
        "pd_from = 0.02\npd_to = 0.1",
        "pd_from = 0.03\npd_to = 0.1",
        "test.toml:110:1: gap between grades AAA and A: AAA ends at PD 0.02, A starts at 0.03",
    );
    check(
        "score_from = 60\nscore_to = 80",
        "score_from = 60\nscore_to = 85",
        "test.toml:131:1: overlap between grades AAA and A: AAA starts at score 80, A ends at 85",
    );
    check(
        "when = \"payment_timeliness_score <= 5\"",
        "when = \"payment_timeliness_score <= \"",
        "test.toml:150:37: condition ends where a number was expected",
    );
    check(
        "when = \"payment_timeliness_score <= 5\"",
        "when = \"payment_timelines <= 5 or flag(vip)\"",
        "test.toml:150:9: unknown indicator `payment_timelines`: not in the indicator catalogue\n\
         test.toml:150:40: unknown flag `vip` (declared: key_documents_missing)",
    );
    check(
        "letter_grade_at_best = \"C\"",
        "letter_grade_at_best = \"D\"",
        "test.toml:151:25: grade `D` is not on the scale (AAA, A, C)",
    );
}
