// The build's parsed shipped tables: a start that reads them loads exactly the tables that parsing the YAML gives, and a changed file is parsed again.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { contentSha256 } from '../../scoring/hash.ts'
import { parseYaml, readParsedCache, writeParsedCache } from '../../src/tables/parsed-cache.ts'
import { listTableFiles, loadShippedTables, SHIPPED_TABLES_DIR } from '../../src/tables/shipped.ts'
import { tempDir } from '../helper.ts'

t.test('the tables loaded through the cache are those parsed from the YAML, hashes included', async (tt) => {
  const file = join(tempDir(tt), 'shipped-tables.json')
  const cached = writeParsedCache(SHIPPED_TABLES_DIR, file)
  tt.equal(cached, listTableFiles().length + 1, 'every table file and the references file')
  const cache = readParsedCache(file)
  tt.equal(cache.size, cached)
  const fromCache = loadShippedTables(SHIPPED_TABLES_DIR, cache)
  const parsed = loadShippedTables(SHIPPED_TABLES_DIR, new Map())
  tt.same(fromCache.map(contentSha256), parsed.map(contentSha256), 'the same table hashes')
  tt.strictSame(fromCache, parsed)
})

t.test('an entry is used only for the very text it was parsed from', async (tt) => {
  const dir = tempDir(tt)
  writeFileSync(join(dir, 'a.yaml'), 'id: a\nversion: 1\n')
  const file = join(dir, 'cache.json')
  writeParsedCache(dir, file)
  // the entry for a.yaml's text, rewritten: a hit returns the entry, not a parse of the text
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { yaml: string; files: Record<string, unknown> }
  const [hash] = Object.keys(raw.files)
  writeFileSync(file, JSON.stringify({ ...raw, files: { [hash]: { id: 'from-cache' } } }))
  const cache = readParsedCache(file)
  tt.same(parseYaml('id: a\nversion: 1\n', cache), { id: 'from-cache' }, 'the same text: the entry')
  tt.same(parseYaml('id: a\nversion: 2\n', cache), { id: 'a', version: 2 }, 'an edited file: parsed')
  // written by another version of the parser: not used at all
  writeFileSync(file, JSON.stringify({ ...raw, yaml: '0.0.1', files: { [hash]: { id: 'from-cache' } } }))
  tt.equal(readParsedCache(file).size, 0)
  tt.equal(readParsedCache(join(dir, 'none.json')).size, 0, 'no cache (never built): none')
})

t.test('a value JSON cannot hold is left out of the cache, so it is parsed at start', async (tt) => {
  const dir = tempDir(tt)
  writeFileSync(join(dir, 'inf.yaml'), 'cap: .inf\n')
  writeFileSync(join(dir, 'ok.yaml'), 'cap: 30\n')
  writeFileSync(join(dir, 'ok.cases.yaml'), 'cases: []\n')
  const file = join(dir, 'cache.json')
  tt.equal(writeParsedCache(dir, file), 1, 'ok.yaml only: not .inf, not the test cases')
  tt.same(parseYaml('cap: .inf\n', readParsedCache(file)), { cap: Number.POSITIVE_INFINITY })
})
