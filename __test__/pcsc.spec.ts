// The Open API through the real PC/SC stack: pcscd with vsmartcard's vpcd,
// and the virtual card connected to it. Tests run one after another because
// they share the two vpcd readers.
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

import test from 'ava'

import {
  getEIDHouseholdData,
  getEIDLabel,
  getEIDPublicData,
  isNewEidError,
  listCardTerminals,
  listEIDs,
  NewEidError,
  TrustStore,
  verifyPassiveAuthentication,
  VirtualCard,
} from '../ts/index.js'
import { pcscUnavailableReason, skipOrFail, VPCD_READERS, waitForReader } from './helpers/pcsc.js'

const run = promisify(execFile)
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname
const [SLOT0, SLOT1] = VPCD_READERS

let unavailable: string | undefined
/** The card this file put in slot 0 when nothing else (the CI's neweid-sim) did. */
let ownSlot0: VirtualCard | undefined

test.before(async () => {
  unavailable = await pcscUnavailableReason()
  if (unavailable !== undefined) return
  const slot0 = (await listCardTerminals()).find((terminal) => terminal.name === SLOT0)
  if (!slot0?.cardPresent) {
    if (process.env.CI === 'true') {
      unavailable = `no card in ${SLOT0}: .ci/run starts neweid-sim there`
      return
    }
    ownSlot0 = VirtualCard.connectToVpcd({ persona: 'lin-mei-ling', port: 35963 })
    await waitForReader(SLOT0, true)
  }
})

test.after.always(() => {
  ownSlot0?.stop()
})

/** Runs the CLI with the given arguments and environment; never throws on a non-zero exit. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string }
    return { code: failure.code ?? -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' }
  }
}

/** Starts a card in slot 1 and waits until pcscd has powered it. */
async function cardInSlot1(t: { teardown(fn: () => Promise<void>): void }, options: Parameters<typeof VirtualCard.connectToVpcd>[0]): Promise<VirtualCard> {
  // A card stopped by an earlier test may still show until pcscd polls again.
  if (!(await waitForReader(SLOT1, false))) throw new Error(`${SLOT1} still holds a card`)
  const card = VirtualCard.connectToVpcd({ ...options, port: 35964 })
  t.teardown(async () => {
    card.stop()
    await waitForReader(SLOT1, false)
  })
  if (!(await waitForReader(SLOT1, true))) throw new Error(`the virtual card did not appear in ${SLOT1}`)
  return card
}

test.serial('lists both vpcd readers and the card in slot 0', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const terminals = await listCardTerminals()
  const slot0 = terminals.find((terminal) => terminal.name === SLOT0)
  t.truthy(slot0)
  t.true(slot0?.cardPresent)
  t.deepEqual([...(slot0?.atr ?? [])].slice(4, 12), [...Buffer.from('TWNEID01')])
  t.false(slot0?.inProcess)
  t.truthy(terminals.find((terminal) => terminal.name === SLOT1))
})

test.serial('reads label and household area through PC/SC', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const label = await getEIDLabel({ reader: SLOT0 })
  t.is(label.label, 'TW New eID')
  t.is(label.profileVersion, '1')
  t.true(label.contactless)
  t.is(label.paceInfos[0]?.protocolName, 'id-PACE-ECDH-GM-AES-CBC-CMAC-128')
  t.is(label.paceInfos[0]?.parameterId, 13)

  const household = await getEIDHouseholdData({ reader: SLOT0 })
  t.is(household.county.text, '臺北市')
  t.is(household.township.text, '中正區')
  t.is(household.village.text, '光復里')
  t.is(household.neighbourhood, '12')
  t.deepEqual(household.county.codes, ['1-6A57', '1-4621', '1-464B'])
})

test.serial('reads the public area with the right CAN and passes PA', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const data = await getEIDPublicData('123456', { reader: SLOT0 })
  t.is(data.reader, SLOT0)
  t.is(data.name.text, '林美玲')
  t.is(data.idNumber, 'A200000012')
  t.is(data.birthDate.iso, '1990-03-15')
  t.deepEqual(data.birthDate.roc, { year: 79, month: 3, day: 15, beforeRoc: false })
  t.is(data.address.text, '臺北市中正區光復里12鄰測試路一段999號')
  t.is(data.militaryService.text, '免役')
  t.is(data.photo.mediaType, 'image/jpeg')
  t.deepEqual([...data.photo.bytes.slice(0, 2)], [0xff, 0xd8])
  t.deepEqual([...data.evidence.dataGroups.keys()], [1, 2, 3, 4, 5, 6, 7, 8, 9, 15])
  t.true(data.extendedLength)

  const trust = await TrustStore.fromDirectory(new URL('../test-pki', import.meta.url).pathname)
  const verification = await verifyPassiveAuthentication(data.evidence, trust)
  t.true(verification.ok, JSON.stringify(verification.checks.filter((check) => !check.ok)))
})

test.serial('wrong CAN fails with WRONG_CAN and leaks no CAN', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const wrongCan = '918273'
  const error = await t.throwsAsync(getEIDPublicData(wrongCan, { reader: SLOT0 }), { instanceOf: NewEidError })
  t.is(error?.code, 'WRONG_CAN')
  t.is(error?.sw, 0x6300)
  t.is(error?.step, 'pace.mutual_authenticate')
  t.is(error?.reader, SLOT0)
  const everything = `${error?.message} ${error?.stack} ${JSON.stringify(error)} ${JSON.stringify(error?.messages)} ${String(error?.cause)}`
  t.false(everything.includes(wrongCan))
  t.false(everything.includes('123456'))
})

test.serial('two cards at once: SEVERAL_CARDS without a reader, each by name', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const second = await cardInSlot1(t, { persona: 'chen-zhi-kun' })
  const cards = await listEIDs()
  t.deepEqual(cards.map((card) => card.reader).sort(), [SLOT0, SLOT1])

  const error = await t.throwsAsync(getEIDPublicData(second.can), { instanceOf: NewEidError })
  t.is(error?.code, 'SEVERAL_CARDS')
  t.true(error?.message.includes(SLOT0))
  t.true(error?.message.includes(SLOT1))

  const first = await getEIDPublicData('123456', { reader: SLOT0 })
  const other = await getEIDPublicData(second.can, { reader: SLOT1 })
  t.is(first.name.text, '林美玲')
  t.is(other.name.text, '陳志堃')
  t.deepEqual(other.name.codes, ['1-5D73', '1-4A35', '3-3476'])
})

test.serial('card removed mid-read gives CARD_REMOVED, then reads again', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const card = await cardInSlot1(t, { persona: 'huang-pua' })
  // Pull the card when READ BINARY of DG9 (SFI 9, P1 0x89) arrives.
  card.pullOnCommand({ ins: 0xb0, p1: 0x89 })
  const error = await t.throwsAsync(getEIDPublicData(card.can, { reader: SLOT1 }), { instanceOf: NewEidError })
  t.is(error?.code, 'CARD_REMOVED', error?.messageIn('en'))
  t.is(error?.step, 'read.dg9')
  t.true(await waitForReader(SLOT1, false))

  card.reinsert()
  t.true(await waitForReader(SLOT1, true))
  const data = await getEIDPublicData(card.can, { reader: SLOT1 })
  t.is(data.name.privateUse[0]?.code, '15-2273')
})

test.serial('reads in short APDUs from a card without extended length', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const card = await cardInSlot1(t, { persona: 'lin-mei-ling', extendedLength: false })
  const short = await getEIDPublicData(card.can, { reader: SLOT1 })
  const extended = await getEIDPublicData('123456', { reader: SLOT0 })
  t.false(short.extendedLength)
  t.true(extended.extendedLength)
  t.true(short.photo.bytes.length > 4 * 223)
  t.deepEqual(short.photo.bytes, extended.photo.bytes)
  t.deepEqual(short.evidence.dataGroups.get(7), extended.evidence.dataGroups.get(7))
})

test.serial('CLI prints the public area and exits 2 on a wrong CAN', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const good = await cli(['public', '--can', '123456', '--reader', SLOT0])
  t.is(good.code, 0, good.stderr)
  t.true(good.stdout.includes('姓名：林美玲'))
  t.true(good.stdout.includes('統一編號：A200000012'))

  const english = await cli(['public', '--reader', SLOT0, '--lang', 'en'], { NEWEID_CAN: '123456' })
  t.is(english.code, 0, english.stderr)
  t.true(english.stdout.includes('Name: 林美玲'))

  const wrong = await cli(['public', '--can', '918273', '--reader', SLOT0])
  t.is(wrong.code, 2)
  t.true(wrong.stderr.includes('[WRONG_CAN]'))
  t.false(wrong.stderr.includes('918273'))
  t.is(wrong.stdout, '')

  const json = await cli(['--json', 'public', '--can', '918273', '--reader', SLOT0])
  t.is(json.code, 2)
  t.is(JSON.parse(json.stdout).error.code, 'WRONG_CAN')
})

test.serial('pcscd not running gives PCSC_UNAVAILABLE', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  // pcsc-lite clients look for the daemon's socket at PCSCLITE_CSOCK_NAME.
  const result = await cli(['--json', 'readers'], { PCSCLITE_CSOCK_NAME: '/nonexistent/pcscd.comm' })
  t.is(result.code, 2)
  t.is(JSON.parse(result.stdout).error.code, 'PCSC_UNAVAILABLE')

  const text = await cli(['public', '--can', '123456'], { PCSCLITE_CSOCK_NAME: '/nonexistent/pcscd.comm', LANG: 'C.UTF-8' })
  t.is(text.code, 2)
  t.true(text.stderr.includes('[PCSC_UNAVAILABLE]'))
  t.true(text.stderr.includes('pcscd'))
})

test.serial('missing PC/SC library gives PCSC_UNAVAILABLE, verification still loads', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const result = await cli(['--json', '--lang', 'en', 'readers'], { NEWEID_PCSC_LIBRARY: '/nonexistent/libpcsclite.so.1' })
  t.is(result.code, 2)
  const error = JSON.parse(result.stdout).error
  t.is(error.code, 'PCSC_UNAVAILABLE')
  t.true(error.message.includes('could not be loaded'))

  const text = await cli(['text', 'char', '1-4421'], { NEWEID_PCSC_LIBRARY: '/nonexistent/libpcsclite.so.1' })
  t.is(text.code, 0, text.stderr)
  t.true(text.stdout.includes('一'))
})

test.serial('no reader gives NO_READER from a pcscd without readers', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  // A second pcscd without readers, in a private mount namespace whose
  // /run/pcscd hides the running daemon. That needs root and unshare.
  const root = process.getuid?.() === 0
  if (!root || !existsSync('/usr/bin/unshare')) {
    if (process.env.CI === 'true') return t.fail('the NO_READER test needs root and unshare under CI')
    t.log('skipped: needs root and unshare to start a second pcscd without readers')
    return t.pass()
  }
  const script = [
    'set -e',
    'mount -t tmpfs none /run/pcscd',
    'empty=$(mktemp -d)',
    'pcscd --foreground --error -c "$empty" >/dev/null 2>&1 & daemon=$!',
    'for i in $(seq 1 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done',
    `"${process.execPath}" "${CLI}" --json public --can 123456 || status=$?`,
    'kill $daemon',
    'exit ${status:-0}',
  ].join('\n')
  let stdout = ''
  let code = 0
  try {
    stdout = (await run('unshare', ['--mount', 'sh', '-c', script])).stdout
  } catch (error) {
    const failure = error as { code?: number; stdout?: string }
    code = failure.code ?? -1
    stdout = failure.stdout ?? ''
  }
  t.is(code, 2)
  t.is(JSON.parse(stdout).error.code, 'NO_READER')
})

test.serial('errors are NewEidError instances with stable codes', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const error = await t.throwsAsync(getEIDLabel({ reader: 'No Such Reader 00 00' }))
  t.true(isNewEidError(error, 'READER_NOT_FOUND'))
  t.true(await waitForReader(SLOT1, false))
  const empty = await t.throwsAsync(getEIDHouseholdData({ reader: SLOT1 }))
  t.true(isNewEidError(empty, 'NO_CARD'))
})

test.serial('a mute card times out without blocking other readers', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const card = await cardInSlot1(t, { persona: 'chen-zhi-kun' })
  // The card stops answering at its first READ BINARY.
  card.muteOnCommand({ ins: 0xb0 })
  const started = Date.now()
  const error = await t.throwsAsync(getEIDLabel({ reader: SLOT1, timeoutMs: 1500 }), { instanceOf: NewEidError })
  t.is(error?.code, 'TIMEOUT')
  t.true(Date.now() - started < 5000)

  // The other reader still answers, and listing the cards leaves the mute one out.
  t.is((await getEIDLabel({ reader: SLOT0 })).label, 'TW New eID')
  const cards = await listEIDs()
  t.deepEqual(
    cards.map((entry) => entry.reader),
    [SLOT0],
  )

  const controller = new AbortController()
  const pending = getEIDHouseholdData({ reader: SLOT1, signal: controller.signal })
  setTimeout(() => controller.abort(), 200)
  const aborted = await t.throwsAsync(pending, { instanceOf: NewEidError })
  t.is(aborted?.code, 'ABORTED')

  card.remove()
})

test.serial('concurrent reads of one card all succeed', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  const reads = await Promise.all([
    getEIDPublicData('123456', { reader: SLOT0 }),
    getEIDHouseholdData({ reader: SLOT0 }),
    getEIDPublicData('123456', { reader: SLOT0 }),
    getEIDLabel({ reader: SLOT0 }),
  ])
  t.is(reads[0].name.text, '林美玲')
  t.is(reads[1].village.text, '光復里')
  t.is(reads[2].idNumber, 'A200000012')
  t.is(reads[3].label, 'TW New eID')

  // Three CLI processes reading the same card at once: another process's
  // reset makes a read start again instead of failing.
  const results = await Promise.all([1, 2, 3].map(() => cli(['--json', 'public', '--can', '123456', '--reader', SLOT0])))
  for (const result of results) {
    t.is(result.code, 0, result.stdout + result.stderr)
    t.is(JSON.parse(result.stdout).name.text, '林美玲')
  }
})

test.serial('neweid sim stays until SIGTERM', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable)
  t.true(await waitForReader(SLOT1, false), `${SLOT1} still holds a card`)
  const child = spawn(process.execPath, [CLI, 'sim', '--port', '35964', '--persona', 'chen-zhi-kun'])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  t.true(await waitForReader(SLOT1, true), output)
  t.is(child.exitCode, null, output)
  const card = (await listCardTerminals()).find((terminal) => terminal.name === SLOT1)
  t.true(card?.atr !== undefined && card.atr.length > 0)
  t.true((await getEIDHouseholdData({ reader: SLOT1 })).county.text.length > 0)

  child.kill('SIGTERM')
  const { code, signal } = await exited
  t.is(code, 0, output)
  t.is(signal, null)
  t.true(await waitForReader(SLOT1, false), `${SLOT1} still shows the card after the sim stopped`)
})
