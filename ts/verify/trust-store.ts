import { readFile, readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'

import { NewEidError } from '../errors/index.js'
import native, { type CertificateInfo as NativeCertificateInfo, type CrlInfo as NativeCrlInfo, type NativeTrustStore } from '../native.js'
import { fromNativeError } from './native-errors.js'
import { toNativePolicy, type PassiveAuthenticationPolicy } from './policy.js'
import { verificationFrom, type Verification } from './result.js'

/** A CSCA certificate in a trust store. */
export interface CertificateInfo {
  subject: string
  issuer: string
  serial: string
  /** `anchor` for a self-signed CSCA, `link` for a CSCA link certificate. */
  role: 'anchor' | 'link'
  notBefore: Date
  notAfter: Date
  /** Public key type, such as `EC brainpoolP256r1` or `RSA 3072`. */
  key: string
  /** SHA-256 of the DER certificate, in hex. */
  fingerprint: string
}

/** A CRL in a trust store. */
export interface CrlInfo {
  issuer: string
  thisUpdate: Date
  nextUpdate?: Date
  revokedCount: number
}

/** A file that `fromDirectory` did not load, and why. */
export interface SkippedFile {
  file: string
  reason: string
}

/** What adding a master list did. */
export interface MasterListResult {
  /** Signature and signer-chain checks; a signer whose CSCA was not yet in the store fails `ml_signer.issuer`. */
  verification: Verification
  added: CertificateInfo[]
  /** Certificates of the list that the store did not accept. */
  rejected: { index: number; reason: string }[]
}

const CERTIFICATE_FILES = new Set(['.pem', '.crt', '.cer', '.der', '.crl'])

/** Checks that make a master list unusable whoever signed it: a broken structure, digest or signature. */
const MASTER_LIST_INTEGRITY = ['master_list.format', 'master_list.content_type', 'master_list.certificates', 'master_list.message_digest', 'master_list.signature']

function certificateFrom(info: NativeCertificateInfo): CertificateInfo {
  return {
    subject: info.subject,
    issuer: info.issuer,
    serial: info.serial,
    role: info.role === 'link' ? 'link' : 'anchor',
    notBefore: new Date(info.notBefore),
    notAfter: new Date(info.notAfter),
    key: info.key,
    fingerprint: info.fingerprint,
  }
}

function crlFrom(info: NativeCrlInfo): CrlInfo {
  const crl: CrlInfo = { issuer: info.issuer, thisUpdate: new Date(info.thisUpdate), revokedCount: info.revokedCount }
  if (info.nextUpdate !== undefined && info.nextUpdate !== null) crl.nextUpdate = new Date(info.nextUpdate)
  return crl
}

function bytesOf(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input
}

/**
 * The CSCA certificates (self-signed anchors and link certificates) and CRLs
 * that Passive Authentication trusts. Certificates are parsed once, in the
 * native layer, and every verification shares them; verified Document
 * Signer chains are cached until the next `addCsca` or `addCrl`.
 */
export class TrustStore {
  readonly #native: NativeTrustStore
  /** Files that `fromDirectory` left out (private keys, non-CA certificates, unreadable files). */
  readonly skipped: SkippedFile[] = []
  /** The results of the master lists added so far. */
  readonly masterLists: MasterListResult[] = []

  constructor() {
    this.#native = new native.NativeTrustStore()
  }

  /** @internal The native store, for the verification functions. */
  static nativeOf(store: TrustStore): NativeTrustStore {
    return store.#native
  }

  /**
   * Loads every certificate and CRL of a folder: PEM (`.pem`, `.crt`, `.cer`)
   * with one or more blocks, or DER (`.der`, `.cer`, `.crl`). Files holding a
   * private key, and certificates that are not CA certificates (such as a
   * Document Signer's), are listed in `skipped` instead.
   */
  static async fromDirectory(path: string): Promise<TrustStore> {
    const store = new TrustStore()
    let names: string[]
    try {
      names = (await readdir(path)).sort()
    } catch (error) {
      throw new NewEidError('INVALID_INPUT', { step: 'trust.read_directory', detail: `${path}: ${(error as Error).message}`, cause: error })
    }
    for (const name of names) {
      if (!CERTIFICATE_FILES.has(extname(name).toLowerCase())) continue
      const file = join(path, name)
      const bytes = await readFile(file)
      const text = bytes.toString('latin1')
      if (text.includes('PRIVATE KEY-----')) {
        store.skipped.push({ file, reason: 'private key' })
        continue
      }
      const reason = store.#loadFile(bytes, text)
      if (reason !== undefined) store.skipped.push({ file, reason })
    }
    return store
  }

  /** Loads one file and returns why it was not loaded, if it was not. */
  #loadFile(bytes: Uint8Array, text: string): string | undefined {
    const isPem = text.includes('-----BEGIN ')
    const hasCertificate = !isPem || text.includes('-----BEGIN CERTIFICATE-----')
    const hasCrl = !isPem || text.includes('-----BEGIN X509 CRL-----')
    const reasons: string[] = []
    let loaded = false
    if (hasCertificate) {
      try {
        this.#native.addCertificates(bytes)
        loaded = true
      } catch (error) {
        reasons.push(fromNativeError(error, 'trust.add_csca').messageIn('en'))
      }
    }
    if (hasCrl && (isPem || !loaded)) {
      try {
        this.#native.addCrls(bytes)
        loaded = true
      } catch (error) {
        reasons.push(fromNativeError(error, 'trust.add_crl').messageIn('en'))
      }
    }
    return loaded ? undefined : reasons.join('; ') || 'no certificate or CRL found'
  }

  /**
   * Builds a store from an ICAO CSCA master list (CMS SignedData with
   * eContentType 2.23.136.1.1.2). The list's signer is checked against the
   * CSCAs of `options.trust`, if given; see `addMasterList`.
   */
  static fromMasterList(bytes: Uint8Array, options: { trust?: TrustStore; policy?: PassiveAuthenticationPolicy } = {}): TrustStore {
    const store = new TrustStore()
    store.addMasterList(bytes, options)
    return store
  }

  /**
   * Adds the certificates of a CSCA master list. Its signature and messageDigest
   * must verify, or nothing is added (`CERTIFICATE_REJECTED`). Its signer is
   * checked against the CSCAs already in `options.trust` (default: this
   * store, before the list is added); a signer that does not chain is reported
   * in the result, and the certificates are added all the same.
   */
  addMasterList(bytes: Uint8Array, options: { trust?: TrustStore; policy?: PassiveAuthenticationPolicy } = {}): MasterListResult {
    const verifier = options.trust ?? this
    let nativeResult
    try {
      nativeResult = native.verifyMasterListSync(TrustStore.nativeOf(verifier), bytes, toNativePolicy(options.policy))
    } catch (error) {
      throw fromNativeError(error, 'trust.master_list')
    }
    const verification = verificationFrom(nativeResult)
    const broken = verification.checks.filter((check) => MASTER_LIST_INTEGRITY.includes(check.name) && !check.ok)
    if (broken.length > 0 || nativeResult.certificates === undefined || nativeResult.certificates === null) {
      const detail = broken.map((check) => `${check.name}: ${check.details.en}`).join('; ')
      throw new NewEidError('CERTIFICATE_REJECTED', { step: 'trust.master_list', detail: detail || 'the master list has no certificate list' })
    }
    const result: MasterListResult = { verification, added: [], rejected: [] }
    nativeResult.certificates.forEach((certificate, index) => {
      try {
        result.added.push(...this.#native.addCertificates(certificate).map(certificateFrom))
      } catch (error) {
        result.rejected.push({ index, reason: fromNativeError(error, 'trust.add_csca').messageIn('en') })
      }
    })
    this.masterLists.push(result)
    return result
  }

  /** Adds CSCA or link certificates from DER or PEM (several PEM blocks allowed). */
  addCsca(certificate: Uint8Array | string): CertificateInfo[] {
    try {
      return this.#native.addCertificates(bytesOf(certificate)).map(certificateFrom)
    } catch (error) {
      throw fromNativeError(error, 'trust.add_csca')
    }
  }

  /** Adds CRLs from DER or PEM. Each is used for the DS certificates its CSCA issued once its signature verifies. */
  addCrl(crl: Uint8Array | string): CrlInfo[] {
    try {
      return this.#native.addCrls(bytesOf(crl)).map(crlFrom)
    } catch (error) {
      throw fromNativeError(error, 'trust.add_crl')
    }
  }

  get certificates(): CertificateInfo[] {
    return this.#native.certificates.map(certificateFrom)
  }

  get crls(): CrlInfo[] {
    return this.#native.crls.map(crlFrom)
  }

  /** Number of Document Signer chains verified and cached. */
  get cachedSigners(): number {
    return this.#native.cachedSigners
  }
}
