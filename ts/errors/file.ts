import type { Localized } from '../i18n.js'
import { NewEidError } from './index.js'

/** Messages for the `errno` codes that reading a file usually fails with. */
const REASONS: Record<string, (file: string) => Localized> = {
  ENOENT: (file) => ({ 'zh-TW': `找不到檔案「${file}」`, en: `file "${file}" not found` }),
  EACCES: (file) => ({ 'zh-TW': `沒有讀取檔案「${file}」的權限`, en: `permission denied reading "${file}"` }),
  EPERM: (file) => ({ 'zh-TW': `沒有讀取檔案「${file}」的權限`, en: `permission denied reading "${file}"` }),
  EISDIR: (file) => ({ 'zh-TW': `「${file}」是資料夾，不是檔案`, en: `"${file}" is a folder, not a file` }),
  ENOTDIR: (file) => ({ 'zh-TW': `路徑「${file}」中有一段不是資料夾`, en: `a part of the path "${file}" is not a folder` }),
}

/**
 * Returns an `INVALID_INPUT` error for a file that could not be read, with a
 * localized message naming the file. Node's own English text (`ENOENT: no such
 * file or directory, open …`) stays in `cause`; an `errno` code without a message
 * of its own is shown as a technical detail.
 */
export function fileReadError(file: string, cause: unknown, step?: string): NewEidError {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined
  const reason = code === undefined ? undefined : REASONS[code]
  const detail: Localized =
    reason === undefined
      ? { 'zh-TW': `無法讀取檔案「${file}」（技術細節：${code ?? String(cause)}）`, en: `cannot read "${file}" (${code ?? String(cause)})` }
      : reason(file)
  return new NewEidError('INVALID_INPUT', { ...(step === undefined ? {} : { step }), detail, cause })
}
