// Passive Authentication and the fields of a read: empty or mistyped data
// groups, and fields decoded from the verified bytes only.
import test from 'ava'

import { NewEidError, TrustStore, VirtualCard, decodePublicEvidence, getEIDPublicData, verifyPassiveAuthentication, verifyPublicRead } from '../ts/index.js'
import type { Verification } from '../ts/index.js'
import { TEST_HOLDER, makePki, opensslSod, profileDataGroups, read } from './pa-helpers.js'

const TEST_PKI = new URL('../test-pki', import.meta.url).pathname

const pki = makePki({ cscaCurve: 'P-256' })
const groups = profileDataGroups()
const sod = opensslSod(pki, groups)

function trust(): TrustStore {
  const store = new TrustStore()
  store.addCsca(read(pki.cscaCert))
  return store
}

function failures(verification: Verification): string[] {
  return verification.checks.filter((check) => check.required && !check.ok).map((check) => check.name)
}

test('empty data groups fail dg.none_read', async (t) => {
  for (const [label, dataGroups] of [
    ['empty object', {}],
    ['empty Map', new Map<number, Uint8Array>()],
  ] as const) {
    const verification = await verifyPassiveAuthentication({ dataGroups, sod }, trust())
    t.false(verification.ok, label)
    t.deepEqual(failures(verification), ['dg.none_read'], label)
    const check = verification.checks.find((entry) => entry.name === 'dg.none_read')
    t.is(check?.code, 'no_data_group_read', label)
    t.regex(check?.details['zh-TW'] ?? '', /未讀取安全物件所列的任何資料群組/, label)
  }
})

test('mistyped data groups are INVALID_INPUT', async (t) => {
  for (const dataGroups of [[], 5, 'AAAA', null, undefined, new Uint8Array(4)]) {
    const error = await t.throwsAsync(verifyPassiveAuthentication({ dataGroups, sod } as never, trust()), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT', String(dataGroups))
    t.regex(error?.messageIn('en') ?? '', /evidence\.dataGroups must be a Map or an object/)
    t.regex(error?.messageIn('zh-TW') ?? '', /evidence\.dataGroups 必須是/)
  }
  for (const evidence of [null, 7, [], 'evidence']) {
    const error = await t.throwsAsync(verifyPassiveAuthentication(evidence as never, trust()), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT')
  }
})

test('decodePublicEvidence reads the data group bytes', (t) => {
  const data = decodePublicEvidence({ dataGroups: groups, sod })
  t.is(data.name.text, TEST_HOLDER.name)
  t.is(data.romanizedName, TEST_HOLDER.romanizedName)
  t.is(data.idNumber, TEST_HOLDER.idNumber)
  t.deepEqual(data.birthDate, { iso: '1990-03-15', roc: { year: 79, month: 3, day: 15, beforeRoc: false } })
  t.false(data.hasSpouse)
  t.is(data.cardNumber, TEST_HOLDER.cardNumber)
  t.is(data.cardMadeDate.iso, '2026-01-05')
  t.deepEqual(data.renewByDate.roc, { year: 125, month: 1, day: 5, beforeRoc: false })
  t.is(data.address.text, TEST_HOLDER.address)
  t.is(data.militaryService.text, TEST_HOLDER.militaryService)
  t.is(data.photo.mediaType, 'image/jpeg')
  t.is(data.photo.bytes.length, 206)
  t.is(data.activeAuthenticationKey[0], 0x30)
  t.is(data.household?.county.text, TEST_HOLDER.county)
  t.is(data.household?.village.text, TEST_HOLDER.village)
  t.is(data.household?.neighbourhood, TEST_HOLDER.neighbourhood)
})

test('decodePublicEvidence rejects missing or bad groups', (t) => {
  const withoutDg3 = new Map(groups)
  withoutDg3.delete(3)
  const missing = t.throws(() => decodePublicEvidence({ dataGroups: withoutDg3, sod }), { instanceOf: NewEidError })
  t.is(missing?.code, 'INVALID_INPUT')
  t.regex(missing?.messageIn('en') ?? '', /DG3/)

  const badCheckDigit = profileDataGroups({ ...TEST_HOLDER, idNumber: 'A123456788' })
  const invalid = t.throws(() => decodePublicEvidence({ dataGroups: badCheckDigit, sod }), { instanceOf: NewEidError })
  t.is(invalid?.code, 'INVALID_INPUT')
  t.regex(invalid?.messageIn('en') ?? '', /check digit/)
})

test('verifyPublicRead returns fields only when verified', async (t) => {
  const passed = await verifyPublicRead({ evidence: { dataGroups: groups, sod } }, trust())
  t.true(passed.verification.ok, JSON.stringify(failures(passed.verification)))
  t.is(passed.data?.name.text, TEST_HOLDER.name)
  t.is(passed.data?.idNumber, TEST_HOLDER.idNumber)

  // The evidence alone is accepted too.
  const bare = await verifyPublicRead({ dataGroups: groups, sod }, trust())
  t.is(bare.data?.idNumber, TEST_HOLDER.idNumber)

  // Another holder's DG3 under the same SOD fails, and no field is returned.
  const forged = new Map(groups)
  forged.set(3, profileDataGroups({ ...TEST_HOLDER, idNumber: 'F131104093' }).get(3)!)
  const failed = await verifyPublicRead({ evidence: { dataGroups: forged, sod } }, trust())
  t.false(failed.verification.ok)
  t.deepEqual(failures(failed.verification), ['dg3.hash'])
  t.is(failed.data, undefined)

  const empty = await verifyPublicRead({ evidence: { dataGroups: {}, sod } }, trust())
  t.false(empty.verification.ok)
  t.is(empty.data, undefined)
})

test('verifyPublicRead ignores client-decoded fields', async (t) => {
  // A saved read whose decoded fields were edited but whose evidence was not.
  const edited = { name: { text: '假名字' }, idNumber: 'B987654321', evidence: { dataGroups: groups, sod } }
  const { verification, data } = await verifyPublicRead(edited, trust())
  t.true(verification.ok)
  t.is(data?.name.text, TEST_HOLDER.name)
  t.is(data?.idNumber, TEST_HOLDER.idNumber)
})

test('verifyPublicRead verifies the bytes it decodes', async (t) => {
  const dg3 = Buffer.from(groups.get(3)!)
  const mutable = new Map(groups)
  mutable.set(3, dg3)
  const pending = verifyPublicRead({ dataGroups: mutable, sod }, trust())
  // Changing the caller's buffer after the call changes neither the verdict nor the fields.
  dg3.write('F131104093', dg3.length - 10, 'latin1')
  const { verification, data } = await pending
  t.true(verification.ok)
  t.is(data?.idNumber, TEST_HOLDER.idNumber)
})

test('verifyPublicRead rejects a verified but undecodable read', async (t) => {
  const unusual = new Map(groups)
  unusual.set(5, Buffer.from([0x65, 0x03, 0x80, 0x01, 0x07]))
  const signed = opensslSod(pki, unusual)
  const error = await t.throwsAsync(verifyPublicRead({ dataGroups: unusual, sod: signed }, trust()), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
  t.is(error?.step, 'verify.decode_fields')
  t.regex(error?.messageIn('en') ?? '', /DG5/)
})

test('virtual card read verifies to the same fields', async (t) => {
  const reader = 'pa-evidence virtual card'
  const card = VirtualCard.insert({ persona: 'lin-mei-ling', reader })
  t.teardown(() => card.stop())
  const publicData = await getEIDPublicData(card.can, { reader })
  const store = await TrustStore.fromDirectory(TEST_PKI)
  const { verification, data } = await verifyPublicRead(publicData, store, { crl: 'required' })
  t.true(verification.ok, JSON.stringify(failures(verification)))
  t.is(data?.name.text, '林美玲')
  t.deepEqual(data?.name.codes, publicData.name.codes)
  t.is(data?.idNumber, publicData.idNumber)
  t.deepEqual(data?.birthDate, publicData.birthDate)
  t.deepEqual(data?.renewByDate, publicData.renewByDate)
  t.is(data?.address.text, publicData.address.text)
  t.is(data?.militaryService.text, publicData.militaryService.text)
  t.deepEqual(data?.photo.bytes, publicData.photo.bytes)
  t.deepEqual(data?.activeAuthenticationKey, publicData.activeAuthenticationKey)
  t.is(`${data?.household?.county.text}${data?.household?.township.text}${data?.household?.village.text}`, '臺北市中正區光復里')
})
