import type { NewEidError } from '../errors/index.js'
import { fromNativeError as convert } from '../native.js'

/**
 * Turns an error thrown by the Passive Authentication bindings into a
 * `NewEidError`, naming `step` when the addon named none.
 */
export function fromNativeError(error: unknown, step: string): NewEidError {
  return convert(error, step)
}
