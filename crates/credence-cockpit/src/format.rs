//! Numbers as people read them in each language: amounts in compact form (万 and 亿 in
//! Chinese, k, m and bn in English) or in full, rates and PDs as percentages, durations
//! until a deadline.

use credence_domain::{Notation, format_minor_units, group_thousands};

use crate::{Lang, LangWords};

/// Digits with thousands separators.
fn grouped(whole: u64) -> String {
    group_thousands(&whole.to_string())
}

/// An amount in full with separators and its decimals: `1,234,567.89`.
pub fn money_full(minor: i64, exponent: u8) -> String {
    format_minor_units(minor, exponent, Notation::Full)
}

/// An amount in compact form: `1.23亿`, `456.7万` / `12.3m`, `4.5k`.
pub fn money(lang: Lang, minor: i64, exponent: u8) -> String {
    format_minor_units(minor, exponent, Notation::Compact(lang))
}

/// A share as a percentage with one decimal: `12.3%`; `—` when there is none.
pub fn percent(share: Option<f64>) -> String {
    share.filter(|s| s.is_finite()).map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

/// A probability as a percentage with two decimals: `2.35%`.
pub fn pd(p: Option<f64>) -> String {
    p.filter(|s| s.is_finite()).map_or_else(|| "—".to_owned(), |s| format!("{:.2}%", s * 100.0))
}

/// A plain number with up to two decimals, or `—`.
pub fn number(v: Option<f64>) -> String {
    match v.filter(|x| x.is_finite()) {
        None => "—".to_owned(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => grouped(x.abs() as u64).chars().fold(
            if x < 0.0 { "-".to_owned() } else { String::new() },
            |mut s, c| {
                s.push(c);
                s
            },
        ),
        Some(x) => format!("{x:.2}"),
    }
}

/// A whole count with separators.
pub fn count(n: u64) -> String {
    grouped(n)
}

/// Time until a deadline (negative: past it) in days, hours and minutes, with the words
/// that say which: `2d 4h left` / `剩余2天4小时`, `overdue by 3h 10m` / `已超时3小时10分`.
pub fn countdown(lang: Lang, seconds: i64) -> String {
    let m = seconds.unsigned_abs() / 60;
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    let span = match lang {
        Lang::En => match (d, h) {
            (0, 0) => format!("{min}m"),
            (0, _) => format!("{h}h {min}m"),
            _ => format!("{d}d {h}h"),
        },
        Lang::Zh => match (d, h) {
            (0, 0) => format!("{min}分"),
            (0, _) => format!("{h}小时{min}分"),
            _ => format!("{d}天{h}小时"),
        },
    };
    let w = lang.words();
    match (lang, seconds >= 0) {
        (Lang::En, true) => format!("{span} {}", w.time_left),
        (Lang::En, false) => format!("{} {span}", w.overdue_by),
        (Lang::Zh, true) => format!("{}{span}", w.time_left),
        (Lang::Zh, false) => format!("{}{span}", w.overdue_by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_both_languages() {
        // 123,456,789.00 yuan in fen.
        let fen = 12_345_678_900;
        assert_eq!(money_full(fen, 2), "123,456,789.00");
        assert_eq!(money_full(-5, 2), "-0.05");
        assert_eq!(money_full(1_000, 0), "1,000");
        assert_eq!(money(Lang::Zh, fen, 2), "1.23亿");
        assert_eq!(money(Lang::En, fen, 2), "123m");
        assert_eq!(money(Lang::Zh, 4_567_000, 2), "4.57万");
        assert_eq!(money(Lang::En, 4_567_000, 2), "45.7k");
        assert_eq!(money(Lang::En, 12_34, 2), "12.34");
        assert_eq!(money(Lang::En, 2_500_000_000_000, 2), "25.0bn");
    }

    #[test]
    fn rates_and_deadlines() {
        assert_eq!(percent(Some(0.1234)), "12.3%");
        assert_eq!(percent(None), "—");
        assert_eq!(pd(Some(0.02346)), "2.35%");
        assert_eq!(number(Some(1234.0)), "1,234");
        assert_eq!(number(Some(1.5)), "1.50");
        assert_eq!(countdown(Lang::En, 2 * 86_400 + 4 * 3_600 + 59), "2d 4h left");
        assert_eq!(countdown(Lang::En, -(3 * 3_600 + 10 * 60)), "overdue by 3h 10m");
        assert_eq!(countdown(Lang::Zh, -(3 * 3_600 + 10 * 60)), "已超时3小时10分");
        assert_eq!(countdown(Lang::Zh, 600), "剩余10分");
    }
}
