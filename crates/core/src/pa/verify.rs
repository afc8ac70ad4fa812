//! Passive Authentication (ICAO 9303-11 §5.1) of EF.SOD, and the same
//! signature and chain checks for EF.CardSecurity (TR-03110-3 §A.1.2) and
//! CSCA master lists (ICAO 9303-12 §9).

use std::collections::BTreeSet;

use crate::asn1::{Oid, OCTET_STRING};

use super::algorithm::{self, DigestAlgorithm, SignatureScheme};
use super::certificate::{hex, Certificate, KEY_USAGE_DIGITAL_SIGNATURE};
use super::check::{Check, Detail, SignerSummary, Verification};
use super::cms::{self, SignedData, SignerIdentifier, SignerInfo};
use super::key::SignatureFailure;
use super::lds::{self, LdsSecurityObject};
use super::policy::{CrlPolicy, Policy, ValidityTime};
use super::time::{self, format_iso8601};
use super::trust::{CertificateRole, IssuerOutcome, RevocationOutcome, SignerValidation, TrustStore};

/// The kind of signed object under verification, which fixes the expected
/// eContentType and the prefix of the check names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedObjectKind {
    /// EF.SOD: an `LDSSecurityObject` signed by a Document Signer.
    DocumentSecurityObject,
    /// EF.CardSecurity: `SecurityInfos` signed by a Document Signer.
    CardSecurity,
    /// A CSCA master list signed by a Master List Signer.
    MasterList,
}

impl SignedObjectKind {
    /// Returns the prefix of the checks on the signed object itself.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::DocumentSecurityObject => "sod",
            Self::CardSecurity => "card_security",
            Self::MasterList => "master_list",
        }
    }

    /// Returns the prefix of the checks on the signer certificate.
    pub fn signer_prefix(self) -> &'static str {
        match self {
            Self::DocumentSecurityObject | Self::CardSecurity => "ds",
            Self::MasterList => "ml_signer",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::DocumentSecurityObject => lds::ID_LDS_SECURITY_OBJECT,
            Self::CardSecurity => lds::ID_SECURITY_OBJECT,
            Self::MasterList => lds::ID_CSCA_MASTER_LIST,
        }
    }
}

/// Returns the current time in seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    elapsed.map_or(0, |duration| i64::try_from(duration.as_secs()).unwrap_or(i64::MAX))
}

/// Runs Passive Authentication of an EF.SOD (with or without its `77` tag)
/// over the data groups read, given as (number, bytes of the whole DG).
/// `now` is the verification time in seconds since the Unix epoch.
pub fn verify_sod(
    sod: &[u8],
    data_groups: &[(u8, &[u8])],
    trust: &TrustStore,
    policy: &Policy,
    now: i64,
) -> Verification {
    verify_signed_object(
        SignedObjectKind::DocumentSecurityObject,
        sod,
        data_groups,
        trust,
        policy,
        now,
    )
}

/// Verifies the signature and signer chain of EF.CardSecurity and checks
/// that its content is a `SET OF SecurityInfo`, returned in `content`.
pub fn verify_card_security(bytes: &[u8], trust: &TrustStore, policy: &Policy, now: i64) -> Verification {
    verify_signed_object(SignedObjectKind::CardSecurity, bytes, &[], trust, policy, now)
}

/// Verifies a CSCA master list's signature and its signer's chain to the
/// CSCAs of `trust`. The `CscaMasterList` is returned in `content`.
pub fn verify_master_list(bytes: &[u8], trust: &TrustStore, policy: &Policy, now: i64) -> Verification {
    verify_signed_object(SignedObjectKind::MasterList, bytes, &[], trust, policy, now)
}

fn verify_signed_object(
    kind: SignedObjectKind,
    bytes: &[u8],
    data_groups: &[(u8, &[u8])],
    trust: &TrustStore,
    policy: &Policy,
    now: i64,
) -> Verification {
    let prefix = kind.prefix();
    let mut result = Verification::default();

    let signed = match cms::decode_signed_data(bytes) {
        Ok(signed) => signed,
        Err(error) => {
            result.push(Check::fail(format!("{prefix}.format"), malformed(error)));
            return result.conclude();
        }
    };
    let [signer] = signed.signer_infos.as_slice() else {
        let detail = Detail::new("malformed").with(
            "error",
            format!(
                "SignerInfos: exactly one SignerInfo expected, found {}",
                signed.signer_infos.len()
            ),
        );
        result.push(Check::fail(format!("{prefix}.format"), detail));
        return result.conclude();
    };
    result.push(Check::pass(
        format!("{prefix}.format"),
        Detail::new("decoded").with("structure", format!("SignedData version {}", signed.version)),
    ));

    check_content_type(kind, &signed, &mut result);
    check_digest_algorithms(kind, &signed, signer, &mut result);
    let lds = check_content(kind, &signed, &mut result);

    let signer_digest = algorithm::digest_algorithm(&signer.digest_algorithm);
    let scheme = check_algorithms(kind, signer, signer_digest, lds.as_ref(), policy, &mut result);
    let signing_time = check_signed_attributes(kind, &signed, signer, signer_digest, policy, &mut result);
    result.signing_time = signing_time;

    let Some(validation) = find_signer(kind, &signed, signer, trust, &mut result) else {
        result.lds = lds;
        return result.conclude();
    };
    let certificate = &validation.certificate;
    result.signer = Some(SignerSummary {
        subject: certificate.subject_text().to_owned(),
        issuer: certificate.issuer_text().to_owned(),
        serial: certificate.serial_hex().to_owned(),
        fingerprint: hex(certificate.fingerprint()),
        not_before: certificate.not_before(),
        not_after: certificate.not_after(),
    });

    if let Some(scheme) = scheme {
        check_signature(kind, signer, scheme, &validation, &mut result);
    }
    check_chain(kind, &validation, policy, now, signing_time, &mut result);

    if let Some(lds) = &lds {
        if kind == SignedObjectKind::DocumentSecurityObject {
            check_data_groups(lds, data_groups, policy, &mut result);
        }
    }
    if kind != SignedObjectKind::DocumentSecurityObject {
        result.content = signed.content.into_owned();
    }
    result.lds = lds;
    result.conclude()
}

fn malformed(error: impl ToString) -> Detail {
    Detail::new("malformed").with("error", error.to_string())
}

fn check_content_type(kind: SignedObjectKind, signed: &SignedData<'_>, result: &mut Verification) {
    let name = format!("{}.content_type", kind.prefix());
    let found = signed.content_type.to_string();
    if found == kind.content_type() {
        result.push(Check::pass(name, Detail::new("content_type").with("oid", found)));
    } else {
        let detail = Detail::new("content_type_mismatch")
            .with("expected", kind.content_type())
            .with("found", found);
        result.push(Check::fail(name, detail));
    }
}

/// Checks that `SignedData.digestAlgorithms` lists the SignerInfo's
/// digestAlgorithm, as RFC 5652 §5.1 requires of the set. The set is not
/// signed, so a mismatch means the structure was altered or badly built.
fn check_digest_algorithms(
    kind: SignedObjectKind,
    signed: &SignedData<'_>,
    signer: &SignerInfo<'_>,
    result: &mut Verification,
) {
    let name = format!("{}.digest_algorithms", kind.prefix());
    let expected = &signer.digest_algorithm.oid;
    let listed: Vec<String> = signed
        .digest_algorithms
        .iter()
        .map(|algorithm| algorithm.oid.to_string())
        .collect();
    if signed
        .digest_algorithms
        .iter()
        .any(|algorithm| algorithm.oid == *expected)
    {
        let detail = Detail::new("digest_algorithm_listed").with("oid", expected.to_string());
        result.push(Check::pass(name, detail));
    } else {
        let listed = if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join(", ")
        };
        let detail = Detail::new("digest_algorithm_not_listed")
            .with("oid", expected.to_string())
            .with("listed", listed);
        result.push(Check::fail(name, detail));
    }
}

/// Decodes the signed content and returns the LDS security object of an EF.SOD.
fn check_content(
    kind: SignedObjectKind,
    signed: &SignedData<'_>,
    result: &mut Verification,
) -> Option<LdsSecurityObject> {
    match kind {
        SignedObjectKind::DocumentSecurityObject => match LdsSecurityObject::decode(&signed.content) {
            Ok(lds) => {
                let structure = format!("LDSSecurityObject version {}", lds.version);
                result.push(Check::pass(
                    "lds.format",
                    Detail::new("decoded").with("structure", structure),
                ));
                Some(lds)
            }
            Err(error) => {
                result.push(Check::fail("lds.format", malformed(error)));
                None
            }
        },
        SignedObjectKind::CardSecurity => {
            let check = match lds::decode_security_info_protocols(&signed.content) {
                Ok(protocols) => Check::pass(
                    "card_security.security_infos",
                    Detail::new("security_infos").with("count", protocols.len().to_string()),
                ),
                Err(error) => Check::fail("card_security.security_infos", malformed(error)),
            };
            result.push(check);
            None
        }
        SignedObjectKind::MasterList => {
            let check = match lds::decode_master_list(&signed.content) {
                Ok(certificates) => Check::pass(
                    "master_list.certificates",
                    Detail::new("certificate_list").with("count", certificates.len().to_string()),
                ),
                Err(error) => Check::fail("master_list.certificates", malformed(error)),
            };
            result.push(check);
            None
        }
    }
}

/// Checks that the digest and signature algorithms are known and allowed,
/// and returns the signature scheme when it is usable.
fn check_algorithms(
    kind: SignedObjectKind,
    signer: &SignerInfo<'_>,
    signer_digest: Option<DigestAlgorithm>,
    lds: Option<&LdsSecurityObject>,
    policy: &Policy,
    result: &mut Verification,
) -> Option<SignatureScheme> {
    let name = format!("{}.digest_algorithm", kind.prefix());
    let Some(signer_digest) = signer_digest else {
        let error = format!("SignerInfo digestAlgorithm {}", signer.digest_algorithm.oid);
        result.push(Check::fail(
            name,
            Detail::new("algorithm_unsupported").with("error", error),
        ));
        return None;
    };
    let scheme = match algorithm::signature_scheme(&signer.signature_algorithm, signer_digest) {
        Ok(scheme) => scheme,
        Err(error) => {
            result.push(Check::fail(
                name,
                Detail::new("algorithm_unsupported").with("error", error.to_string()),
            ));
            return None;
        }
    };
    let mut used = BTreeSet::from([signer_digest, scheme.digest()]);
    if let SignatureScheme::RsaPss { mgf1_digest, .. } = scheme {
        used.insert(mgf1_digest);
    }
    result.push(digest_check(name, used, policy));
    if let Some(lds) = lds {
        result.push(digest_check(
            "lds.hash_algorithm".to_owned(),
            BTreeSet::from([lds.hash_algorithm]),
            policy,
        ));
    }
    Some(scheme)
}

fn digest_check(name: String, used: BTreeSet<DigestAlgorithm>, policy: &Policy) -> Check {
    let names: Vec<&str> = used.iter().map(|digest| digest.name()).collect();
    let algorithm = names.join(", ");
    if used.iter().all(|digest| policy.allows(*digest)) {
        Check::pass(name, Detail::new("algorithm_allowed").with("algorithm", algorithm))
    } else {
        let detail = Detail::new("algorithm_not_allowed")
            .with("algorithm", algorithm)
            .with("allowed", policy.allowed_names());
        Check::fail(name, detail)
    }
}

/// Checks the contentType, messageDigest and signingTime attributes and
/// returns the signing time.
fn check_signed_attributes(
    kind: SignedObjectKind,
    signed: &SignedData<'_>,
    signer: &SignerInfo<'_>,
    signer_digest: Option<DigestAlgorithm>,
    policy: &Policy,
    result: &mut Verification,
) -> Option<i64> {
    let prefix = kind.prefix();
    let needs_signing_time = policy.validity_time == ValidityTime::SigningTime;
    let Some(attributes) = &signer.signed_attributes else {
        result.push(Check::fail(
            format!("{prefix}.signed_attributes"),
            Detail::new("signed_attributes_missing"),
        ));
        if needs_signing_time {
            result.push(Check::fail(
                format!("{prefix}.signing_time"),
                Detail::new("signing_time_missing"),
            ));
        }
        return None;
    };

    let name = format!("{prefix}.content_type_attribute");
    let check = match attributes.single_value(cms::ID_CONTENT_TYPE, "contentType attribute") {
        Ok(Some(value)) => match Oid::decode(value) {
            Ok(found) if found == signed.content_type => Check::pass(
                name,
                Detail::new("attribute_matches")
                    .with("attribute", "contentType")
                    .with("value", found.to_string()),
            ),
            Ok(found) => Check::fail(
                name,
                Detail::new("attribute_mismatch")
                    .with("attribute", "contentType")
                    .with("found", found.to_string())
                    .with("expected", signed.content_type.to_string()),
            ),
            Err(error) => Check::fail(name, attribute_malformed("contentType", error)),
        },
        Ok(None) => Check::fail(name, Detail::new("attribute_missing").with("attribute", "contentType")),
        Err(error) => Check::fail(name, attribute_malformed("contentType", error)),
    };
    result.push(check);

    let name = format!("{prefix}.message_digest");
    let check = match attributes.single_value(cms::ID_MESSAGE_DIGEST, "messageDigest attribute") {
        Ok(Some(value)) if value.tag == OCTET_STRING => match signer_digest {
            Some(digest) => match digest.hash(&signed.content) {
                Ok(actual) if *actual == *value.value => {
                    Check::pass(name, Detail::new("digest_matches").with("algorithm", digest.name()))
                }
                Ok(actual) => Check::fail(
                    name,
                    Detail::new("digest_mismatch")
                        .with("algorithm", digest.name())
                        .with("expected", hex(value.value))
                        .with("actual", hex(&actual)),
                ),
                Err(error) => Check::fail(name, malformed(error)),
            },
            None => Check::fail(
                name,
                Detail::new("algorithm_unsupported").with(
                    "error",
                    format!("SignerInfo digestAlgorithm {}", signer.digest_algorithm.oid),
                ),
            ),
        },
        Ok(Some(_)) => Check::fail(
            name,
            Detail::new("attribute_malformed")
                .with("attribute", "messageDigest")
                .with("error", "value is not an OCTET STRING"),
        ),
        Ok(None) => Check::fail(
            name,
            Detail::new("attribute_missing").with("attribute", "messageDigest"),
        ),
        Err(error) => Check::fail(name, attribute_malformed("messageDigest", error)),
    };
    result.push(check);

    let name = format!("{prefix}.signing_time");
    match attributes.single_value(cms::ID_SIGNING_TIME, "signingTime attribute") {
        Ok(Some(value)) => match time::decode_time(value) {
            Ok(at) => {
                let check = Check::pass(name, Detail::new("signing_time").with("time", format_iso8601(at)));
                result.push(check.required_if(needs_signing_time));
                Some(at)
            }
            Err(error) => {
                result.push(Check::fail(name, attribute_malformed("signingTime", error)));
                None
            }
        },
        Ok(None) => {
            if needs_signing_time {
                result.push(Check::fail(name, Detail::new("signing_time_missing")));
            }
            None
        }
        Err(error) => {
            result.push(Check::fail(name, attribute_malformed("signingTime", error)));
            None
        }
    }
}

fn attribute_malformed(attribute: &'static str, error: impl ToString) -> Detail {
    Detail::new("attribute_malformed")
        .with("attribute", attribute)
        .with("error", error.to_string())
}

/// Finds the certificate that the SignerInfo names among `certificates [0]`
/// and returns its validation against the trust store.
fn find_signer(
    kind: SignedObjectKind,
    signed: &SignedData<'_>,
    signer: &SignerInfo<'_>,
    trust: &TrustStore,
    result: &mut Verification,
) -> Option<std::sync::Arc<SignerValidation>> {
    let name = format!("{}.certificate", kind.signer_prefix());
    let mut parse_error = None;
    for raw in &signed.certificates {
        match trust.validate_signer(raw) {
            Ok(validation) if matches_sid(&validation.certificate, &signer.sid) => {
                let certificate = &validation.certificate;
                result.push(Check::pass(
                    name,
                    Detail::new("certificate_found")
                        .with("subject", certificate.subject_text())
                        .with("serial", certificate.serial_hex()),
                ));
                return Some(validation);
            }
            Ok(_) => {}
            Err(error) => parse_error = Some(error),
        }
    }
    let detail = match parse_error {
        Some(error) => Detail::new("certificate_malformed").with("error", error.to_string()),
        None => Detail::new("certificate_not_found").with("sid", describe_sid(&signer.sid)),
    };
    result.push(Check::fail(name, detail));
    None
}

fn matches_sid(certificate: &Certificate, sid: &SignerIdentifier<'_>) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            certificate.issuer_der() == *issuer && certificate.serial() == *serial
        }
        SignerIdentifier::SubjectKeyIdentifier(key_id) => certificate.subject_key_id() == Some(*key_id),
    }
}

fn describe_sid(sid: &SignerIdentifier<'_>) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber { serial, .. } => format!("issuer and serial number {}", hex(serial)),
        SignerIdentifier::SubjectKeyIdentifier(key_id) => format!("subject key identifier {}", hex(key_id)),
    }
}

fn check_signature(
    kind: SignedObjectKind,
    signer: &SignerInfo<'_>,
    scheme: SignatureScheme,
    validation: &SignerValidation,
    result: &mut Verification,
) {
    let name = format!("{}.signature", kind.prefix());
    // With signed attributes the signature covers their DER SET encoding,
    // otherwise the content itself (RFC 5652 §5.4).
    let signed_bytes;
    let message: &[u8] = match &signer.signed_attributes {
        Some(attributes) => {
            signed_bytes = attributes.signed_bytes();
            &signed_bytes
        }
        None => &[],
    };
    let key = validation.certificate.key_description();
    let outcome = if signer.signed_attributes.is_some() {
        validation.key.verify(scheme, message, signer.signature)
    } else {
        Err(SignatureFailure::Invalid)
    };
    let check = match outcome {
        Ok(()) => Check::pass(
            name,
            Detail::new("signature_valid")
                .with("scheme", scheme.describe())
                .with("key", key),
        ),
        Err(SignatureFailure::Invalid) => Check::fail(
            name,
            Detail::new("signature_invalid")
                .with("scheme", scheme.describe())
                .with("key", key),
        ),
        Err(SignatureFailure::KeyMismatch) => Check::fail(
            name,
            Detail::new("key_mismatch")
                .with("scheme", scheme.describe())
                .with("key", key),
        ),
    };
    result.push(check);
}

fn check_chain(
    kind: SignedObjectKind,
    validation: &SignerValidation,
    policy: &Policy,
    now: i64,
    signing_time: Option<i64>,
    result: &mut Verification,
) {
    let signer_prefix = kind.signer_prefix();
    let certificate = &validation.certificate;
    // The checks that do not depend on the time are built once per signer
    // and kind, and cloned afterwards.
    let cached = validation.static_checks(signer_prefix, || chain_checks(signer_prefix, validation));
    result.checks.extend(cached.iter().cloned());
    let path = match &validation.issuer {
        IssuerOutcome::NotAnchored { path } | IssuerOutcome::Chained { path } => Some(path),
        _ => None,
    };

    let moment = match policy.validity_time {
        ValidityTime::Now => Some((now, "now")),
        ValidityTime::At(at) => Some((at, "given time")),
        ValidityTime::SigningTime => signing_time.map(|at| (at, "signing time")),
    };
    if let Some((at, basis)) = moment {
        result.push(validity_check(
            format!("{signer_prefix}.validity"),
            certificate,
            at,
            basis,
        ));
        for trusted in path.into_iter().flatten() {
            let name = match trusted.role {
                CertificateRole::Anchor => "csca.validity",
                CertificateRole::Link => "csca.link_validity",
            };
            result.push(validity_check(name.to_owned(), &trusted.certificate, at, basis));
        }
    }

    if matches!(
        validation.issuer,
        IssuerOutcome::Chained { .. } | IssuerOutcome::NotAnchored { .. }
    ) {
        let crl_time = match policy.validity_time {
            ValidityTime::At(at) => at,
            _ => now,
        };
        result.push(revocation_check(
            format!("{signer_prefix}.crl_status"),
            validation,
            policy.crl,
            crl_time,
        ));
    }
}

/// Builds the checks of the signer chain that do not depend on the time:
/// the issuer, the certificate signatures, the link certificates and the
/// key usage.
fn chain_checks(signer_prefix: &str, validation: &SignerValidation) -> Vec<Check> {
    let mut checks = Vec::new();
    let certificate = &validation.certificate;
    let issuer_name = format!("{signer_prefix}.issuer");
    let signature_name = format!("{signer_prefix}.certificate_signature");
    match &validation.issuer {
        IssuerOutcome::NotFound => {
            let detail = Detail::new("issuer_not_trusted").with("issuer", certificate.issuer_text());
            checks.push(Check::fail(issuer_name, detail));
        }
        IssuerOutcome::SignatureInvalid { .. } => {
            checks.push(Check::pass(
                issuer_name,
                Detail::new("issuer_found").with("issuer", certificate.issuer_text()),
            ));
            let detail = Detail::new("certificate_signature_invalid").with("issuer", certificate.issuer_text());
            checks.push(Check::fail(signature_name, detail));
        }
        IssuerOutcome::NotAnchored { path } | IssuerOutcome::Chained { path } => {
            checks.push(Check::pass(
                issuer_name,
                Detail::new("issuer_found").with("issuer", certificate.issuer_text()),
            ));
            if let Some(direct) = path.first() {
                let detail =
                    Detail::new("certificate_signature_valid").with("issuer", direct.certificate.subject_text());
                checks.push(Check::pass(signature_name, detail));
            }
        }
    }
    if let IssuerOutcome::NotAnchored { path } = &validation.issuer {
        if let Some(link) = path.first() {
            let detail = Detail::new("link_not_anchored").with("subject", link.certificate.subject_text());
            checks.push(Check::fail("csca.link_signature", detail));
        }
    }
    if let IssuerOutcome::Chained { path } = &validation.issuer {
        for pair in path.windows(2) {
            if let [link, issuer] = pair {
                let detail = Detail::new("link_signature_valid")
                    .with("subject", link.certificate.subject_text())
                    .with("issuer", issuer.certificate.subject_text());
                checks.push(Check::pass("csca.link_signature", detail));
            }
        }
    }

    let key_usage_name = format!("{signer_prefix}.key_usage");
    match certificate.key_usage() {
        Some(usage) if usage & KEY_USAGE_DIGITAL_SIGNATURE == 0 => {
            checks.push(Check::fail(key_usage_name, Detail::new("key_usage_missing")));
        }
        _ => checks.push(Check::pass(key_usage_name, Detail::new("key_usage_ok"))),
    }

    checks
}

fn validity_check(name: String, certificate: &Certificate, at: i64, basis: &'static str) -> Check {
    let code = if at < certificate.not_before() {
        "not_yet_valid"
    } else if at > certificate.not_after() {
        "expired"
    } else {
        "valid_at"
    };
    let detail = Detail::new(code)
        .with("subject", certificate.subject_text())
        .with("at", format_iso8601(at))
        .with("basis", basis)
        .with("not_before", certificate.not_before_text())
        .with("not_after", certificate.not_after_text());
    Check::outcome(name, code == "valid_at", detail)
}

fn revocation_check(name: String, validation: &SignerValidation, policy: CrlPolicy, at: i64) -> Check {
    let certificate = &validation.certificate;
    let required = policy == CrlPolicy::Required;
    if policy == CrlPolicy::Ignore {
        return Check::fail(name, Detail::new("revocation_not_checked")).optional();
    }
    match &validation.revocation {
        RevocationOutcome::NoCrl { .. } => {
            Check::fail(name, Detail::new("no_crl").with("issuer", certificate.issuer_text())).required_if(required)
        }
        RevocationOutcome::Checked {
            newest,
            revoked_on: Some(date),
        } => Check::fail(
            name,
            Detail::new("revoked")
                .with("serial", certificate.serial_hex())
                .with("revocation_date", format_iso8601(*date))
                .with("issuer", newest.issuer_text()),
        ),
        RevocationOutcome::Checked {
            newest,
            revoked_on: None,
        } => match newest.next_update() {
            Some(next_update) if at > next_update => Check::fail(
                name,
                Detail::new("crl_stale")
                    .with("issuer", newest.issuer_text())
                    .with("next_update", format_iso8601(next_update))
                    .with("at", format_iso8601(at)),
            )
            .required_if(required),
            _ => Check::pass(
                name,
                Detail::new("not_revoked")
                    .with("serial", certificate.serial_hex())
                    .with("issuer", newest.issuer_text())
                    .with("this_update", format_iso8601(newest.this_update())),
            ),
        },
    }
}

fn check_data_groups(lds: &LdsSecurityObject, data_groups: &[(u8, &[u8])], policy: &Policy, result: &mut Verification) {
    let algorithm = lds.hash_algorithm;
    let mut sorted: Vec<&(u8, &[u8])> = data_groups.iter().collect();
    sorted.sort_by_key(|(number, _)| *number);
    for (number, bytes) in sorted {
        let dg = number.to_string();
        let Some(expected) = lds.hashes.get(number) else {
            let check = Check::fail(
                format!("dg{number}.not_in_sod"),
                Detail::new("not_in_sod").with("dg", dg),
            );
            result.push(check.required_if(!policy.accept_data_groups_not_in_sod));
            continue;
        };
        let name = format!("dg{number}.hash");
        let check = match algorithm.hash(bytes) {
            Ok(actual) if *actual == **expected => Check::pass(
                name,
                Detail::new("hash_matches")
                    .with("dg", dg)
                    .with("algorithm", algorithm.name()),
            ),
            Ok(actual) => Check::fail(
                name,
                Detail::new("hash_mismatch")
                    .with("dg", dg)
                    .with("algorithm", algorithm.name())
                    .with("expected", hex(expected))
                    .with("actual", hex(&actual)),
            ),
            Err(error) => Check::fail(name, malformed(error)),
        };
        result.push(check);
    }
    // Without a data group that the security object lists, Passive
    // Authentication has checked a signature but no data at all.
    let hashed = data_groups
        .iter()
        .filter(|(number, _)| lds.hashes.contains_key(number))
        .count();
    if hashed == 0 {
        let detail = Detail::new("no_data_group_read").with("read", data_groups.len().to_string());
        result.push(Check::fail("dg.none_read", detail));
    }
    for number in lds.hashes.keys() {
        if !data_groups.iter().any(|(read, _)| read == number) {
            let check = Check::fail(
                format!("dg{number}.not_read"),
                Detail::new("not_read").with("dg", number.to_string()),
            );
            result.push(check.required_if(!policy.accept_unread_data_groups));
        }
    }
}
