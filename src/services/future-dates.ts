// Rejects facts dated after today: a record made today cannot know tomorrow (product.md "What bad input gets").
import { bi, type FieldText } from '../errors.ts'

const DATE = /^\d{4}-\d{2}-\d{2}$/
const MONTH = /^\d{4}-\d{2}$/

/**
 * Every date (YYYY-MM-DD) after `today` and every month (YYYY-MM) after today's month, anywhere in
 * `value`, with its path. Region codes and ids never contain a dash, so the shapes cannot be confused.
 */
export function futureDates(value: unknown, path: string, today: string): FieldText[] {
  const out: FieldText[] = []
  const month = today.slice(0, 7)
  const walk = (v: unknown, p: string): void => {
    if (typeof v === 'string') {
      if (DATE.test(v) && v > today)
        out.push({ path: p, message: bi(`${v} 晚于今天（${today}）`, `${v} is after today (${today})`) })
      else if (MONTH.test(v) && v > month)
        out.push({
          path: p,
          message: bi(`${v} 晚于本月（${month}）`, `${v} is after the current month (${month})`),
        })
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${p}.${i}`)
    } else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`)
  }
  walk(value, path)
  return out
}
