import type { Command } from 'commander'

import {
  getEIDHouseholdData,
  getEIDLabel,
  getEIDPublicData,
  listCardTerminals,
  listEIDs,
  type PublicData,
} from '../client/index.js'
import { NewEidError } from '../errors/index.js'
import { formatCards, formatHousehold, formatLabelLines, formatPublic, formatTerminals } from './format.js'
import { printJson, printLines, t, type GlobalOptions } from './output.js'

/** Streams of the secret prompt: the terminal unless a test passes its own. */
export interface PromptContext {
  input?: NodeJS.ReadableStream & { isTTY?: boolean; readableFlowing?: boolean | null }
  output?: NodeJS.WritableStream & { hasColors?: () => boolean }
}

/** The hint that @inquirer/password 4 shows, through its theme's help style, beside an unmasked prompt. */
const MASKED_HINT = '[input is masked]'

/** Names of the errors that @inquirer/core rejects a prompt with: on Ctrl+C or process exit, on an AbortSignal, and on cancel(). */
const PROMPT_STOPPED = new Set(['ExitPromptError', 'AbortPromptError', 'CancelPromptError'])

/**
 * Asks for a secret on the terminal without echoing it. Without a terminal
 * (a pipe, a script), the caller must pass the secret by option or
 * environment variable instead. Ctrl+C or Ctrl+D at the prompt fails with
 * `ABORTED`.
 */
export async function promptSecret(name: string, context: PromptContext = {}): Promise<string> {
  const input = context.input ?? process.stdin
  if (input.isTTY !== true) {
    throw new NewEidError('INVALID_INPUT', {
      detail: {
        'zh-TW': `未提供 ${name}：請以 --can 或環境變數 NEWEID_CAN 提供，或在終端機中執行以輸入`,
        en: `no ${name} given: pass --can or set NEWEID_CAN, or run in a terminal to be prompted`,
      },
    })
  }
  const { default: password } = await import('@inquirer/password')
  const output = context.output ?? process.stdout
  const dim = (text: string): string => (output.hasColors?.() === true ? `\x1b[2m${text}\x1b[22m` : text)
  const theme = {
    style: {
      help: (text: string) => dim(text === MASKED_HINT ? t('[輸入內容不會顯示]', MASKED_HINT) : text),
    },
  }

  // NOTE: @inquirer/core 10, under @inquirer/password 4, does not reject when Ctrl+D
  // on an empty line closes its readline, so the prompt would wait until the
  // process exits. readline pauses the input when it closes, so an input paused
  // after Ctrl+D means the prompt ended, and a flowing one that Ctrl+D deleted a
  // character.
  const stop = new AbortController()
  const onKeypress = (_text: string, key?: { ctrl?: boolean; name?: string }): void => {
    if (key?.ctrl !== true || key.name !== 'd') return
    setImmediate(() => {
      if (input.readableFlowing === false) stop.abort()
    })
  }
  input.on('keypress', onKeypress)
  try {
    return await password(
      { message: t(`請輸入 ${name}（卡片正面的 6 位數字）`, `Enter the ${name} (6 digits printed on the card)`), mask: false, theme },
      { input, output, signal: stop.signal },
    )
  } catch (error) {
    if (error instanceof Error && PROMPT_STOPPED.has(error.name)) {
      throw new NewEidError('ABORTED', {
        step: `prompt.${name.toLowerCase()}`,
        detail: { 'zh-TW': `已取消輸入 ${name}`, en: `the ${name} prompt was cancelled` },
        cause: error,
      })
    }
    throw error
  } finally {
    input.off('keypress', onKeypress)
  }
}

/** The public read as JSON: the decoded fields and the evidence for `neweid verify`. */
export function publicDataJson(data: PublicData): Record<string, unknown> {
  return {
    ...data,
    evidence: {
      dataGroups: Object.fromEntries([...data.evidence.dataGroups].map(([number, bytes]) => [String(number), bytes])),
      sod: data.evidence.sod,
      ...(data.evidence.cardSecurity === undefined ? {} : { cardSecurity: data.evidence.cardSecurity }),
    },
  }
}

/** Registers `readers`, `cards`, `label`, `household` and `public`. */
export function registerCardCommands(program: Command, options: () => GlobalOptions): void {
  program
    .command('readers')
    .description(t('列出讀卡機及其中的卡片（ListCardTerminal）', 'list card readers and their cards (ListCardTerminal)'))
    .action(async () => {
      const terminals = await listCardTerminals()
      if (options().json) printJson(terminals)
      else printLines(formatTerminals(terminals))
    })

  program
    .command('cards')
    .description(t('列出插有數位身分識別證的讀卡機（ListEID）', 'list readers holding a New eID card (ListEID)'))
    .action(async () => {
      const cards = await listEIDs()
      if (options().json) printJson(cards)
      else printLines(formatCards(cards))
    })

  program
    .command('label')
    .description(t('讀取卡片描述（GetEIDLabel）', 'read the card label (GetEIDLabel)'))
    .action(async () => {
      const label = await getEIDLabel({ reader: options().reader })
      if (options().json) printJson(label)
      else printLines(formatLabelLines(label))
    })

  program
    .command('household')
    .description(t('讀取戶籍區（GetEIDHouseHoldData），不需存取碼', 'read the household area (GetEIDHouseHoldData); no access code needed'))
    .action(async () => {
      const household = await getEIDHouseholdData({ reader: options().reader })
      if (options().json) printJson(household)
      else printLines(formatHousehold(household))
    })

  program
    .command('public')
    .description(t('以卡片存取碼（CAN）讀取公開區（GetEIDPublicData）', 'read the public area with the card access number (GetEIDPublicData)'))
    .option('--can <digits>', t('卡片存取碼（CAN），卡片正面的 6 位數字；未提供時讀取 NEWEID_CAN 或提示輸入', 'card access number, the 6 digits printed on the card; defaults to NEWEID_CAN or a prompt'))
    .action(async (commandOptions: { can?: string }) => {
      // An empty NEWEID_CAN, as in `NEWEID_CAN= neweid public`, counts as unset.
      const can = commandOptions.can ?? (process.env.NEWEID_CAN || undefined) ?? (await promptSecret('CAN'))
      const data = await getEIDPublicData(can, { reader: options().reader })
      if (options().json) printJson(publicDataJson(data))
      else printLines(formatPublic(data))
    })
}
