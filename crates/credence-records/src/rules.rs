//! The data-quality rules (DATA-7), one stable code each, grouped in five levels.
//!
//! Codes are shown in reports and rejects files and never reused for another condition.

/// The five validation levels, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Completeness,
    Format,
    Consistency,
    Outlier,
    Duplicate,
}

/// Errors reject the row (and by default the file); warnings are reported and never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// A data-quality rule: the condition it flags, named and coded.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! rules {
    ($( $ident:ident = ($code:literal, $name:literal, $level:ident, $sev:ident, $summary:literal); )+) => {
        $( pub static $ident: Rule = Rule {
            code: $code, name: $name, level: Level::$level, severity: Severity::$sev, summary: $summary,
        }; )+
        /// Every rule, in code order.
        pub static ALL: &[&Rule] = &[ $( &$ident ),+ ];
    };
}

rules! {
    REQUIRED_COLUMN_MISSING = ("C01", "RequiredColumnMissing", Completeness, Error, "A required column is not in the header row");
    REQUIRED_VALUE_MISSING = ("C02", "RequiredValueMissing", Completeness, Error, "A required cell is empty");
    DEPENDENT_VALUE_MISSING = ("C03", "DependentValueMissing", Completeness, Error, "A cell that another cell makes necessary is empty (currency of an amount, registration code of a company, share of a holding, amount of a guarantee)");
    DATE_UNREADABLE = ("F01", "DateUnreadable", Format, Error, "Not a date in a recognised format (2026-09-30, 2026/9/30, 20260930, 2026年9月30日)");
    AMOUNT_UNREADABLE = ("F02", "AmountUnreadable", Format, Error, "Not an amount, or more decimals than the currency has");
    CURRENCY_UNKNOWN = ("F03", "CurrencyUnknown", Format, Error, "Not an ISO 4217 currency code or a known currency name");
    USCC_INVALID = ("F04", "UsccInvalid", Format, Error, "Not a unified social credit code: wrong length, forbidden character or wrong check character (GB 32100-2015)");
    CODE_NOT_IN_LIST = ("F05", "CodeNotInList", Format, Error, "Not one of the allowed codes or names");
    NUMBER_UNREADABLE = ("F06", "NumberUnreadable", Format, Error, "Not a number, or not a whole number where one is needed");
    TEXT_TOO_LONG = ("F07", "TextTooLong", Format, Error, "Longer than the column allows, or an identifier with line breaks");
    UNKNOWN_COLUMN = ("F08", "UnknownColumn", Format, Warning, "A header that is not a column of this kind; the column is ignored");
    DUPLICATE_COLUMN = ("F09", "DuplicateColumn", Format, Error, "Two header cells name the same column");
    BOOLEAN_UNREADABLE = ("F10", "BooleanUnreadable", Format, Error, "Not a yes/no value (1/0, true/false, 是/否)");
    BALANCE_SHEET_UNBALANCED = ("L01", "BalanceSheetUnbalanced", Consistency, Error, "Total assets differ from liabilities plus equity by more than the tolerance");
    PART_EXCEEDS_TOTAL = ("L02", "PartExceedsTotal", Consistency, Error, "A component exceeds its total (current assets > total assets, cash > current assets, current liabilities > total liabilities)");
    DUE_BEFORE_ISSUE = ("L03", "DueBeforeIssue", Consistency, Error, "Due date is before the issue date");
    PAYMENT_BEFORE_INVOICE = ("L04", "PaymentBeforeInvoice", Consistency, Error, "Payment or credit note dated before the invoice or bill it applies to");
    PERCENT_OUT_OF_RANGE = ("L05", "PercentOutOfRange", Consistency, Error, "A percentage outside 0–100 (shareholding, voting rights, utilisation)");
    UNKNOWN_CUSTOMER = ("L06", "UnknownCustomer", Consistency, Error, "The customer is not in the store; import customers first");
    UNKNOWN_INVOICE = ("L07", "UnknownInvoice", Consistency, Error, "The invoice is not in the store; import invoices first");
    INVOICE_OF_OTHER_CUSTOMER = ("L08", "InvoiceOfOtherCustomer", Consistency, Error, "The invoice belongs to a different customer");
    CURRENCY_DIFFERS_FROM_INVOICE = ("L09", "CurrencyDiffersFromInvoice", Consistency, Error, "Payment or credit note in another currency than its invoice or bill");
    APPLIED_EXCEEDS_INVOICE = ("L10", "AppliedExceedsInvoice", Consistency, Error, "Payments and credit notes applied to an invoice exceed its amount");
    AMOUNT_NOT_POSITIVE = ("L11", "AmountNotPositive", Consistency, Error, "An invoice, payment, credit note, order or milestone amount is zero or negative");
    SELF_RELATION = ("L12", "SelfRelation", Consistency, Error, "A relationship from a party to itself");
    END_BEFORE_START = ("L13", "EndBeforeStart", Consistency, Error, "An end or later date is before its start date");
    DATE_IN_FUTURE = ("L14", "DateInFuture", Consistency, Error, "A date that has to be in the past is after the import date");
    VALUE_OUT_OF_RANGE = ("L15", "ValueOutOfRange", Consistency, Error, "A value outside its meaningful range (sentiment −1…1, negative headcount or balance)");
    OUTSIDE_DATA_SCOPE = ("L16", "OutsideDataScope", Consistency, Error, "The row would write a record of a customer outside the importing user's data scope: the stored record it replaces belongs to one, it names one, it places a customer outside the scope, or it links a party outside it");
    UNKNOWN_ACCOUNT = ("L17", "UnknownAccount", Consistency, Error, "The billing account is not in the store; import accounts first");
    UNKNOWN_BILL = ("L18", "UnknownBill", Consistency, Error, "The bill is not in the store; import bills first");
    BILL_OF_OTHER_ACCOUNT = ("L19", "BillOfOtherAccount", Consistency, Error, "The bill belongs to a different account");
    OUTLIER_OWN_HISTORY = ("O01", "OutlierAgainstOwnHistory", Outlier, Warning, "Far from the customer's own history (robust z-score)");
    OUTLIER_INDUSTRY = ("O02", "OutlierAgainstIndustry", Outlier, Warning, "Far from the customer's industry peers in the same period (robust z-score)");
    DUPLICATE_KEY_IN_FILE = ("D01", "DuplicateKeyInFile", Duplicate, Error, "The same natural key appears on an earlier row of the file");
    SHARED_REGISTRATION_CODE = ("D02", "SharedRegistrationCode", Duplicate, Warning, "Another customer in the file has the same unified social credit code");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_their_level() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "{} twice", rule.code);
            let prefix = match rule.level {
                Level::Completeness => 'C',
                Level::Format => 'F',
                Level::Consistency => 'L',
                Level::Outlier => 'O',
                Level::Duplicate => 'D',
            };
            assert!(rule.code.starts_with(prefix), "{}", rule.code);
        }
    }
}
