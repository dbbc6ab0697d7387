// The *.cases.yaml schema: a misspelt key or a case that checks nothing is an error (issue 9 item 7).
import t from 'tap'
import { parse } from 'yaml'
import { CaseFileSchema } from '../../scoring/cases.ts'

const file = (expect: string): unknown =>
  parse(`cases:
  - name: the base applicant
    jurisdiction: "330200"
    asOf: "2026-04-30"
    applicant: { birthDate: "1990-01-01" }
    expect: ${expect}
`)

const messages = (doc: unknown): string[] => {
  const r = CaseFileSchema.safeParse(doc)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

t.test('a case that checks a value is valid', async (t) => {
  t.same(messages(file('{ total: 33, items: { age: 20 } }')), [])
})

t.test('a misspelt check is an error, not a check of nothing', async (t) => {
  const m = messages(file('{ totl: 999 }'))
  t.ok(
    m.some((x) => x.startsWith('cases.0.expect') && x.includes('totl')),
    m.join('; '),
  )
})

t.test('a case must check at least one value', async (t) => {
  t.ok(messages(file('{}')).some((x) => x.includes('at least one value')))
  t.ok(messages(file('{ items: {} }')).some((x) => x.includes('check nothing')))
})

t.test('a misspelt case field or file field is an error', async (t) => {
  t.ok(messages(parse('cases: []\nnotes: x')).length > 0)
  const doc = file('{ total: 33 }') as { cases: Record<string, unknown>[] }
  doc.cases[0].asof = doc.cases[0].asOf
  t.ok(messages(doc).some((x) => x.includes('asof')))
})
