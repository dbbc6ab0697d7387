// The applicant page in a real browser: Debian's chromium driven by playwright-core against the app on a free port.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import { EXAMPLE_POINTS_REQUEST } from '../../schema/api.ts'
import { projectRoot } from '../../src/project-root.ts'
import { DISTRICT_CODES } from '../../src/web/request.js'
import { build, json } from '../helper.ts'
import { STEADY } from './app-config.ts'
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts'

/*
 * The README's applicant (schema/api.ts EXAMPLE_POINTS_REQUEST) in Yinzhou (330212) as of 2026-04-30,
 * by hand from policy.md §3.1–3.2:
 *   age 38 (born 1988-03-02), 18–40 band                          → 20
 *   education 大专                                                →  8
 *   skill level 3 (高级工)                                        →  8
 *   insurance 2019-03..2026-04 = 86 months × 0.5 = 43             → capped at 30
 *   residence 2019-02-20..2026-04-20 = 86 full months × 0.25      → 21.5 (cap 30)
 *   provincial 20 + 8 + 8 + 30 + 21.5                             = 87.5 (cap 100)
 *   city: employment continuous ≥ 1 year 10 + registered rental 10 = 20
 *   district: Yinzhou's items are not published (empty layer)      =  0
 *   total                                                          = 107.5
 * Advice: one more full month of residence adds 0.25 (87 × 0.25 = 21.75 < 30; 87.75 < 100).
 * Target 109 (+1.5): six more full months of residence, the 92nd completed on 2026-10-20 (age still
 * 38, permit endorsed 2026-02-20, insurance and employment already at their caps).
 */
const README_TOTAL = '107.5'
const TARGET = 109
/** The day the 92nd full month completes (the projection finds the day, not only its month-end). */
const TARGET_DAY = '2026-10-20'

const OUT = join(projectRoot, 'test-output')
/** The page's modules, imported inside the page to drive it with its own functions. */
const MODULES = { app: '/assets/app.js', request: '/assets/request.js' }
const setUp = ensureChromium()

if ('skip' in setUp) {
  t.comment(`browser test skipped: ${setUp.skip}`)
  t.test('the applicant page in chromium', { skip: setUp.skip }, async () => {})
} else {
  await browserTests(setUp.path)
}

/*
 * The browser globals that the functions run inside the page use: this file is compiled with the Node
 * program, which has no DOM types (and must not get them: they would hide browser-only calls in Node code).
 */
interface PageElement {
  id: string
  hidden: boolean
  value: string
  textContent: string | null
  dataset: Record<string, string | undefined>
  closest(selector: string): PageElement | null
  querySelector(selector: string): PageElement | null
  getAttribute(name: string): string | null
}
declare const document: {
  activeElement: PageElement | null
  cookie: string
  documentElement: { scrollWidth: number }
  querySelector(selector: string): PageElement | null
}
declare const window: {
  innerWidth: number
  scrollTo(x: number, y: number): void
  axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> }
}
declare const localStorage: { length: number }
declare const sessionStorage: { length: number }
declare const indexedDB: { databases(): Promise<unknown[]> }
interface AxeViolation {
  id: string
  impact: string
  help: string
  nodes: { target: string[] }[]
}

interface Seen {
  requests: string[]
  consoleErrors: string[]
}

async function browserTests(executablePath: string): Promise<void> {
  const app: FastifyInstance = await build(t, { config: STEADY })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  const profile = mkdtempSync(join(tmpdir(), 'jifen-chromium-'))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  })
  t.teardown(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const seen: Seen = { requests: [], consoleErrors: [] }
  context.on('request', (r) => {
    seen.requests.push(`${r.method()} ${r.url()}`)
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (m) => {
    // a refused preview (400, 422) is logged by chromium itself; anything else is the page's fault
    if (m.type() === 'error' && !/status of (400|422)/.test(m.text())) seen.consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => seen.consoleErrors.push(e.message))

  const open = async (query = '') => {
    await page.goto(`${base}/${query}`)
    await page.waitForSelector('html[data-ready="true"]')
  }
  const previewAnswer = () => page.waitForResponse((r) => r.url() === `${base}/v1/points/preview`)
  const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim()

  await t.test(
    'the README applicant typed into the form: total, three item rows, an advice line',
    async (tt) => {
      await open()
      await typeReadmeApplicant(page)
      const answer = previewAnswer()
      await page.click('#submit')
      tt.equal((await answer).status(), 200)
      await page.waitForSelector('#results-body:not([hidden])')
      tt.equal(await text('#total'), README_TOTAL, 'the total')
      const row = (id: string, cell: string) => text(`#items tr[data-item="${id}"] ${cell}`)
      tt.equal(await row('age', '.points'), '20', 'age: 20 points')
      tt.equal(await row('age', '.cap'), '20')
      tt.equal(await row('social_insurance', '.points'), '30封顶前 43', 'insurance: 30, 43 before the cap')
      tt.equal(await row('social_insurance', '.cap'), '30')
      tt.equal(await row('residence', '.points'), '21.5', 'residence: 21.5')
      tt.match(await row('residence', '.ref'), '甬政办发〔2022〕10号', 'its legal reference')
      tt.equal(await row('residence', '.mark'), '已核实')
      tt.equal(await row('shortage_occupation', '.mark'), 'P 暂定', 'a provisional row is marked P')
      tt.equal(await text('#layers li[data-layer="provincial"] .layer-points'), '87.5 / 100 分')
      tt.equal(await text('#layers li[data-layer="city"] .layer-points'), '20 / 150 分')
      const advice = await text('#advice li[data-item="residence"]')
      tt.match(advice, /^在浙江省内再居住满 1 个月 \+0\.25 分/, `advice: ${advice}`)
      tt.match(advice, '甬政办发〔2022〕10号', 'with its legal reference')
      // the highest gain first: the shortage-occupation list, 10 provisional points (policy.md §3.2)
      const first = await text('#advice li:first-child')
      tt.match(first, /^在本市紧缺岗位目录所列岗位就业 \+10 分/, `first: ${first}`)
      tt.match(first, 'P 暂定', 'marked provisional')
      // what was typed is the README's request, through the page's own mapping
      const sent = await page.evaluate(async (urls) => {
        // the very modules the page runs (a module is loaded once per page, whoever imports it)
        const { readFields } = await import(urls.app)
        const { requestFromFields } = await import(urls.request)
        return requestFromFields(readFields()).request
      }, MODULES)
      tt.same(sent, EXAMPLE_POINTS_REQUEST)
    },
  )

  await t.test('the English page: same numbers, English words, no request to switch', async (tt) => {
    const before = seen.requests.length
    await page.click('#lang-toggle')
    tt.equal(await page.getAttribute('html', 'lang'), 'en')
    tt.equal(await text('#results-heading'), 'Results')
    tt.equal(await text('#total'), README_TOTAL)
    tt.match(await text('#items tr[data-item="age"] th'), /^Age/)
    tt.match(
      await text('#advice li[data-item="residence"]'),
      /^Full months of residence: 1 more \+0\.25 points/,
    )
    tt.equal(await text('label[for="birthDate"]'), 'Date of birth')
    tt.equal(seen.requests.length, before, 'the language changes in the page')
    await page.click('#lang-toggle')
    tt.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    tt.equal(await text('label[for="birthDate"]'), '出生日期')
  })

  await t.test(
    'axe-core: no serious or critical violation, with results, in both languages, on a phone',
    async (tt) => {
      for (const [label, setup] of [
        ['Chinese, desktop', async () => {}],
        ['English, desktop', () => page.click('#lang-toggle')],
        ['English, phone', () => page.setViewportSize({ width: 375, height: 812 })],
      ] as const) {
        await setup()
        await assertAccessible(tt, page, label)
      }
      await page.click('#lang-toggle')
      await page.setViewportSize({ width: 1280, height: 800 })
    },
  )

  await t.test('bad dates: the service’s message appears next to its field', async (tt) => {
    // an insurance period that ends before it starts: a 400 for socialInsurance.0.to
    await page.fill('[data-list="socialInsurance"] > :nth-child(1) [data-field="to"]', '2019-01')
    await page.click('#submit')
    const to = '[data-list="socialInsurance"] > :nth-child(1) [data-field="to"]'
    await page.waitForSelector(`${to}[aria-invalid="true"]`)
    const toError = await page.evaluate((sel) => {
      const input = document.querySelector(sel) as PageElement
      const slot = input.closest('.field')?.querySelector('.field-error') as PageElement
      return {
        text: slot.textContent,
        hidden: slot.hidden,
        describedBy: input.getAttribute('aria-describedby') ?? '',
        id: slot.id,
      }
    }, to)
    tt.equal(toError.text, '结束早于开始')
    tt.equal(toError.hidden, false)
    tt.ok(toError.describedBy.split(' ').includes(toError.id), 'the field is described by its message')
    tt.match(await text('#error-summary'), '社保第 1 段 · 截止月份（仍在缴纳则留空）：结束早于开始')
    tt.equal(
      await page.evaluate(() => document.activeElement?.id),
      'error-summary',
      'focus goes to the summary',
    )
    await page.fill(to, '')

    // a birth date after today (the test app's today is 2026-05-15): a 422 for applicant.birthDate
    await page.fill('#birthDate', '2030-01-01')
    const answer = previewAnswer()
    await page.click('#submit')
    tt.equal((await answer).status(), 422)
    await page.waitForSelector('#birthDate[aria-invalid="true"]')
    tt.equal(await text('#birthDate-error'), '2030-01-01 晚于今天（2026-05-15）')
    tt.equal(await page.getAttribute('#birthDate', 'aria-describedby'), 'birthDate-error')
    tt.equal(
      await page.isHidden('[data-list="socialInsurance"] .field-error'),
      true,
      'the earlier error is gone',
    )
    await assertAccessible(tt, page, 'with field errors')

    await page.fill('#birthDate', '1988-03-02')
    await page.click('#submit')
    await page.waitForSelector('#birthDate:not([aria-invalid])')
    tt.equal(await page.isHidden('#error-summary'), true, 'corrected: no error left')
    tt.equal(await text('#total'), README_TOTAL)
  })

  await t.test('keyboard alone: add and remove a row, submit with Enter', async (tt) => {
    await page.focus('[data-add="employment"]')
    await page.keyboard.press('Enter')
    const focused = () =>
      page.evaluate(() => {
        const a = document.activeElement as PageElement
        return {
          field: a.dataset.field ?? a.id,
          row: a.closest('.row')?.querySelector('.row-legend')?.textContent ?? '',
        }
      })
    tt.same(await focused(), { field: 'kind', row: '就业第 2 段' }, 'focus moves into the new row')
    await page.keyboard.press('Tab')
    tt.same(await focused(), { field: 'from', row: '就业第 2 段' })
    await page.focus('[data-list="employment"] > :nth-child(2) .remove-row')
    tt.equal(
      await page.getAttribute('[data-list="employment"] > :nth-child(2) .remove-row', 'aria-label'),
      '删除就业第 2 段',
    )
    await page.keyboard.press('Enter')
    tt.equal(await page.locator('[data-list="employment"] > *').count(), 1, 'the row is gone')
    tt.equal(
      await page.evaluate(() => (document.activeElement as PageElement).dataset.add),
      'employment',
      'focus on the add button',
    )
    await page.focus('#birthDate')
    const answer = previewAnswer()
    await page.keyboard.press('Enter')
    tt.equal((await answer).status(), 200, 'Enter in a field submits the form')
    tt.match(await text('#status'), `已计算：总分 ${README_TOTAL} 分。`)
  })

  await t.test('the projection to a target score', async (tt) => {
    await page.fill('#targetPoints', String(TARGET))
    // the answer to this very submission (the status line still reads 已计算 from the one before, so
    // waiting on it would race the request on a loaded machine), then the page's rendering of it
    const answered = previewAnswer()
    await page.click('#submit')
    const last = (await (await answered).json()) as {
      projection?: { target: { reachedOn: string | null } | null } | null
    }
    await page.waitForSelector('#projection-summary[data-reached-on]')
    tt.equal(await text('#total'), README_TOTAL, 'the total is shown with or without a projection')
    tt.ok(last?.projection, 'the preview answers a target with a projection')
    const reachedOn = last?.projection?.target?.reachedOn ?? null
    tt.equal(reachedOn, TARGET_DAY, 'reached on the day the 92nd full month of residence completes')
    tt.equal(await page.getAttribute('#projection-summary', 'data-reached-on'), reachedOn)
    tt.match(await text('#projection-summary'), `将于 ${reachedOn} 达到 ${TARGET} 分`)
    tt.equal(await page.locator('#projection-chart svg line.reached').count(), 1, 'the chart marks the date')
    tt.equal(await page.locator('#projection-chart svg line.target').count(), 1, 'and the target line')
    tt.match(await text('#projection-chart svg .reached-label'), reachedOn ?? '')
  })

  await t.test(
    'any projection and advice with actions are drawn: a chart, a table, references',
    async (tt) => {
      // The service's real answer with a made-up projection and advice entry, to check the drawing of
      // shapes the service may send (`projection`, `advice[].action/ref/provisional`). The numbers are made up for the
      // drawing only: 37 month-ends from 2026-04-30, rising 0.25 a month; the target 110 is reached on the
      // 11th (107.5 + 10 × 0.25).
      const points = Array.from({ length: 37 }, (_, k) => {
        const month = 3 + k
        const y = 2026 + Math.floor(month / 12)
        const m = (month % 12) + 1
        const day = new Date(Date.UTC(y, m, 0)).getUTCDate()
        return { date: `${y}-${String(m).padStart(2, '0')}-${day}`, total: 107.5 + k / 4, eligible: k !== 12 }
      })
      const projection = {
        from: '2026-04-30',
        to: '2029-04-30',
        points,
        target: { points: 110, by: null, reachedOn: '2027-02-28', reason: null },
      }
      const extraAdvice = [
        {
          item: 'housing',
          label: '住房',
          fact: null,
          factLabel: null,
          more: null,
          points: 10,
          cap: 20,
          gain: 10,
          kind: 'category',
          action: '购买住房（本人或配偶产权）',
          ref: '甬政办发〔2022〕10号',
          provisional: true,
        },
      ]
      await page.route(`${base}/v1/points/preview`, async (route) => {
        const response = await route.fetch()
        const body = await response.json()
        await route.fulfill({
          response,
          json: { ...body, advice: [...body.advice, ...extraAdvice], projection },
        })
      })
      tt.teardown(() => page.unroute(`${base}/v1/points/preview`))
      await page.fill('#targetPoints', '')
      await page.click('#submit')
      await page.waitForSelector('#projection-chart svg')
      tt.equal(
        await text('#projection-summary'),
        '如果只是时间流逝、其他情况不变，将于 2027-02-28 达到 110 分。',
      )
      tt.equal(await page.locator('#projection-chart svg circle.point').count(), 37, 'a point per month-end')
      tt.equal(
        await page.locator('#projection-chart svg circle.not-eligible').count(),
        1,
        'the ineligible one hollow',
      )
      tt.equal(await text('#projection-chart svg .reached-label'), '2027-02-28 达到')
      tt.equal(await text('#projection-chart svg .target-label'), '目标 110 分')
      tt.equal(await page.locator('#projection-table tbody tr').count(), 37, 'the same numbers as a table')
      const width = Number(await page.getAttribute('#projection-chart svg', 'width'))
      tt.ok(width >= 280 && width <= 760, `drawn at the chart's width (${width} px)`)
      const housing = await text('#advice li[data-item="housing"]')
      tt.match(housing, /^购买住房（本人或配偶产权） \+10 分/, 'the action in words')
      tt.match(housing, '甬政办发〔2022〕10号', 'with its legal reference')
      tt.match(housing, 'P 暂定', 'and its provisional mark')
      const gains = await page.locator('#advice li .gain').allTextContents()
      const values = gains.map((g) => Number(/[\d.]+/.exec(g)?.[0]))
      tt.same(
        values,
        [...values].sort((a, b) => b - a),
        'highest gain first',
      )
      await assertAccessible(tt, page, 'with the projection chart')
      mkdirSync(OUT, { recursive: true })
      await page.locator('#projection').screenshot({ path: join(OUT, 'projection-chart.png') })
      await page.setViewportSize({ width: 375, height: 812 })
      await page.waitForFunction(
        () => Number(document.querySelector('#projection-chart svg')?.getAttribute('width')) < 375,
      )
      tt.pass('the chart is redrawn to a phone’s width')
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.unroute(`${base}/v1/points/preview`)
      await page.click('#submit')
      await page.waitForSelector('#projection', { state: 'hidden' })
    },
  )

  await t.test('screenshots at 1280 × 800 and 375 × 812', async (tt) => {
    mkdirSync(OUT, { recursive: true })
    for (const [name, width, height] of [
      ['applicant-page-desktop.png', 1280, 800],
      ['applicant-page-phone.png', 375, 812],
    ] as const) {
      await page.setViewportSize({ width, height })
      await page.evaluate(() => window.scrollTo(0, 0))
      const file = join(OUT, name)
      await page.screenshot({ path: file })
      const png = readFileSync(file)
      tt.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}: a PNG`)
      // the IHDR chunk follows the signature: width and height, 4 bytes each, big-endian
      tt.equal(png.toString('latin1', 12, 16), 'IHDR')
      tt.same([png.readUInt32BE(16), png.readUInt32BE(20)], [width, height], `${name}: ${width} × ${height}`)
      tt.ok(png.length > 20_000, `${name}: ${png.length} bytes, not blank`)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      tt.equal(overflow, 0, `${name}: nothing wider than the screen`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  await t.test('save to a file on the device, clear, load it back: the same total', async (tt) => {
    await page.fill('#targetPoints', String(TARGET))
    const download = page.waitForEvent('download')
    await page.click('#save')
    const file = await download
    tt.equal(file.suggestedFilename(), 'jifen-2026-04-30.json')
    const saved = join(mkdtempSync(join(tmpdir(), 'jifen-saved-')), file.suggestedFilename())
    tt.teardown(() => rmSync(saved, { force: true }))
    await file.saveAs(saved)
    const content = JSON.parse(readFileSync(saved, 'utf8'))
    tt.same(
      content,
      { ...EXAMPLE_POINTS_REQUEST, target: { points: TARGET } },
      'the request, in the API’s own words',
    )
    await page.click('#reset')
    tt.equal(await page.inputValue('#birthDate'), '')
    tt.equal(await page.isHidden('#results-body'), true)
    await page.setInputFiles('#load-file', saved)
    await page.waitForFunction(() => (document.querySelector('#birthDate') as PageElement).value !== '')
    tt.equal(await text('#file-message'), '已载入 jifen-2026-04-30.json。')
    await page.fill('#targetPoints', '')
    await page.click('#submit')
    await page.waitForSelector('#results-body:not([hidden])')
    tt.equal(await text('#total'), README_TOTAL)
  })

  await t.test(
    '50 seeded applicants through the page’s own fill and submit: the page’s total is the API’s',
    async (tt) => {
      const asOf = '2026-04-30'
      const requests = generateApplicants(50, 20260430, asOf).map((applicant, i) => ({
        jurisdiction: DISTRICT_CODES[i % DISTRICT_CODES.length],
        asOf,
        applicant,
      }))
      const shown = await page.evaluate(
        async ({ all, urls }) => {
          const { fillForm, submitForm } = await import(urls.app)
          const out = []
          for (const request of all) {
            fillForm(request)
            const outcome = await submitForm()
            out.push({ status: outcome.status, total: document.querySelector('#total')?.textContent ?? '' })
          }
          return out
        },
        { all: requests, urls: MODULES },
      )
      const differences: string[] = []
      let scored = 0
      for (const [i, request] of requests.entries()) {
        const api = await app.inject({ method: 'POST', url: '/v1/points/preview', payload: request })
        if (api.statusCode !== shown[i].status) {
          differences.push(`${i}: API ${api.statusCode}, page ${shown[i].status}`)
        } else if (api.statusCode === 200) {
          scored++
          const total = json(api).result.total
          if (shown[i].total !== String(total)) differences.push(`${i}: API ${total}, page ${shown[i].total}`)
        }
      }
      tt.same(differences, [], 'each applicant: the same answer, the same total')
      tt.ok(scored >= 45, `${scored} of 50 scored (the rest refused alike), so the comparison is not vacuous`)
    },
  )

  await t.test('nothing typed is kept or sent anywhere but the preview', async (tt) => {
    const kept = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      cookie: document.cookie,
      databases: (await indexedDB.databases()).length,
    }))
    tt.same(kept, { local: 0, session: 0, cookie: '', databases: 0 })
    const allowed = new RegExp(
      `^(GET ${base}/(\\?lang=en)?|GET ${base}/assets/[a-z0-9]+\\.(js|css)|POST ${base}/v1/points/preview)$`,
    )
    const elsewhere = seen.requests.filter((r) => !allowed.test(r) && !r.startsWith('GET blob:'))
    tt.same(elsewhere, [], 'every request went to the page’s own origin: the page, its files, the preview')
    tt.ok(seen.requests.filter((r) => r.startsWith('POST')).length > 50, 'the previews were seen')
    tt.same(seen.consoleErrors, [], 'no script error and no CSP refusal')
  })
}

/** Types the README applicant into the form the way a person would, field by field. */
async function typeReadmeApplicant(page: Page): Promise<void> {
  const a = EXAMPLE_POINTS_REQUEST.applicant
  await page.selectOption('#jurisdiction', '330212')
  await page.fill('#asOf', '2026-04-30')
  await page.fill('#birthDate', a.birthDate)
  await page.selectOption('#education', a.education)
  await page.selectOption('#skillLevel', '3')
  const insurance = '[data-list="socialInsurance"] > :nth-child(1)'
  await page.fill(`${insurance} [data-field="from"]`, '2019-03')
  await page.selectOption(`${insurance} [data-field="region"]`, '330212')
  await page.fill('#registeredSince', a.residence.registeredSince)
  await page.selectOption('#residenceRegion', '330212')
  await page.fill('#permitIssuedOn', a.residence.permit.issuedOn)
  for (const [i, date] of a.residence.permit.endorsements.entries()) {
    await page.click('[data-add="endorsements"]')
    await page.fill(`[data-list="endorsements"] > :nth-child(${i + 1}) [data-field="date"]`, date)
  }
  const job = '[data-list="employment"] > :nth-child(1)'
  await page.selectOption(`${job} [data-field="kind"]`, 'labour_contract')
  await page.fill(`${job} [data-field="from"]`, '2019-03-01')
  await page.selectOption(`${job} [data-field="region"]`, '330212')
  await page.selectOption('#housingKind', 'registered_rental')
  await page.selectOption('#housingRegion', '330212')
}

/** Runs axe-core in the page (its source evaluated, as the page's CSP refuses injected scripts). */
async function assertAccessible(tt: Test, page: Page, label: string): Promise<void> {
  const source = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
  await page.evaluate(source)
  const violations = await page.evaluate(async () => {
    // axe is the global the evaluated source defines
    const result = await window.axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }))
  })
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  tt.same(blocking, [], `${label}: no serious or critical violation`)
  for (const v of violations.filter((x) => !blocking.includes(x))) {
    tt.comment(`${label}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).join(', ')}`)
  }
}
