//! The result of a verification: a list of named checks and a verdict.

use std::fmt;

use super::lds::LdsSecurityObject;

/// Why a check passed or failed: a stable code plus named parameters, so
/// that callers can render the reason in their own language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Detail {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.params.push((key, value.into()));
        self
    }

    /// Returns the value of parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// One check of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// A stable machine name such as `sod.signature` or `dg7.hash`.
    pub name: String,
    pub ok: bool,
    /// Whether the verdict depends on this check. A check that is not
    /// required is listed for information (a data group not read, no CRL).
    pub required: bool,
    pub detail: Detail,
}

impl Check {
    pub fn pass(name: impl Into<String>, detail: Detail) -> Self {
        Self {
            name: name.into(),
            ok: true,
            required: true,
            detail,
        }
    }

    pub fn fail(name: impl Into<String>, detail: Detail) -> Self {
        Self {
            name: name.into(),
            ok: false,
            required: true,
            detail,
        }
    }

    pub fn outcome(name: impl Into<String>, ok: bool, detail: Detail) -> Self {
        Self {
            name: name.into(),
            ok,
            required: true,
            detail,
        }
    }

    /// Marks the check as informational.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn required_if(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Returns the reason in English.
    pub fn message(&self) -> String {
        english(&self.detail)
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match (self.ok, self.required) {
            (true, _) => "ok",
            (false, true) => "FAILED",
            (false, false) => "note",
        };
        write!(f, "{} [{mark}]: {}", self.name, self.message())
    }
}

/// The certificate that signed the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    /// SHA-256 of the certificate, in hex.
    pub fingerprint: String,
    pub not_before: i64,
    pub not_after: i64,
}

/// The outcome of verifying a signed object.
#[derive(Clone, Debug, Default)]
pub struct Verification {
    /// True only if every required check passed.
    pub ok: bool,
    pub checks: Vec<Check>,
    /// The `signingTime` signed attribute, in seconds since the Unix epoch.
    pub signing_time: Option<i64>,
    pub signer: Option<SignerSummary>,
    /// The decoded `LDSSecurityObject` of an EF.SOD.
    pub lds: Option<LdsSecurityObject>,
    /// The signed content (eContent): the `SecurityInfos` of EF.CardSecurity
    /// or the `CscaMasterList` of a master list. Empty for EF.SOD, whose
    /// content is in `lds`.
    pub content: Vec<u8>,
}

impl Verification {
    pub(crate) fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// Sets `ok` from the checks. A verification without any check is never ok.
    pub(crate) fn conclude(mut self) -> Self {
        self.ok = !self.checks.is_empty() && self.checks.iter().all(|check| check.ok || !check.required);
        self
    }

    /// Returns the first check called `name`.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|check| check.name == name)
    }

    /// Writes the result as JSON: `{ "ok", "signingTime", "signer", "checks" }`
    /// with times in milliseconds since the Unix epoch and `null` for what
    /// is absent. `content` and `lds` are left out.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.checks.len() * 160);
        out.push_str(if self.ok { "{\"ok\":true" } else { "{\"ok\":false" });
        out.push_str(",\"signingTime\":");
        match self.signing_time {
            Some(at) => out.push_str(&(i128::from(at) * 1000).to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"signer\":");
        match &self.signer {
            Some(signer) => {
                out.push_str("{\"subject\":");
                push_json_string(&mut out, &signer.subject);
                out.push_str(",\"issuer\":");
                push_json_string(&mut out, &signer.issuer);
                out.push_str(",\"serial\":");
                push_json_string(&mut out, &signer.serial);
                out.push_str(",\"fingerprint\":");
                push_json_string(&mut out, &signer.fingerprint);
                out.push_str(&format!(
                    ",\"notBefore\":{},\"notAfter\":{}}}",
                    i128::from(signer.not_before) * 1000,
                    i128::from(signer.not_after) * 1000
                ));
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"checks\":");
        out.push_str(&checks_to_json(&self.checks));
        out.push('}');
        out
    }

    /// Returns the required checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|check| check.required && !check.ok)
    }
}

/// Writes checks as a JSON array of `{ name, ok, required, code, params }`,
/// for bindings that pass one string instead of many objects.
pub fn checks_to_json(checks: &[Check]) -> String {
    let mut out = String::with_capacity(checks.len() * 160);
    out.push('[');
    for (index, check) in checks.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        push_json_string(&mut out, &check.name);
        out.push_str(if check.ok { ",\"ok\":true" } else { ",\"ok\":false" });
        out.push_str(if check.required {
            ",\"required\":true"
        } else {
            ",\"required\":false"
        });
        out.push_str(",\"code\":");
        push_json_string(&mut out, check.detail.code);
        out.push_str(",\"params\":{");
        for (position, (key, value)) in check.detail.params.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            push_json_string(&mut out, key);
            out.push(':');
            push_json_string(&mut out, value);
        }
        out.push_str("}}");
    }
    out.push(']');
    out
}

/// Appends `text` as a JSON string literal (RFC 8259 §7).
pub(crate) fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if u32::from(control) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(control))),
            other => out.push(other),
        }
    }
    out.push('"');
}

/// Every detail code a check can carry, for renderers that translate them.
pub const DETAIL_CODES: &[&str] = &[
    "decoded",
    "malformed",
    "content_type",
    "content_type_mismatch",
    "signed_attributes_missing",
    "attribute_missing",
    "attribute_malformed",
    "attribute_matches",
    "attribute_mismatch",
    "digest_matches",
    "digest_mismatch",
    "algorithm_allowed",
    "algorithm_not_allowed",
    "algorithm_unsupported",
    "signature_valid",
    "signature_invalid",
    "key_mismatch",
    "signing_time",
    "signing_time_missing",
    "certificate_found",
    "certificate_not_found",
    "certificate_malformed",
    "issuer_found",
    "issuer_not_trusted",
    "certificate_signature_valid",
    "certificate_signature_invalid",
    "link_signature_valid",
    "link_not_anchored",
    "valid_at",
    "not_yet_valid",
    "expired",
    "key_usage_ok",
    "key_usage_missing",
    "not_revoked",
    "revoked",
    "crl_stale",
    "no_crl",
    "revocation_not_checked",
    "hash_matches",
    "hash_mismatch",
    "not_in_sod",
    "not_read",
    "security_infos",
    "certificate_list",
    "digest_algorithm_listed",
    "digest_algorithm_not_listed",
    "no_data_group_read",
];

/// Renders a detail in English.
pub fn english(detail: &Detail) -> String {
    let p = |key: &str| detail.param(key).unwrap_or("?").to_owned();
    match detail.code {
        "decoded" => format!("{} decoded", p("structure")),
        "malformed" => format!("malformed: {}", p("error")),
        "content_type" => format!("eContentType is {}", p("oid")),
        "content_type_mismatch" => format!("eContentType is {}, expected {}", p("found"), p("expected")),
        "signed_attributes_missing" => "the SignerInfo has no signed attributes".to_owned(),
        "attribute_missing" => format!("signed attribute {} is missing", p("attribute")),
        "attribute_malformed" => format!("signed attribute {} is malformed: {}", p("attribute"), p("error")),
        "attribute_matches" => format!("signed attribute {} matches {}", p("attribute"), p("value")),
        "attribute_mismatch" => format!(
            "signed attribute {} is {}, expected {}",
            p("attribute"),
            p("found"),
            p("expected")
        ),
        "digest_matches" => format!("{} of the content matches the messageDigest attribute", p("algorithm")),
        "digest_mismatch" => format!(
            "{} of the content is {}, but the messageDigest attribute is {}",
            p("algorithm"),
            p("actual"),
            p("expected")
        ),
        "algorithm_allowed" => format!("{} is allowed", p("algorithm")),
        "algorithm_not_allowed" => format!(
            "{} is not allowed by the policy (allowed: {})",
            p("algorithm"),
            p("allowed")
        ),
        "algorithm_unsupported" => format!("unsupported algorithm: {}", p("error")),
        "signature_valid" => format!("{} signature verifies with the {} key", p("scheme"), p("key")),
        "signature_invalid" => format!("{} signature does not verify with the {} key", p("scheme"), p("key")),
        "key_mismatch" => format!("{} cannot be used with the {} key", p("scheme"), p("key")),
        "signing_time" => format!("signed at {}", p("time")),
        "signing_time_missing" => {
            "the signingTime attribute is missing, but the policy checks validity at signing time".to_owned()
        }
        "certificate_found" => format!("signer certificate {} (serial {})", p("subject"), p("serial")),
        "certificate_not_found" => format!(
            "no certificate in the SignedData matches the signer identifier {}",
            p("sid")
        ),
        "certificate_malformed" => format!("the signer certificate does not parse: {}", p("error")),
        "issuer_found" => format!("issued by trusted CSCA {}", p("issuer")),
        "issuer_not_trusted" => format!(
            "no CSCA in the trust store has the issuer name {} and a matching key identifier",
            p("issuer")
        ),
        "certificate_signature_valid" => format!("certificate signature verifies with the key of {}", p("issuer")),
        "certificate_signature_invalid" => format!(
            "certificate signature does not verify with the key of any CSCA named {}",
            p("issuer")
        ),
        "link_signature_valid" => format!("link certificate {} is signed by {}", p("subject"), p("issuer")),
        "link_not_anchored" => format!(
            "CSCA link certificate {} does not chain to a self-signed CSCA in the trust store",
            p("subject")
        ),
        "valid_at" => format!(
            "{} is valid at {} ({}; valid {} to {})",
            p("subject"),
            p("at"),
            p("basis"),
            p("not_before"),
            p("not_after")
        ),
        "not_yet_valid" => format!(
            "{} is not yet valid at {} ({}; valid {} to {})",
            p("subject"),
            p("at"),
            p("basis"),
            p("not_before"),
            p("not_after")
        ),
        "expired" => format!(
            "{} has expired at {} ({}; valid {} to {})",
            p("subject"),
            p("at"),
            p("basis"),
            p("not_before"),
            p("not_after")
        ),
        "key_usage_ok" => "key usage allows digital signatures".to_owned(),
        "key_usage_missing" => "key usage does not include digitalSignature".to_owned(),
        "not_revoked" => format!(
            "serial {} is not on the CRL of {} issued {}",
            p("serial"),
            p("issuer"),
            p("this_update")
        ),
        "revoked" => format!(
            "serial {} was revoked on {} by the CRL of {}",
            p("serial"),
            p("revocation_date"),
            p("issuer")
        ),
        "crl_stale" => format!(
            "the newest CRL of {} expired at {} (next update), checked at {}",
            p("issuer"),
            p("next_update"),
            p("at")
        ),
        "no_crl" => format!("no CRL signed by CSCA {} in the trust store", p("issuer")),
        "revocation_not_checked" => "the policy does not check revocation".to_owned(),
        "hash_matches" => format!("DG{} {} matches the security object", p("dg"), p("algorithm")),
        "hash_mismatch" => format!(
            "DG{} {} is {}, but the security object lists {}",
            p("dg"),
            p("algorithm"),
            p("actual"),
            p("expected")
        ),
        "not_in_sod" => format!("DG{} was read but the security object has no hash for it", p("dg")),
        "not_read" => format!("the security object lists DG{}, which was not read", p("dg")),
        "security_infos" => format!("{} SecurityInfo entries", p("count")),
        "certificate_list" => format!("{} certificates in the master list", p("count")),
        "digest_algorithm_listed" => format!("SignedData digestAlgorithms lists {}", p("oid")),
        "digest_algorithm_not_listed" => format!(
            "the SignerInfo uses digest algorithm {}, but SignedData digestAlgorithms lists {}",
            p("oid"),
            p("listed")
        ),
        "no_data_group_read" => format!(
            "no data group that the security object lists was read ({} given), so no data was verified",
            p("read")
        ),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_serializes_as_json() {
        let verification = Verification {
            signing_time: Some(1),
            checks: vec![Check::pass(
                "sod.format",
                Detail::new("decoded").with("structure", "SignedData"),
            )],
            ..Verification::default()
        }
        .conclude();
        assert_eq!(
            verification.to_json(),
            concat!(
                r#"{"ok":true,"signingTime":1000,"signer":null,"checks":[{"name":"sod.format","ok":true,"#,
                r#""required":true,"code":"decoded","params":{"structure":"SignedData"}}]}"#
            )
        );
    }

    #[test]
    fn checks_serialize_as_json() {
        let checks = [
            Check::pass(
                "sod.signature",
                Detail::new("signature_valid").with("key", "EC \"P-256\"\\\n\u{1}"),
            ),
            Check::fail("dg9.not_read", Detail::new("not_read").with("dg", "9")).optional(),
        ];
        assert_eq!(
            checks_to_json(&checks),
            concat!(
                r#"[{"name":"sod.signature","ok":true,"required":true,"code":"signature_valid","#,
                r#""params":{"key":"EC \"P-256\"\\\n\u0001"}},"#,
                r#"{"name":"dg9.not_read","ok":false,"required":false,"code":"not_read","params":{"dg":"9"}}]"#
            )
        );
    }
}
