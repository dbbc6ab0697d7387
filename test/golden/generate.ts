// Regenerates the golden file from this checkout's engine: run only on purpose (`npm run golden:generate`),
// when a change to results is intended, and say so in the commit message.
import { writeGolden } from './golden-file.ts'

const started = Date.now()
const { cases } = writeGolden()
console.log(`wrote the golden file: ${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`)
