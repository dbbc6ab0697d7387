// Problems in Chinese or English by Accept-Language (Chinese by default), the same code and field paths in both, pages at each type (issue 15 item 3).
import t from 'tap'
import { ERRORS, type ErrorName, PROBLEM_TEXT, problemSlug } from '../../schema/errors.ts'
import { languageOf, problem } from '../../src/plugins/errors.ts'
import { build, json, pointsRequest } from '../helper.ts'

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
