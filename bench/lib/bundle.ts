// Bundles a bench entry with the build script's own esbuild command, so that a bench times the code as production runs it (dist/).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `npm run build`: dist/jifen.mjs, what `npm start` runs. */
export function buildProduction(): void {
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr}`)
}

/** The build script's esbuild command with another entry and output file: the same flags as dist/jifen.mjs. */
export function bundleLikeProduction(entry: string, outfile: string): void {
  const build = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } }
  ).scripts.build
  // the esbuild command only: the build goes on (`&& …`) to write the parsed-tables cache
  const words = build.split('&&')[0].trim().split(/\s+/)
  if (words[0] !== 'esbuild' || !words.includes('src/cli/main.ts'))
    throw new Error(`the build script is not the esbuild command this bench knows: ${build}`)
  const argv = words
    .slice(1)
    .map((w) => (w === 'src/cli/main.ts' ? entry : w.startsWith('--outfile=') ? `--outfile=${outfile}` : w))
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), argv, { cwd: ROOT, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`)
}
