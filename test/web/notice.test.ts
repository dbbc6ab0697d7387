// The printable notice in a real browser: Debian's chromium renders it, prints it to PDF, and the screenshot shows it.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { projectRoot } from '../../src/project-root.ts'
import { authHeaders, build, json, pointsRequest, postOfficial } from '../helper.ts'
import { STEADY } from './app-config.ts'
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts'

const OUT = join(projectRoot, 'test-output')
const setUp = ensureChromium()

if ('skip' in setUp) {
  t.comment(`browser test skipped: ${setUp.skip}`)
  t.test('the notice in chromium', { skip: setUp.skip }, async () => {})
} else {
  const executablePath = setUp.path
  t.test('the notice renders in chromium, prints to PDF, and its screenshot is written', async (tt) => {
    const app = await build(tt, { config: STEADY })
    const police = await authHeaders(app, ['police'])
    const first17 = '33021219880302123'
    const created = json(
      await postOfficial(app, police, pointsRequest({}, { idNumber: first17 + idCheckChar(first17) })),
    )
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const profile = mkdtempSync(join(tmpdir(), 'jifen-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 900, height: 1200 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      // the clerk's system sends its key; the notice is not public
      extraHTTPHeaders: police,
    })
    tt.teardown(async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    })
    const requests: string[] = []
    context.on('request', (r) => {
      requests.push(r.url())
    })
    const page = context.pages()[0] ?? (await context.newPage())
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const res = await page.goto(`${base}/v1/points/evaluations/${created.id}/notice`)
    tt.equal(res?.status(), 200)
    tt.equal((await page.textContent('#reference'))?.trim(), 'JF-2026-000001')
    tt.equal((await page.textContent('#total'))?.trim(), '107.5')
    tt.match((await page.textContent('#code'))?.trim(), /^[0-9A-Z]{5}-[0-9A-Z]{5}$/)
    tt.ok((await page.locator('tbody tr').count()) >= 5, 'an item table')
    tt.same(errors, [], 'no page errors')
    tt.same(
      requests.filter((u) => !u.endsWith('/notice')),
      [],
      'the notice loads nothing else (favicon aside, chromium asks for nothing)',
    )
    mkdirSync(OUT, { recursive: true })
    const screenshot = join(OUT, 'notice.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    tt.ok(statSync(screenshot).size > 10_000, 'a screenshot with content')
    await page.emulateMedia({ media: 'print' })
    const pdf = await page.pdf({ format: 'A4', printBackground: true })
    tt.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'print to PDF succeeds')
    tt.ok(pdf.length > 10_000, `a PDF with content (${pdf.length} bytes)`)
    await page.screenshot({ path: join(OUT, 'notice-print.png'), fullPage: true })
  })
}
