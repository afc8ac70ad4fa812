import { fileURLToPath } from 'node:url'

import type { Command } from 'commander'

import {
  getEIDHouseholdData,
  getEIDLabel,
  getEIDPublicData,
  listCardTerminals,
  listEIDs,
} from '../client/index.js'
import { NewEidError } from '../errors/index.js'
import { verifyPassiveAuthentication } from '../verify/passive-authentication.js'
import { TrustStore } from '../verify/trust-store.js'
import { VirtualCard } from '../virtual-card.js'
import { publicDataJson } from './card-commands.js'
import { formatCards, formatHousehold, formatLabelLines, formatPublic, formatTerminals } from './format.js'
import { printJson, printLines, t, type GlobalOptions } from './output.js'
import { formatVerification } from './verify.js'

/** The TEST-ONLY CSCA that signed the virtual card's Document Signer. */
const TEST_PKI = fileURLToPath(new URL('../../test-pki', import.meta.url))

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NewEidError('INVALID_INPUT', {
      detail: { 'zh-TW': `連接埠「${value}」無效，請用 1 到 65535`, en: `invalid port "${value}": use 1 to 65535` },
    })
  }
  return port
}

/** Parses `--pace-parameters`: decimal domain parameter IDs separated by commas, such as `13,16`. */
function parseParameterIds(value: string): number[] {
  const ids = value.split(',').map((id) => id.trim())
  const invalid = ids.find((id) => !/^[0-9]{1,3}$/.test(id) || Number(id) > 255)
  if (invalid !== undefined) {
    throw new NewEidError('INVALID_INPUT', {
      step: 'check.pace_parameters',
      detail: {
        'zh-TW': `--pace-parameters 的「${invalid}」不是 PACE 標準參數代號：請用以逗號分隔的十進位數字，例如 13 或 13,16`,
        en: `"${invalid}" in --pace-parameters is not a PACE domain parameter ID: use decimal numbers separated by commas, such as 13 or 13,16`,
      },
    })
  }
  return ids.map(Number)
}

/**
 * Resolves on the first SIGINT or SIGTERM. The card's vpcd connection runs on a
 * thread of the addon, which does not keep Node's event loop alive, so a timer
 * does until the signal comes.
 */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 0x7fffffff)
    const stop = (): void => {
      clearInterval(keepAlive)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/** Registers `sim` (a virtual card for vpcd) and `demo` (every Open API read on an in-process card). */
export function registerSimCommands(program: Command, options: () => GlobalOptions): void {
  program
    .command('sim')
    .description(t('啟動虛擬卡片並連接 vsmartcard 的 vpcd，讓 pcscd 看到它', "start the virtual card and connect it to vsmartcard's vpcd so that pcscd shows it"))
    .option('--persona <id|file>', t(`人物資料：${VirtualCard.personas().join('、')} 或人物檔案路徑`, `persona: ${VirtualCard.personas().join(', ')} or a persona file`), 'lin-mei-ling')
    .option('--host <address>', t('vpcd 的位址', 'vpcd address'), '127.0.0.1')
    .option('--port <port>', t('vpcd 的連接埠：35963 為 Virtual PCD 00 00，35964 為 Virtual PCD 00 01', 'vpcd port: 35963 is Virtual PCD 00 00, 35964 is Virtual PCD 00 01'), '35963')
    .option('--no-extended-length', t('卡片不支援延伸長度 APDU', 'the card offers no extended-length APDUs'))
    .option('--pace-parameters <ids>', t('卡片提供的 PACE 標準參數代號，以逗號分隔', 'standardised PACE domain parameter IDs the card offers, comma-separated'), '13')
    .action(async (commandOptions: { persona: string; host: string; port: string; extendedLength: boolean; paceParameters: string }) => {
      const port = parsePort(commandOptions.port)
      const card = VirtualCard.connectToVpcd({
        persona: commandOptions.persona,
        host: commandOptions.host,
        port,
        extendedLength: commandOptions.extendedLength,
        paceParameterIds: parseParameterIds(commandOptions.paceParameters),
      })
      const slot = port - 35963
      const reader = slot === 0 || slot === 1 ? `Virtual PCD 00 0${slot}` : `vpcd ${commandOptions.host}:${port}`
      const connected = await card.waitUntilPresent(10_000)
      const status = connected
        ? t(`虛擬卡片（${card.persona}）已插入讀卡機「${reader}」，按 Ctrl+C 結束`, `virtual card (${card.persona}) is in reader "${reader}"; press Ctrl+C to stop`)
        : t(`正在等待 vpcd（${commandOptions.host}:${port}）：請確認 pcscd 已啟動並安裝 vsmartcard-vpcd`, `waiting for vpcd at ${commandOptions.host}:${port}: check that pcscd runs and vsmartcard-vpcd is installed`)
      if (options().json) printJson({ persona: card.persona, reader, connected })
      else printLines([status])

      await untilSignal()
      card.stop()
    })

  program
    .command('demo')
    .description(t('在本程式內插入虛擬卡片，示範 Open API 的每一項讀取', 'insert a virtual card in this process and run every Open API read on it'))
    .option('--persona <id|file>', t('人物資料', 'persona'), 'lin-mei-ling')
    .action(async (commandOptions: { persona: string }) => {
      const card = VirtualCard.insert({ persona: commandOptions.persona, reader: 'NewEID Virtual Reader (demo)' })
      try {
        const reader = card.reader
        const terminals = await listCardTerminals()
        const cards = await listEIDs()
        const label = await getEIDLabel({ reader })
        const household = await getEIDHouseholdData({ reader })
        const publicData = await getEIDPublicData(card.can, { reader })
        const trust = await TrustStore.fromDirectory(TEST_PKI)
        const verification = await verifyPassiveAuthentication(publicData.evidence, trust)
        if (options().json) {
          const { ok, checks, signer, signingTime } = verification
          printJson({ terminals, cards, label, household, public: publicDataJson(publicData), passiveAuthentication: { ok, checks, signer, signingTime } })
          return
        }
        const section = (zh: string, en: string): string => `\n== ${t(zh, en)} ==`
        printLines([
          t(`虛擬卡片：${card.persona}（虛構的測試人物）`, `Virtual card: ${card.persona} (a fictitious test persona)`),
          section('讀卡機 ListCardTerminal', 'Readers: ListCardTerminal'),
          ...formatTerminals(terminals),
          section('數位身分識別證 ListEID', 'New eID cards: ListEID'),
          ...formatCards(cards),
          section('卡片描述 GetEIDLabel', 'Label: GetEIDLabel'),
          ...formatLabelLines(label),
          section('戶籍區 GetEIDHouseHoldData', 'Household area: GetEIDHouseHoldData'),
          ...formatHousehold(household),
          section('公開區 GetEIDPublicData（PACE 使用卡片存取碼）', 'Public area: GetEIDPublicData (PACE with the CAN)'),
          ...formatPublic(publicData),
          section('被動認證（機關伺服器端，信任測試用 CSCA）', 'Passive Authentication (agency server side, trusting the test CSCA)'),
          formatVerification(verification),
        ])
      } finally {
        card.stop()
      }
    })
}
