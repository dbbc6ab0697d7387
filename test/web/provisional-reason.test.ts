// The applicant page shows a row's provisional reason under its P mark (chromium, as test/web/page.test.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import t from 'tap'
import { EXAMPLE_POINTS_REQUEST } from '../../schema/api.ts'
import { authHeaders, build } from '../helper.ts'
import { STEADY } from './app-config.ts'
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts'

const REASON = '区级加分标准以正式发文为准'
const setUp = ensureChromium()

if ('skip' in setUp) {
  t.test('the provisional reason on the applicant page', { skip: setUp.skip }, async () => {})
} else {
  t.test(
    'a published row’s provisional reason appears under its P mark; rows without one are as before',
    async (tt) => {
      const app = await build(tt, { config: STEADY })
      const auth = await authHeaders(app, ['admin'])
      // Yinzhou version 2: the city table plus one district item of 5 points every adult gets, with a reason
      const draft = {
        id: 'yinzhou-points-2022',
        version: 2,
        scheme: 'points',
        jurisdiction: '330212',
        title: '宁波市鄞州区流动人口量化积分（第 2 版）',
        validFrom: '2022-04-01',
        ref: 'ningbo-points-notice',
        extends: 'ningbo-points-2022@1',
        patch: {
          layers: [{ id: 'district', label: '鄞州区', cap: 5, ref: 'ningbo-points-notice' }],
          add: [
            {
              id: 'district_bonus',
              label: '区级加分',
              layer: 'district',
              kind: 'binary',
              ref: 'ningbo-points-notice',
              when: { fact: 'age', gte: 18 },
              points: 5,
              provisional: { reason: REASON },
            },
          ],
        },
      }
      const created = await app.inject({
        method: 'POST',
        url: '/v1/rulesets',
        payload: { table: draft },
        headers: auth,
      })
      tt.equal(created.statusCode, 201)
      const published = await app.inject({
        method: 'POST',
        url: '/v1/rulesets/yinzhou-points-2022@2/publish',
        headers: auth,
      })
      tt.equal(published.statusCode, 200)
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

      const profile = mkdtempSync(join(tmpdir(), 'jifen-chromium-'))
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: setUp.path,
        args: CHROMIUM_ARGS,
        headless: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      })
      tt.teardown(async () => {
        await context.close()
        rmSync(profile, { recursive: true, force: true })
      })
      const page = context.pages()[0] ?? (await context.newPage())
      await page.goto(`${base}/`)
      await page.waitForSelector('html[data-ready="true"]')
      // the page's own module (passed as a value: it is served, not a file the compiler resolves)
      await page.evaluate(
        async ({ url, request }) => {
          const { fillForm, submitForm } = await import(url)
          fillForm(request)
          await submitForm()
        },
        { url: '/assets/app.js', request: EXAMPLE_POINTS_REQUEST },
      )
      await page.waitForSelector('#results-body:not([hidden])')
      const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim()
      // the README applicant scores 107.5 under the city table (test/web/page.test.ts); age 38 ≥ 18 adds 5
      tt.equal(await text('#total'), '112.5')
      tt.equal(await text('#items tr[data-item="district_bonus"] .mark .badge-p'), 'P 暂定')
      tt.equal(await text('#items tr[data-item="district_bonus"] .mark .provisional-reason'), REASON)
      // a row marked `true` in the shipped table: the mark alone, as before
      tt.equal(await text('#items tr[data-item="shortage_occupation"] .mark'), 'P 暂定')
      tt.equal(await page.locator('.provisional-reason').count(), 1, 'only the row with a reason shows one')
    },
  )
}
