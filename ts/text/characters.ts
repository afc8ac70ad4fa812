import type { Localized } from '../i18n.js'

/** A character found in a text, at a character position (code points counted, not UTF-16 units). */
export interface CharacterAt {
  index: number
  char: string
  codePoint: number
}

/** Formats a code point as `U+` and at least four upper-case hex digits. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

/** Tells whether a code point is in a private use area: U+E000–U+F8FF, or Unicode planes 15 and 16. */
export function isPrivateUse(codePoint: number): boolean {
  return (codePoint >= 0xe000 && codePoint <= 0xf8ff) || (codePoint >= 0xf0000 && codePoint <= 0xffffd) || (codePoint >= 0x100000 && codePoint <= 0x10fffd)
}

/**
 * Splits a string into characters with their code points. A lone surrogate is one
 * character whose code point is the surrogate's value.
 */
export function charactersOf(text: string): CharacterAt[] {
  const characters: CharacterAt[] = []
  let index = 0
  for (const char of text) {
    characters.push({ index, char, codePoint: char.codePointAt(0) ?? 0 })
    index++
  }
  return characters
}

/** Returns the one code point of a single-character string, or undefined for any other string. */
export function singleCodePoint(char: string): number | undefined {
  if (typeof char !== 'string' || char.length === 0 || char.length > 2) return undefined
  const codePoint = char.codePointAt(0) ?? 0
  return char.length === (codePoint > 0xffff ? 2 : 1) ? codePoint : undefined
}

/** Describes a character for a message: itself when printable, and always its code point. */
function describeCharacter(character: CharacterAt, language: 'zh-TW' | 'en'): string {
  const printable = /^[^\p{C}\p{Z}]$/u.test(character.char)
  const codePoint = formatCodePoint(character.codePoint)
  if (language === 'en') {
    return printable ? `"${character.char}" (${codePoint}) at index ${character.index}` : `${codePoint} at index ${character.index}`
  }
  return printable ? `位置 ${character.index} 的「${character.char}」（${codePoint}）` : `位置 ${character.index} 的 ${codePoint}`
}

const LISTED_CHARACTERS = 20

/** Lists characters for a message, the first 20 of them and a count of the rest. */
export function describeCharacters(characters: readonly CharacterAt[]): Localized {
  const listed = characters.slice(0, LISTED_CHARACTERS)
  const rest = characters.length - listed.length
  const zh = listed.map((character) => describeCharacter(character, 'zh-TW')).join('、')
  const en = listed.map((character) => describeCharacter(character, 'en')).join(', ')
  return {
    'zh-TW': rest > 0 ? `${zh}，以及其他 ${rest} 個字元` : zh,
    en: rest > 0 ? `${en}, and ${rest} more` : en,
  }
}

/** Names the argument of a text function in messages about its type. */
export function argumentOf(name: string): Localized {
  return { 'zh-TW': `${name} 的參數`, en: `the argument of ${name}` }
}

export const STRING: Localized = { 'zh-TW': '字串', en: 'a string' }
export const UINT8ARRAY: Localized = { 'zh-TW': 'Uint8Array', en: 'a Uint8Array' }
