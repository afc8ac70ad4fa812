import { existsSync } from 'node:fs'

import { NewEidError } from './errors/index.js'
import { wrongType } from './errors/input.js'
import type { Localized } from './i18n.js'
import native, { callNative, callNativeSync } from './native.js'

/** How to build a virtual card. */
export interface VirtualCardOptions {
  /** A built-in persona (`lin-mei-ling`, `chen-zhi-kun`, `huang-pua`) or the path of a persona file. */
  persona?: string
  /** Whether the card offers extended-length APDUs (default true). */
  extendedLength?: boolean
  /** Standardised domain parameter IDs of the PACE options the card offers (default `[13]`). */
  paceParameterIds?: number[]
}

/** The vpcd address of a card: vpcd listens on 35963 ("Virtual PCD 00 00") and 35964 ("Virtual PCD 00 01"). */
export interface VpcdOptions {
  host?: string
  port?: number
}

/** The command at which a card fault fires (for tests of removal and hangs). */
export interface RemovalFault {
  /** Instruction byte, such as 0xB0 for READ BINARY. */
  ins: number
  /** P1 byte, such as 0x87 for READ BINARY of DG7 by its short file identifier. */
  p1?: number
  /** The count of matching commands at which the fault fires (default 1). */
  occurrence?: number
}

type Handle = InstanceType<typeof native.VirtualCardHandle>

/**
 * The virtual New eID card, holding a fictitious persona's data. It is the
 * test bed of this package: no real New eID card exists.
 */
export class VirtualCard {
  readonly #handle: Handle

  private constructor(handle: Handle) {
    this.#handle = handle
  }

  /** The built-in personas. */
  static personas(): string[] {
    return native.builtInPersonas()
  }

  /**
   * Inserts a card into a reader of this process named `reader`. The reader
   * is listed with the PC/SC readers and works without pcscd.
   */
  static insert(options: VirtualCardOptions & { reader?: string } = {}): VirtualCard {
    checkCardOptions(options, 'VirtualCard.insert')
    const { reader = 'NewEID Virtual Reader', ...card } = options
    if (typeof reader !== 'string' || reader === '') throw wrongType(optionOf('VirtualCard.insert', 'reader'), NON_EMPTY_STRING, reader, STEP)
    return new VirtualCard(callNativeSync(() => native.insertVirtualCard(reader, card)))
  }

  /** Connects a card to vsmartcard's vpcd, so that pcscd shows it in a reader. */
  static connectToVpcd(options: VirtualCardOptions & VpcdOptions = {}): VirtualCard {
    checkCardOptions(options, 'VirtualCard.connectToVpcd')
    const { host, port, ...card } = options
    if (host !== undefined && (typeof host !== 'string' || host === '')) {
      throw wrongType(optionOf('VirtualCard.connectToVpcd', 'host'), NON_EMPTY_STRING, host, STEP)
    }
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new NewEidError('INVALID_INPUT', {
        step: STEP,
        detail: { 'zh-TW': `vpcd 連接埠 ${String(port)} 無效，請用 1 到 65535 的整數`, en: `vpcd port ${String(port)} is invalid: use an integer from 1 to 65535` },
      })
    }
    return new VirtualCard(callNativeSync(() => native.connectVirtualCardToVpcd(card, { host, port })))
  }

  get persona(): string {
    return this.#handle.persona
  }

  /** The persona's CAN: test data, but print it no more than a real one. */
  get can(): string {
    return this.#handle.can
  }

  /** The reader name for an in-process card; undefined for a vpcd card. */
  get reader(): string | undefined {
    return this.#handle.inProcessReader ?? undefined
  }

  get present(): boolean {
    return this.#handle.present
  }

  get pinTriesLeft(): number {
    return this.#handle.pinTriesLeft
  }

  /** Pulls the card from its reader. */
  remove(): void {
    this.#handle.remove()
  }

  /** Puts the card back; it powers up with no secure messaging session. */
  reinsert(): void {
    this.#handle.insert()
  }

  /** Resolves true once the card is in its reader, false after the timeout. */
  waitUntilPresent(timeoutMs = 5000): Promise<boolean> {
    return callNative(() => this.#handle.waitUntilPresent(timeoutMs))
  }

  /** Pulls a vpcd card when a matching command arrives, without answering it. */
  pullOnCommand(fault: RemovalFault): void {
    callNativeSync(() => this.#handle.pullOnCommand(fault))
  }

  /**
   * Makes a vpcd card stop answering when a matching command arrives, as a
   * broken card would. It answers again after `remove()` and `reinsert()`.
   */
  muteOnCommand(fault: RemovalFault): void {
    callNativeSync(() => this.#handle.muteOnCommand(fault))
  }

  /** Takes the card out and releases its reader or vpcd connection. */
  stop(): void {
    this.#handle.stop()
  }
}

const STEP = 'check.virtual_card'
const NON_EMPTY_STRING: Localized = { 'zh-TW': '非空字串', en: 'a non-empty string' }

function optionOf(method: string, option: string): Localized {
  return { 'zh-TW': `${method} 的 ${option} 選項`, en: `the ${option} option of ${method}` }
}

/**
 * Checks the card options before they reach the addon, whose conversions would
 * report a wrong type as an internal error and read an ID such as -1 as 0.
 */
function checkCardOptions(options: unknown, method: string): asserts options is VirtualCardOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw wrongType({ 'zh-TW': `${method} 的選項`, en: `the options of ${method}` }, { 'zh-TW': '物件', en: 'an object' }, options, STEP)
  }
  const { persona, extendedLength, paceParameterIds } = options as Record<string, unknown>
  if (persona !== undefined) checkPersona(persona, method)
  if (extendedLength !== undefined && typeof extendedLength !== 'boolean') {
    throw wrongType(optionOf(method, 'extendedLength'), { 'zh-TW': '布林值', en: 'a boolean' }, extendedLength, STEP)
  }
  if (paceParameterIds !== undefined) checkParameterIds(paceParameterIds, method)
}

/**
 * Checks a persona: a built-in identifier or the path of a persona file. A value
 * with a slash or a `.json` ending is a path, and a missing file is reported as
 * such rather than as an unknown persona.
 */
function checkPersona(persona: unknown, method: string): void {
  if (typeof persona !== 'string' || persona === '') throw wrongType(optionOf(method, 'persona'), NON_EMPTY_STRING, persona, STEP)
  const path = persona.includes('/') || persona.includes('\\') || persona.toLowerCase().endsWith('.json')
  if (path && !existsSync(persona)) {
    throw new NewEidError('INVALID_INPUT', {
      step: STEP,
      detail: { 'zh-TW': `找不到人物檔案「${persona}」`, en: `persona file "${persona}" not found` },
    })
  }
  const builtIn = native.builtInPersonas()
  // The addon also loads a file named without a slash or .json, such as "persona" in the working folder.
  if (!path && !builtIn.includes(persona) && !existsSync(persona)) {
    throw new NewEidError('INVALID_INPUT', {
      step: STEP,
      detail: {
        'zh-TW': `未知的人物「${persona}」：請用 ${builtIn.join('、')} 或人物檔案的路徑`,
        en: `unknown persona "${persona}": use ${builtIn.join(', ')} or the path of a persona file`,
      },
    })
  }
}

function checkParameterIds(ids: unknown, method: string): void {
  const list: Localized = { 'zh-TW': '0 到 255 的整數陣列', en: 'an array of integers from 0 to 255' }
  if (!Array.isArray(ids)) throw wrongType(optionOf(method, 'paceParameterIds'), list, ids, STEP)
  const invalid = ids.find((id: unknown) => typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255)
  if (invalid === undefined && ids.length > 0) return
  const shown = ids.length === 0 ? { 'zh-TW': '是空陣列', en: 'is empty' } : { 'zh-TW': `含有 ${JSON.stringify(invalid) ?? String(invalid)}`, en: `contains ${JSON.stringify(invalid) ?? String(invalid)}` }
  throw new NewEidError('INVALID_INPUT', {
    step: STEP,
    detail: {
      'zh-TW': `${method} 的 paceParameterIds ${shown['zh-TW']}：請用 PACE 標準參數代號（0 到 255 的整數），例如 [13]`,
      en: `paceParameterIds of ${method} ${shown.en}: use standardised PACE domain parameter IDs (integers from 0 to 255), such as [13]`,
    },
  })
}
