//! The twelve provinces and municipalities customers are registered in: weights, cities
//! with their administrative division codes, and each region's effect on latent health.

/// A city (or, for municipalities, a district) where a customer is registered.
#[derive(Debug)]
pub(crate) struct City {
    /// Name used as the prefix of company names.
    pub name: &'static str,
    /// GB/T 2260 division code: positions 3–8 of the unified social credit code.
    pub division: &'static str,
}

#[derive(Debug)]
pub(crate) struct Region {
    /// Province or municipality as written in the customer master.
    pub name: &'static str,
    /// One-character abbreviation used in court case numbers.
    pub abbr: &'static str,
    /// Relative share of customers.
    pub weight: f64,
    /// Additive effect on a customer's long-run health (see the crate docs).
    pub effect: f64,
    /// Sales organisation unit that owns customers of the region.
    pub org_unit: &'static str,
    pub cities: &'static [City],
}

const fn c(name: &'static str, division: &'static str) -> City {
    City { name, division }
}

/// Effects: the coastal east and south slightly healthier, the north-east rust belt and
/// the central provinces weaker, so an industry × region heat map shows structure.
pub(crate) static REGIONS: &[Region] = &[
    Region {
        name: "广东",
        abbr: "粤",
        weight: 14.0,
        effect: 0.15,
        org_unit: "south",
        cities: &[
            c("广州", "440100"),
            c("深圳", "440300"),
            c("佛山", "440600"),
            c("东莞", "441900"),
            c("珠海", "440400"),
        ],
    },
    Region {
        name: "江苏",
        abbr: "苏",
        weight: 12.0,
        effect: 0.2,
        org_unit: "east",
        cities: &[
            c("南京", "320100"),
            c("苏州", "320500"),
            c("无锡", "320200"),
            c("常州", "320400"),
            c("南通", "320600"),
        ],
    },
    Region {
        name: "浙江",
        abbr: "浙",
        weight: 11.0,
        effect: 0.2,
        org_unit: "east",
        cities: &[
            c("杭州", "330100"),
            c("宁波", "330200"),
            c("温州", "330300"),
            c("绍兴", "330600"),
            c("台州", "331000"),
        ],
    },
    Region {
        name: "山东",
        abbr: "鲁",
        weight: 9.0,
        effect: 0.0,
        org_unit: "east",
        cities: &[c("济南", "370100"), c("青岛", "370200"), c("烟台", "370600"), c("潍坊", "370700")],
    },
    Region {
        name: "上海",
        abbr: "沪",
        weight: 8.0,
        effect: 0.25,
        org_unit: "east",
        cities: &[c("上海", "310101"), c("上海", "310104"), c("上海", "310115"), c("上海", "310112")],
    },
    Region {
        name: "北京",
        abbr: "京",
        weight: 7.0,
        effect: 0.2,
        org_unit: "north",
        cities: &[c("北京", "110105"), c("北京", "110108"), c("北京", "110101"), c("北京", "110106")],
    },
    Region {
        name: "福建",
        abbr: "闽",
        weight: 6.0,
        effect: 0.1,
        org_unit: "east",
        cities: &[c("福州", "350100"), c("厦门", "350200"), c("泉州", "350500"), c("漳州", "350600")],
    },
    Region {
        name: "四川",
        abbr: "川",
        weight: 6.0,
        effect: -0.05,
        org_unit: "west",
        cities: &[c("成都", "510100"), c("绵阳", "510700"), c("宜宾", "511500")],
    },
    Region {
        name: "河南",
        abbr: "豫",
        weight: 6.0,
        effect: -0.15,
        org_unit: "central",
        cities: &[c("郑州", "410100"), c("洛阳", "410300"), c("新乡", "410700")],
    },
    Region {
        name: "湖北",
        abbr: "鄂",
        weight: 5.0,
        effect: -0.05,
        org_unit: "central",
        cities: &[c("武汉", "420100"), c("宜昌", "420500"), c("襄阳", "420600")],
    },
    Region {
        name: "辽宁",
        abbr: "辽",
        weight: 4.0,
        effect: -0.35,
        org_unit: "north",
        cities: &[c("沈阳", "210100"), c("大连", "210200"), c("鞍山", "210300")],
    },
    Region {
        name: "陕西",
        abbr: "陕",
        weight: 4.0,
        effect: -0.15,
        org_unit: "west",
        cities: &[c("西安", "610100"), c("宝鸡", "610300"), c("咸阳", "610400")],
    },
];

/// Region weights in table order, for weighted draws.
pub(crate) fn region_weights() -> Vec<f64> {
    REGIONS.iter().map(|r| r.weight).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_codes_are_six_digits_of_their_province() {
        for region in REGIONS {
            let province = &region.cities[0].division[..2];
            for city in region.cities {
                assert_eq!(city.division.len(), 6);
                assert!(city.division.bytes().all(|b| b.is_ascii_digit()));
                assert_eq!(&city.division[..2], province, "{}", city.name);
                assert_eq!(city.name.chars().count(), 2, "company names rely on two-character city prefixes");
            }
        }
    }
}
