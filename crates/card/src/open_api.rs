//! The Open API reads: EF.Label, the household area, and the public area
//! after PACE with the CAN. Each function runs a whole operation on a fresh
//! session, from power-on state to the last read.

use std::collections::BTreeMap;

use neweid_core::apdu::StatusWord;
use neweid_core::profile::{self, HouseholdAddress, Label, NewEidFile, PublicData};
use neweid_core::secret::Password;
use neweid_core::security_info::{PaceInfo, SecurityInfos};

use crate::error::{Error, ErrorKind, Result};
use crate::pace::{self, PaceSummary};
use crate::session::Session;

/// EF.Label and the PACE options of EF.CardAccess, both readable by anyone.
#[derive(Clone, Debug)]
pub struct LabelRead {
    pub label: Label,
    pub raw: Vec<u8>,
    pub pace_infos: Vec<PaceInfo>,
    pub card_access: Vec<u8>,
}

/// DG1, the household area.
#[derive(Clone, Debug)]
pub struct HouseholdRead {
    pub address: HouseholdAddress,
    pub raw: Vec<u8>,
}

/// The public area: decoded fields and the exact bytes read, for Passive
/// Authentication at the agency server.
#[derive(Clone, Debug)]
pub struct PublicRead {
    pub data: PublicData,
    /// DG1 to DG9 and DG15, as read.
    pub data_groups: BTreeMap<u8, Vec<u8>>,
    pub sod: Vec<u8>,
    pub card_access: Vec<u8>,
    pub card_security: Vec<u8>,
    pub pace: PaceSummary,
    pub extended_length: bool,
}

/// Selects the New eID application; any status other than `90 00` means
/// the card is something else.
pub fn select_new_eid(session: &mut Session<'_>) -> Result<()> {
    let sw = session.select_application(&profile::NEW_EID_AID, "select.new_eid")?;
    if sw == StatusWord::SUCCESS {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::NotNewEid)
            .at("select.new_eid")
            .with_sw(sw)
            .with_reader(session.reader_name()))
    }
}

/// Tells whether the card answers the New eID AID, without failing for
/// other cards.
pub fn is_new_eid(session: &mut Session<'_>) -> Result<bool> {
    Ok(session.select_application(&profile::NEW_EID_AID, "select.new_eid")? == StatusWord::SUCCESS)
}

/// Selects the master file. A card that rejects this is asked for the New
/// eID application, so that another kind of card is reported as
/// `NotNewEid` rather than as a card error.
fn select_master_file(session: &mut Session<'_>) -> Result<()> {
    match session.select_master_file() {
        Err(error) if error.kind == ErrorKind::CardError && !is_new_eid(session)? => {
            let not_new_eid = Error {
                kind: ErrorKind::NotNewEid,
                ..error
            };
            Err(not_new_eid.with_reader(session.reader_name()))
        }
        other => other,
    }
}

fn read_card_access(session: &mut Session<'_>) -> Result<(Vec<u8>, SecurityInfos)> {
    let raw = session.read_file(profile::EF_CARD_ACCESS_SFI, profile::EF_CARD_ACCESS, "ef_card_access")?;
    let parsed = SecurityInfos::decode_file(&raw).map_err(|error| Error::from(error).at("read.ef_card_access"))?;
    Ok((raw, parsed))
}

fn read_new_eid_file(session: &mut Session<'_>, file: NewEidFile) -> Result<Vec<u8>> {
    session.read_file(file.sfi(), file.fid(), &file.name())
}

/// Reads EF.CardAccess from the master file, then EF.Label.
pub fn read_label(session: &mut Session<'_>) -> Result<LabelRead> {
    select_master_file(session)?;
    session.negotiate_length()?;
    let (card_access, parsed) = read_card_access(session)?;
    select_new_eid(session)?;
    let raw = read_new_eid_file(session, NewEidFile::Label)?;
    let label = Label::decode(&raw).map_err(|error| Error::from(error).at("decode.label"))?;
    Ok(LabelRead {
        label,
        raw,
        pace_infos: parsed.pace_infos(),
        card_access,
    })
}

/// Reads DG1, which needs no authentication.
pub fn read_household(session: &mut Session<'_>) -> Result<HouseholdRead> {
    select_master_file(session)?;
    session.negotiate_length()?;
    select_new_eid(session)?;
    let raw = read_new_eid_file(session, NewEidFile::DataGroup(1))?;
    let address = HouseholdAddress::decode(&raw).map_err(|error| Error::from(error).at("decode.dg1"))?;
    Ok(HouseholdRead { address, raw })
}

/// Runs PACE with the CAN and reads DG1 to DG9, DG15, EF.SOD.Public and
/// EF.CardSecurity under secure messaging.
pub fn read_public(session: &mut Session<'_>, can: &Password) -> Result<PublicRead> {
    select_master_file(session)?;
    session.negotiate_length()?;
    let (card_access, parsed) = read_card_access(session)?;
    let pace = pace::establish(session, &parsed, can, None)?;

    let card_security = session.read_file(
        profile::EF_CARD_SECURITY_SFI,
        profile::EF_CARD_SECURITY,
        "ef_card_security",
    )?;

    select_new_eid(session)?;
    let mut data_groups = BTreeMap::new();
    for number in NewEidFile::PUBLIC_DATA_GROUPS {
        data_groups.insert(number, read_new_eid_file(session, NewEidFile::DataGroup(number))?);
    }
    let sod = read_new_eid_file(session, NewEidFile::SodPublic)?;
    let data = PublicData::decode(&data_groups).map_err(|error| Error::from(error).at("decode.public"))?;
    Ok(PublicRead {
        data,
        data_groups,
        sod,
        card_access,
        card_security,
        pace,
        extended_length: session.uses_extended_length(),
    })
}
