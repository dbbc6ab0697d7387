// Child process of the crash test: stores official evaluations one by one as fast as it can, printing each acknowledgement.
//
//   node --import tsx test/security/crash-writer.ts <db file> <run label>
//
// Lines on stdout, each written synchronously before the next request starts:
//   KEY <json headers>     the API key it writes with (the parent retries with it after the crash)
//   READY
//   SEND <i> <idempotency key>            about to send request i
//   ACK <i> <id> <reference> <sha256>     request i was answered 201; sha256 of the canonical result
import { writeSync } from 'node:fs'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import * as helper from '../helper.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** Request i of a run: a valid applicant that varies with i (age, skills, insurance start, an ID number on some). */
export function requestFor(i: number): Record<string, unknown> {
  const birthDate = `${1966 + (i % 36)}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`
  const first17 = `330212${birthDate.replaceAll('-', '')}${String(i % 1000).padStart(3, '0')}`
  return helper.pointsRequest(
    {},
    {
      birthDate,
      skills: [{ kind: 'skill_level', level: 1 + (i % 5) }],
      socialInsurance: [{ from: `${2010 + (i % 12)}-${pad(1 + (i % 12))}`, to: null, region: '330212' }],
      ...(i % 3 === 0 ? { idNumber: first17 + idCheckChar(first17) } : {}),
    },
  )
}

export function idempotencyKey(run: string, i: number): string {
  return `crash-${run}-${i}`
}

/** Writes a line straight to the pipe: once it returns the parent can read it, whatever happens next. */
function line(text: string): void {
  writeSync(1, `${text}\n`)
}

/** Test builds with helper.build take a tap test only for teardown; this process is killed instead. */
const noTeardown = { teardown() {} } as unknown as Test

async function main(dbPath: string, run: string): Promise<void> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  // helper.build: the same clock, tables and ID secret as the parent's restarted app
  const app: FastifyInstance = await helper.build(noTeardown, {
    config: { dbPath, rateLimitMax: 0, logLevel: 'silent' },
    logStream: sink,
  })
  // A key of its own, named per run: key names are never reused, and the database outlives this process.
  const auth = { authorization: `Bearer ${await helper.issueKey(app, ['police'], `crash-writer-${run}`)}` }
  line(`KEY ${JSON.stringify(auth)}`)
  line('READY')
  for (let i = 0; ; i++) {
    const key = idempotencyKey(run, i)
    line(`SEND ${i} ${key}`)
    const res = await helper.postOfficial(app, { ...auth, 'idempotency-key': key }, requestFor(i))
    if (res.statusCode !== 201) {
      writeSync(2, `request ${i} answered ${res.statusCode}: ${res.body}\n`)
      process.exit(3)
    }
    const b = JSON.parse(res.body)
    line(`ACK ${i} ${b.id} ${b.reference} ${contentSha256(b.result)}`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dbPath, run] = process.argv.slice(2)
  if (!dbPath || !run) {
    writeSync(2, 'usage: crash-writer.ts <db file> <run label>\n')
    process.exit(2)
  }
  main(dbPath, run).catch((e: unknown) => {
    writeSync(2, `${e instanceof Error ? e.stack : String(e)}\n`)
    process.exit(1)
  })
}
