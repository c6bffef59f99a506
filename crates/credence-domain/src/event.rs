//! Non-financial signals about a customer (DATA-4).

use crate::labelled_enum;

labelled_enum! {
    /// What kind of thing happened to a customer.
    pub enum EventKind {
        LawsuitDefendant = ("lawsuit_defendant", "诉讼(被告)", "Lawsuit as defendant", "被诉", "被告"),
        LawsuitPlaintiff = ("lawsuit_plaintiff", "诉讼(原告)", "Lawsuit as plaintiff", "起诉", "原告"),
        SupplierPaymentSuit = ("supplier_payment_suit", "被供应商起诉拖欠货款", "Sued by a supplier over payment", "货款诉讼"),
        Enforcement = ("enforcement", "被执行人", "Court enforcement", "被执行"),
        DishonestDebtor = ("dishonest_debtor", "失信被执行人", "Dishonest-debtor list", "失信"),
        ManagementChange = ("management_change", "高管变更", "Management change", "高管变动"),
        CoreStaffDeparture = ("core_staff_departure", "核心人员流失", "Core staff departure", "核心技术人员流失"),
        CustomerLoss = ("customer_loss", "主要客户流失", "Loss of a main customer", "客户流失"),
        QualityComplaint = ("quality_complaint", "质量投诉", "Quality complaint", "投诉"),
        OwnershipChange = ("ownership_change", "股权变更", "Ownership change", "股东变更"),
        News = ("news", "新闻舆情", "News item", "舆情", "新闻"),
        Esg = ("esg", "ESG信号", "ESG signal", "环境社会治理"),
        Blacklist = ("blacklist", "行业黑名单", "Industry blacklist hit", "黑名单"),
        Default = ("default", "违约", "Default", "违约事件"),
    }
}
