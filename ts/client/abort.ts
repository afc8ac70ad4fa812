import native from '../native.js'
import { NewEidError } from '../errors/index.js'

/**
 * Connects an `AbortSignal` to a native cancel token: the card operation
 * stops before its next command once the signal fires. Returns the token and
 * a function that detaches the listener.
 */
export function cancelTokenFor(signal: AbortSignal | undefined): { token?: InstanceType<typeof native.CancelToken>; release: () => void } {
  if (signal === undefined) return { release: () => {} }
  if (signal.aborted) throw new NewEidError('ABORTED', { cause: signal.reason })
  const token = new native.CancelToken()
  const onAbort = (): void => token.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  return { token, release: () => signal.removeEventListener('abort', onAbort) }
}
