import test from 'ava'
import iconv from 'iconv-lite'

import { NewEidError, fromBig5, toBig5 } from '../ts/index.js'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase()

// 堃 喆 煊 峯 are common in names and missing from CP950; 𠀋 (U+2000B) stands for CJK Extension B.
const NAME = '林堃、陳喆、王煊、李峯、張𠀋'

test('toBig5 encodes common text', (t) => {
  const result = toBig5('王小明 A1')
  t.is(hex(result.bytes), 'A4FDA470A9FA204131')
  t.deepEqual(result.unencodable, [])
})

test('toBig5 error mode lists missing characters', (t) => {
  const error = t.throws(() => toBig5(NAME, { onUnencodable: 'error' }), { instanceOf: NewEidError }) as NewEidError
  t.is(error.code, 'UNENCODABLE_CHARACTER')
  for (const [char, codePoint, index] of [
    ['堃', 'U+5803', 1],
    ['喆', 'U+5586', 4],
    ['煊', 'U+714A', 7],
    ['峯', 'U+5CEF', 10],
    ['𠀋', 'U+2000B', 13],
  ] as const) {
    t.true(error.messages.en.includes(`"${char}" (${codePoint}) at index ${index}`), error.messages.en)
    t.true(error.messages['zh-TW'].includes(`位置 ${index} 的「${char}」（${codePoint}）`), error.messages['zh-TW'])
  }
})

test('toBig5 defaults to error mode', (t) => {
  const error = t.throws(() => toBig5('堃'), { instanceOf: NewEidError }) as NewEidError
  t.is(error.code, 'UNENCODABLE_CHARACTER')
})

test('toBig5 replace mode writes question marks', (t) => {
  const result = toBig5(NAME, { onUnencodable: 'replace' })
  t.is(fromBig5(result.bytes), '林?、陳?、王?、李?、張?')
  t.deepEqual(result.unencodable, [
    { index: 1, char: '堃', codePoint: 0x5803 },
    { index: 4, char: '喆', codePoint: 0x5586 },
    { index: 7, char: '煊', codePoint: 0x714a },
    { index: 10, char: '峯', codePoint: 0x5cef },
    { index: 13, char: '𠀋', codePoint: 0x2000b },
  ])
})

test('toBig5 replace mode takes a replacement', (t) => {
  const result = toBig5('林堃', { onUnencodable: 'replace', replacement: '□' })
  t.is(fromBig5(result.bytes), '林□')
})

test('toBig5 rejects unencodable replacement', (t) => {
  const error = t.throws(() => toBig5('林堃', { onUnencodable: 'replace', replacement: '喆' }), { instanceOf: NewEidError }) as NewEidError
  t.is(error.code, 'INVALID_INPUT')
})

test('toBig5 ncr mode writes references', (t) => {
  const result = toBig5(NAME, { onUnencodable: 'ncr' })
  t.is(fromBig5(result.bytes), '林&#x5803;、陳&#x5586;、王&#x714A;、李&#x5CEF;、張&#x2000B;')
  t.is(result.unencodable.length, 5)
})

test('toBig5 ncr mode replaces lone surrogate', (t) => {
  const result = toBig5('a\uDC00b', { onUnencodable: 'ncr' })
  t.is(fromBig5(result.bytes), 'a&#xFFFD;b')
  t.deepEqual(result.unencodable, [{ index: 1, char: '\uDC00', codePoint: 0xdc00 }])
})

test('toBig5 rejects unknown mode', (t) => {
  const error = t.throws(() => toBig5('a', { onUnencodable: 'skip' as 'error' }), { instanceOf: NewEidError }) as NewEidError
  t.is(error.code, 'INVALID_INPUT')
})

test('toBig5 writes ten and thirty in Han rows', (t) => {
  t.is(hex(toBig5('十卅').bytes), 'A451A4CA')
  // iconv-lite alone picks the symbol-row duplicates; this is the gap that toBig5 closes.
  t.is(iconv.encode('十卅', 'cp950').toString('hex').toUpperCase(), 'A2CCA2CE')
  t.is(fromBig5(Uint8Array.of(0xa2, 0xcc, 0xa4, 0x51)), '十十')
})

const ETEN = '碁銹裏墻恒粧嫺'

test('ETen extensions decode from F9D6', (t) => {
  t.is(fromBig5(Uint8Array.of(0xf9, 0xd6, 0xf9, 0xd7, 0xf9, 0xd8, 0xf9, 0xd9, 0xf9, 0xda, 0xf9, 0xdb, 0xf9, 0xdc)), ETEN)
})

test('ETen extensions encode to F9D6', (t) => {
  t.is(hex(toBig5(ETEN).bytes), 'F9D6F9D7F9D8F9D9F9DAF9DBF9DC')
})

test('HKSCS rows decode to U+FFFD', (t) => {
  // Every pair with a lead byte 0x81–0xA0 is HKSCS or user-defined, never CP950.
  const unexpected: string[] = []
  let hkscsCharacters = 0
  for (let lead = 0x81; lead <= 0xa0; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail > 0x7e && trail < 0xa1) continue
      const pair = Uint8Array.of(lead, trail)
      const expected = '\uFFFD'
      const decoded = fromBig5(pair)
      if (decoded !== expected) unexpected.push(`${hex(pair)}=${decoded}`)
      if (!iconv.decode(Buffer.from(pair), 'big5hkscs').includes('\uFFFD')) hkscsCharacters++
    }
  }
  t.deepEqual(unexpected, [])
  // The same pairs do hold characters in Big5-HKSCS, so the check above is not vacuous.
  t.true(hkscsCharacters > 3000, `${hkscsCharacters}`)
})

test('user-defined rows decode to U+FFFD', (t) => {
  t.is(fromBig5(Uint8Array.of(0xc6, 0xa1, 0xc8, 0xfe, 0xfa, 0x40, 0xfe, 0xfe)), '\uFFFD\uFFFD\uFFFD\uFFFD')
})

test('stray bytes decode to U+FFFD', (t) => {
  t.is(fromBig5(Uint8Array.of(0x80, 0x41, 0xff, 0x42, 0xa4)), '\uFFFDA\uFFFDB\uFFFD')
  t.is(fromBig5(Uint8Array.of(0xa4, 0x80, 0x41)), '\uFFFDA')
})

test('HKSCS pair does not swallow next character', (t) => {
  // 0x88A4 is ế in Big5-HKSCS; 0xA440 is 一.
  const input = Uint8Array.of(0x88, 0xa4, 0xa4, 0x40)
  t.is(fromBig5(input), '\uFFFD一')
  // iconv-lite alone restarts at 0xA4 and reads 中 (0xA4A4) and @: the gap that fromBig5 closes.
  t.is(iconv.decode(Buffer.from(input), 'cp950'), '\uFFFD中@')
})

test('every undefined pair decodes to one U+FFFD', (t) => {
  // Each lead byte with each possible second byte, followed by "A": a pair that CP950
  // maps gives its character; any other pair with a second byte from 0x40 gives one
  // U+FFFD; a second byte below 0x40 or 0x7F ends the unit and decodes on its own.
  const unexpected: string[] = []
  let undefinedPairs = 0
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let second = 0x00; second <= 0xff; second++) {
      const input = Uint8Array.of(lead, second, 0x41)
      const alone = iconv.decode(Buffer.from([lead, second]), 'cp950')
      let expected: string
      if (second < 0x40 || second === 0x7f) {
        expected = `\uFFFD${String.fromCharCode(second)}A`
      } else if (alone.length === 1 && alone !== '\uFFFD') {
        expected = `${alone}A`
      } else {
        expected = '\uFFFDA'
        undefinedPairs++
      }
      const decoded = fromBig5(input)
      if (decoded !== expected) unexpected.push(`${hex(input)}=${JSON.stringify(decoded)}`)
    }
  }
  t.deepEqual(unexpected.slice(0, 20), [])
  t.is(unexpected.length, 0)
  // 126 lead bytes × 191 second bytes from 0x40 except 0x7F, less the 13,503 pairs CP950 maps.
  t.is(undefinedPairs, 126 * 191 - 13_503)
})

test('pairs from the review decode to one U+FFFD', (t) => {
  for (const pair of [
    [0x81, 0x40],
    [0xfa, 0x40],
    [0x87, 0x40],
    [0x8e, 0x69],
    [0xc8, 0x40],
  ]) {
    t.is(fromBig5(Uint8Array.of(...pair, 0x41)), '\uFFFDA', hex(Uint8Array.from(pair)))
  }
})

test('fromBig5 matches iconv-lite on CP950 text', (t) => {
  const pairs: number[] = []
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail > 0x7e && trail < 0xa1) continue
      const decoded = iconv.decode(Buffer.from([lead, trail]), 'cp950')
      if (decoded.length === 1 && decoded !== '\uFFFD') pairs.push(lead, trail, 0x41)
    }
  }
  t.is(pairs.length / 3, 13_503)
  const input = Uint8Array.from(pairs)
  const decoded = fromBig5(input)
  t.is(decoded, iconv.decode(Buffer.from(input), 'cp950'))
  t.false(decoded.includes('\uFFFD'))
})

test('HKSCS characters are not encoded', (t) => {
  // 䏰 (U+43F0), ế (U+1EBF) and 𣻗 (U+23ED7) have the HKSCS codes 8740, 88A4 and 8E40.
  const text = '䏰ế𣻗'
  t.is(iconv.encode(text, 'big5hkscs').toString('hex').toUpperCase(), '874088A48E40')
  const result = toBig5(text, { onUnencodable: 'replace' })
  t.is(hex(result.bytes), '3F3F3F')
  t.is(result.unencodable.length, 3)
})

test('toBig5 detects every BMP gap of iconv-lite', (t) => {
  // A character is encodable exactly when iconv-lite's bytes decode back to it.
  const disagreements: string[] = []
  let encodable = 0
  for (let codePoint = 0; codePoint <= 0xffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue
    const char = String.fromCharCode(codePoint)
    const result = toBig5(char, { onUnencodable: 'replace' })
    const roundTrips = iconv.decode(iconv.encode(char, 'cp950'), 'cp950') === char
    if ((result.unencodable.length === 0) !== roundTrips) disagreements.push(codePoint.toString(16))
    if (result.unencodable.length === 0) {
      encodable++
      if (fromBig5(result.bytes) !== char) disagreements.push(`${codePoint.toString(16)} does not round-trip`)
    }
  }
  t.deepEqual(disagreements, [])
  t.is(encodable, 13_621)
})

test('toBig5 and fromBig5 round-trip an address', (t) => {
  const address = '臺北市中正區重慶南路一段122號3樓之1'
  t.is(fromBig5(toBig5(address).bytes), address)
})

test('fromBig5 rejects a string', (t) => {
  const error = t.throws(() => fromBig5('abc' as unknown as Uint8Array), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
  t.true(error?.messageIn('en').includes('the argument of fromBig5 must be a Uint8Array, not string'), error?.messageIn('en'))
})
