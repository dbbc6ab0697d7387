// The one fold of void rows into record lives that both backends use: own void, correction link, strangers ignored.
import t from 'tap'
import { foldLives } from '../../src/repositories/reference.ts'
import type { RecordVoid } from '../../src/repositories/types.ts'

const v = (recordId: string, correctedBy: string | null): RecordVoid => ({
  recordId,
  reason: 'test',
  at: '2026-01-02T03:04:05.000Z',
  keyName: 'k',
  correctedBy,
})

t.test('every asked id has a life, untouched ones are neither void nor corrections', async (t) => {
  const lives = foldLives(['a', 'b'], [])
  t.same([...lives.keys()], ['a', 'b'])
  t.same(lives.get('a'), { void: null, corrects: null })
})

t.test('a void sets its record void and marks the correcting record, both ways asked', async (t) => {
  const row = v('old', 'new')
  const lives = foldLives(['old', 'new', 'other'], [row])
  t.equal(lives.get('old')?.void, row)
  t.equal(lives.get('old')?.corrects, null)
  t.equal(lives.get('new')?.void, null)
  t.equal(lives.get('new')?.corrects, 'old')
  t.same(lives.get('other'), { void: null, corrects: null })
})

t.test('rows about records not asked for add nothing', async (t) => {
  // the query matches either column, so a row may name only one asked id
  const lives = foldLives(['new'], [v('old', 'new'), v('x', null)])
  t.same([...lives.keys()], ['new'])
  t.same(lives.get('new'), { void: null, corrects: 'old' })
})

t.test('a void without a correction links nothing', async (t) => {
  const lives = foldLives(['a'], [v('a', null)])
  t.equal(lives.get('a')?.corrects, null)
  t.ok(lives.get('a')?.void)
})
