// CNS text decode throughput beside iconv-lite's CP950 decode of the same text.
//
// Run: npm run bench:text, which builds dist/ and runs this file against the
// compiled package, as users get it. The text is built from a fixed seed, so every run measures
// the same bytes. Each case runs for about ROUND_MS per round and the fastest of
// ROUNDS rounds is reported, which filters out pauses from other processes.

import { cpus } from 'node:os'

import iconv from 'iconv-lite'

import { cnsCodeOf, decodeCnsText, encodeCnsText, fromBig5, toBig5 } from '../dist/text/index.js'

const ROUNDS = 7
const ROUND_MS = 300
const TEXT_CHARACTERS = 200_000

/** Deterministic pseudo-random numbers (a 32-bit xorshift), so runs compare. */
function random(seed) {
  let state = seed
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
}

/** Han characters that both Big5 (CP950 rows A440–F9D5) and CNS 11643 encode. */
function sharedHanCharacters() {
  const characters = []
  for (let lead = 0xa4; lead <= 0xf9; lead++) {
    for (const trail of [...range(0x40, 0x7e), ...range(0xa1, 0xfe)]) {
      if (lead === 0xc6 && trail >= 0xa1) continue
      if (lead >= 0xc7 && lead <= 0xc8) continue
      if (lead === 0xf9 && trail > 0xd5) continue
      const char = iconv.decode(Buffer.from([lead, trail]), 'cp950')
      // CP950 decodes C94A and DDFC to the compatibility ideographs U+FA0C and U+FA0D, which have no CNS code.
      if (char.length === 1 && char !== '\uFFFD' && cnsCodeOf(char) !== undefined) characters.push(char)
    }
  }
  return characters
}

function* range(first, last) {
  for (let value = first; value <= last; value++) yield value
}

/** Text like names and addresses: mostly Han characters, some digits, hyphens and spaces. */
function buildText(characters, length) {
  const next = random(0x5eed)
  let text = ''
  for (let index = 0; index < length; index++) {
    const roll = next()
    if (roll < 0.08) text += String.fromCharCode(0x30 + Math.floor(next() * 10))
    else if (roll < 0.09) text += '-'
    else if (roll < 0.1) text += ' '
    else text += characters[Math.floor(next() * characters.length)]
  }
  return text
}

/** Runs `fn` repeatedly and returns the fastest round's seconds per call. */
function measure(fn) {
  for (let warmup = 0; warmup < 20; warmup++) fn()
  let best = Infinity
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0
    const start = process.hrtime.bigint()
    let elapsed = 0
    while (elapsed < ROUND_MS * 1e6) {
      fn()
      calls++
      elapsed = Number(process.hrtime.bigint() - start)
    }
    best = Math.min(best, elapsed / 1e9 / calls)
  }
  return best
}

function report(label, inputBytes, characters, seconds) {
  const megabytes = inputBytes / 1e6 / seconds
  const megacharacters = characters / 1e6 / seconds
  console.log(`${label.padEnd(34)} ${megabytes.toFixed(1).padStart(8)} MB/s ${megacharacters.toFixed(2).padStart(8)} Mchar/s`)
}

const shared = sharedHanCharacters()
const text = buildText(shared, TEXT_CHARACTERS)
const characterCount = [...text].length
const cnsBytes = encodeCnsText(text)
const big5Bytes = Buffer.from(toBig5(text).bytes)

// Both decoders must return the original text, or the numbers mean nothing.
if (decodeCnsText(cnsBytes).text !== text) throw new Error('decodeCnsText does not restore the text')
if (iconv.decode(big5Bytes, 'cp950') !== text) throw new Error('iconv-lite does not restore the text')
if (fromBig5(big5Bytes) !== text) throw new Error('fromBig5 does not restore the text')

console.log(`node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}`)
console.log(`text: ${characterCount} characters, CNS ${cnsBytes.length} bytes, Big5 ${big5Bytes.length} bytes`)
console.log(`fastest of ${ROUNDS} rounds of ${ROUND_MS} ms\n`)

const cnsSeconds = measure(() => decodeCnsText(cnsBytes))
const iconvSeconds = measure(() => iconv.decode(big5Bytes, 'cp950'))
const fromBig5Seconds = measure(() => fromBig5(big5Bytes))

report('decodeCnsText (CNS bytes)', cnsBytes.length, characterCount, cnsSeconds)
report('iconv-lite decode cp950 (Big5)', big5Bytes.length, characterCount, iconvSeconds)
report('fromBig5 (Big5)', big5Bytes.length, characterCount, fromBig5Seconds)
console.log(`\ndecodeCnsText / iconv-lite, same text: ${(iconvSeconds / cnsSeconds).toFixed(2)}× the characters per second`)

// A name as the card stores it: four characters.
const name = text.slice(0, 4)
const nameCns = encodeCnsText(name)
const nameBig5 = Buffer.from(toBig5(name).bytes)
const nameCnsSeconds = measure(() => decodeCnsText(nameCns))
const nameIconvSeconds = measure(() => iconv.decode(nameBig5, 'cp950'))
console.log(`\nfour-character name: decodeCnsText ${(1 / nameCnsSeconds / 1e6).toFixed(2)} M calls/s, iconv-lite ${(1 / nameIconvSeconds / 1e6).toFixed(2)} M calls/s, ratio ${(nameIconvSeconds / nameCnsSeconds).toFixed(2)}×`)
