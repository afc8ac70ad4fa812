import { NewEidError } from '../errors/index.js'
import type { PolicyInput } from '../native.js'
import { invalidInput, isPlainObject } from './validate.js'

export type DigestName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512'

/**
 * What a Passive Authentication verdict requires. Defaults: CRLs are used
 * when the trust store has one for the CSCA (`crl: 'if-available'`),
 * validity is checked now, SHA-224 to SHA-512 are allowed, data groups in
 * the SOD but not read are acceptable (listed as `dgN.not_read`), and data
 * groups read but not in the SOD fail (`dgN.not_in_sod`). A read in which no
 * data group of the SOD was read always fails (`dg.none_read`).
 *
 * A field of the wrong type or value, or an unknown field, fails with
 * `INVALID_INPUT` rather than falling back to a default.
 */
export interface PassiveAuthenticationPolicy {
  /**
   * `required`: a current CRL of the DS's CSCA must be in the trust store.
   * `if-available`: a CRL is used when present; without one `ds.crl_status`
   * is listed as not passed but not required. `ignore`: no revocation check.
   */
  crl?: 'required' | 'if-available' | 'ignore'
  /** When certificate validity periods must hold: now, at the signingTime attribute, or at a given time. */
  validityTime?: 'now' | 'signing-time' | Date
  /** Hash functions allowed for the signature, the messageDigest and the data group hashes; at least one. */
  allowedDigests?: DigestName[]
  acceptUnreadDataGroups?: boolean
  acceptDataGroupsNotInSod?: boolean
}

const STEP = 'verify.policy'
const CRL_VALUES = ['required', 'if-available', 'ignore']
const DIGEST_NAMES = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512']
const POLICY_FIELDS = ['crl', 'validityTime', 'allowedDigests', 'acceptUnreadDataGroups', 'acceptDataGroupsNotInSod']

/** Matches the native layer, which ignores dashes and case: `sha256` is SHA-256. */
function isDigestName(value: unknown): boolean {
  if (typeof value !== 'string') return false
  const normalized = value.replace(/-/g, '').toUpperCase()
  return DIGEST_NAMES.some((name) => name.replace(/-/g, '') === normalized)
}

function checkBoolean(policy: Record<string, unknown>, field: string): void {
  const value = policy[field]
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidInput(STEP, { 'zh-TW': `policy.${field} 必須是 true 或 false`, en: `policy.${field} must be true or false` }, value)
  }
}

/** Checks every field of a policy from JavaScript, so that a wrong type never reaches the addon. */
function checkPolicy(policy: unknown): asserts policy is PassiveAuthenticationPolicy {
  if (!isPlainObject(policy)) {
    throw invalidInput(STEP, { 'zh-TW': '驗證政策（policy）必須是物件或省略', en: 'the policy must be an object or left out' }, policy)
  }
  const unknown = Object.keys(policy).filter((field) => !POLICY_FIELDS.includes(field))
  if (unknown.length > 0) {
    throw new NewEidError('INVALID_INPUT', {
      step: STEP,
      detail: {
        'zh-TW': `驗證政策有不明的欄位 ${unknown.join('、')}；可用的欄位為 ${POLICY_FIELDS.join('、')}`,
        en: `unknown policy field ${unknown.join(', ')}; the fields are ${POLICY_FIELDS.join(', ')}`,
      },
    })
  }
  if (policy.crl !== undefined && !CRL_VALUES.includes(policy.crl as string)) {
    throw invalidInput(STEP, { 'zh-TW': "policy.crl 必須是 'required'、'if-available' 或 'ignore'", en: "policy.crl must be 'required', 'if-available' or 'ignore'" }, policy.crl)
  }
  const validityTime = policy.validityTime
  if (validityTime instanceof Date) {
    if (Number.isNaN(validityTime.getTime())) {
      throw new NewEidError('INVALID_INPUT', { step: STEP, detail: { 'zh-TW': 'policy.validityTime 是無效的 Date', en: 'policy.validityTime is an invalid Date' } })
    }
  } else if (validityTime !== undefined && validityTime !== 'now' && validityTime !== 'signing-time') {
    throw invalidInput(
      STEP,
      { 'zh-TW': "policy.validityTime 必須是 'now'、'signing-time' 或 Date 物件", en: "policy.validityTime must be 'now', 'signing-time' or a Date" },
      validityTime,
    )
  }
  const digests = policy.allowedDigests
  if (digests !== undefined) {
    if (!Array.isArray(digests) || digests.length === 0) {
      throw invalidInput(
        STEP,
        { 'zh-TW': `policy.allowedDigests 必須是至少含一個雜湊名稱（${DIGEST_NAMES.join('、')}）的陣列`, en: `policy.allowedDigests must be a non-empty array of hash names (${DIGEST_NAMES.join(', ')})` },
        digests,
      )
    }
    const unknownDigest = digests.find((name) => !isDigestName(name))
    if (unknownDigest !== undefined || digests.some((name) => name === undefined)) {
      throw invalidInput(
        STEP,
        { 'zh-TW': `policy.allowedDigests 只能含 ${DIGEST_NAMES.join('、')}`, en: `policy.allowedDigests may hold only ${DIGEST_NAMES.join(', ')}` },
        unknownDigest,
      )
    }
  }
  checkBoolean(policy, 'acceptUnreadDataGroups')
  checkBoolean(policy, 'acceptDataGroupsNotInSod')
}

/** Checks a policy and converts it to the addon's form; see `PassiveAuthenticationPolicy`. */
export function toNativePolicy(policy: unknown): PolicyInput | undefined {
  if (policy === undefined) return undefined
  checkPolicy(policy)
  const input: PolicyInput = {}
  if (policy.crl !== undefined) input.crl = policy.crl
  if (policy.validityTime instanceof Date) {
    input.validityTime = 'at'
    input.at = policy.validityTime.getTime()
  } else if (policy.validityTime !== undefined) {
    input.validityTime = policy.validityTime
  }
  if (policy.allowedDigests !== undefined) input.allowedDigests = [...policy.allowedDigests]
  if (policy.acceptUnreadDataGroups !== undefined) input.acceptUnreadDataGroups = policy.acceptUnreadDataGroups
  if (policy.acceptDataGroupsNotInSod !== undefined) input.acceptDataGroupsNotInSod = policy.acceptDataGroupsNotInSod
  return input
}
