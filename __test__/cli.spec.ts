// The command line in process (help, usage errors, error output, option checks)
// and as a child process where the behaviour depends on the process itself:
// broken pipes and the CAN prompt on a terminal.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'

import test from 'ava'

import { promptSecret } from '../ts/cli/card-commands.js'
import { displayWidth, localizeCommanderError } from '../ts/cli/commander-text.js'
import { parseDateOption } from '../ts/cli/date-option.js'
import { main } from '../ts/cli/main.js'
import { EXIT_ABORTED, reportError } from '../ts/cli/output.js'
import { NewEidError } from '../ts/errors/index.js'
import { setLanguage } from '../ts/i18n.js'

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname
const ROOT = new URL('..', import.meta.url).pathname
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs `neweid …` in this process with its standard output and error captured, in zh-TW unless `--lang` says otherwise. */
async function runCli(args: string[]): Promise<CliResult> {
  setLanguage('zh-TW')
  let stdout = ''
  let stderr = ''
  const writeOut = process.stdout.write
  const writeErr = process.stderr.write
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  }) as typeof process.stderr.write
  process.exitCode = undefined
  try {
    await main(['node', 'neweid', ...args])
    return { exitCode: Number(process.exitCode ?? 0), stdout, stderr }
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
    process.exitCode = undefined
    setLanguage('zh-TW')
  }
}

/** Writes a saved read whose evidence is valid JSON but not checked here. */
function savedReadFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'neweid-cli-')), 'read.json')
  writeFileSync(file, JSON.stringify({ evidence: { dataGroups: { 1: 'AA==' }, sod: 'AA==' } }))
  return file
}

test.serial('help is in zh-TW by default', async (t) => {
  const result = await runCli(['--help'])
  t.is(result.exitCode, 0)
  t.true(result.stdout.startsWith('用法：neweid [選項] [指令]\n'), result.stdout)
  for (const heading of ['\n選項：\n', '\n指令：\n']) t.true(result.stdout.includes(heading), heading)
  t.true(result.stdout.includes('顯示指令說明'))
  t.true(result.stdout.includes('-V, --version'))
  for (const english of ['Usage:', 'Options:', 'Commands:', 'display help', 'output the version']) t.false(result.stdout.includes(english), english)
})

test.serial('help stays English with --lang en', async (t) => {
  const result = await runCli(['--lang', 'en', '--help'])
  t.is(result.exitCode, 0)
  t.true(result.stdout.startsWith('Usage: neweid [options] [command]\n'), result.stdout)
  t.true(result.stdout.includes('\nOptions:\n'))
  t.true(result.stdout.includes('\nCommands:\n'))
  t.true(result.stdout.includes('display help for command'))
  t.true(result.stdout.includes('output the version number'))
})

test.serial('subcommand help lists global options', async (t) => {
  const zh = await runCli(['text', 'decode', '--help'])
  t.true(zh.stdout.includes('\n引數：\n'), zh.stdout)
  t.true(zh.stdout.includes('\n全域選項：\n'), zh.stdout)
  t.regex(zh.stdout, /全域選項：\n(?:.*\n)*\s+--json\s/)
  const en = await runCli(['--lang', 'en', 'text', 'decode', '--help'])
  t.true(en.stdout.includes('\nGlobal Options:\n'), en.stdout)
  t.true(en.stdout.includes('\nArguments:\n'), en.stdout)
})

test.serial('help shows defaults in zh-TW', async (t) => {
  const zh = await runCli(['sim', '--help'])
  t.true(zh.stdout.includes('預設：lin-mei-ling'), zh.stdout)
  t.false(zh.stdout.includes('default:'), zh.stdout)
  const choices = await runCli(['text', 'big5', '--help'])
  // Help wraps at the terminal width, so compare without line breaks and indentation.
  t.true(choices.stdout.replace(/\s+/g, '').includes('可選值：error、replace、ncr；預設：error'), choices.stdout)
  const en = await runCli(['--lang', 'en', 'sim', '--help'])
  t.true(en.stdout.includes('(default: "lin-mei-ling")'), en.stdout)
})

test.serial('help aligns descriptions by display width', async (t) => {
  const result = await runCli(['--help'])
  const commands = result.stdout.split('\n指令：\n')[1]?.split('\n').filter((line) => /^ {2}\S/.test(line)) ?? []
  t.true(commands.length >= 8, result.stdout)
  const columns = new Set(commands.map((line) => displayWidth(line.match(/^ {2}\S+(?: \S+)*? {2,}/)?.[0] ?? '')))
  t.is(columns.size, 1, commands.join('\n'))
})

test('displayWidth counts Han as two columns', (t) => {
  t.is(displayWidth('abc'), 3)
  t.is(displayWidth('用法'), 4)
  t.is(displayWidth('[選項]'), 6)
  t.is(displayWidth('（預設：13）'), 12)
})

test.serial('--version prints the package version', async (t) => {
  const result = await runCli(['--version'])
  t.is(result.exitCode, 0)
  t.is(result.stdout, `${VERSION}\n`)
})

test.serial('unknown option is reported in zh-TW', async (t) => {
  const result = await runCli(['--bogus'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.startsWith('錯誤：未知的選項「--bogus」\n'), result.stderr)
  t.false(result.stderr.includes('error: unknown option'), result.stderr)
  t.false(result.stderr.includes('Usage:'), result.stderr)
})

test.serial('unknown option stays English with --lang en', async (t) => {
  const result = await runCli(['--lang', 'en', '--bogus'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.startsWith("error: unknown option '--bogus'\n"), result.stderr)
})

test.serial('usage errors are translated', async (t) => {
  const choice = await runCli(['text', 'big5', '--on-unencodable', 'drop'])
  t.true(choice.stderr.startsWith('錯誤：選項「--on-unencodable <action>」的值「drop」無效，可用的值為 error、replace、ncr\n'), choice.stderr)
  const required = await runCli(['verify', 'read.json'])
  t.true(required.stderr.startsWith('錯誤：必須指定選項「--trust <dir>」\n'), required.stderr)
  const command = await runCli(['readerz'])
  t.true(command.stderr.startsWith('錯誤：未知的指令「readerz」\n（您是不是要輸入 readers？）\n'), command.stderr)
})

test('commander messages map to zh-TW', (t) => {
  setLanguage('zh-TW')
  t.is(localizeCommanderError("error: missing required argument 'file'\n"), '錯誤：缺少必要的引數「file」\n')
  t.is(localizeCommanderError("error: option '--port <port>' argument missing\n"), '錯誤：選項「--port <port>」缺少值\n')
  t.is(localizeCommanderError("error: too many arguments for 'readers'. Expected 0 arguments but got 1.\n"), '錯誤：指令「readers」的引數太多：應有 0 個，收到 1 個\n')
  t.is(localizeCommanderError("error: unknown option '--jsn'\n(Did you mean --json?)\n"), '錯誤：未知的選項「--jsn」\n（您是不是要輸入 --json？）\n')
  t.is(localizeCommanderError('error: something new\n'), '錯誤：something new\n')
})

test.serial('verify rejects an impossible --at date', async (t) => {
  const file = savedReadFile()
  for (const at of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-01-31T24:00:00Z', 'tomorrow']) {
    const result = await runCli(['verify', file, '--trust', join(ROOT, 'test-pki'), '--at', at])
    t.is(result.exitCode, 2, at)
    t.true(result.stderr.startsWith('錯誤 [INVALID_INPUT]：'), result.stderr)
    t.true(result.stderr.includes(`--at 的值「${at}」不是存在的日期或時間`), result.stderr)
  }
})

test('parseDateOption reads ISO 8601 dates', (t) => {
  t.is(parseDateOption('2024-02-29', '--at').toISOString(), '2024-02-29T00:00:00.000Z')
  t.is(parseDateOption('2026-01-31T12:00:00Z', '--at').toISOString(), '2026-01-31T12:00:00.000Z')
  t.is(parseDateOption('2026-01-31T12:00+08:00', '--at').toISOString(), '2026-01-31T04:00:00.000Z')
  t.is(parseDateOption('2026-12-31T23:59:59.5Z', '--at').toISOString(), '2026-12-31T23:59:59.500Z')
  for (const invalid of ['2026-02-30', '2026-04-31', '2026-00-10', '2026-1-31', '2026-01-31T12:60Z', '2026-01-31T12:00+24:00', '2026-01-31 12:00', '']) {
    const error = t.throws(() => parseDateOption(invalid, '--at'), { instanceOf: NewEidError }, invalid)
    t.is(error?.code, 'INVALID_INPUT')
  }
})

test.serial('verify errors carry the common prefix', async (t) => {
  const missing = join(tmpdir(), 'neweid-no-such-read.json')
  const result = await runCli(['verify', missing, '--trust', join(ROOT, 'test-pki'), '--lang', 'en'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.startsWith('error [INVALID_INPUT]: '), result.stderr)
})

test.serial('--json errors also reach standard error', async (t) => {
  const result = await runCli(['--json', 'verify', savedReadFile(), '--trust', join(ROOT, 'test-pki'), '--at', '2026-02-30'])
  t.is(result.exitCode, 2)
  const output = JSON.parse(result.stdout) as { error: { code: string } }
  t.is(output.error.code, 'INVALID_INPUT')
  const lines = result.stderr.split('\n').filter((line) => line !== '')
  t.is(lines.length, 1, result.stderr)
  t.true(lines[0]?.startsWith('錯誤 [INVALID_INPUT]：輸入資料無效'), result.stderr)
})

test.serial('sim rejects invalid PACE parameter IDs', async (t) => {
  for (const ids of ['abc', '-1', '13,', '13,x', '256', '1.5']) {
    const result = await runCli(['sim', '--port', '35964', '--pace-parameters', ids])
    t.is(result.exitCode, 2, ids)
    t.true(result.stderr.includes('不是 PACE 標準參數代號'), result.stderr)
    t.false(result.stderr.includes('ID 0'), result.stderr)
  }
})

test.serial('sim reports a missing persona file', async (t) => {
  const result = await runCli(['sim', '--port', '35964', '--persona', '/missing.json'])
  t.is(result.exitCode, 2)
  t.true(result.stderr.includes('找不到人物檔案「/missing.json」'), result.stderr)
  t.false(result.stderr.includes('unknown persona'), result.stderr)
  const english = await runCli(['--lang', 'en', 'sim', '--port', '35964', '--persona', 'personas/nobody.json'])
  t.true(english.stderr.includes('persona file "personas/nobody.json" not found'), english.stderr)
})

test('reportError exits 130 for ABORTED', (t) => {
  setLanguage('zh-TW')
  let stderr = ''
  let exitCode = 0
  const streams = {
    stdout: { write: () => true },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk
      },
    },
    setExitCode: (code: number) => {
      exitCode = code
    },
  }
  reportError(new NewEidError('ABORTED'), false, streams)
  t.is(exitCode, EXIT_ABORTED)
  t.is(stderr, '錯誤 [ABORTED]：操作已取消\n')
  reportError(new NewEidError('WRONG_CAN'), false, streams)
  t.is(exitCode, 2)
})

/** Starts the CAN prompt on fake terminal streams and sends each of `keys` 50 ms apart once it shows. */
async function promptWith(...keys: string[]): Promise<{ result: Promise<string>; shown: () => string }> {
  const input = Object.assign(new PassThrough(), { isTTY: true })
  const output = new PassThrough()
  let shown = ''
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString()
  })
  const result = promptSecret('CAN', { input, output })
  for (const key of keys) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    input.write(key)
  }
  return { result, shown: () => shown }
}

for (const [key, name] of [
  ['\x03', 'Ctrl+C'],
  ['\x04', 'Ctrl+D'],
] as const) {
  test.serial(`${name} at the CAN prompt is ABORTED`, async (t) => {
    setLanguage('zh-TW')
    const prompt = await promptWith(key)
    const error = await t.throwsAsync(prompt.result, { instanceOf: NewEidError })
    t.is(error?.code, 'ABORTED')
    t.is(error?.step, 'prompt.can')
  })
}

test.serial('Ctrl+D after a digit keeps the prompt', async (t) => {
  setLanguage('zh-TW')
  // With the cursor after "1", Ctrl+D deletes nothing and readline stays open.
  const prompt = await promptWith('1\x04', '23456\r')
  t.is(await prompt.result, '123456')
})

test.serial('CAN prompt hint is localized', async (t) => {
  setLanguage('zh-TW')
  const zh = await promptWith('123456\r')
  t.is(await zh.result, '123456')
  t.true(zh.shown().includes('[輸入內容不會顯示]'), zh.shown())
  t.false(zh.shown().includes('[input is masked]'), zh.shown())

  setLanguage('en')
  try {
    const en = await promptWith('123456\r')
    t.is(await en.result, '123456')
    t.true(en.shown().includes('[input is masked]'), en.shown())
  } finally {
    setLanguage('zh-TW')
  }
})

/** Tells whether util-linux `script` is here to run the CLI on a pseudo-terminal. */
function haveScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

for (const [key, name] of [
  ['\x03', 'Ctrl+C'],
  ['\x04', 'Ctrl+D'],
] as const) {
  test(`${name} on a terminal exits 130`, async (t) => {
    if (!haveScript()) {
      t.log('skipped: util-linux script is needed to give the CLI a terminal')
      return t.pass()
    }
    const environment: NodeJS.ProcessEnv = { ...process.env, NEWEID_LANG: 'zh-TW' }
    delete environment.NEWEID_CAN
    // script runs the CLI on a pseudo-terminal and passes our keys to it; -e returns the CLI's exit status.
    const child = spawn('script', ['-qefc', `"${process.execPath}" "${CLI}" public`, '/dev/null'], { env: environment })
    let output = ''
    let sent = false
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      // Wait a little after the prompt shows, so that it has switched the terminal to raw mode.
      if (!sent && output.includes('CAN')) {
        sent = true
        setTimeout(() => child.stdin.write(key), 300)
      }
    })
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    t.is(exitCode, 130, output)
    t.true(output.includes('錯誤 [ABORTED]：操作已取消'), output)
    t.false(output.includes('INTERNAL'), output)
  })
}

test('broken pipe exits quietly with 141', async (t) => {
  // 100,000 × 一 is 300 KB of output, more than a pipe buffers, so the CLI is still writing when the reader leaves.
  const child = spawn(process.execPath, [CLI, 'text', 'decode', '--hex'])
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const firstChunk = new Promise<number>((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => {
      child.stdout.destroy()
      resolve(chunk.length)
    })
  })
  child.stdin.end('01 44 21 '.repeat(100_000))
  const [received, exitCode] = await Promise.all([firstChunk, new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))])
  t.true(received > 0)
  t.is(exitCode, 141)
  t.is(stderr, '')
})
