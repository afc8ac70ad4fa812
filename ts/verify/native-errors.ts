import { NewEidError, type ErrorCode } from '../errors/index.js'

const NATIVE_CODES: readonly ErrorCode[] = ['CERTIFICATE_REJECTED', 'INVALID_INPUT', 'INTERNAL']

/**
 * Turns an error thrown by the Passive Authentication addon into a
 * `NewEidError`. Synchronous calls set `code`; asynchronous ones start the
 * message with `CODE: `, because the thread-pool task reports a status only.
 */
export function fromNativeError(error: unknown, step: string): NewEidError {
  if (error instanceof NewEidError) return error
  const native = error as { code?: unknown; message?: unknown }
  const message = typeof native?.message === 'string' ? native.message : String(error)
  let code: ErrorCode = 'INTERNAL'
  let detail = message
  if (typeof native?.code === 'string' && NATIVE_CODES.includes(native.code as ErrorCode)) {
    code = native.code as ErrorCode
  } else {
    const prefixed = /^([A-Z_]+): ([\s\S]*)$/.exec(message)
    if (prefixed && NATIVE_CODES.includes(prefixed[1] as ErrorCode)) {
      code = prefixed[1] as ErrorCode
      detail = prefixed[2] ?? ''
    }
  }
  return new NewEidError(code, { step, detail, cause: error })
}
