//! China's provincial-level divisions with their Chinese and English names, so a region
//! recorded as `广东`, `广东省` or `Guangdong` reads the same and shows in either language.
//! Regions are free text in credit files: a region outside this list keeps its own text.

use crate::labelled_enum;

labelled_enum! {
    /// A provincial-level division of China (GB/T 2260), by its short name.
    pub enum Province {
        Beijing = ("beijing", "北京", "Beijing", "北京市"),
        Tianjin = ("tianjin", "天津", "Tianjin", "天津市"),
        Hebei = ("hebei", "河北", "Hebei", "河北省"),
        Shanxi = ("shanxi", "山西", "Shanxi", "山西省"),
        InnerMongolia = ("inner_mongolia", "内蒙古", "Inner Mongolia", "内蒙古自治区", "Nei Mongol"),
        Liaoning = ("liaoning", "辽宁", "Liaoning", "辽宁省"),
        Jilin = ("jilin", "吉林", "Jilin", "吉林省"),
        Heilongjiang = ("heilongjiang", "黑龙江", "Heilongjiang", "黑龙江省"),
        Shanghai = ("shanghai", "上海", "Shanghai", "上海市"),
        Jiangsu = ("jiangsu", "江苏", "Jiangsu", "江苏省"),
        Zhejiang = ("zhejiang", "浙江", "Zhejiang", "浙江省"),
        Anhui = ("anhui", "安徽", "Anhui", "安徽省"),
        Fujian = ("fujian", "福建", "Fujian", "福建省"),
        Jiangxi = ("jiangxi", "江西", "Jiangxi", "江西省"),
        Shandong = ("shandong", "山东", "Shandong", "山东省"),
        Henan = ("henan", "河南", "Henan", "河南省"),
        Hubei = ("hubei", "湖北", "Hubei", "湖北省"),
        Hunan = ("hunan", "湖南", "Hunan", "湖南省"),
        Guangdong = ("guangdong", "广东", "Guangdong", "广东省"),
        Guangxi = ("guangxi", "广西", "Guangxi", "广西壮族自治区"),
        Hainan = ("hainan", "海南", "Hainan", "海南省"),
        Chongqing = ("chongqing", "重庆", "Chongqing", "重庆市"),
        Sichuan = ("sichuan", "四川", "Sichuan", "四川省"),
        Guizhou = ("guizhou", "贵州", "Guizhou", "贵州省"),
        Yunnan = ("yunnan", "云南", "Yunnan", "云南省"),
        Tibet = ("tibet", "西藏", "Tibet", "西藏自治区", "Xizang"),
        Shaanxi = ("shaanxi", "陕西", "Shaanxi", "陕西省"),
        Gansu = ("gansu", "甘肃", "Gansu", "甘肃省"),
        Qinghai = ("qinghai", "青海", "Qinghai", "青海省"),
        Ningxia = ("ningxia", "宁夏", "Ningxia", "宁夏回族自治区"),
        Xinjiang = ("xinjiang", "新疆", "Xinjiang", "新疆维吾尔自治区"),
        HongKong = ("hong_kong", "香港", "Hong Kong", "香港特别行政区"),
        Macao = ("macao", "澳门", "Macao", "澳门特别行政区", "Macau"),
        Taiwan = ("taiwan", "台湾", "Taiwan", "台湾省"),
    }
}

/// A region's name in English: the province's when the text names one, else the text.
pub fn region_name_en(region: &str) -> &str {
    use crate::Labelled;
    Province::parse_label(region).map_or(region, |p| p.name_en())
}

/// A region's name in Chinese: the province's short name when the text names one, else
/// the text.
pub fn region_name_zh(region: &str) -> &str {
    use crate::Labelled;
    Province::parse_label(region).map_or(region, |p| p.name_zh())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_read_in_any_spelling() {
        assert_eq!(region_name_en("广东"), "Guangdong");
        assert_eq!(region_name_en("广东省"), "Guangdong");
        assert_eq!(region_name_en("shaanxi"), "Shaanxi");
        assert_eq!(region_name_en("陕西"), "Shaanxi");
        assert_eq!(region_name_en("山西"), "Shanxi");
        assert_eq!(region_name_zh("Inner Mongolia"), "内蒙古");
        assert_eq!(region_name_en("东南亚"), "东南亚", "an unknown region keeps its text");
        use crate::Labelled;
        assert_eq!(Province::ALL.len(), 34, "31 provinces, municipalities and regions, HK, Macao, Taiwan");
    }
}
