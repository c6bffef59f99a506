//! Who a customer is: type, industry section and monitoring tier (DATA-1).

use crate::labelled_enum;

labelled_enum! {
    /// The customer type that selects a rating sub-model.
    pub enum CustomerType {
        Large = ("large", "大型企业", "Large enterprise", "大型", "大企业"),
        Sme = ("sme", "中小企业", "SME", "中型企业", "小型企业", "中型", "小型"),
        Micro = ("micro", "微型企业", "Micro enterprise", "微型", "小微企业"),
        GovernmentPlatform = ("government_platform", "政府平台", "Government platform", "城投", "政府融资平台", "地方政府融资平台"),
        Individual = ("individual", "个人", "Individual", "自然人", "person"),
    }
}

labelled_enum! {
    /// How closely a customer is watched (CTRL-7 frequencies hang off this).
    pub enum MonitoringTier {
        Core = ("core", "战略/核心客户", "Strategic/core", "strategic", "核心", "战略", "核心客户", "战略客户"),
        Secondary = ("secondary", "次要客户", "Secondary", "次要", "一般", "一般客户"),
        Potential = ("potential", "潜在客户", "Potential", "潜在"),
    }
}

labelled_enum! {
    /// Sections of the national industry classification GB/T 4754-2017.
    pub enum Industry {
        A = ("A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", "农林牧渔业", "agriculture"),
        B = ("B", "采矿业", "Mining", "mining"),
        C = ("C", "制造业", "Manufacturing", "manufacturing"),
        D = ("D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply", "电力", "utilities"),
        E = ("E", "建筑业", "Construction", "construction"),
        F = ("F", "批发和零售业", "Wholesale and retail trade", "批发零售业", "wholesale", "retail"),
        G = ("G", "交通运输、仓储和邮政业", "Transport, storage and postal services", "交通运输", "transport"),
        H = ("H", "住宿和餐饮业", "Accommodation and catering", "住宿餐饮"),
        I = ("I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services", "信息技术", "IT"),
        J = ("J", "金融业", "Finance", "金融", "finance"),
        K = ("K", "房地产业", "Real estate", "房地产", "real_estate"),
        L = ("L", "租赁和商务服务业", "Leasing and business services", "租赁和商务服务", "business services"),
        M = ("M", "科学研究和技术服务业", "Scientific research and technical services", "科研技术服务"),
        N = ("N", "水利、环境和公共设施管理业", "Water, environment and public facilities management", "公共设施管理"),
        O = ("O", "居民服务、修理和其他服务业", "Resident services, repair and other services", "居民服务"),
        P = ("P", "教育", "Education", "education"),
        Q = ("Q", "卫生和社会工作", "Health and social work", "卫生", "healthcare"),
        R = ("R", "文化、体育和娱乐业", "Culture, sports and entertainment", "文体娱乐"),
        S = ("S", "公共管理、社会保障和社会组织", "Public administration, social security and social organisations", "公共管理"),
        T = ("T", "国际组织", "International organisations"),
    }
}

labelled_enum! {
    /// Qualitative factors an analyst scores (the 5C of credit plus management quality).
    pub enum QualitativeFactor {
        Character = ("character", "品格", "Character", "品质"),
        Capacity = ("capacity", "能力", "Capacity", "偿付能力"),
        Capital = ("capital", "资本", "Capital"),
        Collateral = ("collateral", "担保品", "Collateral", "抵押", "抵押担保"),
        Conditions = ("conditions", "经营环境", "Conditions", "环境", "条件"),
        Management = ("management", "管理质量", "Management quality", "管理"),
    }
}
