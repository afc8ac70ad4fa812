import { readFileSync } from 'node:fs'

import { NewEidError } from '../errors/index.js'

// Layout of data/cns-unicode.bin; tools/build-cns-table.mjs writes it and documents it.
const MAGIC = [0x43, 0x4e, 0x53, 0x55] // "CNSU"
const FORMAT_VERSION = 1
const BYTES_PER_CELL = 3
const HEADER_SIZE = 32
const DIRECTORY_OFFSET = 12

/** Rows (and columns) of a CNS plane: code bytes run from 0x21 to 0x7E. */
export const ROWS = 94
export const CELLS_PER_PLANE = ROWS * ROWS
export const FIRST_CODE_BYTE = 0x21
export const LAST_CODE_BYTE = 0x7e
/** Plane numbers that CNS text may use: the plane byte is 0x01..0x13. */
export const FIRST_PLANE = 1
export const LAST_PLANE = 19

const TABLE_URL = new URL('../../data/cns-unicode.bin', import.meta.url)

/**
 * The CNS to Unicode table, unpacked from the file's 3-byte cells into one code point
 * per 32-bit cell: 20 × 94 × 94 cells for planes 0 to 19 (707 KB, against 451 KB for
 * the file), because one read per character decodes faster than three byte reads
 * (docs/benchmarks.md, "CNS text decode").
 */
export interface CnsTable {
  /** Code point of each code at `cellIndex(plane, row, column)`, or 0 when the code has no mapping. */
  readonly codePoints: Uint32Array
  /** Whether the file has a block for each plane number 0..19. */
  readonly planes: readonly boolean[]
  /** Number of codes with a Unicode mapping. */
  readonly mappedCount: number
}

let loadedTable: CnsTable | undefined

/** Returns the CNS to Unicode table, reading it from the package's data folder on first use. */
export function cnsTable(): CnsTable {
  loadedTable ??= loadTable()
  return loadedTable
}

/** Index of a code in `CnsTable.codePoints`. The caller checks the ranges. */
export function cellIndex(plane: number, row: number, column: number): number {
  return plane * CELLS_PER_PLANE + (row - FIRST_CODE_BYTE) * ROWS + (column - FIRST_CODE_BYTE)
}

function loadTable(): CnsTable {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(TABLE_URL)
  } catch (cause) {
    throw corruptTable('the file cannot be read', cause)
  }
  if (bytes.length < HEADER_SIZE || MAGIC.some((byte, index) => bytes[index] !== byte)) throw corruptTable('the magic number is missing')
  if (bytes[4] !== FORMAT_VERSION) throw corruptTable(`format version ${bytes[4]} is not supported`)
  if (bytes[5] !== BYTES_PER_CELL || bytes[6] !== ROWS) throw corruptTable('the cell layout is not 3 bytes in 94 × 94')

  const blockCount = bytes[7] ?? 0
  const blockSize = CELLS_PER_PLANE * BYTES_PER_CELL
  if (bytes.length !== HEADER_SIZE + blockCount * blockSize) throw corruptTable(`the size ${bytes.length} does not match ${blockCount} planes`)

  const codePoints = new Uint32Array((LAST_PLANE + 1) * CELLS_PER_PLANE)
  const planes = new Array<boolean>(LAST_PLANE + 1).fill(false)
  for (let plane = FIRST_PLANE; plane <= LAST_PLANE; plane++) {
    const block = bytes[DIRECTORY_OFFSET + plane] ?? 0
    if (block > blockCount) throw corruptTable(`plane ${plane} points to block ${block} of ${blockCount}`)
    if (block === 0) continue
    planes[plane] = true
    const blockOffset = HEADER_SIZE + (block - 1) * blockSize
    for (let cell = 0; cell < CELLS_PER_PLANE; cell++) {
      const offset = blockOffset + cell * BYTES_PER_CELL
      codePoints[plane * CELLS_PER_PLANE + cell] = (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16)
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { codePoints, planes, mappedCount: view.getUint32(8, true) }
}

function corruptTable(reason: string, cause?: unknown): NewEidError {
  return new NewEidError('INTERNAL', {
    detail: {
      'zh-TW': `全字庫對照表 data/cns-unicode.bin 無法使用：${reason}；請重新安裝套件`,
      en: `the CNS table data/cns-unicode.bin is unusable: ${reason}; reinstall the package`,
    },
    cause,
  })
}

/**
 * Returns the Unicode code point of a CNS code, or 0 when the code has no mapping.
 * The caller checks that `plane` is 0..19 and that `row` and `column` are 0x21..0x7E.
 */
export function codePointOfCode(table: CnsTable, plane: number, row: number, column: number): number {
  return table.codePoints[cellIndex(plane, row, column)] ?? 0
}

// A CNS code is handled as one number, plane << 16 | row << 8 | column, so 1-4421 is 0x014421.

export function packCode(plane: number, row: number, column: number): number {
  return (plane << 16) | (row << 8) | column
}

/** Formatted codes, one array of 94 × 94 per plane, filled on use. */
const codeTexts: (string | null)[][] = []

/**
 * Returns the cache of formatted codes of one plane (0..19): `null` in a cell until
 * `formatCodeInto` fills it. Decoding reads the cache inline and formats only on a miss.
 */
export function codeTextsOfPlane(plane: number): (string | null)[] {
  let texts = codeTexts[plane]
  if (texts === undefined) {
    texts = new Array<string | null>(CELLS_PER_PLANE).fill(null)
    codeTexts[plane] = texts
  }
  return texts
}

/** Formats a code into its cache cell and returns it; see `formatCode`. */
export function formatCodeInto(texts: (string | null)[], plane: number, row: number, column: number): string {
  const text = `${plane}-${((row << 8) | column).toString(16).toUpperCase()}`
  texts[(row - FIRST_CODE_BYTE) * ROWS + (column - FIRST_CODE_BYTE)] = text
  return text
}

/**
 * Formats a CNS code the way 全字庫 writes it: decimal plane, a hyphen, and the two
 * code bytes as four upper-case hex digits (`1-4421`, `15-2121`). The caller checks
 * the ranges. Strings are cached, so formatting the same code twice allocates once.
 */
export function formatCode(plane: number, row: number, column: number): string {
  const texts = codeTextsOfPlane(plane)
  return texts[(row - FIRST_CODE_BYTE) * ROWS + (column - FIRST_CODE_BYTE)] ?? formatCodeInto(texts, plane, row, column)
}

export function formatPackedCode(code: number): string {
  return formatCode(code >>> 16, (code >>> 8) & 0xff, code & 0xff)
}

const CODE_PATTERN = /^([0-9]{1,2})-([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/

/**
 * Parses a 全字庫 code such as `1-4421` or `15-2121` (hex digits in either case) and
 * returns it packed, or undefined when the text is not a code: the plane must be 1..19
 * and each code byte 0x21..0x7E.
 */
export function parseCode(text: string): number | undefined {
  const match = CODE_PATTERN.exec(text)
  if (match === null) return undefined
  const plane = Number(match[1])
  const row = parseInt(match[2] ?? '', 16)
  const column = parseInt(match[3] ?? '', 16)
  if (plane < FIRST_PLANE || plane > LAST_PLANE) return undefined
  if (!isCodeByte(row) || !isCodeByte(column)) return undefined
  return packCode(plane, row, column)
}

export function isCodeByte(byte: number): boolean {
  return byte >= FIRST_CODE_BYTE && byte <= LAST_CODE_BYTE
}

/**
 * Unicode to CNS index. When several codes map to one code point, the preferred code is
 * the one in the lowest plane, then the lowest code in that plane. In the 全字庫 tables
 * this happens for U+6BF5 (3-653A, 15-3C3C) and U+71B4 (3-655C, 15-5036).
 */
interface ReverseIndex {
  /** Preferred packed code per code point, one array per Unicode plane (code point >>> 16); 0 = none. */
  readonly preferred: (Int32Array | undefined)[]
  /** Every packed code, preferred first, for the code points that have more than one. */
  readonly alternatives: Map<number, number[]>
}

let reverseIndex: ReverseIndex | undefined

function buildReverseIndex(table: CnsTable): ReverseIndex {
  const preferred: (Int32Array | undefined)[] = []
  const alternatives = new Map<number, number[]>()
  // Planes ascend and cells ascend within a plane, so the first code seen for a code point is the preferred one.
  for (let plane = FIRST_PLANE; plane <= LAST_PLANE; plane++) {
    if (!table.planes[plane]) continue
    for (let row = FIRST_CODE_BYTE; row <= LAST_CODE_BYTE; row++) {
      for (let column = FIRST_CODE_BYTE; column <= LAST_CODE_BYTE; column++) {
        const codePoint = codePointOfCode(table, plane, row, column)
        if (codePoint === 0) continue
        const unicodePlane = codePoint >>> 16
        let codes = preferred[unicodePlane]
        if (codes === undefined) {
          codes = new Int32Array(0x10000)
          preferred[unicodePlane] = codes
        }
        const code = packCode(plane, row, column)
        const first = codes[codePoint & 0xffff] ?? 0
        if (first === 0) {
          codes[codePoint & 0xffff] = code
          continue
        }
        const list = alternatives.get(codePoint)
        if (list === undefined) alternatives.set(codePoint, [first, code])
        else list.push(code)
      }
    }
  }
  return { preferred, alternatives }
}

function index(): ReverseIndex {
  reverseIndex ??= buildReverseIndex(cnsTable())
  return reverseIndex
}

/** Returns the preferred packed CNS code of a code point, or 0 when it has none. */
export function preferredCodeOf(codePoint: number): number {
  return index().preferred[codePoint >>> 16]?.[codePoint & 0xffff] ?? 0
}

/** Returns every packed CNS code of a code point, preferred first. */
export function allCodesOf(codePoint: number): number[] {
  const reverse = index()
  const several = reverse.alternatives.get(codePoint)
  if (several !== undefined) return [...several]
  const code = reverse.preferred[codePoint >>> 16]?.[codePoint & 0xffff] ?? 0
  return code === 0 ? [] : [code]
}
