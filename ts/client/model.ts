import type { CnsText } from '../text/index.js'

/** A reader, as `ListCardTerminal` returns it. */
export interface CardTerminal {
  name: string
  cardPresent: boolean
  /** The card's answer to reset, when a card is present. */
  atr?: Uint8Array
  /** True for a virtual card inserted in this process with `VirtualCard.insert`. */
  inProcess: boolean
}

/** One PACE option that EF.CardAccess offers. */
export interface PaceInfo {
  /** Protocol OID in dotted notation. */
  protocol: string
  /** Such as `id-PACE-ECDH-GM-AES-CBC-CMAC-128`. */
  protocolName: string
  version: number
  /** Standardised domain parameter ID (13 is brainpoolP256r1). */
  parameterId?: number
  /** Whether this client can run it. */
  supported: boolean
}

/** EF.Label: readable by anyone, identifies neither holder nor chip. */
export interface EIDLabel {
  reader: string
  /** "TW New eID". */
  label: string
  profileVersion: string
  citizenCertificateEnabled: boolean
  contactless: boolean
  paceInfos: PaceInfo[]
  raw: Uint8Array
}

/** A reader holding a New eID card, as `ListEID` returns it. */
export interface EIDCard {
  reader: string
  label: EIDLabel
}

/** A Gregorian date with its Republic of China (民國) year. */
export interface CivilDate {
  /** `YYYY-MM-DD`. */
  iso: string
  roc: { year: number; month: number; day: number }
}

/** DG1, the household area (戶籍區). */
export interface HouseholdData {
  reader: string
  /** 縣市 */
  county: CnsText
  /** 鄉鎮市區 */
  township: CnsText
  /** 村里 */
  village: CnsText
  /** 鄰 */
  neighbourhood: string
  /** DG1 exactly as read. */
  raw: Uint8Array
}

/**
 * Exactly the bytes read, for Passive Authentication at the agency server:
 * the data groups by number, EF.SOD.Public, and EF.CardSecurity.
 */
export interface Evidence {
  dataGroups: Map<number, Uint8Array>
  sod: Uint8Array
  cardSecurity?: Uint8Array
}

/** The public area (公開區), read after PACE with the CAN. */
export interface PublicData {
  reader: string
  name: CnsText
  romanizedName?: string
  /** 統一編號 */
  idNumber: string
  birthDate: CivilDate
  hasSpouse: boolean
  cardNumber: string
  /** 製證日期 */
  cardMadeDate: CivilDate
  /** 應換領日期 */
  renewByDate: CivilDate
  address: CnsText
  /** 役別 */
  militaryService: CnsText
  photo: { mediaType: string; bytes: Uint8Array }
  /** DER SubjectPublicKeyInfo of the Active Authentication key (DG15). */
  activeAuthenticationKey: Uint8Array
  evidence: Evidence
  /** Which PACE protocol and domain parameters the read used. */
  pace: { protocol: string; protocolName: string; parameterId: number }
  /** Whether the reads used extended-length APDUs. */
  extendedLength: boolean
}

/** Converts `YYYY-MM-DD` into a `CivilDate`. 民國 years count from 1912. */
export function civilDate(iso: string): CivilDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number]
  return { iso, roc: { year: year - 1911, month, day } }
}
