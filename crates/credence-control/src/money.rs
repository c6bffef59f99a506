//! Amounts in messages and in serialized output.
//!
//! Every amount is `i64` minor units of one currency. The domain's `Money` and `Currency`
//! are not serde types, so results carry them through the helpers here: a currency
//! serializes as its code, money as `{ "minor": 1240000, "currency": "CNY" }`.

use credence_domain::{Currency, Money, MoneyFormat};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount with thousands separators and the currency's decimals: `12,400.00`.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).format(MoneyFormat::AMOUNT)
}

/// An amount with its currency code: `12,400.00 CNY`.
pub fn format_money(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).format(MoneyFormat::WITH_CODE)
}

/// Minor units of a whole amount written in major units (a cap of `5_000_000` yuan).
pub(crate) fn minor_of_major(major: i64, currency: Currency) -> Option<i64> {
    major.checked_mul(10_i64.pow(u32::from(currency.exponent())))
}

pub(crate) mod currency {
    use super::*;

    pub fn serialize<S: Serializer>(c: &Currency, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(c.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[derive(Serialize)]
struct MoneyWire<'a> {
    minor: i64,
    currency: std::borrow::Cow<'a, str>,
}

pub(crate) mod money_field {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        MoneyWire { minor: m.minor, currency: m.currency.code().into() }.serialize(s)
    }
}

pub(crate) mod money_field_opt {
    use super::*;

    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => MoneyWire { minor: m.minor, currency: m.currency.code().into() }.serialize(s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_with_separators() {
        assert_eq!(format_amount(1_240_000, Currency::CNY), "12,400.00");
        assert_eq!(format_amount(-99, Currency::CNY), "-0.99");
        assert_eq!(format_amount(100_000_000_000, Currency::USD), "1,000,000,000.00");
        assert_eq!(format_amount(123_456, Currency::parse("JPY").unwrap()), "123,456");
        assert_eq!(format_money(50, Currency::CNY), "0.50 CNY");
    }
}
