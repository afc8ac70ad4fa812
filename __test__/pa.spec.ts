import { X509Certificate } from 'node:crypto'

import test from 'ava'

import { NewEidError, TrustStore, setLanguage, verifyCardSecurity, verifyPassiveAuthentication, verifyPassiveAuthenticationSync } from '../ts/index.js'
import type { Verification } from '../ts/index.js'
import native from '../ts/native.js'
import { DETAIL_TEMPLATES } from '../ts/verify/messages.js'
import { dataGroups, derLength, makePki, opensslSign, opensslSod, pemToDer, read, tlv, type PkiFiles } from './pa-helpers.js'

function storeFor(pki: PkiFiles, options: { crl?: boolean; link?: boolean } = {}): TrustStore {
  const store = new TrustStore()
  store.addCsca(read(pki.cscaCert))
  if (options.link && pki.linkCert) store.addCsca(read(pki.linkCert))
  if (options.crl) store.addCrl(read(pki.crl))
  return store
}

function failures(verification: Verification): string[] {
  return verification.checks.filter((check) => check.required && !check.ok).map((check) => check.name)
}

function check(verification: Verification, name: string) {
  const found = verification.checks.find((entry) => entry.name === name)
  if (!found) throw new Error(`no check ${name} in ${verification.checks.map((entry) => entry.name).join(', ')}`)
  return found
}

const p256 = makePki({ cscaCurve: 'P-256' })
const groups = dataGroups()
const sod = opensslSod(p256, groups)

test('openssl SOD passes async and sync', async (t) => {
  const trust = storeFor(p256, { crl: true })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod }, trust)
  t.true(verification.ok, JSON.stringify(verification.checks, null, 1))
  t.true(check(verification, 'sod.signature').ok)
  t.true(check(verification, 'ds.crl_status').ok)
  t.is(verification.checks.filter((entry) => entry.name.endsWith('.hash')).length, groups.size)
  t.true(verification.signingTime instanceof Date)
  t.regex(verification.signer?.subject ?? '', /TEST ONLY/)
  const sync = verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, trust)
  t.deepEqual(
    sync.checks.map((entry) => [entry.name, entry.ok]),
    verification.checks.map((entry) => [entry.name, entry.ok]),
  )
})

test('base64 record evidence passes', async (t) => {
  const record: Record<string, string> = {}
  for (const [number, bytes] of groups) record[String(number)] = Buffer.from(bytes).toString('base64')
  const verification = await verifyPassiveAuthentication({ dataGroups: record, sod: sod.toString('base64') }, storeFor(p256))
  t.true(verification.ok)
})

test('invalid evidence is INVALID_INPUT', async (t) => {
  const trust = storeFor(p256)
  const notBase64 = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups: { '1': '***' }, sod }, trust))
  t.true(notBase64 instanceof NewEidError)
  t.is((notBase64 as NewEidError).code, 'INVALID_INPUT')
  const badNumber = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups: { '17': new Uint8Array(1) }, sod }, trust))
  t.is((badNumber as NewEidError).code, 'INVALID_INPUT')
})

test('changed DG fails its hash check', async (t) => {
  const changed = new Map(groups)
  const dg7 = Buffer.from(changed.get(7)!)
  dg7[dg7.length - 1] ^= 1
  changed.set(7, dg7)
  const verification = await verifyPassiveAuthentication({ dataGroups: changed, sod }, storeFor(p256))
  t.false(verification.ok)
  t.deepEqual(failures(verification), ['dg7.hash'])
  const dg7Check = check(verification, 'dg7.hash')
  t.is(dg7Check.code, 'hash_mismatch')
  t.regex(dg7Check.details['zh-TW'], /DG7 的 SHA-256 雜湊值/)
  t.regex(dg7Check.details.en, /^DG7 SHA-256 is [0-9A-F]{64}, but/)
})

test('changed SOD signature byte fails the signature', async (t) => {
  const changed = Buffer.from(sod)
  changed[changed.length - 3] ^= 0x10
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: changed }, storeFor(p256))
  t.deepEqual(failures(verification), ['sod.signature'])
  t.is(check(verification, 'sod.signature').code, 'signature_invalid')
})

test('DS from another CSCA is not trusted', async (t) => {
  const other = makePki({ cscaCurve: 'P-256', name: 'OTHER' })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod }, storeFor(other))
  t.deepEqual(failures(verification), ['ds.issuer'])
  t.is(check(verification, 'ds.issuer').code, 'issuer_not_trusted')
})

test('expired DS fails validity', async (t) => {
  const day = 86_400_000
  const pki = makePki({ dsNotBefore: new Date(Date.now() - 800 * day), dsNotAfter: new Date(Date.now() - 400 * day) })
  const expiredSod = opensslSod(pki, groups)
  const trust = storeFor(pki)
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: expiredSod }, trust)
  t.deepEqual(failures(verification), ['ds.validity'])
  t.is(check(verification, 'ds.validity').code, 'expired')
  const then = await verifyPassiveAuthentication({ dataGroups: groups, sod: expiredSod }, trust, {
    validityTime: new Date(Date.now() - 600 * day),
  })
  t.deepEqual(failures(then), ['csca.validity'], 'the CSCA did not exist yet at that time')
})

test('revoked DS fails the CRL check', async (t) => {
  const pki = makePki({ revokeDs: true })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: opensslSod(pki, groups) }, storeFor(pki, { crl: true }))
  t.deepEqual(failures(verification), ['ds.crl_status'])
  t.is(check(verification, 'ds.crl_status').code, 'revoked')
})

test('missing CRL fails only when required', async (t) => {
  const trust = storeFor(p256)
  const lenient = await verifyPassiveAuthentication({ dataGroups: groups, sod }, trust)
  t.true(lenient.ok)
  t.false(check(lenient, 'ds.crl_status').required)
  const strict = await verifyPassiveAuthentication({ dataGroups: groups, sod }, trust, { crl: 'required' })
  t.deepEqual(failures(strict), ['ds.crl_status'])
  t.is(check(strict, 'ds.crl_status').code, 'no_crl')
})

test('RSA-PSS DS with SHA-256 passes', async (t) => {
  const pki = makePki({ cscaCurve: 'rsa' })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: opensslSod(pki, groups, { pss: true }) }, storeFor(pki))
  t.true(verification.ok, JSON.stringify(failures(verification)))
  t.regex(check(verification, 'sod.signature').params.scheme ?? '', /^RSA-PSS with SHA-256/)
})

test('brainpoolP384r1 DS passes', async (t) => {
  const pki = makePki({ cscaCurve: 'brainpoolP384r1' })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: opensslSod(pki, groups, { digest: 'sha384' }) }, storeFor(pki))
  t.true(verification.ok, JSON.stringify(failures(verification)))
  t.is(check(verification, 'sod.signature').params.key, 'EC brainpoolP384r1')
})

test('link certificate chain passes', async (t) => {
  const pki = makePki({ link: true })
  const linkedSod = opensslSod(pki, groups)
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: linkedSod }, storeFor(pki, { link: true, crl: true }))
  t.true(verification.ok, JSON.stringify(failures(verification)))
  t.true(check(verification, 'csca.link_signature').ok)
  const withoutLink = await verifyPassiveAuthentication({ dataGroups: groups, sod: linkedSod }, storeFor(pki))
  t.false(withoutLink.ok)
})

test('explicit-parameter EC DS passes', async (t) => {
  const pki = makePki({ dsCurve: 'brainpoolP256r1', explicitDs: true })
  const spki = Buffer.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x30])
  t.true(pemToDer(pki.dsCert).includes(spki), 'the DS certificate must carry explicit parameters')
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: opensslSod(pki, groups) }, storeFor(pki))
  t.true(verification.ok, JSON.stringify(failures(verification)))
})

test('non-minimal lengths are accepted', async (t) => {
  // 77 84 00 00 LL LL { 30 84 00 00 LL LL ... }
  const contentInfo = sod.subarray(sod[1] === 0x82 ? 4 : 3)
  const inner = contentInfo.subarray(contentInfo[1] === 0x82 ? 4 : 3)
  const long = (tag: number, value: Uint8Array) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(value.length)
    return Buffer.concat([Buffer.from([tag, 0x84]), length, value])
  }
  const reencoded = long(0x77, long(0x30, inner))
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: reencoded }, storeFor(p256))
  t.true(verification.ok, JSON.stringify(failures(verification)))
})

test('indefinite length is rejected', async (t) => {
  const streamed = opensslSod(p256, groups, { stream: true })
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: streamed }, storeFor(p256))
  t.deepEqual(failures(verification), ['sod.format'])
  t.is(check(verification, 'sod.format').params.error, 'ContentInfo: indefinite length is not allowed')
})

test('trailing bytes are rejected', async (t) => {
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: Buffer.concat([sod, Buffer.from([0])]) }, storeFor(p256))
  t.deepEqual(failures(verification), ['sod.format'])
  t.is(check(verification, 'sod.format').params.error, 'EF.SOD: 1 bytes follow the structure')
})

test('DG read but not in SOD fails', async (t) => {
  const extra = new Map(groups)
  extra.set(13, Buffer.from([0x6d, 0x03, 0x80, 0x01, 0x46]))
  const verification = await verifyPassiveAuthentication({ dataGroups: extra, sod }, storeFor(p256))
  t.deepEqual(failures(verification), ['dg13.not_in_sod'])
  const lenient = await verifyPassiveAuthentication({ dataGroups: extra, sod }, storeFor(p256), { acceptDataGroupsNotInSod: true })
  t.true(lenient.ok)
})

test('DG in SOD but not read is listed', async (t) => {
  const partial = new Map(groups)
  partial.delete(9)
  const verification = await verifyPassiveAuthentication({ dataGroups: partial, sod }, storeFor(p256))
  t.true(verification.ok)
  const notRead = check(verification, 'dg9.not_read')
  t.false(notRead.ok)
  t.false(notRead.required)
  const strict = await verifyPassiveAuthentication({ dataGroups: partial, sod }, storeFor(p256), { acceptUnreadDataGroups: false })
  t.deepEqual(failures(strict), ['dg9.not_read'])
})

test('EF.CardSecurity passes and returns security infos', async (t) => {
  // SET { SEQUENCE { id-PACE-ECDH-GM-AES-CBC-CMAC-128, INTEGER 2, INTEGER 13 } }
  const infos = Buffer.from('31143012060a04007f00070202040202020102020 10d'.replace(/ /g, ''), 'hex')
  const cardSecurity = opensslSign(p256, infos, { contentType: '0.4.0.127.0.7.3.2.1' })
  const verification = await verifyCardSecurity(cardSecurity, storeFor(p256))
  t.true(verification.ok, JSON.stringify(failures(verification)))
  t.deepEqual(Buffer.from(verification.securityInfos!), infos)
  const asSod = await verifyPassiveAuthentication({ dataGroups: groups, sod: wrapAsSod(cardSecurity) }, storeFor(p256))
  t.true(failures(asSod).includes('sod.content_type'))
})

function wrapAsSod(contentInfo: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x77]), derLength(contentInfo.length), contentInfo])
}

test('trust store rejects a DS as CSCA', (t) => {
  const store = new TrustStore()
  const error = t.throws(() => store.addCsca(read(p256.dsCert)))
  t.is((error as NewEidError).code, 'CERTIFICATE_REJECTED')
  const garbage = t.throws(() => store.addCsca(Buffer.from('not a certificate')))
  t.is((garbage as NewEidError).code, 'INVALID_INPUT')
  t.is(store.certificates.length, 0)
})

test('repeated verification uses the DS cache', (t) => {
  const trust = storeFor(p256)
  t.is(trust.cachedSigners, 0)
  verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, trust)
  verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, trust)
  t.is(trust.cachedSigners, 1)
  trust.addCrl(read(p256.crl))
  t.is(trust.cachedSigners, 0)
})

test('committed test PKI loads from its folder', async (t) => {
  const store = await TrustStore.fromDirectory('test-pki')
  t.is(store.certificates.length, 1)
  t.is(store.certificates[0]?.role, 'anchor')
  t.is(store.crls.length, 1)
  t.deepEqual(store.skipped.map((entry) => entry.kind).sort(), ['not_ca', 'private_key', 'private_key'])
  const committed = { cscaKey: '', cscaCert: 'test-pki/csca-TEST.cert.pem', dsKey: 'test-pki/ds-TEST.key.pem', dsCert: 'test-pki/ds-TEST.cert.pem', crl: '' }
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: opensslSod(committed, groups) }, store, { crl: 'required' })
  t.true(verification.ok, JSON.stringify(failures(verification)))
})

test('test PKI DS validity lies within the CSCA', (t) => {
  for (const [label, pki] of [
    ['committed', { cscaCert: 'test-pki/csca-TEST.cert.pem', dsCert: 'test-pki/ds-TEST.cert.pem' }],
    ['generated', p256],
  ] as const) {
    const csca = new X509Certificate(read(pki.cscaCert))
    const ds = new X509Certificate(read(pki.dsCert))
    t.true(Date.parse(ds.validFrom) >= Date.parse(csca.validFrom), `${label}: DS ${ds.validFrom}, CSCA ${csca.validFrom}`)
    t.true(Date.parse(ds.validTo) <= Date.parse(csca.validTo), `${label}: DS ${ds.validTo}, CSCA ${csca.validTo}`)
  }
})

test('master list loads with its signer checked', (t) => {
  const other = makePki({ cscaCurve: 'brainpoolP256r1', name: 'OTHER' })
  const list = tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x00]), tlv(0x31, Buffer.concat([pemToDer(p256.cscaCert), pemToDer(other.cscaCert)]))]))
  const signed = opensslSign(p256, list, { contentType: '2.23.136.1.1.2' })

  const trusted = TrustStore.fromMasterList(signed, { trust: storeFor(p256) })
  t.is(trusted.certificates.length, 2)
  t.true(trusted.masterLists[0]?.verification.ok)
  t.true(check(trusted.masterLists[0]!.verification, 'master_list.digest_algorithms').ok)

  const rejected = t.throws(() => TrustStore.fromMasterList(signed))
  t.is((rejected as NewEidError).code, 'CERTIFICATE_REJECTED')
  t.regex((rejected as NewEidError).messageIn('en'), /ml_signer\.issuer/)

  const unverified = TrustStore.fromMasterList(signed, { signer: 'unverified' })
  t.is(unverified.certificates.length, 2)
  const verification = unverified.masterLists[0]!.verification
  t.false(verification.ok)
  t.deepEqual(failures(verification), ['ml_signer.issuer'])

  const tampered = Buffer.from(signed)
  tampered[tampered.length - 2] ^= 1
  const error = t.throws(() => TrustStore.fromMasterList(tampered, { signer: 'unverified' }))
  t.is((error as NewEidError).code, 'CERTIFICATE_REJECTED')
})

test('digestAlgorithms must list the signer digest', async (t) => {
  // The first SHA-256 OID of an openssl SOD is in SignedData.digestAlgorithms,
  // which no signature covers: make it SHA-384.
  const sha256 = Buffer.from('0609608648016503040201', 'hex')
  const changed = Buffer.from(sod)
  changed[changed.indexOf(sha256) + sha256.length - 1] = 0x02
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: changed }, storeFor(p256))
  t.false(verification.ok)
  t.deepEqual(failures(verification), ['sod.digest_algorithms'])
  const listed = check(verification, 'sod.digest_algorithms')
  t.is(listed.code, 'digest_algorithm_not_listed')
  t.is(listed.params.listed, '2.16.840.1.101.3.4.2.2')
  t.regex(listed.details['zh-TW'], /digestAlgorithms 只列出 2\.16\.840\.1\.101\.3\.4\.2\.2/)
})

test('mistyped policy is INVALID_INPUT', async (t) => {
  const trust = storeFor(p256)
  const cases: [string, unknown][] = [
    ['validityTime number', { validityTime: 12345 }],
    ['validityTime word', { validityTime: 'yesterday' }],
    ['validityTime invalid Date', { validityTime: new Date('not a date') }],
    ['allowedDigests string', { allowedDigests: 'SHA-256' }],
    ['allowedDigests empty', { allowedDigests: [] }],
    ['allowedDigests unknown', { allowedDigests: ['SHA-256', 'MD5'] }],
    ['acceptUnreadDataGroups string', { acceptUnreadDataGroups: 'no' }],
    ['acceptDataGroupsNotInSod number', { acceptDataGroupsNotInSod: 0 }],
    ['crl unknown', { crl: 'sometimes' }],
    ['unknown field', { crlPolicy: 'required' }],
    ['null policy', null],
    ['string policy', 'strict'],
  ]
  for (const [label, policy] of cases) {
    const error = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups: groups, sod }, trust, policy as never), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT', label)
    t.is(error?.step, 'verify.policy', label)
    t.regex(error?.messageIn('en') ?? '', /policy/, label)
    t.notRegex(error?.messageIn('en') ?? '', /Some\(|None/, label)
    t.regex(error?.messageIn('zh-TW') ?? '', /[\u4e00-\u9fff]/, label)
  }
  const sync = t.throws(() => verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, trust, { validityTime: 12345 } as never), { instanceOf: NewEidError })
  t.is(sync?.code, 'INVALID_INPUT')
  const named = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups: groups, sod }, trust, { validityTime: 'yesterday' } as never), { instanceOf: NewEidError })
  t.regex(named?.messageIn('en') ?? '', /policy\.validityTime must be 'now', 'signing-time' or a Date, not the string "yesterday"/)
  const valid = await verifyPassiveAuthentication({ dataGroups: groups, sod }, trust, { allowedDigests: ['sha256'], acceptUnreadDataGroups: false, validityTime: 'now' })
  t.true(valid.ok, JSON.stringify(failures(valid)))
})

test('trust that is not a TrustStore is INVALID_INPUT', async (t) => {
  for (const trust of [null, undefined, {}, 'test-pki']) {
    const error = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups: groups, sod }, trust as never), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT', String(trust))
    t.regex(error?.messageIn('en') ?? '', /trust must be a TrustStore/)
    const sync = t.throws(() => verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, trust as never), { instanceOf: NewEidError })
    t.is(sync?.code, 'INVALID_INPUT')
    const cardSecurity = await t.throwsAsync(verifyCardSecurity(sod, trust as never), { instanceOf: NewEidError })
    t.is(cardSecurity?.code, 'INVALID_INPUT')
  }
})

test('every native reason has zh-TW and English text', (t) => {
  for (const code of native.paDetailCodes()) {
    t.truthy(DETAIL_TEMPLATES[code], `no template for ${code}`)
  }
})

test('detail follows the chosen language', (t) => {
  const verification = verifyPassiveAuthenticationSync({ dataGroups: groups, sod }, storeFor(p256))
  const signature = check(verification, 'sod.signature')
  setLanguage('en')
  t.regex(signature.detail, /signature verifies/)
  setLanguage('zh-TW')
  t.regex(signature.detail, /驗證成功/)
})
