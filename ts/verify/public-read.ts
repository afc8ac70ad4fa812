import { publicFields, type PublicFields } from '../client/public-fields.js'
import { NewEidError } from '../errors/index.js'
import native from '../native.js'
import { decodeCnsText, type CnsText } from '../text/index.js'
import { normalizeEvidence, type NativeEvidence, type PassiveAuthenticationEvidence } from './evidence.js'
import { fromNativeError } from './native-errors.js'
import { verifyNormalized } from './passive-authentication.js'
import type { PassiveAuthenticationPolicy } from './policy.js'
import type { Verification } from './result.js'
import type { TrustStore } from './trust-store.js'
import { invalidInput, isPlainObject } from './validate.js'

/** DG1, the household area, decoded from evidence. */
export interface PublicEvidenceHousehold {
  /** 縣市 */
  county: CnsText
  /** 鄉鎮市區 */
  township: CnsText
  /** 村里 */
  village: CnsText
  /** 鄰 */
  neighbourhood: string
}

/**
 * The public-area fields decoded from the data group bytes of evidence, in
 * the shape of the client's `PublicData`, plus DG1 when the evidence has it.
 */
export type PublicEvidenceFields = PublicFields & { household?: PublicEvidenceHousehold }

/** A read and its verification: `data` is present exactly when `verification.ok` is. */
export type PublicReadVerification =
  | { verification: Verification & { ok: true }; data: PublicEvidenceFields }
  | { verification: Verification; data?: undefined }

/** A read as the client returns it (`{ evidence, ... }`) or its evidence alone. */
export type PublicRead = { evidence: PassiveAuthenticationEvidence } | PassiveAuthenticationEvidence

/** @internal The outcome of verifying and decoding one copy of the evidence. */
export interface VerifiedAndDecoded {
  verification: Verification
  /** Present when the verification passed and the fields decoded. */
  data?: PublicEvidenceFields
  /** The decoding error, when the verification passed but the fields did not decode. */
  decodeError?: NewEidError
}

function decodeNormalized(input: NativeEvidence): PublicEvidenceFields {
  let fields
  try {
    fields = native.decodePublicEvidence(input.layout, input.groups)
  } catch (error) {
    throw fromNativeError(error, 'verify.decode_fields')
  }
  const data: PublicEvidenceFields = publicFields(fields)
  if (fields.household != null) {
    data.household = {
      county: decodeCnsText(fields.household.county),
      township: decodeCnsText(fields.household.township),
      village: decodeCnsText(fields.household.village),
      neighbourhood: fields.household.neighbourhood,
    }
  }
  return data
}

function evidenceOf(read: unknown): unknown {
  if (isPlainObject(read) && 'evidence' in read) return read.evidence
  if (isPlainObject(read)) return read
  throw invalidInput('verify.evidence', { 'zh-TW': '讀取結果必須是含 evidence 的物件', en: 'the read must be an object with evidence' }, read)
}

/**
 * Decodes the public-area fields (DG2 to DG9 and DG15, and DG1 when
 * present) from the data group bytes of `evidence`, with the card profile's
 * decoders. It verifies nothing: decode only evidence that
 * `verifyPassiveAuthentication` accepted, or call `verifyPublicRead`, which
 * does both on one copy of the bytes. Fails with `INVALID_INPUT` when a
 * data group is missing or does not decode.
 */
export function decodePublicEvidence(evidence: PassiveAuthenticationEvidence): PublicEvidenceFields {
  return decodeNormalized(normalizeEvidence(evidence))
}

/** @internal Verifies one copy of the evidence and, when it passes, decodes the fields from the same copy. */
export async function verifyAndDecode(read: unknown, trust: TrustStore, policy?: PassiveAuthenticationPolicy): Promise<VerifiedAndDecoded> {
  const input = normalizeEvidence(evidenceOf(read))
  const verification = await verifyNormalized(input, trust, policy)
  if (!verification.ok) return { verification }
  try {
    return { verification, data: decodeNormalized(input) }
  } catch (error) {
    const decodeError = error instanceof NewEidError ? error : new NewEidError('INTERNAL', { step: 'verify.decode_fields', cause: error })
    return { verification, decodeError }
  }
}

/**
 * Runs Passive Authentication of a public read and decodes the holder's
 * fields from the verified data group bytes, never from fields the client
 * decoded. `read` is what `getEIDPublicData` returns, a saved read with
 * `evidence`, or the evidence alone. `data` is present only when
 * `verification.ok` is true. Fails with `INVALID_INPUT` when the evidence
 * has the wrong type, or when it verifies but a data group does not decode.
 *
 * Passive Authentication does not prove that the card was present: a saved
 * read of another holder verifies as well. Active or Chip Authentication
 * binds a read to the chip.
 */
export async function verifyPublicRead(read: PublicRead, trust: TrustStore, policy?: PassiveAuthenticationPolicy): Promise<PublicReadVerification> {
  const outcome = await verifyAndDecode(read, trust, policy)
  if (outcome.decodeError !== undefined) throw outcome.decodeError
  if (outcome.data !== undefined) return { verification: outcome.verification as Verification & { ok: true }, data: outcome.data }
  return { verification: outcome.verification }
}
