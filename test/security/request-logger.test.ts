// The lazy per-request logger: pino's child is made only for a line at an enabled level, and then writes what pino's child writes.
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { LOG_REDACT_PATHS, requestLogger } from '../../src/plugins/logging.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)))
      cb()
    },
  })
  const parent = pino({ level: 'warn', redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, stream)
  let made = 0
  // counts the children made; pino's own children (their prototype is `parent`) make theirs as usual
  const counting = Object.create(parent) as typeof parent
  counting.child = ((...args: Parameters<typeof parent.child>) => {
    made++
    return parent.child(...args)
  }) as typeof parent.child
  return { lines, parent: counting, made: () => made }
}

t.test(
  'no child is made for lines below the level; one is made, once, for the first line written',
  async (t) => {
    const { lines, parent, made } = capture()
    const log = requestLogger(parent, { reqId: 'r-1' }, {})
    log.info({ a: 1 }, 'not written at warn')
    log.debug('nor this')
    t.equal(made(), 0, 'nothing written, no child')
    t.equal(log.level, 'warn')
    t.equal((log as unknown as pino.Logger).isLevelEnabled('info'), false)
    log.warn({ idNumber: '11010519491231002X' }, 'written')
    log.error('written too')
    t.equal(made(), 1, 'one child for the request')
    await new Promise((r) => setImmediate(r))
    t.equal(lines.length, 2)
    t.match(lines[0], { reqId: 'r-1', msg: 'written', idNumber: '[redacted]', level: 40 })
    t.match(lines[1], { reqId: 'r-1', msg: 'written too', level: 50 })
    const grandchild = log.child({ part: 'x' })
    grandchild.warn('from a child')
    await new Promise((r) => setImmediate(r))
    t.match(lines[2], { reqId: 'r-1', part: 'x', msg: 'from a child' })
  },
)

t.test('a route with its own log level gets pino’s child at once', async (t) => {
  const { lines, parent, made } = capture()
  const log = requestLogger(parent, { reqId: 'r-2' }, { level: 'info' })
  t.equal(made(), 1)
  log.info('written at the route’s level')
  await new Promise((r) => setImmediate(r))
  t.match(lines[0], { reqId: 'r-2', level: 30 })
})
