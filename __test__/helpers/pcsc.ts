import type { ExecutionContext } from 'ava'

import { listCardTerminals, isNewEidError, type CardTerminal } from '../../ts/index.js'

/** The two readers vsmartcard's vpcd adds to pcscd. */
export const VPCD_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const

/**
 * Tells why the PC/SC tests cannot run here, or undefined when they can:
 * pcscd must answer and list both vpcd readers. Under CI=true a missing
 * PC/SC stack is a failure, not a reason to skip; NEWEID_PCSC_TESTS=off
 * (for runners without vpcd, such as macOS and Windows) skips explicitly.
 */
export async function pcscUnavailableReason(): Promise<string | undefined> {
  const switchedOff = process.env.NEWEID_PCSC_TESTS
  if (switchedOff !== undefined && switchedOff.startsWith('off')) return `NEWEID_PCSC_TESTS=${switchedOff}`
  let terminals: CardTerminal[]
  try {
    terminals = await listCardTerminals()
  } catch (error) {
    const reason = isNewEidError(error) ? `${error.code}: ${error.messageIn('en')}` : String(error)
    return `pcscd is not reachable (${reason}); install pcscd and vsmartcard-vpcd and start pcscd`
  }
  const names = terminals.map((terminal) => terminal.name)
  const missing = VPCD_READERS.filter((reader) => !names.includes(reader))
  if (missing.length > 0) return `pcscd lists no ${missing.join(' and ')}; install vsmartcard-vpcd and restart pcscd`
  return undefined
}

/** Skips the test with a printed reason, or fails it under CI=true. */
export function skipOrFail(t: ExecutionContext, reason: string): void {
  if (process.env.CI === 'true' && !(process.env.NEWEID_PCSC_TESTS ?? '').startsWith('off')) {
    t.fail(`PC/SC test cannot run under CI=true: ${reason}`)
    return
  }
  t.log(`skipped: ${reason}`)
  t.pass()
}

/** Polls until `reader` shows a powered card (with an ATR), or no card. */
export async function waitForReader(reader: string, present: boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const terminal = (await listCardTerminals()).find((candidate) => candidate.name === reader)
    if (terminal !== undefined && terminal.cardPresent === present && (!present || terminal.atr !== undefined)) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}
