import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { buildProgram } from '../ts/cli/main.js'
import { setLanguage } from '../ts/i18n.js'
import { dataGroups, opensslSod } from './pa-helpers.js'

const committed = { cscaKey: '', cscaCert: 'test-pki/csca-TEST.cert.pem', dsKey: 'test-pki/ds-TEST.key.pem', dsCert: 'test-pki/ds-TEST.cert.pem', crl: '' }
const groups = dataGroups()
const sod = opensslSod(committed, groups)

function savedRead(changeDg?: number, topLevel = false): string {
  const record: Record<string, string> = {}
  for (const [number, bytes] of groups) {
    const copy = Buffer.from(bytes)
    if (number === changeDg) copy[copy.length - 1] ^= 1
    record[String(number)] = copy.toString('base64')
  }
  const evidence = { dataGroups: record, sod: sod.toString('base64') }
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'read.json')
  writeFileSync(file, JSON.stringify(topLevel ? evidence : { evidence }))
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
