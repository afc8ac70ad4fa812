#!/usr/bin/env node
// Generates data/cns-unicode.bin, the CNS 11643 to Unicode table that the
// TypeScript text functions and the Rust virtual card both read.
//
// Source: the 全字庫 CNS2UNICODE tables (BMP, Unicode plane 2 and plane-15
// private use) as JSON in the npm package @lazy-cjk/cns-11643, version pinned
// in package.json. Keys are 全字庫 codes such as "1-4421" (decimal plane, four
// hex digits); values are Unicode code points.
//
// File format, version 1. All integers are little-endian.
//
//   offset  size  field
//   0       4     magic "CNSU"
//   4       1     format version, 1
//   5       1     bytes per cell, 3
//   6       1     rows (and columns) per plane, 94
//   7       1     number of plane blocks N
//   8       4     number of mapped cells (u32)
//   12      20    plane directory: byte 12 + p is the 1-based block number of
//                 CNS plane p (p = 0..19), or 0 when the file has no table for
//                 plane p
//   32      ...   N blocks of 94 × 94 cells, in the order of the directory
//
// A cell contains the Unicode code point of one CNS code as 3 bytes (u24), and
// 0 means that the code has no mapping. The cell of code P-RRCC (row byte RR
// and column byte CC, each 0x21..0x7E) is at
//   32 + (block(P) - 1) × 26508 + ((RR - 0x21) × 94 + (CC - 0x21)) × 3.
// Readers index the file in place, so loading it parses nothing but the
// 32-byte header.
//
// Usage:
//   node tools/build-cns-table.mjs           write data/cns-unicode.bin
//   node tools/build-cns-table.mjs --check   exit 1 unless the committed file
//                                            equals a fresh build

import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const MAGIC = 'CNSU'
export const FORMAT_VERSION = 1
export const BYTES_PER_CELL = 3
export const ROWS = 94
export const CELLS_PER_PLANE = ROWS * ROWS
export const HEADER_SIZE = 32
export const DIRECTORY_OFFSET = 12
/** Plane numbers 0..19 fit the directory; the card's plane bytes are 0x01..0x13. */
export const DIRECTORY_SIZE = 20

/** CNS planes that the 全字庫 tables cover. */
export const PLANES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 19]
/** Entries in the three source files together, for @lazy-cjk/cns-11643 1.0.34. */
export const EXPECTED_ENTRIES = 108_601
export const SOURCE_FILES = ['cns2uni.bmp.json', 'cns2uni.2.json', 'cns2uni.15.json']

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const OUTPUT_PATH = join(ROOT, 'data', 'cns-unicode.bin')

const CODE_PATTERN = /^([0-9]{1,2})-([0-9A-F]{2})([0-9A-F]{2})$/

/** Returns the folder that contains the source JSON files of the installed package. */
export function sourceDirectory() {
  const require = createRequire(join(ROOT, 'package.json'))
  const packageJson = require.resolve('@lazy-cjk/cns-11643/package.json')
  return join(dirname(packageJson), 'lib', 'cns', 'unicode')
}

/**
 * Reads the source tables and returns every entry as [plane, row, column, codePoint].
 * Throws on a malformed key, a code outside 94 × 94, a plane outside PLANES, a code
 * point outside 1..0x10FFFF or in the surrogate range, a code listed twice, or an
 * entry count other than EXPECTED_ENTRIES.
 */
export function readSourceEntries(directory = sourceDirectory()) {
  const entries = []
  const seen = new Map()
  for (const name of SOURCE_FILES) {
    const text = readFileSync(join(directory, name), 'utf8')
    const table = JSON.parse(text)
    // JSON.parse keeps the last of two equal keys, so count the keys in the raw text.
    const keysInText = text.match(/"[^"]*"\s*:/g)?.length ?? 0
    if (keysInText !== Object.keys(table).length) {
      throw new Error(`${name}: ${keysInText - Object.keys(table).length} CNS codes are listed twice in the file`)
    }
    for (const [key, codePoint] of Object.entries(table)) {
      const match = CODE_PATTERN.exec(key)
      if (match === null) throw new Error(`${name}: malformed CNS code ${JSON.stringify(key)}`)
      const plane = Number(match[1])
      const row = parseInt(match[2], 16)
      const column = parseInt(match[3], 16)
      if (!PLANES.includes(plane)) throw new Error(`${name}: ${key} is in plane ${plane}, which is not one of ${PLANES.join(', ')}`)
      if (row < 0x21 || row > 0x7e || column < 0x21 || column > 0x7e) throw new Error(`${name}: ${key} is outside the 94 × 94 code range`)
      if (!Number.isInteger(codePoint) || codePoint < 1 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
        throw new Error(`${name}: ${key} maps to ${JSON.stringify(codePoint)}, which is not a Unicode scalar value above 0`)
      }
      const previous = seen.get(key)
      if (previous !== undefined) throw new Error(`${name}: ${key} is listed twice (also in ${previous})`)
      seen.set(key, name)
      entries.push([plane, row, column, codePoint])
    }
  }
  if (entries.length !== EXPECTED_ENTRIES) {
    throw new Error(`the source tables have ${entries.length} entries, expected ${EXPECTED_ENTRIES}: check the @lazy-cjk/cns-11643 version`)
  }
  return entries
}

/** Builds the binary table from the source tables and returns it. */
export function buildCnsTable(directory = sourceDirectory()) {
  const entries = readSourceEntries(directory)
  const blockSize = CELLS_PER_PLANE * BYTES_PER_CELL
  const output = Buffer.alloc(HEADER_SIZE + PLANES.length * blockSize)

  output.write(MAGIC, 0, 'latin1')
  output[4] = FORMAT_VERSION
  output[5] = BYTES_PER_CELL
  output[6] = ROWS
  output[7] = PLANES.length
  output.writeUInt32LE(entries.length, 8)
  PLANES.forEach((plane, index) => {
    output[DIRECTORY_OFFSET + plane] = index + 1
  })

  for (const [plane, row, column, codePoint] of entries) {
    const block = PLANES.indexOf(plane)
    const offset = HEADER_SIZE + block * blockSize + ((row - 0x21) * ROWS + (column - 0x21)) * BYTES_PER_CELL
    output.writeUIntLE(codePoint, offset, BYTES_PER_CELL)
  }
  return output
}

function main(argv) {
  const table = buildCnsTable()
  if (argv.includes('--check')) {
    const committed = readFileSync(OUTPUT_PATH)
    if (!committed.equals(table)) {
      console.error(`${OUTPUT_PATH} differs from a fresh build: run npm run build:cns-table and commit the result`)
      process.exitCode = 1
      return
    }
    console.log(`${OUTPUT_PATH} matches a fresh build (${table.length} bytes)`)
    return
  }
  writeFileSync(OUTPUT_PATH, table)
  console.log(`wrote ${OUTPUT_PATH} (${table.length} bytes, ${table.readUInt32LE(8)} mapped codes)`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2))
}
