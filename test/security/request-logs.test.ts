// Request logs: the route pattern and the query scrubbed after decoding, never the raw URL, so a percent-encoded ID number never reaches a line.
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { scrubQuery } from '../../src/plugins/logging.ts'
import { authHeaders, build, captureLogs, logLeaks } from '../helper.ts'

/** A valid ID (born 1988-03-02, Yinzhou) and the same ID with a wrong check character. */
const first17 = '33021219880302457'
const ID = first17 + idCheckChar(first17)
const BAD_CHECKSUM = first17 + (ID[17] === '0' ? '1' : '0')

/** The ID with its last digits percent-encoded (`…45%37`), as a client or proxy may send it. */
const encoded = (id: string) =>
  `${id.slice(0, 15)}${[...id.slice(15)].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('')}`

/** Log records as objects. */
function records(lines: readonly string[]) {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string })
}

t.test(
  'the deprecated GET with a percent-encoded ID, accepted or rejected, logs no ID in any form',
  async (tt) => {
    const logs = captureLogs()
    const app = await build(tt, { config: { logLevel: 'info', rateLimitMax: 0 }, logStream: logs.stream })
    const police = await authHeaders(app, ['police'])
    const urls = [
      `/v1/points/evaluations?idNumber=${encoded(ID)}`,
      `/v1/points/evaluations?idNumber=${encoded(ID)}&limit=5`,
      `/v1/points/evaluations?idNumber=${encoded(BAD_CHECKSUM)}`,
      `/v1/points/evaluations?limit=5&idNumber=${encoded(ID).toLowerCase()}`,
    ]
    tt.ok(encoded(ID).includes('%'), `sent as ${encoded(ID)}`)
    const statuses = []
    for (const url of urls)
      statuses.push((await app.inject({ method: 'GET', url, headers: police })).statusCode)
    tt.same(statuses, [200, 200, 400, 200], 'accepted, accepted, rejected (checksum), accepted')
    const text = logs.text()
    tt.same(logLeaks(text), [], 'no ID number, as written or percent-decoded')
    tt.notOk(text.includes(encoded(ID)), 'not the encoded form either')
    tt.notOk(text.includes('idNumber='), 'never the raw URL')
    const incoming = records(logs.lines).filter((r) => r.msg === 'incoming request')
    tt.equal(incoming.length, urls.length)
    for (const r of incoming) {
      const req = r.req as { route: string; url?: string; query: Record<string, string> }
      tt.equal(req.route, '/v1/points/evaluations', 'the route pattern')
      tt.equal(req.url, undefined, 'no url')
      tt.equal(req.query.idNumber, '[redacted]', 'the ID parameter redacted')
    }
    tt.same(
      (incoming[1].req as { query: unknown }).query,
      { idNumber: '[redacted]', limit: '5' },
      'the rest of the query is kept',
    )
  },
)

t.test('paths and other parameters are scrubbed after decoding too', async (tt) => {
  const logs = captureLogs()
  const app = await build(tt, { config: { logLevel: 'info', rateLimitMax: 0 }, logStream: logs.stream })
  const police = await authHeaders(app, ['police'])
  // a path no route matches: logged decoded and masked, so that 404 floods can still be read
  tt.equal((await app.inject({ method: 'GET', url: `/v1/people/${encoded(ID)}` })).statusCode, 404)
  // a parameterised route: its pattern, not the value
  tt.equal(
    (await app.inject({ method: 'GET', url: `/v1/points/evaluations/${encoded(ID)}`, headers: police }))
      .statusCode,
    400,
  )
  // an ID under a parameter of another name, and as a parameter name
  await app.inject({ method: 'GET', url: `/v1/rulesets?scheme=points&note=${encoded(ID)}`, headers: police })
  await app.inject({ method: 'GET', url: `/v1/rulesets?${encoded(ID)}=1`, headers: police })
  tt.same(logLeaks(logs.text()), [], 'no ID number anywhere')
  const reqs = records(logs.lines)
    .filter((r) => r.msg === 'incoming request')
    .map((r) => r.req as Record<string, unknown>)
  tt.equal(reqs[0].path, `/v1/people/330212***********${ID[17]}`, 'the 404 path, decoded and masked')
  tt.equal(reqs[1].route, '/v1/points/evaluations/:id')
  tt.same(reqs[2].query, { scheme: 'points', note: `330212***********${ID[17]}` })
  tt.same(reqs[3].query, { [`330212***********${ID[17]}`]: '1' })
})

t.test('the query scrubber: masks, redacts, clips', async (tt) => {
  tt.equal(scrubQuery({}), undefined)
  tt.equal(scrubQuery(undefined), undefined)
  tt.same(scrubQuery({ idNumber: ID }), { idNumber: `330212***********${ID[17]}` }, 'a well-formed ID masked')
  tt.same(scrubQuery({ IDNUMBER: '3302' }), { IDNUMBER: '[redacted]' }, 'a malformed one redacted')
  tt.same(scrubQuery({ a: [ID, 'x'] }), { a: [`330212***********${ID[17]}`, 'x'] }, 'repeated parameters')
  tt.equal(String(scrubQuery({ a: 'y'.repeat(1000) })?.a).length, 101, 'long values clipped')
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, '1']))
  tt.equal(Object.keys(scrubQuery(many) ?? {}).length, 20, 'at most 20 parameters')
})

t.test('the log check itself sees a percent-encoded ID', async (tt) => {
  tt.equal(logLeaks(`{"url":"/v1/points/evaluations?idNumber=${encoded(ID)}"}`).length, 1)
})
