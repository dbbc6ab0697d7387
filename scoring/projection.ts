// Dated projection: the score on each month-end up to a date if only time passes, by re-evaluating the same facts.
import type { Applicant } from '../schema/applicant.ts'
import type { PointsResult } from '../schema/result.ts'
import { addMonths, type DayNumber, dayOf, dayParts, daysInMonth, fromDay, toDay } from './calendar.ts'
import type { CompiledTable, EvalContext } from './compile.ts'
import { fromScaled, toScaled } from './exact.ts'

/** Only the public entry point is used: the engine's internals may move, its evaluation stays. */
export type PointsEvaluator = Pick<CompiledTable, 'evaluatePoints'>

/** The window drawn when the caller names no date: 36 months after the as-of date. */
export const DEFAULT_PROJECTION_MONTHS = 36
/** The furthest a caller may look ahead: a projection evaluates once per month-end (~120 evaluations). */
export const MAX_PROJECTION_MONTHS = 120
/** "Never" is claimed only when no item rose over this many months at the end of the window. */
const STILL_MONTHS = 12

export interface ProjectionPoint {
  date: string
  total: number
  /** the score could be used on that date (every gate passed: not frozen, permit valid …) */
  eligible: boolean
}

export interface TargetOutcome {
  points: number
  /** the caller's date, or null when the target was looked for over the default window */
  by: string | null
  /** the first day in the window on which the total is at least the target; null when it is not reached */
  reachedOn: string | null
  /** whether the score can be used on `reachedOn` (gates passed); null when not reached */
  eligibleThen: boolean | null
  /** target − the highest total in the window, when not reached; null when reached */
  short: number | null
  /**
   * true when not reached and nothing that time moves raised any item over the last 12 months of the
   * window: accrual alone will not reach the target
   */
  never: boolean
  /** why it is not reached, in words (Chinese, like the result's labels); null when reached */
  reason: string | null
}

export interface Projection {
  from: string
  to: string
  /** the as-of date, then each month-end after it up to `to`, then `to` itself when it is not a month-end */
  points: ProjectionPoint[]
  target: TargetOutcome | null
}

/** The last day of the month of `day`. */
function monthEnd(day: DayNumber): DayNumber {
  const p = dayParts(day)
  return dayOf(p.year, p.month, daysInMonth(p.year, p.month))
}

/** The default end of a window: the month-end of the date `months` after `from`. */
export function defaultProjectionEnd(from: string, months = DEFAULT_PROJECTION_MONTHS): string {
  return fromDay(monthEnd(addMonths(toDay(from), months)))
}

/** The latest date a caller may name: `MAX_PROJECTION_MONTHS` after `from`. */
export function latestProjectionEnd(from: string): string {
  return fromDay(addMonths(toDay(from), MAX_PROJECTION_MONTHS))
}

/** The dates of a window: `from`, each month-end after it up to `to`, and `to`. */
export function projectionDates(from: string, to: string): string[] {
  const start = toDay(from)
  const end = toDay(to)
  const days = [start]
  for (let d = monthEnd(start); d <= end; d = monthEnd(d + 1)) if (d > start) days.push(d)
  if (days[days.length - 1] !== end && end > start) days.push(end)
  return days.map(fromDay)
}

/**
 * Scores `applicant` on each date of the window [ctx.asOf, to] with the same facts and table: a fresh
 * evaluation as of that date, so the projected score on a date is by construction what an evaluation
 * as of it gives (insurance and residence months accrue, open employment runs go on, the age moves, a
 * freeze ends on its date). Nothing is added: no endorsement, no new period. With a target, the first
 * day it is reached: the first window date whose total reaches it, then the days before that date back
 * to the previous window date, each evaluated.
 */
export function projectPoints(
  table: PointsEvaluator,
  applicant: Applicant,
  ctx: EvalContext,
  to: string,
  target?: { points: number; by?: string | null },
): Projection {
  const base = table.evaluatePoints(applicant, ctx)
  // the applicant's hash is the same on every date: computed once, not per evaluation
  const at = (date: string): PointsResult =>
    date === ctx.asOf
      ? base
      : table.evaluatePoints(applicant, { ...ctx, asOf: date, factsSha256: base.factsSha256 })
  const dates = projectionDates(ctx.asOf, to)
  const results = dates.map(at)
  const points = results.map((r, i) => ({ date: dates[i], total: r.total, eligible: r.eligible }))
  return {
    from: ctx.asOf,
    to,
    points,
    target: target === undefined ? null : targetOutcome(target, dates, results, at),
  }
}

function targetOutcome(
  target: { points: number; by?: string | null },
  dates: readonly string[],
  results: readonly PointsResult[],
  at: (date: string) => PointsResult,
): TargetOutcome {
  const goal = toScaled(target.points)
  const by = target.by ?? null
  const k = results.findIndex((r) => toScaled(r.total) >= goal)
  if (k >= 0) {
    let day = toDay(dates[k])
    let reached = results[k]
    // the day it happens may lie before the window date that first shows it
    if (k > 0) {
      for (let d = toDay(dates[k - 1]) + 1; d < day; d++) {
        const r = at(fromDay(d))
        if (toScaled(r.total) >= goal) {
          day = d
          reached = r
          break
        }
      }
    }
    return {
      points: target.points,
      by,
      reachedOn: fromDay(day),
      eligibleThen: reached.eligible,
      short: null,
      never: false,
      reason: null,
    }
  }
  const best = Math.max(...results.map((r) => toScaled(r.total)))
  const short = fromScaled(goal - best)
  const last = results[results.length - 1]
  // the window date STILL_MONTHS before the end (or the first): what rose since then still rises
  const endDay = toDay(dates[dates.length - 1])
  const stillFrom = addMonths(endDay, -STILL_MONTHS)
  let s = 0
  while (s + 1 < dates.length && toDay(dates[s + 1]) <= stillFrom) s++
  const earlier = results[s]
  const first = results[0]
  const rising = last.items.filter((item, i) => item.points > earlier.items[i].points).map((i) => i.label)
  // an item at its cap whose count still grew over the window: accrual goes on, the points do not
  const capped = last.items
    .filter(
      (item, i) =>
        item.cap !== null && item.points >= item.cap && item.pointsBeforeCap > first.items[i].pointsBeforeCap,
    )
    .map((i) => i.label)
  const never = rising.length === 0 && toDay(dates[s]) <= stillFrom
  const shortText = `还差 ${short} 分`
  let reason: string
  if (never) {
    reason =
      capped.length > 0
        ? `${capped.join('、')}已达上限，其余各项不随时间增加；${shortText}`
        : `没有随时间增加的项目；${shortText}`
  } else {
    reason = `至 ${dates[dates.length - 1]} 仍未达到，${shortText}${rising.length > 0 ? `；${rising.join('、')}仍在增加` : ''}`
  }
  return { points: target.points, by, reachedOn: null, eligibleThen: null, short, never, reason }
}
