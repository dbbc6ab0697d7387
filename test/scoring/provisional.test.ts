// Table-level provisional flags say which fields they cover: a result is provisional only for what it used.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { TableSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

const tables = loadShippedTables()
const compiled = (id: string) => compileTable(tables.find((x) => `${x.id}@${x.version}` === id)!)

t.test('no shipped table is provisional as a whole: each flag names its fields and why', async (t) => {
  for (const table of tables) {
    t.not(table.provisional, true, `${table.id}@${table.version}`)
    if (typeof table.provisional === 'object') {
      t.ok(table.provisional.fields.length > 0)
      t.ok(table.provisional.reason.length > 0)
    }
  }
})

t.test('a Zhejiang result that used no provisional row is not provisional', async (t) => {
  // the provincial table: only its start date (2022-04-01) is provisional at table level
  const c = compiled('zhejiang-points-2022@1')
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', education: 'bachelor' })
  const r = c.evaluatePoints(a, { asOf: '2026-04-30' })
  t.same(r.provisionalRows, [])
  t.equal(r.provisional, false, 'the provisional start date does not make the score provisional')
  t.equal(r.ruleset.provisional, true, 'the ruleset still says the table has provisional parts')
  t.same(r.ruleset.provisionalFields, ['validFrom'], 'and which')
})

t.test('a result that used a provisional row stays provisional', async (t) => {
  const c = compiled('fenghua-points-2022@1')
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', districtItems: { brave_act: true } })
  const r = c.evaluatePoints(a, { asOf: '2026-04-30' })
  t.ok(r.provisionalRows.includes('brave_act'))
  t.equal(r.provisional, true)
})

t.test('the table-level flag: the old `true` still covers every result; a named date does too', async (t) => {
  const table = (provisional: unknown) =>
    TableSchema.parse({
      id: 'flag-test',
      version: 1,
      scheme: 'points',
      jurisdiction: '330299',
      title: 't',
      validFrom: '2024-01-01',
      ref: 'x',
      provisional,
      layers: [{ id: 'l', label: 'l', cap: 10 }],
      items: [
        {
          id: 'p',
          label: 'p',
          layer: 'l',
          kind: 'binary',
          ref: 'x',
          when: { fact: 'age', gte: 0 },
          points: 10,
        },
      ],
    })
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01' })
  const run = (p: unknown) => compileTable(table(p)).evaluatePoints(a, { asOf: '2026-04-30' })
  t.equal(run(true).provisional, true, 'a table written before the flag named fields')
  // the old flag's results keep their old shape (no provisionalFields), so their records replay identical
  t.equal(run(true).ruleset.provisionalFields, undefined)
  t.equal(run(false).provisional, false)
  t.equal(run({ reason: 'r', fields: ['validFrom'] }).provisional, false)
  t.equal(run({ reason: 'r', fields: ['dates.cutoff'] }).provisional, true, 'conditions read named dates')
  t.throws(() => table({ reason: 'r', fields: ['items'] }), 'rows carry their own flag, not the table')
  t.throws(() => table({ fields: ['validFrom'] }), 'a reason is required')
})
