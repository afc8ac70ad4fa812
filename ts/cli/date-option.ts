import { daysInMonth } from '../client/model.js'
import { NewEidError } from '../errors/index.js'

/** `YYYY-MM-DD`, optionally followed by `THH:MM`, seconds, a fraction and `Z` or an offset `±HH:MM`. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?$/

/**
 * Parses a date option such as `--at` in ISO 8601: `2026-01-31` (midnight UTC),
 * `2026-01-31T12:00` (local time) or `2026-01-31T12:00:00Z` (with `Z` or an offset
 * such as `+08:00`). Throws `INVALID_INPUT` for any other text and for a date or
 * time that does not exist, such as 2026-02-30, which `new Date` would read as
 * 2026-03-02. `step` names the failing step in that error.
 */
export function parseDateOption(value: string, option: string, step = 'check.date_option'): Date {
  const match = ISO_DATE.exec(value)
  const date = match === null ? undefined : toDate(value, match)
  if (date === undefined) {
    throw new NewEidError('INVALID_INPUT', {
      step,
      detail: {
        'zh-TW': `${option} 的值「${value}」不是存在的日期或時間：請用 ISO 8601 格式，例如 2026-01-31 或 2026-01-31T12:00:00Z`,
        en: `${option} "${value}" is not an existing date or time: use ISO 8601, such as 2026-01-31 or 2026-01-31T12:00:00Z`,
      },
    })
  }
  return date
}

function toDate(value: string, match: RegExpExecArray): Date | undefined {
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined

  const [hour, minute, second] = [match[4], match[5], match[6]].map((part) => Number(part ?? 0)) as [number, number, number]
  if (hour > 23 || minute > 59 || second > 59) return undefined
  if (match[7] !== undefined && match[7] !== 'Z' && (Number(match[8]) > 23 || Number(match[9]) > 59)) return undefined

  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}
