// deploy/Dockerfile's steps, run as a script (no Docker daemon here): npm ci from the lock, the build stage, the run stage as a non-root user, SIGTERM.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'
import { tempDir } from '../helper.ts'

// npm ci and builds, or real processes under load: longer than .taprc's 600 s on a loaded machine
t.setTimeout(2_400_000)

const DOCKERFILE = readFileSync(join(projectRoot, 'deploy', 'Dockerfile'), 'utf8')
const SCRIPT = join(projectRoot, 'deploy', 'docker-steps.sh')

t.test('the script runs the npm steps of the Dockerfile verbatim', async (tt) => {
  const script = readFileSync(SCRIPT, 'utf8')
  const runs = [...DOCKERFILE.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]).filter((r) => r.startsWith('npm '))
  tt.ok(runs.length >= 2, `${runs.length} npm steps`)
  for (const r of runs) tt.ok(script.includes(r), r)
  tt.match(DOCKERFILE, /^USER node$/m, 'the image runs as a non-root user')
  tt.match(
    DOCKERFILE,
    /^CMD \["node", .*"dist\/jifen\.mjs", "serve"\]$/m,
    'exec form: node receives the signals',
  )
  tt.match(DOCKERFILE, /^FROM .* AS build$/m)
  tt.match(DOCKERFILE, /COPY --from=build \/app\/dist/, 'multi-stage: the run stage takes the build')
})

t.test(
  'the image builds from the committed lock, serves as nobody, and stops on SIGTERM with 0',
  async (tt) => {
    tt.setTimeout(1_800_000)
    const r = spawnSync('bash', [SCRIPT, tempDir(tt)], { cwd: projectRoot, encoding: 'utf8' })
    tt.equal(
      r.status,
      0,
      r.status === 0 ? 'the steps ran' : `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    )
    tt.match(r.stdout, /"status":"ready"/)
    tt.match(r.stdout, /database owned by nobody, mode 600/)
    tt.match(r.stdout, /exit status after SIGTERM: 0/)
  },
)
