//! Certificates made by the tests themselves, and an HTTPS flavour of the
//! scripted server that presents them.
//!
//! Include it after `scripted`: `#[path = "support/tls.rs"] mod tls;`.
#![allow(dead_code)]

use crate::scripted::{Acceptor, Reply, Server, Stream};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A certificate authority that exists only for one test, with its
/// certificate written to a PEM file that is removed when this is dropped.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pub pem_path: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();

        static FILES: AtomicUsize = AtomicUsize::new(0);
        let pem_path = std::env::temp_dir().join(format!(
            "auth-test-ca-{}-{}.pem",
            std::process::id(),
            FILES.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::write(&pem_path, cert.pem()).unwrap();
        TestCa {
            issuer: Issuer::new(params, key),
            der: cert.der().clone(),
            pem_path,
        }
    }

    /// A server certificate for `names` (DNS names or IP addresses) signed
    /// by this CA, with its key.
    pub fn server_certificate(
        &self,
        names: &[&str],
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "test server");
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone(), self.der.clone()], key_der)
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pem_path);
    }
}

/// A scripted server on 127.0.0.1 speaking HTTPS with a certificate for
/// `names` from `ca`.
pub fn https_server<R: Into<Reply>>(
    ca: &TestCa,
    names: &[&str],
    script: impl IntoIterator<Item = R>,
) -> Server {
    let (chain, key) = ca.server_certificate(names);
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let config = Arc::new(config);
    let acceptor: Acceptor = Arc::new(move |socket| {
        let session =
            rustls::ServerConnection::new(config.clone()).map_err(std::io::Error::other)?;
        Ok(Box::new(rustls::StreamOwned::new(session, socket)) as Box<dyn Stream>)
    });
    Server::start_with("127.0.0.1", "https", acceptor, script)
}
