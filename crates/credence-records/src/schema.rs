//! The record kinds and their columns: one table per kind in the store, one template per
//! kind for import, the same headers for export.
//!
//! Column names are the English headers and the stored column names; every column also has
//! a Chinese header and aliases, because users export from Chinese ERPs.

use credence_domain::{
    CustomerType, EventKind, Industry, Labelled, MonitoringTier, OrderStatus, PeriodType, QualitativeFactor,
    RelationKind,
};

/// A kind of record that can be imported, stored and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Customers,
    Statements,
    Invoices,
    Payments,
    CreditNotes,
    Orders,
    Milestones,
    Events,
    Relationships,
    Assessments,
}

impl Kind {
    /// Every kind in load order: a kind only refers to kinds before it.
    pub const ALL: [Kind; 10] = [
        Kind::Customers,
        Kind::Statements,
        Kind::Invoices,
        Kind::Payments,
        Kind::CreditNotes,
        Kind::Orders,
        Kind::Milestones,
        Kind::Events,
        Kind::Relationships,
        Kind::Assessments,
    ];

    /// The command-line name and table name.
    pub fn code(self) -> &'static str {
        self.schema().table
    }

    pub fn parse(text: &str) -> Option<Kind> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        Kind::ALL.into_iter().find(|k| {
            let s = k.schema();
            s.table == t || s.name_zh == text.trim() || s.aliases.contains(&t.as_str())
        })
    }

    pub fn schema(self) -> &'static Schema {
        match self {
            Kind::Customers => &CUSTOMERS,
            Kind::Statements => &STATEMENTS,
            Kind::Invoices => &INVOICES,
            Kind::Payments => &PAYMENTS,
            Kind::CreditNotes => &CREDIT_NOTES,
            Kind::Orders => &ORDERS,
            Kind::Milestones => &MILESTONES,
            Kind::Events => &EVENTS,
            Kind::Relationships => &RELATIONSHIPS,
            Kind::Assessments => &ASSESSMENTS,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How a cell is read and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text up to a length in characters.
    Text { max_chars: usize },
    /// An identifier: trimmed, no inner line breaks, at most 64 characters.
    Id,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// An amount in the currency named by another column, stored in minor units.
    Money { currency: &'static str },
    /// An ISO 4217 currency, stored as its code.
    Currency,
    /// A real number, stored as `f64`.
    Number,
    /// A percentage 0–100 as written (`51`, `51%`), stored as the number of percent.
    Percent,
    /// A whole number.
    Integer,
    /// Yes/no (`1`, `true`, `是`, `Y`…), stored as 0 or 1.
    Bool,
    /// A unified social credit code (GB 32100-2015), stored upper case.
    Uscc,
    /// One of a closed list of codes, stored as the code.
    Label(LabelSet),
}

/// The closed vocabularies a [`FieldType::Label`] column can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSet {
    CustomerType,
    Industry,
    MonitoringTier,
    PeriodType,
    OrderStatus,
    EventKind,
    RelationKind,
    QualitativeFactor,
}

impl LabelSet {
    /// The stored code for an input label, if it is one of the set.
    pub fn parse(self, text: &str) -> Option<&'static str> {
        fn code<T: Labelled>(text: &str) -> Option<&'static str> {
            T::parse_label(text).map(|v| v.code())
        }
        match self {
            LabelSet::CustomerType => code::<CustomerType>(text),
            LabelSet::Industry => code::<Industry>(text),
            LabelSet::MonitoringTier => code::<MonitoringTier>(text),
            LabelSet::PeriodType => code::<PeriodType>(text),
            LabelSet::OrderStatus => code::<OrderStatus>(text),
            LabelSet::EventKind => code::<EventKind>(text),
            LabelSet::RelationKind => code::<RelationKind>(text),
            LabelSet::QualitativeFactor => code::<QualitativeFactor>(text),
        }
    }

    /// Every code with its Chinese and English names, for templates and messages.
    pub fn entries(self) -> Vec<(&'static str, &'static str, &'static str)> {
        fn all<T: Labelled>() -> Vec<(&'static str, &'static str, &'static str)> {
            T::ALL.iter().map(|v| (v.code(), v.name_zh(), v.name_en())).collect()
        }
        match self {
            LabelSet::CustomerType => all::<CustomerType>(),
            LabelSet::Industry => all::<Industry>(),
            LabelSet::MonitoringTier => all::<MonitoringTier>(),
            LabelSet::PeriodType => all::<PeriodType>(),
            LabelSet::OrderStatus => all::<OrderStatus>(),
            LabelSet::EventKind => all::<EventKind>(),
            LabelSet::RelationKind => all::<RelationKind>(),
            LabelSet::QualitativeFactor => all::<QualitativeFactor>(),
        }
    }

    pub fn codes_joined(self) -> String {
        self.entries().iter().map(|e| e.0).collect::<Vec<_>>().join("|")
    }
}

/// One column of a record kind.
#[derive(Debug)]
pub struct Field {
    /// Stored column name and English header.
    pub name: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// Further accepted headers (compared after normalisation, case-insensitively).
    pub aliases: &'static [&'static str],
    pub ty: FieldType,
    pub required: bool,
    /// What the column holds, for the template guide.
    pub doc: &'static str,
    /// An example value for the template guide.
    pub example: &'static str,
}

/// The columns of a record kind and its natural key.
#[derive(Debug)]
pub struct Schema {
    pub kind: Kind,
    pub table: &'static str,
    pub name_zh: &'static str,
    pub aliases: &'static [&'static str],
    pub fields: &'static [Field],
    /// Columns that identify a record: re-importing a row with the same key updates it.
    pub key: &'static [&'static str],
    /// The column naming the customer a record belongs to, if any.
    pub customer_column: Option<&'static str>,
}

impl Schema {
    pub fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Index of a column that is known to exist (a programming error otherwise).
    pub fn col(&self, name: &str) -> usize {
        self.index(name).unwrap_or_else(|| panic!("{} has no column {name}", self.table))
    }

    pub fn key_indices(&self) -> Vec<usize> {
        self.key.iter().map(|k| self.col(k)).collect()
    }
}

const fn f(
    name: &'static str,
    zh: &'static str,
    ty: FieldType,
    required: bool,
    doc: &'static str,
    example: &'static str,
) -> Field {
    Field { name, zh, aliases: &[], ty, required, doc, example }
}

const fn fa(
    name: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    ty: FieldType,
    required: bool,
    doc: &'static str,
    example: &'static str,
) -> Field {
    Field { name, zh, aliases, ty, required, doc, example }
}

use FieldType as T;
const TEXT: FieldType = T::Text { max_chars: 200 };
const LONG_TEXT: FieldType = T::Text { max_chars: 2000 };
const MONEY: FieldType = T::Money { currency: "currency" };

/// Statement items: every input the financial indicators need (IND-1, IND-6).
const STATEMENT_FIELDS: &[Field] = &[
    fa(
        "customer_id",
        "客户编号",
        &["客户代码", "customer"],
        T::Id,
        true,
        "Customer the statement belongs to",
        "C000123",
    ),
    fa(
        "period_end",
        "报告期末",
        &["报表日期", "期末日期", "period"],
        T::Date,
        true,
        "Last day of the reporting period",
        "2026-09-30",
    ),
    fa(
        "period_type",
        "报告期类型",
        &["期间类型"],
        T::Label(LabelSet::PeriodType),
        true,
        "Q (quarter), H (half year) or A (annual); flows cover this period, not year-to-date",
        "Q",
    ),
    fa(
        "audited",
        "是否审计",
        &["审计"],
        T::Bool,
        false,
        "Whether the statement is audited (1/0, 是/否)",
        "0",
    ),
    fa("currency", "币种", &["货币"], T::Currency, true, "Currency of every amount in the row", "CNY"),
    fa("cash", "货币资金", &["现金"], MONEY, true, "Cash and cash equivalents", "1200000.00"),
    f(
        "short_term_investments",
        "交易性金融资产",
        MONEY,
        false,
        "Short-term investments counted in the cash ratio",
        "0",
    ),
    fa(
        "accounts_receivable",
        "应收账款",
        &["receivables"],
        MONEY,
        true,
        "Trade receivables, net",
        "3400000.00",
    ),
    f("inventory", "存货", MONEY, true, "Inventories", "2100000.00"),
    f("current_assets", "流动资产合计", MONEY, true, "Total current assets", "7500000.00"),
    fa(
        "fixed_assets",
        "固定资产",
        &["固定资产净值"],
        MONEY,
        false,
        "Property, plant and equipment, net",
        "5200000.00",
    ),
    f("total_assets", "资产总计", MONEY, true, "Total assets", "14000000.00"),
    f("current_liabilities", "流动负债合计", MONEY, true, "Total current liabilities", "4100000.00"),
    f("total_liabilities", "负债合计", MONEY, true, "Total liabilities", "7700000.00"),
    fa("equity", "所有者权益合计", &["股东权益合计", "净资产"], MONEY, true, "Total equity", "6300000.00"),
    fa("revenue", "营业收入", &["sales", "营业总收入"], MONEY, true, "Revenue of the period", "6000000.00"),
    fa("cost_of_sales", "营业成本", &["cogs"], MONEY, true, "Cost of sales of the period", "4200000.00"),
    fa(
        "operating_expenses",
        "期间费用",
        &["opex"],
        MONEY,
        false,
        "Selling, general and administrative expenses of the period",
        "900000.00",
    ),
    fa(
        "rd_expense",
        "研发费用",
        &["r&d"],
        MONEY,
        false,
        "Research and development expense of the period",
        "180000.00",
    ),
    f("depreciation", "折旧", MONEY, false, "Depreciation of the period", "130000.00"),
    f("interest_expense", "利息费用", MONEY, false, "Interest expense of the period", "60000.00"),
    f("operating_profit", "营业利润", MONEY, false, "Operating profit of the period", "700000.00"),
    f("net_profit", "净利润", MONEY, true, "Net profit of the period", "520000.00"),
    fa(
        "operating_cash_flow",
        "经营活动现金流量净额",
        &["ocf"],
        MONEY,
        false,
        "Net cash from operating activities",
        "450000.00",
    ),
    f(
        "investing_cash_flow",
        "投资活动现金流量净额",
        MONEY,
        false,
        "Net cash from investing activities",
        "-200000.00",
    ),
    f(
        "financing_cash_flow",
        "筹资活动现金流量净额",
        MONEY,
        false,
        "Net cash from financing activities",
        "-100000.00",
    ),
    fa(
        "capex",
        "资本性支出",
        &["购建固定资产支付的现金"],
        MONEY,
        false,
        "Cash paid for fixed assets",
        "200000.00",
    ),
    fa("employees", "员工人数", &["职工人数"], T::Integer, false, "Headcount at period end", "180"),
    f("overseas_revenue", "海外收入", MONEY, false, "Revenue from outside the home market", "600000.00"),
    f(
        "new_product_revenue",
        "新产品收入",
        MONEY,
        false,
        "Revenue from products launched in the last three years",
        "1300000.00",
    ),
    f(
        "largest_customer_revenue",
        "第一大客户收入",
        MONEY,
        false,
        "Revenue from the largest customer",
        "1100000.00",
    ),
    fa(
        "market_share_pct",
        "市场占有率",
        &["市场份额"],
        T::Percent,
        false,
        "Share of the firm's market, percent",
        "6.5",
    ),
    fa(
        "capacity_utilisation_pct",
        "产能利用率",
        &["capacity_utilization_pct"],
        T::Percent,
        false,
        "Manufacturing: capacity utilisation, percent",
        "78",
    ),
    f(
        "raw_material_price_change_pct",
        "原材料价格波动率",
        T::Number,
        false,
        "Manufacturing: change of main raw-material price over the period, percent",
        "4.2",
    ),
    f(
        "staff_turnover_pct",
        "员工流失率",
        T::Percent,
        false,
        "Services: staff turnover over the period, percent",
        "12",
    ),
    f(
        "customer_retention_pct",
        "客户留存率",
        T::Percent,
        false,
        "Services: customers retained over the period, percent",
        "88",
    ),
    f(
        "land_reserve_years",
        "土储保障年限",
        T::Number,
        false,
        "Real estate: land reserve divided by annual sales area, years",
        "3.5",
    ),
];

pub static STATEMENTS: Schema = Schema {
    kind: Kind::Statements,
    table: "statements",
    name_zh: "财务报表",
    aliases: &["statement", "financials", "financial_statements"],
    fields: STATEMENT_FIELDS,
    key: &["customer_id", "period_end", "period_type"],
    customer_column: Some("customer_id"),
};

pub static CUSTOMERS: Schema = Schema {
    kind: Kind::Customers,
    table: "customers",
    name_zh: "客户",
    aliases: &["customer", "master"],
    fields: &[
        fa(
            "customer_id",
            "客户编号",
            &["客户代码", "id"],
            T::Id,
            true,
            "The customer's code in your ERP; the natural key",
            "C000123",
        ),
        fa(
            "name",
            "客户名称",
            &["名称", "企业名称", "customer_name"],
            TEXT,
            true,
            "Registered name",
            "福州闽江机械有限公司",
        ),
        fa(
            "uscc",
            "统一社会信用代码",
            &["信用代码", "social_credit_code"],
            T::Uscc,
            false,
            "Unified social credit code (GB 32100-2015); required for companies unless registration_no is given",
            "91350100M000100Y43",
        ),
        fa(
            "registration_no",
            "其他注册号",
            &["注册号", "registration_number"],
            T::Id,
            false,
            "Other registration number (foreign companies, old business licence)",
            "",
        ),
        fa(
            "customer_type",
            "客户类型",
            &["type", "类型"],
            T::Label(LabelSet::CustomerType),
            true,
            "large | sme | micro | government_platform | individual",
            "sme",
        ),
        fa(
            "industry",
            "行业门类",
            &["行业", "industry_section"],
            T::Label(LabelSet::Industry),
            true,
            "GB/T 4754-2017 section letter (A–T) or its name",
            "C",
        ),
        fa(
            "sub_industry",
            "细分行业",
            &["行业细分", "segment"],
            T::Id,
            false,
            "Finer industry code from your own list (e.g. GB/T 4754 division, fintech, healthcare, green_energy)",
            "C34",
        ),
        fa("region", "地区", &["省份", "区域", "province"], TEXT, true, "Region or province", "福建"),
        fa("employees", "员工人数", &["职工人数", "size"], T::Integer, false, "Headcount", "180"),
        fa(
            "org_unit",
            "所属组织",
            &["组织", "分公司", "organisation"],
            T::Id,
            true,
            "Organisation unit that owns the customer",
            "east",
        ),
        fa(
            "business_line",
            "业务线",
            &["产品线", "业务板块"],
            T::Id,
            true,
            "Business line that owns the customer",
            "machinery",
        ),
        fa(
            "monitoring_tier",
            "监控级别",
            &["客户分级", "tier"],
            T::Label(LabelSet::MonitoringTier),
            true,
            "core | secondary | potential",
            "core",
        ),
        fa(
            "relationship_start",
            "合作开始日期",
            &["建立关系日期", "since"],
            T::Date,
            true,
            "Date the trading relationship began",
            "2019-04-01",
        ),
        fa(
            "credit_limit",
            "信用额度",
            &["额度"],
            T::Money { currency: "limit_currency" },
            false,
            "Current approved credit limit",
            "2000000.00",
        ),
        fa(
            "limit_currency",
            "额度币种",
            &["currency", "币种"],
            T::Currency,
            false,
            "Currency of the credit limit (required with credit_limit)",
            "CNY",
        ),
        fa(
            "payment_terms_days",
            "账期天数",
            &["账期", "terms_days"],
            T::Integer,
            false,
            "Agreed payment term in days",
            "60",
        ),
        fa(
            "legal_representative",
            "法定代表人",
            &["法人"],
            TEXT,
            false,
            "Legal representative (personal data: masked for roles that do not need it)",
            "张三",
        ),
    ],
    key: &["customer_id"],
    customer_column: Some("customer_id"),
};

pub static INVOICES: Schema = Schema {
    kind: Kind::Invoices,
    table: "invoices",
    name_zh: "发票",
    aliases: &["invoice", "receivables", "ar"],
    fields: &[
        fa(
            "invoice_no",
            "发票号",
            &["发票号码", "单据号", "invoice"],
            T::Id,
            true,
            "Invoice number; the natural key",
            "INV-2026-000123",
        ),
        fa("customer_id", "客户编号", &["客户代码", "customer"], T::Id, true, "Customer invoiced", "C000123"),
        fa(
            "issue_date",
            "开票日期",
            &["发票日期", "invoice_date"],
            T::Date,
            true,
            "Date of issue",
            "2026-08-15",
        ),
        fa(
            "due_date",
            "到期日",
            &["应收日期", "到期日期"],
            T::Date,
            true,
            "Date payment is due",
            "2026-10-14",
        ),
        fa(
            "amount",
            "金额",
            &["发票金额", "价税合计"],
            MONEY,
            true,
            "Gross amount including tax",
            "125000.00",
        ),
        fa("currency", "币种", &["货币"], T::Currency, true, "Currency of the amount", "CNY"),
        fa(
            "order_no",
            "订单号",
            &["销售订单号"],
            T::Id,
            false,
            "Sales order the invoice bills",
            "SO-2026-0456",
        ),
        fa(
            "contract_no",
            "合同号",
            &["合同编号"],
            T::Id,
            false,
            "Contract the invoice falls under",
            "HT-2026-011",
        ),
    ],
    key: &["invoice_no"],
    customer_column: Some("customer_id"),
};

pub static PAYMENTS: Schema = Schema {
    kind: Kind::Payments,
    table: "payments",
    name_zh: "回款",
    aliases: &["payment", "receipts", "收款"],
    fields: &[
        fa(
            "payment_id",
            "回款编号",
            &["收款单号", "payment_no"],
            T::Id,
            true,
            "Receipt number; the natural key",
            "RC-2026-000987",
        ),
        fa("customer_id", "客户编号", &["客户代码", "customer"], T::Id, true, "Paying customer", "C000123"),
        fa(
            "invoice_no",
            "发票号",
            &["核销发票号", "invoice"],
            T::Id,
            false,
            "Invoice the payment is applied to; empty for payment on account",
            "INV-2026-000123",
        ),
        fa(
            "payment_date",
            "回款日期",
            &["收款日期", "date"],
            T::Date,
            true,
            "Date the money arrived",
            "2026-10-20",
        ),
        fa("amount", "金额", &["回款金额", "收款金额"], MONEY, true, "Amount applied", "125000.00"),
        fa("currency", "币种", &["货币"], T::Currency, true, "Currency of the amount", "CNY"),
        fa(
            "method",
            "付款方式",
            &["结算方式"],
            TEXT,
            false,
            "Transfer, acceptance bill, cash…",
            "bank transfer",
        ),
    ],
    key: &["payment_id"],
    customer_column: Some("customer_id"),
};

pub static CREDIT_NOTES: Schema = Schema {
    kind: Kind::CreditNotes,
    table: "credit_notes",
    name_zh: "贷项通知单",
    aliases: &["credit_note", "creditnotes", "红字发票"],
    fields: &[
        fa(
            "credit_note_no",
            "贷项单号",
            &["红字发票号"],
            T::Id,
            true,
            "Credit note number; the natural key",
            "CN-2026-0042",
        ),
        fa("customer_id", "客户编号", &["客户代码", "customer"], T::Id, true, "Customer credited", "C000123"),
        fa(
            "invoice_no",
            "发票号",
            &["原发票号", "invoice"],
            T::Id,
            true,
            "Invoice the credit is applied to",
            "INV-2026-000123",
        ),
        fa("issue_date", "开具日期", &["日期", "date"], T::Date, true, "Date of issue", "2026-09-01"),
        fa("amount", "金额", &["贷项金额"], MONEY, true, "Amount credited (positive)", "5000.00"),
        fa("currency", "币种", &["货币"], T::Currency, true, "Currency of the amount", "CNY"),
        fa("reason", "原因", &["事由"], TEXT, false, "Return, price adjustment, quality…", "quality return"),
    ],
    key: &["credit_note_no"],
    customer_column: Some("customer_id"),
};

pub static ORDERS: Schema = Schema {
    kind: Kind::Orders,
    table: "orders",
    name_zh: "销售订单",
    aliases: &["order", "open_orders", "订单"],
    fields: &[
        fa(
            "order_no",
            "订单号",
            &["销售订单号", "order"],
            T::Id,
            true,
            "Sales order number; the natural key",
            "SO-2026-0456",
        ),
        fa("customer_id", "客户编号", &["客户代码", "customer"], T::Id, true, "Ordering customer", "C000123"),
        fa(
            "order_date",
            "下单日期",
            &["订单日期", "date"],
            T::Date,
            true,
            "Date the order was taken",
            "2026-09-20",
        ),
        fa("ship_date", "预计发货日期", &["发货日期"], T::Date, false, "Planned shipping date", "2026-10-05"),
        fa("amount", "金额", &["订单金额"], MONEY, true, "Order value not yet invoiced", "80000.00"),
        fa("currency", "币种", &["货币"], T::Currency, true, "Currency of the amount", "CNY"),
        fa(
            "status",
            "状态",
            &["订单状态"],
            T::Label(LabelSet::OrderStatus),
            true,
            "open | invoiced | cancelled; only open orders count towards exposure",
            "open",
        ),
    ],
    key: &["order_no"],
    customer_column: Some("customer_id"),
};

pub static MILESTONES: Schema = Schema {
    kind: Kind::Milestones,
    table: "milestones",
    name_zh: "合同付款节点",
    aliases: &["milestone", "contracts", "contract_milestones", "合同"],
    fields: &[
        fa("contract_no", "合同号", &["合同编号", "contract"], T::Id, true, "Contract number", "HT-2026-011"),
        fa(
            "milestone_no",
            "节点序号",
            &["节点", "seq"],
            T::Integer,
            true,
            "Order of the milestone within the contract (1, 2, 3…)",
            "1",
        ),
        fa(
            "customer_id",
            "客户编号",
            &["客户代码", "customer"],
            T::Id,
            true,
            "Customer who owes the milestone",
            "C000123",
        ),
        fa(
            "description",
            "节点说明",
            &["说明"],
            TEXT,
            false,
            "Advance, on acceptance, after warranty…",
            "30% advance",
        ),
        fa(
            "due_date",
            "应付日期",
            &["到期日"],
            T::Date,
            true,
            "Date the milestone payment is due",
            "2026-11-01",
        ),
        fa("amount", "金额", &["节点金额"], MONEY, true, "Amount due at the milestone", "300000.00"),
        fa("currency", "币种", &["货币"], T::Currency, true, "Currency of the amount", "CNY"),
    ],
    key: &["contract_no", "milestone_no"],
    customer_column: Some("customer_id"),
};

pub static EVENTS: Schema = Schema {
    kind: Kind::Events,
    table: "events",
    name_zh: "事件",
    aliases: &["event", "signals", "非财务信息"],
    fields: &[
        fa(
            "customer_id",
            "客户编号",
            &["客户代码", "customer"],
            T::Id,
            true,
            "Customer concerned",
            "C000123",
        ),
        fa(
            "event_type",
            "事件类型",
            &["类型", "type"],
            T::Label(LabelSet::EventKind),
            true,
            "lawsuit_defendant | lawsuit_plaintiff | supplier_payment_suit | enforcement | dishonest_debtor | management_change | core_staff_departure | customer_loss | quality_complaint | ownership_change | news | esg | blacklist | default",
            "lawsuit_defendant",
        ),
        fa(
            "event_date",
            "事件日期",
            &["日期", "date"],
            T::Date,
            true,
            "Date the event happened or was published",
            "2026-07-12",
        ),
        fa(
            "reference",
            "编号",
            &["案号", "ref", "文号"],
            T::Id,
            false,
            "Case number, article id or other reference; distinguishes events of one type on one day",
            "(2026)闽0102民初1234号",
        ),
        fa(
            "source",
            "来源",
            &["信息来源"],
            TEXT,
            true,
            "Where it came from (court records, news site, own staff…)",
            "court records",
        ),
        fa(
            "amount",
            "涉及金额",
            &["金额"],
            MONEY,
            false,
            "Amount involved (lawsuits, enforcement)",
            "350000.00",
        ),
        fa(
            "currency",
            "币种",
            &["货币"],
            T::Currency,
            false,
            "Currency of the amount (required with amount)",
            "CNY",
        ),
        fa("role", "职务", &["岗位"], TEXT, false, "For management changes: CEO, CFO, chair…", "CFO"),
        fa("count", "人数", &["数量"], T::Integer, false, "For staff departures, complaints: how many", "2"),
        fa(
            "change_pct",
            "变动比例",
            &["变化幅度"],
            T::Number,
            false,
            "For customer losses: share of revenue lost, percent",
            "18",
        ),
        fa(
            "sentiment",
            "情感倾向",
            &["情绪"],
            T::Number,
            false,
            "From −1 (very negative) to 1 (very positive)",
            "-0.6",
        ),
        fa("description", "描述", &["内容", "摘要"], LONG_TEXT, false, "What happened", "买卖合同纠纷"),
    ],
    key: &["customer_id", "event_type", "event_date", "reference"],
    customer_column: Some("customer_id"),
};

pub static RELATIONSHIPS: Schema = Schema {
    kind: Kind::Relationships,
    table: "relationships",
    name_zh: "关联关系",
    aliases: &["relationship", "relations", "links", "关系"],
    fields: &[
        fa(
            "relation_type",
            "关系类型",
            &["类型", "type"],
            T::Label(LabelSet::RelationKind),
            true,
            "ownership | control | guarantee | family | supply_chain | consolidation | shared_funds",
            "ownership",
        ),
        fa(
            "from_party",
            "主体编号",
            &["from", "持有方"],
            T::Id,
            true,
            "Holder, controller, guarantor, supplier: a customer id or another party's id",
            "P-ZHANG-SAN",
        ),
        fa(
            "from_name",
            "主体名称",
            &["from_party_name"],
            TEXT,
            false,
            "Name of the from party when it is not a customer",
            "张三",
        ),
        fa(
            "to_party",
            "对象编号",
            &["to", "被持有方"],
            T::Id,
            true,
            "Held, controlled, guaranteed, supplied party",
            "C000123",
        ),
        fa(
            "to_name",
            "对象名称",
            &["to_party_name"],
            TEXT,
            false,
            "Name of the to party when it is not a customer",
            "",
        ),
        fa(
            "share_pct",
            "持股比例",
            &["持股%", "shareholding_pct"],
            T::Percent,
            false,
            "Ownership: percent of capital held (0–100)",
            "60",
        ),
        fa(
            "voting_pct",
            "表决权比例",
            &["表决权"],
            T::Percent,
            false,
            "Ownership: percent of voting rights if it differs from capital",
            "60",
        ),
        fa("amount", "担保金额", &["金额"], MONEY, false, "Guarantee: amount guaranteed", "5000000.00"),
        fa(
            "currency",
            "币种",
            &["货币"],
            T::Currency,
            false,
            "Currency of the amount (required with amount)",
            "CNY",
        ),
        fa("start_date", "开始日期", &["生效日期"], T::Date, false, "Date the link began", "2021-01-01"),
        fa("end_date", "结束日期", &["到期日期"], T::Date, false, "Date the link ended or ends", ""),
        fa(
            "description",
            "说明",
            &["备注"],
            TEXT,
            false,
            "Family degree, guarantee contract, supply item…",
            "spouse",
        ),
    ],
    key: &["relation_type", "from_party", "to_party"],
    customer_column: None,
};

pub static ASSESSMENTS: Schema = Schema {
    kind: Kind::Assessments,
    table: "assessments",
    name_zh: "定性评价",
    aliases: &["assessment", "qualitative", "5c"],
    fields: &[
        fa("customer_id", "客户编号", &["客户代码", "customer"], T::Id, true, "Customer assessed", "C000123"),
        fa(
            "factor",
            "评价因素",
            &["因素", "factor_code"],
            T::Label(LabelSet::QualitativeFactor),
            true,
            "character | capacity | capital | collateral | conditions | management",
            "character",
        ),
        fa("score", "评分", &["分数", "points"], T::Number, true, "Score from 0 (worst) to 100 (best)", "75"),
        fa(
            "assessed_on",
            "评价日期",
            &["日期", "date"],
            T::Date,
            true,
            "Date of the assessment",
            "2026-09-15",
        ),
        fa("assessor", "评价人", &["分析师", "analyst"], TEXT, true, "Analyst who scored the factor", "李明"),
        fa(
            "comment",
            "评语",
            &["说明", "remarks"],
            LONG_TEXT,
            false,
            "Evidence and reasoning",
            "按时履约，无不良记录",
        ),
    ],
    key: &["customer_id", "factor"],
    customer_column: Some("customer_id"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_currency_column_exists() {
        for kind in Kind::ALL {
            let s = kind.schema();
            assert_eq!(s.kind, kind);
            s.key_indices();
            for field in s.fields {
                if let FieldType::Money { currency } = field.ty {
                    assert!(s.index(currency).is_some(), "{}.{}", s.table, field.name);
                }
            }
            if let Some(c) = s.customer_column {
                s.col(c);
            }
        }
    }

    #[test]
    fn headers_are_unique_within_a_kind() {
        for kind in Kind::ALL {
            let mut seen = std::collections::HashSet::new();
            for field in kind.schema().fields {
                for h in [field.name, field.zh].iter().chain(field.aliases) {
                    assert!(seen.insert(h.to_lowercase()), "{kind}: header {h} used twice");
                }
            }
        }
    }

    #[test]
    fn kinds_parse_by_code_alias_and_chinese_name() {
        assert_eq!(Kind::parse("credit-notes"), Some(Kind::CreditNotes));
        assert_eq!(Kind::parse("发票"), Some(Kind::Invoices));
        assert_eq!(Kind::parse("open_orders"), Some(Kind::Orders));
        assert_eq!(Kind::parse("nothing"), None);
    }
}
