//! The three-colour warning level of a customer.

use crate::Labelled;

crate::labelled_enum! {
    /// The three-colour warning level of a customer, mildest first: green (routine
    /// monitoring), yellow (tracking) and red (stop-loss).
    pub enum Level {
        Green = ("green", "绿色", "Green", "绿"),
        Yellow = ("yellow", "黄色", "Yellow", "黄"),
        Red = ("red", "红色", "Red", "红"),
    }
}

impl Level {
    /// Every level, mildest first.
    pub const ALL: [Level; 3] = [Level::Green, Level::Yellow, Level::Red];

    /// The stored code: `green`, `yellow`, `red`.
    pub fn code(self) -> &'static str {
        Labelled::code(&self)
    }

    /// Reads a stored code exactly; [`Labelled::parse_label`] also accepts names.
    pub fn parse(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        Labelled::name_zh(&self)
    }

    pub fn name_en(self) -> &'static str {
        Labelled::name_en(&self)
    }

    /// What the level sets in motion.
    pub fn response_en(self) -> &'static str {
        match self {
            Level::Green => "routine monitoring",
            Level::Yellow => "dynamic tracking and a remediation plan from the customer",
            Level::Red => "stop-loss plan (freeze credit, legal action) started within 24 hours",
        }
    }

    pub fn response_zh(self) -> &'static str {
        match self {
            Level::Green => "纳入常态监测",
            Level::Yellow => "动态跟踪，督导整改，要求客户提交风险缓释方案",
            Level::Red => "24小时内启动止损预案（冻结授信、启动法律程序）",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_read_back() {
        assert_eq!(Level::parse("yellow"), Some(Level::Yellow));
        assert_eq!(Level::parse("黄"), None);
        assert_eq!(Level::parse_label("黄"), Some(Level::Yellow));
        assert!(Level::Green < Level::Red);
        assert_eq!(Level::Red.to_string(), "red");
    }
}
