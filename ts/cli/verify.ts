import { readFile } from 'node:fs/promises'

import type { Command } from 'commander'

import { NewEidError, isNewEidError } from '../errors/index.js'
import { getLanguage, type Language } from '../i18n.js'
import { parseDateOption } from './date-option.js'
import { cnsNotes, formatDate } from './format.js'
import { applyLanguage, EXIT_ERROR, jsonReplacer, reportError, t } from './output.js'
import type { PassiveAuthenticationEvidence } from '../verify/evidence.js'
import type { PassiveAuthenticationPolicy } from '../verify/policy.js'
import { verifyAndDecode, type PublicEvidenceFields } from '../verify/public-read.js'
import type { Verification } from '../verify/result.js'
import { TrustStore, type SkippedFile } from '../verify/trust-store.js'

interface VerifyOptions {
  trust: string
  crlRequired?: boolean
  at?: string
  json?: boolean
  lang?: string
}

const TEXT = {
  verdictOk: { 'zh-TW': '被動認證通過', en: 'Passive Authentication passed' },
  verdictFailed: { 'zh-TW': '被動認證未通過', en: 'Passive Authentication failed' },
  signer: { 'zh-TW': '簽署者', en: 'signer' },
  skipped: { 'zh-TW': '略過信任清單檔案', en: 'skipped trust store file' },
  fields: { 'zh-TW': '以下欄位解析自已驗證的資料群組：', en: 'Fields decoded from the verified data groups:' },
  noFields: {
    'zh-TW': '讀取結果未通過驗證，不顯示其中的欄位',
    en: 'the read did not verify, so its fields are not shown',
  },
  fieldsFailed: { 'zh-TW': '已驗證的資料群組無法解析', en: 'the verified data groups do not decode' },
} as const

/** Kinds of skipped files that a PKI's output folder normally contains (private keys, the DS certificate): counted, not listed. */
const EXPECTED_SKIPS = new Set(['private_key', 'not_ca'])

/** Reads a saved read: `{ evidence: { dataGroups, sod } }`, or those keys at the top level. */
export async function readEvidenceFile(file: string): Promise<PassiveAuthenticationEvidence> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new NewEidError('INVALID_INPUT', { step: 'verify.read_file', detail: `${file}: ${(error as Error).message}`, cause: error })
  }
  const root = parsed as { evidence?: unknown; dataGroups?: unknown; sod?: unknown }
  const evidence = (root && typeof root === 'object' && root.evidence && typeof root.evidence === 'object' ? root.evidence : root) as {
    dataGroups?: unknown
    sod?: unknown
  }
  if (!evidence || typeof evidence.dataGroups !== 'object' || evidence.dataGroups === null || typeof evidence.sod !== 'string') {
    throw new NewEidError('INVALID_INPUT', {
      step: 'verify.read_file',
      detail: `${file}: expected { "evidence": { "dataGroups": { "1": "<base64>", ... }, "sod": "<base64>" } }`,
    })
  }
  return { dataGroups: evidence.dataGroups as Record<string, string>, sod: evidence.sod }
}

/** Formats a verification as text lines in the current language, with the verified fields under the verdict. */
export function formatVerification(verification: Verification, language: Language = getLanguage(), data?: PublicEvidenceFields): string {
  const lines = [verification.ok ? `✓ ${TEXT.verdictOk[language]}` : `✗ ${TEXT.verdictFailed[language]}`]
  if (verification.signer) lines.push(`  ${TEXT.signer[language]}: ${verification.signer.subject}`)
  if (data !== undefined) lines.push(`  ${TEXT.fields[language]}`, ...formatFields(data).map((line) => `    ${line.trimStart()}`))
  else if (!verification.ok) lines.push(`  ${TEXT.noFields[language]}`)
  for (const check of verification.checks) {
    let mark = '✓'
    if (!check.ok) mark = check.required ? '✗' : '!'
    lines.push(`  ${mark} ${check.name} — ${check.label[language]}: ${check.details[language]}`)
  }
  return lines.join('\n')
}

/** Formats the fields decoded from verified evidence, one per line, in the current language. */
export function formatFields(data: PublicEvidenceFields): string[] {
  const field = (zh: string, en: string, value: string) => `${t(zh, en)}${t('：', ': ')}${value}`
  const lines = [field('姓名', 'Name', data.name.text), ...cnsNotes(t('姓名', 'name'), data.name)]
  if (data.romanizedName !== undefined) lines.push(field('羅馬拼音', 'Romanized name', data.romanizedName))
  lines.push(
    field('統一編號', 'ID number', data.idNumber),
    field('出生日期', 'Birth date', formatDate(data.birthDate)),
    field('配偶', 'Spouse', data.hasSpouse ? t('有', 'yes') : t('無', 'no')),
    field('卡號', 'Card number', data.cardNumber),
    field('製證日期', 'Card made', formatDate(data.cardMadeDate)),
    field('應換領日期', 'Renew by', formatDate(data.renewByDate)),
    field('戶籍地址', 'Household address', data.address.text),
    ...cnsNotes(t('戶籍地址', 'address'), data.address),
    field('役別', 'Military service', data.militaryService.text),
    field('相片', 'Photo', `${data.photo.mediaType}${t('，', ', ')}${data.photo.bytes.length} ${t('位元組', 'bytes')}`),
  )
  const household = data.household
  if (household !== undefined) {
    const area = `${household.county.text}${household.township.text}${household.village.text} ${household.neighbourhood} ${t('鄰', '(neighbourhood)')}`
    lines.push(field('戶籍區（DG1）', 'Household area (DG1)', area))
  }
  return lines
}

/**
 * Writes the skipped trust store files to standard error: private keys and
 * non-CA certificates, which a PKI folder normally holds, as one count
 * line, and every other skipped file on a line of its own.
 */
function reportSkipped(skipped: SkippedFile[], language: Language): void {
  const keys = skipped.filter((entry) => entry.kind === 'private_key').length
  const nonCa = skipped.filter((entry) => entry.kind === 'not_ca').length
  if (keys + nonCa > 0) {
    console.error(
      language === 'en'
        ? `trust store folder: left out ${keys} private key file(s) and ${nonCa} non-CA certificate(s)`
        : `信任清單資料夾：略過 ${keys} 個私鑰檔與 ${nonCa} 張非 CA 憑證`,
    )
  }
  for (const entry of skipped) {
    if (!EXPECTED_SKIPS.has(entry.kind)) console.error(`${TEXT.skipped[language]}: ${entry.file} (${entry.reason})`)
  }
}

/** Loads the trust folder and fails with `INVALID_INPUT` when it gives no CSCA, which is a configuration error. */
async function loadTrust(folder: string): Promise<TrustStore> {
  const trust = await TrustStore.fromDirectory(folder)
  if (trust.certificates.length === 0) {
    const skipped = trust.skipped.length
    throw new NewEidError('INVALID_INPUT', {
      step: 'verify.trust',
      detail: {
        'zh-TW': `信任清單資料夾 ${folder} 中沒有可用的 CSCA 憑證（略過 ${skipped} 個檔案）：請放入 CSCA 憑證（PEM 或 DER）`,
        en: `the trust store folder ${folder} holds no usable CSCA certificate (${skipped} file(s) skipped): add the CSCA certificates, PEM or DER`,
      },
    })
  }
  return trust
}

/**
 * Registers `verify FILE` on a commander program: Passive Authentication of
 * a saved read against the CSCAs and CRLs of a folder, and the holder's
 * fields decoded from the verified data groups (never the fields saved in
 * the file). The exit code is 0 only if the verification passed, 1 if it
 * failed and 2 on an error, including a trust folder without any CSCA.
 * `--json` and `--lang` are the program's global options.
 */
export function registerVerifyCommand(program: Command): Command {
  return program
    .command('verify')
    .description(
      t(
        '以被動認證（PA）驗證讀取結果（JSON，含 base64 的 evidence.dataGroups 與 evidence.sod），通過時列出從已驗證資料群組解析的欄位',
        'Passive Authentication of a saved read (JSON with evidence.dataGroups and evidence.sod in base64); prints the fields decoded from the verified data groups when it passes',
      ),
    )
    .argument('<file>', t('讀取結果 JSON 檔，例如 neweid public --json 的輸出', 'saved read, JSON, such as the output of neweid public --json'))
    .requiredOption('--trust <dir>', t('CSCA 憑證與憑證廢止清單（PEM 或 DER）所在的資料夾', 'folder of CSCA certificates and CRLs, PEM or DER'))
    .option('--crl-required', t('資料夾中必須有該 CSCA 的有效憑證廢止清單', 'fail unless a current CRL of the CSCA is in the folder'))
    .option('--at <date>', t('以此 ISO 8601 時間檢查憑證效期，預設為現在', 'check certificate validity at this ISO 8601 date instead of now'))
    .action(async (file: string, _options: VerifyOptions, command: Command) => {
      process.exitCode = await runVerify(file, command.optsWithGlobals<VerifyOptions>())
    })
}

async function runVerify(file: string, options: VerifyOptions): Promise<number> {
  try {
    applyLanguage(options.lang)
    const policy: PassiveAuthenticationPolicy = {}
    if (options.crlRequired) policy.crl = 'required'
    if (options.at !== undefined) policy.validityTime = parseDateOption(options.at, '--at', 'verify.options')
    const trust = await loadTrust(options.trust)
    const evidence = await readEvidenceFile(file)
    const { verification, data, decodeError } = await verifyAndDecode({ evidence }, trust, policy)
    if (options.json) {
      const { ok, signingTime, signer, checks } = verification
      const output: Record<string, unknown> = { ok, signingTime, signer, checks, skipped: trust.skipped }
      if (data !== undefined) output.data = data
      if (decodeError !== undefined) output.dataError = decodeError.toJSON()
      console.log(JSON.stringify(output, jsonReplacer, 2))
    } else {
      const language = getLanguage()
      reportSkipped(trust.skipped, language)
      console.log(formatVerification(verification, language, data))
      if (decodeError !== undefined) console.error(`${TEXT.fieldsFailed[language]}${t('：', ': ')}${decodeError.message}`)
    }
    return verification.ok ? 0 : 1
  } catch (error) {
    reportError(isNewEidError(error) ? error : new NewEidError('INTERNAL', { step: 'verify', cause: error }), options.json === true)
    return EXIT_ERROR
  }
}
