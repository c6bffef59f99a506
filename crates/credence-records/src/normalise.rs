//! Format standardisation (level 2): one text cell to one typed value.
//!
//! Full-width characters (１２３，ＡＢＣ), thousand separators, currency symbols,
//! accounting negatives `(1,234.00)` and the date spellings of Chinese and international
//! ERPs all arrive at one canonical form.

use crate::rules::{self, Rule};
use crate::schema::FieldType;
use crate::value::Value;
use credence_domain::{Currency, Uscc, minor_units_from_decimal};
use unicode_normalization::UnicodeNormalization;

/// A cell that could not be read, with the rule it breaks and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatError {
    pub rule: &'static Rule,
    pub message: String,
}

fn err(rule: &'static Rule, message: impl Into<String>) -> FormatError {
    FormatError { rule, message: message.into() }
}

/// Trims a cell (including the ideographic space U+3000).
pub fn clean(cell: &str) -> String {
    cell.trim().to_owned()
}

/// NFKC-folds non-ASCII text: full-width digits, letters and punctuation become ASCII.
/// Applied to everything but free text, whose full-width punctuation (company names with
/// （） brackets) is kept as written.
pub fn fold_width(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() { text.into() } else { text.nfkc().collect::<String>().trim().to_owned().into() }
}

/// Reads one non-empty, cleaned cell as the field type. `currency_exponent` is the number
/// of decimals of the record's currency, for money columns.
pub fn normalise(text: &str, ty: FieldType, currency_exponent: u8) -> Result<Value, FormatError> {
    let folded = match ty {
        FieldType::Text { .. } => std::borrow::Cow::Borrowed(text),
        _ => fold_width(text),
    };
    let text = folded.as_ref();
    match ty {
        FieldType::Text { max_chars } => {
            let n = text.chars().count();
            if n > max_chars {
                return Err(err(
                    &rules::TEXT_TOO_LONG,
                    format!("{n} characters, at most {max_chars} allowed"),
                ));
            }
            Ok(Value::Text(text.to_owned()))
        }
        FieldType::Id => {
            if text.chars().count() > 64 || text.chars().any(char::is_control) {
                return Err(err(&rules::TEXT_TOO_LONG, "identifiers are at most 64 characters on one line"));
            }
            Ok(Value::Text(text.to_owned()))
        }
        FieldType::Date => parse_date(text).map(|d| Value::Text(d.to_string())).ok_or_else(|| {
            err(
                &rules::DATE_UNREADABLE,
                "expected a date such as 2026-09-30, 2026/9/30, 20260930 or 2026年9月30日",
            )
        }),
        FieldType::DateTime => parse_date_time(text)
            .map(|t| Value::Text(t.format("%Y-%m-%d %H:%M").to_string()))
            .ok_or_else(|| {
                err(
                    &rules::DATE_UNREADABLE,
                    "expected a date and time such as 2026-09-30 14:05, 2026/9/30 14:05 or 2026-09-30T14:05:00",
                )
            }),
        FieldType::Money { .. } => parse_amount(text, currency_exponent).map(Value::Int),
        FieldType::Currency => Currency::parse(text)
            .map(|c| Value::Text(c.code().to_owned()))
            .map_err(|e| err(&rules::CURRENCY_UNKNOWN, e.to_string())),
        FieldType::Number => parse_number(text).map(Value::Real),
        FieldType::Percent => parse_number(text.strip_suffix('%').unwrap_or(text).trim()).map(Value::Real),
        FieldType::Integer => {
            let x = parse_number(text)?;
            if x.fract() != 0.0 || x.abs() > 9.0e15 {
                return Err(err(&rules::NUMBER_UNREADABLE, "expected a whole number"));
            }
            Ok(Value::Int(x as i64))
        }
        FieldType::Bool => parse_bool(text)
            .map(|b| Value::Int(i64::from(b)))
            .ok_or_else(|| err(&rules::BOOLEAN_UNREADABLE, "expected 1/0, true/false, yes/no or 是/否")),
        FieldType::Uscc => {
            let code: String =
                text.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_ascii_uppercase();
            Uscc::parse(&code)
                .map(|u| Value::Text(u.as_str().to_owned()))
                .map_err(|e| err(&rules::USCC_INVALID, e.to_string()))
        }
        FieldType::Label(set) => set
            .parse(text)
            .map(|code| Value::Text(code.to_owned()))
            .ok_or_else(|| err(&rules::CODE_NOT_IN_LIST, format!("expected one of {}", set.codes_joined()))),
    }
}

/// Reads the date spellings ERPs write. Day-first and month-first numeric forms
/// (`03/04/2026`) are ambiguous and refused.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    use chrono::NaiveDate;
    // Drop a time part: "2026-09-30 00:00:00", "2026-09-30T00:00:00".
    let date_part = text.split([' ', 'T']).next().unwrap_or(text);
    let t = date_part.trim_end_matches('日');
    let t = t.replace(['年', '月', '/', '.'], "-");
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&t, "%Y%m%d").ok();
    }
    let mut parts = t.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Reads a date and a time of day to the minute (seconds are dropped): the date in any
/// spelling [`parse_date`] reads, then a space or `T`, then `H:MM` or `HH:MM[:SS]`.
pub fn parse_date_time(text: &str) -> Option<chrono::NaiveDateTime> {
    let t = text.trim();
    let cut = t.rfind([' ', 'T'])?;
    let (date, time) = (&t[..cut], t[cut + 1..].trim());
    let date = parse_date(date.trim())?;
    let mut parts = time.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let s = parts.next();
    if parts.next().is_some() || !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    if let Some(s) = s
        && (s.len() < 2 || !s[..2].bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)?;
    Some(date.and_time(time))
}

/// Strips what people put around numbers: thousand separators, currency marks, spaces.
fn strip_number_decorations(text: &str) -> (bool, String) {
    let mut t = text.trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        negative = true;
        t = inner;
    }
    let mut out = String::with_capacity(t.len());
    for ch in t.chars() {
        match ch {
            ',' | ' ' | '\'' | '_' | '¥' | '$' | '€' | '£' | '元' => {}
            c => out.push(c),
        }
    }
    for code in ["CNY", "RMB", "USD", "HK", "US"] {
        if let Some(s) = out.strip_prefix(code) {
            out = s.to_owned();
        }
    }
    (negative, out)
}

fn parse_amount(text: &str, exponent: u8) -> Result<i64, FormatError> {
    let (negative, t) = strip_number_decorations(text);
    let minor = if t.contains(['e', 'E']) {
        // Spreadsheets write large numbers as 1.2345E+07 in CSV exports.
        let x: f64 = t
            .parse()
            .map_err(|_| err(&rules::AMOUNT_UNREADABLE, "expected an amount such as 1,234,567.89"))?;
        let scaled = x * 10_f64.powi(i32::from(exponent));
        if !scaled.is_finite() || scaled.abs() > 9.0e15 || (scaled - scaled.round()).abs() > 1e-6 {
            return Err(err(
                &rules::AMOUNT_UNREADABLE,
                "amount in scientific notation is out of range or too precise",
            ));
        }
        scaled.round() as i64
    } else {
        minor_units_from_decimal(&t, exponent).map_err(|e| err(&rules::AMOUNT_UNREADABLE, e.to_string()))?
    };
    Ok(if negative { -minor } else { minor })
}

fn parse_number(text: &str) -> Result<f64, FormatError> {
    let (negative, t) = strip_number_decorations(text);
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(if negative { -x } else { x }),
        _ => Err(err(&rules::NUMBER_UNREADABLE, "expected a number")),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "t" | "是" | "已审计" | "√" => Some(true),
        "0" | "false" | "no" | "n" | "f" | "否" | "未审计" | "×" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::LabelSet;

    fn check(text: &str, ty: FieldType, expected: Result<Value, &str>) {
        let got = normalise(&clean(text), ty, 2);
        match expected {
            Ok(v) => assert_eq!(got, Ok(v), "{text}"),
            Err(code) => assert_eq!(got.map_err(|e| e.rule.code), Err(code), "{text}"),
        }
    }
    const MONEY: FieldType = FieldType::Money { currency: "currency" };

    #[test]
    fn dates() {
        for text in [
            "2026-09-30",
            "2026/9/30",
            "20260930",
            "2026年9月30日",
            "2026.09.30",
            "2026-09-30 00:00:00",
            "２０２６－０９－３０",
        ] {
            check(text, FieldType::Date, Ok(Value::Text("2026-09-30".into())));
        }
        for text in ["30/09/2026", "2026-02-30", "yesterday", "26-9-30"] {
            check(text, FieldType::Date, Err("F01"));
        }
    }

    #[test]
    fn date_times_to_the_minute() {
        for text in [
            "2026-09-30 14:05",
            "2026/9/30 14:05",
            "2026-09-30T14:05:00",
            "2026年9月30日 14:05:59",
            "20260930 14:05",
            "２０２６－０９－３０ １４：０５",
        ] {
            check(text, FieldType::DateTime, Ok(Value::Text("2026-09-30 14:05".into())));
        }
        check("2026-09-30 9:05", FieldType::DateTime, Ok(Value::Text("2026-09-30 09:05".into())));
        for text in
            ["2026-09-30", "2026-09-30 25:00", "2026-09-30 14:5", "2026-09-30 14:05:xx", "30/09/2026 14:05"]
        {
            check(text, FieldType::DateTime, Err("F01"));
        }
    }

    #[test]
    fn amounts() {
        check("1,234,567.89", MONEY, Ok(Value::Int(123_456_789)));
        check("¥1,234.5", MONEY, Ok(Value::Int(123_450)));
        check("(1,000.00)", MONEY, Ok(Value::Int(-100_000)));
        check("１２３，４５６．７８", MONEY, Ok(Value::Int(12_345_678)));
        check("1.2345E+07", MONEY, Ok(Value::Int(1_234_500_000)));
        check("CNY 88", MONEY, Ok(Value::Int(8800)));
        check("12.345", MONEY, Err("F02"));
        check("abc", MONEY, Err("F02"));
    }

    #[test]
    fn codes_currencies_and_registration() {
        check("人民币", FieldType::Currency, Ok(Value::Text("CNY".into())));
        check("ABC", FieldType::Currency, Err("F03"));
        check(
            "９１３５０１００Ｍ０００１００Ｙ４３",
            FieldType::Uscc,
            Ok(Value::Text("91350100M000100Y43".into())),
        );
        check("91350100m000100y43", FieldType::Uscc, Ok(Value::Text("91350100M000100Y43".into())));
        check("91350100M000100Y44", FieldType::Uscc, Err("F04"));
        check("制造业", FieldType::Label(LabelSet::Industry), Ok(Value::Text("C".into())));
        check("Z9", FieldType::Label(LabelSet::Industry), Err("F05"));
    }

    #[test]
    fn free_text_keeps_full_width_punctuation() {
        check(
            " 福州（马尾）机械有限公司 ",
            FieldType::Text { max_chars: 200 },
            Ok(Value::Text("福州（马尾）机械有限公司".into())),
        );
        check("Ｃ０１", FieldType::Id, Ok(Value::Text("C01".into())));
    }

    #[test]
    fn numbers_booleans_and_text() {
        check("51%", FieldType::Percent, Ok(Value::Real(51.0)));
        check("1,200", FieldType::Integer, Ok(Value::Int(1200)));
        check("12.5", FieldType::Integer, Err("F06"));
        check("-0.6", FieldType::Number, Ok(Value::Real(-0.6)));
        check("n/a", FieldType::Number, Err("F06"));
        check("是", FieldType::Bool, Ok(Value::Int(1)));
        check("maybe", FieldType::Bool, Err("F10"));
        check(&"x".repeat(201), FieldType::Text { max_chars: 200 }, Err("F07"));
        check("A\u{7}B", FieldType::Id, Err("F07"));
    }
}
