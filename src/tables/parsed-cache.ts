// The shipped YAML files parsed once by `npm run build` (dist/shipped-tables.json, keyed by each file's SHA-256), so that a start reads JSON rather than parse YAML.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'
import { projectRoot } from '../project-root.ts'

/** Beside the bundle: built with it, copied with it (deploy/Dockerfile), never committed. */
export const PARSED_CACHE_FILE = join(projectRoot, 'dist', 'shipped-tables.json')

/** The parser's version: a cache written by another version of `yaml` is not used. */
const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version

interface CacheFile {
  yaml: string
  /** parsed value by the SHA-256 (hex) of the file's text */
  files: Record<string, unknown>
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * The parsed values the build wrote, by the SHA-256 of their text; empty when there is no cache (a
 * checkout that was never built) or it was written by another parser version. A file whose text
 * has changed since the build has another hash and is parsed as before: a stale entry is never used.
 */
export function readParsedCache(file = PARSED_CACHE_FILE): ReadonlyMap<string, unknown> {
  let cache: CacheFile
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as CacheFile
  } catch {
    return new Map()
  }
  if (cache?.yaml !== YAML_VERSION || cache.files === null || typeof cache.files !== 'object')
    return new Map()
  return new Map(Object.entries(cache.files))
}

/** `parse(text)` from `yaml`, taken from the cache when the build parsed this very text. */
export function parseYaml(text: string, cache: ReadonlyMap<string, unknown>): unknown {
  if (cache.size > 0) {
    const hit = cache.get(sha256(text))
    if (hit !== undefined) return hit
  }
  return parse(text)
}

/**
 * Parses every `*.yaml` under `dir` except the test cases and writes the cache. A file whose parsed
 * value would not survive JSON unchanged (a YAML value JSON cannot hold) is left out, so it is parsed
 * at start as before. Returns how many files were cached.
 */
export function writeParsedCache(dir: string, file = PARSED_CACHE_FILE): number {
  const files: Record<string, unknown> = {}
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!name.endsWith('.yaml') || name.endsWith('.cases.yaml')) continue
    const text = readFileSync(join(dir, name), 'utf8')
    const value = parse(text)
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(value) ?? 'null'), value)) files[sha256(text)] = value
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify({ yaml: YAML_VERSION, files } satisfies CacheFile))
  return Object.keys(files).length
}
