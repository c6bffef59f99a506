//! Compact storage of party ids and names: one string buffer per table instead of one
//! allocation per party, and a fast hash for interning.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Ids and names: one buffer, one end offset per string.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrTable {
    text: String,
    ends: Vec<u32>,
}

impl StrTable {
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(u32::try_from(self.text.len()).expect("id and name text stays below 4 GiB"));
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// FNV-1a over the id bytes: ids are short and trusted, so a cryptographic hash would
/// only slow interning of millions of ids down.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type IdMap = HashMap<Box<str>, u32, BuildHasherDefault<IdHasher>>;
