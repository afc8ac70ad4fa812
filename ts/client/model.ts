import { NewEidError } from '../errors/index.js'
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
  roc: RocDate
}

/**
 * A date in the Republic of China calendar, which has no year 0: 1912 is 民國 1 年,
 * 1911 is 民國前 1 年 and 1900 is 民國前 12 年.
 */
export interface RocDate {
  /** The year, always 1 or more: counted from 1912 forwards, or back from 1911 when `beforeRoc` is true. */
  year: number
  month: number
  day: number
  /** True for a date before 1912, which is written 民國前 `year` 年. */
  beforeRoc: boolean
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

/**
 * Converts `YYYY-MM-DD` into a `CivilDate`. 民國 years count from 1912 as year 1;
 * a year before 1912 is 民國前 (1912 − year) 年. Throws `NewEidError`
 * `INVALID_INPUT` unless `iso` is a real date in that form.
 */
export function civilDate(iso: string): CivilDate {
  const match = typeof iso === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null
  const [year, month, day] = match === null ? [0, 0, 0] : match.slice(1).map(Number) as [number, number, number]
  if (match === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new NewEidError('INVALID_INPUT', {
      step: 'check.date',
      detail: {
        'zh-TW': `日期 ${JSON.stringify(iso) ?? String(iso)} 無效：應為存在的 YYYY-MM-DD 日期`,
        en: `date ${JSON.stringify(iso) ?? String(iso)} is invalid: expected an existing date as YYYY-MM-DD`,
      },
    })
  }
  const beforeRoc = year < 1912
  return { iso, roc: { year: beforeRoc ? 1912 - year : year - 1911, month, day, beforeRoc } }
}

/** Returns the number of days of a month (1–12) of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one. Date.UTC reads years 0–99 as 1900–1999, so setUTCFullYear sets the year.
  const date = new Date(Date.UTC(2000, month, 0))
  date.setUTCFullYear(year, month, 0)
  return date.getUTCDate()
}
