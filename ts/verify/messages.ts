import type { Language, Localized } from '../i18n.js'

type Params = Record<string, string>
type Template = (p: Params) => Localized

const basisText = (basis: string | undefined, language: Language): string => {
  if (language === 'en') return basis ?? ''
  switch (basis) {
    case 'now':
      return '以目前時間'
    case 'signing time':
      return '以簽署時間'
    case 'given time':
      return '以指定時間'
    default:
      return basis ?? ''
  }
}

/**
 * Reasons of Passive Authentication checks, by the stable code that the
 * native layer sets, in Traditional Chinese and English.
 */
export const DETAIL_TEMPLATES: Record<string, Template> = {
  decoded: (p) => ({ 'zh-TW': `已解析 ${p.structure}`, en: `${p.structure} decoded` }),
  malformed: (p) => ({ 'zh-TW': `格式錯誤：${p.error}`, en: `malformed: ${p.error}` }),
  content_type: (p) => ({ 'zh-TW': `內容類型為 ${p.oid}`, en: `eContentType is ${p.oid}` }),
  content_type_mismatch: (p) => ({
    'zh-TW': `內容類型為 ${p.found}，應為 ${p.expected}`,
    en: `eContentType is ${p.found}, expected ${p.expected}`,
  }),
  signed_attributes_missing: () => ({
    'zh-TW': 'SignerInfo 缺少簽署屬性（signed attributes）',
    en: 'the SignerInfo has no signed attributes',
  }),
  attribute_missing: (p) => ({ 'zh-TW': `缺少簽署屬性 ${p.attribute}`, en: `signed attribute ${p.attribute} is missing` }),
  attribute_malformed: (p) => ({
    'zh-TW': `簽署屬性 ${p.attribute} 格式錯誤：${p.error}`,
    en: `signed attribute ${p.attribute} is malformed: ${p.error}`,
  }),
  attribute_matches: (p) => ({
    'zh-TW': `簽署屬性 ${p.attribute} 與 ${p.value} 相符`,
    en: `signed attribute ${p.attribute} matches ${p.value}`,
  }),
  attribute_mismatch: (p) => ({
    'zh-TW': `簽署屬性 ${p.attribute} 為 ${p.found}，應為 ${p.expected}`,
    en: `signed attribute ${p.attribute} is ${p.found}, expected ${p.expected}`,
  }),
  digest_matches: (p) => ({
    'zh-TW': `內容的 ${p.algorithm} 雜湊值與 messageDigest 屬性相符`,
    en: `${p.algorithm} of the content matches the messageDigest attribute`,
  }),
  digest_mismatch: (p) => ({
    'zh-TW': `內容的 ${p.algorithm} 雜湊值為 ${p.actual}，但 messageDigest 屬性為 ${p.expected}`,
    en: `${p.algorithm} of the content is ${p.actual}, but the messageDigest attribute is ${p.expected}`,
  }),
  algorithm_allowed: (p) => ({ 'zh-TW': `${p.algorithm} 符合驗證政策`, en: `${p.algorithm} is allowed` }),
  algorithm_not_allowed: (p) => ({
    'zh-TW': `驗證政策不允許 ${p.algorithm}（允許：${p.allowed}）`,
    en: `${p.algorithm} is not allowed by the policy (allowed: ${p.allowed})`,
  }),
  algorithm_unsupported: (p) => ({ 'zh-TW': `不支援的演算法：${p.error}`, en: `unsupported algorithm: ${p.error}` }),
  signature_valid: (p) => ({
    'zh-TW': `${p.scheme} 簽章以 ${p.key} 金鑰驗證成功`,
    en: `${p.scheme} signature verifies with the ${p.key} key`,
  }),
  signature_invalid: (p) => ({
    'zh-TW': `${p.scheme} 簽章無法以 ${p.key} 金鑰驗證：資料可能遭竄改`,
    en: `${p.scheme} signature does not verify with the ${p.key} key: the data may have been altered`,
  }),
  key_mismatch: (p) => ({
    'zh-TW': `${p.scheme} 無法搭配 ${p.key} 金鑰使用`,
    en: `${p.scheme} cannot be used with the ${p.key} key`,
  }),
  signing_time: (p) => ({ 'zh-TW': `簽署時間 ${p.time}`, en: `signed at ${p.time}` }),
  signing_time_missing: () => ({
    'zh-TW': '缺少 signingTime 屬性，但驗證政策要求以簽署時間檢查效期',
    en: 'the signingTime attribute is missing, but the policy checks validity at signing time',
  }),
  certificate_found: (p) => ({
    'zh-TW': `簽署者憑證 ${p.subject}（序號 ${p.serial}）`,
    en: `signer certificate ${p.subject} (serial ${p.serial})`,
  }),
  certificate_not_found: (p) => ({
    'zh-TW': `SignedData 中沒有符合簽署者識別（${p.sid}）的憑證`,
    en: `no certificate in the SignedData matches the signer identifier ${p.sid}`,
  }),
  certificate_malformed: (p) => ({
    'zh-TW': `簽署者憑證無法解析：${p.error}`,
    en: `the signer certificate does not parse: ${p.error}`,
  }),
  issuer_found: (p) => ({ 'zh-TW': `由受信任的 CSCA ${p.issuer} 簽發`, en: `issued by trusted CSCA ${p.issuer}` }),
  issuer_not_trusted: (p) => ({
    'zh-TW': `信任清單中沒有名稱為 ${p.issuer} 且金鑰識別碼相符的 CSCA：簽署者不受信任`,
    en: `no CSCA in the trust store has the issuer name ${p.issuer} and a matching key identifier`,
  }),
  certificate_signature_valid: (p) => ({
    'zh-TW': `憑證簽章以 ${p.issuer} 的金鑰驗證成功`,
    en: `certificate signature verifies with the key of ${p.issuer}`,
  }),
  certificate_signature_invalid: (p) => ({
    'zh-TW': `憑證簽章無法以任何名稱為 ${p.issuer} 的 CSCA 金鑰驗證`,
    en: `certificate signature does not verify with the key of any CSCA named ${p.issuer}`,
  }),
  link_signature_valid: (p) => ({
    'zh-TW': `CSCA 鏈結憑證 ${p.subject} 由 ${p.issuer} 簽發`,
    en: `link certificate ${p.subject} is signed by ${p.issuer}`,
  }),
  link_not_anchored: (p) => ({
    'zh-TW': `CSCA 鏈結憑證 ${p.subject} 無法連結到信任清單中的自簽 CSCA`,
    en: `CSCA link certificate ${p.subject} does not chain to a self-signed CSCA in the trust store`,
  }),
  valid_at: (p) => ({
    'zh-TW': `${p.subject} ${basisText(p.basis, 'zh-TW')}（${p.at}）在效期內（${p.not_before} 至 ${p.not_after}）`,
    en: `${p.subject} is valid at ${p.at} (${p.basis}; valid ${p.not_before} to ${p.not_after})`,
  }),
  not_yet_valid: (p) => ({
    'zh-TW': `${p.subject} ${basisText(p.basis, 'zh-TW')}（${p.at}）尚未生效（效期 ${p.not_before} 至 ${p.not_after}）`,
    en: `${p.subject} is not yet valid at ${p.at} (${p.basis}; valid ${p.not_before} to ${p.not_after})`,
  }),
  expired: (p) => ({
    'zh-TW': `${p.subject} ${basisText(p.basis, 'zh-TW')}（${p.at}）已過期（效期 ${p.not_before} 至 ${p.not_after}）`,
    en: `${p.subject} has expired at ${p.at} (${p.basis}; valid ${p.not_before} to ${p.not_after})`,
  }),
  key_usage_ok: () => ({ 'zh-TW': '金鑰用途允許數位簽章', en: 'key usage allows digital signatures' }),
  key_usage_missing: () => ({
    'zh-TW': '金鑰用途不含 digitalSignature',
    en: 'key usage does not include digitalSignature',
  }),
  not_revoked: (p) => ({
    'zh-TW': `序號 ${p.serial} 不在 ${p.issuer} 於 ${p.this_update} 發布的廢止清單中`,
    en: `serial ${p.serial} is not on the CRL of ${p.issuer} issued ${p.this_update}`,
  }),
  revoked: (p) => ({
    'zh-TW': `序號 ${p.serial} 已於 ${p.revocation_date} 被 ${p.issuer} 廢止`,
    en: `serial ${p.serial} was revoked on ${p.revocation_date} by the CRL of ${p.issuer}`,
  }),
  crl_stale: (p) => ({
    'zh-TW': `${p.issuer} 最新的廢止清單已於 ${p.next_update} 過期（檢查時間 ${p.at}）：請更新廢止清單`,
    en: `the newest CRL of ${p.issuer} expired at ${p.next_update} (next update), checked at ${p.at}: update the CRL`,
  }),
  no_crl: (p) => ({
    'zh-TW': `信任清單中沒有 CSCA ${p.issuer} 簽發的廢止清單`,
    en: `no CRL signed by CSCA ${p.issuer} in the trust store`,
  }),
  revocation_not_checked: () => ({
    'zh-TW': '驗證政策設定為不檢查廢止狀態',
    en: 'the policy does not check revocation',
  }),
  hash_matches: (p) => ({
    'zh-TW': `DG${p.dg} 的 ${p.algorithm} 雜湊值與安全物件相符`,
    en: `DG${p.dg} ${p.algorithm} matches the security object`,
  }),
  hash_mismatch: (p) => ({
    'zh-TW': `DG${p.dg} 的 ${p.algorithm} 雜湊值為 ${p.actual}，但安全物件記載 ${p.expected}：資料與卡片簽署內容不符`,
    en: `DG${p.dg} ${p.algorithm} is ${p.actual}, but the security object lists ${p.expected}`,
  }),
  not_in_sod: (p) => ({
    'zh-TW': `已讀取 DG${p.dg}，但安全物件中沒有它的雜湊值`,
    en: `DG${p.dg} was read but the security object has no hash for it`,
  }),
  not_read: (p) => ({
    'zh-TW': `安全物件記載 DG${p.dg}，但未讀取`,
    en: `the security object lists DG${p.dg}, which was not read`,
  }),
  security_infos: (p) => ({ 'zh-TW': `共 ${p.count} 筆 SecurityInfo`, en: `${p.count} SecurityInfo entries` }),
  certificate_list: (p) => ({ 'zh-TW': `主清單含 ${p.count} 張憑證`, en: `${p.count} certificates in the master list` }),
  digest_algorithm_listed: (p) => ({
    'zh-TW': `SignedData 的 digestAlgorithms 列有 ${p.oid}`,
    en: `SignedData digestAlgorithms lists ${p.oid}`,
  }),
  digest_algorithm_not_listed: (p) => ({
    'zh-TW': `SignerInfo 使用雜湊演算法 ${p.oid}，但 SignedData 的 digestAlgorithms 只列出 ${p.listed}：結構遭修改或編碼錯誤`,
    en: `the SignerInfo uses digest algorithm ${p.oid}, but SignedData digestAlgorithms lists ${p.listed}`,
  }),
  no_data_group_read: (p) => ({
    'zh-TW': `未讀取安全物件所列的任何資料群組（提供了 ${p.read} 個），因此沒有驗證到任何資料`,
    en: `no data group that the security object lists was read (${p.read} given), so no data was verified`,
  }),
}

const CHECK_LABELS: Record<string, Localized> = {
  format: { 'zh-TW': '結構', en: 'structure' },
  content_type: { 'zh-TW': '內容類型', en: 'content type' },
  digest_algorithm: { 'zh-TW': '雜湊演算法', en: 'digest algorithm' },
  digest_algorithms: { 'zh-TW': '雜湊演算法清單', en: 'digestAlgorithms set' },
  hash_algorithm: { 'zh-TW': '資料群組雜湊演算法', en: 'data group hash algorithm' },
  signed_attributes: { 'zh-TW': '簽署屬性', en: 'signed attributes' },
  content_type_attribute: { 'zh-TW': '內容類型屬性', en: 'contentType attribute' },
  message_digest: { 'zh-TW': '訊息摘要', en: 'message digest' },
  signing_time: { 'zh-TW': '簽署時間', en: 'signing time' },
  certificate: { 'zh-TW': '簽署者憑證', en: 'signer certificate' },
  signature: { 'zh-TW': '簽章', en: 'signature' },
  issuer: { 'zh-TW': '簽發者', en: 'issuer' },
  certificate_signature: { 'zh-TW': '憑證簽章', en: 'certificate signature' },
  link_signature: { 'zh-TW': '鏈結憑證簽章', en: 'link certificate signature' },
  validity: { 'zh-TW': '效期', en: 'validity' },
  link_validity: { 'zh-TW': '鏈結憑證效期', en: 'link certificate validity' },
  key_usage: { 'zh-TW': '金鑰用途', en: 'key usage' },
  crl_status: { 'zh-TW': '廢止狀態', en: 'revocation status' },
  security_infos: { 'zh-TW': '安全資訊', en: 'security infos' },
  certificates: { 'zh-TW': '憑證清單', en: 'certificate list' },
  hash: { 'zh-TW': '雜湊值', en: 'hash' },
  not_in_sod: { 'zh-TW': '不在安全物件中', en: 'not in the security object' },
  not_read: { 'zh-TW': '未讀取', en: 'not read' },
  none_read: { 'zh-TW': '一個也未讀取', en: 'none read' },
}

const SUBJECT_LABELS: Record<string, Localized> = {
  sod: { 'zh-TW': '安全物件（EF.SOD）', en: 'security object (EF.SOD)' },
  lds: { 'zh-TW': 'LDS 安全物件', en: 'LDS security object' },
  card_security: { 'zh-TW': 'EF.CardSecurity', en: 'EF.CardSecurity' },
  master_list: { 'zh-TW': 'CSCA 主清單', en: 'CSCA master list' },
  ds: { 'zh-TW': '文件簽署者（DS）', en: 'Document Signer' },
  ml_signer: { 'zh-TW': '主清單簽署者', en: 'master list signer' },
  csca: { 'zh-TW': 'CSCA', en: 'CSCA' },
  dg: { 'zh-TW': '資料群組', en: 'data groups' },
}

/** Renders a check reason; an unknown code is shown with its parameters. */
export function renderDetail(code: string, params: Params): Localized {
  const template = DETAIL_TEMPLATES[code]
  if (template) return template(params)
  const fallback = `${code} ${JSON.stringify(params)}`
  return { 'zh-TW': fallback, en: fallback }
}

/** Returns a human label for a check name such as `dg7.hash` or `ds.validity`. */
export function checkLabel(name: string): Localized {
  const [subject = '', aspect = ''] = name.split('.', 2)
  const group = /^dg(\d+)$/.exec(subject)
  const subjectLabel = group ? { 'zh-TW': `DG${group[1]}`, en: `DG${group[1]}` } : SUBJECT_LABELS[subject] ?? { 'zh-TW': subject, en: subject }
  const aspectLabel = CHECK_LABELS[aspect] ?? { 'zh-TW': aspect, en: aspect }
  return {
    'zh-TW': `${subjectLabel['zh-TW']} ${aspectLabel['zh-TW']}`,
    en: `${subjectLabel.en} ${aspectLabel.en}`,
  }
}
