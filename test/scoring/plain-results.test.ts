// Results and outcomes are plain data (issue 9): copied by structuredClone, spread or JSON alike; explain(score()) is the full result.
import t, { type Test } from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { HouseholdSchema } from '../../schema/household.ts'
import type { EvalContext } from '../../scoring/compile.ts'
import { toScaled } from '../../scoring/exact.ts'
import { TableRegistry } from '../../scoring/registry.ts'
import {
  admission,
  evaluateAdmission,
  evaluatePermit,
  evaluateSettlement,
  permit,
  points,
  settlement,
} from '../../scoring/schemes.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { goldenCase } from '../golden/cases.ts'
import { goldenTargets } from '../golden/golden-file.ts'

const registry = new TableRegistry(loadShippedTables())
const targets = goldenTargets()
/** enough golden cases that every shipped table gets several */
const CASES = targets.length * 6

/** Every object in the value is a plain object or array whose fields are data: no getters, no toJSON, no class. */
function plainProblems(value: unknown, path = '$', out: string[] = []): string[] {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') out.push(`${path} is a function`)
    return out
  }
  const proto = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) out.push(`${path} is not a plain array`)
  } else if (proto !== Object.prototype)
    out.push(`${path} is a ${proto?.constructor?.name ?? 'null-prototype'} object`)
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (k === 'length' && Array.isArray(value)) continue
    if (d.get || d.set) out.push(`${path}.${k} is an accessor`)
    else if (k === 'toJSON') out.push(`${path} has toJSON`)
    else plainProblems(d.value, `${path}.${k}`, out)
  }
  return out
}

function copiesAgree(t: Test, value: object, what: string): void {
  const json = JSON.parse(JSON.stringify(value))
  t.same(plainProblems(value), [], `${what} is plain data`)
  t.same(structuredClone(value), json, `${what}: structuredClone equals the JSON copy`)
  t.same({ ...value }, json, `${what}: a spread copy equals the JSON copy`)
}

t.test(
  'every scheme gives plain results and outcomes, and explain(score()) is the whole result',
  async (t) => {
    const seen = new Set<string>()
    for (let i = 0; i < CASES; i++) {
      const c = goldenCase(i, targets)
      const ctx: EvalContext = { asOf: c.asOf, jurisdiction: c.jurisdiction, dates: c.dates }
      const table = registry.find(c.scheme, c.jurisdiction, c.asOf)
      const pointsTable = registry.inForce('points', c.jurisdiction, c.asOf)
      const used = (a: ReturnType<typeof ApplicantSchema.parse>) =>
        pointsTable === null ? null : points.pointsUsed(pointsTable, points.score(pointsTable, a, ctx))
      const full = (a: ReturnType<typeof ApplicantSchema.parse>) =>
        pointsTable === null ? null : pointsTable.evaluatePoints(a, ctx)
      let result: object
      let outcome: object
      let explained: object
      switch (c.scheme) {
        case 'points': {
          const a = ApplicantSchema.parse(c.applicant)
          const o = points.score(table, a, ctx)
          const r = table.evaluatePoints(a, ctx)
          t.equal(o.total, toScaled(r.total), `case ${i}: score's total is the result's, in 1/10,000`)
          ;[result, outcome, explained] = [r, o, points.explain(table, o, a, ctx)]
          break
        }
        case 'residence-permit': {
          const a = ApplicantSchema.parse(c.applicant)
          const o = permit.score(table, a, ctx)
          ;[result, outcome, explained] = [evaluatePermit(table, a, ctx), o, permit.explain(table, o, a, ctx)]
          break
        }
        case 'settlement': {
          const a = ApplicantSchema.parse(c.applicant)
          // the points a settlement reads may come from an outcome, with no breakdown built
          const o = settlement.score(table, a, ctx, { points: used(a) })
          const r = evaluateSettlement(table, a, ctx, { points: full(a) })
          ;[result, outcome, explained] = [r, o, settlement.explain(table, o, a, ctx)]
          break
        }
        case 'admission': {
          const h = HouseholdSchema.parse(c.household)
          const o = admission.score(table, h, ctx, used)
          const r = evaluateAdmission(table, h, ctx, full)
          t.same(admission.tieBreakOf(r), o.tieBreak, `case ${i}: the tie-break values are the outcome's`)
          ;[result, outcome, explained] = [r, o, admission.explain(table, o, h, ctx)]
          break
        }
      }
      seen.add(c.scheme)
      copiesAgree(t, result, `case ${i} (${c.scheme}) result`)
      copiesAgree(t, outcome, `case ${i} (${c.scheme}) outcome`)
      t.same(explained, result, `case ${i}: explain(score()) equals the evaluate* result`)
    }
    t.same([...seen].sort(), ['admission', 'points', 'residence-permit', 'settlement'])
  },
)

t.test('the tie-break values are named: points in 1/10,000, the scoring parent’s months', async (t) => {
  t.same(
    admission.tieBreakOf({ points: 107.5, insuranceMonths: 30, residenceMonths: 40 } as Parameters<
      typeof admission.tieBreakOf
    >[0]),
    // 107.5 points × 10,000 = 1,075,000
    { points: 1_075_000, insuranceMonths: 30, residenceMonths: 40 },
  )
})
