import native, { callNative } from '../native.js'
import { decodeCnsText } from '../text/index.js'
import { runCardOperation, type OperationLimits } from './abort.js'
import { type CardTerminal, type EIDCard, type EIDLabel, type HouseholdData, type PublicData } from './model.js'
import { checkCardOptions } from './options.js'
import { publicFields } from './public-fields.js'
import { secretBytes, type Secret } from './secrets.js'

export type { CardTerminal, CivilDate, EIDCard, EIDLabel, Evidence, HouseholdData, PaceInfo, PublicData } from './model.js'
export { civilDate } from './model.js'
export type { Secret } from './secrets.js'

/** Options of the card operations. */
export interface CardOptions extends OperationLimits {
  /**
   * The reader to use. By default the only reader holding a New eID card;
   * when several hold one, the call fails with `SEVERAL_CARDS`.
   */
  reader?: string
}

export { DEFAULT_TIMEOUT_MS } from './abort.js'

type NativeLabel = Awaited<ReturnType<typeof native.readLabel>>

function toLabel(label: NativeLabel): EIDLabel {
  return {
    reader: label.reader,
    label: label.label,
    profileVersion: label.profileVersion,
    citizenCertificateEnabled: (label.flags & 0x01) !== 0,
    contactless: (label.flags & 0x02) !== 0,
    paceInfos: label.paceInfos.map((info) => ({
      protocol: info.protocol,
      protocolName: info.protocolName,
      version: info.version,
      ...(info.parameterId == null ? {} : { parameterId: info.parameterId }),
      supported: info.supported,
    })),
    raw: new Uint8Array(label.raw),
  }
}

/** Lists the card readers and whether each contains a card (`ListCardTerminal`). */
export async function listCardTerminals(options: Pick<CardOptions, 'timeoutMs'> = {}): Promise<CardTerminal[]> {
  const checked = checkCardOptions(options, 'list_card_terminals', ['timeoutMs'])
  const terminals = await runCardOperation(checked, () => callNative(() => native.listCardTerminals()))
  return terminals.map((terminal) => ({
    name: terminal.name,
    cardPresent: terminal.cardPresent,
    ...(terminal.atr == null ? {} : { atr: new Uint8Array(terminal.atr) }),
    inProcess: terminal.inProcess,
  }))
}

/** Lists the readers holding a New eID card, with each card's label (`ListEID`). */
export async function listEIDs(options: OperationLimits = {}): Promise<EIDCard[]> {
  const checked = checkCardOptions(options, 'list_eids', ['signal', 'timeoutMs'])
  const cards = await runCardOperation(checked, (token) => callNative(() => native.listEids(token)))
  return cards.map((card) => ({ reader: card.reader, label: toLabel(card) }))
}

/** Reads EF.Label and the PACE options of EF.CardAccess (`GetEIDLabel`). */
export async function getEIDLabel(options: CardOptions = {}): Promise<EIDLabel> {
  const checked = checkCardOptions(options, 'read.label')
  const label = await runCardOperation(checked, (token) => callNative(() => native.readLabel({ reader: checked.reader }, token)))
  return toLabel(label)
}

/** Reads the household area, DG1, which needs no access code (`GetEIDHouseHoldData`). */
export async function getEIDHouseholdData(options: CardOptions = {}): Promise<HouseholdData> {
  const checked = checkCardOptions(options, 'read.household')
  const household = await runCardOperation(checked, (token) =>
    callNative(() => native.readHousehold({ reader: checked.reader }, token)),
  )
  return {
    reader: household.reader,
    county: decodeCnsText(household.county),
    township: decodeCnsText(household.township),
    village: decodeCnsText(household.village),
    neighbourhood: household.neighbourhood,
    raw: new Uint8Array(household.raw),
  }
}

/**
 * Runs PACE with the CAN (the 6 digits printed on the card) and reads the
 * public area (`GetEIDPublicData`). A wrong CAN fails with `WRONG_CAN` and
 * returns no data. Pass the CAN as a `Uint8Array` to be able to wipe it;
 * a buffer this function makes from a string is zero-filled when it settles.
 */
export async function getEIDPublicData(can: Secret, options: CardOptions = {}): Promise<PublicData> {
  const checked = checkCardOptions(options, 'read.public')
  const secret = secretBytes(can, 'CAN', 6)
  try {
    const data = await runCardOperation(checked, (token) =>
      callNative(() => native.readPublic(secret.bytes, { reader: checked.reader }, token)),
    )
    return {
      reader: data.reader,
      ...publicFields(data.fields),
      evidence: {
        dataGroups: new Map(data.dataGroups.map((group) => [group.number, new Uint8Array(group.bytes)])),
        sod: new Uint8Array(data.sod),
        cardSecurity: new Uint8Array(data.cardSecurity),
      },
      pace: { ...data.pace },
      extendedLength: data.extendedLength,
    }
  } finally {
    secret.wipe()
  }
}

// The names of the original API deck, kept exactly as written there. They
// are the same functions as the camelCase names.
export {
  listCardTerminals as ListCardTerminal,
  listEIDs as ListEID,
  getEIDLabel as GetEIDLabel,
  getEIDHouseholdData as GetEIDHouseHoldData,
  getEIDPublicData as GetEIDPublicData,
}
