// SharedFreshness: one tables read for the requests that ask in the same turn, made after all of them asked; a later request gets a read of its own.
import t from 'tap'
import { SharedFreshness } from '../../src/services/fresh-tables.ts'

function setup(fresh: () => boolean) {
  const calls = { freshNow: 0, ensureFresh: 0 }
  const scheduled: (() => void)[] = []
  const shared = new SharedFreshness(
    {
      freshNow: () => {
        calls.freshNow++
        return fresh()
      },
      ensureFresh: async () => {
        calls.ensureFresh++
      },
    },
    (run) => scheduled.push(run),
  )
  return { calls, scheduled, shared }
}

t.test('requests asking before the read share it; the read comes after all of them asked', async (t) => {
  let generationMoved = false
  const { calls, scheduled, shared } = setup(() => !generationMoved)
  const done: string[] = []
  shared.whenFresh(() => done.push('a'))
  shared.whenFresh(() => done.push('b'))
  // a publication commits after both asked but before the read: both must see it
  generationMoved = true
  shared.whenFresh(() => done.push('c'))
  t.equal(scheduled.length, 1, 'one read scheduled for the three')
  t.equal(calls.freshNow, 0, 'nothing read before the turn ends')
  scheduled.shift()?.()
  t.equal(calls.freshNow, 1)
  t.equal(calls.ensureFresh, 1, 'the moved generation is reloaded before any of them goes on')
  t.same(done, [], 'they wait for the reload')
  await new Promise((r) => setImmediate(r))
  t.same(done, ['a', 'b', 'c'])
})

t.test('a request after the shared read gets a read of its own', async (t) => {
  const { calls, scheduled, shared } = setup(() => true)
  const done: string[] = []
  shared.whenFresh(() => done.push('a'))
  scheduled.shift()?.()
  t.same(done, ['a'], 'fresh: goes on at once, no promise')
  shared.whenFresh(() => done.push('b'))
  t.equal(scheduled.length, 1, 'a new read for the next request')
  scheduled.shift()?.()
  t.same(done, ['a', 'b'])
  t.equal(calls.freshNow, 2)
  t.equal(calls.ensureFresh, 0)
})

t.test('a failed read fails every request that shared it', async (t) => {
  const { scheduled, shared } = setup(() => {
    throw new Error('database gone')
  })
  const errors: (Error | undefined)[] = []
  shared.whenFresh((e) => errors.push(e))
  shared.whenFresh((e) => errors.push(e))
  scheduled.shift()?.()
  t.equal(errors.length, 2)
  t.match(errors[0], { message: 'database gone' })
  t.match(errors[1], { message: 'database gone' })
})
