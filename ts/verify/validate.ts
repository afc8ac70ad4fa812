import { NewEidError } from '../errors/index.js'

/** Describes a value for an error message, in both languages, without copying large inputs into it. */
export function describeValue(value: unknown): { 'zh-TW': string; en: string } {
  if (value === null) return { 'zh-TW': 'null', en: 'null' }
  if (value === undefined) return { 'zh-TW': 'undefined', en: 'undefined' }
  if (Array.isArray(value)) return { 'zh-TW': '陣列', en: 'an array' }
  if (value instanceof Uint8Array) return { 'zh-TW': `${value.length} 位元組的資料`, en: `${value.length} bytes` }
  if (value instanceof Map) return { 'zh-TW': 'Map', en: 'a Map' }
  switch (typeof value) {
    case 'string': {
      const quoted = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
      return { 'zh-TW': `字串 ${quoted}`, en: `the string ${quoted}` }
    }
    case 'number':
    case 'bigint':
    case 'boolean':
      return { 'zh-TW': `${typeof value} ${String(value)}`, en: `the ${typeof value} ${String(value)}` }
    case 'function':
      return { 'zh-TW': '函式', en: 'a function' }
    default:
      return { 'zh-TW': '物件', en: 'an object' }
  }
}

/** Builds an `INVALID_INPUT` error whose detail names the value received. */
export function invalidInput(step: string, expected: { 'zh-TW': string; en: string }, value: unknown): NewEidError {
  const received = describeValue(value)
  return new NewEidError('INVALID_INPUT', {
    step,
    detail: { 'zh-TW': `${expected['zh-TW']}，收到的是${received['zh-TW']}`, en: `${expected.en}, not ${received.en}` },
  })
}

/** Tells whether a value is an object other than null, an array, bytes or a Map. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Map)
}
