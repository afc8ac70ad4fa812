// Inputs of the wrong type fail with NewEidError INVALID_INPUT, never INTERNAL
// or a plain TypeError.
import test, { type ExecutionContext } from 'ava'

import { checkCardOptions } from '../ts/client/options.js'
import { NewEidError, VirtualCard, decodeCnsText, encodeCnsText, fromBig5, setLanguage, toBig5 } from '../ts/index.js'

function invalidInput(t: ExecutionContext, run: () => unknown, label: string): NewEidError | undefined {
  const error = t.throws(run, { instanceOf: NewEidError }, label)
  t.is(error?.code, 'INVALID_INPUT', label)
  return error
}

test('checkCardOptions rejects wrong types', (t) => {
  const cases: [string, unknown][] = [
    ['null options', null],
    ['string options', 'Virtual PCD 00 00'],
    ['array options', []],
    ['numeric reader', { reader: 42 }],
    ['empty reader', { reader: '' }],
    ['string signal', { signal: 'x' }],
    ['plain object signal', { signal: { aborted: false } }],
  ]
  for (const [label, options] of cases) {
    const error = invalidInput(t, () => checkCardOptions(options, 'label'), label)
    t.is(error?.step, 'label', label)
  }
})

test('checkCardOptions names the received type', (t) => {
  const error = invalidInput(t, () => checkCardOptions({ reader: 42 }, 'label'), 'reader 42')
  t.true(error?.messageIn('en').includes('the reader option must be a reader name (a non-empty string), not number'), error?.messageIn('en'))
  t.true(error?.messageIn('zh-TW').includes('reader 選項必須是讀卡機名稱（非空字串），收到的是 number'), error?.messageIn('zh-TW'))
})

test('checkCardOptions accepts valid options', (t) => {
  const signal = new AbortController().signal
  t.deepEqual(checkCardOptions(undefined, 'label'), {})
  t.deepEqual(checkCardOptions({}, 'label'), {})
  t.deepEqual(checkCardOptions({ reader: 'Virtual PCD 00 00' }, 'label'), { reader: 'Virtual PCD 00 00' })
  t.is(checkCardOptions({ signal }, 'label').signal, signal)
  // A polyfilled signal fails instanceof but has every member the client uses.
  const polyfill = Object.assign(new EventTarget(), { aborted: false, reason: undefined }) as unknown as AbortSignal
  t.false(polyfill instanceof AbortSignal)
  t.is(checkCardOptions({ signal: polyfill }, 'label').signal, polyfill)
})

test('checkCardOptions rejects options not taken', (t) => {
  const error = invalidInput(t, () => checkCardOptions({ reader: 'x' }, 'list_eids', ['signal']), 'reader for listEIDs')
  t.true(error?.messageIn('en').includes('this operation takes no reader option'), error?.messageIn('en'))
  t.deepEqual(checkCardOptions({ signal: AbortSignal.abort() }, 'list_eids', ['signal']).reader, undefined)
})

test('VirtualCard.insert rejects wrong types', (t) => {
  const cases: [string, unknown][] = [
    ['numeric persona', { persona: 5 }],
    ['null options', null],
    ['numeric reader', { reader: 42 }],
    ['string extendedLength', { extendedLength: 'no' }],
    ['negative parameter ID', { paceParameterIds: [-1] }],
    ['string parameter ID', { paceParameterIds: ['13'] }],
    ['parameter ID list not an array', { paceParameterIds: 13 }],
    ['empty parameter ID list', { paceParameterIds: [] }],
  ]
  for (const [label, options] of cases) {
    invalidInput(t, () => VirtualCard.insert(options as Parameters<typeof VirtualCard.insert>[0]), label)
  }
})

test('VirtualCard names a negative parameter ID', (t) => {
  const error = invalidInput(t, () => VirtualCard.insert({ paceParameterIds: [-1] }), '-1')
  t.true(error?.messageIn('en').includes('contains -1'), error?.messageIn('en'))
  t.false(error?.messageIn('en').includes('ID 0'), error?.messageIn('en'))
})

test('VirtualCard reports a missing persona file', (t) => {
  for (const persona of ['/missing.json', 'personas/missing', 'missing.json']) {
    const error = invalidInput(t, () => VirtualCard.insert({ persona }), persona)
    t.true(error?.messageIn('en').includes(`persona file "${persona}" not found`), error?.messageIn('en'))
    t.false(error?.messageIn('en').includes('unknown persona'), error?.messageIn('en'))
  }
  const unknown = invalidInput(t, () => VirtualCard.insert({ persona: 'nobody' }), 'nobody')
  t.true(unknown?.messageIn('zh-TW').includes('未知的人物「nobody」'), unknown?.messageIn('zh-TW'))
})

test('connectToVpcd rejects an invalid port', (t) => {
  for (const port of [0, 70_000, 1.5, '35964']) {
    invalidInput(t, () => VirtualCard.connectToVpcd({ port: port as number }), String(port))
  }
})

test('text functions reject wrong types', (t) => {
  invalidInput(t, () => decodeCnsText('x' as unknown as Uint8Array), 'decodeCnsText string')
  invalidInput(t, () => decodeCnsText([1, 0x44, 0x21] as unknown as Uint8Array), 'decodeCnsText array')
  invalidInput(t, () => encodeCnsText(5 as unknown as string), 'encodeCnsText number')
  invalidInput(t, () => toBig5(null as unknown as string), 'toBig5 null')
  invalidInput(t, () => toBig5('林', null as unknown as object), 'toBig5 null options')
  invalidInput(t, () => toBig5('堃', { onUnencodable: 'replace', replacement: 5 as unknown as string }), 'toBig5 numeric replacement')
  invalidInput(t, () => fromBig5('abc' as unknown as Uint8Array), 'fromBig5 string')
})

test('setLanguage rejects unknown languages', (t) => {
  for (const language of ['fr', 'zh', '', 5, null]) {
    const error = invalidInput(t, () => setLanguage(language as 'en'), String(language))
    t.is(error?.step, 'check.language')
  }
  setLanguage('zh-TW')
})

test('card calls reject wrong option types', async (t) => {
  const { getEIDLabel, getEIDHouseholdData, getEIDPublicData, listEIDs, listCardTerminals } = await import('../ts/index.js')
  const cases: [string, () => Promise<unknown>][] = [
    ['reader 42', () => getEIDLabel({ reader: 42 as unknown as string })],
    ['null options', () => getEIDHouseholdData(null as unknown as undefined)],
    ['signal string', () => getEIDPublicData('123456', { signal: 'x' as unknown as AbortSignal })],
    ['timeout zero', () => getEIDLabel({ timeoutMs: 0 })],
    ['timeout fraction', () => getEIDLabel({ timeoutMs: 1.5 })],
    ['reader on listEIDs', () => listEIDs({ reader: 'x' } as unknown as { signal?: AbortSignal })],
    ['signal on listCardTerminals', () => listCardTerminals({ signal: AbortSignal.abort() } as unknown as { timeoutMs?: number })],
  ]
  for (const [name, call] of cases) {
    const error = await t.throwsAsync(call(), { instanceOf: NewEidError }, name)
    t.is(error?.code, 'INVALID_INPUT', name)
  }
})
