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

/** Where a command writes its output and errors; tests pass their own. */
export interface OutputStreams {
  readonly stdout: { write(chunk: Uint8Array | string): unknown }
  readonly stderr: { write(chunk: string): unknown }
  setExitCode(code: number): void
}

/** The process's own standard output and error. */
export const processStreams: OutputStreams = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code
  },
}

/**
 * Reports an error and sets the exit code: the stable code and the message on
 * standard error, such as `錯誤 [WRONG_CAN]：…`. With `--json` a JSON document
 * `{ "error": … }` also goes to standard output, so that a terminal still shows
 * the error when standard output is redirected to a file.
 */
export function reportError(error: unknown, json: boolean, streams: OutputStreams = processStreams): void {
  const failure = isNewEidError(error) ? error : new NewEidError('INTERNAL', { detail: String((error as Error)?.message ?? error), cause: error })
  if (json) streams.stdout.write(`${JSON.stringify({ error: failure.toJSON() }, jsonReplacer, 2)}\n`)
  streams.stderr.write(`${errorLine(failure)}\n`)
  streams.setExitCode(exitCodeOf(failure))
}

/** Formats an error as one line in the current language: `錯誤 [CODE]：message`. */
export function errorLine(failure: NewEidError): string {
  return `${t('錯誤', 'error')} [${failure.code}]${t('：', ': ')}${failure.messageIn(getLanguage()).replaceAll('\n', ' ')}`
}

/** Exit code of a command that failed with an error (usage, input, card or service). */
export const EXIT_ERROR = 2

/** Exit code after the user cancelled a prompt with Ctrl+C or Ctrl+D: 128 + SIGINT, as shells report it. */
export const EXIT_ABORTED = 130

function exitCodeOf(failure: NewEidError): number {
  return failure.code === 'ABORTED' ? EXIT_ABORTED : EXIT_ERROR
}
