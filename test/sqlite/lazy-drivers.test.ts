// A start on SQLite loads neither PostgreSQL's driver nor Redis's client: they are loaded when configured, which saves their share of every start.
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'
import { tempDir } from '../helper.ts'

t.test('an app on SQLite without a Redis URL, started, has not loaded pg or ioredis', async (tt) => {
  const dir = tempDir(tt)
  // its own process: this test's helpers load pg themselves
  const code = `
    import { createRequire } from 'node:module'
    import { join } from 'node:path'
    const { buildApp } = await import(${JSON.stringify(`${projectRoot}/src/app.ts`)})
    const { loadConfig } = await import(${JSON.stringify(`${projectRoot}/src/config.ts`)})
    const dir = ${JSON.stringify(dir)}
    const app = buildApp(loadConfig({ JIFEN_DB_PATH: join(dir, 'db.sqlite'), JIFEN_SECRETS_DIR: dir, JIFEN_LOG_LEVEL: 'error', JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' }))
    await app.ready()
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(['pg', 'ioredis', 'fastify'].map((m) => loaded.some((k) => k.includes('/node_modules/' + m + '/')))))
    await app.close()
  `
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: projectRoot,
    encoding: 'utf8',
  })
  tt.equal(r.status, 0, r.stderr)
  const [pg, ioredis, fastify] = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as boolean[]
  tt.ok(fastify, 'the check sees packages loaded from node_modules')
  tt.notOk(pg, 'pg not loaded')
  tt.notOk(ioredis, 'ioredis not loaded')
})
