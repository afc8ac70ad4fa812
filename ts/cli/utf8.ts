/** The first ill-formed byte sequence of UTF-8 input. */
export interface InvalidUtf8 {
  /** Byte offset where the sequence starts. */
  offset: number
  /** The bytes of the sequence up to and including the first byte that breaks it. */
  bytes: Uint8Array
}

/**
 * Finds the first byte sequence that is not well-formed UTF-8, following Table 3-7
 * of the Unicode Standard (no overlong forms, no surrogates, nothing above U+10FFFF),
 * or returns undefined when the input is valid.
 */
export function firstInvalidUtf8(input: Uint8Array): InvalidUtf8 | undefined {
  let offset = 0
  while (offset < input.length) {
    const lead = input[offset] as number
    if (lead < 0x80) {
      offset++
      continue
    }
    const [length, secondLow, secondHigh] = sequenceOf(lead)
    if (length === 0) return { offset, bytes: input.subarray(offset, offset + 1) }
    for (let index = 1; index < length; index++) {
      const byte = input[offset + index]
      const low = index === 1 ? secondLow : 0x80
      const high = index === 1 ? secondHigh : 0xbf
      if (byte === undefined || byte < low || byte > high) {
        return { offset, bytes: input.subarray(offset, Math.min(offset + index + 1, input.length)) }
      }
    }
    offset += length
  }
  return undefined
}

/** Returns the length of the sequence a lead byte starts and the range of its second byte; length 0 for an invalid lead. */
function sequenceOf(lead: number): [number, number, number] {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf]
  if (lead === 0xe0) return [3, 0xa0, 0xbf]
  if (lead === 0xed) return [3, 0x80, 0x9f]
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf]
  if (lead === 0xf0) return [4, 0x90, 0xbf]
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf]
  if (lead === 0xf4) return [4, 0x80, 0x8f]
  return [0, 0, 0]
}
