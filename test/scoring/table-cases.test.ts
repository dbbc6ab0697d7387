// Runs every hand-computed YAML case beside the shipped tables (scoring/tables/**/*.cases.yaml).
import { readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Scheme } from '../../schema/table.ts'
import { CaseFileSchema, evaluateCase } from '../../scoring/cases.ts'
import { TableRegistry } from '../../scoring/registry.ts'
import { loadShippedTables, SHIPPED_TABLES_DIR } from '../../src/tables/shipped.ts'

const registry = new TableRegistry(loadShippedTables())
const caseFiles = readdirSync(SHIPPED_TABLES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.cases.yaml'))
  .sort()

let total = 0
for (const file of caseFiles) {
  const scheme = basename(dirname(join(SHIPPED_TABLES_DIR, file))) as Scheme
  const parsed = CaseFileSchema.safeParse(parse(readFileSync(join(SHIPPED_TABLES_DIR, file), 'utf8')))
  t.test(relative('.', file), async (ft) => {
    // a case file that does not validate fails as a whole: a misspelt check would check nothing
    if (!parsed.success) {
      ft.fail(`${file} is not a valid case file: ${z.prettifyError(parsed.error)}`)
      return
    }
    const doc = parsed.data
    for (const c of doc.cases) {
      total++
      ft.test(c.name, { todo: c.todo }, async (ct) => {
        const outcome = evaluateCase(registry, scheme, c)
        for (const check of outcome.checks) ct.same(check.actual, check.expected, check.what)
      })
    }
  })
}

t.test('there are at least 80 hand-computed table cases', async (tt) => {
  tt.ok(total >= 80, `found ${total}`)
})
