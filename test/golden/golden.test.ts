// Every golden case scores exactly as when the golden file was made (test/golden/cases.ts says what is ignored).
import t from 'tap'
import { CASES, goldenResults, readGolden, shortHash } from './golden-file.ts'

t.test('100,000 seeded cases across every shipped table give the golden results', async (t) => {
  const golden = readGolden()
  t.equal(golden.hashes.length, CASES, 'the golden file holds every case')
  const differing: number[] = []
  let i = 0
  for (const json of goldenResults()) {
    if (shortHash(json) !== golden.hashes[i]) {
      differing.push(i)
      // the first cases are kept in full: show the difference itself
      if (i < golden.full.length && differing.length <= 3)
        t.same(JSON.parse(json), JSON.parse(golden.full[i]), `case ${i}`)
    }
    i++
  }
  t.equal(i, CASES)
  t.same(differing.slice(0, 20), [], `${differing.length} cases differ from the golden file`)
})
