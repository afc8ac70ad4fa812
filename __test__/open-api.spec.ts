// The Open API against virtual cards in this process: no pcscd needed, so
// these run on every machine. Each test uses its own reader name.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

import test from 'ava'

import {
  GetEIDHouseHoldData,
  GetEIDLabel,
  GetEIDPublicData,
  getEIDHouseholdData,
  getEIDLabel,
  getEIDPublicData,
  ListCardTerminal,
  ListEID,
  listCardTerminals,
  listEIDs,
  NewEidError,
  TrustStore,
  verifyPassiveAuthentication,
  VirtualCard,
} from '../ts/index.js'

const run = promisify(execFile)
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname
const TEST_PKI = new URL('../test-pki', import.meta.url).pathname

function insert(t: { teardown(fn: () => void): void }, reader: string, persona = 'lin-mei-ling', options = {}): VirtualCard {
  const card = VirtualCard.insert({ persona, reader, ...options })
  t.teardown(() => card.stop())
  return card
}

test('deck names are the camelCase functions', (t) => {
  t.is(ListCardTerminal, listCardTerminals)
  t.is(ListEID, listEIDs)
  t.is(GetEIDLabel, getEIDLabel)
  t.is(GetEIDHouseHoldData, getEIDHouseholdData)
  t.is(GetEIDPublicData, getEIDPublicData)
})

test('in-process reader is listed with its card', async (t) => {
  const card = insert(t, 'open-api listing')
  const terminal = (await listCardTerminals()).find((candidate) => candidate.name === 'open-api listing')
  t.truthy(terminal)
  t.true(terminal?.cardPresent)
  t.true(terminal?.inProcess)
  card.remove()
  const emptied = (await listCardTerminals()).find((candidate) => candidate.name === 'open-api listing')
  t.false(emptied?.cardPresent)
  const error = await t.throwsAsync(getEIDLabel({ reader: 'open-api listing' }), { instanceOf: NewEidError })
  t.is(error?.code, 'NO_CARD')
  card.reinsert()
  t.is((await getEIDLabel({ reader: 'open-api listing' })).label, 'TW New eID')
})

test('lin-mei-ling decodes exactly', async (t) => {
  insert(t, 'open-api lin')
  const household = await getEIDHouseholdData({ reader: 'open-api lin' })
  t.is(`${household.county.text}${household.township.text}${household.village.text}`, '臺北市中正區光復里')
  const data = await getEIDPublicData('123456', { reader: 'open-api lin' })
  t.is(data.name.text, '林美玲')
  t.deepEqual(data.name.codes, ['1-4E2F', '1-5321', '1-5245'])
  t.deepEqual(data.name.privateUse, [])
  t.deepEqual(data.name.unmapped, [])
  t.is(data.romanizedName, 'LIN, MEI-LING')
  t.false(data.hasSpouse)
  t.is(data.cardNumber, '000000123456')
  t.is(data.cardMadeDate.iso, '2026-01-05')
  t.deepEqual(data.renewByDate.roc, { year: 125, month: 1, day: 5, beforeRoc: false })
  t.is(data.address.codes[9], null, 'ASCII digits carry no CNS code')
})

test('chen-zhi-kun needs CNS plane 3 and Extension B', async (t) => {
  insert(t, 'open-api chen', 'chen-zhi-kun')
  const data = await getEIDPublicData('654321', { reader: 'open-api chen' })
  t.is(data.name.text, '陳志堃')
  t.is(data.name.codes[2], '3-3476')
  t.true(data.hasSpouse)
  t.is(data.militaryService.text, '常備役')
  t.is(data.address.text, '新竹縣竹北市中正里7鄰𠀋測試街88號')
  const extensionB = [...data.address.text].indexOf('𠀋')
  t.is(data.address.codes[extensionB], '3-2144')
  t.is(data.romanizedName, 'CHEN, CHIH-KUN')
})

test('huang-pua reports its private-use character', async (t) => {
  insert(t, 'open-api huang', 'huang-pua')
  const data = await getEIDPublicData('112233', { reader: 'open-api huang' })
  t.is(data.name.text, `黃${String.fromCodePoint(0xfffee)}芬`)
  t.deepEqual(data.name.privateUse, [{ index: 1, code: '15-2273', codePoint: 0xfffee }])
  t.deepEqual(data.name.unmapped, [])
  t.is(data.romanizedName, undefined)
  t.is(data.birthDate.iso, '2000-02-29')
  t.true(data.address.text.includes('𡘙'))
  t.deepEqual(data.address.privateUse, [])
})

test('public read passes Passive Authentication and a changed DG fails it', async (t) => {
  insert(t, 'open-api pa')
  const data = await getEIDPublicData('123456', { reader: 'open-api pa' })
  const trust = await TrustStore.fromDirectory(TEST_PKI)
  t.true((await verifyPassiveAuthentication(data.evidence, trust)).ok)

  const dataGroups = new Map(data.evidence.dataGroups)
  const dg7 = new Uint8Array(dataGroups.get(7) ?? [])
  dg7[dg7.length - 1] ^= 0x01
  dataGroups.set(7, dg7)
  const tampered = await verifyPassiveAuthentication({ ...data.evidence, dataGroups }, trust)
  t.false(tampered.ok)
  t.deepEqual(
    tampered.checks.filter((check) => !check.ok).map((check) => check.name),
    ['dg7.hash'],
  )
})

test('several in-process cards need a reader name', async (t) => {
  insert(t, 'open-api several A')
  insert(t, 'open-api several B', 'chen-zhi-kun')
  const cards = await listEIDs()
  t.true(cards.some((card) => card.reader === 'open-api several A'))
  t.true(cards.some((card) => card.reader === 'open-api several B'))
  const error = await t.throwsAsync(getEIDHouseholdData(), { instanceOf: NewEidError })
  t.is(error?.code, 'SEVERAL_CARDS')
})

test('wrong CAN fails without data or the CAN in the error', async (t) => {
  insert(t, 'open-api wrong')
  const error = await t.throwsAsync(getEIDPublicData('864209', { reader: 'open-api wrong' }), { instanceOf: NewEidError })
  t.is(error?.code, 'WRONG_CAN')
  t.is(error?.sw, 0x6300)
  t.false(`${error?.stack} ${JSON.stringify(error)}`.includes('864209'))
})

test('malformed CAN is rejected before the card is touched', async (t) => {
  insert(t, 'open-api malformed')
  for (const can of ['12345', '1234567', '12a456', '']) {
    const error = await t.throwsAsync(getEIDPublicData(can, { reader: 'open-api malformed' }), { instanceOf: NewEidError })
    t.is(error?.code, 'INVALID_INPUT')
    t.is(error?.step, 'check.can')
    if (can !== '') t.false(error?.message.includes(can))
  }
})

test('CAN as bytes is accepted and left to the caller', async (t) => {
  insert(t, 'open-api bytes')
  const can = new TextEncoder().encode('123456')
  const data = await getEIDPublicData(can, { reader: 'open-api bytes' })
  t.is(data.name.text, '林美玲')
  t.deepEqual([...can], [...new TextEncoder().encode('123456')])
})

test('an aborted signal stops the read', async (t) => {
  insert(t, 'open-api abort')
  const before = await t.throwsAsync(getEIDPublicData('123456', { reader: 'open-api abort', signal: AbortSignal.abort() }), {
    instanceOf: NewEidError,
  })
  t.is(before?.code, 'ABORTED')

  const controller = new AbortController()
  const pending = getEIDPublicData('123456', { reader: 'open-api abort', signal: controller.signal })
  controller.abort()
  const during = await t.throwsAsync(pending, { instanceOf: NewEidError })
  t.is(during?.code, 'ABORTED')
})

test('unknown reader fails with READER_NOT_FOUND', async (t) => {
  const error = await t.throwsAsync(getEIDLabel({ reader: 'open-api no such reader' }), { instanceOf: NewEidError })
  t.is(error?.code, 'READER_NOT_FOUND')
  t.is(error?.reader, 'open-api no such reader')
})

test('unknown persona fails with INVALID_INPUT', (t) => {
  const error = t.throws(() => VirtualCard.insert({ persona: 'nobody', reader: 'open-api nobody' }), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
  t.true(error?.messageIn('en').includes('lin-mei-ling'))
})

test('demo reads every Open API area', async (t) => {
  const { stdout } = await run(process.execPath, [CLI, 'demo'])
  for (const heading of ['ListCardTerminal', 'ListEID', 'GetEIDLabel', 'GetEIDHouseHoldData', 'GetEIDPublicData', '被動認證']) {
    t.true(stdout.includes(heading), heading)
  }
  t.true(stdout.includes('姓名：林美玲'))

  const english = await run(process.execPath, [CLI, 'demo', '--lang', 'en', '--persona', 'huang-pua'])
  t.true(english.stdout.includes('private-use U+FFFEE'))

  const json = JSON.parse((await run(process.execPath, [CLI, '--json', 'demo'])).stdout)
  t.is(json.public.idNumber, 'A200000012')
  t.is(typeof json.public.evidence.sod, 'string')
  t.true(json.passiveAuthentication.ok)
})
