// Runs the jifen CLI in a child process, as an operator would: `npm run -s jifen -- …`.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { projectRoot } from '../../src/project-root.ts'

export function jifen(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: projectRoot,
    env: { ...process.env, ...env },
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
