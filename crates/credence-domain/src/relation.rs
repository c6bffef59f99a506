//! Links between parties: ownership, control, guarantees, family, supply chain (DATA-5).

use crate::labelled_enum;

labelled_enum! {
    /// The kind of a directed link from one party to another.
    pub enum RelationKind {
        /// `from` holds shares of `to`.
        Ownership = ("ownership", "持股", "Shareholding", "股权", "shareholding"),
        /// `from` controls `to` by agreement or other means than shares.
        Control = ("control", "控制", "Control", "实际控制", "协议控制"),
        /// `from` guarantees the debts of `to`.
        Guarantee = ("guarantee", "担保", "Guarantee", "保证"),
        /// `from` and `to` are close family (between natural persons).
        Family = ("family", "亲属", "Family tie", "亲属关系", "家族"),
        /// `from` supplies `to`.
        SupplyChain = ("supply_chain", "供应链", "Supply chain", "供应", "supply"),
        /// `to`'s statements are consolidated into `from`'s.
        Consolidation = ("consolidation", "合并报表", "Consolidated reporting", "并表"),
        /// `from` and `to` share fund management (cash pooling).
        SharedFunds = ("shared_funds", "资金共管", "Shared fund management", "资金往来"),
    }
}
