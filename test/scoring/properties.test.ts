// Property tests over arbitrary valid applicants against the shipped 2022 Ningbo points table.
import fc from 'fast-check'
import t from 'tap'
import type { Applicant } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import { addMonths, fromDay, fromMonth, fullMonthsBetween, toDay, toMonth } from '../../scoring/calendar.ts'
import { compileTable } from '../../scoring/compile.ts'
import { countInsurance, derivePersonFacts, groupsFor, PERSON_FACTS } from '../../scoring/facts.ts'
import { factsSha256 } from '../../scoring/hash.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import {
  applicant,
  asOf,
  dayNumber,
  FIRST_MONTH,
  idNumberFor,
  insurancePeriod,
  region,
} from './arbitraries.ts'

const RUNS = 300
const table = loadShippedTables().find((t) => t.id === 'ningbo-points-2022')
if (table === undefined) throw new Error('the shipped ningbo-points-2022 table is missing')
const compiled = compileTable(table)
const jurisdiction = fc.constantFrom('330200', '330212', '330203')

const scaled = (x: number) => Math.round(x * 10_000)
const evaluate = (a: Applicant, at: string, j: string) =>
  compiled.evaluatePoints(a, { asOf: at, jurisdiction: j })

/** Throws with `message` when `ok` is false (fast-check shrinks and reports the counterexample). */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message)
}

function everyNumber(r: PointsResult): [string, number][] {
  return [
    ['total', r.total],
    ...r.layers.flatMap((l): [string, number][] => [
      [`layer ${l.id}`, l.points],
      [`layer ${l.id} before cap`, l.pointsBeforeCap],
    ]),
    ...r.items.flatMap((i): [string, number][] => [
      [`item ${i.id}`, i.points],
      [`item ${i.id} before cap`, i.pointsBeforeCap],
    ]),
    ...r.deductions.map((d): [string, number] => [`deduction ${d.id}`, d.points]),
  ]
}

const input = fc.record({ a: applicant, at: asOf, j: jurisdiction })

t.test('the table used has the 2022 shape', async (t) => {
  t.same(
    table.layers.map((l) => [l.id, l.cap]),
    [
      ['provincial', 100],
      ['city', 150],
    ],
  )
})

t.test('no item exceeds its cap', async (t) => {
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      for (const i of evaluate(a, at, j).items) {
        check(i.points >= 0, `${i.id} negative: ${i.points}`)
        check(i.points <= i.pointsBeforeCap, `${i.id}: ${i.points} > before cap ${i.pointsBeforeCap}`)
        if (i.cap !== null) check(i.points <= i.cap, `${i.id}: ${i.points} > cap ${i.cap}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('no layer exceeds its cap; a layer before its cap is the sum of its items', async (t) => {
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      const r = evaluate(a, at, j)
      for (const l of r.layers) {
        check(l.points <= l.cap, `${l.id}: ${l.points} > cap ${l.cap}`)
        check(l.points === Math.min(l.pointsBeforeCap, l.cap), `${l.id}: ${l.points} ≠ min(before, cap)`)
        const sum = r.items.filter((i) => i.layer === l.id).reduce((s, i) => s + scaled(i.points), 0)
        check(
          scaled(l.pointsBeforeCap) === sum,
          `${l.id}: before cap ${l.pointsBeforeCap} ≠ Σ items ${sum / 1e4}`,
        )
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('total = Σ layers − Σ deductions, exactly', async (t) => {
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      const r = evaluate(a, at, j)
      const expected =
        r.layers.reduce((s, l) => s + scaled(l.points), 0) -
        r.deductions.reduce((s, d) => s + scaled(d.points), 0)
      check(r.total === expected / 10_000, `total ${r.total} ≠ ${expected / 10_000}`)
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('an extra disjoint insurance period before the others never lowers the score', async (t) => {
  const extra = fc.record({
    length: fc.integer({ min: 1, max: 120 }),
    gap: fc.integer({ min: 0, max: 24 }),
    region,
  })
  fc.assert(
    fc.property(input, extra, ({ a, at, j }, e) => {
      const starts = a.socialInsurance.map((p) => toMonth(p.from))
      const end = (starts.length > 0 ? Math.min(...starts) : toMonth(at.slice(0, 7)) + 1) - 1 - e.gap
      const from = Math.max(end - e.length + 1, FIRST_MONTH - 120)
      fc.pre(end >= from)
      const more: Applicant = {
        ...a,
        socialInsurance: [
          { from: fromMonth(from), to: fromMonth(end), region: e.region, backPaid: false },
          ...a.socialInsurance,
        ],
      }
      const before = evaluate(a, at, j)
      const after = evaluate(more, at, j)
      check(after.total >= before.total, `total fell from ${before.total} to ${after.total}`)
      for (const l of before.layers) {
        const l2 = after.layers.find((x) => x.id === l.id)!
        check(l2.points >= l.points, `layer ${l.id} fell from ${l.points} to ${l2.points}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('evaluation is deterministic', async (t) => {
  const again = compileTable(table)
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      const r1 = evaluate(a, at, j)
      const r2 = again.evaluatePoints(structuredClone(a), { asOf: at, jurisdiction: j })
      check(JSON.stringify(r1) === JSON.stringify(r2), 'two evaluations differ')
      check(r1.factsSha256 === factsSha256(structuredClone(a)), 'facts hash differs')
    }),
    { numRuns: RUNS },
  )
  // one deep comparison through tap as well
  const [sample] = fc.sample(input, { numRuns: 1, seed: 42 })
  t.same(evaluate(sample.a, sample.at, sample.j), evaluate(structuredClone(sample.a), sample.at, sample.j))
})

t.test('the facts hash does not depend on the ID number', async (t) => {
  fc.assert(
    fc.property(applicant, fc.integer({ min: 0, max: 999 }), (a, seq) => {
      const { idNumber: _id, ...rest } = a
      const withoutId: Applicant = rest
      const withId: Applicant = { ...rest, idNumber: idNumberFor(a.birthDate, seq) }
      check(factsSha256(withId) === factsSha256(withoutId), 'hash depends on the ID number')
      check(
        factsSha256(withId) !== factsSha256({ ...withoutId, hukou: '999999' } as Applicant),
        'hash ignores the facts',
      )
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('points are multiples of 0.0001 and print without float noise', async (t) => {
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      for (const [what, x] of everyNumber(evaluate(a, at, j))) {
        check(Number.isFinite(x), `${what} is ${x}`)
        check(x === scaled(x) / 10_000, `${what} ${x} is not a multiple of 0.0001`)
        check(/^-?\d+(\.\d{1,4})?$/.test(String(x)), `${what} prints as ${String(x)}`)
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('calendar: a date plus n months is n full months later', async (t) => {
  fc.assert(
    fc.property(dayNumber(), fc.integer({ min: 0, max: 900 }), (start, n) => {
      const end = addMonths(start, n)
      check(fullMonthsBetween(start, end) === n, `${fromDay(start)} + ${n} months = ${fromDay(end)}`)
      if (n > 0) check(fullMonthsBetween(start, end - 1) === n - 1, `${fromDay(start)} → ${fromDay(end - 1)}`)
    }),
    { numRuns: 500 },
  )
  t.pass('500 dates')
})

t.test('insurance counts: on-time + back-paid = months; bounded by the periods', async (t) => {
  fc.assert(
    fc.property(fc.array(insurancePeriod, { maxLength: 6 }), asOf, (periods, at) => {
      const last = toMonth(at.slice(0, 7))
      const c = countInsurance(periods, () => true, last)
      check(c.paidMonths + c.backPaidMonths === c.months, 'paid + back-paid ≠ months')
      check(c.currentRunMonths <= c.paidMonths, 'current run longer than on-time months')
      const lengths = periods.map((p) => {
        const to = Math.min(p.to === null ? last : toMonth(p.to), last)
        return Math.max(0, to - toMonth(p.from) + 1)
      })
      check(c.months <= lengths.reduce((s, n) => s + n, 0), 'more months than all periods together')
      check(c.months >= Math.max(0, ...lengths), 'fewer months than the longest period')
      const reversed = countInsurance([...periods].reverse(), () => true, last)
      check(JSON.stringify(reversed) === JSON.stringify(c), 'order of periods matters')
    }),
    { numRuns: 500 },
  )
  t.pass('500 period lists')
})

t.test('age points never rise with age past 40', async (t) => {
  fc.assert(
    fc.property(applicant, asOf, fc.integer({ min: 1, max: 3000 }), (a, at, days) => {
      const older = { ...a, idNumber: undefined, birthDate: fromDay(toDay(a.birthDate) - days) }
      const age = (x: Applicant) => evaluate(x, at, '330200').items.find((i) => i.id === 'age')!
      const young = age(a)
      const old = age(older)
      if (typeof young.value.raw === 'number' && young.value.raw >= 18)
        check(
          old.points <= young.points,
          `age ${young.value.raw} → ${young.points}, age ${old.value.raw} → ${old.points}`,
        )
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} applicants`)
})

t.test('deriving only the group of a fact gives the same value as deriving all facts', async (t) => {
  fc.assert(
    fc.property(input, ({ a, at, j }) => {
      const day = toDay(at)
      const all = derivePersonFacts(a, day, j)
      PERSON_FACTS.forEach((def, i) => {
        const one = derivePersonFacts(a, day, j, groupsFor([def.name]))[i]
        check(Object.is(one, all[i]), `${def.name}: ${one} alone, ${all[i]} with all groups`)
      })
    }),
    { numRuns: 200 },
  )
  t.pass('200 applicants')
})
