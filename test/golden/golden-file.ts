// The golden file: one short hash per case, plus the first cases in full for readable differences.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { TableRegistry } from '../../scoring/registry.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { type GoldenTarget, goldenCase } from './cases.ts'
import { goldenJson } from './engine.ts'

export const GOLDEN_DIR = join(import.meta.dirname, 'data')
export const CASES = 100_000
/** cases kept in full, so that a difference can be shown, not only detected */
export const FULL_CASES = 300
/** hex characters of SHA-256 kept per case: 40 bits, so an accidental match is a one-in-10^12 event */
const HASH_CHARS = 10

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS)
}

/** The shipped tables as golden targets, in a fixed order (scheme, id). */
export function goldenTargets(): GoldenTarget[] {
  return loadShippedTables()
    .map((t) => ({
      scheme: t.scheme,
      jurisdiction: t.jurisdiction,
      validFrom: t.validFrom,
      validTo: t.validTo,
      districtItems: t.districtFacts.map((d) => ({ id: d.id, type: d.type })),
      key: `${t.scheme}/${t.id}@${t.version}`,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** Every case's normalised JSON, in order, scored by the engine of this checkout. */
export function* goldenResults(): Generator<string> {
  const registry = new TableRegistry(loadShippedTables())
  const targets = goldenTargets()
  for (let i = 0; i < CASES; i++) yield goldenJson(registry, goldenCase(i, targets))
}

export function writeGolden(): { cases: number } {
  const hashes: string[] = []
  const full: string[] = []
  let i = 0
  for (const json of goldenResults()) {
    hashes.push(shortHash(json))
    if (i < FULL_CASES) full.push(json)
    i++
  }
  writeFileSync(join(GOLDEN_DIR, 'hashes.txt.gz'), gzipSync(`${hashes.join('\n')}\n`, { level: 9 }))
  writeFileSync(join(GOLDEN_DIR, 'full.jsonl.gz'), gzipSync(`${full.join('\n')}\n`, { level: 9 }))
  return { cases: i }
}

export function readGolden(): { hashes: string[]; full: string[] } {
  const lines = (file: string) =>
    gunzipSync(readFileSync(join(GOLDEN_DIR, file)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
  return { hashes: lines('hashes.txt.gz'), full: lines('full.jsonl.gz') }
}
