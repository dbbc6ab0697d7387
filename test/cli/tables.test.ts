// `jifen tables`: list, show, diff against the database; validate names file lines; publish is audited as the API's is.
import { join } from 'node:path'
import t from 'tap'
import { openCliStorage } from '../../src/cli/storage.ts'
import { projectRoot } from '../../src/project-root.ts'
import { tempDatabase } from '../helper.ts'
import { jifen } from '../security/cli.ts'

const fixture = (name: string) => join(projectRoot, 'test/cli/fixtures/tables', name)

t.test('tables commands on one database', async (t) => {
  const database = await tempDatabase(t)
  const db = database.databaseUrl ?? database.dbPath
  const run = (...args: string[]) => jifen(['tables', ...args, '--db', db])

  t.test('list shows the shipped tables, seeded as `serve` seeds them', async (t) => {
    const r = run('list', '--scheme', 'points', '--jurisdiction', '330200', '--json')
    t.equal(r.code, 0, r.err)
    const list = JSON.parse(r.out) as { id: string; status: string }[]
    t.same(
      list.map((s) => [s.id, s.status]),
      [['ningbo-points-2022@1', 'published']],
    )
    const text = run('list', '--status', 'published')
    t.equal(text.code, 0, text.err)
    t.match(text.out, /^id\tscheme\tjurisdiction\tstatus/)
    t.match(text.out, /\nningbo-points-2022@1\tpoints\t330200\tpublished\t2022-04-01\.\./)
  })

  t.test('show: layers and items with their references; an unknown id is exit 1', async (t) => {
    const r = run('show', 'ningbo-points-2022@1')
    t.equal(r.code, 0, r.err)
    t.match(r.out, /^ningbo-points-2022@1 {2}宁波市流动人口量化积分/)
    t.match(r.out, /\n {2}provincial\t省级\tcap 100\n/)
    // the citation text of the row's reference key (title（document number）article), never the bare key
    t.match(
      r.out,
      /\n {2}age\t年龄\tlayer provincial\tcap 20\t关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）\n/,
    )
    t.notMatch(r.out, /\tningbo-points-notice/)
    const json = JSON.parse(run('show', 'ningbo-points-2022@1', '--json').out)
    t.equal(json.ruleset.id, 'ningbo-points-2022@1')
    t.ok(json.references.some((x: { id: string }) => x.id === 'age'))
    const missing = run('show', 'nope@1')
    t.equal(missing.code, 1)
    t.match(missing.err, /no ruleset nope@1/)
  })

  t.test('diff: the Yinzhou table adds the district layer to the city table', async (t) => {
    const r = run('diff', 'ningbo-points-2022@1', 'yinzhou-points-2022@1')
    t.equal(r.code, 0, r.err)
    t.match(r.out, /\n\+ layers district\n/)
    t.match(r.out, /\n {4}jurisdiction: "330200" → "330212"\n/)
  })

  t.test('validate reports schema errors with their file lines', async (t) => {
    // bad-schema.yaml: line 6 is `validFrom: 2024-13-01`, line 19 is `    points: ten`
    const r = run('validate', fixture('bad-schema.yaml'))
    t.equal(r.code, 1)
    t.match(r.out, /bad-schema\.yaml:6:12: error: validFrom: not a calendar date/)
    t.match(r.out, /bad-schema\.yaml:19:13: error: items\.0\.points: .*expected number/)
    // unknown-layer.yaml: line 20 is `    layer: nowhere` (found by the compiler, not the schema)
    const j = run('validate', fixture('unknown-layer.yaml'), '--json')
    t.equal(j.code, 1)
    t.same(JSON.parse(j.out).errors, [
      { path: 'items[0].layer', line: 20, column: 12, message: 'unknown layer "nowhere"' },
    ])
    const good = run('validate', fixture('good.yaml'))
    t.equal(good.code, 0, good.out)
    t.match(good.out, /test-draft@1 is valid \(sha256 [0-9a-f]{64}\), 0 warnings/)
  })

  t.test('publish stores, publishes and audits; a second publish is refused', async (t) => {
    const r = run('publish', fixture('good.yaml'))
    t.equal(r.code, 0, r.err)
    t.match(r.out, /published test-draft@1 \(sha256 [0-9a-f]{64}\)/)
    const listed = JSON.parse(run('list', '--jurisdiction', '330299', '--json').out)
    t.same(
      listed.map((s: { id: string; status: string }) => [s.id, s.status]),
      [['test-draft@1', 'published']],
    )
    const storage = await openCliStorage(db)
    try {
      const entries = []
      for await (const e of storage.audit.entries()) if (e.objectId === 'test-draft@1') entries.push(e)
      t.same(
        entries.map((e) => e.action),
        ['ruleset.draft_created', 'ruleset.published'],
      )
      for (const e of entries) t.match(e.keyName, /^cli:/)
    } finally {
      await storage.close()
    }
    const again = run('publish', fixture('good.yaml'))
    t.equal(again.code, 1)
    t.match(again.err, /test-draft@1 is published/)
  })

  t.test('show gives a provisional row its reason; a row marked `true` says provisional only', async (t) => {
    t.equal(run('publish', fixture('provisional-reason.yaml')).code, 0)
    const r = run('show', 'test-provisional@1')
    t.equal(r.code, 0, r.err)
    t.match(r.out, /\n {2}skill\t技能\tlayer only\tcap 1\t[^\n]*\(provisional: 以正式发文为准\)\n/)
    t.match(r.out, /\n {2}residence\t居住\tlayer only\tcap 1\t[^\n(]*\(provisional\)\n/)
    t.match(r.out, /\n {2}permit\t持证\tlayer only\tcap 10\t[^\n(]*\n/, 'a firm row has no mark')
  })
})
