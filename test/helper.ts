// Test helper: a fresh app on a fresh :memory: database per test, a fixed clock, closed at teardown.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import type { Table } from '../schema/table.ts'
import { type AppOptions, buildApp } from '../src/app.ts'
import { fixedClock } from '../src/clock.ts'
import { type Config, testConfig } from '../src/config.ts'
import { loadShippedTables } from '../src/tables/shipped.ts'

/** Today, for every route test: 15 May 2026, 10:00 in Ningbo. */
export const NOW = '2026-05-15T02:00:00.000Z'
export const TODAY = '2026-05-15'

let shipped: Table[] | null = null
/** The shipped tables, parsed once per test file: every app seeds the same ones. */
export function shippedTables(): Table[] {
  shipped ??= loadShippedTables()
  return shipped
}

export interface BuildOptions extends AppOptions {
  config?: Partial<Config>
}

export async function build(t: Test, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config, ...appOptions } = options
  const app = buildApp(testConfig(config), {
    clock: fixedClock(NOW),
    seedTables: shippedTables,
    validateResponses: true,
    ...appOptions,
  })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** JSON of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary response shapes
export function json(res: LightMyRequestResponse): any {
  return JSON.parse(res.body)
}

/** The README's applicant: Yinzhou, 38 years old, 大专, 高级工, insured and resident since early 2019. */
export function applicant(overrides: Record<string, unknown> = {}) {
  return {
    birthDate: '1988-03-02',
    education: 'junior_college',
    skills: [{ kind: 'skill_level', level: 3 }],
    socialInsurance: [{ from: '2019-03', to: null, region: '330212' }],
    residence: {
      registeredSince: '2019-02-20',
      region: '330212',
      permit: {
        issuedOn: '2019-03-01',
        endorsements: [
          '2020-02-20',
          '2021-02-25',
          '2022-02-20',
          '2023-02-20',
          '2024-02-20',
          '2025-02-20',
          '2026-02-20',
        ],
      },
    },
    employment: [{ kind: 'labour_contract', from: '2019-03-01', to: null, region: '330212' }],
    housing: { kind: 'registered_rental', region: '330212', owner: null },
    ...overrides,
  }
}

export function pointsRequest(
  overrides: Record<string, unknown> = {},
  applicantOverrides: Record<string, unknown> = {},
) {
  return {
    jurisdiction: '330212',
    asOf: '2026-04-30',
    applicant: applicant(applicantOverrides),
    ...overrides,
  }
}
