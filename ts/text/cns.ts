import { NewEidError } from '../errors/index.js'
import { wrongType } from '../errors/input.js'
import { joinZh } from '../i18n.js'
import { type CharacterAt, STRING, UINT8ARRAY, argumentOf, describeCharacters, isPrivateUse, singleCodePoint } from './characters.js'
import {
  CELLS_PER_PLANE,
  FIRST_CODE_BYTE,
  LAST_CODE_BYTE,
  LAST_PLANE,
  ROWS,
  allCodesOf,
  cnsTable,
  codePointOfCode,
  codeTextsOfPlane,
  formatCodeInto,
  formatPackedCode,
  parseCode,
  preferredCodeOf,
} from './table.js'

/** A character of a CNS text that decodes to a Unicode private use code point. */
export interface CnsPrivateUseCharacter {
  /** Character position in `CnsText.codes`. */
  index: number
  /** 全字庫 code, such as `15-2121`. */
  code: string
  codePoint: number
}

/** A character of a CNS text whose code has no Unicode mapping. */
export interface CnsUnmappedCharacter {
  /** Character position in `CnsText.codes`. */
  index: number
  /** 全字庫 code, such as `16-2121`. */
  code: string
}

/**
 * Text decoded from the card's CNS 11643 encoding.
 *
 * Every `index` is a character position, not a UTF-16 index: `codes[i]` and
 * `[...text][i]` are the same character. A character outside the BMP (such as CJK
 * Extension B) counts once, although it takes two UTF-16 units of `text`.
 */
export interface CnsText {
  /** The text in Unicode. A code without a Unicode mapping appears as U+FFFD. */
  text: string
  /** 全字庫 code of each character, such as `1-4421`, or null for a character stored as an ASCII byte. */
  codes: (string | null)[]
  /**
   * Characters mapped to Unicode private use (the 全字庫 plane-15 table uses Unicode plane 15).
   * They display only with fonts that follow 全字庫, such as TW-Kai and TW-Sung.
   */
  privateUse: CnsPrivateUseCharacter[]
  /** Characters whose code has no Unicode mapping: U+FFFD in `text`. */
  unmapped: CnsUnmappedCharacter[]
}

const REPLACEMENT_CHARACTER = 0xfffd
/** Up to this many UTF-16 units, String.fromCharCode beats a Buffer round trip. */
const SHORT_TEXT_UNITS = 64

/**
 * Decodes CNS text as the card stores it. A byte 0x01–0x13 is a CNS plane
 * followed by the two bytes of the code (each 0x21–0x7E); a byte 0x20–0x7E is
 * that ASCII character.
 *
 * Throws `NewEidError` `INVALID_INPUT`, naming the byte offset, on any other
 * byte, on a code byte outside 0x21–0x7E, and on a plane byte with fewer than two
 * bytes after it. A code in planes 16 or 18, or a code that the 全字庫 tables do not
 * map, is not an error: it is listed in `unmapped`.
 */
export function decodeCnsText(bytes: Uint8Array): CnsText {
  if (!(bytes instanceof Uint8Array)) throw wrongType(argumentOf('decodeCnsText'), UINT8ARRAY, bytes)
  const codePoints = cnsTable().codePoints
  const length = bytes.length

  // A character takes at most one UTF-16 unit per input byte.
  const units = unitBuffer(length)
  const privateUse: CnsPrivateUseCharacter[] = []
  const unmapped: CnsUnmappedCharacter[] = []

  let unitCount = 0
  let index = 0
  let offset = 0
  while (offset < length) {
    const byte = bytes[offset] as number
    if (byte >= 0x20 && byte <= 0x7e) {
      units[unitCount++] = byte
      index++
      offset++
      continue
    }
    if (byte === 0 || byte > LAST_PLANE) throw invalidByte(offset, byte)
    if (length - offset < 3) throw truncatedCode(offset, byte, length - offset - 1)

    const row = bytes[offset + 1] as number
    const column = bytes[offset + 2] as number
    if (row < FIRST_CODE_BYTE || row > LAST_CODE_BYTE) throw invalidCodeByte(offset + 1, row)
    if (column < FIRST_CODE_BYTE || column > LAST_CODE_BYTE) throw invalidCodeByte(offset + 2, column)
    offset += 3

    // The same lookup as codePointOfCode, written out because this loop is hot.
    const codePoint = codePoints[byte * CELLS_PER_PLANE + (row - FIRST_CODE_BYTE) * ROWS + (column - FIRST_CODE_BYTE)] as number

    if (codePoint === 0) {
      units[unitCount++] = REPLACEMENT_CHARACTER
      unmapped.push({ index, code: codeText(byte, row, column) })
    } else if (codePoint < 0x10000) {
      units[unitCount++] = codePoint
      if (codePoint >= 0xe000 && codePoint <= 0xf8ff) privateUse.push({ index, code: codeText(byte, row, column), codePoint })
    } else {
      const above = codePoint - 0x10000
      units[unitCount++] = 0xd800 | (above >>> 10)
      units[unitCount++] = 0xdc00 | (above & 0x3ff)
      if (isPrivateUse(codePoint)) privateUse.push({ index, code: codeText(byte, row, column), codePoint })
    }
    index++
  }

  const text = unitsToString(units, unitCount)
  if (index <= EAGER_CODES_CHARACTERS) return { text, codes: codesOf(bytes, index), privateUse, unmapped }
  // Uint8Array's slice copies; a Node Buffer's slice would share the caller's memory.
  return lazyCnsText(text, privateUse, unmapped, Uint8Array.prototype.slice.call(bytes), index)
}

/**
 * Up to this many characters, `decodeCnsText` builds `codes` at once. A longer text
 * gets a lazy `codes` (see `lazyCnsText`), because for a long text the array of code
 * strings costs more than the decoding itself.
 */
const EAGER_CODES_CHARACTERS = 64

/** The key that Node's `util.inspect` looks up for a custom formatter, without importing `node:util`. */
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom')

/**
 * Returns a `CnsText` whose `codes` are built on first read. `codes` is an own
 * enumerable accessor, not a prototype getter, so spreading, `Object.keys`,
 * `Object.assign`, `JSON.stringify`, `structuredClone` and `postMessage` all read
 * it and copy the array. The first read replaces the accessor with an ordinary data
 * property that holds the array; after `Object.freeze` or `Object.seal` the accessor
 * stays and returns the same array on every read.
 *
 * `source` must be a private copy of the valid CNS bytes that decoded to `text`, and
 * `count` their number of characters.
 */
function lazyCnsText(text: string, privateUse: CnsPrivateUseCharacter[], unmapped: CnsUnmappedCharacter[], source: Uint8Array, count: number): CnsText {
  const decoded: CnsText = { text, codes: [], privateUse, unmapped }
  let built: (string | null)[] | undefined
  const store = (codes: (string | null)[]): void => {
    built = codes
    if (Object.isExtensible(decoded)) Object.defineProperty(decoded, 'codes', { value: codes, writable: true, enumerable: true, configurable: true })
  }
  // Redefining the property keeps its place in the key order: text, codes, privateUse, unmapped.
  Object.defineProperty(decoded, 'codes', {
    get: () => {
      if (built === undefined) store(codesOf(source, count))
      return built
    },
    set: store,
    enumerable: true,
    configurable: true,
  })
  // util.inspect prints an accessor as [Getter/Setter], so console.log reads the codes first.
  Object.defineProperty(decoded, INSPECT_CUSTOM, {
    value(this: CnsText) {
      void this.codes
      return this
    },
  })
  return decoded
}

function codeText(plane: number, row: number, column: number): string {
  const texts = codeTextsOfPlane(plane)
  return texts[(row - FIRST_CODE_BYTE) * ROWS + (column - FIRST_CODE_BYTE)] ?? formatCodeInto(texts, plane, row, column)
}

/** Lists the 全字庫 code of each of the `count` characters of valid CNS text. */
function codesOf(bytes: Uint8Array, count: number): (string | null)[] {
  const codes = new Array<string | null>(count)
  let index = 0
  for (let offset = 0; offset < bytes.length; index++) {
    const byte = bytes[offset] as number
    if (byte >= 0x20 && byte <= 0x7e) {
      codes[index] = null
      offset++
    } else {
      codes[index] = codeText(byte, bytes[offset + 1] as number, bytes[offset + 2] as number)
      offset += 3
    }
  }
  return codes
}

/** Up to this many units, decoding reuses one buffer instead of allocating. */
const REUSED_UNITS = 0x10000
let reusedUnits = new Uint16Array(256)

/** Returns a buffer of at least `count` units, which holds stale data until written. */
function unitBuffer(count: number): Uint16Array {
  if (count > REUSED_UNITS) return new Uint16Array(count)
  if (reusedUnits.length < count) reusedUnits = new Uint16Array(REUSED_UNITS)
  return reusedUnits
}

function unitsToString(units: Uint16Array, count: number): string {
  if (count <= SHORT_TEXT_UNITS) return String.fromCharCode(...units.subarray(0, count))
  return Buffer.from(units.buffer, units.byteOffset, count * 2).toString('utf16le')
}

function invalidByte(offset: number, byte: number): NewEidError {
  const hex = formatByte(byte)
  return new NewEidError('INVALID_INPUT', {
    detail: {
      'zh-TW': `CNS 文字位移 ${offset} 的位元組 ${hex} 無效：只能是字面位元組 0x01–0x13 或 ASCII 字元 0x20–0x7E`,
      en: `byte ${hex} at offset ${offset} of the CNS text is invalid: expected a plane byte 0x01–0x13 or an ASCII character 0x20–0x7E`,
    },
  })
}

function invalidCodeByte(offset: number, byte: number): NewEidError {
  const hex = formatByte(byte)
  return new NewEidError('INVALID_INPUT', {
    detail: {
      'zh-TW': `CNS 文字位移 ${offset} 的字碼位元組 ${hex} 無效：應為 0x21–0x7E`,
      en: `code byte ${hex} at offset ${offset} of the CNS text is invalid: expected 0x21–0x7E`,
    },
  })
}

function truncatedCode(offset: number, plane: number, following: number): NewEidError {
  const hex = formatByte(plane)
  return new NewEidError('INVALID_INPUT', {
    detail: {
      'zh-TW': `CNS 文字位移 ${offset} 的字面位元組 ${hex} 之後缺少字碼位元組（需要 2 個，只有 ${following} 個）：資料不完整`,
      en: `plane byte ${hex} at offset ${offset} of the CNS text has only ${following} of its 2 code bytes: the data is truncated`,
    },
  })
}

function formatByte(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`
}

/**
 * Encodes Unicode text as the card stores it. Characters U+0020–U+007E are written as
 * single ASCII bytes; every other character as its preferred 全字庫 code (see
 * `cnsCodeOf`). The ASCII characters also have plane-8 codes in the 全字庫 tables,
 * which this function does not use.
 *
 * Throws `NewEidError` `UNENCODABLE_CHARACTER` listing each character without a CNS
 * code (control characters, most emoji, lone surrogates) with its character position.
 * Note that U+FFFD is encoded as its own code 9-3557, so decoding a text with an
 * unmapped code and encoding the result does not restore the original code.
 *
 * NOTE: `fromBig5` returns the compatibility ideographs U+FA0C and U+FA0D for the CP950
 * codes C94A and DDFC, and they have no CNS code. `text.normalize('NFC')` turns them
 * into 兀 (1-4442) and 嗀 (2-4176) first.
 */
export function encodeCnsText(text: string): Uint8Array {
  if (typeof text !== 'string') throw wrongType(argumentOf('encodeCnsText'), STRING, text)
  // At most 3 bytes per UTF-16 unit: an astral character takes 2 units and 3 bytes.
  const output = new Uint8Array(text.length * 3)
  const missing: CharacterAt[] = []
  let length = 0
  let index = 0

  for (let unit = 0; unit < text.length; unit++, index++) {
    let codePoint = text.charCodeAt(unit)
    if (codePoint >= 0x20 && codePoint <= 0x7e) {
      output[length++] = codePoint
      continue
    }
    if (codePoint >= 0xd800 && codePoint <= 0xdbff && unit + 1 < text.length) {
      const low = text.charCodeAt(unit + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00)
        unit++
      }
    }
    const code = preferredCodeOf(codePoint)
    if (code === 0) {
      missing.push({ index, char: String.fromCodePoint(codePoint), codePoint })
      continue
    }
    output[length++] = code >>> 16
    output[length++] = (code >>> 8) & 0xff
    output[length++] = code & 0xff
  }

  if (missing.length > 0) {
    const listed = describeCharacters(missing)
    throw new NewEidError('UNENCODABLE_CHARACTER', {
      detail: {
        'zh-TW': joinZh(listed['zh-TW'], '沒有 CNS 11643 字碼'),
        en: `${listed.en} ${missing.length === 1 ? 'has' : 'have'} no CNS 11643 code`,
      },
    })
  }
  return output.slice(0, length)
}

/**
 * Returns the preferred 全字庫 code of one character, such as `1-4421`, or undefined
 * when it has none. When several codes map to the character, the preferred one is in
 * the lowest plane, then has the lowest code within it: 毵 (U+6BF5) has 3-653A and
 * 15-3C3C, and 3-653A is preferred. Throws `INVALID_INPUT` unless `char` is exactly one
 * character.
 */
export function cnsCodeOf(char: string): string | undefined {
  const code = preferredCodeOf(requireOneCharacter(char))
  return code === 0 ? undefined : formatPackedCode(code)
}

/** Returns every 全字庫 code of one character, the preferred one first; empty when it has none. */
export function cnsCodesOf(char: string): string[] {
  return allCodesOf(requireOneCharacter(char)).map(formatPackedCode)
}

/**
 * Returns the character of a 全字庫 code, or undefined when the code has no Unicode
 * mapping. The code is a decimal plane 1–19, a hyphen and four hex digits in either
 * case, each byte 0x21–0x7E: `1-4421`, `15-2121`, `3-653a`. Throws `INVALID_INPUT`
 * for any other text.
 */
export function charOfCnsCode(code: string): string | undefined {
  const packed = typeof code === 'string' ? parseCode(code) : undefined
  if (packed === undefined) {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': `${JSON.stringify(code)} 不是有效的全字庫碼：格式為字面 1–19、連字號與 4 位十六進位字碼（每個位元組 21–7E），例如 1-4421`,
        en: `${JSON.stringify(code)} is not a valid CNS 11643 code: write a plane 1–19, a hyphen and 4 hex digits (each byte 21–7E), such as 1-4421`,
      },
    })
  }
  const codePoint = codePointOfCode(cnsTable(), packed >>> 16, (packed >>> 8) & 0xff, packed & 0xff)
  return codePoint === 0 ? undefined : String.fromCodePoint(codePoint)
}

function requireOneCharacter(char: string): number {
  const codePoint = singleCodePoint(char)
  if (codePoint === undefined) {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': `${JSON.stringify(char)} 不是單一字元`,
        en: `${JSON.stringify(char)} is not a single character`,
      },
    })
  }
  return codePoint
}
