#!/usr/bin/env node
// The neweid command line: reads New eID cards through PC/SC, runs the
// virtual card, and converts text. Output is Traditional Chinese by default,
// English with --lang en or an English LANG.
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import { Command, CommanderError } from 'commander'

import { localizeCommander } from './commander-text.js'
import { applyLanguage, EXIT_ERROR, reportError, t, type GlobalOptions } from './output.js'
import { registerCardCommands } from './card-commands.js'
import { registerSimCommands } from './sim-commands.js'
import { registerTextCommand, type TextCommandIo } from './text.js'
import { registerVerifyCommand } from './verify.js'

/**
 * Builds the program; `main` runs it. Tests call this to run commands in
 * process, with their own streams for `text`.
 */
export function buildProgram(textIo?: TextCommandIo): Command {
  const program = new Command('neweid')
  localizeCommander(program, packageVersion())
  program
    .description(t('數位身分識別證（New eID）讀卡與驗證工具', 'Taiwan New eID card reader and verifier'))
    .option('--lang <language>', t('輸出語言：zh-TW（預設）或 en', 'output language: zh-TW (default) or en'))
    .option('--json', t('以 JSON 輸出', 'print JSON'))
    .option('--reader <name>', t('指定讀卡機（有多張卡片時必須指定）', 'reader to use (required when several hold a card)'))
    .showHelpAfterError()
    // Throw instead of exiting, so that main sets the exit code and tests can
    // run commands in process. Subcommands inherit this when they are added.
    .exitOverride()
    .hook('preAction', (command) => {
      applyLanguage(command.opts<GlobalOptions>().lang)
    })

  const options = (): GlobalOptions => program.opts<GlobalOptions>()
  registerCardCommands(program, options)
  registerSimCommands(program, options)
  registerVerifyCommand(program)
  if (textIo === undefined) registerTextCommand(program)
  else registerTextCommand(program, textIo)
  return program
}

/** The version in the package's package.json, two folders above this module in `ts/` and in `dist/`. */
function packageVersion(): string {
  const manifest = createRequire(import.meta.url)('../../package.json') as { version: string }
  return manifest.version
}

/**
 * Exit status after standard output or error became a closed pipe, as in
 * `neweid text decode big.bin | head -c 5`: 128 + SIGPIPE (13), the status a
 * shell reports for a program that the signal ended, such as `cat` in the same
 * place.
 */
export const EXIT_BROKEN_PIPE = 141

/**
 * Ends the process quietly when a reader of standard output or error stops
 * reading. Node reports that as an EPIPE error event, which would otherwise
 * crash with a stack trace.
 */
function exitOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      process.exit(EXIT_BROKEN_PIPE)
    })
  }
}

/** Runs the command line with `argv` and sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  // Help texts are built before --lang is parsed, so look for it first.
  const langIndex = argv.indexOf('--lang')
  try {
    applyLanguage(langIndex >= 0 ? argv[langIndex + 1] : argv.find((arg) => arg.startsWith('--lang='))?.slice(7))
  } catch (error) {
    reportError(error, argv.includes('--json'))
    return
  }
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits like other errors.
      if (error.exitCode !== 0) process.exitCode = EXIT_ERROR
      return
    }
    reportError(error, program.opts<GlobalOptions>().json === true)
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url)
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  exitOnBrokenPipe()
  await main(process.argv)
  // A card operation that timed out leaves its native thread waiting on
  // the reader, which keeps Node's event loop alive; end the process once
  // everything else has finished.
  setTimeout(() => process.exit(), 1000).unref()
}
