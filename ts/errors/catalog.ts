import type { Localized } from '../i18n.js'

/** Values a message may mention. None of them is ever a secret. */
export interface MessageParameters {
  retriesLeft?: number | undefined
  reader?: string | undefined
  step?: string | undefined
  sw?: string | undefined
  /** The readers involved, such as the readers that each hold a New eID card. */
  readers?: readonly string[] | undefined
}

type MessageTemplate = (parameters: MessageParameters) => Localized

const readerSuffix = (p: MessageParameters, language: 'zh-TW' | 'en'): string => {
  if (p.reader === undefined) return ''
  return language === 'en' ? ` in reader "${p.reader}"` : `（讀卡機「${p.reader}」）`
}

const readerList = (p: MessageParameters, language: 'zh-TW' | 'en'): string => {
  if (p.readers === undefined || p.readers.length === 0) return ''
  return language === 'en' ? ` (${p.readers.map((reader) => `"${reader}"`).join(', ')})` : `（${p.readers.map((reader) => `「${reader}」`).join('、')}）`
}

const triesLeft = (p: MessageParameters, language: 'zh-TW' | 'en'): string => {
  if (p.retriesLeft === undefined) return ''
  return language === 'en' ? `; ${p.retriesLeft} tries left` : `，尚可再試 ${p.retriesLeft} 次`
}

/**
 * Messages of every error code, in Traditional Chinese and English. Each one
 * says what failed and what the user can do next.
 */
export const CATALOG = {
  PCSC_UNAVAILABLE: () => ({
    'zh-TW': '無法使用 PC/SC 讀卡服務：請確認已安裝並啟動讀卡機服務（Linux 為 pcscd，Windows 為 Smart Card 服務）',
    en: 'the PC/SC service is not available: install and start it (pcscd on Linux, the Smart Card service on Windows)',
  }),
  NO_READER: () => ({
    'zh-TW': '找不到讀卡機：請連接讀卡機後再試一次',
    en: 'no card reader found: connect a reader and try again',
  }),
  READER_NOT_FOUND: (p) => ({
    'zh-TW': `找不到指定的讀卡機${readerSuffix(p, 'zh-TW')}：請以 readers 指令列出可用的讀卡機`,
    en: `the requested reader was not found${readerSuffix(p, 'en')}: list the available readers with the readers command`,
  }),
  NO_CARD: (p) => ({
    'zh-TW': `讀卡機中沒有卡片${readerSuffix(p, 'zh-TW')}：請插入數位身分識別證`,
    en: `no card in the reader${readerSuffix(p, 'en')}: insert the New eID card`,
  }),
  SEVERAL_CARDS: (p) => ({
    'zh-TW': `有多個讀卡機中插有數位身分識別證${readerList(p, 'zh-TW')}：請以 --reader 指定要讀取的讀卡機`,
    en: `several readers hold a New eID card${readerList(p, 'en')}: choose one with the reader option`,
  }),
  NOT_NEW_EID: (p) => ({
    'zh-TW': `卡片不是數位身分識別證${readerSuffix(p, 'zh-TW')}`,
    en: `the card is not a New eID card${readerSuffix(p, 'en')}`,
  }),
  CARD_REMOVED: (p) => ({
    'zh-TW': `讀取期間卡片被移除或重置${readerSuffix(p, 'zh-TW')}：請重新插入卡片後再讀取一次，本次讀到的資料不完整，已全部捨棄`,
    en: `the card was removed or reset during the operation${readerSuffix(p, 'en')}: reinsert it and read again; the partial data was discarded`,
  }),
  READER_BUSY: (p) => ({
    'zh-TW': `讀卡機正由其他程式獨占使用${readerSuffix(p, 'zh-TW')}：請關閉該程式後再試一次`,
    en: `another program holds the reader exclusively${readerSuffix(p, 'en')}: close it and try again`,
  }),
  WRONG_CAN: (p) => ({
    'zh-TW': `卡片存取碼（CAN）錯誤：請核對卡片正面印製的 6 位數字${triesLeft(p, 'zh-TW')}`,
    en: `wrong CAN: check the 6 digits printed on the card${triesLeft(p, 'en')}`,
  }),
  WRONG_PIN: (p) => ({
    'zh-TW': `PIN 碼錯誤${triesLeft(p, 'zh-TW')}`,
    en: `wrong PIN${triesLeft(p, 'en')}`,
  }),
  PIN_SUSPENDED: () => ({
    'zh-TW': 'PIN 碼已暫停使用：請先輸入卡片存取碼（CAN）恢復，再輸入 PIN 碼（僅剩最後一次機會）',
    en: 'the PIN is suspended: resume it with the CAN, then enter the PIN (one try left)',
  }),
  PIN_BLOCKED: () => ({
    'zh-TW': 'PIN 碼已鎖定：請以 PIN 碼信封中的 PUK 解鎖，或洽戶政事務所',
    en: 'the PIN is blocked: unblock it with the PUK from the PIN letter, or visit a household registration office',
  }),
  SECURE_MESSAGING_FAILED: () => ({
    'zh-TW': '安全通道驗證失敗：卡片回應未通過訊息鑑別碼檢查，資料已捨棄；請重新讀取，若持續發生請更換讀卡機',
    en: 'secure messaging failed: a card response did not pass the MAC check and was discarded; read again, and change the reader if it persists',
  }),
  ACCESS_DENIED: () => ({
    'zh-TW': '卡片拒絕存取：目前的認證不足以讀取此資料',
    en: 'the card denied access: the current authentication does not allow this read',
  }),
  CARD_ERROR: () => ({
    'zh-TW': '卡片回應非預期的狀態字組：請重新插入卡片後再試一次',
    en: 'the card answered an unexpected status word: reinsert the card and try again',
  }),
  PROTOCOL_ERROR: () => ({
    'zh-TW': '卡片回應的資料格式不符規範：資料已捨棄',
    en: 'the card answered data that does not follow the card profile; it was discarded',
  }),
  CERTIFICATE_REJECTED: () => ({
    'zh-TW': '憑證遭拒',
    en: 'the certificate was rejected',
  }),
  CHALLENGE_INVALID: () => ({
    'zh-TW': '挑戰值無效、已使用或已過期',
    en: 'the challenge is invalid, already used or expired',
  }),
  STORE_UNAVAILABLE: () => ({
    'zh-TW': '無法連線至共用儲存服務',
    en: 'the shared store is not reachable',
  }),
  INVALID_INPUT: () => ({
    'zh-TW': '輸入資料無效',
    en: 'invalid input',
  }),
  UNENCODABLE_CHARACTER: () => ({
    'zh-TW': '文字含有目標編碼無法表示的字元',
    en: 'the text contains characters that the target encoding cannot represent',
  }),
  TIMEOUT: () => ({
    'zh-TW': '操作逾時',
    en: 'the operation timed out',
  }),
  ABORTED: () => ({
    'zh-TW': '操作已取消',
    en: 'the operation was aborted',
  }),
  INTERNAL: () => ({
    'zh-TW': '程式內部錯誤：請回報此問題並附上錯誤代碼與步驟',
    en: 'internal error: please report it with the error code and step',
  }),
} satisfies Record<string, MessageTemplate>

export type ErrorCode = keyof typeof CATALOG

/** Every stable error code, in catalog order. */
export const ERROR_CODES = Object.keys(CATALOG) as ErrorCode[]
