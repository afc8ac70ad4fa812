import { NewEidError } from '../errors/index.js'

/** A secret as callers may pass it: a string of digits or its ASCII bytes. */
export type Secret = string | Uint8Array

/**
 * The bytes of a secret, and whether this package created them. Buffers the
 * package creates are zero-filled by `wipe` once the call settles; a caller's
 * own `Uint8Array` is left to the caller. JavaScript strings cannot be wiped,
 * so callers that care pass bytes.
 */
export interface SecretBytes {
  bytes: Uint8Array
  wipe(): void
}

/**
 * Checks that a secret is `digits` ASCII digits (a range for PUK and PIN2
 * lengths) and returns its bytes. The error names the secret, never its value.
 */
export function secretBytes(secret: Secret, name: 'CAN' | 'PIN' | 'PUK', digits: number): SecretBytes {
  const owned = typeof secret === 'string'
  const bytes = owned ? new TextEncoder().encode(secret) : secret
  if (!(bytes instanceof Uint8Array)) {
    throw new NewEidError('INVALID_INPUT', {
      step: `check.${name.toLowerCase()}`,
      detail: { 'zh-TW': `${name} 必須是字串或 Uint8Array`, en: `the ${name} must be a string or a Uint8Array` },
    })
  }
  const valid = bytes.length === digits && bytes.every((byte) => byte >= 0x30 && byte <= 0x39)
  if (!valid) {
    if (owned) bytes.fill(0)
    throw new NewEidError('INVALID_INPUT', {
      step: `check.${name.toLowerCase()}`,
      detail: { 'zh-TW': `${name} 必須是 ${digits} 位數字`, en: `the ${name} must be ${digits} digits` },
    })
  }
  return {
    bytes,
    wipe: () => {
      if (owned) bytes.fill(0)
    },
  }
}
