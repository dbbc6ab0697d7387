// Words kept by fact value (scoring/conditions.ts KeptWords): which values are kept, and breakdowns read from them equal freshly built ones.
import t from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { compileTable } from '../../scoring/compile.ts'
import { KEPT_BELOW, KeptWords } from '../../scoring/conditions.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

t.test('only non-negative integers below KEPT_BELOW are kept', async (t) => {
  const w = new KeptWords()
  for (const v of [0, 1, 37, KEPT_BELOW - 1]) {
    t.equal(w.get(v), undefined, `${v}: nothing before it is kept`)
    t.equal(w.keep(v, `words ${v}`), `words ${v}`, `${v}: keep gives the words back`)
    t.equal(w.get(v), `words ${v}`, `${v}: kept`)
  }
  t.equal(w.get(-0), 'words 0', '-0 reads the words of 0 (the same text and verdicts)')
  for (const v of [KEPT_BELOW, -1, 0.5, 36.5, Number.NaN, 2 ** 32, Number.POSITIVE_INFINITY]) {
    t.equal(w.keep(v, `words ${v}`), `words ${v}`, `${v}: keep still gives the words back`)
    t.equal(w.get(v), undefined, `${v}: not kept`)
  }
  t.equal(w.get(37), 'words 37', 'values not kept leave the kept ones alone')
})

t.test(
  'a table compiled once explains every applicant as a table compiled afresh for each does',
  async (t) => {
    const asOf = '2026-04-30'
    const applicants = generateApplicants(40, 20261130, asOf).map((a) => ApplicantSchema.parse(a))
    const tables = loadShippedTables().filter(
      (x) => x.scheme === 'points' && x.validFrom <= asOf && (x.validTo === null || x.validTo >= asOf),
    )
    t.ok(tables.length >= 10, `${tables.length} points tables in force`)
    for (const table of tables) {
      const ctx = { asOf, jurisdiction: table.jurisdiction }
      const once = compileTable(table)
      // forwards, then backwards: the second pass reads the words the first one kept
      const order = [...applicants.keys(), ...[...applicants.keys()].reverse()]
      let differ = 0
      for (const i of order) {
        const kept = JSON.stringify(once.evaluatePoints(applicants[i], ctx))
        const fresh = JSON.stringify(compileTable(table).evaluatePoints(applicants[i], ctx))
        if (kept !== fresh) differ++
      }
      t.equal(differ, 0, `${table.id}: ${order.length} breakdowns, ${differ} differ`)
    }
  },
)
