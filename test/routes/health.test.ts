// Probes, request ids, log redaction and configuration: the service's own plumbing.
import { Writable } from 'node:stream'
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { type Config, ConfigError, loadConfig } from '../../src/config.ts'
import { openStorage } from '../../src/repositories/open.ts'
import type { Storage } from '../../src/repositories/types.ts'
import { authHeaders, build, json, pointsRequest, postOfficial } from '../helper.ts'

t.test('/healthz answers ok; /readyz is ready after migrations and table load', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const health = await app.inject({ headers: auth, method: 'GET', url: '/healthz' })
  tt.equal(health.statusCode, 200)
  tt.same(json(health), { status: 'ok' })
  const ready = await app.inject({ headers: auth, method: 'GET', url: '/readyz' })
  tt.equal(ready.statusCode, 200)
  tt.same(json(ready).checks, { migrations: true, tables: true, database: true })
  tt.ok(json(ready).publishedRulesets > 10, 'the shipped tables were seeded and published')
})

/** Storage (of the backend under test) with one part replaced, as a failing disk or a broken query would behave. */
function breaking(patch: (r: Storage) => void) {
  return async (config: Config): Promise<Storage> => {
    const storage = await openStorage(config)
    patch(storage)
    return storage
  }
}

t.test('/readyz is 503 when the database stops answering', async (tt) => {
  const app = await build(tt, {
    openStorage: breaking((r) => {
      r.ping = async () => {
        throw new Error('SQLITE_IOERR: disk I/O error')
      }
    }),
  })
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({ headers: auth, method: 'GET', url: '/readyz' })
  tt.equal(res.statusCode, 503)
  tt.equal(json(res).status, 'not_ready')
  tt.same(json(res).checks, { migrations: true, tables: true, database: false })
})

t.test('a storage failure mid-request is a 500 problem with no SQL and no stack', async (tt) => {
  const app = await build(tt, {
    openStorage: breaking((r) => {
      const transaction = r.transaction.bind(r)
      // the key is issued through storage too: fail only the evaluation's write
      r.transaction = (work) =>
        transaction((tx) =>
          work({
            ...tx,
            records: {
              ...tx.records,
              create: async () => {
                throw new Error('SQLITE_ERROR: near "insert into evaluations": syntax error')
              },
            },
          }),
        )
    }),
  })
  const auth = await authHeaders(app, ['police'])
  const res = await postOfficial(app, auth, pointsRequest())
  tt.equal(res.statusCode, 500)
  tt.equal(json(res).code, 'JIFEN_ERR_INTERNAL')
  tt.notMatch(res.body, /SQLITE|insert|evaluations|\.ts:\d+/)
  tt.match(json(res).detail, /request id|requestId/)
})

t.test(
  'every response carries a request id; a caller’s x-request-id is kept, an odd one replaced',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    const given = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { ...auth, 'x-request-id': 'counter-7-0042' },
    })
    tt.equal(given.headers['x-request-id'], 'counter-7-0042')
    const odd = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { ...auth, 'x-request-id': 'a b<script>' },
    })
    tt.match(String(odd.headers['x-request-id']), /^[0-9a-f-]{36}$/)
    const problem = await app.inject({
      method: 'GET',
      url: '/v1/rulesets/none@1',
      headers: { ...auth, 'x-request-id': 'r-1' },
    })
    tt.equal(json(problem).requestId, 'r-1', 'problems quote the request id')
  },
)

t.test('logs never hold an ID number or an authorization header', async (tt) => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  const app = await build(tt, { config: { logLevel: 'trace' }, logStream: stream })
  const auth = await authHeaders(app, ['police'])
  const first17 = '33021219880302123'
  const id = first17 + idCheckChar(first17)
  const bad = first17 + (id[17] === '0' ? '1' : '0')
  await postOfficial(
    app,
    { ...auth, authorization: 'Bearer secret-key-123' },
    pointsRequest({}, { idNumber: id }),
  )
  await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/points/preview',
    payload: pointsRequest({}, { idNumber: bad }),
  })
  // an ID in a URL reaches the request log line: the scrubber masks it there too
  await app.inject({ headers: auth, method: 'GET', url: `/v1/rulesets/${id}` })
  tt.ok(lines.length > 3, `${lines.length} log lines`)
  const all = lines.join('')
  tt.notOk(all.includes(id), 'no valid ID number')
  tt.notOk(all.includes(bad), 'no invalid ID number')
  tt.notOk(all.includes('secret-key-123'), 'no authorization header')
  tt.ok(all.includes('330212***********'), 'the masked form appears where the ID was')
  tt.ok(
    lines.some((l) => JSON.parse(l).reqId !== undefined),
    'lines carry the request id',
  )
})

t.test(
  'configuration is read once from the environment, with defaults, frozen, failing with a readable list',
  async (tt) => {
    const c = loadConfig({})
    tt.same(
      { port: c.port, host: c.host, dbPath: c.dbPath, logLevel: c.logLevel },
      { port: 3000, host: '127.0.0.1', dbPath: 'data/jifen.sqlite', logLevel: 'info' },
    )
    tt.ok(Object.isFrozen(c))
    tt.equal(loadConfig({ JIFEN_PORT: '8080', JIFEN_DB_PATH: '' }).port, 8080)
    tt.equal(loadConfig({ JIFEN_DB_PATH: '' }).dbPath, 'data/jifen.sqlite', 'empty means unset')
    tt.equal(loadConfig({ JIFEN_ID_HMAC_SECRET: 'x'.repeat(32) }).idHmacSecret, 'x'.repeat(32))
    const err = (() => {
      try {
        loadConfig({ JIFEN_PORT: 'eighty', JIFEN_LOG_LEVEL: 'loud', JIFEN_ID_HMAC_SECRET: 'short' })
      } catch (e) {
        return e
      }
    })()
    tt.ok(err instanceof ConfigError)
    const message = (err as Error).message
    tt.match(message, /JIFEN_PORT/)
    tt.match(message, /JIFEN_LOG_LEVEL/)
    tt.match(message, /JIFEN_ID_HMAC_SECRET/)
    tt.equal(message.split('\n').length, 4, 'one line per problem under a heading')
  },
)

t.test(
  'JIFEN_TRUST_PROXY: off by default, or the proxies by address, range or name; never everyone',
  async (tt) => {
    tt.equal(loadConfig({}).trustProxy, false)
    tt.equal(loadConfig({ JIFEN_TRUST_PROXY: 'false' }).trustProxy, false)
    tt.same(loadConfig({ JIFEN_TRUST_PROXY: '10.0.0.5, 10.8.0.0/16,::1,fd00::/8,loopback' }).trustProxy, [
      '10.0.0.5',
      '10.8.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ])
    for (const [value, why] of [
      ['true', /addresses or CIDR ranges/],
      ['2', /addresses or CIDR ranges/],
      ['10.0.0.0/33', /"10\.0\.0\.0\/33"/],
      ['proxy.internal', /"proxy\.internal"/],
      ['10.0.0.1,', /""/],
    ] as const) {
      tt.throws(() => loadConfig({ JIFEN_TRUST_PROXY: value }), { message: why }, value)
      tt.throws(() => loadConfig({ JIFEN_TRUST_PROXY: value }), { message: /JIFEN_TRUST_PROXY/ })
    }
  },
)
