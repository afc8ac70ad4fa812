import { getLanguage, type Language, type Localized } from '../i18n.js'
import { CATALOG, type ErrorCode, type MessageParameters } from './catalog.js'

export type { ErrorCode } from './catalog.js'
export { ERROR_CODES } from './catalog.js'

/** State of PIN1 as the card reports it after a PACE attempt with PIN1. */
export type PinState = 'active' | 'suspended' | 'blocked' | 'deactivated'

/** Everything an error may carry besides its code. */
export interface NewEidErrorOptions {
  /** The step that failed, such as `pace.mutual_authenticate` or `read.dg7`. */
  step?: string
  /** The status word the card answered, such as `0x63c2`. */
  sw?: number
  /** Tries left for the secret that was rejected. */
  retriesLeft?: number
  pinState?: PinState
  /** The reader involved, when one was. */
  reader?: string
  /** The readers involved, such as every reader holding a New eID card for `SEVERAL_CARDS`. */
  readers?: readonly string[]
  /**
   * A fact that names the failing value (a file, an offset, a field); never a secret.
   * A plain string is an untranslated technical detail (from the addon, OpenSSL or
   * Node) and is labelled as one in the Traditional Chinese message.
   */
  detail?: string | Localized
  cause?: unknown
}

/**
 * The one error class of the package. `code` is stable across releases and is
 * what programs should branch on; `message` is written in the language chosen
 * with `setLanguage` (Traditional Chinese by default) and `messages` holds
 * every language.
 *
 * No CAN, PIN, PUK, key or nonce is ever part of an error: the constructor
 * takes only codes, step names, status words, counts and reader names.
 */
export class NewEidError extends Error {
  override readonly name = 'NewEidError'
  readonly code: ErrorCode
  readonly step?: string
  readonly sw?: number
  readonly retriesLeft?: number
  readonly pinState?: PinState
  readonly reader?: string
  readonly readers?: readonly string[]
  readonly messages: Localized

  constructor(code: ErrorCode, options: NewEidErrorOptions = {}) {
    const messages = composeMessages(code, options)
    super(messages[getLanguage()], options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.step !== undefined) this.step = options.step
    if (options.sw !== undefined) this.sw = options.sw
    if (options.retriesLeft !== undefined) this.retriesLeft = options.retriesLeft
    if (options.pinState !== undefined) this.pinState = options.pinState
    if (options.reader !== undefined) this.reader = options.reader
    if (options.readers !== undefined) this.readers = [...options.readers]
    this.messages = messages
  }

  /** Returns the message in the given language. */
  messageIn(language: Language): string {
    return this.messages[language]
  }

  /** Returns a plain object for JSON output (CLI `--json`, local server answers). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      messages: this.messages,
      step: this.step,
      sw: this.sw === undefined ? undefined : formatStatusWord(this.sw),
      retriesLeft: this.retriesLeft,
      pinState: this.pinState,
      reader: this.reader,
      readers: this.readers,
    }
  }
}

/** Formats a status word as four hex digits, as card specifications write them (`63C2`). */
export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0')
}

/** Tells whether a value is a `NewEidError`, optionally with the given code. */
export function isNewEidError(value: unknown, code?: ErrorCode): value is NewEidError {
  return value instanceof NewEidError && (code === undefined || value.code === code)
}

function composeMessages(code: ErrorCode, options: NewEidErrorOptions): Localized {
  const parameters: MessageParameters = {
    retriesLeft: options.retriesLeft,
    reader: options.reader,
    step: options.step,
    sw: options.sw === undefined ? undefined : formatStatusWord(options.sw),
    readers: options.readers,
  }
  const base = CATALOG[code](parameters)
  const detail = typeof options.detail === 'string' ? technicalDetail(options.detail) : options.detail
  const suffix = (language: Language): string => {
    const parts: string[] = []
    if (detail !== undefined && detail[language] !== '') parts.push(detail[language])
    if (parameters.step !== undefined) parts.push(language === 'en' ? `step: ${parameters.step}` : `步驟：${parameters.step}`)
    if (parameters.sw !== undefined) parts.push(language === 'en' ? `status word: ${parameters.sw}` : `狀態字組：${parameters.sw}`)
    if (parts.length === 0) return ''
    return language === 'en' ? ` (${parts.join('; ')})` : `（${parts.join('；')}）`
  }
  return { 'zh-TW': base['zh-TW'] + suffix('zh-TW'), en: base.en + suffix('en') }
}

/** Labels an untranslated detail in the Traditional Chinese message. */
function technicalDetail(detail: string): Localized | undefined {
  if (detail === '') return undefined
  return { 'zh-TW': `技術細節：${detail}`, en: detail }
}
