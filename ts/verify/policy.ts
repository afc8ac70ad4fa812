import { NewEidError } from '../errors/index.js'
import type { PolicyInput } from '../native.js'

export type DigestName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512'

/**
 * What a Passive Authentication verdict requires. Defaults: CRLs are used
 * when the trust store has one for the CSCA (`crl: 'if-available'`),
 * validity is checked now, SHA-224 to SHA-512 are allowed, data groups in
 * the SOD but not read are acceptable (listed as `dgN.not_read`), and data
 * groups read but not in the SOD fail (`dgN.not_in_sod`).
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
  allowedDigests?: DigestName[]
  acceptUnreadDataGroups?: boolean
  acceptDataGroupsNotInSod?: boolean
}

export function toNativePolicy(policy: PassiveAuthenticationPolicy | undefined): PolicyInput | undefined {
  if (policy === undefined) return undefined
  const input: PolicyInput = {}
  if (policy.crl !== undefined) input.crl = policy.crl
  if (policy.validityTime instanceof Date) {
    const at = policy.validityTime.getTime()
    if (Number.isNaN(at)) throw new NewEidError('INVALID_INPUT', { step: 'verify.policy', detail: 'policy.validityTime is an invalid Date' })
    input.validityTime = 'at'
    input.at = at
  } else if (policy.validityTime !== undefined) {
    input.validityTime = policy.validityTime
  }
  if (policy.allowedDigests !== undefined) input.allowedDigests = policy.allowedDigests
  if (policy.acceptUnreadDataGroups !== undefined) input.acceptUnreadDataGroups = policy.acceptUnreadDataGroups
  if (policy.acceptDataGroupsNotInSod !== undefined) input.acceptDataGroupsNotInSod = policy.acceptDataGroupsNotInSod
  return input
}
