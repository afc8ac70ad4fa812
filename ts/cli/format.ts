import type { CardTerminal, CivilDate, EIDCard, EIDLabel, HouseholdData, PublicData } from '../client/index.js'
import type { CnsText } from '../text/index.js'
import { t } from './output.js'

const CURVES: Record<number, string> = {
  12: 'NIST P-256',
  13: 'brainpoolP256r1',
  15: 'NIST P-384',
  16: 'brainpoolP384r1',
  17: 'brainpoolP512r1',
  18: 'NIST P-521',
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes).toString('hex').toUpperCase()
}

function yesNo(value: boolean): string {
  return value ? t('是', 'yes') : t('否', 'no')
}

/** Formats a date as 民國 (or 民國前) year and Gregorian date in zh-TW, ISO date in English. */
export function formatDate(date: CivilDate): string {
  const { year, month, day, beforeRoc } = date.roc
  return t(`${beforeRoc ? '民國前' : '民國'} ${year} 年 ${month} 月 ${day} 日（${date.iso}）`, date.iso)
}

/**
 * Notes on characters of a CNS text that need attention: private-use code
 * points display only with the 全字庫 fonts, and unmapped codes show as U+FFFD.
 */
export function cnsNotes(field: string, text: CnsText): string[] {
  const notes: string[] = []
  for (const entry of text.privateUse) {
    const codePoint = `U+${entry.codePoint.toString(16).toUpperCase()}`
    notes.push(
      t(
        `  注意：${field}第 ${entry.index + 1} 字為全字庫 ${entry.code}，對應 Unicode 私用區 ${codePoint}，需安裝全字庫字型才能正確顯示`,
        `  note: character ${entry.index + 1} of the ${field} is CNS ${entry.code}, mapped to private-use ${codePoint}; it displays only with the CNS 11643 (全字庫) fonts`,
      ),
    )
  }
  for (const entry of text.unmapped) {
    notes.push(
      t(
        `  注意：${field}第 ${entry.index + 1} 字為全字庫 ${entry.code}，無對應的 Unicode 字元，以 U+FFFD 顯示`,
        `  note: character ${entry.index + 1} of the ${field} is CNS ${entry.code}, which has no Unicode mapping and shows as U+FFFD`,
      ),
    )
  }
  return notes
}

export function formatTerminals(terminals: CardTerminal[]): string[] {
  if (terminals.length === 0) return [t('沒有讀卡機', 'no card readers')]
  return terminals.map((terminal) => {
    const card = terminal.cardPresent ? t(`有卡片（ATR ${hex(terminal.atr)}）`, `card present (ATR ${hex(terminal.atr)})`) : t('無卡片', 'no card')
    const origin = terminal.inProcess ? t('，本程式內的虛擬卡', ', virtual card in this process') : ''
    return `${terminal.name}${t('：', ': ')}${card}${origin}`
  })
}

export function formatLabelLines(label: EIDLabel): string[] {
  const lines = [
    `${t('讀卡機', 'Reader')}${t('：', ': ')}${label.reader}`,
    `${t('卡片描述', 'Label')}${t('：', ': ')}${label.label}`,
    `${t('規格版本', 'Profile version')}${t('：', ': ')}${label.profileVersion}`,
    `${t('自然人憑證區', 'Citizen certificate area')}${t('：', ': ')}${yesNo(label.citizenCertificateEnabled)}`,
    `${t('非接觸式介面', 'Contactless interface')}${t('：', ': ')}${yesNo(label.contactless)}`,
  ]
  for (const info of label.paceInfos) {
    const curve = info.parameterId === undefined ? '' : ` ${t('參數', 'parameters')} ${info.parameterId}（${CURVES[info.parameterId] ?? '?'}）`
    const support = info.supported ? '' : t('（本程式不支援）', ' (not supported by this client)')
    lines.push(`PACE${t('：', ': ')}${info.protocolName}${curve}${support}`)
  }
  return lines
}

export function formatCards(cards: EIDCard[]): string[] {
  if (cards.length === 0) return [t('沒有插入數位身分識別證的讀卡機', 'no reader holds a New eID card')]
  return cards.map((card) => `${card.reader}${t('：', ': ')}${card.label.label}（${t('規格版本', 'profile version')} ${card.label.profileVersion}）`)
}

export function formatHousehold(data: HouseholdData): string[] {
  return [
    `${t('讀卡機', 'Reader')}${t('：', ': ')}${data.reader}`,
    `${t('縣市', 'County/city')}${t('：', ': ')}${data.county.text}`,
    ...cnsNotes(t('縣市', 'county'), data.county),
    `${t('鄉鎮市區', 'Township/district')}${t('：', ': ')}${data.township.text}`,
    ...cnsNotes(t('鄉鎮市區', 'township'), data.township),
    `${t('村里', 'Village')}${t('：', ': ')}${data.village.text}`,
    ...cnsNotes(t('村里', 'village'), data.village),
    `${t('鄰', 'Neighbourhood')}${t('：', ': ')}${data.neighbourhood}`,
  ]
}

export function formatPublic(data: PublicData): string[] {
  const curve = CURVES[data.pace.parameterId] ?? `${data.pace.parameterId}`
  return [
    `${t('讀卡機', 'Reader')}${t('：', ': ')}${data.reader}`,
    `${t('姓名', 'Name')}${t('：', ': ')}${data.name.text}`,
    ...cnsNotes(t('姓名', 'name'), data.name),
    ...(data.romanizedName === undefined ? [] : [`${t('羅馬拼音', 'Romanized name')}${t('：', ': ')}${data.romanizedName}`]),
    `${t('統一編號', 'ID number')}${t('：', ': ')}${data.idNumber}`,
    `${t('出生日期', 'Birth date')}${t('：', ': ')}${formatDate(data.birthDate)}`,
    `${t('配偶', 'Spouse')}${t('：', ': ')}${data.hasSpouse ? t('有', 'yes') : t('無', 'no')}`,
    `${t('卡號', 'Card number')}${t('：', ': ')}${data.cardNumber}`,
    `${t('製證日期', 'Card made')}${t('：', ': ')}${formatDate(data.cardMadeDate)}`,
    `${t('應換領日期', 'Renew by')}${t('：', ': ')}${formatDate(data.renewByDate)}`,
    `${t('戶籍地址', 'Household address')}${t('：', ': ')}${data.address.text}`,
    ...cnsNotes(t('戶籍地址', 'address'), data.address),
    `${t('役別', 'Military service')}${t('：', ': ')}${data.militaryService.text}`,
    `${t('相片', 'Photo')}${t('：', ': ')}${data.photo.mediaType}${t('，', ', ')}${data.photo.bytes.length} ${t('位元組', 'bytes')}`,
    `${t('讀取的資料群組', 'Data groups read')}${t('：', ': ')}${[...data.evidence.dataGroups.keys()].map((n) => `DG${n}`).join(' ')}${t('，另有', ' plus')} EF.SOD.Public（${data.evidence.sod.length} ${t('位元組', 'bytes')}）`,
    `${t('安全通道', 'Secure channel')}${t('：', ': ')}${data.pace.protocolName}${t('，', ', ')}${curve}${t('，', ', ')}${data.extendedLength ? t('延伸長度 APDU', 'extended-length APDUs') : t('短長度 APDU', 'short APDUs')}`,
  ]
}
