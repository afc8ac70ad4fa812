import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { formatDate, formatPublic } from '../ts/cli/format.js'
import { civilDate } from '../ts/client/model.js'
import { NewEidError } from '../ts/errors/index.js'
import { setLanguage } from '../ts/i18n.js'
import { VirtualCard, getEIDPublicData } from '../ts/index.js'

test('civilDate counts 民國 years from 1912', (t) => {
  t.deepEqual(civilDate('1912-01-01').roc, { year: 1, month: 1, day: 1, beforeRoc: false })
  t.deepEqual(civilDate('1990-03-15').roc, { year: 79, month: 3, day: 15, beforeRoc: false })
  t.deepEqual(civilDate('2024-02-29').roc, { year: 113, month: 2, day: 29, beforeRoc: false })
})

test('civilDate has no year 0', (t) => {
  t.deepEqual(civilDate('1911-12-31').roc, { year: 1, month: 12, day: 31, beforeRoc: true })
  t.deepEqual(civilDate('1900-03-15').roc, { year: 12, month: 3, day: 15, beforeRoc: true })
  t.deepEqual(civilDate('1800-01-01').roc, { year: 112, month: 1, day: 1, beforeRoc: true })
})

test('civilDate keeps the ISO date', (t) => {
  t.is(civilDate('1900-03-15').iso, '1900-03-15')
})

test('civilDate rejects impossible dates', (t) => {
  for (const iso of ['2023-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-01', '1990-3-15', '19900315', '']) {
    const error = t.throws(() => civilDate(iso), { instanceOf: NewEidError }, iso)
    t.is(error?.code, 'INVALID_INPUT', iso)
  }
  const error = t.throws(() => civilDate(19900315 as unknown as string), { instanceOf: NewEidError })
  t.is(error?.code, 'INVALID_INPUT')
})

test('formatDate writes 民國前 before 1912', (t) => {
  setLanguage('zh-TW')
  t.is(formatDate(civilDate('1900-03-15')), '民國前 12 年 3 月 15 日（1900-03-15）')
  t.is(formatDate(civilDate('1911-12-31')), '民國前 1 年 12 月 31 日（1911-12-31）')
  t.is(formatDate(civilDate('1912-01-01')), '民國 1 年 1 月 1 日（1912-01-01）')
})

test('formatDate writes ISO dates in English', (t) => {
  setLanguage('en')
  try {
    t.is(formatDate(civilDate('1900-03-15')), '1900-03-15')
  } finally {
    setLanguage('zh-TW')
  }
})

test('card born in 1900 reads as 民國前 12 年', async (t) => {
  // lin-mei-ling with the birth date moved to 1900 and the photo path made absolute.
  const personas = new URL('../personas/', import.meta.url).pathname
  const persona = JSON.parse(readFileSync(join(personas, 'lin-mei-ling.json'), 'utf8')) as { public: { birthDate: string; photo: string } }
  persona.public.birthDate = '1900-03-15'
  persona.public.photo = join(personas, persona.public.photo)
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-persona-')), 'born-1900.json')
  writeFileSync(file, JSON.stringify(persona))

  const card = VirtualCard.insert({ persona: file, reader: 'NewEID Virtual Reader (1900)' })
  try {
    const data = await getEIDPublicData(card.can, { reader: 'NewEID Virtual Reader (1900)' })
    t.deepEqual(data.birthDate, { iso: '1900-03-15', roc: { year: 12, month: 3, day: 15, beforeRoc: true } })
    setLanguage('zh-TW')
    t.true(formatPublic(data).includes('出生日期：民國前 12 年 3 月 15 日（1900-03-15）'), formatPublic(data).join('\n'))
  } finally {
    card.stop()
  }
})
