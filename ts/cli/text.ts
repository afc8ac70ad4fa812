import { readFile } from 'node:fs/promises'

import { type Command, Option } from 'commander'

import { NewEidError } from '../errors/index.js'
import { fileReadError } from '../errors/file.js'
import { type Localized, getLanguage } from '../i18n.js'
import { applyLanguage, processStreams, reportError, type OutputStreams } from './output.js'
import { firstInvalidUtf8 } from './utf8.js'
import { formatCodePoint } from '../text/characters.js'
import { charOfCnsCode, cnsCodesOf, decodeCnsText, encodeCnsText, fromBig5, toBig5, type UnencodableAction } from '../text/index.js'

/** Streams the `text` command reads and writes; tests pass their own. */
export interface TextCommandIo extends OutputStreams {
  readonly stdin: AsyncIterable<Uint8Array | string>
}

const processIo: TextCommandIo = { stdin: process.stdin, ...processStreams }

interface CommonOptions {
  json?: boolean
  lang?: string
  hex?: boolean
}

interface Big5Options extends CommonOptions {
  onUnencodable: UnencodableAction
  replacement?: string
}

/** Picks the text of the language that is current when the command is registered (help texts). */
const say = (text: Localized): string => text[getLanguage()]

/**
 * Registers `text` and its subcommands on a commander program:
 * `text decode|encode|big5|from-big5|code|char`. Each reads the file argument or,
 * without one, standard input, and writes to standard output. Output and errors are in
 * Traditional Chinese unless `--lang en` (or the environment, see `languageFromEnvironment`)
 * chooses English. An error sets the exit code to 2. `--json` and `--lang` are the
 * program's global options.
 */
export function registerTextCommand(program: Command, io: TextCommandIo = processIo): Command {
  const text = program.command('text').description(
    say({
      'zh-TW': '轉換中文編碼：卡片的 CNS 11643（全字庫）文字、Big5（CP950）與 Unicode',
      en: 'convert Chinese text: CNS 11643 (全字庫) card text, Big5 (CP950) and Unicode',
    }),
  )

  const subcommand = (name: string, description: Localized): Command =>
    text.command(name).description(say(description))

  subcommand('decode', { 'zh-TW': '將卡片的 CNS 文字位元組轉為 Unicode 文字', en: 'decode CNS text bytes from the card to Unicode' })
    .argument('[file]', say({ 'zh-TW': '輸入檔；省略時讀取標準輸入', en: 'input file; standard input when omitted' }))
    .option('--hex', say({ 'zh-TW': '輸入為十六進位文字（可含空白）', en: 'the input is hex text (spaces allowed)' }))
    .action(run(io, async (file: string | undefined, options: CommonOptions) => {
      const decoded = decodeCnsText(await readBytes(io, file, options.hex === true))
      if (options.json === true) return writeJson(io, decoded)
      io.stdout.write(`${decoded.text}\n`)
      for (const item of decoded.privateUse) {
        io.stderr.write(
          localize({
            'zh-TW': `注意：位置 ${item.index} 的字元 ${item.code} 對應到 Unicode 私用區 ${formatCodePoint(item.codePoint)}，須安裝全字庫字型才能正確顯示\n`,
            en: `note: the character at index ${item.index} (${item.code}) maps to private use ${formatCodePoint(item.codePoint)} and displays only with 全字庫 fonts\n`,
          }),
        )
      }
      for (const item of decoded.unmapped) {
        io.stderr.write(
          localize({
            'zh-TW': `注意：位置 ${item.index} 的字元 ${item.code} 沒有對應的 Unicode 字元，以 U+FFFD 表示\n`,
            en: `note: the character at index ${item.index} (${item.code}) has no Unicode mapping and is shown as U+FFFD\n`,
          }),
        )
      }
    }))

  subcommand('encode', { 'zh-TW': '將 Unicode 文字轉為卡片的 CNS 文字位元組', en: 'encode Unicode text as CNS text bytes for the card' })
    .argument('[file]', say({ 'zh-TW': 'UTF-8 輸入檔；省略時讀取標準輸入，並去掉最後一個換行', en: 'UTF-8 input file; standard input when omitted; one final line break is removed' }))
    .option('--hex', say({ 'zh-TW': '以十六進位文字輸出', en: 'write hex text instead of bytes' }))
    .action(run(io, async (file: string | undefined, options: CommonOptions) => {
      const bytes = encodeCnsText(await readText(io, file))
      if (options.json === true) return writeJson(io, { hex: toHex(bytes) })
      io.stdout.write(options.hex === true ? `${toHex(bytes)}\n` : bytes)
    }))

  subcommand('big5', { 'zh-TW': '將 Unicode 文字轉為 Big5（CP950）', en: 'encode Unicode text as Big5 (CP950)' })
    .argument('[file]', say({ 'zh-TW': 'UTF-8 輸入檔；省略時讀取標準輸入，並去掉最後一個換行', en: 'UTF-8 input file; standard input when omitted; one final line break is removed' }))
    .addOption(
      new Option(
        '--on-unencodable <action>',
        say({
          'zh-TW': 'Big5 沒有的字元：error 報錯、replace 以替代文字取代、ncr 寫成 &#x5803; 形式',
          en: 'characters Big5 lacks: error fails, replace writes the replacement, ncr writes &#x5803; references',
        }),
      )
        .choices(['error', 'replace', 'ncr'])
        .default('error'),
    )
    .option('--replacement <text>', say({ 'zh-TW': 'replace 使用的替代文字（預設為 ?）', en: 'text written by replace (default ?)' }))
    .option('--hex', say({ 'zh-TW': '以十六進位文字輸出', en: 'write hex text instead of bytes' }))
    .action(run(io, async (file: string | undefined, options: Big5Options) => {
      const result = toBig5(await readText(io, file), {
        onUnencodable: options.onUnencodable,
        ...(options.replacement === undefined ? {} : { replacement: options.replacement }),
      })
      if (options.json === true) return writeJson(io, { hex: toHex(result.bytes), unencodable: result.unencodable })
      io.stdout.write(options.hex === true ? `${toHex(result.bytes)}\n` : result.bytes)
      if (result.unencodable.length > 0) {
        const listed = result.unencodable.map((item) => `${item.char} ${formatCodePoint(item.codePoint)}`).join(localize({ 'zh-TW': '、', en: ', ' }))
        io.stderr.write(
          localize({
            'zh-TW': `注意：${result.unencodable.length} 個字元不在 Big5 中，已依 ${options.onUnencodable} 處理：${listed}\n`,
            en: `note: ${result.unencodable.length} characters are not in Big5 and were handled by ${options.onUnencodable}: ${listed}\n`,
          }),
        )
      }
    }))

  subcommand('from-big5', { 'zh-TW': '將 Big5（CP950）位元組轉為 Unicode 文字', en: 'decode Big5 (CP950) bytes to Unicode' })
    .argument('[file]', say({ 'zh-TW': '輸入檔；省略時讀取標準輸入', en: 'input file; standard input when omitted' }))
    .option('--hex', say({ 'zh-TW': '輸入為十六進位文字（可含空白）', en: 'the input is hex text (spaces allowed)' }))
    .action(run(io, async (file: string | undefined, options: CommonOptions) => {
      const decoded = fromBig5(await readBytes(io, file, options.hex === true))
      if (options.json === true) return writeJson(io, { text: decoded })
      io.stdout.write(`${decoded}\n`)
    }))

  subcommand('code', { 'zh-TW': '查詢字元的全字庫碼', en: 'look up the 全字庫 codes of characters' })
    .argument('[text]', say({ 'zh-TW': '要查詢的字元；省略時讀取標準輸入', en: 'characters to look up; standard input when omitted' }))
    .action(run(io, async (input: string | undefined, options: CommonOptions) => {
      const characters = [...(input ?? (await readText(io, undefined)))]
      const rows = characters.map((char) => {
        const codePoint = char.codePointAt(0) ?? 0
        const codes = cnsCodesOf(char)
        return { char, codePoint: formatCodePoint(codePoint), code: codes[0] ?? null, codes }
      })
      if (options.json === true) return writeJson(io, rows)
      const none = localize({ 'zh-TW': '（無全字庫碼）', en: '(no CNS code)' })
      for (const row of rows) io.stdout.write(`${row.char}\t${row.codePoint}\t${row.codes.length > 0 ? row.codes.join(' ') : none}\n`)
    }))

  subcommand('char', { 'zh-TW': '查詢全字庫碼的字元', en: 'look up the characters of 全字庫 codes' })
    .argument('[codes...]', say({ 'zh-TW': '全字庫碼，例如 1-4421；省略時讀取標準輸入', en: 'CNS codes such as 1-4421; standard input when omitted' }))
    .action(run(io, async (codes: string[], options: CommonOptions) => {
      const list = codes.length > 0 ? codes : (await readText(io, undefined)).split(/\s+/).filter((code) => code !== '')
      const rows = list.map((code) => {
        const char = charOfCnsCode(code) ?? null
        return { code, char, codePoint: char === null ? null : formatCodePoint(char.codePointAt(0) ?? 0) }
      })
      if (options.json === true) return writeJson(io, rows)
      const none = localize({ 'zh-TW': '（無對應的 Unicode 字元）', en: '(no Unicode mapping)' })
      for (const row of rows) io.stdout.write(row.char === null ? `${row.code}\t${none}\n` : `${row.code}\t${row.char}\t${row.codePoint}\n`)
    }))

  return text
}

function localize(text: Localized): string {
  return text[getLanguage()]
}

/**
 * Wraps an action: applies `--lang`, and reports an error as every command does
 * (`reportError`): one line on standard error, a JSON object on standard output
 * with `--json`, and exit code 2.
 */
function run<A extends unknown[], O extends CommonOptions>(io: TextCommandIo, action: (...args: [...A, O]) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    // commander passes the arguments, then the options, then the command.
    const command = args[args.length - 1] as Command
    const options = command.optsWithGlobals<O>()
    const positional = args.slice(0, -2) as A
    try {
      if (options.lang !== undefined) applyLanguage(options.lang)
      await action(...positional, options)
    } catch (error) {
      reportError(error, options.json === true, io)
    }
  }
}

function writeJson(io: TextCommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

async function readInput(io: TextCommandIo, file: string | undefined): Promise<Buffer> {
  if (file !== undefined) {
    try {
      return await readFile(file)
    } catch (cause) {
      throw fileReadError(file, cause, 'text.read_file')
    }
  }
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

async function readBytes(io: TextCommandIo, file: string | undefined, hex: boolean): Promise<Uint8Array> {
  const input = await readInput(io, file)
  return hex ? parseHex(input.toString('latin1')) : input
}

/**
 * Reads UTF-8 text and removes one final line break, which shells and editors add,
 * and a leading byte order mark. Throws `INVALID_INPUT` naming the offset of the
 * first byte sequence that is not UTF-8, instead of reading it as U+FFFD.
 */
async function readText(io: TextCommandIo, file: string | undefined): Promise<string> {
  const input = await readInput(io, file)
  let text: string
  try {
    text = strictUtf8.decode(input)
  } catch (cause) {
    throw notUtf8(input, file, cause)
  }
  return text.replace(/\r?\n$/, '')
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function notUtf8(input: Uint8Array, file: string | undefined, cause: unknown): NewEidError {
  const invalid = firstInvalidUtf8(input)
  const source: Localized = file === undefined ? { 'zh-TW': '標準輸入', en: 'standard input' } : { 'zh-TW': `檔案「${file}」`, en: `the file "${file}"` }
  if (invalid === undefined) {
    // TextDecoder and firstInvalidUtf8 follow the same table, so this is only a fallback.
    return new NewEidError('INVALID_INPUT', { step: 'text.read_utf8', detail: { 'zh-TW': `${source['zh-TW']}不是有效的 UTF-8`, en: `${source.en} is not valid UTF-8` }, cause })
  }
  const bytes = toHex(invalid.bytes).replace(/(..)(?=.)/g, '$1 ')
  const several = invalid.bytes.length > 1
  return new NewEidError('INVALID_INPUT', {
    step: 'text.read_utf8',
    detail: {
      'zh-TW': `${source['zh-TW']}不是有效的 UTF-8：位移 ${invalid.offset} 的位元組 ${bytes} 無法組成 UTF-8 字元；請先轉成 UTF-8，Big5 檔案可用 text from-big5 轉換`,
      en: `${source.en} is not valid UTF-8: ${several ? 'bytes' : 'byte'} ${bytes} at offset ${invalid.offset} ${several ? 'do' : 'does'} not form a UTF-8 character; convert it to UTF-8 first, with text from-big5 for a Big5 file`,
    },
    cause,
  })
}

function parseHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '')
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': '十六進位輸入只能含 0–9、A–F 與空白，且位數須為偶數',
        en: 'hex input may contain only 0–9, A–F and spaces, with an even number of digits',
      },
    })
  }
  return Buffer.from(digits, 'hex')
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase()
}
