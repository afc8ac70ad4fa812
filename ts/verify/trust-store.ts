import { readFile, readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'

import type { FileLoad } from '../../index.js'
import { NewEidError } from '../errors/index.js'
import native, { type CertificateInfo as NativeCertificateInfo, type CrlInfo as NativeCrlInfo, type NativeTrustStore } from '../native.js'
import { fromNativeError } from './native-errors.js'
import { toNativePolicy, type PassiveAuthenticationPolicy } from './policy.js'
import { verificationFrom, type Verification, type VerificationCheck } from './result.js'
import { invalidInput, isPlainObject } from './validate.js'

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

/**
 * Why `fromDirectory` left a file or a block of it out:
 * - `private_key`: the file contains a private key;
 * - `not_ca`: a certificate that is not a CA certificate, such as a Document Signer's;
 * - `not_file`: not a regular file, such as a folder named `*.pem`;
 * - `unreadable`: the file cannot be read, such as a dangling symbolic link;
 * - `invalid`: neither a certificate nor a CRL parses from it;
 * - `rejected`: a CSCA whose self-signature fails, or a CRL that no CSCA of the folder signed.
 */
export type SkipKind = 'private_key' | 'not_ca' | 'not_file' | 'unreadable' | 'invalid' | 'rejected'

/** A file, or a PEM block of it, that `fromDirectory` did not load, and why. */
export interface SkippedFile {
  file: string
  kind: SkipKind
  /** Why, in English. */
  reason: string
}

/** What adding a master list did. */
export interface MasterListResult {
  /** Signature and signer-chain checks of the list. */
  verification: Verification
  added: CertificateInfo[]
  /** Certificates of the list that the store did not accept. */
  rejected: { index: number; reason: string }[]
}

/** Options of `addMasterList` and `fromMasterList`. */
export interface MasterListOptions {
  /** The CSCAs that the list's signer must chain to. Default: the store the list is added to, before the list is added. */
  trust?: TrustStore
  /** The policy of the signer check (validity time, CRLs, allowed hashes). */
  policy?: PassiveAuthenticationPolicy
  /**
   * `verified` (the default): the list is added only if its verification
   * passes, including a signer that chains to a CSCA of `trust`.
   * `unverified`: the signer's chain is not required, only the list's
   * structure, messageDigest and signature. Use it only to bootstrap from a
   * list obtained over a channel you already trust, because anyone can sign
   * a master list with a key of their own.
   */
  signer?: 'verified' | 'unverified'
}

const CERTIFICATE_FILES = new Set(['.pem', '.crt', '.cer', '.der', '.crl'])

/** Checks that make a master list unusable whoever signed it: a broken structure, digest or signature. */
const MASTER_LIST_INTEGRITY = [
  'master_list.format',
  'master_list.content_type',
  'master_list.digest_algorithms',
  'master_list.certificates',
  'master_list.message_digest',
  'master_list.signature',
]

/** The stat and read errors `fromDirectory` explains, by `code`. */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'not found, such as a dangling symbolic link',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a folder',
}

/** A trust store file read into memory, and the results of loading it. */
interface TrustFile {
  file: string
  bytes: Uint8Array
  isPem: boolean
  certificates?: FileLoad
  crls?: FileLoad
}

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

function bytesOf(input: unknown, step: string): Uint8Array {
  if (typeof input === 'string') return Buffer.from(input, 'utf8')
  if (input instanceof Uint8Array) return input
  throw invalidInput(step, { 'zh-TW': '憑證或廢止清單必須是位元組（DER 或 PEM）或 PEM 字串', en: 'a certificate or CRL must be bytes (DER or PEM) or a PEM string' }, input)
}

function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const explained = code === undefined ? undefined : FILE_ERRORS[code]
  return explained === undefined ? `cannot be read: ${(error as Error).message}` : `cannot be read: ${explained} (${code})`
}

/** Reads a trust store file, or returns why it is skipped. */
async function readTrustFile(file: string): Promise<TrustFile | SkippedFile> {
  try {
    const info = await stat(file)
    if (!info.isFile()) return { file, kind: 'not_file', reason: info.isDirectory() ? 'is a folder, not a file' : 'not a regular file' }
    const bytes = await readFile(file)
    const text = bytes.toString('latin1')
    if (text.includes('PRIVATE KEY-----')) return { file, kind: 'private_key', reason: 'private key' }
    return { file, bytes, isPem: text.includes('-----BEGIN ') }
  } catch (error) {
    return { file, kind: 'unreadable', reason: fileError(error) }
  }
}

function containsBlock(bytes: Uint8Array, label: string): boolean {
  return Buffer.from(bytes).includes(`-----BEGIN ${label}-----`)
}

/** Lists what a trust store file did not give: each rejected PEM block, or why a DER file is neither a CSCA nor a CRL. */
function skippedOf(entry: TrustFile): SkippedFile[] {
  const { file, certificates, crls } = entry
  if (entry.isPem) {
    if (certificates === undefined && crls === undefined) {
      return [{ file, kind: 'invalid', reason: 'no CERTIFICATE or X509 CRL block' }]
    }
    const rejected = [...(certificates?.rejected ?? []), ...(crls?.rejected ?? [])]
    return rejected.map((block) => ({ file, kind: block.kind as SkipKind, reason: block.reason }))
  }
  const loaded = (certificates?.certificates.length ?? 0) + (crls?.crls.length ?? 0) > 0
  if (loaded) return []
  // A DER file is tried as a certificate, then as a CRL: report the attempt that parsed.
  const attempts = [...(certificates?.rejected ?? []), ...(crls?.rejected ?? [])]
  const parsed = attempts.find((block) => block.kind !== 'invalid')
  if (parsed !== undefined) return [{ file, kind: parsed.kind as SkipKind, reason: parsed.reason }]
  return [{ file, kind: 'invalid', reason: `neither a certificate nor a CRL: ${attempts.map((block) => block.reason).join('; ')}` }]
}

/**
 * The CSCA certificates (self-signed anchors and link certificates) and CRLs
 * that Passive Authentication trusts. Certificates are parsed once, in the
 * native layer, and every verification shares them; verified Document
 * Signer chains are cached until the next `addCsca` or `addCrl`.
 */
export class TrustStore {
  readonly #native: NativeTrustStore
  /** Files and PEM blocks that `fromDirectory` left out, each with a `SkipKind`. */
  readonly skipped: SkippedFile[] = []
  /** The results of the master lists added so far. */
  readonly masterLists: MasterListResult[] = []

  constructor() {
    this.#native = new native.NativeTrustStore()
  }

  /**
   * @internal The native store, for the verification functions. Fails with
   * `INVALID_INPUT` when `store` is not a `TrustStore`.
   */
  static nativeOf(store: unknown): NativeTrustStore {
    if (!(store instanceof TrustStore)) {
      throw invalidInput(
        'verify.trust',
        { 'zh-TW': 'trust 必須是 TrustStore，例如 TrustStore.fromDirectory 的結果', en: 'trust must be a TrustStore, such as the result of TrustStore.fromDirectory' },
        store,
      )
    }
    return store.#native
  }

  /**
   * Loads every certificate and CRL of a folder: PEM (`.pem`, `.crt`, `.cer`)
   * with one or more blocks, or DER (`.der`, `.cer`, `.crl`). Certificates
   * are loaded first, so that each CRL can be checked against the CSCAs of
   * the whole folder. Some entries are listed in `skipped` instead: private
   * keys, certificates that are not CA certificates (such as a Document
   * Signer's), CRLs that no CSCA of the folder signed, entries that are not
   * readable files, and files that do not parse. One bad entry does not stop
   * the others. A folder that cannot be listed fails with `INVALID_INPUT`.
   */
  static async fromDirectory(path: string): Promise<TrustStore> {
    if (typeof path !== 'string') {
      throw invalidInput('trust.read_directory', { 'zh-TW': '信任清單資料夾路徑必須是字串', en: 'the trust store folder must be a path string' }, path)
    }
    const store = new TrustStore()
    let names: string[]
    try {
      names = (await readdir(path)).sort()
    } catch (error) {
      throw new NewEidError('INVALID_INPUT', { step: 'trust.read_directory', detail: `${path}: ${(error as Error).message}`, cause: error })
    }
    const files: TrustFile[] = []
    for (const name of names) {
      if (!CERTIFICATE_FILES.has(extname(name).toLowerCase())) continue
      const entry = await readTrustFile(join(path, name))
      if ('kind' in entry) store.skipped.push(entry)
      else files.push(entry)
    }
    for (const entry of files) {
      if (!entry.isPem || containsBlock(entry.bytes, 'CERTIFICATE')) entry.certificates = store.#load(entry.bytes, 'certificates')
    }
    for (const entry of files) {
      const wanted = entry.isPem ? containsBlock(entry.bytes, 'X509 CRL') : (entry.certificates?.certificates.length ?? 0) === 0
      if (wanted) entry.crls = store.#load(entry.bytes, 'crls')
    }
    for (const entry of files) store.skipped.push(...skippedOf(entry))
    return store
  }

  /** Loads the certificates or CRLs of one file, turning an error for the whole file into one rejected block. */
  #load(bytes: Uint8Array, what: 'certificates' | 'crls'): FileLoad {
    try {
      return what === 'certificates' ? this.#native.loadCertificates(bytes) : this.#native.loadCrls(bytes)
    } catch (error) {
      const reason = fromNativeError(error, what === 'certificates' ? 'trust.add_csca' : 'trust.add_crl').messageIn('en')
      return { certificates: [], crls: [], rejected: [{ index: 0, kind: 'invalid', reason }] }
    }
  }

  /**
   * Builds a store from an ICAO CSCA master list (CMS SignedData with
   * eContentType 2.23.136.1.1.2); see `addMasterList`. By default the list's
   * signer must chain to a CSCA of `options.trust`: without `trust` the new
   * store is empty, so the list is rejected unless `signer: 'unverified'`.
   */
  static fromMasterList(bytes: Uint8Array, options: MasterListOptions = {}): TrustStore {
    const store = new TrustStore()
    store.addMasterList(bytes, options)
    return store
  }

  /**
   * Adds the certificates of a CSCA master list. By default the list must
   * pass verification under `options.policy`: a valid structure,
   * messageDigest and signature, and a signer certificate that chains to a
   * CSCA of `options.trust` (default: this store, before the list is
   * added). Otherwise nothing is added and the call fails with
   * `CERTIFICATE_REJECTED`, naming the failed checks. With
   * `signer: 'unverified'` only the structure, messageDigest and signature
   * must pass; see `MasterListOptions.signer` for when that is safe.
   */
  addMasterList(bytes: Uint8Array, options: MasterListOptions = {}): MasterListResult {
    const step = 'trust.master_list'
    if (!(bytes instanceof Uint8Array)) {
      throw invalidInput(step, { 'zh-TW': 'CSCA 主清單必須是位元組（DER）', en: 'the CSCA master list must be bytes (DER)' }, bytes)
    }
    if (!isPlainObject(options)) {
      throw invalidInput(step, { 'zh-TW': '主清單選項必須是物件或省略', en: 'the master list options must be an object or left out' }, options)
    }

    const signer = options.signer ?? 'verified'
    if (signer !== 'verified' && signer !== 'unverified') {
      throw invalidInput(step, { 'zh-TW': "signer 必須是 'verified' 或 'unverified'", en: "signer must be 'verified' or 'unverified'" }, options.signer)
    }

    const verifier = options.trust === undefined ? this : options.trust
    let nativeResult
    try {
      nativeResult = native.verifyMasterListSync(TrustStore.nativeOf(verifier), bytes, toNativePolicy(options.policy))
    } catch (error) {
      throw fromNativeError(error, step)
    }

    const verification = verificationFrom(nativeResult)
    const counts = (name: string): boolean => signer === 'verified' || MASTER_LIST_INTEGRITY.includes(name)
    const failed = verification.checks.filter((check) => check.required && !check.ok && counts(check.name))
    if (failed.length > 0 || nativeResult.certificates === undefined || nativeResult.certificates === null) {
      throw new NewEidError('CERTIFICATE_REJECTED', { step, detail: masterListRejection(failed, signer) })
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
      return this.#native.addCertificates(bytesOf(certificate, 'trust.add_csca')).map(certificateFrom)
    } catch (error) {
      throw fromNativeError(error, 'trust.add_csca')
    }
  }

  /**
   * Adds CRLs from DER or PEM. Each CRL must be signed by a CSCA of its
   * issuer name that is already in the store, so add the CSCA first.
   * Otherwise, or when a CRL does not parse, nothing of this call is added
   * and it fails with `CERTIFICATE_REJECTED` or `INVALID_INPUT`.
   */
  addCrl(crl: Uint8Array | string): CrlInfo[] {
    try {
      return this.#native.addCrls(bytesOf(crl, 'trust.add_crl')).map(crlFrom)
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

/** Explains why a master list was rejected, in both languages, with the failed checks. */
function masterListRejection(failed: VerificationCheck[], signer: 'verified' | 'unverified'): { 'zh-TW': string; en: string } {
  if (failed.length === 0) return { 'zh-TW': '主清單沒有憑證清單', en: 'the master list has no certificate list' }
  const list = (language: 'zh-TW' | 'en') => failed.map((check) => `${check.name}: ${check.details[language]}`).join(language === 'en' ? '; ' : '；')
  const untrustedSigner = signer === 'verified' && failed.some((check) => check.name.startsWith('ml_signer.') || check.name.startsWith('csca.'))
  if (!untrustedSigner) return { 'zh-TW': `主清單驗證失敗：${list('zh-TW')}`, en: `the master list does not verify: ${list('en')}` }
  return {
    'zh-TW': `主清單的簽署者無法連結到受信任的 CSCA，未加入任何憑證：${list('zh-TW')}。請以 trust 選項提供簽署者的 CSCA；只有經由可信管道取得的主清單才可改用 signer: 'unverified'`,
    en: `the master list's signer does not chain to a trusted CSCA, so no certificate was added: ${list('en')}. Pass the signer's CSCA in the trust option; use signer: 'unverified' only for a list obtained over a trusted channel`,
  }
}
