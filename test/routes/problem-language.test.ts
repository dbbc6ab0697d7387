// Problems in Chinese or English by Accept-Language (Chinese by default), the same code and field paths in both, pages at each type (issue 15 item 3).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ERRORS, type ErrorName, PROBLEM_TEXT, problemSlug } from '../../schema/errors.ts'
import { languageOf, problem, toProblem } from '../../src/plugins/errors.ts'
import { projectRoot } from '../../src/project-root.ts'
import { authHeaders, build, bulkRound, json, pointsRequest } from '../helper.ts'

const NAMES = Object.keys(ERRORS) as ErrorName[]
const CJK = /[\u4e00-\u9fff]/

t.test(
  'Accept-Language picks Chinese or English by preference; Chinese when neither is asked for',
  async (tt) => {
    tt.equal(languageOf(undefined), 'zh')
    tt.equal(languageOf(''), 'zh')
    tt.equal(languageOf('fr-FR'), 'zh')
    tt.equal(languageOf('en'), 'en')
    tt.equal(languageOf('en-US,en;q=0.9'), 'en')
    tt.equal(languageOf('zh-CN,zh;q=0.9,en;q=0.8'), 'zh')
    tt.equal(languageOf('fr, en;q=0.5, zh;q=0.3'), 'en')
    tt.equal(languageOf('en;q=0, zh-TW'), 'zh')
  },
)

t.test(
  'every code in both languages: same code, type, status and field paths; the title in the language asked',
  async (tt) => {
    for (const name of NAMES) {
      const errors = [{ path: 'body.applicant.birthDate', message: 'x' }]
      const zh = problem(name, 'd', errors, 'r', 0, 'zh')
      const en = problem(name, 'd', errors, 'r', 0, 'en')
      tt.equal(zh.code, `JIFEN_ERR_${name}`)
      tt.equal(en.code, zh.code, `${name}: code`)
      tt.equal(en.type, zh.type, `${name}: type`)
      tt.equal(zh.type, `/problems/${problemSlug(name)}`)
      tt.equal(en.status, zh.status)
      tt.same(
        en.errors.map((e) => e.path),
        zh.errors.map((e) => e.path),
      )
      tt.equal(en.title, ERRORS[name].title)
      tt.equal(zh.title, PROBLEM_TEXT[name].title)
      tt.match(zh.title, CJK, `${name}: a Chinese title`)
      tt.notMatch(en.title, CJK, `${name}: an English title`)
    }
  },
)

t.test(
  'every problem type resolves to a page of the service saying what it means and how to fix it',
  async (tt) => {
    const app = await build(tt)
    for (const name of NAMES) {
      const res = await app.inject({ method: 'GET', url: `/problems/${problemSlug(name)}` })
      tt.equal(res.statusCode, 200, name)
      tt.match(res.headers['content-type'], /^text\/html/)
      tt.match(res.body, `JIFEN_ERR_${name}`)
      tt.match(res.body, PROBLEM_TEXT[name].fixZh)
    }
    const none = await app.inject({ method: 'GET', url: '/problems/no-such-code' })
    tt.equal(none.statusCode, 404)
  },
)

t.test(
  'a validation problem in Chinese by default and in English on request, with the same paths',
  async (tt) => {
    const app = await build(tt)
    const body = pointsRequest({}, { education: 'phd' })
    const send = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/points/preview', payload: body, headers })
    const zh = await send({})
    const en = await send({ 'accept-language': 'en-US,en;q=0.9' })
    tt.equal(zh.statusCode, 400)
    tt.equal(en.statusCode, 400)
    tt.equal(zh.headers['content-language'], 'zh-CN')
    tt.equal(en.headers['content-language'], 'en')
    tt.match(String(zh.headers.vary), /Accept-Language/i)
    const [a, b] = [json(zh), json(en)]
    tt.equal(a.code, 'JIFEN_ERR_VALIDATION')
    tt.equal(b.code, a.code)
    tt.same(
      b.errors.map((e: { path: string }) => e.path),
      a.errors.map((e: { path: string }) => e.path),
    )
    tt.equal(a.errors[0].path, 'body.applicant.education')
    tt.match(a.errors[0].message, CJK, `Chinese: ${a.errors[0].message}`)
    tt.match(b.errors[0].message, /Invalid option/, `English: ${b.errors[0].message}`)
    tt.equal(a.title, '请求不符合接口约定')
    tt.equal(b.title, 'The request does not match the contract')
  },
)

t.test(
  'an unknown jurisdiction lists the jurisdictions that have a table on the date, in both languages',
  async (tt) => {
    const app = await build(tt)
    for (const [lang, pattern] of [
      ['zh', /110101 没有有效的 points 积分表；当日有积分表的地区：.*330200.*330212/],
      [
        'en',
        /no points table in force for 110101 on 2026-04-30; jurisdictions with one on that date: .*330200.*330212/,
      ],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/points/preview',
        payload: pointsRequest({ jurisdiction: '110101' }),
        headers: { 'accept-language': lang },
      })
      tt.equal(res.statusCode, 422)
      const p = json(res)
      tt.equal(p.code, 'JIFEN_ERR_NO_TABLE_IN_FORCE')
      tt.match(p.detail, pattern)
      tt.equal(p.errors[0].path, 'body.jurisdiction')
    }
  },
)

/** English prose with no Chinese in it: what a Chinese problem must never carry as its whole text. */
function englishOnly(text: string): boolean {
  return !CJK.test(text) && /[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}/.test(text)
}

t.test(
  'the English-prose check itself: English sentences fail it, Chinese ones with ids pass',
  async (tt) => {
    tt.ok(englishOnly('no table in force for 110101 on 2026-04-30'))
    tt.ok(englishOnly('the round is open: allocation needs closed or allocated'))
    tt.notOk(englishOnly('录取批次当前为 申请中（open）'))
    tt.notOk(englishOnly('beilun-points-2021@1'), 'an id alone is not prose')
    tt.notOk(englishOnly(''))
  },
)

t.test(
  "the service's own messages come in the language asked: detail and every field message, in Chinese and in English",
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const admin = await authHeaders(app, ['admin'])
    const education = await authHeaders(app, ['education'])
    const round = bulkRound('yz-2026-a', [{ id: 's1', name: '鄞州区第一实验小学', seats: 1 }])
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admission/rounds',
      headers: education,
      payload: round,
    })
    tt.equal(created.statusCode, 201, created.body)
    const roundId = json(created).id as string
    // the first retirement succeeds; the cases below retire it again
    const retired = await app.inject({
      method: 'POST',
      url: '/v1/rulesets/beilun-points-2021@1/retire',
      headers: admin,
      payload: { reason: '测试：停用后再停用' },
    })
    tt.equal(retired.statusCode, 200, retired.body)
    const firstUse = await app.inject({
      method: 'POST',
      url: '/v1/points/evaluations',
      headers: { ...police, 'idempotency-key': 'lang-1' },
      payload: pointsRequest(),
    })
    tt.equal(firstUse.statusCode, 201, firstUse.body)

    type Case = { code: string; headers?: Record<string, string>; [k: string]: unknown }
    const cases: Case[] = [
      { code: 'UNAUTHORIZED', method: 'POST', url: '/v1/points/evaluations', payload: pointsRequest() },
      {
        code: 'FORBIDDEN',
        method: 'POST',
        url: '/v1/rulesets/beilun-points-2021@1/retire',
        headers: police,
        payload: { reason: '无权限' },
      },
      {
        code: 'NOT_FOUND',
        method: 'GET',
        url: '/v1/points/evaluations/by-reference/JF-2026-999999',
        headers: police,
      },
      { code: 'NOT_FOUND', method: 'GET', url: '/v1/rulesets/no-such-table', headers: admin },
      { code: 'NOT_FOUND', method: 'GET', url: '/problems/no-such-code' },
      {
        code: 'NOT_FOUND',
        method: 'GET',
        url: '/v1/admission/rounds/01890000-0000-7000-8000-000000000000',
        headers: education,
      },
      {
        code: 'FUTURE_DATE',
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: police,
        payload: pointsRequest({ asOf: '2026-06-01' }),
      },
      {
        code: 'NO_TABLE_IN_FORCE',
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: police,
        payload: pointsRequest({ jurisdiction: '110101' }),
      },
      {
        code: 'IDEMPOTENCY_CONFLICT',
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: { ...police, 'idempotency-key': 'lang-1' },
        payload: pointsRequest({ asOf: '2026-04-29' }),
      },
      {
        code: 'RULESET_NOT_PUBLISHED',
        method: 'POST',
        url: '/v1/rulesets/beilun-points-2021@1/retire',
        headers: admin,
        payload: { reason: '再次停用' },
      },
      {
        code: 'ROUND_STATE',
        method: 'POST',
        url: `/v1/admission/rounds/${roundId}/allocate`,
        headers: education,
      },
      {
        code: 'VALIDATION',
        method: 'POST',
        url: '/v1/admission/rounds',
        headers: education,
        payload: { ...round, window: { opens: round.window.closes, closes: round.window.opens } },
      },
      { code: 'ROUTE_NOT_FOUND', method: 'GET', url: '/v1/no-such-route' },
      {
        code: 'MALFORMED_JSON',
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: { ...police, 'content-type': 'application/json' },
        payload: '{"asOf": ',
      },
      {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: { ...police, 'content-type': 'text/plain' },
        payload: 'asOf=2026-04-30',
      },
    ]
    for (const { code, headers, ...req } of cases) {
      const send = (lang: string) =>
        app.inject({
          ...(req as { method: 'GET' | 'POST'; url: string }),
          headers: { ...headers, 'accept-language': lang },
        })
      const [zh, en] = [json(await send('zh-CN')), json(await send('en'))]
      const name = `${code} (${req.method} ${req.url})`
      tt.equal(zh.code, `JIFEN_ERR_${code}`, `${name}: ${JSON.stringify(zh)}`)
      tt.equal(en.code, zh.code, name)
      tt.notOk(englishOnly(zh.detail), `${name}: the Chinese detail is not English only: ${zh.detail}`)
      for (const e of zh.errors as { path: string; message: string }[])
        tt.notOk(englishOnly(e.message), `${name}: ${e.path} in Chinese: ${e.message}`)
      tt.notMatch(en.detail, CJK, `${name}: the English detail has no Chinese: ${en.detail}`)
      tt.same(
        en.errors.map((e: { path: string }) => e.path),
        zh.errors.map((e: { path: string }) => e.path),
        `${name}: the same field paths`,
      )
    }
  },
)

t.test('framework errors (body, media type, URL, rate limit, internal) in Chinese too', async (tt) => {
  const errors: unknown[] = [
    Object.assign(new Error('Unexpected end of JSON input'), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    }),
    Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    }),
    Object.assign(new Error('Unsupported Media Type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    }),
    Object.assign(new Error('Rate limit exceeded, retry in 1 minute'), { statusCode: 429 }),
    Object.assign(new Error('param too long'), { code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 }),
    Object.assign(new Error("'/%' is not a valid url component"), {
      code: 'FST_ERR_BAD_URL',
      statusCode: 400,
    }),
    Object.assign(new Error('Method Not Allowed'), { statusCode: 405 }),
    Object.assign(new Error('Precondition Failed'), { statusCode: 412 }),
    new Error('something broke inside'),
  ]
  for (const err of errors) {
    const zh = toProblem(err, 'r', 'zh')
    const en = toProblem(err, 'r', 'en')
    tt.notOk(englishOnly(zh.detail), `${zh.code}: ${zh.detail}`)
    for (const e of zh.errors) tt.notOk(englishOnly(e.message), `${zh.code} ${e.path}: ${e.message}`)
    tt.notMatch(en.detail, CJK, `${en.code}: ${en.detail}`)
    tt.equal(en.code, zh.code)
  }
})

t.test(
  'every AppError the service raises is written in both languages (no bare English detail)',
  async (tt) => {
    // a bare string as the detail is English only; bi(zh, en), a Bilingual variable or joined(...) is not
    const root = join(projectRoot, 'src')
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
    const bare: string[] = []
    let seen = 0
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8')
      for (const m of text.matchAll(/new AppError\(\s*([^,]+),\s*([`'"])/g)) {
        bare.push(`src/${f}:${text.slice(0, m.index).split('\n').length}`)
      }
      seen += text.split('new AppError(').length - 1
    }
    tt.ok(seen >= 30, `${seen} AppErrors found`)
    tt.same(bare, [], 'AppErrors with an English-only detail')
  },
)
