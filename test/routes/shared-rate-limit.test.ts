// The public rate limit across instances: with JIFEN_REDIS_URL every instance counts against one allowance per client.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { build, pointsRequest } from '../helper.ts'

const REDIS_URL = 'redis://127.0.0.1:6379'

async function previews(apps: Awaited<ReturnType<typeof build>>[], n: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) {
    const res = await apps[i % apps.length].inject({
      method: 'POST',
      url: '/v1/points/preview',
      payload: pointsRequest(),
    })
    statuses.push(res.statusCode)
  }
  return statuses
}

t.test('two instances sharing Redis give a client one allowance, not one each', async (tt) => {
  // a prefix of this run's own, so that parallel runs and earlier runs never share a count
  const redisPrefix = `jifen-test-${randomBytes(6).toString('hex')}:`
  const config = { rateLimitMax: 3, rateLimitWindowMs: 60_000, redisUrl: REDIS_URL, redisPrefix }
  const a = await build(tt, { config })
  const b = await build(tt, { config })
  const statuses = await previews([a, b], 6)
  tt.same(statuses, [200, 200, 200, 429, 429, 429], 'three in all, whichever instance answers')
})

t.test('without Redis each instance counts alone (why the shared store is needed)', async (tt) => {
  const config = { rateLimitMax: 3, rateLimitWindowMs: 60_000, redisUrl: null }
  const a = await build(tt, { config })
  const b = await build(tt, { config })
  tt.same(await previews([a, b], 6), [200, 200, 200, 200, 200, 200], 'three at each of the two')
})
