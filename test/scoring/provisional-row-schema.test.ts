// The row-level provisional mark in the table schema: true, false, or { reason } of 1–300 characters.
import t from 'tap'
import { TableSchema } from '../../schema/table.ts'

const table = (provisional: unknown) => ({
  id: 'row-mark',
  version: 1,
  scheme: 'points',
  jurisdiction: '330299',
  title: 't',
  validFrom: '2024-01-01',
  ref: 'x',
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
      provisional,
    },
  ],
})
const issues = (provisional: unknown): string[] => {
  const r = TableSchema.safeParse(table(provisional))
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'))
}

t.test('true, false and a reason of 1 to 300 characters are accepted', async (t) => {
  t.same(issues(true), [])
  t.same(issues(false), [])
  t.same(issues({ reason: '待' }), [], 'one character')
  t.same(issues({ reason: '待'.repeat(300) }), [], '300 characters')
  // the parsed table keeps the form it was written in: `true` stays `true` (published hashes unchanged)
  t.equal(TableSchema.parse(table(true)).items[0].provisional, true)
  t.same(TableSchema.parse(table({ reason: '待定' })).items[0].provisional, { reason: '待定' })
  t.equal(TableSchema.parse(table(undefined)).items[0].provisional, false, 'absent: false')
})

t.test('an empty, over-long, missing or non-string reason, or another key, is refused', async (t) => {
  t.not(issues({ reason: '' }).length, 0, 'empty')
  t.not(issues({ reason: '待'.repeat(301) }).length, 0, '301 characters')
  t.not(issues({}).length, 0, 'no reason')
  t.not(issues({ reason: 3 }).length, 0, 'not a string')
  t.not(
    issues({ reason: '待定', fields: ['validFrom'] }).length,
    0,
    'fields is the table-level form, not a row’s',
  )
  t.not(issues('yes').length, 0)
  t.ok(
    issues({ reason: '' }).every((p) => p.startsWith('items.0.provisional')),
    'the issue points at the row',
  )
})
