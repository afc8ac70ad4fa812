import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { buildProgram } from '../ts/cli/main.js'
import { setLanguage } from '../ts/i18n.js'

interface RunResult {
  stdout: Buffer
  stderr: string
  exitCode: number
}

/** Runs `neweid text ...` in-process with the given standard input. */
async function runText(args: string[], stdin: string | Uint8Array = ''): Promise<RunResult> {
  setLanguage('zh-TW')
  const stdout: Buffer[] = []
  let stderr = ''
  let exitCode = 0
  const io = {
    stdin: [typeof stdin === 'string' ? Buffer.from(stdin) : stdin],
    stdout: { write: (chunk: Uint8Array | string) => stdout.push(Buffer.from(chunk)) },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk
      },
    },
    setExitCode: (code: number) => {
      exitCode = code
    },
  }
  const program = buildProgram(io).exitOverride()
  program.configureOutput({
    writeOut: (text) => stdout.push(Buffer.from(text)),
    writeErr: (text) => {
      stderr += text
    },
  })
  await program.parseAsync(['text', ...args], { from: 'user' })
  return { stdout: Buffer.concat(stdout), stderr, exitCode }
}

test.serial('decode reads hex from stdin', async (t) => {
  const result = await runText(['decode', '--hex'], '01 45 5E 01 44 51 01 4D 7C 20 41\n')
  t.is(result.stdout.toString(), '王小明 A\n')
  t.is(result.stderr, '')
  t.is(result.exitCode, 0)
})

test.serial('decode reads a binary file', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'neweid-text-'))
  try {
    const file = join(directory, 'name.bin')
    writeFileSync(file, Uint8Array.of(0x01, 0x44, 0x21, 0x10, 0x21, 0x21, 0x0f, 0x22, 0x73))
    const result = await runText(['decode', file])
    t.is(result.stdout.toString(), '一\uFFFD\u{FFFEE}\n')
    t.true(result.stderr.includes('位置 2 的字元 15-2273 對應到 Unicode 私用區 U+FFFEE'), result.stderr)
    t.true(result.stderr.includes('位置 1 的字元 16-2121 沒有對應的 Unicode 字元'), result.stderr)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.serial('decode writes JSON', async (t) => {
  const result = await runText(['decode', '--hex', '--json'], '03214441')
  t.deepEqual(JSON.parse(result.stdout.toString()), { text: '\u{2000B}A', codes: ['3-2144', null], privateUse: [], unmapped: [] })
})

test.serial('decode error names offset in zh-TW', async (t) => {
  const result = await runText(['decode', '--hex'], '41 80')
  t.is(result.exitCode, 2)
  t.is(result.stdout.length, 0)
  t.true(result.stderr.includes('位移 1 的位元組 0x80 無效'), result.stderr)
})

test.serial('decode error in English with --lang en', async (t) => {
  const result = await runText(['decode', '--hex', '--lang', 'en'], '41 01 21')
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('plane byte 0x01 at offset 1 of the CNS text has only 1 of its 2 code bytes'), result.stderr)
})

test.serial('decode error as JSON', async (t) => {
  const result = await runText(['decode', '--hex', '--json', '--lang', 'en'], 'zz')
  t.is(result.exitCode, 2)
  const output = JSON.parse(result.stdout.toString()) as { error: { code: string; message: string } }
  t.is(output.error.code, 'INVALID_INPUT')
  t.true(output.error.message.includes('hex input may contain only'), output.error.message)
})

test.serial('encode writes card bytes', async (t) => {
  const result = await runText(['encode'], '王𠀋 A\n')
  t.deepEqual([...result.stdout], [0x01, 0x45, 0x5e, 0x03, 0x21, 0x44, 0x20, 0x41])
})

test.serial('encode writes hex and JSON', async (t) => {
  t.is((await runText(['encode', '--hex'], '一')).stdout.toString(), '014421\n')
  t.deepEqual(JSON.parse((await runText(['encode', '--json'], '一')).stdout.toString()), { hex: '014421' })
})

test.serial('encode reports unmappable character', async (t) => {
  const result = await runText(['encode', '--lang', 'en'], 'a\u{1F600}')
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('"\u{1F600}" (U+1F600) at index 1'), result.stderr)
})

test.serial('big5 fails on missing characters', async (t) => {
  const result = await runText(['big5'], '林堃')
  t.is(result.exitCode, 2)
  t.is(result.stdout.length, 0)
  t.true(result.stderr.includes('位置 1 的「堃」（U+5803）不在 Big5（CP950）字集中'), result.stderr)
})

test.serial('big5 ncr mode writes references', async (t) => {
  const result = await runText(['big5', '--on-unencodable', 'ncr'], '林堃')
  t.is(result.stdout.toString('latin1'), '\xAA\x4C&#x5803;')
  t.true(result.stderr.includes('1 個字元不在 Big5 中'), result.stderr)
  t.is(result.exitCode, 0)
})

test.serial('big5 replace mode as JSON', async (t) => {
  const result = await runText(['big5', '--on-unencodable', 'replace', '--replacement', '□', '--json'], '林堃')
  t.deepEqual(JSON.parse(result.stdout.toString()), {
    hex: 'AA4CA1BC',
    unencodable: [{ index: 1, char: '堃', codePoint: 0x5803 }],
  })
})

test.serial('big5 rejects unknown action', async (t) => {
  const error = await t.throwsAsync(runText(['big5', '--on-unencodable', 'drop'], 'a'))
  t.true(error?.message.includes('drop'), error?.message)
})

test.serial('from-big5 decodes ETen characters', async (t) => {
  const result = await runText(['from-big5', '--hex'], 'F9D6 F9DC 41')
  t.is(result.stdout.toString(), '碁嫺A\n')
})

test.serial('code lists codes of each character', async (t) => {
  const result = await runText(['code', '一\u6bf5\u{1F600}'])
  t.is(result.stdout.toString(), '一\tU+4E00\t1-4421\n\u6bf5\tU+6BF5\t3-653A 15-3C3C\n\u{1F600}\tU+1F600\t（無全字庫碼）\n')
})

test.serial('code reads stdin and writes JSON', async (t) => {
  const result = await runText(['code', '--json'], '一\n')
  t.deepEqual(JSON.parse(result.stdout.toString()), [{ char: '一', codePoint: 'U+4E00', code: '1-4421', codes: ['1-4421'] }])
})

test.serial('char looks up codes', async (t) => {
  const result = await runText(['char', '1-4421', '16-2121', '--lang', 'en'])
  t.is(result.stdout.toString(), '1-4421\t一\tU+4E00\n16-2121\t(no Unicode mapping)\n')
})

test.serial('char rejects invalid code', async (t) => {
  const result = await runText(['char', '1-4421', '20-2121'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('"20-2121" 不是有效的全字庫碼'), result.stderr)
})

test.serial('missing file is an error', async (t) => {
  const file = join(tmpdir(), 'neweid-no-such-file.bin')
  const result = await runText(['decode', file, '--lang', 'en'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes(`file "${file}" not found`), result.stderr)
  t.false(result.stderr.includes('ENOENT'), result.stderr)
})

test.serial('missing file in zh-TW names it', async (t) => {
  const file = join(tmpdir(), 'neweid-no-such-file.bin')
  const result = await runText(['decode', file])
  t.is(result.exitCode, 2)
  t.true(result.stderr.startsWith('錯誤 [INVALID_INPUT]：'), result.stderr)
  t.true(result.stderr.includes(`找不到檔案「${file}」`), result.stderr)
  t.false(result.stderr.includes('ENOENT'), result.stderr)
  t.false(result.stderr.includes('no such file'), result.stderr)
})

test.serial('text errors carry the common prefix', async (t) => {
  const zh = await runText(['decode', '--hex'], '41 80')
  t.true(zh.stderr.startsWith('錯誤 [INVALID_INPUT]：'), zh.stderr)
  const en = await runText(['decode', '--hex', '--lang', 'en'], '41 80')
  t.true(en.stderr.startsWith('error [INVALID_INPUT]: '), en.stderr)
})

test.serial('JSON errors also reach standard error', async (t) => {
  const result = await runText(['decode', '--hex', '--json'], 'zz')
  t.is(result.exitCode, 2)
  t.is((JSON.parse(result.stdout.toString()) as { error: { code: string } }).error.code, 'INVALID_INPUT')
  t.is(result.stderr.split('\n').length, 2, result.stderr)
  t.true(result.stderr.startsWith('錯誤 [INVALID_INPUT]：輸入資料無效'), result.stderr)
})

for (const command of ['encode', 'big5', 'code']) {
  test.serial(`${command} rejects input that is not UTF-8`, async (t) => {
    // "林" in Big5 (AA 4C) after valid UTF-8 "ab": AA cannot start a UTF-8 character.
    const result = await runText([command], Uint8Array.of(0x61, 0x62, 0xaa, 0x4c))
    t.is(result.exitCode, 2)
    t.is(result.stdout.length, 0)
    t.true(result.stderr.includes('標準輸入不是有效的 UTF-8：位移 2 的位元組 AA 無法組成 UTF-8 字元'), result.stderr)
  })
}

test.serial('encode names the offset of a truncated character', async (t) => {
  // 一 is E4 B8 80 in UTF-8; the last byte is missing.
  const result = await runText(['encode', '--lang', 'en'], Uint8Array.of(0x41, 0xe4, 0xb8))
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('bytes E4 B8 at offset 1 do not form a UTF-8 character'), result.stderr)
})

test.serial('encode rejects a file that is not UTF-8', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'neweid-text-'))
  try {
    const file = join(directory, 'big5.txt')
    writeFileSync(file, Uint8Array.of(0xa4, 0x40))
    const result = await runText(['encode', file])
    t.is(result.exitCode, 2)
    t.true(result.stderr.includes(`檔案「${file}」不是有效的 UTF-8：位移 0 的位元組 A4`), result.stderr)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.serial('encode skips a byte order mark', async (t) => {
  const result = await runText(['encode', '--hex'], Uint8Array.of(0xef, 0xbb, 0xbf, 0xe4, 0xb8, 0x80))
  t.is(result.stdout.toString(), '014421\n')
})

test.serial('encode message spaces a code point', async (t) => {
  const result = await runText(['encode'], 'a\nb')
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('位置 1 的 U+000A 沒有 CNS 11643 字碼'), result.stderr)
})

test.serial('from-big5 decodes an HKSCS pair to one U+FFFD', async (t) => {
  const result = await runText(['from-big5', '--hex'], '81 40 41')
  t.is(result.stdout.toString(), '\uFFFDA\n')
})
