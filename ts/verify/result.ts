import { getLanguage, type Localized } from '../i18n.js'
import type { CheckResult, SignerResult, VerificationResult } from '../native.js'
import { checkLabel, renderDetail } from './messages.js'

/**
 * One check of a verification. `name` is stable (`sod.signature`,
 * `ds.crl_status`, `dg7.hash`, `dg3.not_in_sod`, `dg9.not_read`); `code` and
 * `params` are the machine-readable reason; `detail` is the reason in the
 * current language and `details` in every language.
 */
export class VerificationCheck {
  readonly name: string
  readonly ok: boolean
  /** Whether the verdict depends on this check. */
  readonly required: boolean
  readonly code: string
  readonly params: Readonly<Record<string, string>>
  readonly #english: string
  #details: Localized | undefined

  constructor(native: CheckResult) {
    this.name = native.name
    this.ok = native.ok
    this.required = native.required
    this.code = native.code
    this.params = native.params
    this.#english = native.message
  }

  /** The reason in every language, rendered on first use. */
  get details(): Localized {
    this.#details ??= renderDetail(this.code, this.params, this.#english)
    return this.#details
  }

  /** The reason in the language chosen with `setLanguage`. */
  get detail(): string {
    return this.details[getLanguage()]
  }

  /** A short human label of the check, such as 「DG7 雜湊值」 or "DG7 hash". */
  get label(): Localized {
    return checkLabel(this.name)
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, ok: this.ok, required: this.required, code: this.code, params: this.params, detail: this.detail, details: this.details }
  }
}

/** The certificate that signed the verified object. */
export interface SignerDescription {
  subject: string
  issuer: string
  /** Serial number in hex. */
  serial: string
  /** SHA-256 of the certificate, in hex. */
  fingerprint: string
  notBefore: Date
  notAfter: Date
}

/** The outcome of a verification: `ok` is true only if every required check passed. */
export interface Verification {
  ok: boolean
  checks: VerificationCheck[]
  /** The signingTime attribute of the signature, when present. */
  signingTime?: Date
  signer?: SignerDescription
}

/** A verification of EF.CardSecurity, with its `SecurityInfos` (DER SET) when the content decodes. */
export interface CardSecurityVerification extends Verification {
  securityInfos?: Uint8Array
}

function signerFrom(native: SignerResult): SignerDescription {
  return {
    subject: native.subject,
    issuer: native.issuer,
    serial: native.serial,
    fingerprint: native.fingerprint,
    notBefore: new Date(native.notBefore),
    notAfter: new Date(native.notAfter),
  }
}

export function verificationFrom(native: VerificationResult): Verification {
  const result: Verification = { ok: native.ok, checks: native.checks.map((check) => new VerificationCheck(check)) }
  if (native.signingTime !== undefined && native.signingTime !== null) result.signingTime = new Date(native.signingTime)
  if (native.signer) result.signer = signerFrom(native.signer)
  return result
}
