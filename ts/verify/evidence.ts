import { NewEidError } from '../errors/index.js'
import { invalidInput, isPlainObject } from './validate.js'

/**
 * The evidence of a client read: the data groups exactly as read and the EF.SOD that
 * covers them (the shape of `PublicData.evidence` and `PrivateData.evidence`).
 * A saved read may give the bytes as base64 strings, keyed by the DG number.
 */
export interface PassiveAuthenticationEvidence {
  dataGroups: Map<number, Uint8Array> | Record<string, Uint8Array | string>
  sod: Uint8Array | string
}

/** Evidence in the addon's form, with the data groups copied into one buffer. */
export interface NativeEvidence {
  sod: Uint8Array
  /** A data group number and a length for each group in `groups`. */
  layout: Uint32Array
  /** The data groups one after the other, so that one buffer crosses into the addon. */
  groups: Uint8Array
}

const STEP = 'verify.evidence'
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Returns bytes given as a `Uint8Array` or a base64 string. `name` names the value in the error. */
export function bytesFrom(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string') {
    const compact = value.replace(/\s+/g, '')
    if (compact.length % 4 === 0 && BASE64.test(compact)) return Buffer.from(compact, 'base64')
  }
  throw invalidInput(STEP, { 'zh-TW': `${name} 必須是位元組或 base64 字串`, en: `${name} must be bytes or a base64 string` }, value)
}

function dataGroupNumber(key: unknown): number {
  if (typeof key === 'number') return key
  const match = /^(?:dg)?(\d{1,2})$/i.exec(String(key))
  return match?.[1] === undefined ? Number.NaN : Number(match[1])
}

/**
 * Checks evidence from JavaScript and converts it to the addon's form. The
 * data groups are copied, so bytes that the caller changes afterwards do not
 * change what is verified or decoded. Fails with `INVALID_INPUT` on a wrong
 * type. An empty set of data groups is valid input, which fails verification.
 */
export function normalizeEvidence(evidence: unknown): NativeEvidence {
  if (!isPlainObject(evidence)) {
    throw invalidInput(STEP, { 'zh-TW': 'evidence 必須是含 dataGroups 與 sod 的物件', en: 'evidence must be an object with dataGroups and sod' }, evidence)
  }
  const { dataGroups, sod } = evidence
  if (!(dataGroups instanceof Map) && !isPlainObject(dataGroups)) {
    throw invalidInput(
      STEP,
      { 'zh-TW': 'evidence.dataGroups 必須是以資料群組編號為鍵的 Map 或物件', en: 'evidence.dataGroups must be a Map or an object keyed by data group number' },
      dataGroups,
    )
  }
  if (sod === undefined) {
    throw new NewEidError('INVALID_INPUT', { step: STEP, detail: { 'zh-TW': 'evidence 缺少 sod', en: 'evidence has no sod' } })
  }
  const entries: [unknown, unknown][] = dataGroups instanceof Map ? [...dataGroups.entries()] : Object.entries(dataGroups)
  const layout = new Uint32Array(entries.length * 2)
  const groups: Uint8Array[] = []
  for (const [key, value] of entries) {
    const number = dataGroupNumber(key)
    if (!Number.isInteger(number) || number < 1 || number > 16) {
      throw new NewEidError('INVALID_INPUT', {
        step: STEP,
        detail: {
          'zh-TW': `資料群組的鍵 ${JSON.stringify(key)} 不是 1 到 16 的編號`,
          en: `data group key ${JSON.stringify(key)} is not a number from 1 to 16`,
        },
      })
    }
    const bytes = bytesFrom(value, `DG${number}`)
    layout[groups.length * 2] = number
    layout[groups.length * 2 + 1] = bytes.length
    groups.push(bytes)
  }
  return { sod: bytesFrom(sod, 'sod'), layout, groups: Buffer.concat(groups) }
}
