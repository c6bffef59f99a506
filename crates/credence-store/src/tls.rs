//! TLS for PostgreSQL connections (rustls with ring), configured in the URL the way libpq
//! reads it: `sslmode` = `disable`, `prefer` (the default: encrypted when the server offers
//! it), `require` (encrypted, whoever answers), `verify-ca` (the server's certificate
//! chains to a trusted root) or `verify-full` (and names the host); `sslrootcert` names a
//! PEM file of trusted roots (a managed database's CA), else the system's roots are used.
//! As with libpq, `require` with `sslrootcert` verifies the chain.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};

use crate::StoreError;

/// How much of the server's identity is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The URL the driver reads (its own `sslmode`: disable, prefer or require) and the TLS
/// settings taken out of it.
#[derive(Debug)]
struct Split {
    url: String,
    mode: Mode,
    root_cert: Option<String>,
}

fn bad(url: &str, why: String) -> StoreError {
    StoreError::Tls { url: crate::redact(url), reason: why }
}

fn split(url: &str) -> Result<Split, StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let (mut mode, mut root_cert) = (Mode::Prefer, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "sslmode" => {
                mode = match v {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(bad(
                            url,
                            format!(
                                "sslmode `{other}` is not disable, prefer, require, verify-ca or verify-full"
                            ),
                        ));
                    }
                }
            }
            "sslrootcert" => root_cert = Some(percent_decode(v)),
            _ => kept.push(pair.to_owned()),
        }
    }
    if mode == Mode::Require && root_cert.is_some() {
        mode = Mode::VerifyCa;
    }
    let driver_mode = match mode {
        Mode::Disable => "disable",
        Mode::Prefer => "prefer",
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => "require",
    };
    kept.push(format!("sslmode={driver_mode}"));
    Ok(Split { url: format!("{base}?{}", kept.join("&")), mode, root_cert })
}

/// `%2F` and the like in a URL's query value.
fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) if hex.iter().all(u8::is_ascii_hexdigit) => {
                let h = std::str::from_utf8(hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(h.unwrap_or(b'%'));
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Connects to PostgreSQL with the TLS the URL asks for.
pub(crate) fn connect(url: &str) -> Result<postgres::Client, StoreError> {
    let split = split(url)?;
    let failed = |source| StoreError::ConnectPostgres { url: crate::redact(url), source };
    if split.mode == Mode::Disable {
        return postgres::Client::connect(&split.url, postgres::NoTls).map_err(failed);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match split.mode {
        Mode::Disable | Mode::Prefer | Mode::Require => Arc::new(Unverified(provider.clone())),
        Mode::VerifyCa | Mode::VerifyFull => {
            let roots = roots(url, split.root_cert.as_deref())?;
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                provider.clone(),
            )
            .build()
            .map_err(|e| bad(url, format!("the trusted roots cannot be used: {e}")))?;
            if split.mode == Mode::VerifyCa { Arc::new(ChainOnly(webpki)) } else { webpki }
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(url, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    postgres::Client::connect(&split.url, tokio_postgres_rustls::MakeRustlsConnect::new(config))
        .map_err(failed)
}

/// The roots a server's certificate must chain to: the file's, else the system's.
fn roots(url: &str, file: Option<&str>) -> Result<rustls::RootCertStore, StoreError> {
    let mut store = rustls::RootCertStore::empty();
    let certs: Vec<CertificateDer<'static>> = match file {
        Some(path) => CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| bad(url, format!("cannot read the root certificates in {path}: {e}")))?,
        None => rustls_native_certs::load_native_certs().certs,
    };
    let (added, _) = store.add_parsable_certificates(certs);
    if added == 0 {
        let whence = file.map_or_else(|| "the system's certificate store".to_owned(), |p| p.to_owned());
        return Err(bad(url, format!("no usable root certificate in {whence}")));
    }
    Ok(store)
}

/// `require` and `prefer`: the connection is encrypted and the handshake's signatures are
/// checked, but not who signed the server's certificate (libpq's meaning of the modes).
#[derive(Debug)]
struct Unverified(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libpq's modes are read from the URL and the driver gets only the ones it knows;
    /// other parameters are kept, the root file's path is decoded.
    #[test]
    fn the_url_says_how_to_connect() {
        let s = split("postgres://u:p@db:5432/credit?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x")
            .unwrap();
        assert_eq!(s.mode, Mode::VerifyFull);
        assert_eq!(s.root_cert.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(s.url, "postgres://u:p@db:5432/credit?application_name=x&sslmode=require");
        let s = split("postgres://db/credit").unwrap();
        assert_eq!((s.mode, s.url.as_str()), (Mode::Prefer, "postgres://db/credit?sslmode=prefer"));
        let s = split("postgres://db/credit?sslmode=require&sslrootcert=ca.pem").unwrap();
        assert_eq!(s.mode, Mode::VerifyCa);
        let e = split("postgres://u:secret@db/credit?sslmode=verify").unwrap_err().to_string();
        assert!(e.contains("`verify` is not disable") && !e.contains("secret"), "{e}");
    }
}
