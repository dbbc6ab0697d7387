// A 100,000-row batch over every Ningbo points table: each row's total and facts hash equal scoring that applicant alone.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import fc from 'fast-check'
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { TableRegistry } from '../../scoring/registry.ts'
import { runBatch } from '../../src/cli/batch.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { tempDir } from '../helper.ts'
import { applicantInput } from '../scoring/arbitraries.ts'
import { cellsOf, HEADER, JURISDICTIONS } from './batch-rows.ts'

const ROWS = 100_000
const AS_OF = '2026-04-30'
t.test('a 100,000-row batch equals scoring the rows one by one', async (t) => {
  t.setTimeout(30 * 60_000)
  const registry = new TableRegistry(loadShippedTables())
  const applicants = fc.sample(applicantInput, { numRuns: ROWS, seed: 13 })
  const dir = tempDir(t)
  const input = join(dir, 'population.csv')
  const output = join(dir, 'population-out.csv')
  const chunks = [stringify([HEADER])]
  applicants.forEach((a, i) => {
    chunks.push(stringify([cellsOf(`P${i}`, JURISDICTIONS[i % JURISDICTIONS.length], a)]))
  })
  writeFileSync(input, chunks.join(''))

  const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream
  const summary = await runBatch(
    { input, output, asOf: AS_OF, progress: sink, explainTo: sink, progressIntervalMs: 60_000 },
    { registry, draft: null },
  )
  t.same(summary, { rows: ROWS, scored: ROWS, failed: 0, errorsFile: join(dir, 'population-out.errors.csv') })

  const rows = parse(readFileSync(output), { bom: true, columns: true }) as Record<string, string>[]
  t.equal(rows.length, ROWS)
  let mismatches = 0
  const used = new Set<string>()
  rows.forEach((row, i) => {
    const jurisdiction = JURISDICTIONS[i % JURISDICTIONS.length]
    const expected = registry
      .find('points', jurisdiction, AS_OF)
      .evaluatePoints(ApplicantSchema.parse(applicants[i]), { asOf: AS_OF, jurisdiction })
    used.add(row.rulesetId)
    const same =
      row.id === `P${i}` &&
      row.row === String(i + 2) &&
      Number(row.total) === expected.total &&
      row.eligible === String(expected.eligible) &&
      row.factsSha256 === expected.factsSha256 &&
      row.rulesetSha256 === expected.ruleset.sha256 &&
      expected.items.every((it) => Number(row[`item.${it.id}`]) === it.points)
    if (!same && mismatches++ < 5) t.fail(`row ${i + 2} differs`, { row, expected: expected.total })
  })
  t.equal(mismatches, 0, 'every total, item, eligibility and facts hash agrees')
  // every shipped points table in force on the date took part (Beilun's 2021 table is superseded)
  t.equal(used.size, JURISDICTIONS.length)
})
