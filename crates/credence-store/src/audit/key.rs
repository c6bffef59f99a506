//! The audit chain's key and its message authentication codes: HMAC-SHA-256 or HMAC-SM3
//! (GB/T 32905-2016, the 国密 hash), with a key that lives outside the database.
//!
//! A key file is one line, `credence-audit-key 1 <algorithm> <secret in hex>`, created
//! readable by its owner only. A key is named by its id, a hash of the algorithm and the
//! secret, which each record stores so that records written under an earlier key (or
//! none) stay verifiable when the key changes.

use std::io::Write;
use std::path::Path;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// How a record's MAC is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MacAlgorithm {
    /// No key: SHA-256 over the record (records written before the chain was keyed).
    #[serde(rename = "sha256")]
    Sha256,
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    #[serde(rename = "hmac-sm3")]
    HmacSm3,
}

impl MacAlgorithm {
    pub const KEYED: [MacAlgorithm; 2] = [MacAlgorithm::HmacSha256, MacAlgorithm::HmacSm3];

    pub fn code(self) -> &'static str {
        match self {
            MacAlgorithm::Sha256 => "sha256",
            MacAlgorithm::HmacSha256 => "hmac-sha256",
            MacAlgorithm::HmacSm3 => "hmac-sm3",
        }
    }

    pub fn parse(text: &str) -> Option<MacAlgorithm> {
        [MacAlgorithm::Sha256, MacAlgorithm::HmacSha256, MacAlgorithm::HmacSm3]
            .into_iter()
            .find(|a| a.code() == text)
    }

    pub fn is_keyed(self) -> bool {
        self != MacAlgorithm::Sha256
    }
}

/// Why a key could not be read, made or used.
#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    #[error("the audit key needs at least {MIN_SECRET_BYTES} bytes of secret, {found} given")]
    TooShort { found: usize },
    #[error("the audit key must be hexadecimal")]
    NotHex(#[source] hex::FromHexError),
    #[error("'{0}' is not a keyed MAC algorithm; expected hmac-sha256 or hmac-sm3")]
    UnknownAlgorithm(String),
    #[error(
        "{path} is not an audit key file (expected one line `credence-audit-key 1 <algorithm> <hex secret>`)"
    )]
    BadFile { path: String },
    #[error("cannot read the audit key file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the audit key file {path}")]
    Create {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the operating system gave no random bytes for a new audit key")]
    Random(#[source] getrandom::Error),
}

/// The fewest secret bytes a key may have: the output size of both hashes.
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret MAC key and its algorithm.
#[derive(Clone)]
pub struct AuditKey {
    algorithm: MacAlgorithm,
    secret: Vec<u8>,
    id: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, not even in a debug print.
        f.debug_struct("AuditKey").field("algorithm", &self.algorithm).field("id", &self.id).finish()
    }
}

const FILE_TAG: &str = "credence-audit-key";

impl AuditKey {
    pub fn new(algorithm: MacAlgorithm, secret: Vec<u8>) -> Result<AuditKey, AuditKeyError> {
        if !algorithm.is_keyed() {
            return Err(AuditKeyError::UnknownAlgorithm(algorithm.code().into()));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AuditKeyError::TooShort { found: secret.len() });
        }
        let mut h = Sha256::new();
        h.update(b"credence audit key id\0");
        h.update(algorithm.code().as_bytes());
        h.update(b"\0");
        h.update(&secret);
        let id = hex::encode(&h.finalize()[..8]);
        Ok(AuditKey { algorithm, secret, id })
    }

    /// A key from its secret in hex (an environment variable's value).
    pub fn from_hex(algorithm: MacAlgorithm, text: &str) -> Result<AuditKey, AuditKeyError> {
        AuditKey::new(algorithm, hex::decode(text.trim()).map_err(AuditKeyError::NotHex)?)
    }

    /// A new random key of 32 bytes.
    pub fn generate(algorithm: MacAlgorithm) -> Result<AuditKey, AuditKeyError> {
        let mut secret = vec![0u8; MIN_SECRET_BYTES];
        getrandom::fill(&mut secret).map_err(AuditKeyError::Random)?;
        AuditKey::new(algorithm, secret)
    }

    pub fn algorithm(&self) -> MacAlgorithm {
        self.algorithm
    }

    /// Names the key without revealing it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads a key file.
    pub fn read_file(path: &Path) -> Result<AuditKey, AuditKeyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| AuditKeyError::Read { path: shown.clone(), source })?;
        let bad = || AuditKeyError::BadFile { path: shown.clone() };
        let words: Vec<&str> = text.split_whitespace().collect();
        let [tag, "1", algorithm, secret] = words.as_slice() else { return Err(bad()) };
        if *tag != FILE_TAG {
            return Err(bad());
        }
        let algorithm = MacAlgorithm::parse(algorithm)
            .ok_or_else(|| AuditKeyError::UnknownAlgorithm((*algorithm).into()))?;
        AuditKey::from_hex(algorithm, secret)
    }

    /// Reads the key file at `path`, or creates it with a new key of `algorithm` when it
    /// does not exist (`true`: created). The file is created readable by its owner only,
    /// and never overwritten.
    pub fn read_or_create(path: &Path, algorithm: MacAlgorithm) -> Result<(AuditKey, bool), AuditKeyError> {
        if path.exists() {
            return Ok((AuditKey::read_file(path)?, false));
        }
        let key = AuditKey::generate(algorithm)?;
        let create = |source| AuditKeyError::Create { path: path.display().to_string(), source };
        let mut file = crate::files::create_private(path, false).map_err(create)?;
        writeln!(file, "{FILE_TAG} 1 {} {}", algorithm.code(), hex::encode(&key.secret)).map_err(create)?;
        file.sync_all().map_err(create)?;
        Ok((key, true))
    }

    /// The MAC of `message` under this key, in hex.
    pub fn mac_hex(&self, message: &[u8]) -> String {
        mac_hex(self.algorithm, &self.secret, message)
    }
}

/// HMAC of `message` under `secret` with the algorithm's hash (plain SHA-256 for the
/// unkeyed algorithm), in hex.
fn mac_hex(algorithm: MacAlgorithm, secret: &[u8], message: &[u8]) -> String {
    match algorithm {
        MacAlgorithm::Sha256 => hex::encode(Sha256::digest(message)),
        MacAlgorithm::HmacSha256 => {
            let mut m = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
            m.update(message);
            hex::encode(m.finalize().into_bytes())
        }
        MacAlgorithm::HmacSm3 => {
            let mut m =
                hmac::Hmac::<sm3::Sm3>::new_from_slice(secret).expect("HMAC takes keys of any length");
            m.update(message);
            hex::encode(m.finalize().into_bytes())
        }
    }
}

/// Plain SHA-256 of `message`, in hex: what unkeyed records and checkpoints carry.
pub(crate) fn plain_hash_hex(message: &[u8]) -> String {
    mac_hex(MacAlgorithm::Sha256, &[], message)
}

/// Fields joined so that no two different lists give the same bytes: each is preceded by
/// its length.
pub(crate) fn framed<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_le_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_SECRET: &[u8; 32] = b"credence audit key, 32 bytes!!!!";

    /// GB/T 32905-2016, appendix A.1: SM3("abc").
    #[test]
    fn sm3_matches_the_standard_example() {
        use sm3::Digest as _;
        assert_eq!(
            hex::encode(sm3::Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    /// Reference values from Python 3 `hmac.new(key, b"abc", "sm3")` and `"sha256"` on
    /// OpenSSL 3.0.19, with the 32-byte key `credence audit key, 32 bytes!!!!`.
    #[test]
    fn hmacs_match_openssl() {
        let sm3 = AuditKey::new(MacAlgorithm::HmacSm3, TEST_SECRET.to_vec()).unwrap();
        assert_eq!(sm3.mac_hex(b"abc"), "76df8d739d6eb0efbd8e3211c3ff7b376eade3e6145431926ba1d80490e08827");
        let sha = AuditKey::new(MacAlgorithm::HmacSha256, TEST_SECRET.to_vec()).unwrap();
        assert_eq!(sha.mac_hex(b"abc"), "808228aba2db258cba1be21b4d1ba453de30148f9e2e6e16e769f18150e12c28");
        assert_ne!(sm3.id(), sha.id(), "the id names the algorithm too");
    }

    #[test]
    fn short_or_unkeyed_keys_are_refused() {
        assert!(matches!(
            AuditKey::new(MacAlgorithm::HmacSha256, vec![1; 16]),
            Err(AuditKeyError::TooShort { found: 16 })
        ));
        assert!(AuditKey::new(MacAlgorithm::Sha256, vec![1; 32]).is_err());
        assert!(matches!(AuditKey::from_hex(MacAlgorithm::HmacSm3, "zz"), Err(AuditKeyError::NotHex(_))));
    }

    #[test]
    fn key_files_are_created_private_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let (made, created) = AuditKey::read_or_create(&path, MacAlgorithm::HmacSm3).unwrap();
        assert!(created);
        let (read, created) = AuditKey::read_or_create(&path, MacAlgorithm::HmacSha256).unwrap();
        assert!(!created, "an existing key is never replaced");
        assert_eq!((read.id(), read.algorithm()), (made.id(), MacAlgorithm::HmacSm3));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{read:?}").contains(&hex::encode(&read.secret)));
        std::fs::write(&path, "something else").unwrap();
        assert!(matches!(AuditKey::read_file(&path), Err(AuditKeyError::BadFile { .. })));
    }
}
