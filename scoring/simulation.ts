// Policy simulation report (pure): compares each applicant's outcome under the table in force and under a draft.
//
// All points are integers of 1/10,000 point (scoring/exact.ts) until the report is written, so sums,
// bins and crossings are exact; shares are integer basis points. The report is a function of the
// population as a set: applicants are ordered by key wherever order shows, so shuffling the input
// gives the same report, byte for byte.
import { type AllocationApplication, type AllocationRound, allocate, compareRefs } from './allocation.ts'
import type { CompiledTable } from './compiled.ts'
import { fromScaled, SCALE } from './exact.ts'
import type { PointsOutcome } from './schemes/points/index.ts'

/** One applicant's outcome under one table: the total and each item's points (after item caps). */
export interface SimulatedOutcome {
  /** 1/10,000 point */
  total: number
  eligible: boolean
  /** item id → 1/10,000 point; an item the table does not have is absent */
  items: Readonly<Record<string, number>>
}

/** A points outcome (scoring/schemes/points score()) as the report reads it: items by id. */
export function simulatedOutcome(c: CompiledTable, o: PointsOutcome): SimulatedOutcome {
  const items: Record<string, number> = {}
  for (let i = 0; i < c.items.length; i++) items[c.items[i].item.id] = o.points[i]
  return { total: o.total, eligible: o.eligible, items }
}

/** The item ids of a table in its order (a report's `itemsBefore` / `itemsAfter`). */
export function itemIdsOf(c: CompiledTable): string[] {
  return c.items.map((x) => x.item.id)
}

export interface SimulatedApplicant {
  /** unique in the population: an application ref, a record reference, or the upload's row key */
  key: string
  before: SimulatedOutcome
  after: SimulatedOutcome
}

export interface SimulationParams {
  /** bin width in points (a positive integer); default 10 */
  binWidth?: number
  /** thresholds in points */
  thresholds?: readonly number[]
  /** how many gains and losses to list; default 10 */
  top?: number
  /** item ids of the table in force and of the draft, in table order (the order of `items` in the report) */
  itemsBefore: readonly string[]
  itemsAfter: readonly string[]
}

export const DEFAULT_BIN_WIDTH = 10
export const DEFAULT_TOP = 10

export interface HistogramBin {
  /** points, inclusive */
  from: number
  /** points, exclusive */
  to: number
  before: number
  after: number
}

export interface ThresholdCrossing {
  threshold: number
  /** applicants at or above the threshold under each table */
  atOrAboveBefore: number
  atOrAboveAfter: number
  /** below before, at or above after */
  up: number
  /** at or above before, below after */
  down: number
}

export interface ItemChange {
  id: string
  before: number
  after: number
  change: number
}

export interface ApplicantChange {
  key: string
  before: number
  after: number
  change: number
  /** the items whose points changed, in item order */
  items: ItemChange[]
}

export interface ItemShare {
  id: string
  /** sum over the population, points */
  pointsBefore: number
  pointsAfter: number
  /** share of all item points, in percent to 2 decimals (integer basis points / 100, half up) */
  shareBefore: number
  shareAfter: number
  /** shareAfter − shareBefore, percentage points */
  shareChange: number
}

export interface SimulationReport {
  applicants: number
  changed: number
  unchanged: number
  totals: { sumBefore: number; sumAfter: number; meanBefore: number; meanAfter: number }
  eligibility: { before: number; after: number }
  binWidth: number
  histogram: HistogramBin[]
  thresholds: ThresholdCrossing[]
  gains: ApplicantChange[]
  losses: ApplicantChange[]
  items: ItemShare[]
}

/** floor(a / b) for integers (b > 0), exact for negatives. */
function floorDiv(a: number, b: number): number {
  return Math.floor(a / b)
}

/** round(n / d) half up, d > 0, n ≥ 0, exact through BigInt (sums of a million totals exceed 2^53 once multiplied). */
function ratioHalfUp(n: number, d: number, scale: number): number {
  if (d === 0) return 0
  const num = BigInt(n) * BigInt(scale) * 2n + BigInt(d)
  return Number(num / (BigInt(d) * 2n))
}

/** Mean in points, to 4 decimals (half up on the 1/10,000 point, exact). */
function meanOf(sum: number, n: number): number {
  if (n === 0) return 0
  const q = BigInt(sum) * 2n + BigInt(n)
  const d = BigInt(n) * 2n
  // floor division toward −∞ for a negative sum
  let r = q / d
  if (q % d !== 0n && q < 0n) r -= 1n
  return fromScaled(Number(r))
}

function itemChanges(pop: SimulatedColumns, i: number, order: readonly string[]): ItemChange[] {
  const out: ItemChange[] = []
  for (const id of order) {
    const b = pop.before.items.get(id)?.[i] ?? 0
    const f = pop.after.items.get(id)?.[i] ?? 0
    if (b !== f) out.push({ id, before: fromScaled(b), after: fromScaled(f), change: fromScaled(f - b) })
  }
  return out
}

/** The union of both tables' items: the table in force's order, then the draft's new items. */
function itemOrder(p: SimulationParams): string[] {
  const seen = new Set(p.itemsBefore)
  return [...p.itemsBefore, ...p.itemsAfter.filter((id) => !seen.has(id))]
}

/**
 * A population's outcomes under one table as columns (1/10,000 point), row i the applicant `keys[i]`:
 * what the report reads, without an object per applicant (scoring/population.ts gives these).
 */
export interface OutcomeColumns {
  total: ArrayLike<number>
  /** 1 when eligible */
  eligible: ArrayLike<number>
  /** item id → its points per applicant; an item absent here counts 0 */
  items: ReadonlyMap<string, ArrayLike<number>>
}

export interface SimulatedColumns {
  /** unique in the population (see SimulatedApplicant.key) */
  keys: readonly string[]
  before: OutcomeColumns
  after: OutcomeColumns
}

/** Per-applicant outcomes as columns, over the items of `order` (the report's item union). */
function columnsOfApplicants(
  population: readonly SimulatedApplicant[],
  order: readonly string[],
): SimulatedColumns {
  const n = population.length
  const side = (pick: (a: SimulatedApplicant) => SimulatedOutcome): OutcomeColumns => {
    const total = new Float64Array(n)
    const eligible = new Uint8Array(n)
    const items = new Map(order.map((id) => [id, new Float64Array(n)]))
    for (let i = 0; i < n; i++) {
      const o = pick(population[i])
      total[i] = o.total
      eligible[i] = o.eligible ? 1 : 0
      for (const [id, col] of items) col[i] = o.items[id] ?? 0
    }
    return { total, eligible, items }
  }
  return {
    keys: population.map((a) => a.key),
    before: side((a) => a.before),
    after: side((a) => a.after),
  }
}

export function simulationReport(
  population: readonly SimulatedApplicant[],
  params: SimulationParams,
): SimulationReport {
  return simulationReportOfColumns(columnsOfApplicants(population, itemOrder(params)), params)
}

/** The report of a population given as columns: the same report, byte for byte, as `simulationReport`. */
export function simulationReportOfColumns(
  population: SimulatedColumns,
  params: SimulationParams,
): SimulationReport {
  const binWidth = params.binWidth ?? DEFAULT_BIN_WIDTH
  const top = params.top ?? DEFAULT_TOP
  if (!Number.isInteger(binWidth) || binWidth <= 0)
    throw new RangeError('binWidth must be a positive integer')
  const w = binWidth * SCALE
  const order = itemOrder(params)
  const thresholds = [...new Set((params.thresholds ?? []).map((x) => Math.round(x * SCALE)))].sort(
    (a, b) => a - b,
  )
  const crossings = thresholds.map((t) => ({ t, above0: 0, above1: 0, up: 0, down: 0 }))
  const binsBefore = new Map<number, number>()
  const binsAfter = new Map<number, number>()
  let sum0 = 0
  let sum1 = 0
  let eligible0 = 0
  let eligible1 = 0
  let changed = 0
  const gains: number[] = []
  const losses: number[] = []
  const n = population.keys.length
  const { total: total0, eligible: elig0 } = population.before
  const { total: total1, eligible: elig1 } = population.after
  for (let i = 0; i < n; i++) {
    const t0 = total0[i]
    const t1 = total1[i]
    sum0 += t0
    sum1 += t1
    if (elig0[i] === 1) eligible0++
    if (elig1[i] === 1) eligible1++
    const b0 = floorDiv(t0, w)
    const b1 = floorDiv(t1, w)
    binsBefore.set(b0, (binsBefore.get(b0) ?? 0) + 1)
    binsAfter.set(b1, (binsAfter.get(b1) ?? 0) + 1)
    for (const c of crossings) {
      const x0 = t0 >= c.t
      const x1 = t1 >= c.t
      if (x0) c.above0++
      if (x1) c.above1++
      if (!x0 && x1) c.up++
      if (x0 && !x1) c.down++
    }
    if (t1 !== t0) changed++
    if (t1 > t0) gains.push(i)
    else if (t1 < t0) losses.push(i)
  }
  // each item's sum in population order (sums of integers below 2^53: exact, as before)
  const sumOf = (col: ArrayLike<number> | undefined): number => {
    let s = 0
    if (col !== undefined) for (let i = 0; i < n; i++) s += col[i]
    return s
  }
  const itemSum0 = new Map<string, number>(order.map((id) => [id, sumOf(population.before.items.get(id))]))
  const itemSum1 = new Map<string, number>(order.map((id) => [id, sumOf(population.after.items.get(id))]))
  const keys = population.keys
  // largest change first, then key (code point order): a total order, independent of input order
  const byChange = (sign: 1 | -1) => (x: number, y: number) => {
    const dx = (total1[x] - total0[x]) * sign
    const dy = (total1[y] - total0[y]) * sign
    return dx !== dy ? dy - dx : compareRefs(keys[x], keys[y])
  }
  const listed = (xs: number[], sign: 1 | -1): ApplicantChange[] =>
    xs
      .sort(byChange(sign))
      .slice(0, top)
      .map((i) => ({
        key: keys[i],
        before: fromScaled(total0[i]),
        after: fromScaled(total1[i]),
        change: fromScaled(total1[i] - total0[i]),
        items: itemChanges(population, i, order),
      }))

  const histogram: HistogramBin[] = []
  const bins = [...binsBefore.keys(), ...binsAfter.keys()]
  if (bins.length > 0) {
    const lo = Math.min(...bins)
    const hi = Math.max(...bins)
    for (let b = lo; b <= hi; b++)
      histogram.push({
        from: b * binWidth,
        to: (b + 1) * binWidth,
        before: binsBefore.get(b) ?? 0,
        after: binsAfter.get(b) ?? 0,
      })
  }

  let all0 = 0
  let all1 = 0
  for (const id of order) {
    all0 += itemSum0.get(id) ?? 0
    all1 += itemSum1.get(id) ?? 0
  }
  const items: ItemShare[] = order.map((id) => {
    const p0 = itemSum0.get(id) ?? 0
    const p1 = itemSum1.get(id) ?? 0
    // basis points of the whole, half up; negative item points do not occur (deductions are not items)
    const s0 = ratioHalfUp(Math.max(p0, 0), all0, 10_000)
    const s1 = ratioHalfUp(Math.max(p1, 0), all1, 10_000)
    return {
      id,
      pointsBefore: fromScaled(p0),
      pointsAfter: fromScaled(p1),
      shareBefore: s0 / 100,
      shareAfter: s1 / 100,
      shareChange: (s1 - s0) / 100,
    }
  })

  return {
    applicants: n,
    changed,
    unchanged: n - changed,
    totals: {
      sumBefore: fromScaled(sum0),
      sumAfter: fromScaled(sum1),
      meanBefore: meanOf(sum0, n),
      meanAfter: meanOf(sum1, n),
    },
    eligibility: { before: eligible0, after: eligible1 },
    binWidth,
    histogram,
    thresholds: crossings.map((c) => ({
      threshold: fromScaled(c.t),
      atOrAboveBefore: c.above0,
      atOrAboveAfter: c.above1,
      up: c.up,
      down: c.down,
    })),
    gains: listed(gains, 1),
    losses: listed(losses, -1),
    items,
  }
}

// ---------------------------------------------------------------- a round under both tables

export interface PlacementChange {
  ref: string
  /** unit id, or null when not placed */
  before: string | null
  after: string | null
  change: 'placed_to_not' | 'not_to_placed' | 'school_changed'
}

export interface CutoffChange {
  unit: string
  name: string
  seats: number
  /** the cut-off's points (the last child admitted), or null when nobody with points was placed */
  before: number | null
  after: number | null
  /** 1-based rank of the last child admitted, or null when nobody was placed */
  rankBefore: number | null
  rankAfter: number | null
}

export interface RoundComparison {
  placedBefore: number
  placedAfter: number
  placedToNot: number
  notToPlaced: number
  schoolChanged: number
  /** every application whose placement changed, by ref */
  changes: PlacementChange[]
  cutoffs: CutoffChange[]
}

/**
 * Allocates a round twice, with the applications as evaluated under the table in force and under
 * the draft (same refs, preferences and seed), and reports who moves and how the cut-offs move.
 */
export function compareRound(
  round: AllocationRound,
  before: readonly AllocationApplication[],
  after: readonly AllocationApplication[],
): RoundComparison {
  const r0 = allocate(round, before)
  const r1 = allocate(round, after)
  const placed1 = new Map(r1.applications.map((a) => [a.ref, a.placed?.unit ?? null]))
  const changes: PlacementChange[] = []
  let placedToNot = 0
  let notToPlaced = 0
  let schoolChanged = 0
  // applications come out by ref (allocation.ts): the list is in ref order
  for (const a of r0.applications) {
    const u0 = a.placed?.unit ?? null
    const u1 = placed1.get(a.ref) ?? null
    if (u0 === u1) continue
    const change = u1 === null ? 'placed_to_not' : u0 === null ? 'not_to_placed' : 'school_changed'
    if (change === 'placed_to_not') placedToNot++
    else if (change === 'not_to_placed') notToPlaced++
    else schoolChanged++
    changes.push({ ref: a.ref, before: u0, after: u1, change })
  }
  const pts = (p: number | null | undefined) => (p === null || p === undefined ? null : fromScaled(p))
  return {
    placedBefore: r0.summary.placed,
    placedAfter: r1.summary.placed,
    placedToNot,
    notToPlaced,
    schoolChanged,
    changes,
    cutoffs: r0.units.map((u, i) => {
      const v = r1.units[i]
      return {
        unit: u.id,
        name: u.name,
        seats: u.seats,
        before: pts(u.cutoff?.points),
        after: pts(v.cutoff?.points),
        rankBefore: u.cutoff?.rank ?? null,
        rankAfter: v.cutoff?.rank ?? null,
      }
    }),
  }
}
