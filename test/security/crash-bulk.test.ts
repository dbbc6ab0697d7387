// Crash during a bulk insert: a writer killed with SIGKILL leaves each 10,000-row request all stored or not at all.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'
import { tempDbPath } from '../helper.ts'
import { BULK_ROWS } from './crash-bulk-writer.ts'

const WRITER = fileURLToPath(new URL('./crash-bulk-writer.ts', import.meta.url))
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31)

interface Run {
  round: string
  sent: number[]
  acks: number[]
  signal: NodeJS.Signals | null
  stderr: string
}

/** Runs the writer until it sends batch `killAfterSend`, waits `extraMs`, and kills it with SIGKILL. */
function runWriter(dbPath: string, run: string, killAfterSend: number, extraMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath, run], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Run = { round: '', sent: [], acks: [], signal: null, stderr: '' }
    let buffered = ''
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (d: string) => {
      buffered += d
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const l of lines) {
        const [tag, arg] = l.split(' ')
        if (tag === 'ROUND') out.round = arg
        else if (tag === 'SEND') {
          out.sent.push(Number(arg))
          if (Number(arg) === killAfterSend) setTimeout(() => child.kill('SIGKILL'), extraMs)
        } else if (tag === 'ACK') out.acks.push(Number(arg))
      }
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (d: string) => {
      out.stderr += d
    })
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearTimeout(giveUp)
      out.signal = signal
      resolve(out)
    })
  })
}

t.test('SIGKILL during bulk inserts: every 10,000-row request is stored whole or not at all', async (t) => {
  t.comment(`CRASH_SEED=${SEED}`)
  const dbPath = tempDbPath(t)
  let r = SEED
  // kill points spread over the second request: its validation and evaluation, then its insert and commit
  for (const run of ['a', 'b']) {
    r = (r * 1103515245 + 12345) % 2 ** 31
    const extraMs = r % 6000
    const w = await runWriter(dbPath, run, 1, extraMs)
    t.equal(
      w.signal,
      'SIGKILL',
      `run ${run}: killed ${extraMs} ms after sending batch 1${w.stderr ? `; ${w.stderr}` : ''}`,
    )
    t.ok(w.acks.includes(0), `run ${run}: batch 0 was acknowledged`)
    const db = new Database(dbPath, { readonly: true })
    try {
      const rows = db
        .prepare(
          "SELECT substr(application_ref, 1, instr(application_ref, '-') - 1) AS batch, count(*) AS n FROM admission_applications WHERE round_id = ? GROUP BY batch",
        )
        .all(w.round) as { batch: string; n: number }[]
      for (const { batch, n } of rows) t.equal(n, BULK_ROWS, `run ${run}, ${batch}: all ${BULK_ROWS} rows`)
      for (const k of w.acks)
        t.ok(
          rows.some((x) => x.batch === `B${k}`),
          `run ${run}: acknowledged batch ${k} is stored`,
        )
      t.comment(
        `run ${run}: batches stored ${rows.map((x) => x.batch).join(', ')}; acknowledged ${w.acks.join(', ')}`,
      )
    } finally {
      db.close()
    }
  }
})
