import { getLanguage, type Localized } from '../i18n.js'
import type { VerificationResult } from '../native.js'
import { checkLabel, renderDetail } from './messages.js'

/** A check as the native layer sends it, inside `checksJson`. */
interface NativeCheck {
  name: string
  ok: boolean
  required: boolean
  code: string
  params: Record<string, string>
}

/**
 * One check of a verification. `name` is stable, such as `sod.signature`,
 * `ds.crl_status`, `dg7.hash`, `dg3.not_in_sod` or `dg9.not_read`. `code`
 * and `params` are the machine-readable reason. `detail` is the reason in
 * the current language, and `details` has it in every language.
 */
export class VerificationCheck {
  readonly name: string
  readonly ok: boolean
  /** Whether the verdict depends on this check. */
  readonly required: boolean
  readonly code: string
  readonly params: Readonly<Record<string, string>>
  #details: Localized | undefined

  constructor(native: NativeCheck) {
    this.name = native.name
    this.ok = native.ok
    this.required = native.required
    this.code = native.code
    this.params = native.params
  }

  /** The reason in every language, rendered on first use. */
  get details(): Localized {
    this.#details ??= renderDetail(this.code, this.params)
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

/** The JSON that the native layer sends: times in milliseconds since the Unix epoch. */
interface NativeVerification {
  ok: boolean
  signingTime: number | null
  signer: { subject: string; issuer: string; serial: string; fingerprint: string; notBefore: number; notAfter: number } | null
  checks: NativeCheck[]
}

/**
 * A verification result whose checks are decoded from the native JSON on
 * first access, so that a caller that needs only `ok` does not pay for them.
 */
class NativeBackedVerification implements Verification {
  readonly ok: boolean
  readonly #json: string
  #decoded: { checks: VerificationCheck[]; signingTime?: Date; signer?: SignerDescription } | undefined

  constructor(ok: boolean, json: string) {
    this.ok = ok
    this.#json = json
  }

  #decode() {
    if (this.#decoded === undefined) {
      const parsed = JSON.parse(this.#json) as NativeVerification
      const decoded: { checks: VerificationCheck[]; signingTime?: Date; signer?: SignerDescription } = {
        checks: parsed.checks.map((check) => new VerificationCheck(check)),
      }
      if (parsed.signingTime !== null) decoded.signingTime = new Date(parsed.signingTime)
      if (parsed.signer !== null) {
        decoded.signer = { ...parsed.signer, notBefore: new Date(parsed.signer.notBefore), notAfter: new Date(parsed.signer.notAfter) }
      }
      this.#decoded = decoded
    }
    return this.#decoded
  }

  get checks(): VerificationCheck[] {
    return this.#decode().checks
  }

  get signingTime(): Date | undefined {
    return this.#decode().signingTime
  }

  get signer(): SignerDescription | undefined {
    return this.#decode().signer
  }

  toJSON(): Record<string, unknown> {
    return { ok: this.ok, signingTime: this.signingTime, signer: this.signer, checks: this.checks }
  }
}

export function verificationFrom(native: VerificationResult): Verification {
  return new NativeBackedVerification(native.ok, native.json)
}
