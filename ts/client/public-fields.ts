import type { PublicFieldsObject } from '../native.js'
import { decodeCnsText } from '../text/index.js'
import { civilDate, type PublicData } from './model.js'

/** The holder's public-area fields, as a card read and evidence decoding both give them. */
export type PublicFields = Pick<
  PublicData,
  | 'name'
  | 'romanizedName'
  | 'idNumber'
  | 'birthDate'
  | 'hasSpouse'
  | 'cardNumber'
  | 'cardMadeDate'
  | 'renewByDate'
  | 'address'
  | 'militaryService'
  | 'photo'
  | 'activeAuthenticationKey'
>

/** Converts the addon's raw fields: CNS text to `CnsText`, dates to `CivilDate`. */
export function publicFields(fields: PublicFieldsObject): PublicFields {
  return {
    name: decodeCnsText(fields.name),
    ...(fields.romanizedName == null ? {} : { romanizedName: fields.romanizedName }),
    idNumber: fields.idNumber,
    birthDate: civilDate(fields.birthDate),
    hasSpouse: fields.hasSpouse,
    cardNumber: fields.cardNumber,
    cardMadeDate: civilDate(fields.cardMadeDate),
    renewByDate: civilDate(fields.renewByDate),
    address: decodeCnsText(fields.address),
    militaryService: decodeCnsText(fields.militaryService),
    photo: { mediaType: fields.photoMediaType, bytes: new Uint8Array(fields.photo) },
    activeAuthenticationKey: new Uint8Array(fields.activeAuthenticationKey),
  }
}
