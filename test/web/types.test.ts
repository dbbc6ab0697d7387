// The page's scripts type-check as browser code (DOM, no Node globals) under src/web/tsconfig.json, as their `// @ts-check` promises.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'

t.test('tsc -p src/web finds no error in the page scripts', async (tt) => {
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(process.execPath, [tsc, '-p', join(projectRoot, 'src', 'web', 'tsconfig.json')], {
    cwd: projectRoot,
    encoding: 'utf8',
  })
  tt.equal(r.status, 0, `${r.stdout}${r.stderr}`.trim() || 'clean')
})
