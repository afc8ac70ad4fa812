import native from '../native.js'
import { bytesFrom, normalizeEvidence, type NativeEvidence, type PassiveAuthenticationEvidence } from './evidence.js'
import { fromNativeError } from './native-errors.js'
import { toNativePolicy, type PassiveAuthenticationPolicy } from './policy.js'
import { verificationFrom, type CardSecurityVerification, type Verification } from './result.js'
import { TrustStore } from './trust-store.js'

export type { PassiveAuthenticationEvidence } from './evidence.js'

/**
 * Runs Passive Authentication (ICAO 9303-11 §5.1) of a read on the libuv
 * thread pool: the EF.SOD signature and signed attributes, the Document
 * Signer chain to a CSCA of `trust`, revocation, and the hash of every data
 * group. The result lists every check; `ok` is true only if every required
 * check passed under `policy`. A read in which no data group of the SOD was
 * read fails (`dg.none_read`); evidence of the wrong type fails with
 * `INVALID_INPUT`.
 *
 * Passing proves that the issuer signed these data group bytes. It does not
 * prove that they came from the card in hand, and it does not check fields
 * that a client decoded, so take the holder's data from `verifyPublicRead`.
 */
export async function verifyPassiveAuthentication(
  evidence: PassiveAuthenticationEvidence,
  trust: TrustStore,
  policy?: PassiveAuthenticationPolicy,
): Promise<Verification> {
  return verifyNormalized(normalizeEvidence(evidence), trust, policy)
}

/** @internal Verifies evidence that `normalizeEvidence` checked and copied. */
export async function verifyNormalized(input: NativeEvidence, trust: TrustStore, policy?: PassiveAuthenticationPolicy): Promise<Verification> {
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
  const input = normalizeEvidence(evidence)
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
