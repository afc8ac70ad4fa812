// Test material for the Passive Authentication specs: PKIs and signatures
// made by the openssl command line through tools/test-pki.mjs.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { encodeCnsText } from '../ts/text/index.js'

// @ts-expect-error: a plain ES module without type declarations
import { createTestPki, encodeLdsWithOpenssl, signWithOpenssl, wrapSod } from '../tools/test-pki.mjs'

export interface PkiFiles {
  cscaKey: string
  cscaCert: string
  dsKey: string
  dsCert: string
  crl: string
  newCscaKey?: string
  newCscaCert?: string
  linkCert?: string
}

export interface PkiOptions {
  cscaCurve?: 'P-256' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'rsa'
  dsCurve?: 'P-256' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'rsa'
  link?: boolean
  revokeDs?: boolean
  explicitDs?: boolean
  dsNotBefore?: Date
  dsNotAfter?: Date
  name?: string
}

export function makePki(options: PkiOptions = {}): PkiFiles {
  const out = mkdtempSync(join(tmpdir(), 'neweid-pa-test-'))
  return createTestPki({ out, ...options }) as PkiFiles
}

/** Data groups shaped like the card profile's: `[APPLICATION n] { 80 text }`. */
export function dataGroups(numbers: number[] = [1, 2, 3, 4, 7, 9, 15]): Map<number, Uint8Array> {
  const groups = new Map<number, Uint8Array>()
  for (const number of numbers) {
    const text = Buffer.from(`TEST DG${number} 測試`)
    groups.set(number, Buffer.concat([Buffer.from([0x60 + number, text.length + 2, 0x80, text.length]), text]))
  }
  return groups
}

export interface SignOptions {
  digest?: 'sha256' | 'sha384' | 'sha512'
  pss?: boolean
  stream?: boolean
  contentType?: string
}

/** Signs content with `openssl cms -sign` by the PKI's DS and returns the DER ContentInfo. */
export function opensslSign(pki: PkiFiles, content: Uint8Array, options: SignOptions = {}): Buffer {
  return signWithOpenssl({ content, certificate: pki.dsCert, key: pki.dsKey, ...options }) as Buffer
}

/** An EF.SOD over `groups`: LDS object from `openssl asn1parse -genconf`, signed by `openssl cms`, wrapped in tag 77. */
export function opensslSod(pki: PkiFiles, groups: Map<number, Uint8Array>, options: SignOptions = {}): Buffer {
  const lds = encodeLdsWithOpenssl(groups) as Buffer
  return wrapSod(opensslSign(pki, lds, options)) as Buffer
}

export function read(path: string): Buffer {
  return readFileSync(path)
}

/** Encodes a DER length. */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(value.length), value])
}

/** Converts a PEM certificate file to DER. */
export function pemToDer(path: string): Buffer {
  const text = readFileSync(path, 'utf8')
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  return Buffer.from(body, 'base64')
}

/** Fields of a fictitious holder for `profileDataGroups`; every value is made up. */
export interface HolderFields {
  name: string
  romanizedName?: string
  idNumber: string
  /** YYYYMMDD */
  birthDate: string
  hasSpouse: boolean
  cardNumber: string
  cardMadeDate: string
  renewByDate: string
  address: string
  militaryService: string
  county: string
  township: string
  village: string
  neighbourhood: string
}

export const TEST_HOLDER: HolderFields = {
  name: '王小明',
  romanizedName: 'WANG, HSIAO-MING',
  idNumber: 'A123456789',
  birthDate: '19900315',
  hasSpouse: false,
  cardNumber: '000000654321',
  cardMadeDate: '20260105',
  renewByDate: '20360105',
  address: '臺北市中正區重慶南路一段122號',
  militaryService: '免役',
  county: '臺北市',
  township: '中正區',
  village: '光復里',
  neighbourhood: '12',
}

function applicationTlv(number: number, fields: Uint8Array[]): Buffer {
  return tlv(0x60 + number, Buffer.concat(fields))
}

/**
 * Data groups DG1 to DG9 and DG15 in the card profile's layout, so that the
 * profile decoders accept them: `[APPLICATION n]` holding context-specific
 * fields, CNS 11643 text made with `encodeCnsText`.
 */
export function profileDataGroups(holder: HolderFields = TEST_HOLDER): Map<number, Uint8Array> {
  const ascii = (text: string) => Buffer.from(text, 'latin1')
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x5a), Buffer.from([0xff, 0xd9])])
  const photoField = Buffer.concat([Buffer.from([0x5f, 0x2e]), derLength(photo.length), photo])
  const name = [tlv(0x80, encodeCnsText(holder.name))]
  if (holder.romanizedName !== undefined) name.push(tlv(0x81, ascii(holder.romanizedName)))
  // A made-up EC point, not a usable key: DG15 is decoded as bytes only.
  const activeAuthenticationKey = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), Buffer.alloc(65, 0x04)])
  return new Map<number, Uint8Array>([
    [1, applicationTlv(1, [tlv(0x80, encodeCnsText(holder.county)), tlv(0x81, encodeCnsText(holder.township)), tlv(0x82, encodeCnsText(holder.village)), tlv(0x83, ascii(holder.neighbourhood))])],
    [2, applicationTlv(2, name)],
    [3, applicationTlv(3, [tlv(0x80, ascii(holder.idNumber))])],
    [4, applicationTlv(4, [tlv(0x80, ascii(holder.birthDate))])],
    [5, applicationTlv(5, [tlv(0x80, Buffer.from([holder.hasSpouse ? 1 : 0]))])],
    [6, applicationTlv(6, [tlv(0x80, ascii(holder.cardNumber)), tlv(0x81, ascii(holder.cardMadeDate)), tlv(0x82, ascii(holder.renewByDate))])],
    [7, applicationTlv(7, [tlv(0x80, encodeCnsText(holder.address))])],
    [8, applicationTlv(8, [tlv(0x80, encodeCnsText(holder.militaryService))])],
    [9, applicationTlv(9, [tlv(0x80, ascii('image/jpeg')), photoField])],
    [15, tlv(0x6f, activeAuthenticationKey)],
  ])
}
