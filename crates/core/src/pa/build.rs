//! Encoding and signing of security objects: what a card issuer (and the
//! virtual card) writes into EF.SOD and EF.CardSecurity.

use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer};

use crate::asn1::{self, Oid, INTEGER, OCTET_STRING, SEQUENCE, SET};
use crate::error::{Error, OpensslContext};
use crate::tlv;

use super::algorithm::{DigestAlgorithm, SignatureScheme};
use super::certificate::Certificate;
use super::cms::{self, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME, SOD_TAG};
use super::lds::{self, LdsSecurityObject};
use super::time;
use super::trust::pem_or_der_blocks;

/// A Document Signer: the private key and its certificate.
pub struct DocumentSigner {
    key: PKey<Private>,
    certificate: Certificate,
}

impl std::fmt::Debug for DocumentSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocumentSigner({:?}, <private key redacted>)", self.certificate)
    }
}

impl DocumentSigner {
    /// Pairs a key with its certificate; fails if they do not belong together.
    pub fn new(key: PKey<Private>, certificate_der: &[u8]) -> Result<Self, Error> {
        let certificate = Certificate::from_der(certificate_der)?;
        if !certificate.public_key().public_eq(&key) {
            return Err(Error::ApiMisuse("the private key does not match the certificate"));
        }
        Ok(Self { key, certificate })
    }

    /// Reads a PEM private key (PKCS#8 or traditional) and a PEM or DER certificate.
    pub fn from_pem(key_pem: &[u8], certificate: &[u8]) -> Result<Self, Error> {
        let key = PKey::private_key_from_pem(key_pem).context("parse Document Signer private key")?;
        let der = pem_or_der_blocks(certificate, "CERTIFICATE")?
            .into_iter()
            .next()
            .ok_or(Error::ApiMisuse("no certificate in the PEM input"))?;
        Self::new(key, &der)
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
}

/// How a SignedData is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignOptions {
    /// The SignerInfo digest algorithm and the hash of the signature.
    pub digest: DigestAlgorithm,
    /// The `signingTime` attribute, in seconds since the Unix epoch; `None`
    /// leaves the attribute out.
    pub signing_time: Option<i64>,
    /// Sign with RSASSA-PSS (MGF1 with the same hash, salt as long as the
    /// hash) instead of PKCS#1 v1.5. Only for RSA keys.
    pub rsa_pss: bool,
    /// Name the signer by subject key identifier (SignerInfo version 3)
    /// instead of issuer and serial number (version 1).
    pub subject_key_identifier: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            digest: DigestAlgorithm::Sha256,
            signing_time: None,
            rsa_pss: false,
            subject_key_identifier: false,
        }
    }
}

/// Encodes the `LDSSecurityObject` (version 0) over the given data groups,
/// each given as (number, bytes of the whole DG).
pub fn encode_lds_security_object<'d>(
    hash_algorithm: DigestAlgorithm,
    data_groups: impl IntoIterator<Item = (u8, &'d [u8])>,
) -> Result<Vec<u8>, Error> {
    let lds = LdsSecurityObject::hash_data_groups(hash_algorithm, data_groups).context("hash data groups")?;
    Ok(lds.encode())
}

/// Builds an EF.SOD: the LDS security object over `data_groups`, signed into
/// a `ContentInfo` and wrapped in tag `77`.
pub fn build_sod<'d>(
    signer: &DocumentSigner,
    hash_algorithm: DigestAlgorithm,
    data_groups: impl IntoIterator<Item = (u8, &'d [u8])>,
    options: &SignOptions,
) -> Result<Vec<u8>, Error> {
    let lds = encode_lds_security_object(hash_algorithm, data_groups)?;
    let content_type = Oid::parse(lds::ID_LDS_SECURITY_OBJECT)?;
    let content_info = sign_content(signer, &content_type, &lds, options)?;
    Ok(wrap_sod(&content_info))
}

/// Builds EF.CardSecurity: the DER `SecurityInfos` signed into a `ContentInfo`
/// with eContentType id-SecurityObject. EF.CardSecurity has no `77` wrapper.
pub fn build_card_security(
    signer: &DocumentSigner,
    security_infos: &[u8],
    options: &SignOptions,
) -> Result<Vec<u8>, Error> {
    let content_type = Oid::parse(lds::ID_SECURITY_OBJECT)?;
    sign_content(signer, &content_type, security_infos, options)
}

/// Wraps a `ContentInfo` in the EF.SOD application tag `77`.
pub fn wrap_sod(content_info: &[u8]) -> Vec<u8> {
    tlv::tlv(SOD_TAG, content_info)
}

/// Signs `content` into a DER `ContentInfo` holding a `SignedData` version 3
/// with one SignerInfo, the signer's certificate and the signed attributes
/// contentType, messageDigest and (if given) signingTime.
pub fn sign_content(
    signer: &DocumentSigner,
    content_type: &Oid,
    content: &[u8],
    options: &SignOptions,
) -> Result<Vec<u8>, Error> {
    let digest = options.digest;
    let scheme = match signer.key.id() {
        Id::EC => SignatureScheme::Ecdsa { digest },
        Id::RSA if options.rsa_pss => SignatureScheme::RsaPss {
            digest,
            mgf1_digest: digest,
            salt_length: digest.output_len() as u32,
        },
        Id::RSA => SignatureScheme::RsaPkcs1 { digest },
        _ => return Err(Error::ApiMisuse("Document Signer keys must be EC or RSA keys")),
    };
    if options.rsa_pss && signer.key.id() != Id::RSA {
        return Err(Error::ApiMisuse("RSA-PSS needs an RSA key"));
    }

    let content_digest = digest.hash(content).context("hash eContent")?;
    let signed_attributes = encode_signed_attributes(content_type, &content_digest, options.signing_time)?;
    let signature = sign(&signer.key, scheme, &signed_attributes)?;

    let mut signer_info = Vec::new();
    tlv::write_constructed(&mut signer_info, SEQUENCE, |body| {
        let certificate = &signer.certificate;
        match (options.subject_key_identifier, certificate.subject_key_id()) {
            (true, Some(key_id)) => {
                asn1::write_unsigned(body, 3);
                tlv::write_tlv(body, asn1::context_primitive(0), key_id);
            }
            _ => {
                asn1::write_unsigned(body, 1);
                tlv::write_constructed(body, SEQUENCE, |sid| {
                    sid.extend_from_slice(certificate.issuer_der());
                    tlv::write_tlv(sid, INTEGER, certificate.serial());
                });
            }
        }
        digest.encode_identifier(body);
        // The signed attributes go out with the [0] IMPLICIT tag in place of
        // the SET tag they were signed with.
        let mut implicit = signed_attributes.clone();
        if let Some(first) = implicit.first_mut() {
            *first = asn1::context_constructed(0).0 as u8;
        }
        body.extend_from_slice(&implicit);
        scheme.encode_identifier(body);
        tlv::write_tlv(body, OCTET_STRING, &signature);
    });
    if options.subject_key_identifier && signer.certificate.subject_key_id().is_none() {
        return Err(Error::ApiMisuse("the signer certificate has no subject key identifier"));
    }

    let mut signed_data = Vec::new();
    tlv::write_constructed(&mut signed_data, SEQUENCE, |body| {
        asn1::write_unsigned(body, 3);
        tlv::write_constructed(body, SET, |set| digest.encode_identifier(set));
        tlv::write_constructed(body, SEQUENCE, |encapsulated| {
            content_type.encode(encapsulated);
            tlv::write_constructed(encapsulated, asn1::context_constructed(0), |explicit| {
                tlv::write_tlv(explicit, OCTET_STRING, content);
            });
        });
        tlv::write_constructed(body, asn1::context_constructed(0), |certificates| {
            certificates.extend_from_slice(signer.certificate.der());
        });
        tlv::write_constructed(body, SET, |set| set.extend_from_slice(&signer_info));
    });

    let mut content_info = Vec::new();
    tlv::write_constructed(&mut content_info, SEQUENCE, |body| {
        Oid::parse(cms::ID_SIGNED_DATA)
            .unwrap_or_else(|_| unreachable!("id-signedData is a valid constant"))
            .encode(body);
        tlv::write_tlv(body, asn1::context_constructed(0), &signed_data);
    });
    Ok(content_info)
}

/// Encodes the signed attributes as a DER `SET OF Attribute`, sorted by
/// their encodings as X.690 §11.6 requires.
fn encode_signed_attributes(content_type: &Oid, digest: &[u8], signing_time: Option<i64>) -> Result<Vec<u8>, Error> {
    let attribute = |oid: &str, value: &[u8]| -> Result<Vec<u8>, Error> {
        let oid = Oid::parse(oid)?;
        let mut out = Vec::new();
        tlv::write_constructed(&mut out, SEQUENCE, |body| {
            oid.encode(body);
            tlv::write_tlv(body, SET, value);
        });
        Ok(out)
    };
    let mut attributes = vec![
        attribute(ID_CONTENT_TYPE, &content_type.to_der())?,
        attribute(ID_MESSAGE_DIGEST, &tlv::tlv(OCTET_STRING, digest))?,
    ];
    if let Some(at) = signing_time {
        let mut encoded = Vec::new();
        time::encode_time(at, &mut encoded);
        attributes.push(attribute(ID_SIGNING_TIME, &encoded)?);
    }
    attributes.sort();
    Ok(tlv::tlv(SET, &attributes.concat()))
}

fn sign(key: &PKey<Private>, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
    let mut signer = Signer::new(scheme.digest().message_digest(), key).context("start signature")?;
    if let SignatureScheme::RsaPss {
        mgf1_digest,
        salt_length,
        ..
    } = scheme
    {
        let salt = i32::try_from(salt_length).map_err(|_| Error::ApiMisuse("salt length too large"))?;
        signer.set_rsa_padding(Padding::PKCS1_PSS).context("select RSA-PSS")?;
        signer
            .set_rsa_mgf1_md(mgf1_digest.message_digest())
            .context("select MGF1 hash")?;
        signer
            .set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt))
            .context("set PSS salt length")?;
    }
    signer.sign_oneshot_to_vec(message).context("sign signed attributes")
}
