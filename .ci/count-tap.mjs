// Counts leaf test points in TAP output (subtest summaries are not counted twice) and prints
// "N passed, N failed" for CI. A `# TODO` or `# SKIP` point is neither passed nor failed.
import { readFileSync } from 'node:fs'

const lines = readFileSync(process.argv[2], 'utf8').split('\n')
const open = [] // subtests not yet closed: their indent and the failure count when they opened
let passed = 0
let failed = 0
let skipped = 0
for (const line of lines) {
  const sub = /^(\s*)# Subtest/.exec(line)
  if (sub) {
    open.push({ indent: sub[1].length, failedBefore: failed })
    continue
  }
  const point = /^(\s*)(not ok|ok) \d+/.exec(line)
  if (!point) continue
  const indent = point[1].length
  const ok = point[2] === 'ok'
  const frame = open.at(-1)
  if (frame && frame.indent === indent) {
    // a subtest's summary line: count it only when it failed with no failing point inside
    // (a test file that crashed before or outside its assertions)
    open.pop()
    if (!ok && !/#\s*TODO/i.test(line) && failed === frame.failedBefore) failed++
    continue
  }
  if (/#\s*(TODO|SKIP)/i.test(line)) skipped++
  else if (ok) passed++
  else failed++
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
