// A simulation's stored populations: evaluations in a date range are bounded as an upload is (a bilingual 422), and a missing round is named 录取批次 as the admission routes name it.
import pino from 'pino'
import t from 'tap'
import { SimulationRequestSchema } from '../../schema/simulation.ts'
import { fixedClock } from '../../src/clock.ts'
import { AppError } from '../../src/errors.ts'
import { openStorage } from '../../src/repositories/open.ts'
import { Recorder } from '../../src/services/recorder.ts'
import { RulesetService } from '../../src/services/rulesets.ts'
import { SimulationService } from '../../src/services/simulation.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import {
  authHeaders,
  build,
  evaluationsOneVoided,
  json,
  NOW,
  residenceCap20Draft,
  TEST_AUDIT_KEY,
  tempDatabase,
} from '../helper.ts'

const draft = { table: residenceCap20Draft() }

t.test(
  'an evaluations population over the maximum is a bilingual 422; void records do not count',
  async (t) => {
    const database = await tempDatabase(t)
    const app = await build(t, { config: database })
    const police = await authHeaders(app, ['police'])
    // three official evaluations today (2026-05-15), the third voided: a population of 2
    await evaluationsOneVoided(t, app, police)

    // the service with a maximum of 1, then 2, on the same database (as `jifen simulate` builds it)
    const storage = await openStorage({ ...database, dbPoolSize: 2 })
    t.teardown(() => storage.close())
    const log = pino({ level: 'silent' })
    const recorder = new Recorder(storage, fixedClock(NOW), { auditKey: TEST_AUDIT_KEY })
    const rulesets = new RulesetService(storage.rulesets, recorder, log)
    await rulesets.seed(loadShippedTables())
    await rulesets.reloadRegistry()
    const req = SimulationRequestSchema.parse({
      draft,
      asOf: '2026-04-30',
      jurisdiction: '330212',
      population: { source: 'evaluations', from: '2026-05-01', to: '2026-05-31' },
    })
    const ctx = { actor: { keyId: null, keyName: 'test' }, idempotency: null }
    try {
      await new SimulationService(rulesets, storage, recorder, log, 1).run(req, ctx)
      t.fail('two records under a maximum of one were taken')
    } catch (e) {
      t.ok(e instanceof AppError, String(e))
      const err = e as AppError
      t.equal(err.name_, 'SIMULATION_POPULATION')
      t.equal(err.status, 422)
      t.equal(
        err.detailIn('zh'),
        '2026-05-01 至 2026-05-31 的积分记录超过 1 条（模拟人群的上限）：请缩小日期范围',
      )
      t.equal(
        err.detailIn('en'),
        'the points records from 2026-05-01 to 2026-05-31 are more than 1 (the most a simulation takes): narrow the range',
      )
      t.same(
        err.errors.map((f) => f.path),
        ['body.population'],
      )
    }
    // at the maximum: the two standing records (the void one left out), completed
    const done = await new SimulationService(rulesets, storage, recorder, log, 2).run(req, ctx)
    t.equal(done.state, 'completed')
    t.equal(done.inputs.population.count, 2)
  },
)

t.test('a round that does not exist: 404 naming the 录取批次', async (t) => {
  const app = await build(t)
  const admin = await authHeaders(app, ['admin'])
  for (const [lang, want] of [
    ['zh', '没有录取批次 no-such-round'],
    ['en', 'no round no-such-round'],
  ]) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/simulations',
      headers: { ...admin, 'accept-language': lang },
      payload: {
        draft,
        asOf: '2026-04-30',
        jurisdiction: '330212',
        population: { source: 'round', roundId: 'no-such-round' },
      },
    })
    t.equal(res.statusCode, 404)
    t.equal(json(res).detail, want)
  }
})
