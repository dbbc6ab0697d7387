// Simulation routes: scopes, each population source (upload, evaluations, round), polling, immutability, audit, idempotency, restart, bad input.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { openStorage } from '../../src/repositories/open.ts'
import { openRaw } from '../backend.ts'
import {
  applicant,
  authHeaders,
  build,
  bulkRound,
  evaluationsOneVoided,
  json,
  pollSimulation,
  residenceCap20Draft,
  tempDatabase,
} from '../helper.ts'

type Auth = Record<string, string>

function simulate(app: FastifyInstance, auth: Auth, payload: object, headers: Auth = {}) {
  return app.inject({ method: 'POST', url: '/v1/simulations', headers: { ...auth, ...headers }, payload })
}

/*
 * The README applicant under Yinzhou on 2026-04-30 (test/scoring/projection.test.ts): 107.5 = age 20 +
 * education 8 + skill 8 + insurance 30 + residence 86 months × 0.25 = 21.5, + employment 10 + rental 10.
 * With the residence cap at 20: 106, a loss of 1.5 on residence (21.5 → 20).
 */
const upload = (n: number) => ({ source: 'upload', applicants: Array.from({ length: n }, () => applicant()) })
const base = { asOf: '2026-04-30', jurisdiction: '330212', thresholds: [107] }

t.test('scopes: admin only; others 403, no key 401', async (t) => {
  const app = await build(t)
  const body = { ...base, draft: { table: residenceCap20Draft() }, population: upload(1) }
  for (const scope of ['police', 'education', 'auditor'] as const) {
    const res = await simulate(app, await authHeaders(app, [scope]), body)
    t.equal(res.statusCode, 403, scope)
    t.equal(json(res).code, 'JIFEN_ERR_FORBIDDEN')
  }
  t.equal((await simulate(app, {}, body)).statusCode, 401)
  const get = await app.inject({
    method: 'GET',
    url: '/v1/simulations/x',
    headers: await authHeaders(app, ['auditor']),
  })
  t.equal(get.statusCode, 403)
})

t.test('a stored draft on an uploaded population: 202, Location, polled to the report', async (t) => {
  const app = await build(t)
  const admin = await authHeaders(app, ['admin'])
  const draft = await app.inject({
    method: 'POST',
    url: '/v1/rulesets',
    headers: admin,
    payload: { table: residenceCap20Draft() },
  })
  t.equal(draft.statusCode, 201, draft.body)
  const res = await simulate(app, admin, {
    ...base,
    draft: { ruleset: 'yinzhou-points-2022@2' },
    population: upload(2),
  })
  t.equal(res.statusCode, 202, res.body)
  const created = json(res)
  t.equal(res.headers.location, `/v1/simulations/${created.id}`)
  t.equal(created.state, 'running')
  t.same(created.progress, { done: 0, total: 2 })
  t.equal(created.inputs.table.ruleset, 'yinzhou-points-2022@1')
  t.equal(created.inputs.draft.ruleset, 'yinzhou-points-2022@2')
  t.equal(created.inputs.population.count, 2)
  t.match(created.inputsSha256, /^[0-9a-f]{64}$/)
  const done = await pollSimulation(app, admin, res.headers.location as string)
  t.equal(done.state, 'completed')
  t.same(done.progress, { done: 2, total: 2 })
  const r = done.report
  // both 107.5 → 106 (see above): the [100, 110) bin under both; both cross 107 downward
  t.same(r.histogram, [{ from: 100, to: 110, before: 2, after: 2 }])
  t.same(r.thresholds, [{ threshold: 107, atOrAboveBefore: 2, atOrAboveAfter: 0, up: 0, down: 2 }])
  t.same(r.gains, [])
  t.same(
    r.losses.map((l: { key: string; change: number }) => [l.key, l.change]),
    [
      ['1', -1.5],
      ['2', -1.5],
    ],
  )
  t.same(r.losses[0].items, [{ id: 'residence', before: 21.5, after: 20, change: -1.5 }])
  t.same(r.totals, { sumBefore: 215, sumAfter: 212, meanBefore: 107.5, meanAfter: 106 })
  t.equal(r.round, null)

  // immutable: read again, the same record; the audit log holds its creation with the inputs hash
  const again = json(
    await app.inject({ method: 'GET', url: `/v1/simulations/${created.id}`, headers: admin }),
  )
  t.same(again, done)
  const audit = json(await app.inject({ method: 'GET', url: '/v1/audit?limit=1000', headers: admin }))
  // biome-ignore lint/suspicious/noExplicitAny: entries read loosely
  const entries = audit.entries.filter((e: any) => e.objectId === created.id)
  t.same(
    // biome-ignore lint/suspicious/noExplicitAny: entries read loosely
    entries.map((e: any) => e.action),
    ['simulation.created', 'simulation.completed'],
  )
  t.equal(entries[0].objectHash, created.inputsSha256)
})

t.test('evaluations in a date range, an inline draft; Idempotency-Key replays the answer', async (t) => {
  const app = await build(t)
  const admin = await authHeaders(app, ['admin'])
  const police = await authHeaders(app, ['police'])
  // three official evaluations, made today (2026-05-15); the third is voided and leaves the population
  await evaluationsOneVoided(t, app, police)
  const body = {
    ...base,
    draft: { table: residenceCap20Draft() },
    population: { source: 'evaluations', from: '2026-05-01', to: '2026-05-31' },
  }
  const res = await simulate(app, admin, body, { 'idempotency-key': 'sim-1' })
  t.equal(res.statusCode, 202, res.body)
  const retry = await simulate(app, admin, body, { 'idempotency-key': 'sim-1' })
  t.equal(retry.statusCode, 202)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(json(retry).id, json(res).id)
  const other = await simulate(app, admin, { ...body, top: 3 }, { 'idempotency-key': 'sim-1' })
  t.equal(other.statusCode, 409)
  const done = await pollSimulation(app, admin, res.headers.location as string)
  t.equal(done.state, 'completed')
  t.equal(done.report.applicants, 2)
  // keys are the records' reference numbers
  t.match(done.report.losses[0].key, /^JF-2026-\d+$/)
  t.same(done.report.thresholds[0], { threshold: 107, atOrAboveBefore: 2, atOrAboveAfter: 0, up: 0, down: 2 })
  t.equal(done.inputs.draft.ruleset, null)
  // a range with no evaluation: nobody to score
  const empty = await simulate(app, admin, {
    ...body,
    population: { source: 'evaluations', from: '2026-01-01', to: '2026-01-31' },
  })
  t.equal(empty.statusCode, 422)
  t.equal(json(empty).code, 'JIFEN_ERR_SIMULATION_POPULATION')
})

// ---------------------------------------------------------------- a round

const endorsements = Array.from({ length: 10 }, (_, i) => `${2016 + i}-05-01`)
function parent(birthDate: string, since: string, extra: object = {}) {
  return {
    birthDate,
    education: 'bachelor',
    socialInsurance: [{ from: '2020-05', to: null, region: '330212' }],
    residence: {
      registeredSince: since,
      region: '330212',
      permit: { issuedOn: '2015-05-10', endorsements },
    },
    employment: [{ kind: 'labour_contract', from: '2020-05-01', to: null, region: '330212' }],
    housing: { kind: 'registered_rental', region: '330212', owner: null },
    ...extra,
  }
}

t.test('a round: placements and the cut-off move under the draft', async (t) => {
  const app = await build(t)
  const education = await authHeaders(app, ['education'])
  const admin = await authHeaders(app, ['admin'])
  const round = await app.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: education,
    payload: bulkRound('yz-2026-a', [{ id: 's1', name: '鄞州区第一实验小学', seats: 1 }]),
  })
  t.equal(round.statusCode, 201, round.body)
  const roundId = json(round).id
  /*
   * (test/routes/admission.test.ts) a: age 20 + bachelor 10 + insurance 72 months → 30 + residence
   * 132 months → 30 (cap) = 90, + employment 10 + rental 10 = 110; draft: residence 20 → 100.
   * b: the same but registered 2020-04-30 (72 months × 0.25 = 18) and a level-2 skill (10):
   * 20 + 10 + 10 + 30 + 18 + 20 = 108 under both (18 < 20).
   * One seat: a (110) before, b (108) after; the cut-off moves from 110 to 108.
   */
  const child = (birthDate: string) => ({ birthDate, hukou: '420102', entryGrade: 'P1' })
  const applications = [
    {
      applicationRef: 'a',
      household: {
        parents: [parent('1990-01-01', '2015-04-30')],
        child: child('2019-10-01'),
        ownsHomeIn: [],
        preferences: ['s1'],
      },
    },
    {
      applicationRef: 'b',
      household: {
        parents: [parent('1990-01-02', '2020-04-30', { skills: [{ kind: 'skill_level', level: 2 }] })],
        child: child('2019-10-02'),
        ownsHomeIn: [],
        preferences: ['s1'],
      },
    },
  ]
  const bulk = await app.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${roundId}/applications`,
    headers: education,
    payload: { applications },
  })
  t.equal(bulk.statusCode, 201, bulk.body)
  const res = await simulate(app, admin, {
    ...base,
    thresholds: [105],
    draft: { table: residenceCap20Draft() },
    population: { source: 'round', roundId },
  })
  t.equal(res.statusCode, 202, res.body)
  const done = await pollSimulation(app, admin, res.headers.location as string)
  t.equal(done.state, 'completed', done.failure)
  const r = done.report
  t.same(
    r.losses.map((l: { key: string; before: number; after: number }) => [l.key, l.before, l.after]),
    [['a', 110, 100]],
  )
  t.same(r.thresholds, [{ threshold: 105, atOrAboveBefore: 2, atOrAboveAfter: 1, up: 0, down: 1 }])
  t.same(r.round.changes, [
    { ref: 'a', before: 's1', after: null, change: 'placed_to_not' },
    { ref: 'b', before: null, after: 's1', change: 'not_to_placed' },
  ])
  t.same(r.round.cutoffs, [
    {
      unit: 's1',
      name: '鄞州区第一实验小学',
      seats: 1,
      before: 110,
      after: 108,
      rankBefore: 1,
      rankAfter: 1,
    },
  ])
  t.equal(done.inputs.population.roundId, roundId)
})

t.test('bad input: problem+json with a stable code for each', async (t) => {
  const app = await build(t)
  const admin = await authHeaders(app, ['admin'])
  const expect = async (payload: object, status: number, code: string, path?: string) => {
    const res = await simulate(app, admin, payload)
    t.equal(res.statusCode, status, `${code}: ${res.body}`)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    const p = json(res)
    t.equal(p.code, code)
    if (path !== undefined) t.equal(p.errors[0].path, path)
    return p
  }
  const ok = { ...base, draft: { table: residenceCap20Draft() }, population: upload(1) }
  await expect(
    { ...ok, population: { source: 'round', roundId: 'no-such-round' } },
    404,
    'JIFEN_ERR_NOT_FOUND',
    'body.population.roundId',
  )
  await expect(
    { ...ok, draft: { ruleset: 'no-such-table@1' } },
    404,
    'JIFEN_ERR_NOT_FOUND',
    'body.draft.ruleset',
  )
  await expect(
    { ...ok, draft: { ruleset: 'yinzhou-admission-2023@1' } },
    422,
    'JIFEN_ERR_SIMULATION_DRAFT',
    'body.draft.ruleset',
  )
  await expect({ ...ok, population: upload(0) }, 422, 'JIFEN_ERR_SIMULATION_POPULATION', 'body.population')
  await expect(
    // over the schema's maximum: refused by its length before any applicant is validated
    { ...ok, population: upload(10_001) },
    400,
    'JIFEN_ERR_VALIDATION',
    'body.population.applicants',
  )
  await expect({ ...ok, jurisdiction: '110000' }, 422, 'JIFEN_ERR_NO_TABLE_IN_FORCE')
  await expect({ ...ok, binWidth: 0 }, 400, 'JIFEN_ERR_VALIDATION')
  await expect({ ...ok, population: { source: 'nowhere' } }, 400, 'JIFEN_ERR_VALIDATION')
  await expect(
    {
      ...ok,
      draft: { table: { ...residenceCap20Draft(), patch: { reweight: [{ id: 'residence', cap: 'x' }] } } },
    },
    422,
    'JIFEN_ERR_TABLE_INVALID',
  )
  // in English when asked
  const en = await app.inject({
    method: 'POST',
    url: '/v1/simulations',
    headers: { ...admin, 'accept-language': 'en' },
    payload: { ...ok, population: upload(0) },
  })
  t.match(json(en).title, /population/)
  const zh = json(await simulate(app, admin, { ...ok, population: upload(0) }))
  t.equal(zh.title, '模拟人群为空或超过上限')
  const missing = await app.inject({ method: 'GET', url: '/v1/simulations/nope', headers: admin })
  t.equal(missing.statusCode, 404)
})

t.test('a simulation left running by a stopped process is failed on start, with the reason', async (t) => {
  const database = await tempDatabase(t)
  // the record a process wrote before it died: running, with no job anywhere
  const storage = await openStorage(database)
  await storage.transaction(async (tx) => {
    await tx.simulations.insert({
      id: 'sim-orphan',
      createdAt: '2026-05-15T01:00:00.000Z',
      createdBy: 'test',
      inputsSha256: 'a'.repeat(64),
      inputs: {
        draft: { ruleset: null, id: 'x', version: 1, sha256: 'b'.repeat(64) },
        table: { ruleset: 'x@1', sha256: 'c'.repeat(64) },
        population: { source: 'upload', count: 1, sha256: 'd'.repeat(64) },
        asOf: '2026-04-30',
        jurisdiction: '330212',
        thresholds: [],
        binWidth: 10,
        top: 10,
      },
      total: 1,
    })
    // the state only moves from running: a second finish is refused
    t.equal(await tx.simulations.finish('sim-none', { state: 'failed', failure: 'x' }, 'now'), false)
  })
  await storage.close()
  const app = await build(t, { config: database })
  const admin = await authHeaders(app, ['admin'])
  const s = json(await app.inject({ method: 'GET', url: '/v1/simulations/sim-orphan', headers: admin }))
  t.equal(s.state, 'failed')
  t.match(s.failure, /restart/)
  t.not(s.finishedAt, null)
  await app.close()
  // the finished record cannot change: the database refuses an update and a delete
  const raw = await openRaw(t, database)
  const refused = async (q: string, what: string) => {
    try {
      await raw.run(q)
      t.fail(`${what} was allowed`)
    } catch (e) {
      t.match(String(e), /JIFEN_IMMUTABLE/, what)
    }
  }
  await refused(
    "UPDATE simulations SET state = 'running', failure = NULL, finished_at = NULL",
    'back to running',
  )
  await refused("UPDATE simulations SET inputs_sha256 = 'x'", 'changing the inputs hash')
  await refused(
    "UPDATE simulations SET state = 'completed', report_json = '{}', failure = NULL",
    'a second finish',
  )
  await refused('DELETE FROM simulations', 'a delete')
  t.same(
    (await raw.all<{ state: string }>("SELECT state FROM simulations WHERE id = 'sim-orphan'")).map(
      (r) => r.state,
    ),
    ['failed'],
  )
})
