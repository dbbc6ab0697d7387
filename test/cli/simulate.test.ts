// `jifen simulate`: a draft file against the table in force on a JSON or CSV population, stored and audited like the API's; usage errors exit 2.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { EXAMPLE_APPLICANT } from '../../schema/api.ts'
import { openCliStorage } from '../../src/cli/storage.ts'
import { projectRoot } from '../../src/project-root.ts'
import { TEST_ID_HMAC_SECRET, tempDatabase, tempDir } from '../helper.ts'
import { jifen } from '../security/cli.ts'

const fixture = (name: string) => join(projectRoot, 'test/cli/fixtures/simulate', name)

/*
 * The README applicant under Yinzhou on 2026-04-30: 107.5 = age 20 + education 8 + skill 8 + insurance
 * 30 + residence 86 months × 0.25 = 21.5, + employment 10 + rental 10. The draft caps residence at
 * 20: 106 (−1.5). people.csv row R2 is the same with a level-2 skill (10): 109.5 → 108.
 */
t.test('simulate on one database', async (t) => {
  const database = await tempDatabase(t)
  const db = database.databaseUrl ?? database.dbPath
  const dir = tempDir(t)
  const people = join(dir, 'people.json')
  writeFileSync(people, JSON.stringify([EXAMPLE_APPLICANT, EXAMPLE_APPLICANT]))
  const common = [
    '--draft',
    fixture('residence-cap-20.yaml'),
    '--jurisdiction',
    '330212',
    '--as-of',
    '2026-04-30',
  ]
  // with PostgreSQL the CLI needs the ID secret the service uses (the audit key derives from it)
  const env: Record<string, string> =
    database.databaseUrl === null ? {} : { JIFEN_ID_HMAC_SECRET: TEST_ID_HMAC_SECRET }
  const run = (...args: string[]) => jifen(['simulate', ...common, ...args, '--db', db], env)

  t.test('a JSON population, as text', async (t) => {
    const r = run('--population', people, '--thresholds', '107')
    t.equal(r.code, 0, r.err)
    t.match(r.out, /^simulation [0-9a-f-]+ \(completed\)\n/)
    t.match(r.out, /\n {2}against yinzhou-points-2022@1 [0-9a-f]{12}, 330212 on 2026-04-30\n/)
    t.match(r.out, /\nmean 107\.5 → 106\n/)
    t.match(r.out, /\n {2}\[ 100, {2}110\) +2 +2\n/)
    // both cross 107 downward
    t.match(r.out, /\n +107 +2 → 0 +0 +2\n/)
    t.match(
      r.out,
      /\nlargest losses\n {2}1 {2}107\.5 → 106 \(-1\.5\) {2}residence 21\.5→20\n {2}2 {2}107\.5 → 106/,
    )
    t.notMatch(r.out, /largest gains/)
  })

  t.test('a CSV population with the columns of jifen batch, as JSON; stored and audited', async (t) => {
    const r = run('--population', fixture('people.csv'), '--json', '--top', '1')
    t.equal(r.code, 0, r.err)
    const s = JSON.parse(r.out)
    t.equal(s.state, 'completed')
    t.same(s.report.totals, { sumBefore: 217, sumAfter: 214, meanBefore: 108.5, meanAfter: 107 })
    // top 1: both lose 1.5; the tie goes to the first key
    t.same(
      s.report.losses.map((l: { key: string; before: number; after: number }) => [l.key, l.before, l.after]),
      [['1', 107.5, 106]],
    )
    t.equal(s.inputs.population.count, 2)
    t.match(s.createdBy, /^cli:/)
    const storage = await openCliStorage(db)
    t.teardown(() => storage.close())
    const stored = await storage.simulations.get(s.id)
    t.equal(stored?.state, 'completed')
    t.equal(stored?.inputsSha256, s.inputsSha256)
    const actions: string[] = []
    for await (const e of storage.audit.entries()) if (e.objectId === s.id) actions.push(e.action)
    t.same(actions, ['simulation.created', 'simulation.completed'])
  })

  t.test('usage errors exit 2; a refusal by the service exits 1', async (t) => {
    const both = run('--population', people, '--round', 'x')
    t.equal(both.code, 2)
    t.match(both.err, /exactly one of --population FILE and --round ID/)
    const neither = run()
    t.equal(neither.code, 2)
    const badThresholds = run('--population', people, '--thresholds', '100,abc')
    t.equal(badThresholds.code, 2)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify([{ birthDate: '1990-13-01' }]))
    const badRows = run('--population', bad)
    t.equal(badRows.code, 2)
    t.match(badRows.err, /bad applicants in .*bad\.json/)
    const round = run('--round', 'no-such-round')
    t.equal(round.code, 1)
    t.match(round.err, /no round no-such-round/)
  })
})
