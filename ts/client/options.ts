import { NewEidError } from '../errors/index.js'
import { wrongType } from '../errors/input.js'
import type { Localized } from '../i18n.js'
import type { CardOptions } from './index.js'

/** An option of a card operation. `listEIDs` takes only `signal`. */
export type CardOptionName = keyof CardOptions

const ALL_OPTIONS: readonly CardOptionName[] = ['reader', 'signal', 'timeoutMs']

/** The longest timeout `setTimeout` keeps: 2^31 − 1 milliseconds, about 24.8 days. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Checks the options of a card operation before any card is touched and returns
 * them: `undefined` stands for no options, `reader` must be a non-empty string,
 * `signal` an `AbortSignal` and `timeoutMs` a whole number of milliseconds
 * from 1 to 2^31 − 1. Throws `NewEidError` `INVALID_INPUT` with `step`
 * for anything else, including an option the operation does not take (`allowed`),
 * such as `reader` for `listEIDs`. Other properties are ignored, as JavaScript
 * options objects usually are.
 */
export function checkCardOptions(options: unknown, step: string, allowed: readonly CardOptionName[] = ALL_OPTIONS): CardOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw wrongType({ 'zh-TW': '讀卡選項', en: 'the card options' }, { 'zh-TW': '物件（例如 { reader, signal }）', en: 'an object such as { reader, signal }' }, options, step)
  }

  const { reader, signal, timeoutMs } = options as { reader?: unknown; signal?: unknown; timeoutMs?: unknown }
  if (reader !== undefined) {
    if (!allowed.includes('reader')) throw notTaken('reader', step)
    if (typeof reader !== 'string' || reader === '') throw wrongType(optionName('reader'), { 'zh-TW': '讀卡機名稱（非空字串）', en: 'a reader name (a non-empty string)' }, reader, step)
  }
  if (signal !== undefined) {
    if (!allowed.includes('signal')) throw notTaken('signal', step)
    if (!isAbortSignal(signal)) throw wrongType(optionName('signal'), { 'zh-TW': 'AbortSignal', en: 'an AbortSignal' }, signal, step)
  }

  if (timeoutMs !== undefined) {
    if (!allowed.includes('timeoutMs')) throw notTaken('timeoutMs', step)
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw wrongType(optionName('timeoutMs'), { 'zh-TW': '1 至 2147483647 的整數毫秒數', en: 'a whole number of milliseconds from 1 to 2147483647' }, timeoutMs, step)
    }
  }

  return {
    ...(reader === undefined ? {} : { reader }),
    ...(signal === undefined ? {} : { signal }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  }
}

function optionName(name: CardOptionName): Localized {
  return { 'zh-TW': `${name} 選項`, en: `the ${name} option` }
}

function notTaken(name: CardOptionName, step: string): NewEidError {
  return new NewEidError('INVALID_INPUT', {
    step,
    detail: { 'zh-TW': `此操作不接受 ${name} 選項`, en: `this operation takes no ${name} option` },
  })
}

/**
 * Tells whether a value is an `AbortSignal`, including one from another realm
 * (a `vm` context) or a polyfill with the same members, which `instanceof` misses.
 */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<AbortSignal>
  return typeof candidate.aborted === 'boolean' && typeof candidate.addEventListener === 'function' && typeof candidate.removeEventListener === 'function'
}
