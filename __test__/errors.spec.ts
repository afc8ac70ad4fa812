import test from 'ava'

import { fileReadError } from '../ts/errors/file.js'
import { typeNameOf } from '../ts/errors/input.js'
import { NewEidError } from '../ts/errors/index.js'
import { joinZh } from '../ts/i18n.js'

test('SEVERAL_CARDS lists its readers', (t) => {
  const error = new NewEidError('SEVERAL_CARDS', { readers: ['Virtual PCD 00 00', 'Virtual PCD 00 01'] })
  t.is(error.messageIn('zh-TW'), '有多個讀卡機中插有數位身分識別證（「Virtual PCD 00 00」、「Virtual PCD 00 01」）：請以 --reader 指定要讀取的讀卡機')
  t.is(error.messageIn('en'), 'several readers hold a New eID card ("Virtual PCD 00 00", "Virtual PCD 00 01"): choose one with the reader option')
  t.deepEqual(error.readers, ['Virtual PCD 00 00', 'Virtual PCD 00 01'])
  t.deepEqual(error.toJSON().readers, ['Virtual PCD 00 00', 'Virtual PCD 00 01'])
})

test('English detail is labelled in zh-TW', (t) => {
  const error = new NewEidError('INVALID_INPUT', { detail: 'unsupported PACE domain parameter ID 99' })
  t.is(error.messageIn('zh-TW'), '輸入資料無效（技術細節：unsupported PACE domain parameter ID 99）')
  t.is(error.messageIn('en'), 'invalid input (unsupported PACE domain parameter ID 99)')
})

test('localized detail is not labelled', (t) => {
  const error = new NewEidError('INVALID_INPUT', { detail: { 'zh-TW': '找不到檔案「a」', en: 'file "a" not found' } })
  t.is(error.messageIn('zh-TW'), '輸入資料無效（找不到檔案「a」）')
})

test('fileReadError names the file without errno text', (t) => {
  const cases: [string, string, string][] = [
    ['ENOENT', '找不到檔案「read.json」', 'file "read.json" not found'],
    ['EACCES', '沒有讀取檔案「read.json」的權限', 'permission denied reading "read.json"'],
    ['EISDIR', '「read.json」是資料夾，不是檔案', '"read.json" is a folder, not a file'],
  ]
  for (const [code, zh, en] of cases) {
    const cause = Object.assign(new Error(`${code}: no such file or directory, open 'read.json'`), { code })
    const error = fileReadError('read.json', cause, 'verify.read_file')
    t.is(error.code, 'INVALID_INPUT')
    t.is(error.step, 'verify.read_file')
    t.true(error.messageIn('zh-TW').includes(zh), error.messageIn('zh-TW'))
    t.true(error.messageIn('en').includes(en), error.messageIn('en'))
    t.false(error.messageIn('zh-TW').includes('no such file'), error.messageIn('zh-TW'))
    t.is(error.cause, cause)
  }
  const other = fileReadError('read.json', Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }))
  t.true(other.messageIn('zh-TW').includes('無法讀取檔案「read.json」（技術細節：EIO）'), other.messageIn('zh-TW'))
})

test('typeNameOf names types', (t) => {
  t.is(typeNameOf(null), 'null')
  t.is(typeNameOf(undefined), 'undefined')
  t.is(typeNameOf(''), '""')
  t.is(typeNameOf('x'), 'string')
  t.is(typeNameOf(5), 'number')
  t.is(typeNameOf([]), 'array')
  t.is(typeNameOf({}), 'object')
  t.is(typeNameOf(new ArrayBuffer(1)), 'ArrayBuffer')
  t.is(typeNameOf(Object.create(null)), 'object')
})

test('joinZh spaces Latin and Han', (t) => {
  t.is(joinZh('位置 1 的 U+000A', '沒有 CNS 11643 字碼'), '位置 1 的 U+000A 沒有 CNS 11643 字碼')
  t.is(joinZh('位置 1 的「堃」（U+5803）', '沒有'), '位置 1 的「堃」（U+5803）沒有')
  t.is(joinZh('參數必須是', 'Uint8Array'), '參數必須是 Uint8Array')
  t.is(joinZh('必須是', '物件'), '必須是物件')
})
