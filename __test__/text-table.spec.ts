import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { buildCnsTable, sourceDirectory } from '../tools/build-cns-table.mjs'
import { charOfCnsCode, cnsCodeOf, cnsCodesOf, decodeCnsText, encodeCnsText } from '../ts/text/index.js'

const TABLE_PATH = new URL('../data/cns-unicode.bin', import.meta.url)
const SOURCE_FILES = ['cns2uni.bmp.json', 'cns2uni.2.json', 'cns2uni.15.json'] as const

interface Entry {
  code: string
  plane: number
  row: number
  column: number
  codePoint: number
  file: (typeof SOURCE_FILES)[number]
}

/** Reads the source JSON directly, so that these checks do not depend on the generator's reader. */
function readEntries(): Entry[] {
  const entries: Entry[] = []
  for (const file of SOURCE_FILES) {
    const table = JSON.parse(readFileSync(join(sourceDirectory(), file), 'utf8')) as Record<string, number>
    for (const [code, codePoint] of Object.entries(table)) {
      const [plane, hex] = code.split('-') as [string, string]
      entries.push({ code, plane: Number(plane), row: parseInt(hex.slice(0, 2), 16), column: parseInt(hex.slice(2), 16), codePoint, file })
    }
  }
  return entries
}

const entries = readEntries()

/** Groups the codes by code point, each group sorted by plane and then by code: the documented preference. */
function codesByCodePoint(): Map<number, Entry[]> {
  const byCodePoint = new Map<number, Entry[]>()
  for (const entry of entries) {
    const list = byCodePoint.get(entry.codePoint) ?? []
    list.push(entry)
    byCodePoint.set(entry.codePoint, list)
  }
  for (const list of byCodePoint.values()) {
    list.sort((a, b) => a.plane - b.plane || a.row - b.row || a.column - b.column)
  }
  return byCodePoint
}

test('committed table equals a fresh build', (t) => {
  const committed = readFileSync(TABLE_PATH)
  const built = buildCnsTable()
  t.is(committed.length, built.length)
  t.true(committed.equals(built), 'data/cns-unicode.bin differs from the generator output: run npm run build:cns-table')
})

test('table header describes 17 planes', (t) => {
  const table = readFileSync(TABLE_PATH)
  t.is(table.toString('latin1', 0, 4), 'CNSU')
  t.is(table[4], 1)
  t.is(table[5], 3)
  t.is(table[6], 94)
  t.is(table[7], 17)
  t.is(table.readUInt32LE(8), 108_601)
  t.deepEqual([...table.subarray(12, 32)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 16, 0, 17])
  t.is(table.length, 32 + 17 * 94 * 94 * 3)
})

test('source tables have 108,601 distinct codes', (t) => {
  t.is(entries.length, 108_601)
  t.is(new Set(entries.map((entry) => entry.code)).size, 108_601)
  t.deepEqual([...new Set(entries.map((entry) => entry.plane))].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 19])
})

function withSourceCopy(edit: (directory: string) => void): string {
  const directory = mkdtempSync(join(tmpdir(), 'neweid-cns-'))
  cpSync(sourceDirectory(), directory, { recursive: true })
  edit(directory)
  return directory
}

test('generator rejects a code listed in two files', (t) => {
  const directory = withSourceCopy((dir) => {
    const path = join(dir, 'cns2uni.2.json')
    const table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>
    table['1-4421'] = 0x20000
    writeFileSync(path, JSON.stringify(table))
  })
  try {
    t.throws(() => buildCnsTable(directory), { message: /1-4421 is listed twice/ })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('generator rejects a key repeated in one file', (t) => {
  const directory = withSourceCopy((dir) => {
    const path = join(dir, 'cns2uni.bmp.json')
    const text = readFileSync(path, 'utf8')
    writeFileSync(path, text.replace('{', '{\n  "1-4421": 19968,'))
  })
  try {
    t.throws(() => buildCnsTable(directory), { message: /1 CNS codes are listed twice/ })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('generator rejects a missing entry', (t) => {
  const directory = withSourceCopy((dir) => {
    const path = join(dir, 'cns2uni.15.json')
    const table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>
    delete table['1-2651']
    writeFileSync(path, JSON.stringify(table))
  })
  try {
    t.throws(() => buildCnsTable(directory), { message: /108600 entries, expected 108601/ })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('every code maps to its source character', (t) => {
  const wrong = entries.filter((entry) => charOfCnsCode(entry.code) !== String.fromCodePoint(entry.codePoint))
  t.deepEqual(wrong.map((entry) => entry.code), [])
})

test('every character maps back to its codes', (t) => {
  const byCodePoint = codesByCodePoint()
  const wrongPreferred: string[] = []
  const wrongAll: string[] = []
  for (const [codePoint, list] of byCodePoint) {
    const char = String.fromCodePoint(codePoint)
    if (cnsCodeOf(char) !== list[0]?.code) wrongPreferred.push(char)
    if (cnsCodesOf(char).join() !== list.map((entry) => entry.code).join()) wrongAll.push(char)
  }
  t.deepEqual(wrongPreferred, [])
  t.deepEqual(wrongAll, [])
})

test('several codes prefer lowest plane', (t) => {
  const several = [...codesByCodePoint()].filter(([, list]) => list.length > 1)
  t.deepEqual(
    several.map(([codePoint, list]) => [codePoint, list.map((entry) => entry.code)]),
    [
      [0x6bf5, ['3-653A', '15-3C3C']],
      [0x71b4, ['3-655C', '15-5036']],
    ],
  )
  t.is(cnsCodeOf('\u6bf5'), '3-653A')
  t.is(cnsCodeOf('\u71b4'), '3-655C')
  t.deepEqual(cnsCodesOf('\u6bf5'), ['3-653A', '15-3C3C'])
  t.is(charOfCnsCode('15-3C3C'), '\u6bf5')
})

test('whole table decodes and encodes back', (t) => {
  const bytes = new Uint8Array(entries.length * 3)
  entries.forEach((entry, index) => bytes.set([entry.plane, entry.row, entry.column], index * 3))
  const decoded = decodeCnsText(bytes)

  t.is(decoded.text, entries.map((entry) => String.fromCodePoint(entry.codePoint)).join(''))
  t.deepEqual(decoded.codes, entries.map((entry) => entry.code))
  t.deepEqual(decoded.unmapped, [])
  const privateUse = entries.flatMap((entry, index) => (entry.file === 'cns2uni.15.json' ? [{ index, code: entry.code, codePoint: entry.codePoint }] : []))
  t.is(privateUse.length, 20_634)
  t.deepEqual(decoded.privateUse, privateUse)

  // encodeCnsText writes U+0020–U+007E as ASCII bytes and each other character as its preferred code.
  const byCodePoint = codesByCodePoint()
  const expected: number[] = []
  for (const entry of entries) {
    if (entry.codePoint >= 0x20 && entry.codePoint <= 0x7e) {
      expected.push(entry.codePoint)
      continue
    }
    const preferred = byCodePoint.get(entry.codePoint)?.[0] as Entry
    expected.push(preferred.plane, preferred.row, preferred.column)
  }
  t.deepEqual(Buffer.from(encodeCnsText(decoded.text)), Buffer.from(expected))
})
