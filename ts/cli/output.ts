import { getLanguage, setLanguage, type Language } from '../i18n.js'
import { NewEidError, isNewEidError } from '../errors/index.js'

/** Options every command accepts. */
export interface GlobalOptions {
  lang?: string
  json?: boolean
  reader?: string
}

/** Picks the text in the current language. */
export function t(zh: string, en: string): string {
  return getLanguage() === 'en' ? en : zh
}

/** Applies `--lang`, which wins over the environment. */
export function applyLanguage(value: string | undefined): void {
  if (value === undefined) return
  const normalized = value.toLowerCase()
  const language: Language | undefined = normalized.startsWith('en') ? 'en' : normalized.startsWith('zh') ? 'zh-TW' : undefined
  if (language === undefined) {
    throw new NewEidError('INVALID_INPUT', {
      detail: { 'zh-TW': `不支援的語言「${value}」，請用 zh-TW 或 en`, en: `unsupported language "${value}": use zh-TW or en` },
    })
  }
  setLanguage(language)
}

/** Writes a JSON document to standard output, with bytes as base64. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`)
}

/** Writes lines of text to standard output. */
export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`)
}

/**
 * Makes binary data and maps printable as JSON: `Uint8Array` becomes base64
 * and a `Map` becomes an object keyed by its keys.
 */
export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (value instanceof Map) return Object.fromEntries(value)
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    return Buffer.from((value as { data: number[] }).data).toString('base64')
  }
  return value
}

/**
 * Reports an error and sets the exit code to 2: the stable code and the
 * message on standard error, or a JSON document on standard output with
 * `--json`.
 */
export function reportError(error: unknown, json: boolean): void {
  const failure = isNewEidError(error) ? error : new NewEidError('INTERNAL', { detail: String((error as Error)?.message ?? error), cause: error })
  if (json) {
    printJson({ error: failure.toJSON() })
  } else {
    process.stderr.write(`${t('錯誤', 'error')} [${failure.code}]${t('：', ': ')}${failure.message}\n`)
  }
  process.exitCode = EXIT_ERROR
}

/** Exit code of a command that failed with an error (usage, input, card or service). */
export const EXIT_ERROR = 2
