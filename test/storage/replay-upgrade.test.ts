// A record stored by the previous release (before pinned versions and references as data) still replays identical.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Table } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import type { StoredRecord } from '../../src/repositories/types.ts'
import { replayRecord } from '../../src/services/replay.ts'

/**
 * The README applicant's official record and its Yinzhou table exactly as the release before this one
 * stored them (main at 028d315, `node dist/jifen.mjs serve`, POST /v1/points/evaluations, 2026-11-30):
 * free-text `ref` on every row, `provisional: true` on the table, no `references` and no `components`.
 */
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'record-before-references.json'), 'utf8'),
) as { record: StoredRecord; table: { id: string; sha256: string; table: Table } }

t.test('a record stored before references were data replays identical with its stored table', async (t) => {
  const { record, table } = fixture
  // the stored table is what the record names, unchanged since (the service checks this too)
  t.equal(contentSha256(table.table), record.rulesetSha256)
  t.equal(table.sha256, record.rulesetSha256)
  // the stored result: 107.5 = age 20 + education 8 + skills 8 + insurance 30 (86 months × 0.5 = 43,
  // capped at 30) + residence 21.5 (86 months × 0.25) + employment 10 + housing 10
  t.equal((record.result as { total: number }).total, 107.5)
  const { replayed, differences } = replayRecord(record, compileTable(table.table))
  // before the fix: `references: {}` and `ruleset.provisionalFields: ['*']` appeared in the replay
  t.same(differences, [], 'identical: no member the old result lacked is added')
  t.notOk('references' in (replayed as object), 'no references for a table whose rows cite free text')
  t.notOk('provisionalFields' in (replayed as { ruleset: object }).ruleset)
})
