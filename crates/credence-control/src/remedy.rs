//! Remedies for a blocked order: the smallest change that would release it.
//!
//! A red warning level or a refused grade has no remedy but escalation to the role the
//! policy names (the higher of the two when both apply). Otherwise the candidates are:
//! - **prepay** `amount − fit`, where `fit` is the largest credit part of the order that
//!   passes every amount step: `min(limit − exposure, group limit − group exposure, the
//!   list-managed per-order maximum)`, between 0 and the order. Only when the overdue
//!   steps pass.
//! - **ship part now**: the largest whole percentage `p` with `order × p / 100 ≤ fit`
//!   (rounded down to a minor unit), at least 1%. Only when the overdue steps pass.
//! - **collect overdue first**: overdue invoices collected oldest due first (the order a
//!   payment on account would be applied in) until every step passes; collecting lowers
//!   the exposure, the group's exposure, the overdue share and the oldest overdue item.
//!   The fewest invoices in that order.
//! - **collect, then prepay**: when the overdue steps block, the fewest invoices (oldest
//!   first) that clear them, then the prepayment for what still does not fit.
//!
//! Options are ordered by their **size**, the money that has to move before the order
//! ships: the prepayment, the collected invoices (plus a prepayment), or for a partial
//! shipment the part held back; equal sizes by kind (collect, prepay, collect then prepay,
//! ship part). The first is the recommendation. Amounts are exact minor units.

use chrono::NaiveDate;
use serde::Serialize;

use crate::book::{Account, ExposureBook, Item, NO_GROUP};
use crate::check::{CheckResult, StepCode, overdue_share_ok};
use crate::labels::{Admission, Level};
use crate::money::format_money;
use crate::proposal::times_ppm;

/// What releases a blocked order, or who has to decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remedy {
    /// Changes that release the order, smallest first.
    Release { options: Vec<ReleaseOption> },
    /// No change of amounts releases the order; only `role` can.
    Escalate {
        role: String,
        role_en: String,
        role_zh: String,
        because: Vec<StepCode>,
        text_en: String,
        text_zh: String,
    },
}

impl Remedy {
    /// The recommended option (the smallest), when amounts can release the order.
    pub fn best(&self) -> Option<&ReleaseOption> {
        match self {
            Remedy::Release { options } => options.first(),
            Remedy::Escalate { .. } => None,
        }
    }
}

/// The kind of a release option, in the order that breaks ties of size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    CollectOverdue,
    Prepay,
    CollectThenPrepay,
    ShipPart,
}

/// An overdue invoice to collect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectInvoice {
    pub invoice_no: String,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    pub amount: i64,
}

/// One way to release the order. Amounts in minor units of the check's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseOption {
    pub kind: ReleaseKind,
    /// Payment in advance for part of the order.
    pub prepay: i64,
    /// For a partial shipment: the percentage and amount shipped now.
    pub ship_pct: u32,
    pub ship_amount: i64,
    /// Invoices to collect first, oldest due first.
    pub collect: Vec<CollectInvoice>,
    pub collect_total: i64,
    /// The amount by which options are ordered (see the module documentation).
    pub size: i64,
    pub text_en: String,
    pub text_zh: String,
}

pub(crate) fn remedy(book: &ExposureBook, a: &Account, r: &CheckResult) -> Remedy {
    let red = a.level == Level::Red;
    let refused = a.admission == Admission::Refuse;
    if red || refused {
        return escalation(book, red, refused);
    }
    let mut options = release_options(book, a, r);
    options.sort_by_key(|o| (o.size, o.kind));
    Remedy::Release { options }
}

/// A red warning level or a refused grade: only the role the policy names can release
/// the order (the higher of the two when both apply).
fn escalation(book: &ExposureBook, red: bool, refused: bool) -> Remedy {
    let mut because = Vec::new();
    if red {
        because.push(StepCode::RedLevel);
    }
    if refused {
        because.push(StepCode::Grade);
    }
    let e = match (red, refused) {
        (true, true) if book.escalate_refused.rank > book.escalate_red.rank => &book.escalate_refused,
        (true, _) => &book.escalate_red,
        _ => &book.escalate_refused,
    };
    let (why_en, why_zh) = match (red, refused) {
        (true, true) => ("red warning level and refused grade", "红色预警且等级不予授信"),
        (true, false) => ("red warning level", "红色预警"),
        _ => ("refused grade", "等级不予授信"),
    };
    Remedy::Escalate {
        role: e.role.clone(),
        role_en: e.name_en.clone(),
        role_zh: e.name_zh.clone(),
        because,
        text_en: format!(
            "{why_en}: no amount releases this order; escalate to the {}",
            e.name_en.to_lowercase()
        ),
        text_zh: format!("{why_zh}：无法通过调整金额放行，提交{}", e.name_zh),
    }
}

/// The changes of amounts that release the order (unsorted).
fn release_options(book: &ExposureBook, a: &Account, r: &CheckResult) -> Vec<ReleaseOption> {
    let date = r.date;
    let amount = r.amount;
    let c = r.currency;
    let money = |x: i64| format_money(x, c);
    let limit = r.permanent_limit + r.temporary_limit;
    let exposure = r.exposure.total - amount;
    let group_room = (a.group != NO_GROUP)
        .then(|| &book.groups[a.group as usize])
        .and_then(|g| g.limit.map(|l| l - g.exposure));
    let max_order = (a.admission == Admission::ListManaged).then(|| times_ppm(limit, book.max_order_ppm));
    // The credit part of the order that fits once `collected` has been paid.
    let fit = |collected: i64| -> i64 {
        let mut f = limit - (exposure - collected);
        if let Some(room) = group_room {
            f = f.min(room + collected);
        }
        if let Some(m) = max_order {
            f = f.min(m);
        }
        f.clamp(0, amount)
    };
    let overdue: Vec<&Item> = a.items.iter().take_while(|i| i.due_date < date).collect();
    let total_overdue: i64 = overdue.iter().map(|i| i.open).sum();
    let max_days = i64::from(book.rule.max_oldest_overdue_days);
    // Overdue steps after collecting the first k overdue items (`collected` their sum).
    let overdue_ok = |k: usize, collected: i64| -> bool {
        let oldest = overdue.get(k).map_or(0, |i| (date - i.due_date).num_days());
        oldest <= max_days
            && overdue_share_ok(
                total_overdue - collected,
                a.open_items - collected,
                book.max_overdue_share_ppm,
            )
    };
    let mut prefix = Vec::with_capacity(overdue.len() + 1);
    prefix.push(0i64);
    for i in &overdue {
        prefix.push(prefix.last().copied().unwrap_or(0) + i.open);
    }
    let k0 = (0..=overdue.len()).find(|&k| overdue_ok(k, prefix[k])).unwrap_or(overdue.len());
    let collect = |k: usize| collect_option(&overdue[..k], prefix[k], date, &money);
    let mut options = Vec::new();
    if k0 == 0 {
        let f = fit(0);
        if f < amount {
            options.extend(prepay_or_part(amount, f, &money));
        }
        if let Some(k) = (1..=overdue.len()).find(|&k| fit(prefix[k]) == amount) {
            options.push(collect(k));
        }
    } else {
        let f = fit(prefix[k0]);
        if f == amount {
            options.push(collect(k0));
        } else {
            let mut o = collect(k0);
            let prepay = amount - f;
            o.kind = ReleaseKind::CollectThenPrepay;
            o.prepay = prepay;
            o.size += prepay;
            o.text_en = format!("{}, then prepay {}", o.text_en, money(prepay));
            o.text_zh = format!("{}，并预付{}", o.text_zh, money(prepay));
            options.push(o);
            if let Some(k) = (k0 + 1..=overdue.len()).find(|&k| fit(prefix[k]) == amount) {
                options.push(collect(k));
            }
        }
    }
    options
}

/// With only `fit` of the order's `amount` fitting: prepay the rest, or ship the largest
/// whole percentage that fits now (at least 1%).
fn prepay_or_part(amount: i64, fit: i64, money: &dyn Fn(i64) -> String) -> Vec<ReleaseOption> {
    let prepay = amount - fit;
    let mut options = vec![ReleaseOption {
        kind: ReleaseKind::Prepay,
        prepay,
        ship_pct: 0,
        ship_amount: 0,
        collect: Vec::new(),
        collect_total: 0,
        size: prepay,
        text_en: format!("prepay {}", money(prepay)),
        text_zh: format!("预付{}", money(prepay)),
    }];
    let pct = (i128::from(fit) * 100 / i128::from(amount.max(1))) as u32;
    if pct >= 1 {
        let ship = (i128::from(amount) * i128::from(pct) / 100) as i64;
        options.push(ReleaseOption {
            kind: ReleaseKind::ShipPart,
            prepay: 0,
            ship_pct: pct,
            ship_amount: ship,
            collect: Vec::new(),
            collect_total: 0,
            size: amount - ship,
            text_en: format!("ship {pct}% now ({}), the rest later", money(ship)),
            text_zh: format!("先发货{pct}%（{}），其余后发", money(ship)),
        });
    }
    options
}

/// Collecting the given overdue items (oldest due first), `total` in all.
fn collect_option(
    items: &[&Item],
    total: i64,
    date: NaiveDate,
    money: &dyn Fn(i64) -> String,
) -> ReleaseOption {
    let list: Vec<CollectInvoice> = items
        .iter()
        .map(|i| CollectInvoice {
            invoice_no: i.invoice_no.to_string(),
            due_date: i.due_date,
            days_overdue: (date - i.due_date).num_days(),
            amount: i.open,
        })
        .collect();
    let invoices = list.iter().map(|i| i.invoice_no.as_str()).collect::<Vec<_>>().join(", ");
    let noun = if items.len() == 1 { "invoice" } else { "invoices" };
    ReleaseOption {
        kind: ReleaseKind::CollectOverdue,
        prepay: 0,
        ship_pct: 0,
        ship_amount: 0,
        text_en: format!("collect overdue {noun} {invoices} ({}) first", money(total)),
        text_zh: format!("先收回逾期发票{invoices}（{}）", money(total)),
        collect: list,
        collect_total: total,
        size: total,
    }
}
