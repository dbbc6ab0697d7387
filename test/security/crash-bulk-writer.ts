// Child process of the bulk crash test: sends bulk admission requests of 10,000 rows one after another, printing each step.
//
//   node --import tsx test/security/crash-bulk-writer.ts <db file> <run label>
//
// Lines on stdout, each written synchronously: ROUND <id>, then per batch SEND <k> and ACK <k> (answered 201).
import { writeSync } from 'node:fs'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import * as helper from '../helper.ts'

export const BULK_ROWS = 10_000

/** Row n of batch k: a distinct child (ID number from k and n, test/helper.ts), ref `B<k>-<n>`. */
export function bulkRow(k: number, n: number) {
  return helper.bulkApplication(n, { batch: k })
}

function line(text: string): void {
  writeSync(1, `${text}\n`)
}

const noTeardown = { teardown() {} } as unknown as Test

async function main(dbPath: string, run: string): Promise<void> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  const app = await helper.build(noTeardown, {
    config: { dbPath, rateLimitMax: 0, logLevel: 'silent' },
    logStream: sink,
  })
  const auth = { authorization: `Bearer ${await helper.issueKey(app, ['education'], `crash-bulk-${run}`)}` }
  const round = await app.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: auth,
    payload: helper.bulkRound(run, [{ id: 's1', name: '一校', seats: 100 }]),
  })
  const id = JSON.parse(round.body).id as string
  line(`ROUND ${id}`)
  for (let k = 0; ; k++) {
    const applications = Array.from({ length: BULK_ROWS }, (_, n) => bulkRow(k, n))
    line(`SEND ${k}`)
    const res = await app.inject({
      method: 'POST',
      url: `/v1/admission/rounds/${id}/applications`,
      headers: auth,
      payload: { applications },
    })
    if (res.statusCode !== 201) {
      writeSync(2, `batch ${k} answered ${res.statusCode}: ${res.body.slice(0, 500)}\n`)
      process.exit(3)
    }
    line(`ACK ${k}`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dbPath, run] = process.argv.slice(2)
  main(dbPath, run).catch((e: unknown) => {
    writeSync(2, `${e instanceof Error ? e.stack : String(e)}\n`)
    process.exit(1)
  })
}
