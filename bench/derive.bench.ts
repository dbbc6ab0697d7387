// Fact derivation alone: CPU time per derivation of every fact group, 2000 seeded applicants (`node --import tsx bench/derive.bench.ts`).

import { ApplicantSchema } from '../schema/applicant.ts'
import { toDay } from '../scoring/calendar.ts'
import { ALL_FACT_GROUPS, derivePersonFacts } from '../scoring/facts.ts'
import { generateApplicants } from './lib/applicants.ts'

const as = generateApplicants(2000, 7, '2026-04-15').map((a) => ApplicantSchema.parse(a))
const at = toDay('2026-04-15')
let sink = 0
const out: number[] = []
for (let r = 0; r < 10; r++) {
  const c0 = process.cpuUsage()
  for (let k = 0; k < 50; k++)
    for (const a of as) sink += derivePersonFacts(a, at, '330212', ALL_FACT_GROUPS)[0]
  const c1 = process.cpuUsage(c0)
  out.push((c1.user + c1.system) / 100000)
}
out.sort((a, b) => a - b)
console.log(`(sink ${sink})`, 'min', out[0].toFixed(2), 'median', out[5].toFixed(2), 'µs cpu/derive')
