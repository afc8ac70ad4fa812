//! Personas: the fictitious holders whose data fills a virtual card.
//!
//! A persona file is JSON. Chinese text fields are written in Unicode; a
//! character with no Unicode mapping, or one that must use a particular CNS
//! code, is written `{P-HHHH}` (plane and hexadecimal code, as the 全字庫
//! writes them). Dates are `YYYY-MM-DD`. The photo path is relative to the
//! persona file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use zeroize::Zeroizing;

/// The built-in personas, compiled into the binary so that the virtual card
/// works from any directory.
const BUILT_IN: [(&str, &str, &[u8]); 3] = [
    (
        "lin-mei-ling",
        include_str!("../../../personas/lin-mei-ling.json"),
        include_bytes!("../../../personas/photos/lin-mei-ling.jpg"),
    ),
    (
        "chen-zhi-kun",
        include_str!("../../../personas/chen-zhi-kun.json"),
        include_bytes!("../../../personas/photos/chen-zhi-kun.jpg"),
    ),
    (
        "huang-pua",
        include_str!("../../../personas/huang-pua.json"),
        include_bytes!("../../../personas/photos/huang-pua.jpg"),
    ),
];

/// Returns the identifiers of the built-in personas.
pub fn built_in_ids() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(id, _, _)| *id).collect()
}

/// Tells whether a `--persona` value names a file rather than a built-in persona.
fn looks_like_path(value: &str) -> bool {
    value.contains('/') || value.contains(std::path::MAIN_SEPARATOR) || value.to_ascii_lowercase().ends_with(".json")
}

/// The persona the virtual card uses when none is chosen.
pub const DEFAULT_PERSONA: &str = "lin-mei-ling";

#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    #[error("unknown persona {0:?}: use one of {list} or a path to a persona file", list = built_in_ids().join(", "))]
    Unknown(String),
    #[error("persona file {} not found", .0.display())]
    NotFound(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("persona {path}: {source}")]
    Json { path: String, source: serde_json::Error },
    #[error("persona {path}: {reason}")]
    Invalid { path: String, reason: String },
}

/// The secrets of the card. Debug output is redacted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    pub can: Zeroizing<String>,
    pub pin1: Zeroizing<String>,
    pub puk: Zeroizing<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Household {
    pub county: String,
    pub township: String,
    pub village: String,
    pub neighbourhood: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Public {
    pub name: String,
    #[serde(default)]
    pub romanized_name: Option<String>,
    pub id_number: String,
    pub birth_date: String,
    pub has_spouse: bool,
    pub card_number: String,
    pub card_made_date: String,
    pub renew_by_date: String,
    pub address: String,
    pub military_service: String,
    pub photo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Private {
    pub father_name: String,
    pub mother_name: String,
    #[serde(default)]
    pub spouse_name: Option<String>,
    pub birthplace: String,
    pub sex: String,
}

/// A persona as its file states it, before conversion to card bytes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Persona {
    pub id: String,
    /// Says that the persona is fictitious and what it is for.
    pub description: String,
    pub secrets: Secrets,
    /// EF.Label flags: bit 0 citizen certificate area, bit 1 contactless interface.
    #[serde(default)]
    pub label_flags: u8,
    pub household: Household,
    pub public: Public,
    pub private: Private,
    /// The JPEG bytes of the photo, loaded from `public.photo`.
    #[serde(skip)]
    pub photo: Vec<u8>,
}

impl Persona {
    /// Loads a built-in persona by identifier, or a persona file by path.
    ///
    /// A value with a path separator or a `.json` ending is always a path, so a
    /// missing file is reported as `NotFound`. Any other value that is neither a
    /// built-in identifier nor an existing file is `Unknown`.
    pub fn load(id_or_path: &str) -> Result<Self, PersonaError> {
        if let Some((id, json, photo)) = BUILT_IN.iter().find(|(id, _, _)| *id == id_or_path) {
            let mut persona = Self::parse(json, id)?;
            persona.photo = photo.to_vec();
            return Ok(persona);
        }
        let path = Path::new(id_or_path);
        if !path.exists() {
            return Err(if looks_like_path(id_or_path) {
                PersonaError::NotFound(path.into())
            } else {
                PersonaError::Unknown(id_or_path.to_string())
            });
        }
        let json = std::fs::read_to_string(path).map_err(|source| PersonaError::Io {
            path: path.into(),
            source,
        })?;
        let mut persona = Self::parse(&json, id_or_path)?;
        let photo_path = path.parent().unwrap_or(Path::new(".")).join(&persona.public.photo);
        persona.photo = std::fs::read(&photo_path).map_err(|source| PersonaError::Io {
            path: photo_path,
            source,
        })?;
        Ok(persona)
    }

    fn parse(json: &str, origin: &str) -> Result<Self, PersonaError> {
        let persona: Self = serde_json::from_str(json).map_err(|source| PersonaError::Json {
            path: origin.to_string(),
            source,
        })?;
        persona.validate().map_err(|reason| PersonaError::Invalid {
            path: origin.to_string(),
            reason,
        })?;
        Ok(persona)
    }

    fn validate(&self) -> Result<(), String> {
        let digits = |value: &str, range: std::ops::RangeInclusive<usize>| {
            range.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(&self.secrets.can, 6..=6) {
            return Err("the CAN must be 6 digits".into());
        }
        if !self.public.card_number.ends_with(self.secrets.can.as_str()) {
            return Err("the CAN must be the last 6 digits of the card number".into());
        }
        if !digits(&self.secrets.pin1, 6..=6) {
            return Err("PIN1 must be 6 digits".into());
        }
        if !digits(&self.secrets.puk, 10..=10) {
            return Err("the PUK must be 10 digits".into());
        }
        if !neweid_core::profile::is_valid_id_number(&self.public.id_number) {
            return Err("the ID number has an invalid format or check digit".into());
        }
        if !matches!(self.private.sex.as_str(), "M" | "F") {
            return Err("sex must be M or F".into());
        }
        if self.public.has_spouse != self.private.spouse_name.is_some() {
            return Err("hasSpouse and spouseName disagree".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_not_found() {
        for value in ["/missing.json", "personas/missing", "missing.json", "missing.JSON"] {
            let error = Persona::load(value).unwrap_err();
            assert!(matches!(error, PersonaError::NotFound(_)), "{value}: {error}");
            assert_eq!(error.to_string(), format!("persona file {value} not found"));
        }
    }

    #[test]
    fn unknown_identifier_is_unknown() {
        let error = Persona::load("nobody").unwrap_err();
        assert!(matches!(error, PersonaError::Unknown(_)), "{error}");
        assert!(error.to_string().starts_with("unknown persona \"nobody\""), "{error}");
    }

    #[test]
    fn built_in_persona_loads() {
        let persona = Persona::load("chen-zhi-kun").unwrap();
        assert_eq!(persona.id, "chen-zhi-kun");
        assert!(!persona.photo.is_empty());
    }
}
