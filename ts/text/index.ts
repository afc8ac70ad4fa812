// Chinese text conversion: the card's CNS 11643 (全字庫) text, and Big5 (CP950) for
// systems that still exchange it.
export { decodeCnsText, encodeCnsText, cnsCodeOf, cnsCodesOf, charOfCnsCode } from './cns.js'
export type { CnsText, CnsPrivateUseCharacter, CnsUnmappedCharacter } from './cns.js'
export { toBig5, fromBig5 } from './big5.js'
export type { ToBig5Options, Big5Result, UnencodableAction } from './big5.js'
export type { CharacterAt } from './characters.js'
