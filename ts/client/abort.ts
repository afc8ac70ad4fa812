import native from '../native.js'
import { NewEidError } from '../errors/index.js'

type CancelToken = InstanceType<typeof native.CancelToken>

/** How long a card operation may take before it fails with `TIMEOUT`, unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000

/** Limits on a card operation. */
export interface OperationLimits {
  /** Stops the operation before its next command to the card, or rejects at once if the card hangs. */
  signal?: AbortSignal
  /** Milliseconds before the operation fails with `TIMEOUT` (default 60,000). */
  timeoutMs?: number
}

/**
 * Runs a native card operation with the caller's `AbortSignal` and a timeout.
 * Both set the native cancel token, which stops the operation between two
 * commands, and both reject at once: a card or reader that never answers
 * leaves its native thread waiting, but not the caller.
 */
export function runCardOperation<T>(limits: OperationLimits, start: (token: CancelToken) => Promise<T>): Promise<T> {
  const { signal } = limits
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (signal?.aborted) return Promise.reject(new NewEidError('ABORTED', { cause: signal.reason }))

  const token = new native.CancelToken()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      token.cancel()
      finish()
      reject(new NewEidError('ABORTED', { cause: signal?.reason }))
    }
    const timer = setTimeout(() => {
      token.cancel()
      finish()
      reject(
        new NewEidError('TIMEOUT', {
          detail: { 'zh-TW': `讀卡機或卡片在 ${timeoutMs} 毫秒內沒有回應`, en: `the reader or card did not answer within ${timeoutMs} ms` },
        }),
      )
    }, timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    start(token).then(
      (value) => {
        finish()
        resolve(value)
      },
      (error: unknown) => {
        finish()
        reject(error)
      },
    )
  })
}
