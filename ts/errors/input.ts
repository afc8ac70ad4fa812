import { joinZh, type Localized } from '../i18n.js'
import { NewEidError } from './index.js'

/**
 * Names the type of a value for a message: `null`, `undefined`, `array`, the class
 * name of an object (`ArrayBuffer`, `Promise`), `""` for the empty string, or the
 * `typeof` of any other primitive.
 */
export function typeNameOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === '') return '""'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object'
  }
  return typeof value
}

/**
 * Returns an `INVALID_INPUT` error for an argument of the wrong type: `subject` names
 * the argument or option (`decodeCnsText 的參數`, `the argument of decodeCnsText`)
 * and `expected` the type it must have. The message shows the type received, never
 * the value, because the value may be a secret.
 */
export function wrongType(subject: Localized, expected: Localized, value: unknown, step?: string): NewEidError {
  const received = typeNameOf(value)
  return new NewEidError('INVALID_INPUT', {
    ...(step === undefined ? {} : { step }),
    detail: {
      'zh-TW': `${joinZh(subject['zh-TW'], '必須是', expected['zh-TW'])}，收到的是 ${received}`,
      en: `${subject.en} must be ${expected.en}, not ${received}`,
    },
  })
}
