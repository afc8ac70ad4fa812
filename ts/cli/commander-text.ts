// Commander 14 writes its help and usage errors in English. This module puts them
// into the current language: help through Help's style and description hooks,
// errors through configureOutput's outputError. English output stays exactly as
// commander writes it.
import { Help, type Command, type Option, type Argument } from 'commander'

import { getLanguage } from '../i18n.js'
import { t } from './output.js'

const TITLES: Record<string, string> = {
  'Usage:': '用法：',
  'Arguments:': '引數：',
  'Options:': '選項：',
  'Global Options:': '全域選項：',
  'Commands:': '指令：',
}

const USAGE_WORDS: Record<string, string> = {
  '[options]': '[選項]',
  '[command]': '[指令]',
}

const english = (): boolean => getLanguage() === 'en'

/**
 * Sets up a program's help and error output in the current language, shows the
 * global options in the help of every subcommand, and adds `--version`. Call it
 * before adding subcommands, which copy these settings when they are created.
 */
export function localizeCommander(program: Command, version: string): Command {
  return program
    .configureHelp({
      showGlobalOptions: true,
      formatHelp(command: Command, helper: Help): string {
        const text = Help.prototype.formatHelp.call(this, command, helper)
        // The title and the usage are joined with a space, which a full-width colon does not need.
        return english() ? text : text.replace(/^用法： /, '用法：')
      },
      styleTitle: (title: string) => (english() ? title : (TITLES[title] ?? title)),
      styleUsage(usage: string): string {
        const styled = Help.prototype.styleUsage.call(this, usage)
        return english() ? styled : translateWords(styled)
      },
      styleSubcommandTerm(term: string): string {
        const styled = Help.prototype.styleSubcommandTerm.call(this, term)
        return english() ? styled : translateWords(styled)
      },
      optionDescription(option: Option): string {
        if (english()) return Help.prototype.optionDescription.call(this, option)
        return withExtraInfo(option.description, optionExtraInfo(option))
      },
      argumentDescription(argument: Argument): string {
        if (english()) return Help.prototype.argumentDescription.call(this, argument)
        return withExtraInfo(argument.description, argumentExtraInfo(argument))
      },
      displayWidth: (text: string) => displayWidth(text),
      boxWrap(text: string, width: number): string {
        if (english()) return Help.prototype.boxWrap.call(this, text, width)
        return wrapLines(text, width, this.minWidthToWrap ?? 0)
      },
    })
    .configureOutput({
      outputError: (message, write) => write(localizeCommanderError(message)),
    })
    .helpOption('-h, --help', t('顯示指令說明', 'display help for command'))
    .helpCommand('help [command]', t('顯示指令說明', 'display help for command'))
    .version(version, '-V, --version', t('顯示版本', 'output the version number'))
}

function translateWords(text: string): string {
  return text
    .split(' ')
    .map((word) => USAGE_WORDS[word] ?? word)
    .join(' ')
}

function optionExtraInfo(option: Option): string[] {
  const info: string[] = []
  if (option.argChoices) info.push(`可選值：${option.argChoices.join('、')}`)
  // Commander shows a default for options that take a value, and for booleans whose default is a boolean.
  const showDefault = option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === 'boolean')
  if (option.defaultValue !== undefined && showDefault) info.push(`預設：${option.defaultValueDescription ?? formatDefault(option.defaultValue)}`)
  if (option.presetArg !== undefined && option.optional) info.push(`不帶值時為：${formatDefault(option.presetArg)}`)
  if (option.envVar !== undefined) info.push(`環境變數：${option.envVar}`)
  return info
}

function argumentExtraInfo(argument: Argument): string[] {
  const info: string[] = []
  if (argument.argChoices) info.push(`可選值：${argument.argChoices.join('、')}`)
  if (argument.defaultValue !== undefined) info.push(`預設：${argument.defaultValueDescription ?? formatDefault(argument.defaultValue)}`)
  return info
}

function formatDefault(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function withExtraInfo(description: string, info: string[]): string {
  if (info.length === 0) return description
  return `${description}（${info.join('；')}）`
}

/**
 * Returns the columns a text takes in a terminal: two for East Asian wide and
 * full-width characters (Han, kana, Hangul, full-width punctuation), one for the
 * rest. Commander pads and wraps help with it, and its own count gives a Han
 * character one column.
 */
export function displayWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '')
  let width = 0
  for (const char of plain) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1
  return width
}

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  )
}

const OPENING = '（「『〔【'
const CLOSING = '，。、；：）」』〕】？！'
/**
 * A unit that a line may not be broken inside: a Han character or a run of other
 * characters without spaces. It takes the opening brackets before it and the closing
 * punctuation after it, so that no line starts with `，` or ends with `（`.
 */
const WRAP_UNIT = new RegExp(`\\s*[${OPENING}]*(?:\\p{Script=Han}|[^\\s\\p{Script=Han}${OPENING}${CLOSING}]+)?[${CLOSING}]*`, 'gu')

/**
 * Wraps help text to `width` columns as commander's boxWrap does, but may also
 * break between two Han characters, because Chinese text has no spaces to break at.
 */
function wrapLines(text: string, width: number, minWidthToWrap: number): string {
  if (width < minWidthToWrap) return text
  const wrapped: string[] = []
  for (const line of text.split(/\r\n|\n/)) {
    const units = (line.match(WRAP_UNIT) ?? []).filter((unit) => unit !== '')
    let current = ''
    let currentWidth = 0
    for (const unit of units) {
      const unitWidth = displayWidth(unit)
      if (current === '' || currentWidth + unitWidth <= width) {
        current += unit
        currentWidth += unitWidth
        continue
      }
      wrapped.push(current)
      current = unit.trimStart()
      currentWidth = displayWidth(current)
    }
    wrapped.push(current)
  }
  return wrapped.join('\n')
}

/** Commander 14's usage errors, matched on their English text, with their zh-TW form. */
const ERRORS: [RegExp, (...groups: string[]) => string][] = [
  [/^error: unknown option '(.+?)'$/, (flag) => `未知的選項「${flag}」`],
  [/^error: unknown command '(.+?)'$/, (name) => `未知的指令「${name}」`],
  [/^error: missing required argument '(.+?)'$/, (name) => `缺少必要的引數「${name}」`],
  [/^error: option '(.+?)' argument missing$/, (flags) => `選項「${flags}」缺少值`],
  [/^error: required option '(.+?)' not specified$/, (flags) => `必須指定選項「${flags}」`],
  [
    /^error: option '(.+?)' argument '(.*?)' is invalid\. Allowed choices are (.+)\.$/,
    (flags, value, choices) => `選項「${flags}」的值「${value}」無效，可用的值為 ${choices.split(', ').join('、')}`,
  ],
  [/^error: option '(.+?)' argument '(.*?)' is invalid\.(.*)$/, (flags, value, rest) => `選項「${flags}」的值「${value}」無效${rest === '' ? '' : `（技術細節：${rest.trim()}）`}`],
  [
    /^error: too many arguments(?: for '(.+?)')?\. Expected (\d+) arguments? but got (\d+)\.$/,
    (name, expected, received) => `${name === undefined ? '' : `指令「${name}」的`}引數太多：應有 ${expected} 個，收到 ${received} 個`,
  ],
]

/**
 * Translates one of commander's error messages into the current language. A
 * message this table does not know keeps its English text after `錯誤：`.
 */
export function localizeCommanderError(message: string): string {
  if (english()) return message
  const [first = '', ...suggestionLines] = message.replace(/\n$/, '').split('\n')
  let translated = `錯誤：${first.replace(/^error: /, '')}`
  for (const [pattern, translate] of ERRORS) {
    const match = pattern.exec(first)
    if (match !== null) {
      translated = `錯誤：${translate(...match.slice(1))}`
      break
    }
  }
  const suggestion = suggestionLines.join(' ').match(/^\(Did you mean (?:one of )?(.+)\?\)$/)
  if (suggestion?.[1] !== undefined) translated += `\n（您是不是要輸入 ${suggestion[1].split(', ').join('、')}？）`
  return `${translated}\n`
}
