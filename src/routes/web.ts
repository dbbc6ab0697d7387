// The applicant's page at `/` and its assets, served from src/web/ by the service itself (no CDN, no build step).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { projectRoot } from '../project-root.ts'

/**
 * The page's folder, found from the project root: the route runs from the sources under tsx and from
 * the esbuild bundle in dist/, and only projectRoot resolves the same in both.
 */
export const WEB_DIR = join(projectRoot, 'src', 'web')

/** The files behind the page, each served at `/assets/<name>`; index.html is served at `/`. */
export const PAGE_ASSETS = ['app.js', 'request.js', 'i18n.js', 'chart.js', 'style.css'] as const

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

interface Asset {
  body: Buffer
  type: string
  etag: string
}

/** Reads a page file once, at start-up: a missing file stops the start instead of a 404 at the counter. */
function readAsset(name: string): Asset {
  const body = readFileSync(join(WEB_DIR, name))
  const type = CONTENT_TYPES[extname(name)]
  if (type === undefined) throw new Error(`no content type for ${name}`)
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  return { body, type, etag }
}

/**
 * Sends a page file. The module URLs carry no version, so browsers revalidate every time (no-cache)
 * and get a 304 while the file is unchanged: a new release is never mixed with a cached old script.
 */
function send(asset: Asset, req: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-cache').header('etag', asset.etag).type(asset.type)
  const given = req.headers['if-none-match']
  if (
    typeof given === 'string' &&
    given.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)
  ) {
    return reply.code(304).send()
  }
  return reply.send(asset.body)
}

export function webRoutes(app: FastifyInstance): void {
  // public like the preview it calls; hidden from the API contract, which describes the JSON API only
  const options = {
    schema: { hide: true },
    config: { scopes: ['public'] as const },
    logLevel: 'warn' as const,
  }
  const page = readAsset('index.html')
  app.get('/', options, async (req, reply) => send(page, req, reply))
  for (const name of PAGE_ASSETS) {
    const asset = readAsset(name)
    app.get(`/assets/${name}`, options, async (req, reply) => send(asset, req, reply))
  }
}
