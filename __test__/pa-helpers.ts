// Test material for the Passive Authentication specs: PKIs and signatures
// made by the openssl command line through tools/test-pki.mjs.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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
