//! The bytes of a virtual card: every file, built from a persona and signed
//! with the TEST-ONLY Document Signer of `test-pki/`.

use std::collections::BTreeMap;

use neweid_core::asn1::Oid;
use neweid_core::crypto::{Cipher, NamedCurve};
use neweid_core::pa::build::{build_card_security, build_sod, DocumentSigner, SignOptions};
use neweid_core::pa::DigestAlgorithm;
use neweid_core::pace::PaceParameters;
use neweid_core::profile::{self, CnsBytes, Date, HouseholdAddress, Label, NewEidFile, Photo, PrivateData, PublicData};
use neweid_core::secret::SecretBytes;
use neweid_core::security_info::{
    ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, PaceInfo, SecurityInfo, SecurityInfos,
    TerminalAuthenticationInfo,
};
use neweid_core::tlv::{self, Tag};
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint};
use openssl::hash::{hash, MessageDigest};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};

use crate::cns;
use crate::persona::Persona;

/// The TEST-ONLY Document Signer that signs the virtual card's SODs and
/// EF.CardSecurity. Its key is public in this repository: nothing it signs
/// may be trusted outside tests.
const TEST_DS_KEY: &[u8] = include_bytes!("../../../test-pki/ds-TEST.key.pem");
const TEST_DS_CERTIFICATE: &[u8] = include_bytes!("../../../test-pki/ds-TEST.cert.pem");

/// `id-CA-ECDH-AES-CBC-CMAC-128`, Chip Authentication version 2.
const ID_CA_ECDH_AES_128: &str = "0.4.0.127.0.7.2.2.3.2.2";
/// `id-PK-ECDH`, the Chip Authentication public key.
const ID_PK_ECDH: &str = "0.4.0.127.0.7.2.2.1.2";

/// Longest command APDU the card accepts, in bytes, as EF.ATR/INFO states
/// it when extended length is offered.
pub const MAX_COMMAND_LENGTH: usize = 2048;

/// Longest response APDU the card states in EF.ATR/INFO, in bytes.
pub const MAX_RESPONSE_LENGTH: usize = 65535;

/// An error in building a card's content.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{field}: {source}")]
    Text {
        field: &'static str,
        source: cns::CnsEncodeError,
    },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("unsupported PACE domain parameter ID {0}: use 12, 13, 15, 16, 17 or 18")]
    PaceParameter(u8),
    #[error("cannot sign the card's security objects: {0}")]
    Signing(#[from] neweid_core::Error),
    #[error("cannot make the card's keys: {0}")]
    Key(#[from] openssl::error::ErrorStack),
}

/// The secrets the card checks.
pub struct CardSecrets {
    pub can: SecretBytes,
    pub pin1: SecretBytes,
    pub puk: SecretBytes,
}

/// Everything a virtual card holds.
pub struct CardContent {
    pub atr: Vec<u8>,
    /// Files of the master file, by FID: EF.DIR, EF.ATR/INFO, EF.CardAccess, EF.CardSecurity.
    pub master_files: BTreeMap<u16, Vec<u8>>,
    /// Files of the New eID application.
    pub files: BTreeMap<NewEidFile, Vec<u8>>,
    /// The PACE variants EF.CardAccess offers.
    pub pace_parameters: Vec<PaceParameters>,
    pub secrets: CardSecrets,
    /// The Active Authentication key, whose public half is DG15.
    pub active_authentication_key: PKey<Private>,
    /// The Chip Authentication key, whose public half EF.CardSecurity holds.
    pub chip_authentication_key: PKey<Private>,
}

/// Builds a card's content from a persona.
pub struct CardBuilder<'p> {
    persona: &'p Persona,
    pace_parameters: Vec<PaceParameters>,
    signer: Option<DocumentSigner>,
    sign_options: SignOptions,
}

impl<'p> CardBuilder<'p> {
    /// Starts with the profile's default: PACE ECDH-GM with AES-128 on
    /// brainpoolP256r1 (parameter ID 13), signed by the test Document Signer.
    pub fn new(persona: &'p Persona) -> Self {
        let default = PaceParameters::new(Cipher::Aes128, NamedCurve::BrainpoolP256r1)
            .expect("AES-128 on brainpoolP256r1 is a supported PACE variant");
        Self {
            persona,
            pace_parameters: vec![default],
            signer: None,
            sign_options: SignOptions::default(),
        }
    }

    /// Offers one PACEInfo per standardised domain parameter ID, with AES-128
    /// on 256-bit curves, AES-192 on 384-bit curves and AES-256 above.
    pub fn pace_parameter_ids(mut self, ids: &[u8]) -> Result<Self, BuildError> {
        let mut parameters = Vec::with_capacity(ids.len());
        for &id in ids {
            let curve = NamedCurve::from_parameter_id(u64::from(id)).ok_or(BuildError::PaceParameter(id))?;
            let cipher = match curve.field_bits() {
                0..=256 => Cipher::Aes128,
                257..=384 => Cipher::Aes192,
                _ => Cipher::Aes256,
            };
            parameters.push(PaceParameters::new(cipher, curve).map_err(|_| BuildError::PaceParameter(id))?);
        }
        if parameters.is_empty() {
            return Err(BuildError::Invalid {
                field: "PACE parameters",
                reason: "at least one is needed".into(),
            });
        }
        self.pace_parameters = parameters;
        Ok(self)
    }

    /// Offers exactly these PACE variants.
    pub fn pace_parameters(mut self, parameters: Vec<PaceParameters>) -> Self {
        self.pace_parameters = parameters;
        self
    }

    /// Signs with another Document Signer (tests of expired or foreign signers).
    pub fn signer(mut self, signer: DocumentSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Changes how the security objects are signed.
    pub fn sign_options(mut self, options: SignOptions) -> Self {
        self.sign_options = options;
        self
    }

    pub fn build(self) -> Result<CardContent, BuildError> {
        let persona = self.persona;
        let signer = match self.signer {
            Some(signer) => signer,
            None => DocumentSigner::from_pem(TEST_DS_KEY, TEST_DS_CERTIFICATE)?,
        };
        let mut sign_options = self.sign_options;
        if sign_options.signing_time.is_none() {
            sign_options.signing_time = Some(neweid_core::pa::unix_now());
        }

        let active_authentication_key = derived_key(Nid::X9_62_PRIME256V1, "active authentication", &persona.id)?;
        let chip_authentication_key = derived_key(Nid::BRAINPOOL_P256R1, "chip authentication", &persona.id)?;

        let mut files = BTreeMap::new();
        let label = Label {
            label: "TW New eID".into(),
            profile_version: "1".into(),
            flags: persona.label_flags,
        };
        files.insert(NewEidFile::Label, label.encode());

        let household = &persona.household;
        let dg1 = HouseholdAddress {
            county: text("household.county", &household.county)?,
            township: text("household.township", &household.township)?,
            village: text("household.village", &household.village)?,
            neighbourhood: household.neighbourhood.clone(),
        }
        .encode();
        files.insert(NewEidFile::DataGroup(1), dg1);

        let public = &persona.public;
        let public_data = PublicData {
            name: text("public.name", &public.name)?,
            romanized_name: public.romanized_name.clone(),
            id_number: public.id_number.clone(),
            birth_date: date("public.birthDate", &public.birth_date)?,
            has_spouse: public.has_spouse,
            card_number: public.card_number.clone(),
            card_made_date: date("public.cardMadeDate", &public.card_made_date)?,
            renew_by_date: date("public.renewByDate", &public.renew_by_date)?,
            address: text("public.address", &public.address)?,
            military_service: text("public.militaryService", &public.military_service)?,
            photo: Photo {
                media_type: "image/jpeg".into(),
                bytes: persona.photo.clone(),
            },
            active_authentication_key: active_authentication_key.public_key_to_der()?,
        };
        for (number, bytes) in public_data.encode() {
            files.insert(NewEidFile::DataGroup(number), bytes);
        }

        let private = &persona.private;
        let private_data = PrivateData {
            father_name: Some(text("private.fatherName", &private.father_name)?),
            mother_name: Some(text("private.motherName", &private.mother_name)?),
            spouse_name: private
                .spouse_name
                .as_deref()
                .map(|name| text("private.spouseName", name))
                .transpose()?,
            birthplace: Some(text("private.birthplace", &private.birthplace)?),
            sex: private.sex.chars().next(),
        };
        for (number, bytes) in private_data.encode() {
            files.insert(NewEidFile::DataGroup(number), bytes);
        }

        let hashed = |numbers: &[u8]| -> Vec<(u8, Vec<u8>)> {
            numbers
                .iter()
                .filter_map(|&n| files.get(&NewEidFile::DataGroup(n)).map(|bytes| (n, bytes.clone())))
                .collect()
        };
        let public_groups = hashed(&NewEidFile::PUBLIC_DATA_GROUPS);
        let private_groups = hashed(&NewEidFile::PRIVATE_DATA_GROUPS);
        let sod_public = build_sod(
            &signer,
            DigestAlgorithm::Sha256,
            public_groups.iter().map(|(n, bytes)| (*n, bytes.as_slice())),
            &sign_options,
        )?;
        let sod_private = build_sod(
            &signer,
            DigestAlgorithm::Sha256,
            private_groups.iter().map(|(n, bytes)| (*n, bytes.as_slice())),
            &sign_options,
        )?;
        files.insert(NewEidFile::SodPublic, sod_public);
        files.insert(NewEidFile::SodPrivate, sod_private);

        let pace_infos: Vec<SecurityInfo> = self
            .pace_parameters
            .iter()
            .map(|parameters| {
                SecurityInfo::Pace(PaceInfo {
                    protocol: parameters.protocol(),
                    version: 2,
                    parameter_id: Some(u64::from(parameters.parameter_id())),
                })
            })
            .collect();
        let terminal_authentication = SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
            version: 2,
            ef_cvca: None,
        });
        let mut card_access = pace_infos.clone();
        card_access.push(terminal_authentication.clone());

        let mut card_security = card_access.clone();
        card_security.push(SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
            protocol: oid(ID_CA_ECDH_AES_128),
            version: 2,
            key_id: Some(1),
        }));
        card_security.push(SecurityInfo::ChipAuthenticationPublicKey(
            ChipAuthenticationPublicKeyInfo {
                protocol: oid(ID_PK_ECDH),
                public_key: chip_authentication_key.public_key_to_der()?,
                key_id: Some(1),
            },
        ));
        let card_security = build_card_security(&signer, &SecurityInfos(card_security).encode(), &sign_options)?;

        let mut master_files = BTreeMap::new();
        master_files.insert(profile::EF_DIR, ef_dir(persona.label_flags));
        master_files.insert(profile::EF_ATR_INFO, ef_atr_info(true));
        master_files.insert(profile::EF_CARD_ACCESS, SecurityInfos(card_access).encode());
        master_files.insert(profile::EF_CARD_SECURITY, card_security);

        let secret = |value: &str| SecretBytes::copy_from(value.as_bytes());
        Ok(CardContent {
            atr: answer_to_reset(),
            master_files,
            files,
            pace_parameters: self.pace_parameters,
            secrets: CardSecrets {
                can: secret(&persona.secrets.can),
                pin1: secret(&persona.secrets.pin1),
                puk: secret(&persona.secrets.puk),
            },
            active_authentication_key,
            chip_authentication_key,
        })
    }
}

fn oid(dotted: &str) -> Oid {
    Oid::parse(dotted).expect("OID constants of this module are valid")
}

fn text(field: &'static str, value: &str) -> Result<CnsBytes, BuildError> {
    let bytes = cns::encode_cns_text(value).map_err(|source| BuildError::Text { field, source })?;
    CnsBytes::parse(&bytes, field).map_err(|error| BuildError::Invalid {
        field,
        reason: error.to_string(),
    })
}

fn date(field: &'static str, value: &str) -> Result<Date, BuildError> {
    let digits: String = value.chars().filter(|c| *c != '-').collect();
    Date::parse(digits.as_bytes(), field).map_err(|_| BuildError::Invalid {
        field,
        reason: format!("{value:?} is not a YYYY-MM-DD date"),
    })
}

/// Derives a persona's key deterministically, so that DG15 and the Chip
/// Authentication key stay the same from one run to the next: the private
/// scalar is SHA-256 of the purpose and persona ID, reduced modulo the order.
fn derived_key(curve: Nid, purpose: &str, persona: &str) -> Result<PKey<Private>, BuildError> {
    let group = EcGroup::from_curve_name(curve)?;
    let mut context = BigNumContext::new()?;
    let mut order = BigNum::new()?;
    group.order(&mut order, &mut context)?;
    let seed = hash(
        MessageDigest::sha256(),
        format!("neweid TEST key: {purpose}: {persona}").as_bytes(),
    )?;
    let mut scalar = BigNum::new()?;
    let seed = BigNum::from_slice(&seed)?;
    scalar.nnmod(&seed, &order, &mut context)?;
    if scalar.num_bits() == 0 {
        scalar = BigNum::from_u32(1)?;
    }
    let mut public = EcPoint::new(&group)?;
    public.mul_generator2(&group, &scalar, &mut context)?;
    let key = EcKey::from_private_components(&group, &scalar, &public)?;
    key.check_key()?;
    Ok(PKey::from_ec_key(key)?)
}

/// EF.DIR: one application template `61 { 4F AID, 50 label }` per application.
fn ef_dir(label_flags: u8) -> Vec<u8> {
    let template = |aid: &[u8], label: &str| {
        let mut body = tlv::tlv(Tag(0x4F), aid);
        body.extend(tlv::tlv(Tag(0x50), label.as_bytes()));
        tlv::tlv(Tag(0x61), &body)
    };
    let mut contents = template(&profile::NEW_EID_AID, "TW New eID");
    if label_flags & 0x01 != 0 {
        contents.extend(template(&profile::CITIZEN_CERTIFICATE_AID, "MOICA"));
    }
    contents
}

/// EF.ATR/INFO: the card capabilities (`47`) and, when extended length is
/// offered, the extended length information (`7F66`): at most
/// [`MAX_COMMAND_LENGTH`] bytes per command and [`MAX_RESPONSE_LENGTH`] per
/// response.
pub(crate) fn ef_atr_info(extended_length: bool) -> Vec<u8> {
    // Card capabilities, third byte: command chaining and extended Lc/Le
    // (b8 and b7) when offered.
    let capabilities = if extended_length {
        [0x00, 0x00, 0xC0]
    } else {
        [0x00, 0x00, 0x80]
    };
    let mut contents = tlv::tlv(Tag(0x47), &capabilities);
    if extended_length {
        let mut info = tlv::tlv(Tag(0x02), &(MAX_COMMAND_LENGTH as u16).to_be_bytes());
        info.extend(tlv::tlv(Tag(0x02), &(MAX_RESPONSE_LENGTH as u16).to_be_bytes()));
        contents.extend(tlv::tlv(Tag(0x7F66), &info));
    }
    contents
}

/// A T=1 answer to reset with "TWNEID01" as historical bytes: TS `3B`,
/// T0 `88` (TD1 follows, 8 historical bytes), TD1 `80` (TD2 follows, T=0),
/// TD2 `01` (T=1), then the check byte TCK, the XOR of T0 to the last
/// historical byte.
fn answer_to_reset() -> Vec<u8> {
    let mut atr = vec![0x3B, 0x88, 0x80, 0x01];
    atr.extend_from_slice(b"TWNEID01");
    let check = atr.iter().skip(1).fold(0u8, |acc, byte| acc ^ byte);
    atr.push(check);
    atr
}
