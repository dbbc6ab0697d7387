// `--explain ROW` in process: a scored row's result, a failed row's errors, and a row that is not there.
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { TableRegistry } from '../../scoring/registry.ts'
import { runBatch } from '../../src/cli/batch.ts'
import { projectRoot } from '../../src/project-root.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { tempDir } from '../helper.ts'

const registry = new TableRegistry(loadShippedTables())

async function explain(
  t: Test,
  row: number,
): Promise<{ row: number; result?: { total: number }; errors?: unknown[] }> {
  const dir = tempDir(t)
  let text = ''
  const explainTo = {
    write: (s: string) => {
      text += s
      return true
    },
  } as unknown as NodeJS.WritableStream
  const progress = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream
  await runBatch(
    {
      input: join(projectRoot, 'test/cli/fixtures/batch/people.csv'),
      output: join(dir, 'out.csv'),
      jurisdiction: '330000',
      asOf: '2026-04-30',
      explain: row,
      progress,
      explainTo,
    },
    { registry, draft: null },
  )
  return JSON.parse(text)
}

t.test('explains a scored row, a failed row and a missing one', async (t) => {
  // row 2 is A1: 20 + 10 + 12 = 42 (test/cli/batch.test.ts has the arithmetic)
  t.equal((await explain(t, 2)).result?.total, 42)
  t.same((await explain(t, 4)).errors, [{ column: 'birthDate', message: 'not a calendar date' }])
  // row 6 is blank, row 99 past the end
  for (const n of [6, 99])
    t.same(await explain(t, n), {
      row: n,
      errors: [{ column: '', message: 'no such row (past the end, or blank)' }],
    })
})
