// Rejects facts dated after today: a record made today cannot know tomorrow (product.md "What bad input gets").
import { bi, type FieldText } from '../errors.ts'

const DATE = /^\d{4}-\d{2}-\d{2}$/
const MONTH = /^\d{4}-\d{2}$/

/**
 * Every date (YYYY-MM-DD) after `today` and every month (YYYY-MM) after today's month, anywhere in
 * `value`, with its path. Region codes and ids never contain a dash, so the shapes cannot be confused.
 * Runs on every scoring request: the path of a value is joined only when the value is refused.
 */
export function futureDates(value: unknown, path: string, today: string): FieldText[] {
  const out: FieldText[] = []
  visit(value, [path], { today, month: today.slice(0, 7), out })
  return out
}

interface Walk {
  today: string
  month: string
  out: FieldText[]
}

function visit(v: unknown, at: (string | number)[], w: Walk): void {
  if (typeof v === 'string') {
    // only a 10- or 7-character string can be a date or a month: the others skip the patterns
    if (v.length === 10 && v > w.today && DATE.test(v)) {
      const { today } = w
      w.out.push({
        path: at.join('.'),
        message: bi(`${v} 晚于今天（${today}）`, `${v} is after today (${today})`),
      })
    } else if (v.length === 7 && v > w.month && MONTH.test(v)) {
      const { month } = w
      w.out.push({
        path: at.join('.'),
        message: bi(`${v} 晚于本月（${month}）`, `${v} is after the current month (${month})`),
      })
    }
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      at.push(i)
      visit(v[i], at, w)
      at.pop()
    }
  } else if (v !== null && typeof v === 'object') {
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue
      at.push(k)
      visit((v as Record<string, unknown>)[k], at, w)
      at.pop()
    }
  }
}
