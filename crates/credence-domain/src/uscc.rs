//! The unified social credit code (统一社会信用代码) of GB 32100-2015.
//!
//! Hand-written because it is eighteen characters and one weighted checksum; no maintained
//! crate covers it.

use std::fmt;

/// The 31 characters a code may use (the Latin letters I, O, Z, S and V are excluded so
/// they cannot be confused with digits).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of position i is 3^i mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A unified social credit code whose length, characters and check character are valid.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    #[error(
        "character '{ch}' at position {position} is not allowed (I, O, Z, S, V and lower-case letters are never used)"
    )]
    Character { position: usize, ch: char },
    #[error("check character should be '{expected}', found '{found}'")]
    CheckDigit { expected: char, found: char },
}

fn value_of(ch: u8) -> Option<u32> {
    CHARSET.iter().position(|&c| c == ch).map(|p| p as u32)
}

/// The check character for the first 17 characters of a code, or `None` if one of them is
/// outside the alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (i, &b) in bytes.iter().enumerate() {
        sum += value_of(b)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

impl Uscc {
    /// Parses an already-normalised code (upper case, ASCII). Callers that accept user
    /// input normalise full-width characters and case first.
    pub fn parse(code: &str) -> Result<Self, UsccError> {
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        for (i, ch) in code.chars().enumerate() {
            if !ch.is_ascii() || value_of(ch as u8).is_none() {
                return Err(UsccError::Character { position: i + 1, ch });
            }
        }
        let expected = uscc_check_char(&code[..17]).expect("characters checked above");
        let found = code.as_bytes()[17] as char;
        if expected != found {
            return Err(UsccError::CheckDigit { expected, found });
        }
        Ok(Self(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit administrative division code (positions 3–8) of the registering
    /// authority, e.g. `350100` for Fuzhou.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> Self {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `91350100M000100Y43` is the example code printed in the GB 32100-2015 explanatory
    /// material. By hand: the weighted sum of its first 17 characters (M = 21, Y = 30) is
    /// 1640; 1640 mod 31 = 28; 31 − 28 = 3 → '3', the printed check character.
    #[test]
    fn published_example_is_valid() {
        let sum: u32 =
            "91350100M000100Y4".bytes().enumerate().map(|(i, b)| value_of(b).unwrap() * WEIGHTS[i]).sum();
        assert_eq!(sum, 1640);
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        let code = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.division_code(), "350100");
    }

    #[test]
    fn wrong_check_character_is_named() {
        assert_eq!(
            Uscc::parse("91350100M000100Y44"),
            Err(UsccError::CheckDigit { expected: '3', found: '4' })
        );
    }

    #[test]
    fn forbidden_letters_and_length() {
        assert_eq!(Uscc::parse("91350100M000100I43"), Err(UsccError::Character { position: 16, ch: 'I' }));
        assert_eq!(Uscc::parse("9135010"), Err(UsccError::Length(7)));
    }

    #[test]
    fn weights_are_powers_of_three() {
        let mut w = 1;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }
}
