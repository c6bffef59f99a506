//! Names and registration numbers: unique company and person names, unified social credit
//! codes with valid check characters, and resident-ID-shaped registration numbers.
//!
//! Uniqueness is by construction, not by remembering what was issued (which would cost
//! memory at a million customers): a customer's trade name (字号) and organisation code
//! are an injective function of its index, scrambled by a seed-keyed affine permutation.

use crate::regions::City;
use crate::rng::{DemoRng, int_in, pick};

/// Characters of trade names. No industry word starts with one of them, so
/// `city + trade name + word` splits one way only and distinct trade names give distinct
/// company names even when their lengths differ.
const TRADE: &str = "华鑫泰丰盛宏达恒瑞祥源通兴隆昌顺利嘉德诚安康宁远大银宝龙凤天海山川江河东南西北中正永长广博创科联合力美佳益和平明辉荣茂峰锦绿蓝星月阳春秋晨润泽洋波帆舟航腾飞跃胜凯旭晟昊皓宇鼎尚卓越汇聚融诺维亿万千百方圆立森林松柏竹梅兰菊云雷霖雨雪冠英杰俊豪威振富贵福禄寿喜乐悦欣怡雅致骏驰奥迪伦宸睿哲弘毅铭钧锐钰琪瑜璟瑾琳瑶晶莹清澄湖溪涛浩鹏鸿雁鹤祺祯颂乾坤恩惠仁义朗瀚澜沧浪渊鸣扬昭晋豫蜀湘楚吴燕齐鲁秦晖耀灿煜炜烨焕熠";

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章";

const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文辉力鹏斌宇浩凯健俊帆帅旭宁龙林欣佳丹晨亮峰成志海波云飞东鑫雪琳晶颖倩婷慧梅兰春燕荣新民永振德彬博嘉子轩梓涵一诺若曦雨泽思远天佑睿哲晓立群卫光小家豪冬秋菊金凤淑珍";

/// The 31 characters of unified social credit codes.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Character tables decoded once per run.
#[derive(Debug)]
pub(crate) struct NameTables {
    trade: Vec<char>,
    surnames: Vec<char>,
    given: Vec<char>,
    /// Seed-derived offsets of the permutations, so names change with the seed.
    salt: u64,
}

impl NameTables {
    pub fn new(seed: u64) -> Self {
        Self {
            trade: TRADE.chars().collect(),
            surnames: SURNAMES.chars().collect(),
            given: GIVEN.chars().collect(),
            salt: crate::rng::mix64(seed ^ 0x4E41_4D45),
        }
    }

    /// The trade name of customer `index`: two characters for the first |TRADE|² indices,
    /// three for the next |TRADE|³, and so on, each block permuted.
    pub fn trade_name(&self, index: u64) -> String {
        let radix = self.trade.len() as u64;
        let (len, j) = place_in_blocks(index, &[radix, radix], radix, self.salt);
        digits(j, radix, len).map(|d| self.trade[d]).collect()
    }

    /// A person name that no other index gets: surname plus two given characters for the
    /// first |SURNAMES|·|GIVEN|² indices, then three.
    pub fn unique_person_name(&self, index: u64) -> String {
        let (s, g) = (self.surnames.len() as u64, self.given.len() as u64);
        let (len, j) = place_in_blocks(index, &[s, g, g], g, self.salt.rotate_left(17));
        let mut name = String::new();
        name.push(self.surnames[(j % s) as usize]);
        name.extend(digits(j / s, g, len - 1).map(|d| self.given[d]));
        name
    }

    /// An ordinary person name (legal representatives, controllers); may repeat.
    pub fn person_name(&self, rng: &mut DemoRng) -> String {
        let mut name = String::new();
        name.push(*pick(rng, &self.surnames));
        name.push(*pick(rng, &self.given));
        if int_in(rng, 0, 9) < 7 {
            name.push(*pick(rng, &self.given));
        }
        name
    }
}

/// Places `index` in consecutive blocks of growing size (the product of `first`, then one
/// more factor `extra` per block) and permutes it within its block. Returns the number of
/// positions of the block and the permuted position.
fn place_in_blocks(index: u64, first: &[u64], extra: u64, salt: u64) -> (usize, u64) {
    let mut len = first.len();
    let mut size: u64 = first.iter().product();
    let mut rest = index;
    while rest >= size {
        rest -= size;
        size = size.saturating_mul(extra);
        len += 1;
    }
    (len, permute(rest, size, salt))
}

/// A bijection of [0, m): multiply by a unit near m/φ, add a salt.
fn permute(x: u64, m: u64, salt: u64) -> u64 {
    if m <= 1 {
        return 0;
    }
    let mut a = ((m as f64 * 0.618_033_988_7) as u64) | 1;
    while gcd(a, m) != 1 {
        a += 2;
    }
    ((u128::from(a) * u128::from(x) + u128::from(salt % m)) % u128::from(m)) as u64
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The `len` base-`radix` digits of `x`, least significant first.
fn digits(mut x: u64, radix: u64, len: usize) -> impl Iterator<Item = usize> {
    (0..len).map(move |_| {
        let d = (x % radix) as usize;
        x /= radix;
        d
    })
}

/// How a company of a kind ends its name.
pub(crate) fn company_name(city: &City, trade: &str, word: &str, suffix: &str) -> String {
    let mut s = String::with_capacity(48);
    s.push_str(city.name);
    s.push_str(trade);
    s.push_str(word);
    s.push_str(suffix);
    s
}

/// A unified social credit code: registration authority 9 (market regulation), entity
/// type 1 (enterprise), the division code, a GB 11714 organisation code, and the
/// GB 32100 check character. The organisation code is injective in `index`; `new_style`
/// chooses the post-2015 `MA…` form over the older all-digit form, two disjoint sets.
pub(crate) fn uscc(division: &str, index: u64, new_style: bool, salt: u64) -> String {
    let mut body = String::with_capacity(9);
    if new_style {
        body.push_str("MA");
        let j = permute(index % 887_503_681, 887_503_681, salt); // 31^6
        body.extend(digits(j, 31, 6).map(|d| USCC_CHARS[d] as char));
    } else {
        let j = permute(index % 100_000_000, 100_000_000, salt);
        body.extend(digits(j, 10, 8).map(|d| char::from(b'0' + d as u8)));
    }
    body.push(organisation_check(&body));
    let mut code = String::with_capacity(18);
    code.push_str("91");
    code.push_str(division);
    code.push_str(&body);
    let check = credence_domain::uscc_check_char(&code).expect("built from the code's own alphabet");
    code.push(check);
    code
}

/// The check character of a GB 11714 organisation code.
fn organisation_check(body: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| {
            let v = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from(b'0' + c as u8),
    }
}

/// An 18-character resident-ID-shaped number (GB 11643): division, birth date, sequence,
/// ISO 7064 MOD 11-2 check character.
pub(crate) fn resident_id(rng: &mut DemoRng, division: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let year = int_in(rng, 1960, 1998);
    let month = int_in(rng, 1, 12);
    let day = int_in(rng, 1, 28);
    let seq = int_in(rng, 1, 999);
    let mut id = format!("{division}{year:04}{month:02}{day:02}{seq:03}");
    let sum: u32 = id.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    id.push(b"10X98765432"[(sum % 11) as usize] as char);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segments::{PUBLIC_WORKS, SEGMENTS};
    use std::collections::HashSet;

    #[test]
    fn character_tables_have_no_repeats_and_no_word_starts_with_a_trade_character() {
        for table in [TRADE, SURNAMES, GIVEN] {
            let set: HashSet<char> = table.chars().collect();
            assert_eq!(set.len(), table.chars().count());
        }
        let trade: HashSet<char> = TRADE.chars().collect();
        for s in SEGMENTS.iter().chain([&PUBLIC_WORKS]) {
            for w in s.words {
                let first = w.chars().next().unwrap();
                assert!(!trade.contains(&first), "{w}");
            }
        }
    }

    #[test]
    fn names_are_unique_across_block_boundaries() {
        let t = NameTables::new(7);
        let k = t.trade.len() as u64;
        let around = (0..3000).chain(k * k - 3000..k * k + 3000);
        let mut seen = HashSet::new();
        for i in around {
            assert!(seen.insert(t.trade_name(i)), "trade name of {i} repeats");
        }
        assert_eq!(t.trade_name(0).chars().count(), 2);
        assert_eq!(t.trade_name(k * k).chars().count(), 3);
        let mut people = HashSet::new();
        for i in 0..20_000 {
            assert!(people.insert(t.unique_person_name(i)));
        }
        assert_ne!(NameTables::new(8).trade_name(0), t.trade_name(0));
    }

    #[test]
    fn codes_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for i in 0..5000 {
            for new_style in [true, false] {
                let code = uscc("350100", i, new_style, 99);
                assert!(credence_domain::Uscc::parse(&code).is_ok(), "{code}");
                assert_eq!(&code[2..8], "350100");
                assert!(seen.insert(code));
            }
        }
        // By hand: D=13; 13·3 + 2·7 + 1·9 + 4·10 + 3·5 + 5·8 + 6·4 + 9·2 = 199; 199 mod 11 = 1;
        // 11 − 1 = 10 → 'X'. And 12345678: 3+14+27+40+25+48+28+16 = 201; 201 mod 11 = 3 → '8'.
        assert_eq!(organisation_check("D2143569"), 'X');
        assert_eq!(organisation_check("12345678"), '8');
    }

    #[test]
    fn resident_ids_carry_their_check_character() {
        let mut rng = crate::rng::stream(1, 1, crate::rng::Purpose::Profile);
        let id = resident_id(&mut rng, "110105");
        assert_eq!(id.len(), 18);
        // Published GB 11643 example: 11010519491231002X.
        let sum: u32 = "11010519491231002"
            .bytes()
            .zip([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        assert_eq!(b"10X98765432"[(sum % 11) as usize], b'X');
    }
}
