// Runs every benchmark in bench/ (files named *.bench.ts), one child process each (`npx tsx <file>`), in
// name order, printing their output as it comes and a summary at the end.
//
//   npm run bench                 every bench/*.bench.ts
//   npm run bench -- engine http  only those whose file name contains one of the words
//
// Exit status: 0 when every benchmark exited 0 (each exits non-zero on a wrong result or a missed target).
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const root = join(benchDir, '..')
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'))

const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()
  .map((f) => join(benchDir, f))

if (files.length === 0) {
  console.error(`no bench/*.bench.ts file${filters.length ? ` matching ${filters.join(', ')}` : ''}`)
  process.exit(1)
}

function run(file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; seconds: number }> {
  const started = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', file], { cwd: root, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', (code, signal) =>
      resolve({ code, signal, seconds: Number(process.hrtime.bigint() - started) / 1e9 }),
    )
  })
}

const results: { name: string; ok: boolean; note: string }[] = []
for (const file of files) {
  const name = relative(root, file)
  console.log(`\n━━━ ${name} ━━━`)
  const r = await run(file)
  const ok = r.code === 0
  results.push({
    name,
    ok,
    note: `${r.signal ? `killed by ${r.signal}` : `exit ${r.code}`}, ${r.seconds.toFixed(1)} s`,
  })
}

console.log('\n━━━ summary ━━━')
for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${r.note})`)
const failed = results.filter((r) => !r.ok).length
console.log(`  ${results.length - failed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
