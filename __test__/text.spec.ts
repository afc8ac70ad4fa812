import { inspect } from 'node:util'
import { MessageChannel } from 'node:worker_threads'

import test from 'ava'

import { NewEidError, charOfCnsCode, cnsCodeOf, cnsCodesOf, decodeCnsText, encodeCnsText, type CnsText } from '../ts/index.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

function catchError(t: { throws: (fn: () => unknown, expectations: object) => unknown }, fn: () => unknown): NewEidError {
  return t.throws(fn, { instanceOf: NewEidError }) as NewEidError
}

test('decode 1-4421 as 一', (t) => {
  const decoded = decodeCnsText(bytes(0x01, 0x44, 0x21))
  t.is(decoded.text, '一')
  t.deepEqual(decoded.codes, ['1-4421'])
  t.deepEqual(decoded.privateUse, [])
  t.deepEqual(decoded.unmapped, [])
})

test('decode name with mixed ASCII', (t) => {
  // 王小明 (1-455E 1-4451 1-4D7C), a space, "Wang-1".
  const decoded = decodeCnsText(bytes(0x01, 0x45, 0x5e, 0x01, 0x44, 0x51, 0x01, 0x4d, 0x7c, 0x20, 0x57, 0x61, 0x6e, 0x67, 0x2d, 0x31))
  t.is(decoded.text, '王小明 Wang-1')
  t.deepEqual(decoded.codes, ['1-455E', '1-4451', '1-4D7C', null, null, null, null, null, null, null])
})

test('decode empty input', (t) => {
  const decoded = decodeCnsText(new Uint8Array())
  t.deepEqual({ text: decoded.text, codes: decoded.codes, privateUse: decoded.privateUse, unmapped: decoded.unmapped }, { text: '', codes: [], privateUse: [], unmapped: [] })
})

test('Extension B counts as one character', (t) => {
  // 林 (1-4E2F), 𠀋 (3-2144, U+2000B), 一 (1-4421), and 1-2651, which the 全字庫 tables map to U+F8FAA.
  const input = bytes(0x01, 0x4e, 0x2f, 0x03, 0x21, 0x44, 0x01, 0x44, 0x21, 0x01, 0x26, 0x51)
  const decoded = decodeCnsText(input)

  t.is(decoded.text, '林\u{2000B}一\u{F8FAA}')
  t.is(decoded.text.length, 6)
  t.deepEqual(decoded.codes, ['1-4E2F', '3-2144', '1-4421', '1-2651'])
  t.is([...decoded.text][2], '一')
  t.deepEqual(decoded.privateUse, [{ index: 3, code: '1-2651', codePoint: 0xf8faa }])
})

test('Extension B character is not private use', (t) => {
  t.deepEqual(decodeCnsText(bytes(0x03, 0x21, 0x44)).privateUse, [])
})

test('plane-15 private use character is listed', (t) => {
  // 15-2273 maps to U+FFFEE in the 全字庫 plane-15 table.
  const decoded = decodeCnsText(bytes(0x41, 0x0f, 0x22, 0x73, 0x42))
  t.is(decoded.text, 'A\u{FFFEE}B')
  t.deepEqual(decoded.codes, [null, '15-2273', null])
  t.deepEqual(decoded.privateUse, [{ index: 1, code: '15-2273', codePoint: 0xfffee }])
  t.deepEqual(decoded.unmapped, [])
})

test('unmapped codes become U+FFFD', (t) => {
  // Plane 16 has no table; 1-234F is an empty cell of plane 1.
  const decoded = decodeCnsText(bytes(0x10, 0x21, 0x21, 0x01, 0x44, 0x21, 0x01, 0x23, 0x4f))
  t.is(decoded.text, '\uFFFD一\uFFFD')
  t.deepEqual(decoded.codes, ['16-2121', '1-4421', '1-234F'])
  t.deepEqual(decoded.unmapped, [
    { index: 0, code: '16-2121' },
    { index: 2, code: '1-234F' },
  ])
  t.deepEqual(decoded.privateUse, [])
})

test('mapped U+FFFD is not unmapped', (t) => {
  // 9-3557 is the 全字庫 code of U+FFFD itself.
  const decoded = decodeCnsText(bytes(0x09, 0x35, 0x57))
  t.is(decoded.text, '\uFFFD')
  t.deepEqual(decoded.unmapped, [])
})

const invalidBytes: [string, number[], number, string][] = [
  ['NUL', [0x00], 0, '0x00'],
  ['0x14 after ASCII', [0x41, 0x14], 1, '0x14'],
  ['control 0x1F', [0x41, 0x42, 0x1f], 2, '0x1F'],
  ['DEL', [0x01, 0x44, 0x21, 0x7f], 3, '0x7F'],
  ['0x80', [0x80, 0x41], 0, '0x80'],
  ['0xA4 (a Big5 lead byte)', [0x41, 0xa4, 0x40], 1, '0xA4'],
  ['0xFF', [0x20, 0x20, 0xff], 2, '0xFF'],
]

for (const [name, input, offset, hex] of invalidBytes) {
  test(`invalid byte ${name} names offset`, (t) => {
    const error = catchError(t, () => decodeCnsText(bytes(...input)))
    t.is(error.code, 'INVALID_INPUT')
    t.true(error.messages.en.includes(`byte ${hex} at offset ${offset} `), error.messages.en)
    t.true(error.messages['zh-TW'].includes(`位移 ${offset} 的位元組 ${hex}`), error.messages['zh-TW'])
  })
}

const invalidCodeBytes: [string, number[], number, string][] = [
  ['row 0x20', [0x01, 0x20, 0x21], 1, '0x20'],
  ['column 0x7F', [0x41, 0x01, 0x44, 0x7f], 3, '0x7F'],
  ['row 0xA1', [0x02, 0xa1, 0x21], 1, '0xA1'],
  ['column 0x00', [0x13, 0x21, 0x00], 2, '0x00'],
]

for (const [name, input, offset, hex] of invalidCodeBytes) {
  test(`invalid code byte ${name} names offset`, (t) => {
    const error = catchError(t, () => decodeCnsText(bytes(...input)))
    t.is(error.code, 'INVALID_INPUT')
    t.true(error.messages.en.includes(`code byte ${hex} at offset ${offset} `), error.messages.en)
    t.true(error.messages['zh-TW'].includes(`位移 ${offset} 的字碼位元組 ${hex}`), error.messages['zh-TW'])
  })
}

test('truncated plane byte at end', (t) => {
  const alone = catchError(t, () => decodeCnsText(bytes(0x41, 0x42, 0x01)))
  t.is(alone.code, 'INVALID_INPUT')
  t.true(alone.messages.en.includes('plane byte 0x01 at offset 2 of the CNS text has only 0 of its 2 code bytes'), alone.messages.en)
  t.true(alone.messages['zh-TW'].includes('位移 2 的字面位元組 0x01 之後缺少字碼位元組（需要 2 個，只有 0 個）'), alone.messages['zh-TW'])

  const oneByte = catchError(t, () => decodeCnsText(bytes(0x01, 0x44, 0x21, 0x0f, 0x21)))
  t.true(oneByte.messages.en.includes('plane byte 0x0F at offset 3 of the CNS text has only 1 of its 2 code bytes'), oneByte.messages.en)
})

test('decode rejects a string', (t) => {
  const error = t.throws(() => decodeCnsText('一' as unknown as Uint8Array), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
  t.true(error?.messageIn('zh-TW').includes('decodeCnsText 的參數必須是 Uint8Array，收到的是 string'), error?.messageIn('zh-TW'))
})

test('encode name with ASCII and Extension B', (t) => {
  const encoded = encodeCnsText('王𠀋 A-1')
  t.deepEqual([...encoded], [0x01, 0x45, 0x5e, 0x03, 0x21, 0x44, 0x20, 0x41, 0x2d, 0x31])
  t.true(encoded instanceof Uint8Array)
  t.is(encoded.buffer.byteLength, encoded.length)
})

test('encode private use character', (t) => {
  t.deepEqual([...encodeCnsText('\u{FFFEE}')], [0x0f, 0x22, 0x73])
})

test('encode then decode restores text', (t) => {
  const text = '臺北市中正區重慶南路一段122號 林𠀋'
  const decoded = decodeCnsText(encodeCnsText(text))
  t.is(decoded.text, text)
  t.is(decoded.codes.length, [...text].length)
})

test('encode unmappable names character and index', (t) => {
  const error = catchError(t, () => encodeCnsText('王\u{1F600}明\n'))
  t.is(error.code, 'UNENCODABLE_CHARACTER')
  t.true(error.messages.en.includes('"\u{1F600}" (U+1F600) at index 1'), error.messages.en)
  t.true(error.messages.en.includes('U+000A at index 3'), error.messages.en)
  t.true(error.messages['zh-TW'].includes('位置 1 的「\u{1F600}」（U+1F600）'), error.messages['zh-TW'])
  t.true(error.messages['zh-TW'].includes('位置 3 的 U+000A'), error.messages['zh-TW'])
})

test('encode needs NFC for CP950 compatibility ideographs', (t) => {
  // CP950 decodes C94A and DDFC to U+FA0C and U+FA0D, which the 全字庫 tables do not list.
  const fromBig5Text = '\uFA0C\uFA0D'
  const error = catchError(t, () => encodeCnsText(fromBig5Text))
  t.is(error.code, 'UNENCODABLE_CHARACTER')
  t.deepEqual([...encodeCnsText(fromBig5Text.normalize('NFC'))], [0x01, 0x44, 0x42, 0x02, 0x41, 0x76])
})

test('encode rejects lone surrogate', (t) => {
  const error = catchError(t, () => encodeCnsText('a\uD800b'))
  t.is(error.code, 'UNENCODABLE_CHARACTER')
  t.true(error.messages.en.includes('U+D800 at index 1'), error.messages.en)
})

test('cnsCodeOf returns preferred code', (t) => {
  t.is(cnsCodeOf('一'), '1-4421')
  t.is(cnsCodeOf('\u{2000B}'), '3-2144')
  t.is(cnsCodeOf('\u{1F600}'), undefined)
  t.deepEqual(cnsCodesOf('\u{1F600}'), [])
  t.deepEqual(cnsCodesOf('一'), ['1-4421'])
})

test('cnsCodeOf rejects more than one character', (t) => {
  for (const input of ['', '一二', 'ab', '\u{2000B}a']) {
    const error = catchError(t, () => cnsCodeOf(input))
    t.is(error.code, 'INVALID_INPUT', input)
  }
})

test('charOfCnsCode accepts either case', (t) => {
  t.is(charOfCnsCode('1-4421'), '一')
  t.is(charOfCnsCode('3-653a'), '\u6bf5')
  t.is(charOfCnsCode('3-653A'), '\u6bf5')
  t.is(charOfCnsCode('15-2273'), '\u{FFFEE}')
})

test('charOfCnsCode returns undefined when unmapped', (t) => {
  t.is(charOfCnsCode('16-2121'), undefined)
  t.is(charOfCnsCode('18-7E7E'), undefined)
  t.is(charOfCnsCode('1-234F'), undefined)
})

test('charOfCnsCode validates plane and range', (t) => {
  for (const input of ['0-4421', '20-2121', '1-2021', '1-217F', '1-7F21', '1-44211', '1-442', '1_4421', ' 1-4421', 'F-2121', '1-44G1', '']) {
    const error = catchError(t, () => charOfCnsCode(input))
    t.is(error.code, 'INVALID_INPUT', input)
    t.true(error.messages.en.includes(JSON.stringify(input)), error.messages.en)
  }
})

test('codes survive changes to the input buffer', (t) => {
  const bytes = Buffer.from([0x01, 0x44, 0x21, 0x41])
  const decoded = decodeCnsText(bytes)
  bytes.fill(0x20)
  t.deepEqual(decoded.codes, ['1-4421', null])
  t.deepEqual(JSON.parse(JSON.stringify(decoded)), { text: '一A', codes: ['1-4421', null], privateUse: [], unmapped: [] })
})

// A short text gets its codes at once and a long one on first read: test both.
const COPY_CASES = [
  ['short text', '林美玲 A'],
  ['long text', '臺北市中正區光復里12鄰測試路一段999號'.repeat(8)],
] as const

for (const [label, source] of COPY_CASES) {
  test(`codes survive copies of a ${label}`, async (t) => {
    const expected = decodeCnsText(encodeCnsText(source)).codes.slice()
    t.is(expected.length, [...source].length)
    const fresh = (): CnsText => decodeCnsText(encodeCnsText(source))

    t.deepEqual(Object.keys(fresh()), ['text', 'codes', 'privateUse', 'unmapped'])
    t.deepEqual({ ...fresh() }.codes, expected)
    t.deepEqual(Object.assign({}, fresh()).codes, expected)
    t.deepEqual(structuredClone(fresh()).codes, expected)
    t.deepEqual((JSON.parse(JSON.stringify(fresh())) as CnsText).codes, expected)

    const { port1, port2 } = new MessageChannel()
    const received = new Promise<CnsText>((resolve) => port2.once('message', resolve))
    port1.postMessage(fresh())
    t.deepEqual((await received).codes, expected)
    port1.close()

    const shown = inspect(fresh())
    t.false(shown.includes('Getter'), shown)
    t.regex(shown, new RegExp(`codes: \\[\\s*'${expected[0]}'`))
  })

  test(`codes of a frozen ${label}`, (t) => {
    const frozen = Object.freeze(decodeCnsText(encodeCnsText(source)))
    t.is(frozen.codes.length, [...source].length)
    t.is(frozen.codes, frozen.codes)
  })

  test(`codes of a ${label} can be replaced`, (t) => {
    const decoded = decodeCnsText(encodeCnsText(source))
    decoded.codes = ['1-4421']
    t.deepEqual(decoded.codes, ['1-4421'])
    t.deepEqual({ ...decoded }.codes, ['1-4421'])
  })
}
