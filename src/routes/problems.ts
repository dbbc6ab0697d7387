// The pages problem `type`s point to (/problems/{code}): what each error means and how to fix the request, in Chinese and English.
import type { FastifyInstance } from 'fastify'
import { ERRORS, type ErrorName, PROBLEM_TEXT, problemSlug } from '../../schema/errors.ts'
import { AppError, bi } from '../errors.ts'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ESCAPES[c])

function page(name: ErrorName): string {
  const e = ERRORS[name]
  const t = PROBLEM_TEXT[name]
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>JIFEN_ERR_${name}</title>
<style>body{font-family:sans-serif;max-width:42em;margin:2em auto;line-height:1.6}code{background:#eee;padding:0 .2em}</style></head>
<body>
<h1><code>JIFEN_ERR_${name}</code> · HTTP ${e.status}</h1>
<h2>${esc(t.title)}</h2>
<p>${esc(t.fixZh)}</p>
<h2 lang="en">${esc(e.title)}</h2>
<p lang="en">${esc(t.fixEn)}</p>
<p>字段路径（<code>errors[].path</code>）和代码（<code>code</code>）在中英文中相同。 / The field paths and the code are the same in both languages.</p>
</body>
</html>
`
}

export function problemRoutes(app: FastifyInstance): void {
  const bySlug = new Map((Object.keys(ERRORS) as ErrorName[]).map((n) => [problemSlug(n), page(n)]))
  app.get<{ Params: { code: string } }>(
    '/problems/:code',
    // public documentation, like /docs; HTML, so outside the JSON contract
    { schema: { hide: true }, config: { scopes: ['public'] } },
    async (req, reply) => {
      const html = bySlug.get(req.params.code)
      if (html === undefined)
        throw new AppError(
          'NOT_FOUND',
          bi(`没有问题类型 ${req.params.code}`, `no problem type ${req.params.code}`),
          [
            {
              path: 'params.code',
              message: bi('不是本服务的问题类型', 'not a problem type of this service'),
            },
          ],
        )
      return reply.type('text/html; charset=utf-8').header('cache-control', 'max-age=3600').send(html)
    },
  )
}
