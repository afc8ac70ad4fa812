import { readFile } from 'node:fs/promises'

import type { Command } from 'commander'

import { NewEidError, isNewEidError } from '../errors/index.js'
import { getLanguage, type Language } from '../i18n.js'
import { parseDateOption } from './date-option.js'
import { applyLanguage, EXIT_ERROR, reportError, t } from './output.js'
import { verifyPassiveAuthentication, type PassiveAuthenticationEvidence } from '../verify/passive-authentication.js'
import type { PassiveAuthenticationPolicy } from '../verify/policy.js'
import type { Verification } from '../verify/result.js'
import { TrustStore } from '../verify/trust-store.js'

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
} as const

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

/** Formats a verification as text lines in the current language. */
export function formatVerification(verification: Verification, language: Language = getLanguage()): string {
  const lines = [verification.ok ? `✓ ${TEXT.verdictOk[language]}` : `✗ ${TEXT.verdictFailed[language]}`]
  if (verification.signer) lines.push(`  ${TEXT.signer[language]}: ${verification.signer.subject}`)
  for (const check of verification.checks) {
    let mark = '✓'
    if (!check.ok) mark = check.required ? '✗' : '!'
    lines.push(`  ${mark} ${check.name} — ${check.label[language]}: ${check.details[language]}`)
  }
  return lines.join('\n')
}

/**
 * Registers `verify FILE` on a commander program: Passive Authentication of
 * a saved read against the CSCAs and CRLs of a folder. The exit code is 0
 * only if the verification passed, 1 if it failed and 2 on an error.
 * `--json` and `--lang` are the program's global options.
 */
export function registerVerifyCommand(program: Command): Command {
  return program
    .command('verify')
    .description(t('以被動認證（PA）驗證讀取結果（JSON，含 base64 的 evidence.dataGroups 與 evidence.sod）', 'Passive Authentication of a saved read (JSON with evidence.dataGroups and evidence.sod in base64)'))
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
    const trust = await TrustStore.fromDirectory(options.trust)
    const evidence = await readEvidenceFile(file)
    const verification = await verifyPassiveAuthentication(evidence, trust, policy)
    if (options.json) {
      const { ok, signingTime, signer, checks } = verification
      console.log(JSON.stringify({ ok, signingTime, signer, checks, skipped: trust.skipped }, null, 2))
    } else {
      for (const skipped of trust.skipped) console.error(`${TEXT.skipped[getLanguage()]}: ${skipped.file} (${skipped.reason})`)
      console.log(formatVerification(verification))
    }
    return verification.ok ? 0 : 1
  } catch (error) {
    reportError(isNewEidError(error) ? error : new NewEidError('INTERNAL', { step: 'verify', cause: error }), options.json === true)
    return EXIT_ERROR
  }
}
