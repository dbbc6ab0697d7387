// Policy simulation routes (admin): ask for a simulation of a draft table (202, a job) and poll it.
import type { FastifyInstance } from 'fastify'
import { IdempotencyHeadersSchema } from '../../schema/api.ts'
import {
  MAX_UPLOAD_APPLICANTS,
  SimulationIdParamsSchema,
  SimulationRequestSchema,
  SimulationSchema,
} from '../../schema/simulation.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, sendWritten, typed, writeContext } from './common.ts'

/** An upload of 10,000 applicants is some 10–20 MB of JSON. */
export const SIMULATION_BODY_LIMIT = 48 * 1024 * 1024

export function simulationRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  r.post(
    '/v1/simulations',
    {
      config: { scopes: ['admin'] },
      bodyLimit: SIMULATION_BODY_LIMIT,
      schema: {
        tags: ['rulesets'],
        summary: 'Simulate a draft points table on a population: who gains, who loses, how cut-offs move',
        description: `Scores the population (an admission round's applications, the official evaluations of a date range, or an uploaded list of at most ${MAX_UPLOAD_APPLICANTS}) under the table in force for the jurisdiction on asOf and under the draft, and reports the histogram of totals, threshold crossings, the largest gains and losses with their items, each item's share of points, and for a round the placements and cut-offs under both. Answers 202 with \`Location\`; poll GET /v1/simulations/{id}. The record and its inputs hash are immutable and audited (\`simulation.created\`); \`Idempotency-Key\` makes a retry safe.`,
        headers: IdempotencyHeadersSchema,
        body: SimulationRequestSchema,
        response: {
          202: ok(SimulationSchema, 'the simulation, running; poll its Location'),
          ...problems(
            ...BODY_PROBLEMS,
            'NOT_FOUND',
            'IDEMPOTENCY_CONFLICT',
            'NO_TABLE_IN_FORCE',
            'TABLE_INVALID',
            'SIMULATION_DRAFT',
            'SIMULATION_POPULATION',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().simulations.create(req.body, writeContext(req))),
  )
  r.get(
    '/v1/simulations/:id',
    {
      config: { scopes: ['admin'] },
      schema: {
        tags: ['rulesets'],
        summary: 'A simulation: its state, progress and, once completed, its report',
        description:
          'State `running` (with progress `{ done, total }`), `completed` (with the report) or `failed` (with the reason; a simulation running when its service restarted is failed on start).',
        params: SimulationIdParamsSchema,
        response: { 200: ok(SimulationSchema, 'the simulation'), ...problems('VALIDATION', 'NOT_FOUND') },
      },
    },
    async (req) => services().simulations.get(req.params.id),
  )
}
