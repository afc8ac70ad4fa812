import { NewEidError } from '../errors/index.js'
import native from '../native.js'
import { fromNativeError } from './native-errors.js'
import { toNativePolicy, type PassiveAuthenticationPolicy } from './policy.js'
import { verificationFrom, type CardSecurityVerification, type Verification } from './result.js'
import { TrustStore } from './trust-store.js'

/**
 * The evidence of a client read: the data groups exactly as read and the EF.SOD that
 * covers them (the shape of `PublicData.evidence` and `PrivateData.evidence`).
 * A saved read may give the bytes as base64 strings, keyed by the DG number.
 */
export interface PassiveAuthenticationEvidence {
  dataGroups: Map<number, Uint8Array> | Record<string, Uint8Array | string>
  sod: Uint8Array | string
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function bytesFrom(value: Uint8Array | string, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string') {
    const compact = value.replace(/\s+/g, '')
    if (compact.length % 4 === 0 && BASE64.test(compact)) return Buffer.from(compact, 'base64')
  }
  throw new NewEidError('INVALID_INPUT', { step: 'verify.evidence', detail: `${what} must be bytes or a base64 string` })
}

interface NativeEvidence {
  sod: Uint8Array
  /** A data group number and a length for each group in `groups`. */
  layout: Uint32Array
  /** The data groups one after the other, so that one buffer crosses into the addon. */
  groups: Uint8Array
}

function normalize(evidence: PassiveAuthenticationEvidence): NativeEvidence {
  if (evidence === null || typeof evidence !== 'object' || evidence.dataGroups === undefined || evidence.sod === undefined) {
    throw new NewEidError('INVALID_INPUT', { step: 'verify.evidence', detail: 'evidence needs dataGroups and sod' })
  }
  const entries: [unknown, Uint8Array | string][] =
    evidence.dataGroups instanceof Map ? [...evidence.dataGroups.entries()] : Object.entries(evidence.dataGroups)
  const layout = new Uint32Array(entries.length * 2)
  const groups: Uint8Array[] = []
  for (const [key, value] of entries) {
    const number = typeof key === 'number' ? key : /^(?:dg)?(\d{1,2})$/i.test(String(key)) ? Number(/\d+/.exec(String(key))?.[0]) : NaN
    if (!Number.isInteger(number) || number < 1 || number > 16) {
      throw new NewEidError('INVALID_INPUT', { step: 'verify.evidence', detail: `data group key ${JSON.stringify(key)} is not a number from 1 to 16` })
    }
    const bytes = bytesFrom(value, `data group ${number}`)
    layout[groups.length * 2] = number
    layout[groups.length * 2 + 1] = bytes.length
    groups.push(bytes)
  }
  return { sod: bytesFrom(evidence.sod, 'sod'), layout, groups: Buffer.concat(groups) }
}

/**
 * Runs Passive Authentication (ICAO 9303-11 §5.1) of a read on the libuv
 * thread pool: the EF.SOD signature and signed attributes, the Document
 * Signer chain to a CSCA of `trust`, revocation, and the hash of every data
 * group. The result lists every check; `ok` is true only if every required
 * check passed under `policy`.
 */
export async function verifyPassiveAuthentication(
  evidence: PassiveAuthenticationEvidence,
  trust: TrustStore,
  policy?: PassiveAuthenticationPolicy,
): Promise<Verification> {
  const input = normalize(evidence)
  try {
    const result = await native.verifyPassiveAuthentication(TrustStore.nativeOf(trust), input.sod, input.layout, input.groups, toNativePolicy(policy))
    return verificationFrom(result)
  } catch (error) {
    throw fromNativeError(error, 'verify.passive_authentication')
  }
}

/** Runs the checks of `verifyPassiveAuthentication` on the calling thread, for scripts and benchmarks. */
export function verifyPassiveAuthenticationSync(
  evidence: PassiveAuthenticationEvidence,
  trust: TrustStore,
  policy?: PassiveAuthenticationPolicy,
): Verification {
  const input = normalize(evidence)
  try {
    return verificationFrom(native.verifyPassiveAuthenticationSync(TrustStore.nativeOf(trust), input.sod, input.layout, input.groups, toNativePolicy(policy)))
  } catch (error) {
    throw fromNativeError(error, 'verify.passive_authentication')
  }
}

function cardSecurityFrom(result: ReturnType<typeof native.verifyCardSecuritySync>): CardSecurityVerification {
  const verification: CardSecurityVerification = verificationFrom(result)
  if (result.content) verification.securityInfos = new Uint8Array(result.content)
  return verification
}

/**
 * Verifies EF.CardSecurity (CMS SignedData with eContentType
 * id-SecurityObject, TR-03110-3 §A.1.2): its signature and signed attributes,
 * the Document Signer chain and revocation, and that the content is a
 * `SET OF SecurityInfo`, which is returned as `securityInfos`.
 */
export async function verifyCardSecurity(
  cardSecurity: Uint8Array | string,
  trust: TrustStore,
  policy?: PassiveAuthenticationPolicy,
): Promise<CardSecurityVerification> {
  const bytes = bytesFrom(cardSecurity, 'EF.CardSecurity')
  try {
    return cardSecurityFrom(await native.verifyCardSecurity(TrustStore.nativeOf(trust), bytes, toNativePolicy(policy)))
  } catch (error) {
    throw fromNativeError(error, 'verify.card_security')
  }
}

/** Runs the checks of `verifyCardSecurity` on the calling thread. */
export function verifyCardSecuritySync(
  cardSecurity: Uint8Array | string,
  trust: TrustStore,
  policy?: PassiveAuthenticationPolicy,
): CardSecurityVerification {
  const bytes = bytesFrom(cardSecurity, 'EF.CardSecurity')
  try {
    return cardSecurityFrom(native.verifyCardSecuritySync(TrustStore.nativeOf(trust), bytes, toNativePolicy(policy)))
  } catch (error) {
    throw fromNativeError(error, 'verify.card_security')
  }
}
