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

t.test(
  'a record worded before reasons were sentences replays identical; a changed number is still reported',
  async (t) => {
    const { record, table } = fixture
    const compiled = compileTable(table.table)
    const stored = record.result as { items: { id: string; value: unknown; points: number }[]; total: number }
    // the old shapes: a bare fact as value, and the old "（需 …）" wording
    t.equal(stored.items.find((i) => i.id === 'residence')?.value, 86)
    t.match(JSON.stringify(stored), /（需 /)
    const { replayed, differences, wording } = replayRecord(record, compiled)
    t.same(differences, [], 'identical: the old value is compared with the fresh raw value, exactly')
    t.ok(wording.length > 0, 'the reworded sentences are set apart, not lost')
    t.ok(
      wording.every((d) => /(reason|detail)$/.test(d.path)),
      'only reasons and details are set apart',
    )
    t.same(
      (replayed as { items: { id: string; value: unknown }[] }).items.find((i) => i.id === 'residence')
        ?.value,
      {
        raw: 86,
        label: '86 个月',
      },
    )

    // a changed number in an old record: total, an item's points, an item's fact, a gate's passed flag
    const tampered = structuredClone(record)
    const r = tampered.result as typeof stored & { gates: { id: string; passed: boolean }[] }
    r.total = 108
    r.items.find((i) => i.id === 'age')!.points = 19
    r.items.find((i) => i.id === 'residence')!.value = 87
    r.gates[0].passed = !r.gates[0].passed
    const paths = replayRecord(tampered, compiled).differences.map((d) => d.path)
    t.same(
      paths.sort(),
      ['gates[permit_valid].passed', 'items[age].points', 'items[residence].value', 'total'].sort(),
      'every changed number and flag is reported',
    )
  },
)

t.test('a record worded by this release is compared exactly, wording included', async (t) => {
  const { record, table } = fixture
  const compiled = compileTable(table.table)
  // what this release would store: the fresh result of the same facts and table
  const fresh = structuredClone({ ...record, result: replayRecord(record, compiled).replayed })
  t.same(replayRecord(fresh, compiled).differences, [])
  const reworded = structuredClone(fresh)
  ;(reworded.result as { gates: { reason: string }[] }).gates[0].reason = '另一种说法'
  ;(reworded.result as { items: { value: { label: string } }[] }).items[0].value.label = '三十八岁'
  const paths = replayRecord(reworded, compiled).differences.map((d) => d.path)
  t.same(paths.sort(), ['gates[permit_valid].reason', 'items[age].value.label'].sort())
})
