import { NewEidError } from './errors/index.js'

/** Languages the package speaks: Traditional Chinese (the default) and English. */
export type Language = 'zh-TW' | 'en'

export const LANGUAGES: readonly Language[] = ['zh-TW', 'en']

let current: Language | undefined

/**
 * Picks the language from `NEWEID_LANG`, then `LC_ALL`, `LC_MESSAGES` and
 * `LANG`: English when the first one set starts with `en`, Traditional
 * Chinese otherwise, because the first users of the package read zh-TW.
 */
export function languageFromEnvironment(env: NodeJS.ProcessEnv = process.env): Language {
  const value = env.NEWEID_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^en\b|^en[_-]/i.test(value) ? 'en' : 'zh-TW'
}

/** Returns the language that messages are written in. */
export function getLanguage(): Language {
  current ??= languageFromEnvironment()
  return current
}

/**
 * Sets the language of messages (errors, CLI output) for this process. Throws
 * `NewEidError` `INVALID_INPUT` for anything but `'zh-TW'` or `'en'`.
 */
export function setLanguage(language: Language): void {
  if (!LANGUAGES.includes(language)) {
    const quoted = typeof language === 'string' ? JSON.stringify(language) : `(${language === null ? 'null' : typeof language})`
    throw new NewEidError('INVALID_INPUT', {
      step: 'check.language',
      detail: {
        'zh-TW': `不支援的語言 ${quoted}：請用 ${LANGUAGES.join(' 或 ')}`,
        en: `unsupported language ${quoted}: use ${LANGUAGES.join(' or ')}`,
      },
    })
  }
  current = language
}

/** A text in every supported language. */
export type Localized = Record<Language, string>

const LATIN_END = /[A-Za-z0-9]$/
const LATIN_START = /^[A-Za-z0-9]/
const HAN_END = /\p{Script=Han}$/u
const HAN_START = /^\p{Script=Han}/u

/**
 * Joins pieces of Traditional Chinese text, with a space where a Latin letter or
 * digit meets a Han character, as zh-TW typesetting does (`位置 1 的 U+000A 沒有`).
 */
export function joinZh(...parts: string[]): string {
  let joined = ''
  for (const part of parts) {
    const spaced = (LATIN_END.test(joined) && HAN_START.test(part)) || (HAN_END.test(joined) && LATIN_START.test(part))
    joined += spaced ? ` ${part}` : part
  }
  return joined
}
