import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { buildProgram } from '../ts/cli/main.js'
import { setLanguage } from '../ts/i18n.js'
import { TEST_HOLDER, opensslSod, profileDataGroups } from './pa-helpers.js'

const committed = { cscaKey: '', cscaCert: 'test-pki/csca-TEST.cert.pem', dsKey: 'test-pki/ds-TEST.key.pem', dsCert: 'test-pki/ds-TEST.cert.pem', crl: '' }
const groups = profileDataGroups()
const sod = opensslSod(committed, groups)

/** Writes a saved read; `fields` are decoded fields saved beside the evidence, as `neweid public --json` writes them. */
function savedRead(changeDg?: number, topLevel = false, fields: Record<string, unknown> = {}): string {
  const record: Record<string, string> = {}
  for (const [number, bytes] of groups) {
    const copy = Buffer.from(bytes)
    if (number === changeDg) copy[copy.length - 1] ^= 1
    record[String(number)] = copy.toString('base64')
  }
  const evidence = { dataGroups: record, sod: sod.toString('base64') }
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'read.json')
  writeFileSync(file, JSON.stringify(topLevel ? evidence : { ...fields, evidence }))
  return file
}

/** Runs `verify` with console and standard output captured; runs serially because it swaps them. */
async function run(args: string[]): Promise<{ exitCode: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const log = console.log
  const error = console.error
  const writeOut = process.stdout.write
  const writeErr = process.stderr.write
  console.log = (...parts: unknown[]) => out.push(parts.join(' '))
  console.error = (...parts: unknown[]) => err.push(parts.join(' '))
  // Errors go through reportError, which writes to the streams directly.
  process.stdout.write = ((chunk: string) => out.push(String(chunk))) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => err.push(String(chunk))) as typeof process.stderr.write
  process.exitCode = undefined
  try {
    const program = buildProgram().exitOverride()
    await program.parseAsync(['node', 'neweid', 'verify', ...args])
    return { exitCode: Number(process.exitCode ?? 0), out: out.join('\n'), err: err.join('\n') }
  } finally {
    console.log = log
    console.error = error
    process.stdout.write = writeOut
    process.stderr.write = writeErr
    process.exitCode = undefined
    setLanguage('zh-TW')
  }
}

test.serial('verify prints zh-TW and exits 0 on a good read', async (t) => {
  const result = await run([savedRead(), '--trust', 'test-pki', '--crl-required'])
  t.is(result.exitCode, 0, result.out + result.err)
  t.regex(result.out, /^✓ 被動認證通過/)
  t.regex(result.out, /✓ dg7\.hash — DG7 雜湊值/)
})

test.serial('verify exits 1 and names the changed DG', async (t) => {
  const result = await run([savedRead(3), '--trust', 'test-pki', '--lang', 'en'])
  t.is(result.exitCode, 1)
  t.regex(result.out, /^✗ Passive Authentication failed/)
  t.regex(result.out, /✗ dg3\.hash — DG3 hash: DG3 SHA-256 is/)
})

test.serial('verify --json accepts top-level evidence', async (t) => {
  const result = await run([savedRead(undefined, true), '--trust', 'test-pki', '--json', '--at', '2030-01-01T00:00:00Z'])
  t.is(result.exitCode, 0, result.out)
  const parsed = JSON.parse(result.out) as { ok: boolean; checks: { name: string; detail: string; params: Record<string, string> }[] }
  t.true(parsed.ok)
  const validity = parsed.checks.find((check) => check.name === 'ds.validity')
  t.is(validity?.params.at, '2030-01-01T00:00:00Z')
})

test.serial('verify exits 2 on a malformed file', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'bad.json')
  writeFileSync(file, '{"evidence": {"sod": 1}}')
  const result = await run([file, '--trust', 'test-pki', '--json'])
  t.is(result.exitCode, 2)
  t.is((JSON.parse(result.out) as { error: { code: string } }).error.code, 'INVALID_INPUT')
})

test.serial('verify prints the fields of the verified evidence', async (t) => {
  // The decoded fields saved in the file were edited; the evidence was not.
  const edited = savedRead(undefined, false, { name: { text: '假名字' }, idNumber: 'B987654321', birthDate: { iso: '2001-01-01' } })
  const result = await run([edited, '--trust', 'test-pki'])
  t.is(result.exitCode, 0, result.out + result.err)
  const lines = result.out.split('\n')
  t.is(lines[0], '✓ 被動認證通過')
  t.true(lines.includes('    姓名：王小明'), result.out)
  t.true(lines.includes(`    統一編號：${TEST_HOLDER.idNumber}`), result.out)
  t.true(lines.includes('    出生日期：民國 79 年 3 月 15 日（1990-03-15）'), result.out)
  t.true(lines.includes(`    戶籍地址：${TEST_HOLDER.address}`), result.out)
  t.true(lines.includes('    戶籍區（DG1）：臺北市中正區光復里 12 鄰'), result.out)
  t.notRegex(result.out, /假名字|B987654321|2001-01-01/)
  // The fields come before the list of checks.
  t.true(lines.indexOf('    姓名：王小明') < lines.findIndex((line) => line.includes('sod.signature')))
})

test.serial('verify --json gives the verified fields as data', async (t) => {
  const edited = savedRead(undefined, false, { idNumber: 'B987654321' })
  const result = await run([edited, '--trust', 'test-pki', '--json'])
  t.is(result.exitCode, 0, result.out)
  const parsed = JSON.parse(result.out) as { ok: boolean; data: { name: { text: string }; idNumber: string; birthDate: { iso: string }; photo: { bytes: string } } }
  t.true(parsed.ok)
  t.is(parsed.data.name.text, TEST_HOLDER.name)
  t.is(parsed.data.idNumber, TEST_HOLDER.idNumber)
  t.is(parsed.data.birthDate.iso, '1990-03-15')
  t.is(Buffer.from(parsed.data.photo.bytes, 'base64').length, 206)

  const failed = await run([savedRead(3), '--trust', 'test-pki', '--json'])
  t.is(failed.exitCode, 1)
  t.false('data' in (JSON.parse(failed.out) as object))
})

test.serial('verify shows no fields of a failed read', async (t) => {
  const result = await run([savedRead(7), '--trust', 'test-pki', '--lang', 'en'])
  t.is(result.exitCode, 1)
  t.regex(result.out, /the read did not verify, so its fields are not shown/)
  t.notRegex(result.out, /Name: |ID number: /)
})

test.serial('verify needs a CSCA in the trust folder', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'neweid-empty-trust-'))
  const result = await run([savedRead(), '--trust', empty])
  t.is(result.exitCode, 2)
  t.regex(result.err, new RegExp(`信任清單資料夾 ${empty} 中沒有可用的 CSCA 憑證`))

  // A folder with only the Document Signer's certificate and key has no CSCA either.
  const signerOnly = mkdtempSync(join(tmpdir(), 'neweid-ds-trust-'))
  copyFileSync(committed.dsCert, join(signerOnly, 'ds-TEST.cert.pem'))
  copyFileSync(committed.dsKey, join(signerOnly, 'ds-TEST.key.pem'))
  const json = await run([savedRead(), '--trust', signerOnly, '--json', '--lang', 'en'])
  t.is(json.exitCode, 2)
  const error = (JSON.parse(json.out) as { error: { code: string; message: string } }).error
  t.is(error.code, 'INVALID_INPUT')
  t.regex(error.message, new RegExp(`the trust store folder ${signerOnly} holds no usable CSCA certificate \\(2 file\\(s\\) skipped\\)`))
})

test.serial('verify summarizes expected skipped files', async (t) => {
  const result = await run([savedRead(), '--trust', 'test-pki'])
  t.is(result.exitCode, 0)
  t.is(result.err, '信任清單資料夾：略過 2 個私鑰檔與 1 張非 CA 憑證')

  // Other skipped files are listed one by one.
  const folder = mkdtempSync(join(tmpdir(), 'neweid-cli-trust-'))
  copyFileSync('test-pki/csca-TEST.cert.pem', join(folder, 'csca.pem'))
  writeFileSync(join(folder, 'broken.der'), 'not a certificate')
  const noisy = await run([savedRead(), '--trust', folder, '--lang', 'en'])
  t.is(noisy.exitCode, 0, noisy.err)
  const lines = noisy.err.split('\n')
  t.is(lines.length, 1, noisy.err)
  t.true(lines[0]?.startsWith(`skipped trust store file: ${join(folder, 'broken.der')} (neither a certificate nor a CRL:`), noisy.err)
})

test.serial('verify rejects data groups that are not an object', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'array.json')
  writeFileSync(file, JSON.stringify({ evidence: { dataGroups: [], sod: sod.toString('base64') } }))
  const result = await run([file, '--trust', 'test-pki', '--json'])
  t.is(result.exitCode, 2)
  t.is((JSON.parse(result.out) as { error: { code: string } }).error.code, 'INVALID_INPUT')

  const empty = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'empty.json')
  writeFileSync(empty, JSON.stringify({ evidence: { dataGroups: {}, sod: sod.toString('base64') } }))
  const none = await run([empty, '--trust', 'test-pki', '--lang', 'en'])
  t.is(none.exitCode, 1)
  t.regex(none.out, /✗ dg\.none_read/)
})
