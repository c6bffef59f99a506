//! Financial statements (DATA-2): twelve quarters for every company and annual statements
//! of the last three full years for large customers, drawn around the customer's health
//! and tied together so every identity holds exactly in minor units.
//!
//! Balances are targets (receivables from days of sales, cash from months of operating
//! cost, …); equity rolls forward with net profit less dividends; liabilities are the plug
//! so assets = liabilities + equity exactly; financing cash flow is the plug so
//! cash(t) = cash(t−1) + operating + investing + financing exactly.

use chrono::{Datelike, NaiveDate};
use credence_domain::CustomerType;
use credence_records::{Kind, Record};

use crate::Ctx;
use crate::calendar::{FIRST_REPORTED, QUARTERS, iso};
use crate::columns::{Row, round2};
use crate::health::Health;
use crate::profile::Profile;
use crate::rng::{Purpose, chance, log_uniform, normal, stream, uniform};
use crate::segments::{Sector, shock_index};

/// Yuan to fen.
fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// One period's statement in minor units, plus the industry items.
#[derive(Debug, Clone, Copy, Default)]
struct Period {
    cash: i64,
    sti: i64,
    receivables: i64,
    inventory: i64,
    other_current: i64,
    fixed: i64,
    other_noncurrent: i64,
    payables: i64,
    other_current_liabilities: i64,
    debt: i64,
    short_debt: i64,
    equity: i64,
    revenue: i64,
    cost_of_sales: i64,
    opex: i64,
    rd: i64,
    depreciation: i64,
    interest: i64,
    net_profit: i64,
    ocf: i64,
    icf: i64,
    fcf: i64,
    capex: i64,
    employees: i64,
    overseas: i64,
    new_product: i64,
    largest_customer: i64,
    market_share: f64,
    capacity: f64,
    raw_material: f64,
    staff_turnover: f64,
    retention: f64,
    land_years: f64,
}

impl Period {
    fn current_assets(&self) -> i64 {
        self.cash + self.sti + self.receivables + self.inventory + self.other_current
    }
    fn total_assets(&self) -> i64 {
        self.current_assets() + self.fixed + self.other_noncurrent
    }
    fn total_liabilities(&self) -> i64 {
        self.total_assets() - self.equity
    }
    fn current_liabilities(&self) -> i64 {
        self.payables + self.other_current_liabilities + self.short_debt
    }
    fn operating_profit(&self) -> i64 {
        self.revenue - self.cost_of_sales - self.opex - self.rd
    }
}

/// Mild seasonality by calendar quarter: year-end heavy, first quarter light.
fn season(end: NaiveDate) -> f64 {
    match end.month() {
        3 => 0.93,
        6 => 1.0,
        9 => 1.01,
        _ => 1.06,
    }
}

/// Emits the customer's statements through `emit`.
pub(crate) fn generate<E>(
    ctx: &Ctx,
    p: &Profile,
    health: &Health,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    if !p.files_statements() {
        return Ok(());
    }
    let periods = simulate(ctx, p, health);
    let large = p.ctype == CustomerType::Large;
    for (k, period) in periods.iter().enumerate().skip(FIRST_REPORTED) {
        emit(record(ctx, p, ctx.timeline.quarter_ends[k], "Q", large, period))?;
    }
    if large {
        let ends = &ctx.timeline.quarter_ends;
        let last_full_year = if ends[QUARTERS - 1].month() == 12 {
            ends[QUARTERS - 1].year()
        } else {
            ends[QUARTERS - 1].year() - 1
        };
        for year in last_full_year - 2..=last_full_year {
            let ks: Vec<usize> = (1..QUARTERS).filter(|&k| ends[k].year() == year).collect();
            if ks.len() == 4 {
                let annual = annual(ks.iter().map(|&k| &periods[k]));
                emit(record(ctx, p, ends[ks[3]], "A", true, &annual))?;
            }
        }
    }
    Ok(())
}

/// A year from its four quarters: flows summed, balances and point items from Q4.
fn annual<'a>(quarters: impl Iterator<Item = &'a Period>) -> Period {
    let qs: Vec<&Period> = quarters.collect();
    let mut a = *qs[3];
    macro_rules! sum {
        ($($f:ident),+) => { $( a.$f = qs.iter().map(|q| q.$f).sum(); )+ };
    }
    sum!(
        revenue,
        cost_of_sales,
        opex,
        rd,
        depreciation,
        interest,
        net_profit,
        ocf,
        icf,
        fcf,
        capex,
        overseas,
        new_product,
        largest_customer,
        raw_material
    );
    a.capacity = qs.iter().map(|q| q.capacity).sum::<f64>() / 4.0;
    a.staff_turnover = qs.iter().map(|q| q.staff_turnover).sum::<f64>().min(100.0);
    a.retention = qs.iter().map(|q| q.retention / 100.0).product::<f64>() * 100.0;
    a
}

/// Firm-level traits that persist across quarters.
struct Traits {
    gross_margin: f64,
    opex_ratio: f64,
    rd_ratio: f64,
    growth: f64,
    dso: f64,
    dio: f64,
    dpo: f64,
    cash_months: f64,
    sti_share: f64,
    other_current_share: f64,
    fixed_intensity: f64,
    other_noncurrent: f64,
    rate_spread: f64,
    concentration: f64,
    market_share: f64,
    overseas_share: f64,
    turnover: f64,
    land_years: f64,
}

fn simulate(ctx: &Ctx, p: &Profile, health: &Health) -> [Period; QUARTERS] {
    let rng = &mut stream(ctx.config.seed, p.index, Purpose::Statements);
    let seg = p.segment;
    let tr = Traits {
        gross_margin: seg.gross_margin + 0.04 * normal(rng),
        opex_ratio: seg.opex_ratio + 0.02 * normal(rng),
        rd_ratio: seg.rd_ratio * uniform(rng, 0.5, 1.5),
        growth: seg.growth + 0.03 * normal(rng),
        dso: seg.dso * (0.15 * normal(rng)).exp(),
        dio: seg.dio * (0.15 * normal(rng)).exp(),
        dpo: seg.dpo * (0.1 * normal(rng)).exp(),
        cash_months: seg.cash_months * (0.3 * normal(rng)).exp(),
        sti_share: if chance(rng, 0.3) { uniform(rng, 0.05, 0.4) } else { 0.0 },
        other_current_share: uniform(rng, 0.02, 0.05),
        fixed_intensity: seg.fixed_intensity * uniform(rng, 0.6, 1.4),
        other_noncurrent: seg.other_noncurrent * uniform(rng, 0.6, 1.4),
        rate_spread: uniform(rng, -0.005, 0.01),
        concentration: match p.ctype {
            CustomerType::Large => 0.08,
            CustomerType::GovernmentPlatform => 0.3,
            CustomerType::Sme => 0.18,
            _ => 0.3,
        } * log_uniform(rng, 0.6, 1.6),
        market_share: match p.ctype {
            _ if p.market_leader => uniform(rng, 15.5, 35.0),
            CustomerType::Large => log_uniform(rng, 0.5, 10.0),
            CustomerType::GovernmentPlatform => log_uniform(rng, 2.0, 12.0),
            CustomerType::Sme => log_uniform(rng, 0.01, 3.0),
            _ => log_uniform(rng, 0.001, 0.1),
        },
        overseas_share: if p.exporter {
            uniform(rng, 0.1, 0.6)
        } else if chance(rng, 0.3) {
            uniform(rng, 0.0, 0.03)
        } else {
            0.0
        },
        turnover: uniform(rng, 2.5, 6.0),
        land_years: 3.0 + 0.8 * normal(rng),
    };
    let row = shock_index(seg);
    let h0 = health.h[0];
    let lev0 = (seg.leverage - 0.08 * h0 + 0.06 * normal(rng)).clamp(0.15, 0.95);

    let mut trend = p.revenue;
    let mut periods = [Period::default(); QUARTERS];
    // Opening balance: quarter 0 at the starting revenue.
    {
        let o = &mut periods[0];
        let q_rev = trend / 4.0;
        let gm = tr.gross_margin.clamp(0.02, 0.92);
        o.fixed = fen(trend * tr.fixed_intensity);
        balances(o, &tr, trend, q_rev * (1.0 - gm), q_rev * tr.opex_ratio.max(0.005), h0, rng);
        let assets = o.total_assets();
        o.equity = fen(yuan(assets) * (1.0 - lev0));
        split_liabilities(o, &tr, trend * (1.0 - gm), h0, rng);
    }
    for k in 1..QUARTERS {
        let prev = periods[k - 1];
        let h = health.h[k];
        let end = ctx.timeline.quarter_ends[k];
        let last_trend = trend;
        // Lasting revenue shocks are mostly the firm's health: a random walk of pure noise
        // would let healthy firms shrink for three years by chance alone.
        let growth = (tr.growth + 0.08 * h) / 4.0 + 0.015 * normal(rng);
        trend = (trend * (1.0 + growth)).max(p.revenue * 0.05);

        let mut c = Period::default();
        let revenue = (trend / 4.0 * season(end) * (1.0 + 0.02 * normal(rng))).max(100.0);
        let gm = (tr.gross_margin + 0.05 * h + 0.015 * normal(rng)).clamp(0.02, 0.92);
        let opex_ratio = (tr.opex_ratio - 0.01 * h + 0.008 * normal(rng)).clamp(0.005, 0.9);
        c.revenue = fen(revenue);
        c.cost_of_sales = fen(revenue * (1.0 - gm));
        c.opex = fen(revenue * opex_ratio);
        c.rd = fen(revenue * tr.rd_ratio * (1.0 + 0.1 * h).max(0.0));
        // Depreciation is part of cost of sales and expenses, so it can never exceed them.
        c.depreciation =
            (prev.fixed as f64 * 0.1 / 4.0).round().min((c.cost_of_sales + c.opex) as f64) as i64;
        let rate = 0.04 + 0.015 * (-h).max(0.0) + tr.rate_spread;
        c.interest = (prev.debt as f64 * rate / 4.0).round() as i64;
        let pre_tax = c.operating_profit() - c.interest;
        let tax = if pre_tax > 0 { (pre_tax as f64 * 0.25).round() as i64 } else { 0 };
        c.net_profit = pre_tax - tax;

        let upkeep = c.depreciation as f64 * (0.8 + 0.2 * (0.3 * h + 0.25 * normal(rng)).exp());
        let expansion = fen(tr.fixed_intensity * (trend - last_trend)) as f64;
        c.capex = (upkeep + expansion).max(0.0).round() as i64;
        c.fixed = prev.fixed + c.capex - c.depreciation;

        let annual_cost = trend * (1.0 - gm);
        let (q_cost, q_opex) = (yuan(c.cost_of_sales), yuan(c.opex));
        balances(&mut c, &tr, trend, q_cost, q_opex, h, rng);
        let assets = c.total_assets();
        let mut dividends = if c.net_profit > 0 && h > 0.3 { c.net_profit * 3 / 10 } else { 0 };
        // Equity above 85% of assets is paid out: no firm funds itself with no debt at all.
        let ceiling = assets - assets * 15 / 100;
        let before = prev.equity + c.net_profit;
        if before - dividends > ceiling {
            dividends = before - ceiling;
        }
        c.equity = before - dividends;
        split_liabilities(&mut c, &tr, annual_cost, h, rng);

        c.ocf = c.net_profit + c.depreciation
            - (c.receivables - prev.receivables)
            - (c.inventory - prev.inventory)
            - (c.other_current - prev.other_current)
            + (c.payables - prev.payables)
            + (c.other_current_liabilities - prev.other_current_liabilities);
        c.icf = -c.capex - (c.sti - prev.sti) - (c.other_noncurrent - prev.other_noncurrent);
        c.fcf = (c.cash - prev.cash) - c.ocf - c.icf;

        industry_items(&mut c, ctx, p, &tr, trend, h, row, k, rng);
        periods[k] = c;
    }
    periods
}

/// Asset targets of a period: working capital from days, cash from months of cost.
fn balances(
    c: &mut Period,
    tr: &Traits,
    trend: f64,
    q_cost: f64,
    q_opex: f64,
    h: f64,
    rng: &mut crate::rng::DemoRng,
) {
    let dso = tr.dso * (-0.12 * h + 0.06 * normal(rng)).exp();
    let dio = tr.dio * (-0.1 * h + 0.06 * normal(rng)).exp();
    let months = tr.cash_months * (0.35 * h + 0.2 * normal(rng)).exp();
    c.receivables = fen(trend * dso / 365.0);
    c.inventory = fen(4.0 * q_cost * dio / 365.0);
    c.cash = fen((q_cost + q_opex) / 3.0 * months);
    c.sti = fen(yuan(c.cash) * tr.sti_share * crate::rng::logistic(2.0 * h));
    c.other_current = fen(trend * tr.other_current_share);
    c.other_noncurrent = fen(trend * tr.other_noncurrent);
}

/// Liabilities are assets less equity; operating liabilities come from days payable and
/// the rest is debt, more of it short-term the weaker the firm.
fn split_liabilities(c: &mut Period, tr: &Traits, annual_cost: f64, h: f64, rng: &mut crate::rng::DemoRng) {
    let liabilities = c.total_liabilities();
    let dpo = tr.dpo * (-0.15 * h + 0.05 * normal(rng)).exp();
    let mut payables = fen(annual_cost * dpo / 365.0);
    let mut accrued = fen(annual_cost * 0.02);
    if payables + accrued > liabilities {
        let scale = liabilities as f64 / (payables + accrued) as f64;
        payables = (payables as f64 * scale).floor() as i64;
        accrued = liabilities - payables;
    }
    c.payables = payables;
    c.other_current_liabilities = accrued;
    c.debt = liabilities - payables - accrued;
    let short_share = (0.45 - 0.1 * h).clamp(0.2, 0.85);
    c.short_debt = (c.debt as f64 * short_share).floor() as i64;
}

/// Headcount, revenue mix, market share and the industry-specific items (IND-6).
fn industry_items(
    c: &mut Period,
    ctx: &Ctx,
    p: &Profile,
    tr: &Traits,
    trend: f64,
    h: f64,
    row: usize,
    k: usize,
    rng: &mut crate::rng::DemoRng,
) {
    let revenue = yuan(c.revenue);
    c.employees = ((p.employees as f64) * (trend / p.revenue).powf(0.6)).round().max(1.0) as i64;
    c.overseas = fen(revenue * (tr.overseas_share * (1.0 + 0.1 * normal(rng))).clamp(0.0, 0.95));
    c.new_product = fen(revenue * (0.05 + 2.5 * tr.rd_ratio + 0.04 * h + 0.03 * normal(rng)).clamp(0.0, 0.8));
    c.largest_customer = fen(revenue * (tr.concentration - 0.03 * h + 0.02 * normal(rng)).clamp(0.01, 0.95));
    let floor = if p.market_leader { 15.0 } else { 0.0 };
    c.market_share = round2((tr.market_share * (0.05 * h + 0.03 * normal(rng)).exp()).clamp(floor, 100.0));
    match p.segment.sector {
        Sector::Manufacturing => {
            c.capacity = round2((76.0 + 9.0 * h + 5.0 * normal(rng)).clamp(15.0, 100.0));
            c.raw_material = round2(ctx.shocks.raw_material[row][k] + 1.5 * normal(rng));
        }
        Sector::Services => {
            c.staff_turnover = round2((tr.turnover - 2.0 * h + 1.5 * normal(rng)).clamp(0.5, 40.0));
            c.retention = round2((93.0 + 2.5 * h + 2.0 * normal(rng)).clamp(40.0, 100.0));
        }
        Sector::RealEstate => {
            c.land_years = round2((tr.land_years + 0.8 * h + 0.3 * normal(rng)).clamp(0.2, 12.0));
        }
        Sector::Other => {}
    }
}

fn record(
    ctx: &Ctx,
    p: &Profile,
    end: NaiveDate,
    period_type: &'static str,
    audited: bool,
    s: &Period,
) -> Record {
    let c = &ctx.cols.statements;
    let mut r = Row::new(Kind::Statements);
    r.set(c.customer_id, p.id.as_str())
        .set(c.period_end, iso(end))
        .set(c.period_type, period_type)
        .set(c.audited, i64::from(audited))
        .set(c.currency, "CNY")
        .set(c.cash, s.cash)
        .set(c.short_term_investments, s.sti)
        .set(c.accounts_receivable, s.receivables)
        .set(c.inventory, s.inventory)
        .set(c.current_assets, s.current_assets())
        .set(c.fixed_assets, s.fixed)
        .set(c.total_assets, s.total_assets())
        .set(c.current_liabilities, s.current_liabilities())
        .set(c.total_liabilities, s.total_liabilities())
        .set(c.equity, s.equity)
        .set(c.revenue, s.revenue)
        .set(c.cost_of_sales, s.cost_of_sales)
        .set(c.operating_expenses, s.opex)
        .set(c.rd_expense, s.rd)
        .set(c.depreciation, s.depreciation)
        .set(c.interest_expense, s.interest)
        .set(c.operating_profit, s.operating_profit())
        .set(c.net_profit, s.net_profit)
        .set(c.operating_cash_flow, s.ocf)
        .set(c.investing_cash_flow, s.icf)
        .set(c.financing_cash_flow, s.fcf)
        .set(c.capex, s.capex)
        .set(c.employees, s.employees)
        .set(c.overseas_revenue, s.overseas)
        .set(c.new_product_revenue, s.new_product)
        .set(c.largest_customer_revenue, s.largest_customer)
        .set(c.market_share_pct, s.market_share);
    match p.segment.sector {
        Sector::Manufacturing => {
            r.set(c.capacity_utilisation_pct, round2(s.capacity))
                .set(c.raw_material_price_change_pct, round2(s.raw_material));
        }
        Sector::Services => {
            r.set(c.staff_turnover_pct, round2(s.staff_turnover))
                .set(c.customer_retention_pct, round2(s.retention));
        }
        Sector::RealEstate => {
            r.set(c.land_reserve_years, s.land_years);
        }
        Sector::Other => {}
    }
    r.finish()
}
