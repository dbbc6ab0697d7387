// The page's dictionaries (src/web/i18n.js): the same keys in both languages, every key the page uses present, the service's messages in Chinese.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { WEB_DIR } from '../../src/routes/web.ts'
import { DICTIONARY, LANGS, serviceMessage, translate } from '../../src/web/i18n.js'
import { build, json, pointsRequest } from '../helper.ts'
import { STEADY } from './app-config.ts'

const html = readFileSync(join(WEB_DIR, 'index.html'), 'utf8')
const script = readFileSync(join(WEB_DIR, 'app.js'), 'utf8')

t.test('both languages have the same keys (the English names of service labels aside)', async (tt) => {
  const zh = Object.keys(DICTIONARY.zh).sort()
  const en = Object.keys(DICTIONARY.en)
    .filter((k) => !k.startsWith('api.'))
    .sort()
  tt.same(zh, en)
  for (const lang of LANGS) {
    const empty = Object.entries(DICTIONARY[lang]).filter(([, v]) => v.trim() === '')
    tt.same(empty, [], `${lang}: no empty text`)
  }
  tt.ok(zh.length > 150, `${zh.length} texts`)
})

t.test('every text the page names is in both dictionaries', async (tt) => {
  const fromHtml = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1])
  // keys written out in the script: t('…') and the option lists' `${prefix}.${value}` stems
  const fromScript = [...script.matchAll(/\bt\('([a-zA-Z.]+)'/g)].map((m) => m[1])
  const missing: string[] = []
  for (const key of [...fromHtml, ...fromScript]) {
    for (const lang of LANGS) if (!(key in DICTIONARY[lang])) missing.push(`${lang}: ${key}`)
  }
  tt.same(missing, [])
  tt.ok(
    fromHtml.length > 60 && fromScript.length > 30,
    `${fromHtml.length} in the page, ${fromScript.length} in the script`,
  )
  // options: every value of every list the form offers has its text
  const web = await import('../../src/web/request.js')
  const lists: [string, readonly string[]][] = [
    ['district', web.DISTRICT_CODES],
    ['education', web.EDUCATION_LEVELS],
    ['skillLevel', web.SKILL_LEVELS],
    ['title', web.TITLE_GRADES],
    ['housing', web.HOUSING_KINDS],
    ['owner', web.HOUSING_OWNERS],
    ['organ', web.ORGAN_DONATION],
    ['employmentKind', web.EMPLOYMENT_KINDS],
    ['recordKind', web.RECORD_KINDS],
    ['honour', web.HONOUR_LEVELS],
  ]
  for (const [prefix, values] of lists) {
    for (const v of values) {
      for (const lang of LANGS) tt.ok(`${prefix}.${v}` in DICTIONARY[lang], `${lang}: ${prefix}.${v}`)
    }
  }
})

t.test('placeholders are filled; a missing key shows itself', async (tt) => {
  tt.equal(translate('zh', 'row.socialInsurance', { n: 2 }), '社保第 2 段')
  tt.equal(translate('en', 'row.socialInsurance', { n: 2 }), 'Insurance period 2')
  tt.equal(translate('zh', 'district.330212'), '鄞州区')
  tt.equal(translate('en', 'no.such.key'), 'no.such.key')
})

t.test('the service’s field messages read in Chinese on the Chinese page', async (tt) => {
  // bad requests as a person could make them on the form; every message they get back is translated
  const app = await build(tt, { config: STEADY })
  const bodies = [
    pointsRequest({ jurisdiction: '' }, { birthDate: '1988-02-30' }),
    pointsRequest(
      { asOf: '' },
      {
        birthDate: '',
        socialInsurance: [
          { from: '2019-13', to: null, region: '330212' },
          { from: '2020-05', to: '2020-01', region: '' },
        ],
        residence: {
          registeredSince: '2019-02-20',
          region: '33',
          permit: { issuedOn: '2019-03-01', endorsements: ['2018-01-01'] },
        },
        cityItems: { yearlyTaxYuan: 'abc', bloodDonations: 1.5, inventionPatents: -1 },
      },
    ),
    pointsRequest(
      {},
      { birthDate: '2030-01-01', socialInsurance: [{ from: '2030-01', to: null, region: '330212' }] },
    ),
    pointsRequest({ asOf: '2019-01-01' }),
  ]
  const messages = new Set<string>()
  for (const payload of bodies) {
    // as the page asks (src/web/app.js): the service's English words, which the page translates itself
    const res = await app.inject({
      method: 'POST',
      url: '/v1/points/preview',
      payload,
      headers: { 'accept-language': 'en' },
    })
    tt.ok(res.statusCode >= 400, `${res.statusCode}`)
    for (const e of json(res).errors) messages.add(e.message)
  }
  tt.ok(messages.size >= 8, `${messages.size} different messages`)
  const untranslated = [...messages].filter((m) => serviceMessage('zh', m) === m)
  tt.same(untranslated, [], 'each has a Chinese text')
  for (const m of messages) tt.equal(serviceMessage('en', m), m, 'English keeps the service’s words')
  tt.equal(
    serviceMessage('zh', '2030-01-01 is after today (2026-05-15)'),
    '2030-01-01 晚于今天（2026-05-15）',
  )
  tt.equal(serviceMessage('zh', 'something new'), 'something new', 'unknown: as the service wrote it')
})
