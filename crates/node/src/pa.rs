//! Passive Authentication for the agency server: a trust store class and
//! verification tasks that run on the libuv thread pool.
//!
//! Inputs are copied into Rust memory on the JavaScript thread, `compute`
//! never touches JavaScript, and panics are caught before they reach it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Uint32ArraySlice, Uint8ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;

use neweid_core::pa::{self, lds, CrlPolicy, DigestAlgorithm, Policy, ValidityTime};

/// Stable error codes that the TypeScript layer turns into `NewEidError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    CertificateRejected,
    InvalidInput,
    Internal,
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        match self {
            Self::CertificateRejected => "CERTIFICATE_REJECTED",
            Self::InvalidInput => "INVALID_INPUT",
            Self::Internal => "INTERNAL",
        }
    }
}

type Result<T> = napi::Result<T>;

/// Errors go through the addon's one error form (see `errors.rs`), which the
/// TypeScript layer turns into `NewEidError`.
fn error(code: ErrorCode, message: impl Into<String>) -> napi::Error {
    crate::errors::with_code(code.as_ref(), message)
}

/// Maps a core error to a code: decoding failures are invalid input, a
/// rejected certificate is `CERTIFICATE_REJECTED`, anything else internal.
fn core_error(failure: neweid_core::Error) -> napi::Error {
    let code = match &failure {
        neweid_core::Error::Codec(_) | neweid_core::Error::Crypto(_) => ErrorCode::InvalidInput,
        neweid_core::Error::Rejected { .. } => ErrorCode::CertificateRejected,
        _ => ErrorCode::Internal,
    };
    error(code, failure.to_string())
}

/// Runs `work`, turning a panic into an `INTERNAL` error.
fn guarded<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|_| {
        Err(error(
            ErrorCode::Internal,
            "internal error in Passive Authentication (a Rust panic was caught)",
        ))
    })
}

/// A CSCA certificate in a trust store.
#[napi(object)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// `anchor` (self-signed CSCA) or `link` (CSCA link certificate).
    pub role: String,
    /// Start of validity, in milliseconds since the Unix epoch.
    pub not_before: f64,
    /// End of validity, in milliseconds since the Unix epoch.
    pub not_after: f64,
    /// Public key type, such as `EC brainpoolP256r1`.
    pub key: String,
    /// SHA-256 of the DER certificate, in hex.
    pub fingerprint: String,
}

/// A CRL in a trust store.
#[napi(object)]
pub struct CrlInfo {
    pub issuer: String,
    /// `thisUpdate`, in milliseconds since the Unix epoch.
    pub this_update: f64,
    /// `nextUpdate`, in milliseconds since the Unix epoch.
    pub next_update: Option<f64>,
    pub revoked_count: u32,
}

/// A PEM block or DER file that a trust store did not add.
#[napi(object)]
pub struct BlockRejection {
    /// Position of the block in the file, from 0.
    pub index: u32,
    /// `not_ca` (a certificate that is not a CA, such as a Document
    /// Signer's), `rejected` (a failed self-signature or CRL signature) or
    /// `invalid` (the bytes do not parse).
    pub kind: String,
    /// Why, in English.
    pub reason: String,
}

/// Outcome of loading one trust store file: the certificates and CRLs added
/// and the blocks left out.
#[napi(object)]
#[derive(Default)]
pub struct FileLoad {
    pub certificates: Vec<CertificateInfo>,
    pub crls: Vec<CrlInfo>,
    pub rejected: Vec<BlockRejection>,
}

fn rejection_kind(failure: &neweid_core::Error) -> &'static str {
    match failure {
        neweid_core::Error::Rejected { .. } => "rejected",
        _ => "invalid",
    }
}

/// Classifies a certificate that the store rejected, telling a non-CA
/// certificate apart from other rejections.
fn certificate_rejection_kind(der: &[u8], failure: &neweid_core::Error) -> &'static str {
    let not_ca = matches!(failure, neweid_core::Error::Rejected { .. })
        && pa::Certificate::from_der(der).is_ok_and(|certificate| !pa::trust::is_ca_certificate(&certificate));
    if not_ca {
        "not_ca"
    } else {
        rejection_kind(failure)
    }
}

fn certificate_info(trusted: &pa::trust::TrustedCertificate) -> CertificateInfo {
    let certificate = &trusted.certificate;
    CertificateInfo {
        subject: certificate.subject_text().to_owned(),
        issuer: certificate.issuer_text().to_owned(),
        serial: certificate.serial_hex().to_owned(),
        role: match trusted.role {
            pa::CertificateRole::Anchor => "anchor",
            pa::CertificateRole::Link => "link",
        }
        .to_owned(),
        not_before: certificate.not_before() as f64 * 1000.0,
        not_after: certificate.not_after() as f64 * 1000.0,
        key: certificate.key_description().to_owned(),
        fingerprint: certificate.fingerprint().iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn crl_info(crl: &pa::Crl) -> CrlInfo {
    CrlInfo {
        issuer: crl.issuer_text().to_owned(),
        this_update: crl.this_update() as f64 * 1000.0,
        next_update: crl.next_update().map(|at| at as f64 * 1000.0),
        revoked_count: u32::try_from(crl.revoked_count()).unwrap_or(u32::MAX),
    }
}

/// CSCA certificates and CRLs, parsed once and shared by every verification.
/// Validated Document Signer chains are cached per store, keyed by the
/// SHA-256 of the DS certificate; adding a certificate or CRL starts a new
/// cache.
#[napi]
pub struct NativeTrustStore {
    inner: Arc<pa::TrustStore>,
}

impl Default for NativeTrustStore {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl NativeTrustStore {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self {
            inner: Arc::new(pa::TrustStore::new()),
        }
    }

    /// Adds CSCA certificates from DER or PEM (one or more blocks).
    #[napi]
    pub fn add_certificates(&mut self, bytes: Uint8ArraySlice) -> Result<Vec<CertificateInfo>> {
        guarded(|| {
            let blocks = pa::pem_or_der_blocks(&bytes, "CERTIFICATE").map_err(|e| core_error(e.into()))?;
            if blocks.is_empty() {
                return Err(error(ErrorCode::InvalidInput, "no CERTIFICATE block in the PEM input"));
            }
            let store = Arc::make_mut(&mut self.inner);
            let mut added = Vec::new();
            for der in blocks {
                let trusted = store.add_certificate(&der).map_err(core_error)?;
                added.push(certificate_info(&trusted));
            }
            Ok(added)
        })
    }

    /// Adds CRLs from DER or PEM (one or more `X509 CRL` blocks). Each CRL
    /// must be signed by a CSCA of its issuer name already in the store.
    /// Either every CRL is added or, on the first one that does not parse or
    /// verify, none is.
    #[napi]
    pub fn add_crls(&mut self, bytes: Uint8ArraySlice) -> Result<Vec<CrlInfo>> {
        guarded(|| {
            let blocks = pa::pem_or_der_blocks(&bytes, "X509 CRL").map_err(|e| core_error(e.into()))?;
            if blocks.is_empty() {
                return Err(error(ErrorCode::InvalidInput, "no X509 CRL block in the PEM input"));
            }
            let mut parsed = Vec::with_capacity(blocks.len());
            for der in &blocks {
                let crl = pa::Crl::from_der(der).map_err(core_error)?;
                self.inner.check_crl_signer(&crl).map_err(core_error)?;
                parsed.push(crl);
            }
            let store = Arc::make_mut(&mut self.inner);
            let mut added = Vec::new();
            for crl in parsed {
                let crl = store.insert_crl(crl).map_err(core_error)?;
                added.push(crl_info(&crl));
            }
            Ok(added)
        })
    }

    /// Adds every CSCA certificate of a trust store file (DER, or PEM with
    /// any number of `CERTIFICATE` blocks) and reports each block that was
    /// not added, instead of stopping at the first.
    #[napi]
    pub fn load_certificates(&mut self, bytes: Uint8ArraySlice) -> Result<FileLoad> {
        guarded(|| {
            let blocks = pa::pem_or_der_blocks(&bytes, "CERTIFICATE").map_err(|e| core_error(e.into()))?;
            let store = Arc::make_mut(&mut self.inner);
            let mut load = FileLoad::default();
            for (index, der) in blocks.iter().enumerate() {
                match store.add_certificate(der) {
                    Ok(trusted) => load.certificates.push(certificate_info(&trusted)),
                    Err(failure) => load.rejected.push(BlockRejection {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        kind: certificate_rejection_kind(der, &failure).to_owned(),
                        reason: failure.to_string(),
                    }),
                }
            }
            Ok(load)
        })
    }

    /// Adds every CRL of a trust store file (DER, or PEM with any number of
    /// `X509 CRL` blocks) that a CSCA of the store signed, and reports each
    /// block that was not added.
    #[napi]
    pub fn load_crls(&mut self, bytes: Uint8ArraySlice) -> Result<FileLoad> {
        guarded(|| {
            let blocks = pa::pem_or_der_blocks(&bytes, "X509 CRL").map_err(|e| core_error(e.into()))?;
            let store = Arc::make_mut(&mut self.inner);
            let mut load = FileLoad::default();
            for (index, der) in blocks.iter().enumerate() {
                match store.add_crl(der) {
                    Ok(crl) => load.crls.push(crl_info(&crl)),
                    Err(failure) => load.rejected.push(BlockRejection {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        kind: rejection_kind(&failure).to_owned(),
                        reason: failure.to_string(),
                    }),
                }
            }
            Ok(load)
        })
    }

    #[napi(getter)]
    pub fn certificates(&self) -> Vec<CertificateInfo> {
        self.inner
            .certificates()
            .iter()
            .map(|trusted| certificate_info(trusted))
            .collect()
    }

    #[napi(getter)]
    pub fn crls(&self) -> Vec<CrlInfo> {
        self.inner.crls().iter().map(|crl| crl_info(crl)).collect()
    }

    /// Number of Document Signer chains in the cache.
    #[napi(getter)]
    pub fn cached_signers(&self) -> u32 {
        u32::try_from(self.inner.cached_signers()).unwrap_or(u32::MAX)
    }
}

impl Clone for NativeTrustStore {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

/// The verification policy. Every field is optional.
#[napi(object)]
pub struct PolicyInput {
    /// `required`, `if-available` (default) or `ignore`.
    pub crl: Option<String>,
    /// `now` (default), `signing-time` or `at`.
    pub validity_time: Option<String>,
    /// The time for `validityTime: "at"`, in milliseconds since the Unix epoch.
    pub at: Option<f64>,
    /// Hash names such as `SHA-256`; the default allows SHA-224 to SHA-512.
    pub allowed_digests: Option<Vec<String>>,
    pub accept_unread_data_groups: Option<bool>,
    pub accept_data_groups_not_in_sod: Option<bool>,
}

fn policy_from(input: Option<PolicyInput>) -> Result<Policy> {
    let mut policy = Policy::default();
    let Some(input) = input else {
        return Ok(policy);
    };
    policy.crl = match input.crl.as_deref() {
        None | Some("if-available") => CrlPolicy::IfAvailable,
        Some("required") => CrlPolicy::Required,
        Some("ignore") => CrlPolicy::Ignore,
        Some(other) => {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("policy.crl is \"{other}\": use required, if-available or ignore"),
            ))
        }
    };
    policy.validity_time = match (input.validity_time.as_deref(), input.at) {
        (None | Some("now"), None) => ValidityTime::Now,
        (None | Some("at"), Some(at)) if at.is_finite() => ValidityTime::At((at / 1000.0).floor() as i64),
        (Some("signing-time"), None) => ValidityTime::SigningTime,
        (Some("at"), None) => {
            return Err(error(
                ErrorCode::InvalidInput,
                "policy.validityTime is at, but policy.at is missing",
            ))
        }
        (None | Some("at"), Some(_)) => {
            return Err(error(
                ErrorCode::InvalidInput,
                "policy.at is not a finite time in milliseconds since the Unix epoch",
            ))
        }
        (Some(other), Some(_)) => {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("policy.at is given with policy.validityTime \"{other}\": policy.at needs validityTime at"),
            ))
        }
        (Some(other), None) => {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("policy.validityTime is \"{other}\": use now, signing-time, or at with policy.at"),
            ))
        }
    };
    if let Some(names) = input.allowed_digests {
        policy.allowed_digests = names
            .iter()
            .map(|name| {
                DigestAlgorithm::from_name(name).ok_or_else(|| {
                    error(
                        ErrorCode::InvalidInput,
                        format!("policy.allowedDigests: unknown hash \"{name}\"; use SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512"),
                    )
                })
            })
            .collect::<Result<_>>()?;
    }
    if let Some(accept) = input.accept_unread_data_groups {
        policy.accept_unread_data_groups = accept;
    }
    if let Some(accept) = input.accept_data_groups_not_in_sod {
        policy.accept_data_groups_not_in_sod = accept;
    }
    Ok(policy)
}

/// The result of a verification.
#[napi(object)]
pub struct VerificationResult {
    pub ok: bool,
    /// `{ ok, signingTime, signer, checks }` as JSON, with times in
    /// milliseconds since the Unix epoch. One string crosses into JavaScript
    /// instead of an object per check and field, because creating objects
    /// through N-API cost about as much as the rest of the verification
    /// (measured with benches/pa.bench.mjs).
    pub json: String,
    /// The signed content of EF.CardSecurity or a master list.
    pub content: Option<Buffer>,
    /// The certificates of a master list, as DER.
    pub certificates: Option<Vec<Buffer>>,
}

/// The verification in plain Rust values, made on the thread pool and turned
/// into JavaScript values in `resolve`.
pub struct Outcome {
    verification: pa::Verification,
    kind: pa::SignedObjectKind,
}

fn to_result(outcome: Outcome) -> VerificationResult {
    let Outcome { verification, kind } = outcome;
    let certificates = (kind == pa::SignedObjectKind::MasterList)
        .then(|| lds::decode_master_list(&verification.content).ok())
        .flatten()
        .map(|list| list.into_iter().map(|der| Buffer::from(der.to_vec())).collect());
    let content = (kind != pa::SignedObjectKind::DocumentSecurityObject && !verification.content.is_empty())
        .then(|| Buffer::from(verification.content.clone()));
    VerificationResult {
        ok: verification.ok,
        json: verification.to_json(),
        content,
        certificates,
    }
}

/// Runs one verification on borrowed inputs, catching panics.
fn verify_now(
    kind: pa::SignedObjectKind,
    trust: &pa::TrustStore,
    signed: &[u8],
    groups: &[(u8, &[u8])],
    policy: &Policy,
) -> Result<Outcome> {
    guarded(|| {
        let now = pa::unix_now();
        let verification = match kind {
            pa::SignedObjectKind::DocumentSecurityObject => pa::verify_sod(signed, groups, trust, policy, now),
            pa::SignedObjectKind::CardSecurity => pa::verify_card_security(signed, trust, policy, now),
            pa::SignedObjectKind::MasterList => pa::verify_master_list(signed, trust, policy, now),
        };
        Ok(Outcome { verification, kind })
    })
}

/// A verification with its inputs copied out of JavaScript, so that the
/// thread pool never reads JavaScript memory.
pub struct VerifyTask {
    kind: pa::SignedObjectKind,
    trust: Arc<pa::TrustStore>,
    signed: Vec<u8>,
    groups: Vec<u8>,
    layout: Vec<(u8, usize)>,
    policy: Policy,
}

impl Task for VerifyTask {
    type Output = Outcome;
    type JsValue = VerificationResult;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let groups = split_groups(&self.layout, &self.groups);
        verify_now(self.kind, &self.trust, &self.signed, &groups, &self.policy)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(to_result(output))
    }
}

/// Checks `layout`, which contains a data group number and a length for each
/// group in `total` concatenated bytes, and returns (number, length) pairs.
pub(crate) fn parse_layout(layout: &[u32], total: usize) -> Result<Vec<(u8, usize)>> {
    if layout.len() % 2 != 0 {
        return Err(error(
            ErrorCode::InvalidInput,
            "the data group layout must hold number and length pairs",
        ));
    }
    let mut seen = [false; 17];
    let mut out = Vec::with_capacity(layout.len() / 2);
    let mut remaining = total;
    for pair in layout.chunks_exact(2) {
        let [number, length] = pair else { continue };
        let index = u8::try_from(*number)
            .ok()
            .filter(|n| (1..=lds::MAX_DATA_GROUP).contains(n));
        let Some(number) = index else {
            return Err(error(
                ErrorCode::InvalidInput,
                format!("data group number {number} is outside 1 to 16"),
            ));
        };
        if let Some(slot) = seen.get_mut(usize::from(number)) {
            if *slot {
                return Err(error(
                    ErrorCode::InvalidInput,
                    format!("data group {number} is given twice"),
                ));
            }
            *slot = true;
        }
        let length = usize::try_from(*length).unwrap_or(usize::MAX);
        remaining = remaining.checked_sub(length).ok_or_else(|| {
            error(
                ErrorCode::InvalidInput,
                format!("data group {number} is longer than the bytes given"),
            )
        })?;
        out.push((number, length));
    }
    if remaining != 0 {
        return Err(error(
            ErrorCode::InvalidInput,
            format!("{remaining} bytes follow the last data group"),
        ));
    }
    Ok(out)
}

/// Splits concatenated data groups by a layout that `parse_layout` checked.
pub(crate) fn split_groups<'a>(layout: &[(u8, usize)], groups: &'a [u8]) -> Vec<(u8, &'a [u8])> {
    let mut rest = groups;
    let mut out = Vec::with_capacity(layout.len());
    for (number, length) in layout {
        let (bytes, tail) = rest.split_at((*length).min(rest.len()));
        out.push((*number, bytes));
        rest = tail;
    }
    out
}

/// Runs Passive Authentication of an EF.SOD over the data groups read on the
/// libuv thread pool. `groups` contains the data groups one after the other and
/// `layout` a number and a length for each of them.
#[napi(ts_return_type = "Promise<VerificationResult>")]
pub fn verify_passive_authentication(
    trust: &NativeTrustStore,
    sod: Uint8ArraySlice,
    layout: Uint32ArraySlice,
    groups: Uint8ArraySlice,
    policy: Option<PolicyInput>,
) -> Result<AsyncTask<VerifyTask>> {
    Ok(AsyncTask::new(VerifyTask {
        kind: pa::SignedObjectKind::DocumentSecurityObject,
        trust: trust.inner.clone(),
        layout: parse_layout(&layout, groups.len())?,
        signed: sod.to_vec(),
        groups: groups.to_vec(),
        policy: policy_from(policy)?,
    }))
}

/// Runs the checks of `verifyPassiveAuthentication` on the calling thread.
#[napi]
pub fn verify_passive_authentication_sync(
    trust: &NativeTrustStore,
    sod: Uint8ArraySlice,
    layout: Uint32ArraySlice,
    groups: Uint8ArraySlice,
    policy: Option<PolicyInput>,
) -> Result<VerificationResult> {
    let layout = parse_layout(&layout, groups.len())?;
    let policy = policy_from(policy)?;
    let groups = split_groups(&layout, &groups);
    verify_now(
        pa::SignedObjectKind::DocumentSecurityObject,
        &trust.inner,
        &sod,
        &groups,
        &policy,
    )
    .map(to_result)
}

fn signed_object_task(
    kind: pa::SignedObjectKind,
    trust: &NativeTrustStore,
    bytes: &[u8],
    policy: Option<PolicyInput>,
) -> Result<VerifyTask> {
    Ok(VerifyTask {
        kind,
        trust: trust.inner.clone(),
        signed: bytes.to_vec(),
        groups: Vec::new(),
        layout: Vec::new(),
        policy: policy_from(policy)?,
    })
}

/// Verifies EF.CardSecurity's signature and signer chain on the thread pool.
#[napi(ts_return_type = "Promise<VerificationResult>")]
pub fn verify_card_security(
    trust: &NativeTrustStore,
    bytes: Uint8ArraySlice,
    policy: Option<PolicyInput>,
) -> Result<AsyncTask<VerifyTask>> {
    Ok(AsyncTask::new(signed_object_task(
        pa::SignedObjectKind::CardSecurity,
        trust,
        &bytes,
        policy,
    )?))
}

#[napi]
pub fn verify_card_security_sync(
    trust: &NativeTrustStore,
    bytes: Uint8ArraySlice,
    policy: Option<PolicyInput>,
) -> Result<VerificationResult> {
    let policy = policy_from(policy)?;
    verify_now(pa::SignedObjectKind::CardSecurity, &trust.inner, &bytes, &[], &policy).map(to_result)
}

/// Verifies a CSCA master list's signature and its signer's chain to the
/// CSCAs already in `trust`, and returns the listed certificates.
#[napi]
pub fn verify_master_list_sync(
    trust: &NativeTrustStore,
    bytes: Uint8ArraySlice,
    policy: Option<PolicyInput>,
) -> Result<VerificationResult> {
    let policy = policy_from(policy)?;
    verify_now(pa::SignedObjectKind::MasterList, &trust.inner, &bytes, &[], &policy).map(to_result)
}

/// Returns every reason code a check can carry, for the message catalogs.
#[napi]
pub fn pa_detail_codes() -> Vec<String> {
    pa::DETAIL_CODES.iter().map(|code| (*code).to_owned()).collect()
}
