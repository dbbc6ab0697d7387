// Periods an applicant lists (insurance, jobs, study, a residence permit): merged runs and counts that several fact groups read.
import type { InsurancePeriod } from '../../schema/applicant.ts'
import { addYears, type DayNumber, fullMonthsBetween, type MonthIndex, toDay, toMonth } from '../calendar.ts'
import { isWithinPrefix } from '../regions.ts'

const byStart = (a: [number, number], b: [number, number]): number => a[0] - b[0]

/**
 * Sorts spans by start, stably (as Array.prototype.sort does). An applicant has a handful of
 * periods, and for so few an insertion sort beats sort() calling a comparator for every pair.
 */
function sortByStart(spans: [number, number][]): void {
  if (spans.length > 16) {
    spans.sort(byStart)
    return
  }
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]
    let j = i - 1
    for (; j >= 0 && spans[j][0] > s[0]; j--) spans[j + 1] = spans[j]
    spans[j + 1] = s
  }
}

/**
 * Merges inclusive [from, to] integer intervals and returns them sorted. Works in place: `spans`
 * and its pairs must be the caller's own, freshly built (every caller builds them per call).
 */
function mergeIntervals(spans: [number, number][], joinAdjacent: boolean): [number, number][] {
  sortByStart(spans)
  const gap = joinAdjacent ? 1 : 0
  let n = 0 // spans[0..n) are the merged runs so far
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]
    const last = n > 0 ? spans[n - 1] : undefined
    if (last !== undefined && s[0] <= last[1] + gap) {
      if (s[1] > last[1]) last[1] = s[1]
    } else spans[n++] = s
  }
  spans.length = n
  return spans
}

function totalLength(spans: [number, number][]): number {
  let n = 0
  for (const s of spans) n += s[1] - s[0] + 1
  return n
}

export interface InsuranceCount {
  months: number
  paidMonths: number
  backPaidMonths: number
  currentRunMonths: number
}

/**
 * Months of social insurance in a scope, as of month `last` (inclusive): overlapping periods count
 * once; `to: null` runs to `last`; months after `last` are not yet paid. Back-paid months count
 * in `months` and are flagged in `backPaidMonths`; a month both paid on time and back-paid is on time.
 */
export function countInsurance<A>(
  periods: readonly InsurancePeriod[],
  inScope: (region: string, arg: A) => boolean,
  last: MonthIndex,
  /** passed on to `inScope`, so that a scope needs no closure built per evaluation */
  arg?: A,
): InsuranceCount {
  const all: [number, number][] = []
  const onTime: [number, number][] = []
  for (const p of periods) {
    if (!inScope(p.region, arg as A)) continue
    const from = toMonth(p.from)
    const to = Math.min(p.to === null ? last : toMonth(p.to), last)
    if (to < from) continue
    all.push([from, to])
    if (!p.backPaid) onTime.push([from, to])
  }
  // most applicants have no back-paid month: then the on-time periods are all of them
  const allOnTime = onTime.length === all.length
  const allMerged = mergeIntervals(all, true) // (merges in place: `all` may shrink)
  const onTimeMerged = allOnTime ? allMerged : mergeIntervals(onTime, true)
  const months = totalLength(allMerged)
  const paidMonths = totalLength(onTimeMerged)
  const lastRun = onTimeMerged[onTimeMerged.length - 1]
  return {
    months,
    paidMonths,
    backPaidMonths: months - paidMonths,
    currentRunMonths: lastRun && lastRun[1] === last ? lastRun[1] - lastRun[0] + 1 : 0,
  }
}

/**
 * Day intervals of the periods inside the region of `prefix` (see regionPrefix; and of `kind`,
 * when given), clipped to `asOf`; `to: null` runs to `asOf`.
 */
export function dayRuns(
  periods: readonly { from: string; to: string | null; region: string; kind?: string }[],
  prefix: string,
  kind: string | null,
  asOf: DayNumber,
): [number, number][] {
  const spans: [number, number][] = []
  for (const p of periods) {
    if (!isWithinPrefix(p.region, prefix) || (kind !== null && p.kind !== kind)) continue
    const from = toDay(p.from)
    const to = Math.min(p.to === null ? asOf : toDay(p.to), asOf)
    if (to >= from) spans.push([from, to])
  }
  // a new contract starting the day after the last one ended keeps the run continuous
  return mergeIntervals(spans, true)
}

/** Full months of a run of days [from, to] inclusive: 2025-05-01..2026-04-30 is 12; ..2026-04-29 is 11. */
export function runMonths(run: [number, number]): number {
  return fullMonthsBetween(run[0], run[1] + 1)
}

/** The run that reaches day `at` (a current job, a current study), if any. */
export function runReaching(runs: readonly [number, number][], at: DayNumber): [number, number] | undefined {
  for (const r of runs) if (r[1] === at) return r
  return undefined
}

export interface PermitStatus {
  held: boolean
  valid: boolean
  /** start of the current unbroken validity: the issue date or the latest late endorsement */
  validSince: DayNumber | null
  lateEndorsements: number
  /** the latest late endorsement on or before the date, which restarts the residence count */
  lastLateEndorsement: DayNumber | null
}

const ascending = (x: number, y: number): number => x - y

function notHeld(): PermitStatus {
  return { held: false, valid: false, validSince: null, lateEndorsements: 0, lastLateEndorsement: null }
}

/**
 * A permit is valid for one year from its issue; each yearly endorsement made while it is valid
 * extends it by one more year (663号 art. 10). A permit lapses on the anniversary it was not
 * endorsed by. An endorsement made after it lapsed is late: the permit was suspended until then,
 * is valid again for one year from that day, and the count of residence years restarts from it.
 * A second endorsement within the same validity year extends nothing.
 */
export function permitStatus(
  permit: { issuedOn: string; endorsements: string[] } | null,
  at: DayNumber,
): PermitStatus {
  if (permit === null) return notHeld()
  const issued = toDay(permit.issuedOn)
  if (issued > at) return notHeld()
  const endorsements: DayNumber[] = []
  let inOrder = true
  for (const e of permit.endorsements) {
    const d = toDay(e)
    if (d > at) continue
    if (endorsements.length > 0 && d < endorsements[endorsements.length - 1]) inOrder = false
    endorsements.push(d)
  }
  // they usually arrive in date order: sort (a comparator call per pair) only when they did not
  if (!inOrder) endorsements.sort(ascending)
  let yearStart = issued // the current validity year runs from yearStart up to (not including) expiry
  let expiry = addYears(issued, 1)
  let validSince = issued
  let late = 0
  let lastLate: DayNumber | null = null
  for (const e of endorsements) {
    if (e >= expiry) {
      late++
      lastLate = e
      validSince = e
      yearStart = e
      expiry = addYears(e, 1)
    } else if (e >= yearStart) {
      yearStart = expiry
      expiry = addYears(expiry, 1)
    }
  }
  return { held: true, valid: at < expiry, validSince, lateEndorsements: late, lastLateEndorsement: lastLate }
}
