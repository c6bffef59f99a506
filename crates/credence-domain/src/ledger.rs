//! Receivables-ledger vocabulary (DATA-3).

use crate::labelled_enum;

labelled_enum! {
    /// Where a sales order stands; only open orders count towards exposure.
    pub enum OrderStatus {
        Open = ("open", "未发货", "Open", "未结", "在途", "待发货"),
        Invoiced = ("invoiced", "已开票", "Invoiced", "已发货", "shipped"),
        Cancelled = ("cancelled", "已取消", "Cancelled", "canceled", "取消"),
    }
}
