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
        source: z
          .literal('round')
          .meta({ description: 'score an admission round’s applications', example: 'round' }),
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
        source: z
          .literal('evaluations')
          .meta({ description: 'score stored points evaluations', example: 'evaluations' }),
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
        source: z.literal('upload').meta({ description: 'score applicants given here', example: 'upload' }),
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
  id: z.string().meta({ description: 'item id', example: 'residence' }),
  before: z.number().meta({ description: 'points under the table in force', example: 21.5 }),
  after: z.number().meta({ description: 'points under the draft', example: 20 }),
  change: z.number().meta({ description: 'after − before', example: -1.5 }),
})

const ApplicantChangeSchema = z.object({
  key: z
    .string()
    .meta({ description: 'application ref, record reference, or upload position', example: '1' }),
  before: z.number().meta({ description: 'total under the table in force', example: 107.5 }),
  after: z.number().meta({ description: 'total under the draft', example: 106 }),
  change: z.number().meta({ description: 'after − before', example: -1.5 }),
  items: z.array(ItemChangeSchema).meta({ description: 'the items whose points changed' }),
})

const RoundComparisonSchema = z
  .object({
    placedBefore: z
      .number()
      .int()
      .meta({ description: 'children placed under the table in force', example: 120 }),
    placedAfter: z.number().int().meta({ description: 'children placed under the draft', example: 120 }),
    placedToNot: z.number().int().meta({ description: 'placed before, not after', example: 2 }),
    notToPlaced: z.number().int().meta({ description: 'not placed before, placed after', example: 2 }),
    schoolChanged: z.number().int().meta({ description: 'placed under both, at another school', example: 5 }),
    changes: z
      .array(
        z.object({
          ref: z.string().meta({ description: 'applicationRef', example: 'YZ2026P1000123' }),
          before: z
            .string()
            .nullable()
            .meta({ description: 'unit placed in before, or null', example: 'yz-p-01' }),
          after: z.string().nullable().meta({ description: 'unit placed in after, or null', example: null }),
          change: z.enum(['placed_to_not', 'not_to_placed', 'school_changed']).meta({
            description:
              'how the placement changed: placed before and not after, not placed before and placed after, or placed under both at another unit',
            example: 'placed_to_not',
          }),
        }),
      )
      .meta({ description: 'every application whose placement changed, by ref' }),
    cutoffs: z
      .array(
        z.object({
          unit: z.string().meta({ description: 'unit id', example: 'yz-p-01' }),
          name: z.string().meta({ description: 'unit name', example: '鄞州区某某小学' }),
          seats: z.number().int().meta({ description: 'seats', example: 120 }),
          before: z
            .number()
            .nullable()
            .meta({ description: 'cut-off points before (the last child admitted)', example: 98.5 }),
          after: z.number().nullable().meta({ description: 'cut-off points after', example: 97 }),
          rankBefore: z
            .number()
            .int()
            .nullable()
            .meta({ description: 'rank of the last child admitted, before', example: 120 }),
          rankAfter: z
            .number()
            .int()
            .nullable()
            .meta({ description: 'rank of the last child admitted, after', example: 120 }),
        }),
      )
      .meta({ description: 'each unit’s cut-off before and after, in the round’s order' }),
  })
  .meta({ id: 'SimulationRoundComparison', description: 'a round allocated under both tables' })

export const SimulationReportSchema = z
  .object({
    applicants: z.number().int().meta({ description: 'population size', example: 2 }),
    changed: z.number().int().meta({ description: 'applicants whose total changed', example: 2 }),
    unchanged: z.number().int().meta({ description: 'applicants whose total did not change', example: 0 }),
    totals: z
      .object({
        sumBefore: z
          .number()
          .meta({ description: 'sum of the totals under the table in force, points', example: 215 }),
        sumAfter: z.number().meta({ description: 'sum of the totals under the draft, points', example: 212 }),
        meanBefore: z
          .number()
          .meta({ description: 'mean total under the table in force, points', example: 107.5 }),
        meanAfter: z.number().meta({ description: 'mean total under the draft, points', example: 106 }),
      })
      .meta({ description: 'sums and means of the totals (points, exact to 1/10,000)' }),
    eligibility: z
      .object({
        before: z
          .number()
          .int()
          .meta({ description: 'applicants passing every gate under the table in force', example: 2 }),
        after: z
          .number()
          .int()
          .meta({ description: 'applicants passing every gate under the draft', example: 2 }),
      })
      .meta({ description: 'applicants passing every gate under each table' }),
    binWidth: z.number().int().meta({ description: 'histogram bin width, points', example: 10 }),
    histogram: z
      .array(
        z.object({
          from: z.number().meta({ description: 'bin start, inclusive', example: 100 }),
          to: z.number().meta({ description: 'bin end, exclusive', example: 110 }),
          before: z
            .number()
            .int()
            .meta({ description: 'applicants in the bin under the table in force', example: 2 }),
          after: z.number().int().meta({ description: 'applicants in the bin under the draft', example: 2 }),
        }),
      )
      .meta({
        description:
          'totals in fixed bins [from, to), from the lowest to the highest bin either table reaches',
      }),
    thresholds: z
      .array(
        z.object({
          threshold: z.number().meta({ description: 'the threshold, points', example: 107 }),
          atOrAboveBefore: z.number().int().meta({
            description: 'applicants at or above the threshold under the table in force',
            example: 2,
          }),
          atOrAboveAfter: z
            .number()
            .int()
            .meta({ description: 'applicants at or above the threshold under the draft', example: 0 }),
          up: z.number().int().meta({ description: 'below before, at or above after', example: 0 }),
          down: z.number().int().meta({ description: 'at or above before, below after', example: 2 }),
        }),
      )
      .meta({ description: 'crossings of each threshold, ascending' }),
    gains: z.array(ApplicantChangeSchema).meta({ description: 'largest gains first (ties by key)' }),
    losses: z.array(ApplicantChangeSchema).meta({ description: 'largest losses first (ties by key)' }),
    items: z
      .array(
        z.object({
          id: z.string().meta({ description: 'item id', example: 'residence' }),
          pointsBefore: z.number().meta({
            description: 'the item’s points summed over the population, table in force',
            example: 43,
          }),
          pointsAfter: z
            .number()
            .meta({ description: 'the item’s points summed over the population, draft', example: 40 }),
          shareBefore: z
            .number()
            .meta({ description: 'percent of all item points, 2 decimals', example: 20 }),
          shareAfter: z
            .number()
            .meta({ description: 'percent of all item points under the draft, 2 decimals', example: 18.87 }),
          shareChange: z
            .number()
            .meta({ description: 'shareAfter − shareBefore, percentage points', example: -1.13 }),
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
    createdAt: z
      .string()
      .meta({ description: 'when it was asked for (ISO instant)', example: '2026-05-15T02:00:00.000Z' }),
    createdBy: z.string().meta({ description: 'the API key’s name', example: 'policy-office' }),
    state: z
      .enum(['running', 'completed', 'failed'])
      .meta({ description: 'running until completed or failed', example: 'completed' }),
    progress: z
      .object({
        done: z.number().int().meta({ description: 'applicants scored so far', example: 2 }),
        total: z.number().int().meta({ description: 'applicants in the population', example: 2 }),
      })
      .meta({ description: 'applicants scored so far, of the population' }),
    inputsSha256: z.string().meta({
      description: 'SHA-256 of `inputs` (canonical JSON): cite it with the report',
      example: '9f2c4b1e8d7a6c5b4a3928171615141312111009080706050403020100ffeedd',
    }),
    inputs: z
      .object({
        draft: z
          .object({
            ruleset: z.string().nullable().meta({
              description: 'the stored ruleset’s key `<id>@<version>`; null for an inline table',
              example: 'yinzhou-points-2022@2',
            }),
            id: z.string().meta({ description: 'the draft table’s id', example: 'yinzhou-points-2022' }),
            version: z.number().int().meta({ description: 'the draft table’s version', example: 2 }),
            sha256: z.string().meta({
              description: 'SHA-256 of the draft table’s content',
              example: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809',
            }),
          })
          .meta({ description: 'the draft table compared' }),
        table: z
          .object({
            ruleset: z.string().meta({
              description: 'the table in force’s key `<id>@<version>`',
              example: 'yinzhou-points-2022@1',
            }),
            sha256: z.string().meta({
              description: 'SHA-256 of the table in force’s content',
              example: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
            }),
          })
          .meta({ description: 'the table in force on the as-of date, for the jurisdiction' }),
        population: z
          .object({
            source: z
              .enum(['round', 'evaluations', 'upload'])
              .meta({ description: 'where the population came from', example: 'upload' }),
            roundId: z.string().optional().meta({
              description: 'the admission round’s id, for a round population',
              example: '0196f0c2-7a4e-7000-8000-000000000001',
            }),
            from: z.string().optional().meta({
              description: 'first day of the evaluations, for an evaluations population',
              example: '2026-01-01',
            }),
            to: z.string().optional().meta({
              description: 'last day of the evaluations, for an evaluations population',
              example: '2026-03-31',
            }),
            count: z.number().int().meta({ description: 'applicants in the population', example: 2 }),
            sha256: z.string().meta({
              description: 'hash of the population as scored (facts without ID numbers)',
              example: 'aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55',
            }),
          })
          .meta({ description: 'who was scored' }),
        asOf: z.string().meta({ description: 'the as-of date both tables scored on', example: '2026-04-30' }),
        jurisdiction: z.string().meta({
          description: 'whose table in force was compared (for a round: its district’s)',
          example: '330212',
        }),
        thresholds: z
          .array(z.number())
          .meta({ description: 'the points thresholds, distinct and ascending', example: [107] }),
        binWidth: z.number().int().meta({ description: 'histogram bin width in points', example: 10 }),
        top: z
          .number()
          .int()
          .meta({ description: 'how many largest gains and losses are listed', example: 10 }),
      })
      .meta({
        description:
          'what was compared: the draft and the table in force (keys and hashes), the population and the parameters',
      }),
    report: SimulationReportSchema.nullable().meta({ description: 'when completed' }),
    failure: z.string().nullable().meta({ description: 'why it failed, when failed', example: null }),
    finishedAt: z.string().nullable().meta({
      description: 'when it completed or failed (ISO instant)',
      example: '2026-05-15T02:00:01.000Z',
    }),
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
