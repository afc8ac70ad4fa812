#!/usr/bin/env node
// The neweid command line: reads New eID cards through PC/SC, runs the
// virtual card, and converts text. Output is Traditional Chinese by default,
// English with --lang en or an English LANG.
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { Command, CommanderError } from 'commander'

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
  await main(process.argv)
  // A card operation that timed out leaves its native thread waiting on
  // the reader, which keeps Node's event loop alive; end the process once
  // everything else has finished.
  setTimeout(() => process.exit(), 1000).unref()
}
