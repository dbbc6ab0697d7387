// Policy simulation contract (issue 13): the request, the stored record's view and the report.
import { z } from 'zod'
import { ApplicantSchema } from './applicant.ts'
import { DateStringSchema, JurisdictionSchema } from './common.ts'
import { TableSourceSchema } from './table.ts'

/** The most applicants an uploaded population may hold (JSON through the API, or a file through the CLI). */
export const MAX_UPLOAD_APPLICANTS = 10_000

const DraftSchema = z
  .union([
    z
      .object({
        ruleset: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*@[1-9][0-9]*$/, 'id@version')
          .meta({
            description: 'a stored ruleset (a draft, usually) by key `<id>@<version>`',
            example: 'ningbo-points-2022@2',
          }),
      })
      .strict(),
    z
      .object({
        table: TableSourceSchema.meta({
          description: 'an inline points table: complete, or `extends` a published version with a `patch`',
        }),
      })
      .strict(),
  ])
  .meta({ description: 'the draft points table: a stored ruleset by key, or a table given inline' })

const PopulationSchema = z
  .discriminatedUnion('source', [
    z
      .object({
        source: z.literal('round'),
        roundId: z
          .string()
          .min(1)
          .max(100)
          .meta({ description: 'an admission round’s id', example: '0196f0c2-7a4e-7000-8000-000000000001' }),
      })
      .strict()
      .meta({ description: 'the active applications of an admission round, allocated under both tables' }),
    z
      .object({
        source: z.literal('evaluations'),
        from: DateStringSchema.meta({
          description: 'first day (inclusive) the evaluations were made',
          example: '2026-01-01',
        }),
        to: DateStringSchema.meta({ description: 'last day (inclusive)', example: '2026-03-31' }),
      })
      .strict()
      .meta({
        description:
          'the stored official points evaluations made in a date range, re-scored from their stored facts',
      }),
    z
      .object({
        source: z.literal('upload'),
        applicants: z
          .array(ApplicantSchema)
          // bounded in the schema (issue 11: every request array has a maximum, checked before any row is
          // parsed); the CLI, which may take more, builds its request without this schema
          .max(MAX_UPLOAD_APPLICANTS)
          .meta({
            description: `applicants as in POST /v1/points/evaluations (at most ${MAX_UPLOAD_APPLICANTS}); keys are their 1-based positions`,
          }),
      })
      .strict()
      .meta({ description: 'an uploaded list of applicants' }),
  ])
  .meta({ description: 'who is scored' })

export const SimulationRequestSchema = z
  .object({
    draft: DraftSchema,
    asOf: DateStringSchema.meta({
      description: 'the as-of date both tables score on',
      example: '2026-04-30',
    }),
    jurisdiction: JurisdictionSchema.meta({
      description: 'whose table in force is compared (for a round: its district’s)',
      example: '330200',
    }),
    population: PopulationSchema,
    thresholds: z
      .array(z.number().min(0).max(10_000))
      .max(20)
      .optional()
      .meta({
        description: 'points thresholds; the report counts who crosses each, in each direction',
        example: [100, 120],
      }),
    binWidth: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: 'histogram bin width in points (default 10)', example: 10 }),
    top: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: 'how many largest gains and losses to list (default 10)', example: 10 }),
  })
  .strict()
  .meta({
    id: 'SimulationRequest',
    example: {
      draft: { ruleset: 'ningbo-points-2022@2' },
      asOf: '2026-04-30',
      jurisdiction: '330200',
      population: { source: 'evaluations', from: '2026-01-01', to: '2026-03-31' },
      thresholds: [100, 120],
    },
  })
export type SimulationRequest = z.infer<typeof SimulationRequestSchema>

const ItemChangeSchema = z.object({
  id: z.string().meta({ description: 'item id' }),
  before: z.number().meta({ description: 'points under the table in force' }),
  after: z.number().meta({ description: 'points under the draft' }),
  change: z.number().meta({ description: 'after − before' }),
})

const ApplicantChangeSchema = z.object({
  key: z.string().meta({ description: 'application ref, record reference, or upload position' }),
  before: z.number().meta({ description: 'total under the table in force' }),
  after: z.number().meta({ description: 'total under the draft' }),
  change: z.number().meta({ description: 'after − before' }),
  items: z.array(ItemChangeSchema).meta({ description: 'the items whose points changed' }),
})

const RoundComparisonSchema = z
  .object({
    placedBefore: z.number().int().meta({ description: 'children placed under the table in force' }),
    placedAfter: z.number().int().meta({ description: 'children placed under the draft' }),
    placedToNot: z.number().int().meta({ description: 'placed before, not after' }),
    notToPlaced: z.number().int().meta({ description: 'not placed before, placed after' }),
    schoolChanged: z.number().int().meta({ description: 'placed under both, at another school' }),
    changes: z
      .array(
        z.object({
          ref: z.string().meta({ description: 'applicationRef' }),
          before: z.string().nullable().meta({ description: 'unit placed in before, or null' }),
          after: z.string().nullable().meta({ description: 'unit placed in after, or null' }),
          change: z.enum(['placed_to_not', 'not_to_placed', 'school_changed']),
        }),
      )
      .meta({ description: 'every application whose placement changed, by ref' }),
    cutoffs: z
      .array(
        z.object({
          unit: z.string().meta({ description: 'unit id' }),
          name: z.string().meta({ description: 'unit name' }),
          seats: z.number().int().meta({ description: 'seats' }),
          before: z
            .number()
            .nullable()
            .meta({ description: 'cut-off points before (the last child admitted)' }),
          after: z.number().nullable().meta({ description: 'cut-off points after' }),
          rankBefore: z
            .number()
            .int()
            .nullable()
            .meta({ description: 'rank of the last child admitted, before' }),
          rankAfter: z
            .number()
            .int()
            .nullable()
            .meta({ description: 'rank of the last child admitted, after' }),
        }),
      )
      .meta({ description: 'each unit’s cut-off before and after, in the round’s order' }),
  })
  .meta({ id: 'SimulationRoundComparison', description: 'a round allocated under both tables' })

export const SimulationReportSchema = z
  .object({
    applicants: z.number().int().meta({ description: 'population size' }),
    changed: z.number().int().meta({ description: 'applicants whose total changed' }),
    unchanged: z.number().int().meta({ description: 'applicants whose total did not change' }),
    totals: z
      .object({
        sumBefore: z.number(),
        sumAfter: z.number(),
        meanBefore: z.number(),
        meanAfter: z.number(),
      })
      .meta({ description: 'sums and means of the totals (points, exact to 1/10,000)' }),
    eligibility: z
      .object({ before: z.number().int(), after: z.number().int() })
      .meta({ description: 'applicants passing every gate under each table' }),
    binWidth: z.number().int().meta({ description: 'histogram bin width, points' }),
    histogram: z
      .array(
        z.object({
          from: z.number().meta({ description: 'bin start, inclusive' }),
          to: z.number().meta({ description: 'bin end, exclusive' }),
          before: z.number().int().meta({ description: 'applicants in the bin under the table in force' }),
          after: z.number().int().meta({ description: 'applicants in the bin under the draft' }),
        }),
      )
      .meta({
        description:
          'totals in fixed bins [from, to), from the lowest to the highest bin either table reaches',
      }),
    thresholds: z
      .array(
        z.object({
          threshold: z.number(),
          atOrAboveBefore: z.number().int(),
          atOrAboveAfter: z.number().int(),
          up: z.number().int().meta({ description: 'below before, at or above after' }),
          down: z.number().int().meta({ description: 'at or above before, below after' }),
        }),
      )
      .meta({ description: 'crossings of each threshold, ascending' }),
    gains: z.array(ApplicantChangeSchema).meta({ description: 'largest gains first (ties by key)' }),
    losses: z.array(ApplicantChangeSchema).meta({ description: 'largest losses first (ties by key)' }),
    items: z
      .array(
        z.object({
          id: z.string(),
          pointsBefore: z.number(),
          pointsAfter: z.number(),
          shareBefore: z.number().meta({ description: 'percent of all item points, 2 decimals' }),
          shareAfter: z.number(),
          shareChange: z.number().meta({ description: 'percentage points' }),
        }),
      )
      .meta({ description: 'each item’s share of all item points, before and after' }),
    round: RoundComparisonSchema.nullable().meta({ description: 'for a round population; null otherwise' }),
  })
  .meta({ id: 'SimulationReport' })

export const SimulationSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'the simulation’s id', example: '0196f0c2-7a4e-7000-8000-00000000a001' }),
    createdAt: z.string().meta({ description: 'when it was asked for (ISO instant)' }),
    createdBy: z.string().meta({ description: 'the API key’s name' }),
    state: z
      .enum(['running', 'completed', 'failed'])
      .meta({ description: 'running until completed or failed' }),
    progress: z
      .object({ done: z.number().int(), total: z.number().int() })
      .meta({ description: 'applicants scored so far, of the population' }),
    inputsSha256: z
      .string()
      .meta({ description: 'SHA-256 of `inputs` (canonical JSON): cite it with the report' }),
    inputs: z
      .object({
        draft: z.object({
          ruleset: z.string().nullable(),
          id: z.string(),
          version: z.number().int(),
          sha256: z.string(),
        }),
        table: z.object({ ruleset: z.string(), sha256: z.string() }),
        population: z.object({
          source: z.enum(['round', 'evaluations', 'upload']),
          roundId: z.string().optional(),
          from: z.string().optional(),
          to: z.string().optional(),
          count: z.number().int(),
          sha256: z
            .string()
            .meta({ description: 'hash of the population as scored (facts without ID numbers)' }),
        }),
        asOf: z.string(),
        jurisdiction: z.string(),
        thresholds: z.array(z.number()),
        binWidth: z.number().int(),
        top: z.number().int(),
      })
      .meta({
        description:
          'what was compared: the draft and the table in force (keys and hashes), the population and the parameters',
      }),
    report: SimulationReportSchema.nullable().meta({ description: 'when completed' }),
    failure: z.string().nullable().meta({ description: 'why it failed, when failed' }),
    finishedAt: z.string().nullable().meta({ description: 'when it completed or failed' }),
  })
  .meta({
    id: 'Simulation',
    example: {
      id: '0196f0c2-7a4e-7000-8000-00000000a001',
      createdAt: '2026-05-15T02:00:00.000Z',
      createdBy: 'policy-office',
      state: 'completed',
      progress: { done: 2, total: 2 },
      inputsSha256: '9f2c4b1e8d7a6c5b4a3928171615141312111009080706050403020100ffeedd',
      inputs: {
        draft: {
          ruleset: 'yinzhou-points-2022@2',
          id: 'yinzhou-points-2022',
          version: 2,
          sha256: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809',
        },
        table: {
          ruleset: 'yinzhou-points-2022@1',
          sha256: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
        },
        population: {
          source: 'upload',
          count: 2,
          sha256: 'aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55',
        },
        asOf: '2026-04-30',
        jurisdiction: '330212',
        thresholds: [107],
        binWidth: 10,
        top: 10,
      },
      report: {
        applicants: 2,
        changed: 2,
        unchanged: 0,
        totals: { sumBefore: 215, sumAfter: 212, meanBefore: 107.5, meanAfter: 106 },
        eligibility: { before: 2, after: 2 },
        binWidth: 10,
        histogram: [{ from: 100, to: 110, before: 2, after: 2 }],
        thresholds: [{ threshold: 107, atOrAboveBefore: 2, atOrAboveAfter: 0, up: 0, down: 2 }],
        gains: [],
        losses: [
          {
            key: '1',
            before: 107.5,
            after: 106,
            change: -1.5,
            items: [{ id: 'residence', before: 21.5, after: 20, change: -1.5 }],
          },
        ],
        items: [
          {
            id: 'residence',
            pointsBefore: 43,
            pointsAfter: 40,
            shareBefore: 20,
            shareAfter: 18.87,
            shareChange: -1.13,
          },
        ],
        round: null,
      },
      failure: null,
      finishedAt: '2026-05-15T02:00:01.000Z',
    },
  })
export type SimulationView = z.infer<typeof SimulationSchema>
export type SimulationInputs = SimulationView['inputs']

export const SimulationIdParamsSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'the simulation’s id', example: '0196f0c2-7a4e-7000-8000-00000000a001' }),
  })
  .strict()
