import { createRequire } from 'node:module'

import type Iconv from 'iconv-lite'

import { NewEidError } from '../errors/index.js'
import { wrongType } from '../errors/input.js'
import { joinZh, type Localized } from '../i18n.js'
import { type CharacterAt, STRING, UINT8ARRAY, argumentOf, charactersOf, describeCharacters, formatCodePoint } from './characters.js'

// Big5 here means Microsoft code page 950 as iconv-lite implements it ("cp950"). The
// name "big5" in iconv-lite selects Big5-HKSCS, which this module never uses, so no
// byte sequence decodes to an HKSCS character and no character encodes to HKSCS bytes.
const ENCODING = 'cp950'

let iconvModule: typeof Iconv | undefined

/** Loads iconv-lite on first use: it takes longer to import than the rest of the package's text code. */
function iconv(): typeof Iconv {
  iconvModule ??= createRequire(import.meta.url)('iconv-lite') as typeof Iconv
  return iconvModule
}

const OPTIONS_OF_TO_BIG5: Localized = { 'zh-TW': 'toBig5 的選項', en: 'the options of toBig5' }
const OBJECT: Localized = { 'zh-TW': '物件', en: 'an object' }

/** Action of `toBig5` for a character that CP950 cannot encode. */
export type UnencodableAction = 'error' | 'replace' | 'ncr'

export interface ToBig5Options {
  /**
   * `error` (the default) throws `NewEidError` `UNENCODABLE_CHARACTER` listing every such
   * character; `replace` writes `replacement`; `ncr` writes an HTML numeric character
   * reference such as `&#x5803;`.
   */
  onUnencodable?: UnencodableAction
  /** Text written for each unencodable character with `replace`; `?` unless given. It must be encodable. */
  replacement?: string
}

export interface Big5Result {
  bytes: Uint8Array
  /** Characters that CP950 cannot encode, with their character positions (code points counted). */
  unencodable: CharacterAt[]
}

/**
 * CP950 decodes two codes each to 十 (U+5341) and 卅 (U+5345). iconv-lite 0.7.3 encodes
 * them to A2CC and A2CE in the symbol rows, where Big5-2003 has the Hangzhou numerals
 * 〸 and 〺. The Han rows hold them at A451 and A4CA, which glibc's BIG5 converter and
 * the WHATWG Big5 encoder write, so this module writes those.
 */
const PREFERRED_CODES = new Map<number, Uint8Array>([
  [0x5341, Uint8Array.of(0xa4, 0x51)],
  [0x5345, Uint8Array.of(0xa4, 0xca)],
])

/** CP950 bytes of each non-ASCII character encoded so far; at most the 13,493 non-ASCII CP950 characters. */
const encodedCharacters = new Map<number, Uint8Array>()

/**
 * Returns the CP950 bytes of one code point, or undefined when CP950 has no code for it.
 * iconv-lite writes `?` for such a character without any signal, so a `?` from any
 * other character means "unencodable". CP950 has no character outside the BMP.
 */
export function big5BytesOf(codePoint: number): Uint8Array | undefined {
  if (codePoint < 0x80) return Uint8Array.of(codePoint)
  if (codePoint > 0xffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined
  const preferred = PREFERRED_CODES.get(codePoint) ?? encodedCharacters.get(codePoint)
  if (preferred !== undefined) return preferred

  const bytes = iconv().encode(String.fromCharCode(codePoint), ENCODING)
  if (bytes.length === 1 && bytes[0] === 0x3f) return undefined
  const copy = Uint8Array.from(bytes)
  encodedCharacters.set(codePoint, copy)
  return copy
}

/**
 * Encodes text as Big5 (CP950, with the ETen extensions at F9D6–F9FE). Characters
 * that CP950 lacks, such as 堃 喆 煊 峯 and every character outside the BMP (CJK
 * Extension B and later), are listed in `unencodable` and handled according to
 * `options.onUnencodable`. A lone surrogate is unencodable too, and `ncr` writes
 * it as `&#xFFFD;` because a surrogate is not a valid character reference.
 */
export function toBig5(text: string, options: ToBig5Options = {}): Big5Result {
  if (typeof text !== 'string') throw wrongType(argumentOf('toBig5'), STRING, text)
  if (typeof options !== 'object' || options === null) throw wrongType(OPTIONS_OF_TO_BIG5, OBJECT, options)
  const action = options.onUnencodable ?? 'error'
  if (action !== 'error' && action !== 'replace' && action !== 'ncr') {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': `onUnencodable 的值 ${JSON.stringify(action)} 無效：請使用 error、replace 或 ncr`,
        en: `onUnencodable ${JSON.stringify(action)} is invalid: use error, replace or ncr`,
      },
    })
  }
  const replacement = action === 'replace' ? replacementBytes(options.replacement ?? '?') : undefined

  const chunks: Uint8Array[] = []
  const unencodable: CharacterAt[] = []
  let length = 0
  for (const character of charactersOf(text)) {
    let bytes = big5BytesOf(character.codePoint)
    if (bytes === undefined) {
      unencodable.push(character)
      if (action === 'error') continue
      bytes = replacement ?? numericReference(character.codePoint)
    }
    chunks.push(bytes)
    length += bytes.length
  }

  if (action === 'error' && unencodable.length > 0) {
    const listed = describeCharacters(unencodable)
    throw new NewEidError('UNENCODABLE_CHARACTER', {
      detail: {
        'zh-TW': `${joinZh(listed['zh-TW'], '不在 Big5（CP950）字集中')}；可改用 replace 或 ncr 處理，或保留 Unicode 文字`,
        en: `${listed.en} ${unencodable.length === 1 ? 'is' : 'are'} not in Big5 (CP950); use the replace or ncr option, or keep the text in Unicode`,
      },
    })
  }

  const output = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    output.set(chunk, offset)
    offset += chunk.length
  }
  return { bytes: output, unencodable }
}

function replacementBytes(replacement: string): Uint8Array {
  if (typeof replacement !== 'string') throw wrongType({ 'zh-TW': 'replacement', en: 'replacement' }, STRING, replacement)
  try {
    return toBig5(replacement, { onUnencodable: 'error' }).bytes
  } catch (cause) {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': `替代文字 ${JSON.stringify(replacement)} 無法以 Big5（CP950）表示`,
        en: `the replacement ${JSON.stringify(replacement)} cannot be encoded in Big5 (CP950)`,
      },
      cause,
    })
  }
}

function numericReference(codePoint: number): Uint8Array {
  const value = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint
  const reference = `&#x${formatCodePoint(value).slice(2)};`
  return Uint8Array.from(reference, (char) => char.charCodeAt(0))
}

/** One bit per byte pair, set when CP950 maps that pair to a character. */
let mappedPairs: Uint8Array | undefined

/**
 * Returns which byte pairs CP950 maps. Every pair with a lead byte 0x81–0xFE and a
 * second byte 0x40–0x7E or 0xA1–0xFE is decoded once, each followed by a line feed,
 * which never belongs to a pair, so the decoder's output splits back into one piece
 * per pair.
 */
function cp950MappedPairs(): Uint8Array {
  if (mappedPairs !== undefined) return mappedPairs
  const pairs: number[] = []
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (isTrailByte(trail)) pairs.push(lead, trail, 0x0a)
    }
  }
  const pieces = iconv().decode(Uint8Array.from(pairs), ENCODING).split('\n')
  const mapped = new Uint8Array(0x10000 / 8)
  for (let index = 0; index * 3 < pairs.length; index++) {
    const piece = pieces[index] ?? ''
    if (piece.length !== 1 || piece === '\uFFFD') continue
    const pair = ((pairs[index * 3] as number) << 8) | (pairs[index * 3 + 1] as number)
    mapped[pair >>> 3] = (mapped[pair >>> 3] as number) | (1 << (pair & 7))
  }
  mappedPairs = mapped
  return mapped
}

function isTrailByte(byte: number): boolean {
  return (byte >= 0x40 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xfe)
}

/**
 * Decodes Big5 (CP950, with the ETen extensions 碁銹裏墻恒粧嫺 at F9D6–F9DC and the box
 * drawing characters at F9DD–F9FE) to a string.
 *
 * A byte 0x81–0xFE and the byte after it form one unit, unless that byte is an ASCII
 * control character, a digit or punctuation below 0x40, or 0x7F. A unit that CP950
 * leaves undefined decodes to exactly one U+FFFD, whatever its second byte: it is never
 * read as HKSCS or as the Microsoft private use mapping. That covers the HKSCS rows
 * 0x8140–0xA0FE and the user-defined rows 0xC6A1–0xC8FE and 0xFA40–0xFEFE,
 * so 0x88 0x40 gives one U+FFFD where iconv-lite 0.7.3 gives "\uFFFD@". A lead
 * byte at the end of the input, or before a byte below 0x40 or 0x7F, decodes to U+FFFD
 * alone, and that next byte decodes on its own. The bytes 0x80 and 0xFF alone decode
 * to U+FFFD.
 *
 * iconv-lite 0.7.3 resumes at the second byte of an undefined pair, so the second byte
 * of an HKSCS character can pair with the next byte into an unrelated character
 * (0x88 0xA4 0xA4 0x40 gives "\uFFFD中@"). This function therefore splits the input
 * into units itself and hands iconv-lite only runs that CP950 maps.
 */
export function fromBig5(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw wrongType(argumentOf('fromBig5'), UINT8ARRAY, bytes)
  const mapped = cp950MappedPairs()
  const length = bytes.length
  let text = ''
  let runStart = 0
  let offset = 0
  while (offset < length) {
    const byte = bytes[offset] as number
    if (byte < 0x80) {
      offset++
      continue
    }
    const next = offset + 1 < length ? (bytes[offset + 1] as number) : -1
    if (byte >= 0x81 && byte <= 0xfe && next >= 0) {
      const pair = (byte << 8) | next
      if (((mapped[pair >>> 3] as number) & (1 << (pair & 7))) !== 0) {
        offset += 2
        continue
      }
    }
    if (runStart < offset) text += iconv().decode(bytes.subarray(runStart, offset), ENCODING)
    text += '\uFFFD'
    const pairedWithNext = byte >= 0x81 && byte <= 0xfe && next >= 0x40 && next !== 0x7f
    offset += pairedWithNext ? 2 : 1
    runStart = offset
  }
  if (runStart < length) text += iconv().decode(bytes.subarray(runStart, length), ENCODING)
  return text
}
