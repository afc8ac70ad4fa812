// The trust store's inputs: master lists, CRLs and trust folders.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { NewEidError, TrustStore, verifyPassiveAuthentication } from '../ts/index.js'
import { dataGroups, makePki, opensslSign, opensslSod, pemToDer, read, tlv, type PkiFiles } from './pa-helpers.js'

const MASTER_LIST = '2.23.136.1.1.2'

const trusted = makePki({ cscaCurve: 'P-256' })
// Another PKI under exactly the same names: only the keys differ.
const impostor = makePki({ cscaCurve: 'P-256' })
const groups = dataGroups()

function storeOf(pki: PkiFiles): TrustStore {
  const store = new TrustStore()
  store.addCsca(read(pki.cscaCert))
  return store
}

/** Signs a CSCA master list of the given PKIs' CSCAs with the DS of `signer`. */
function masterList(signer: PkiFiles, certificates: PkiFiles[]): Buffer {
  const set = tlv(0x31, Buffer.concat(certificates.map((pki) => pemToDer(pki.cscaCert))))
  const list = tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x00]), set]))
  return opensslSign(signer, list, { contentType: MASTER_LIST })
}

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'neweid-trust-'))
}

test('master list by an untrusted signer adds nothing', async (t) => {
  const forgedList = masterList(impostor, [impostor])
  const store = storeOf(trusted)
  const error = t.throws(() => store.addMasterList(forgedList), { instanceOf: NewEidError })
  t.is(error?.code, 'CERTIFICATE_REJECTED')
  t.regex(error?.messageIn('en') ?? '', /does not chain to a trusted CSCA/)
  t.regex(error?.messageIn('en') ?? '', /ml_signer\.certificate_signature|ml_signer\.issuer/)
  t.regex(error?.messageIn('zh-TW') ?? '', /主清單的簽署者無法連結到受信任的 CSCA/)
  t.is(store.certificates.length, 1)
  t.is(store.masterLists.length, 0)

  // A SOD signed under the impostor's CSCA still fails against the store.
  const forgedSod = opensslSod(impostor, groups)
  const verification = await verifyPassiveAuthentication({ dataGroups: groups, sod: forgedSod }, store)
  t.false(verification.ok)

  const withTrust = t.throws(() => TrustStore.fromMasterList(forgedList, { trust: storeOf(trusted) }), { instanceOf: NewEidError })
  t.is(withTrust?.code, 'CERTIFICATE_REJECTED')
  const withoutTrust = t.throws(() => TrustStore.fromMasterList(forgedList), { instanceOf: NewEidError })
  t.is(withoutTrust?.code, 'CERTIFICATE_REJECTED')
})

test('master list by a trusted signer adds its CSCAs', (t) => {
  const other = makePki({ cscaCurve: 'brainpoolP256r1', name: 'OTHER' })
  const list = masterList(trusted, [trusted, other])
  const store = TrustStore.fromMasterList(list, { trust: storeOf(trusted) })
  t.is(store.certificates.length, 2)
  t.true(store.masterLists[0]?.verification.ok)
  t.is(store.masterLists[0]?.added.length, 2)

  // The default verifier is the store itself, before the list is added.
  const grown = storeOf(trusted)
  grown.addMasterList(list)
  t.is(grown.certificates.length, 2)
})

test('unverified signer is an explicit opt-in', (t) => {
  const list = masterList(impostor, [impostor])
  const store = TrustStore.fromMasterList(list, { signer: 'unverified' })
  t.is(store.certificates.length, 1)
  const verification = store.masterLists[0]!.verification
  t.false(verification.ok)
  t.true(verification.checks.some((check) => check.name.startsWith('ml_signer.') && check.required && !check.ok))

  // A broken signature is rejected even then.
  const tampered = Buffer.from(list)
  tampered[tampered.length - 2] ^= 1
  const error = t.throws(() => TrustStore.fromMasterList(tampered, { signer: 'unverified' }), { instanceOf: NewEidError })
  t.is(error?.code, 'CERTIFICATE_REJECTED')
  t.regex(error?.messageIn('en') ?? '', /master_list\.signature/)
})

test('master list options are checked', (t) => {
  const list = masterList(trusted, [trusted])
  for (const options of [{ signer: 'yes' }, { trust: {} }, { trust: null }, { policy: { crl: 'sometimes' } }, null, 'verified']) {
    const error = t.throws(() => TrustStore.fromMasterList(list, options as never), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT', JSON.stringify(options))
  }
})

test('foreign CRL under the CSCA name is rejected', (t) => {
  const store = storeOf(trusted)
  const error = t.throws(() => store.addCrl(read(impostor.crl)), { instanceOf: NewEidError })
  t.is(error?.code, 'CERTIFICATE_REJECTED')
  t.regex(error?.messageIn('en') ?? '', /does not verify with the key of any CSCA/)
  t.is(store.crls.length, 0)

  // Nothing of a PEM input is added when one of its CRLs is foreign.
  const both = Buffer.concat([read(trusted.crl), read(impostor.crl)])
  t.throws(() => store.addCrl(both), { instanceOf: NewEidError })
  t.is(store.crls.length, 0)

  t.is(store.addCrl(read(trusted.crl)).length, 1)
  t.is(store.crls.length, 1)
})

test('CRL before its CSCA is rejected', (t) => {
  const store = new TrustStore()
  const error = t.throws(() => store.addCrl(read(trusted.crl)), { instanceOf: NewEidError })
  t.is(error?.code, 'CERTIFICATE_REJECTED')
  t.regex(error?.messageIn('en') ?? '', /add the CSCA first/)
  t.is(store.crls.length, 0)
})

test('folder loads CSCAs before CRLs', async (t) => {
  const folder = temporaryFolder()
  // The CRL sorts before the certificate, and a foreign CRL sits beside them.
  copyFileSync(trusted.crl, join(folder, 'a.crl.pem'))
  copyFileSync(trusted.cscaCert, join(folder, 'b.cert.pem'))
  copyFileSync(impostor.crl, join(folder, 'c.crl.pem'))
  const store = await TrustStore.fromDirectory(folder)
  t.is(store.certificates.length, 1)
  t.is(store.crls.length, 1)
  t.deepEqual(
    store.skipped.map((entry) => [entry.file, entry.kind]),
    [[join(folder, 'c.crl.pem'), 'rejected']],
  )
})

test('folder skips entries it cannot read', async (t) => {
  const folder = temporaryFolder()
  copyFileSync(trusted.cscaCert, join(folder, 'csca.pem'))
  // A DER CRL: tried as a certificate first, then loaded as a CRL.
  writeFileSync(join(folder, 'csca.crl'), pemToDer(trusted.crl))
  symlinkSync(join(folder, 'missing.pem'), join(folder, 'dangling.pem'))
  mkdirSync(join(folder, 'folder.pem'))
  writeFileSync(join(folder, 'empty.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')
  writeFileSync(join(folder, 'garbage.der'), 'not DER at all')
  copyFileSync(trusted.dsCert, join(folder, 'ds.cer'))
  copyFileSync(trusted.dsKey, join(folder, 'ds.key.pem'))

  const store = await TrustStore.fromDirectory(folder)
  t.is(store.certificates.length, 1)
  t.is(store.crls.length, 1, JSON.stringify(store.skipped))
  const kinds = Object.fromEntries(store.skipped.map((entry) => [entry.file.slice(folder.length + 1), entry.kind]))
  t.deepEqual(kinds, {
    'dangling.pem': 'unreadable',
    'folder.pem': 'not_file',
    'empty.pem': 'invalid',
    'garbage.der': 'invalid',
    'ds.cer': 'not_ca',
    'ds.key.pem': 'private_key',
  })
  const dangling = store.skipped.find((entry) => entry.file.endsWith('dangling.pem'))
  t.regex(dangling?.reason ?? '', /ENOENT/)
})

test('folder path must be a string', async (t) => {
  const error = await t.throwsAsync(TrustStore.fromDirectory(42 as never), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
  const missing = await t.throwsAsync(TrustStore.fromDirectory(join(temporaryFolder(), 'absent')), { instanceOf: NewEidError })
  t.is(missing?.code, 'INVALID_INPUT')
})

test('certificate input must be bytes or text', (t) => {
  const store = new TrustStore()
  for (const input of [null, 42, { pem: 'x' }]) {
    t.is(t.throws(() => store.addCsca(input as never), { instanceOf: NewEidError })?.code, 'INVALID_INPUT')
    t.is(t.throws(() => store.addCrl(input as never), { instanceOf: NewEidError })?.code, 'INVALID_INPUT')
  }
})
