// The applicant page's route: `/` and its assets with their types, revalidation, security headers, nothing from elsewhere, and no place in the API contract.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PAGE_ASSETS, WEB_DIR } from '../../src/routes/web.ts'
import { build, json } from '../helper.ts'
import { STEADY } from '../web/app-config.ts'

t.test('GET / serves the page: HTML, revalidated, under the CSP, with no key', async (tt) => {
  const app = await build(tt, { config: STEADY })
  const res = await app.inject({ method: 'GET', url: '/' })
  tt.equal(res.statusCode, 200)
  tt.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  tt.equal(res.headers['cache-control'], 'no-cache')
  tt.match(String(res.headers.etag), /^"[\w-]{27}"$/)
  const csp = String(res.headers['content-security-policy'])
  tt.match(csp, "default-src 'self'")
  tt.match(csp, "script-src 'self'")
  tt.match(csp, "script-src-attr 'none'")
  tt.equal(res.headers['x-content-type-options'], 'nosniff')
  tt.equal(res.body, readFileSync(join(WEB_DIR, 'index.html'), 'utf8'))
  tt.match(res.body, '<html lang="zh-CN">')
  // the CSP allows no inline script: every script is a file of this origin
  const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  tt.same(
    scripts.map((m) => [m[1].trim(), m[2]]),
    [['type="module" src="/assets/app.js"', '']],
  )
  tt.notMatch(res.body, /\son[a-z]+=/i, 'no inline event handlers')
  const head = await app.inject({ method: 'HEAD', url: '/' })
  tt.equal(head.statusCode, 200)
  tt.equal(head.body, '')
})

t.test('each asset is served with its type; unchanged files answer 304', async (tt) => {
  const app = await build(tt, { config: STEADY })
  const types: Record<string, string> = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
  }
  for (const name of PAGE_ASSETS) {
    const res = await app.inject({ method: 'GET', url: `/assets/${name}` })
    tt.equal(res.statusCode, 200, name)
    tt.equal(res.headers['content-type'], types[name.split('.').pop() ?? ''], `${name}: type`)
    tt.equal(res.headers['cache-control'], 'no-cache', `${name}: revalidated`)
    tt.equal(res.body, readFileSync(join(WEB_DIR, name), 'utf8'), `${name}: the file in src/web`)
    const again = await app.inject({
      method: 'GET',
      url: `/assets/${name}`,
      headers: { 'if-none-match': String(res.headers.etag) },
    })
    tt.equal(again.statusCode, 304, `${name}: 304 for its etag`)
    tt.equal(again.body, '')
  }
  const stale = await app.inject({
    method: 'GET',
    url: '/assets/app.js',
    headers: { 'if-none-match': '"old"' },
  })
  tt.equal(stale.statusCode, 200, 'another etag gets the file')
  const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' })
  tt.equal(missing.statusCode, 404)
  tt.equal(json(missing).code, 'JIFEN_ERR_ROUTE_NOT_FOUND')
  const traversal = await app.inject({ method: 'GET', url: '/assets/..%2Fpackage.json' })
  tt.equal(traversal.statusCode, 404, 'only the listed files are served')
})

t.test('the served files are exactly the page, its stylesheet and the modules it imports', async (tt) => {
  const html = readFileSync(join(WEB_DIR, 'index.html'), 'utf8')
  const referenced = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]))
  // follow the imports from the entry module
  const queue = [...referenced].filter((n) => n.endsWith('.js'))
  while (queue.length > 0) {
    const name = queue.pop() as string
    const source = readFileSync(join(WEB_DIR, name), 'utf8')
    for (const m of source.matchAll(/^import\s[^'"]*['"]\.\/([^'"]+)['"]/gm)) {
      if (!referenced.has(m[1])) {
        referenced.add(m[1])
        queue.push(m[1])
      }
    }
  }
  tt.same([...referenced].sort(), [...PAGE_ASSETS].sort())
  const onDisk = readdirSync(WEB_DIR).filter((f) => /\.(js|css)$/.test(f))
  tt.same(onDisk.sort(), [...PAGE_ASSETS].sort(), 'no file in src/web that the page does not use')
})

t.test('nothing in the page reaches beyond this service: no CDN, fonts, analytics', async (tt) => {
  for (const name of ['index.html', ...PAGE_ASSETS]) {
    const source = readFileSync(join(WEB_DIR, name), 'utf8')
    // the SVG namespace is a name, not a request
    const urls = [...source.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi)]
      .map((m) => m[0])
      .filter((u) => u !== 'http://www.w3.org/2000/svg')
    tt.same(urls, [], `${name}: no outside address`)
    tt.notMatch(source, /@import|@font-face|localStorage|sessionStorage|indexedDB|document\.cookie/, name)
  }
  const app = await build(tt, { config: STEADY })
  const script = readFileSync(join(WEB_DIR, 'app.js'), 'utf8')
  tt.same(
    [...script.matchAll(/fetch\(([^,)]+)/g)].map((m) => m[1]),
    ['PREVIEW_URL'],
    'one fetch in the page: the preview',
  )
  tt.match(script, "const PREVIEW_URL = '/v1/points/preview'")
  const preview = await app.inject({ method: 'POST', url: '/v1/points/preview', payload: {} })
  tt.not(preview.statusCode, 404, 'the preview the page calls exists')
})

t.test('the page is not part of the API contract', async (tt) => {
  const app = await build(tt, { config: STEADY })
  const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }))
  const paths = Object.keys(doc.paths)
  tt.notOk(paths.includes('/'), 'no `/`')
  tt.same(
    paths.filter((p) => p.startsWith('/assets')),
    [],
  )
})
