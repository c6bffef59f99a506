//! Money in integer minor units with an ISO 4217 currency.
//!
//! Amounts in the ledger and in statements are `i64` minor units (fen for CNY, cents for
//! USD): exact, fast to sum, and the same in SQLite and PostgreSQL. Analytics convert to
//! `f64` at their edge.

use std::fmt;

use crate::Lang;

/// An ISO 4217 currency this system knows the minor unit of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Currencies with their number of minor-unit digits (ISO 4217). The list is the trading
/// currencies of Chinese exporters and importers; others can be added here.
const CURRENCIES: &[(&str, u8)] = &[
    ("CNY", 2),
    ("USD", 2),
    ("EUR", 2),
    ("HKD", 2),
    ("JPY", 0),
    ("GBP", 2),
    ("KRW", 0),
    ("SGD", 2),
    ("TWD", 2),
    ("MOP", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("RUB", 2),
    ("INR", 2),
    ("THB", 2),
    ("MYR", 2),
    ("VND", 0),
    ("IDR", 2),
    ("PHP", 2),
    ("NZD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("BRL", 2),
    ("ZAR", 2),
    ("AED", 2),
    ("SAR", 2),
    ("KZT", 2),
    ("PKR", 2),
    ("TRY", 2),
    ("MXN", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
];

/// Names and symbols that Chinese and international ERPs write instead of the code.
const CURRENCY_ALIASES: &[(&str, &str)] = &[
    ("RMB", "CNY"),
    ("人民币", "CNY"),
    ("元", "CNY"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("美元", "USD"),
    ("US$", "USD"),
    ("$", "USD"),
    ("欧元", "EUR"),
    ("€", "EUR"),
    ("港币", "HKD"),
    ("港元", "HKD"),
    ("HK$", "HKD"),
    ("日元", "JPY"),
    ("英镑", "GBP"),
    ("£", "GBP"),
    ("韩元", "KRW"),
    ("新加坡元", "SGD"),
    ("新台币", "TWD"),
    ("澳门元", "MOP"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("'{0}' is not a known ISO 4217 currency code")]
    Unknown(String),
}

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a code (`cny`, `CNY`) or a common name or symbol (`人民币`, `RMB`, `¥`).
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        let code = CURRENCY_ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(t))
            .map(|(_, code)| *code)
            .unwrap_or(upper.as_str());
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Currency(c.as_bytes().try_into().expect("three letters")))
            .ok_or_else(|| CurrencyError::Unknown(t.to_owned()))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }

    /// Number of decimal digits of the minor unit (2 for CNY, 0 for JPY).
    pub fn exponent(&self) -> u8 {
        CURRENCIES
            .iter()
            .find(|(c, _)| c.as_bytes() == self.0)
            .map(|(_, e)| *e)
            .expect("constructed only from the table")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a decimal text is not an amount in a currency's minor units.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{text}' has more than {exponent} decimal places")]
    TooPrecise { text: String, exponent: u8 },
    #[error("'{0}' is too large")]
    Overflow(String),
}

/// Converts a plain decimal text (`-1234.5`, no separators) to minor units with the given
/// number of decimals, exactly: `"1234.5"` with exponent 2 is `123450`. Trailing zeros
/// beyond the exponent are accepted; other extra digits are an error rather than a silent
/// rounding.
pub fn minor_units_from_decimal(text: &str, exponent: u8) -> Result<i64, AmountError> {
    let nan = || AmountError::NotANumber(text.to_owned());
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(nan());
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(nan());
    }
    let exp = exponent as usize;
    let (kept, dropped) = frac_part.split_at(frac_part.len().min(exp));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(AmountError::TooPrecise { text: text.to_owned(), exponent });
    }
    let overflow = || AmountError::Overflow(text.to_owned());
    let mut value: i64 = 0;
    for b in int_part.bytes().chain(kept.bytes()).chain(std::iter::repeat_n(b'0', exp - kept.len())) {
        value =
            value.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0'))).ok_or_else(overflow)?;
    }
    Ok(if negative { -value } else { value })
}

/// Formats minor units as a plain decimal text with the currency's number of decimals.
pub fn decimal_from_minor_units(minor: i64, exponent: u8) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(u32::from(exponent));
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale as u64, abs % scale as u64, width = exponent as usize)
}

/// An amount of money: integer minor units of one currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The amount in major units as `f64`, for analytics.
    pub fn to_major_f64(&self) -> f64 {
        self.minor as f64 / 10_f64.powi(i32::from(self.currency.exponent()))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", decimal_from_minor_units(self.minor, self.currency.exponent()), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// How the number of an amount is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Every digit, thousands separated, with the currency's decimals: `1,234,567.80`.
    Full,
    /// As [`Notation::Full`] but a fraction of zeros is left out: `5,000,000`, `1,234.50`.
    Whole,
    /// Rounded to a unit people read in the language, at most three significant digits
    /// before the unit: `1.23亿`, `456.7万` / `12.3m`, `4.5k`, `999.50`.
    Compact(Lang),
}

/// Where and how an amount shows its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencyMark {
    /// The number only.
    None,
    /// The code after the number: `12,400.00 CNY`.
    CodeAfter,
    /// `¥` for yuan, otherwise the code, before the number: `¥5,000,000`, `USD 1,234.50`.
    SignOrCodeBefore,
}

/// How an amount is written: its notation and its currency mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyFormat {
    pub notation: Notation,
    pub mark: CurrencyMark,
}

impl MoneyFormat {
    /// `12,400.00`
    pub const AMOUNT: MoneyFormat = MoneyFormat { notation: Notation::Full, mark: CurrencyMark::None };
    /// `12,400.00 CNY`
    pub const WITH_CODE: MoneyFormat =
        MoneyFormat { notation: Notation::Full, mark: CurrencyMark::CodeAfter };
    /// `¥5,000,000`, `USD 1,234.50`
    pub const SIGN: MoneyFormat =
        MoneyFormat { notation: Notation::Whole, mark: CurrencyMark::SignOrCodeBefore };

    /// `1.23亿` / `12.3m`, without currency.
    pub const fn compact(lang: Lang) -> MoneyFormat {
        MoneyFormat { notation: Notation::Compact(lang), mark: CurrencyMark::None }
    }
}

/// Digits with thousands separators: `1234567` → `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The number of an amount of `abs` minor units, without sign.
fn unsigned_number(abs: u64, exponent: u8, notation: Notation) -> String {
    let lang = match notation {
        Notation::Compact(lang) => lang,
        Notation::Full | Notation::Whole => {
            let scale = 10_u64.pow(u32::from(exponent));
            let whole = group_thousands(&(abs / scale).to_string());
            let frac = abs % scale;
            return if exponent == 0 || (notation == Notation::Whole && frac == 0) {
                whole
            } else {
                format!("{whole}.{frac:0width$}", width = usize::from(exponent))
            };
        }
    };
    let a = abs as f64 / 10_f64.powi(i32::from(exponent));
    let (scaled, unit) = match lang {
        Lang::Zh if a >= 1e8 => (a / 1e8, "亿"),
        Lang::Zh if a >= 1e4 => (a / 1e4, "万"),
        Lang::En if a >= 1e9 => (a / 1e9, "bn"),
        Lang::En if a >= 1e6 => (a / 1e6, "m"),
        Lang::En if a >= 1e3 => (a / 1e3, "k"),
        _ => (a, ""),
    };
    let digits = if unit.is_empty() {
        2
    } else if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{unit}")
}

/// An amount of minor units with `exponent` decimals in a notation, without currency.
pub fn format_minor_units(minor: i64, exponent: u8, notation: Notation) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}", unsigned_number(minor.unsigned_abs(), exponent, notation))
}

impl Money {
    /// The amount as people read it; every amount Credence prints goes through here.
    pub fn format(&self, format: MoneyFormat) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let number = unsigned_number(self.minor.unsigned_abs(), self.currency.exponent(), format.notation);
        match format.mark {
            CurrencyMark::None => format!("{sign}{number}"),
            CurrencyMark::CodeAfter => format!("{sign}{number} {}", self.currency),
            CurrencyMark::SignOrCodeBefore if self.currency == Currency::CNY => format!("{sign}¥{number}"),
            CurrencyMark::SignOrCodeBefore => format!("{sign}{} {number}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_names_and_symbols() {
        assert_eq!(Currency::parse("cny").unwrap(), Currency::CNY);
        assert_eq!(Currency::parse("人民币").unwrap(), Currency::CNY);
        assert_eq!(Currency::parse("￥").unwrap(), Currency::CNY);
        assert_eq!(Currency::parse("美元").unwrap(), Currency::USD);
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("XYZ"), Err(CurrencyError::Unknown("XYZ".into())));
    }

    #[test]
    fn decimals_to_minor_units_exactly() {
        assert_eq!(minor_units_from_decimal("1234.5", 2), Ok(123_450));
        assert_eq!(minor_units_from_decimal("-0.07", 2), Ok(-7));
        assert_eq!(minor_units_from_decimal("12.300", 2), Ok(1230));
        assert_eq!(minor_units_from_decimal("500", 0), Ok(500));
        assert_eq!(
            minor_units_from_decimal("1.234", 2),
            Err(AmountError::TooPrecise { text: "1.234".into(), exponent: 2 })
        );
        assert_eq!(minor_units_from_decimal("1e5", 2), Err(AmountError::NotANumber("1e5".into())));
        assert_eq!(minor_units_from_decimal(".", 2), Err(AmountError::NotANumber(".".into())));
        assert!(matches!(minor_units_from_decimal("99999999999999999999", 2), Err(AmountError::Overflow(_))));
    }

    #[test]
    fn minor_units_format_back() {
        assert_eq!(decimal_from_minor_units(123_450, 2), "1234.50");
        assert_eq!(decimal_from_minor_units(-7, 2), "-0.07");
        assert_eq!(decimal_from_minor_units(500, 0), "500");
        assert_eq!(Money::new(-123_456, Currency::CNY).to_string(), "-1234.56 CNY");
    }

    #[test]
    fn one_formatter_many_styles() {
        let m = |minor, c| Money::new(minor, c);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(m(1_240_000, Currency::CNY).format(MoneyFormat::AMOUNT), "12,400.00");
        assert_eq!(m(-99, Currency::CNY).format(MoneyFormat::AMOUNT), "-0.99");
        assert_eq!(m(123_456, jpy).format(MoneyFormat::AMOUNT), "123,456");
        assert_eq!(m(50, Currency::CNY).format(MoneyFormat::WITH_CODE), "0.50 CNY");
        assert_eq!(m(500_000_000, Currency::CNY).format(MoneyFormat::SIGN), "¥5,000,000");
        assert_eq!(m(-123_450, Currency::USD).format(MoneyFormat::SIGN), "-USD 1,234.50");
        assert_eq!(m(12_345_678_900, Currency::CNY).format(MoneyFormat::compact(Lang::Zh)), "1.23亿");
        assert_eq!(format_minor_units(-4_567_000, 2, Notation::Compact(Lang::Zh)), "-4.57万");
        assert_eq!(format_minor_units(1_234_500_000, 2, Notation::Compact(Lang::En)), "12.3m");
        assert_eq!(format_minor_units(99_950, 2, Notation::Compact(Lang::En)), "999.50");
        assert_eq!(format_minor_units(123_456_789, 2, Notation::Full), "1,234,567.89");
    }
}
