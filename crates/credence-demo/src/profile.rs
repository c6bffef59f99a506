//! Who each customer is: type, industry segment, region, size, terms, limit and the
//! customer-master record (DATA-1).

use chrono::{Months, NaiveDate};
use credence_domain::{CustomerType, Labelled};
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{add_days, days_between, iso};
use crate::columns::Row;
use crate::names::{company_name, resident_id, uscc};
use crate::regions::{City, REGIONS, Region};
use crate::rng::{DemoRng, Purpose, chance, int_in, log_uniform, pick, stream, uniform, weighted};
use crate::segments::{INDIVIDUAL_SEGMENTS, PUBLIC_WORKS, SEGMENTS, Sector, Segment};

/// CNY per USD used to bill USD customers in amounts of the same size.
pub(crate) const CNY_PER_USD: f64 = 7.1;

/// Customer types with their shares of the portfolio.
const TYPES: [(CustomerType, f64); 5] = [
    (CustomerType::Large, 5.0),
    (CustomerType::Sme, 62.0),
    (CustomerType::Micro, 28.0),
    (CustomerType::GovernmentPlatform, 3.0),
    (CustomerType::Individual, 2.0),
];

/// Everything later stages need to know about a customer.
#[derive(Debug)]
pub(crate) struct Profile {
    pub index: u64,
    pub id: String,
    pub name: String,
    pub ctype: CustomerType,
    pub segment: &'static Segment,
    pub region: &'static Region,
    pub city: &'static City,
    /// Currency of the customer's invoices, payments, orders and milestones.
    pub ledger_currency: &'static str,
    pub terms_days: i64,
    /// Annual revenue at the opening quarter, yuan.
    pub revenue: f64,
    /// Our annual sales to the customer, yuan.
    pub sales: f64,
    pub employees: i64,
    pub relationship_start: NaiveDate,
    /// Prone to quality disputes: more complaints and credit notes.
    pub quality_prone: bool,
    /// Sells abroad: overseas revenue is a real share of revenue.
    pub exporter: bool,
    /// One of the few firms with a market share of 15% or more.
    pub market_leader: bool,
    /// Type + segment + region effect on long-run health.
    pub effect: f64,
    credit_limit: i64,
    uscc: Option<String>,
    registration_no: Option<String>,
    business_line: &'static str,
    pub tier: &'static str,
    legal_representative: Option<String>,
}

impl Profile {
    pub fn is_company(&self) -> bool {
        self.ctype != CustomerType::Individual
    }

    pub fn files_statements(&self) -> bool {
        self.is_company()
    }

    pub fn draw(ctx: &Ctx, index: u64) -> Profile {
        let rng = &mut stream(ctx.config.seed, index, Purpose::Profile);
        let as_of = ctx.timeline.as_of;
        let ctype = TYPES[weighted(rng, &TYPES.map(|t| t.1))].0;
        let segment: &'static Segment = match ctype {
            CustomerType::GovernmentPlatform => &PUBLIC_WORKS,
            CustomerType::Individual => &SEGMENTS[*pick(rng, &INDIVIDUAL_SEGMENTS)],
            _ => &SEGMENTS[weighted(rng, &ctx.segment_weights)],
        };
        let region = &REGIONS[weighted(rng, &ctx.region_weights)];
        let city = pick(rng, region.cities);
        let type_effect = match ctype {
            CustomerType::Large => 0.4,
            CustomerType::Sme => 0.0,
            CustomerType::Micro => -0.3,
            CustomerType::GovernmentPlatform => 0.3,
            CustomerType::Individual => -0.2,
        };

        let revenue = match ctype {
            CustomerType::Large => log_uniform(rng, 1e9, 2e10),
            CustomerType::Sme => log_uniform(rng, 2e7, 5e8),
            CustomerType::Micro => log_uniform(rng, 1e6, 2e7),
            CustomerType::GovernmentPlatform => log_uniform(rng, 5e8, 5e9),
            CustomerType::Individual => log_uniform(rng, 2e5, 3e6),
        };
        let (lo, hi) = match ctype {
            CustomerType::Large => (1000, 200_000),
            CustomerType::Sme => (20, 999),
            CustomerType::Micro => (2, 19),
            CustomerType::GovernmentPlatform => (100, 5000),
            CustomerType::Individual => (1, 1),
        };
        let employees = ((revenue / segment.revenue_per_employee) * log_uniform(rng, 0.7, 1.4))
            .round()
            .clamp(lo as f64, hi as f64) as i64;
        let sales_share = match ctype {
            CustomerType::Large => log_uniform(rng, 0.002, 0.02),
            CustomerType::Sme => log_uniform(rng, 0.01, 0.08),
            CustomerType::Micro => log_uniform(rng, 0.03, 0.15),
            CustomerType::GovernmentPlatform => log_uniform(rng, 0.005, 0.03),
            CustomerType::Individual => log_uniform(rng, 0.05, 0.2),
        };
        let sales = revenue * sales_share;

        let long_terms = matches!(ctype, CustomerType::Large | CustomerType::GovernmentPlatform);
        let terms_weights =
            if long_terms { [15.0, 10.0, 35.0, 32.0, 8.0] } else { [32.0, 16.0, 30.0, 20.0, 2.0] };
        let terms_days = [30, 45, 60, 90, 120][weighted(rng, &terms_weights)];
        let limit_unit = if ctype == CustomerType::Individual { 100_000 } else { 1_000_000 }; // 1k / 10k yuan in fen
        // Enough for the receivables of one payment term plus a month (the usual lateness
        // and the orders not yet invoiced), and for a typical invoice of a customer that
        // buys rarely, with some headroom: a limit the customer's normal trade fits in.
        let typical_invoice = sales / 12.0 / expected_invoices_per_month(ctype);
        let raw_limit =
            (sales * (terms_days + 30) as f64 / 365.0).max(typical_invoice) * uniform(rng, 1.2, 1.8) * 100.0;
        let credit_limit = ((raw_limit / limit_unit as f64).round() as i64).max(1) * limit_unit;

        let relationship_start = relationship_start(rng, as_of);
        let is_new = days_between(relationship_start, as_of) < 366;

        let manufacturing = segment.section == "C";
        let exportable = manufacturing || segment.section == "F";
        let company = ctype != CustomerType::Individual && ctype != CustomerType::GovernmentPlatform;
        let usd = company && exportable && chance(rng, 0.06);
        let exporter = usd || (company && exportable && chance(rng, if manufacturing { 0.3 } else { 0.15 }));
        let quality_prone = chance(rng, if segment.sector == Sector::Manufacturing { 0.12 } else { 0.06 });
        let market_leader = ctype == CustomerType::Large && chance(rng, 0.12);

        let tier = monitoring_tier(rng, ctype, is_new);
        let business_line =
            if chance(rng, 0.75) { segment.business_lines[0] } else { pick(rng, segment.business_lines) };

        let (name, uscc_code, registration_no, legal_representative) = if ctype == CustomerType::Individual {
            (ctx.names.unique_person_name(index), None, Some(resident_id(rng, city.division)), None)
        } else {
            let trade = ctx.names.trade_name(index);
            let word = pick(rng, segment.words);
            let suffix = company_suffix(rng, ctype);
            let name = company_name(city, &trade, word, suffix);
            let code = uscc(city.division, index, chance(rng, 0.6), ctx.names_salt);
            (name, Some(code), None, Some(ctx.names.person_name(rng)))
        };

        Profile {
            index,
            id: customer_id(index),
            name,
            ctype,
            segment,
            region,
            city,
            ledger_currency: if usd { "USD" } else { "CNY" },
            terms_days,
            revenue,
            sales,
            employees,
            relationship_start,
            quality_prone,
            exporter,
            market_leader,
            effect: type_effect + segment.effect + region.effect,
            credit_limit,
            uscc: uscc_code,
            registration_no,
            business_line,
            tier,
            legal_representative,
        }
    }

    /// Our annual sales in the ledger currency.
    pub fn sales_in_ledger_currency(&self) -> f64 {
        if self.ledger_currency == "USD" { self.sales / CNY_PER_USD } else { self.sales }
    }

    pub fn record(&self, ctx: &Ctx) -> Record {
        let c = &ctx.cols.customers;
        let mut r = Row::new(Kind::Customers);
        r.set(c.customer_id, self.id.as_str())
            .set(c.name, self.name.as_str())
            .set(c.uscc, self.uscc.clone())
            .set(c.registration_no, self.registration_no.clone())
            .set(c.customer_type, self.ctype.code())
            .set(c.industry, self.segment.section)
            .set(c.sub_industry, self.segment.sub_industry)
            .set(c.region, self.region.name)
            .set(c.org_unit, self.region.org_unit)
            .set(c.business_line, self.business_line)
            .set(c.monitoring_tier, self.tier)
            .set(c.relationship_start, iso(self.relationship_start))
            .set(c.credit_limit, self.credit_limit)
            .set(c.limit_currency, "CNY")
            .set(c.payment_terms_days, self.terms_days)
            .set(c.legal_representative, self.legal_representative.clone());
        if self.is_company() {
            r.set(c.employees, self.employees);
        }
        r.finish()
    }
}

/// Mean of the ledger's invoices per month by type.
pub(crate) fn expected_invoices_per_month(ctype: CustomerType) -> f64 {
    match ctype {
        CustomerType::Large => 4.0,
        CustomerType::Sme => 1.5,
        CustomerType::Micro => 0.5,
        CustomerType::GovernmentPlatform => 1.0,
        CustomerType::Individual => 0.4,
    }
}

/// `C0000001` for index 0.
pub(crate) fn customer_id(index: u64) -> String {
    format!("C{:07}", index + 1)
}

/// Mostly between 2008 and a year before `as_of`; about 6% are new customers who
/// started 6–12 months before `as_of`.
fn relationship_start(rng: &mut DemoRng, as_of: NaiveDate) -> NaiveDate {
    let minus = |m: u32| as_of.checked_sub_months(Months::new(m)).unwrap_or(as_of);
    let (six, twelve) = (minus(6), minus(12));
    if chance(rng, 0.06) {
        return add_days(twelve, int_in(rng, 1, days_between(twelve, six)));
    }
    let earliest = NaiveDate::from_ymd_opt(2008, 1, 1).map_or(minus(180), |d| d.min(minus(180)));
    add_days(earliest, int_in(rng, 0, days_between(earliest, twelve).max(0)))
}

fn monitoring_tier(rng: &mut DemoRng, ctype: CustomerType, is_new: bool) -> &'static str {
    let (core, potential): (f64, f64) = match ctype {
        CustomerType::Large => (0.75, 0.02),
        CustomerType::GovernmentPlatform => (0.7, 0.05),
        CustomerType::Sme => (0.06, 0.15),
        CustomerType::Micro => (0.01, 0.4),
        CustomerType::Individual => (0.0, 0.5),
    };
    let potential = if is_new { potential.max(0.6) } else { potential };
    let x = uniform(rng, 0.0, 1.0);
    if x < core * (1.0 - potential) {
        "core"
    } else if x < core * (1.0 - potential) + potential {
        "potential"
    } else {
        "secondary"
    }
}

fn company_suffix(rng: &mut DemoRng, ctype: CustomerType) -> &'static str {
    match ctype {
        CustomerType::Large => {
            ["集团有限公司", "股份有限公司", "有限公司"][weighted(rng, &[35.0, 35.0, 30.0])]
        }
        CustomerType::Sme if chance(rng, 0.12) => "股份有限公司",
        _ => "有限公司",
    }
}
