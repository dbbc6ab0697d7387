// The simulation report as the per-applicant path computed it before the columnar path (kept verbatim as the reference the columnar report is compared with).
import { compareRefs } from '../../scoring/allocation.ts'
import { fromScaled, SCALE } from '../../scoring/exact.ts'
import {
  type ApplicantChange,
  DEFAULT_BIN_WIDTH,
  DEFAULT_TOP,
  type HistogramBin,
  type ItemChange,
  type ItemShare,
  type SimulatedApplicant,
  type SimulationParams,
  type SimulationReport,
} from '../../scoring/simulation.ts'

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

function itemChanges(a: SimulatedApplicant, order: readonly string[]): ItemChange[] {
  const out: ItemChange[] = []
  for (const id of order) {
    const b = a.before.items[id] ?? 0
    const f = a.after.items[id] ?? 0
    if (b !== f) out.push({ id, before: fromScaled(b), after: fromScaled(f), change: fromScaled(f - b) })
  }
  return out
}

/** The union of both tables' items: the table in force's order, then the draft's new items. */
function itemOrder(p: SimulationParams): string[] {
  const seen = new Set(p.itemsBefore)
  return [...p.itemsBefore, ...p.itemsAfter.filter((id) => !seen.has(id))]
}

export function referenceReport(
  population: readonly SimulatedApplicant[],
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
  const itemSum0 = new Map<string, number>(order.map((id) => [id, 0]))
  const itemSum1 = new Map<string, number>(order.map((id) => [id, 0]))
  let sum0 = 0
  let sum1 = 0
  let eligible0 = 0
  let eligible1 = 0
  let changed = 0
  const gains: SimulatedApplicant[] = []
  const losses: SimulatedApplicant[] = []
  for (const a of population) {
    const t0 = a.before.total
    const t1 = a.after.total
    sum0 += t0
    sum1 += t1
    if (a.before.eligible) eligible0++
    if (a.after.eligible) eligible1++
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
    for (const id of order) {
      itemSum0.set(id, (itemSum0.get(id) ?? 0) + (a.before.items[id] ?? 0))
      itemSum1.set(id, (itemSum1.get(id) ?? 0) + (a.after.items[id] ?? 0))
    }
    if (t1 !== t0) changed++
    if (t1 > t0) gains.push(a)
    else if (t1 < t0) losses.push(a)
  }
  // largest change first, then key (code point order): a total order, independent of input order
  const byChange = (sign: 1 | -1) => (x: SimulatedApplicant, y: SimulatedApplicant) => {
    const dx = (x.after.total - x.before.total) * sign
    const dy = (y.after.total - y.before.total) * sign
    return dx !== dy ? dy - dx : compareRefs(x.key, y.key)
  }
  const listed = (xs: SimulatedApplicant[], sign: 1 | -1): ApplicantChange[] =>
    xs
      .sort(byChange(sign))
      .slice(0, top)
      .map((a) => ({
        key: a.key,
        before: fromScaled(a.before.total),
        after: fromScaled(a.after.total),
        change: fromScaled(a.after.total - a.before.total),
        items: itemChanges(a, order),
      }))

  const histogram: HistogramBin[] = []
  const keys = [...binsBefore.keys(), ...binsAfter.keys()]
  if (keys.length > 0) {
    const lo = Math.min(...keys)
    const hi = Math.max(...keys)
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

  const n = population.length
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
