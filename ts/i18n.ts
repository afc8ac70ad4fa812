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

/** Sets the language of messages (errors, CLI output) for this process. */
export function setLanguage(language: Language): void {
  if (!LANGUAGES.includes(language)) {
    throw new TypeError(`unsupported language ${JSON.stringify(language)}: use one of ${LANGUAGES.join(', ')}`)
  }
  current = language
}

/** A text in every supported language. */
export type Localized = Record<Language, string>
