// Admission API bodies: one household's eligibility, rounds, bulk applications, allocation results and the publication.
import { z } from 'zod'
import { EXAMPLE_APPLICANT } from './api.ts'
import { ApplicantSchema } from './applicant.ts'
import { boundedRecord, DateStringSchema, JurisdictionSchema } from './common.ts'
import { DEFAULT_TIE_BREAK, HouseholdSchema, TIE_BREAK_KEYS } from './household.ts'
import { AdmissionResultSchema, SettlementResultSchema } from './result.ts'

// ---------------------------------------------------------------- examples

export const EXAMPLE_HOUSEHOLD = {
  parents: [EXAMPLE_APPLICANT],
  child: { birthDate: '2019-10-01', hukou: '420102', entryGrade: 'P1' },
  ownsHomeIn: [],
  preferences: ['yz-p-01', 'yz-p-02'],
  appliedAt: '2026-05-06T09:30:00+08:00',
} as const

// ---------------------------------------------------------------- one household

export const AdmissionEligibilityRequestSchema = z
  .object({
    district: JurisdictionSchema.meta({ description: 'the district whose admission rules apply' }),
    asOf: DateStringSchema.meta({
      description: 'the measuring date; its year is the intake year; not after today',
    }),
    household: HouseholdSchema.meta({ description: 'the parents, the child, homes owned and preferences' }),
    dates: boundedRecord(z.string().min(1).max(64), DateStringSchema, 32)
      .optional()
      .meta({
        description:
          'dates the district’s table names for the caller to supply (Zhenhai: `registration`, `checking`)',
        example: { registration: '2026-04-30', checking: '2026-06-20' },
      }),
  })
  .strict()
  .meta({
    id: 'AdmissionEligibilityRequest',
    example: { district: '330212', asOf: '2026-04-30', household: EXAMPLE_HOUSEHOLD },
  })
export type AdmissionEligibilityRequest = z.output<typeof AdmissionEligibilityRequestSchema>

const EXAMPLE_ROUND_ID = '01930b6e-7d3c-7a1f-9e2b-4c5d6e7f8a9b'

const EXAMPLE_GATE = {
  id: 'parent_lives_works_insured',
  label: '父母一方在鄞州居住、持有效居住证、在鄞州稳定就业并在宁波缴纳社会保险',
  passed: true,
  reason: '符合条件：至少一位家长：家长1 居住地在本区（县、市）：是（要求为是，符合）；…',
  ref: '鄞州区 2023 年外来务工人员随迁子女积分入学规定（文号未见）；甬人社发〔2021〕16号 第四条',
  provisional: false,
  at: '2026-04-30',
}

const EXAMPLE_RULESET = {
  id: 'yinzhou-admission-2023',
  version: 1,
  sha256: 'c4da118d2b8fe398fd51a052b5db0941023394511e4612ff7d331c7fc2aa9456',
  scheme: 'admission',
  jurisdiction: '330212',
  validFrom: '2023-01-01',
  validTo: null,
  provisional: false,
}

/** Abbreviated: the real result lists every gate of the district's table. */
const EXAMPLE_ADMISSION_RESULT = {
  scheme: 'admission',
  jurisdiction: '330212',
  asOf: '2026-04-30',
  provisional: false,
  provisionalRows: [],
  ruleset: EXAMPLE_RULESET,
  eligible: true,
  gates: [EXAMPLE_GATE],
  priorityTier: null,
  points: 110,
  scoringParent: 0,
  parents: [
    {
      total: 110,
      eligible: true,
      frozenUntil: null,
      ruleset: { ...EXAMPLE_RULESET, id: 'yinzhou-points-2022', scheme: 'points', validFrom: '2022-04-01' },
    },
  ],
  insuranceMonths: 72,
  residenceMonths: 132,
  factsSha256: '722a4bcad60597e8ff61f544ea3e125702f537744b1ca888b4b6fe5ba8020ed7',
}

export const AdmissionEligibilitySchema = AdmissionResultSchema.meta({
  id: 'AdmissionEligibility',
  example: EXAMPLE_ADMISSION_RESULT,
})

// ---------------------------------------------------------------- rounds

export const ROUND_STATUSES = ['open', 'closed', 'allocated', 'published'] as const
export const RoundStatusSchema = z.enum(ROUND_STATUSES).meta({
  description:
    '`open` until the window closes (or POST …/close), then `closed`; `allocated` once a result version exists; `published` once a version is published (frozen)',
})

export const InstantSchema = z.iso.datetime({ offset: true }).meta({
  description: 'an RFC 3339 instant with an offset',
  example: '2026-05-01T09:00:00+08:00',
})

export const RoundUnitSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'the school’s or pool’s id, as families list it', example: 'yz-p-01' }),
    name: z
      .string()
      .min(1)
      .max(200)
      .meta({ description: 'the school’s or pool’s name', example: '鄞州区某某小学' }),
    seats: z.number().int().min(0).max(100_000).meta({ description: 'seats offered', example: 120 }),
  })
  .strict()
  .meta({ id: 'RoundUnit' })

export const MAX_ROUND_UNITS = 2000

const EXAMPLE_ROUND_REQUEST = {
  district: '330212',
  intakeYear: 2026,
  grade: 'P1',
  asOf: '2026-04-30',
  permitCheckDate: '2026-06-20',
  window: { opens: '2026-05-01T09:00:00+08:00', closes: '2026-05-20T17:00:00+08:00' },
  units: [
    { id: 'yz-p-01', name: '鄞州区某某小学', seats: 120 },
    { id: 'yz-p-02', name: '鄞州区某某第二小学', seats: 90 },
  ],
  cutoffScope: 'school',
  tieBreak: [...DEFAULT_TIE_BREAK],
  lotterySeed: 'yinzhou-2026-p1-2f9c1d',
} as const

export const ROUND_KINDS = ['admission', 'settlement'] as const

export const RoundCreateSchema = z
  .object({
    kind: z.enum(ROUND_KINDS).default('admission').meta({
      description:
        '`admission`: school places for households (policy.md §5). `settlement`: a points-settlement quota round (policy.md §4): applicants over the settlement table’s threshold who pass its gates, ranked by points then the tie-break keys (`points` first), the first `seats` settle; one unit, the year’s quota, at most the table’s `yearlyQuota`',
      example: 'admission',
    }),
    district: JurisdictionSchema,
    intakeYear: z.number().int().min(2000).max(2100).meta({
      description: 'the school year the children start (settlement: the quota year)',
      example: 2026,
    }),
    grade: z.enum(['P1', 'J1']).optional().meta({
      description:
        'the entry grade: primary 1 or junior-high 1; required for admission, absent for settlement',
      example: 'P1',
    }),
    asOf: DateStringSchema.meta({
      description:
        'the measuring date of every application (its year must be the intake year); also the registration date of tables that name one',
    }),
    permitCheckDate: DateStringSchema.optional().meta({
      description:
        'the date permits are checked again (Zhenhai’s `checking` date); required for admission, absent for settlement',
      example: '2026-06-20',
    }),
    window: z
      .object({ opens: InstantSchema, closes: InstantSchema })
      .strict()
      .meta({ description: 'the application window; an application after `closes` is refused (409)' }),
    units: z
      .array(RoundUnitSchema)
      .min(1)
      .max(MAX_ROUND_UNITS)
      .meta({ description: 'schools, or pools of schools (Cixi’s towns), with their seats' }),
    cutoffScope: z.enum(['school', 'pool']).default('school').meta({
      description:
        '`pool`: units are towns; a child below every listed town’s cut-off is referred. Settlement rounds: `school` (their one unit is the quota)',
      example: 'school',
    }),
    tieBreak: z
      .array(z.enum(TIE_BREAK_KEYS))
      .max(TIE_BREAK_KEYS.length)
      .default([...DEFAULT_TIE_BREAK])
      .meta({
        description:
          'ordered tie-break keys after the priority tier (points ↓, insuranceMonths ↓, residenceMonths ↓, appliedAt ↑, lottery); applicationRef ascending is the implicit last key',
        example: [...DEFAULT_TIE_BREAK],
      }),
    lotterySeed: z.string().min(1).max(200).meta({
      description:
        'published with the round; the lottery key is SHA-256 of `seed:applicationRef` in hex, smaller first',
      example: 'yinzhou-2026-p1-2f9c1d',
    }),
  })
  .strict()
  .meta({ id: 'RoundCreateRequest', example: EXAMPLE_ROUND_REQUEST })
export type RoundCreate = z.output<typeof RoundCreateSchema>

export const RoundSchema = RoundCreateSchema.extend({
  id: z.uuid().meta({ description: 'the round’s id', example: EXAMPLE_ROUND_ID }),
  status: RoundStatusSchema.meta({
    description: 'where the round is: open, closed, allocated or published',
    example: 'open',
  }),
  createdAt: z
    .string()
    .meta({ description: 'when the round was created (UTC)', example: '2026-04-30T02:00:00.000Z' }),
  applications: z.number().int().meta({ description: 'applications stored and not withdrawn', example: 240 }),
  latestVersion: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'the newest result version, if any', example: null }),
  publishedVersion: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'the published result version; null until one is published', example: null }),
}).meta({
  id: 'Round',
  example: {
    ...EXAMPLE_ROUND_REQUEST,
    id: EXAMPLE_ROUND_ID,
    kind: 'admission',
    status: 'open',
    createdAt: '2026-04-30T02:00:00.000Z',
    applications: 0,
    latestVersion: null,
    publishedVersion: null,
  },
})
export type Round = z.infer<typeof RoundSchema>

export const RoundListQuerySchema = z
  .object({
    after: z
      .string()
      .max(64)
      .optional()
      .meta({ description: 'the previous page’s `next`', example: EXAMPLE_ROUND_ID }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .meta({ description: 'at most this many in one page', example: 100 }),
  })
  .strict()

export const RoundListSchema = z
  .object({
    rounds: z.array(RoundSchema).meta({ description: 'the rounds of this page, oldest first' }),
    next: z
      .string()
      .nullable()
      .meta({ description: 'pass as `after` for the next page; null at the end', example: null }),
  })
  .meta({ id: 'RoundList', example: { rounds: [], next: null } })

const RoundIdSchema = z.uuid().meta({ description: 'the round’s id', example: EXAMPLE_ROUND_ID })
export const RoundIdParamsSchema = z.object({ id: RoundIdSchema })

// ---------------------------------------------------------------- applications

export const ApplicationRefSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .meta({
    description: 'the enrolment system’s own application number, unique in the round',
    example: 'YZ2026P1000123',
  })

export const MAX_BULK_APPLICATIONS = 10_000

export const ApplicationInputSchema = z
  .object({
    applicationRef: ApplicationRefSchema,
    household: HouseholdSchema.meta({ description: 'the parents, the child, homes owned and preferences' }),
  })
  .strict()
  .meta({ id: 'BulkApplicationRow' })

export const EXAMPLE_SETTLEMENT_ROW = {
  applicationRef: 'JB2026JF000017',
  applicant: EXAMPLE_APPLICANT,
  appliedAt: '2026-03-02T10:15:00+08:00',
} as const

/** A row of a points-settlement quota round: one applicant (not a household). */
export const SettlementApplicationInputSchema = z
  .object({
    applicationRef: ApplicationRefSchema,
    applicant: ApplicantSchema,
    appliedAt: z.iso.datetime({ offset: true }).optional().meta({
      description:
        'when the application was made (the `appliedAt` tie-break key); after the window closes: 409',
      example: '2026-03-02T10:15:00+08:00',
    }),
  })
  .strict()
  .meta({ id: 'BulkSettlementApplicationRow', example: EXAMPLE_SETTLEMENT_ROW })

export const BulkApplicationsSchema = z
  .object({
    applications: z
      .array(z.union([ApplicationInputSchema, SettlementApplicationInputSchema]))
      .min(1)
      .max(MAX_BULK_APPLICATIONS)
      .meta({
        description: `up to ${MAX_BULK_APPLICATIONS} applications: every row is validated and evaluated, then all are stored in one transaction, or none. Admission rounds take \`{ applicationRef, household }\`, settlement rounds \`{ applicationRef, applicant, appliedAt? }\``,
      }),
  })
  .strict()
  .meta({
    id: 'BulkApplications',
    example: { applications: [{ applicationRef: 'YZ2026P1000123', household: EXAMPLE_HOUSEHOLD }] },
  })

/**
 * What the route validates before its handler: the envelope only. Each row is then checked in full by
 * the service, so that a 400 names the row's index and applicationRef (src/services/admission.ts).
 */
export const BulkEnvelopeSchema = z
  .object({
    applications: z
      // rows are objects; their fields (household, or applicant) are checked row by row by the service
      .array(z.object({ applicationRef: z.unknown() }).loose())
      .min(1)
      .max(MAX_BULK_APPLICATIONS),
  })
  .strict()

export const BulkResultSchema = z
  .object({
    roundId: z
      .uuid()
      .meta({ description: 'the round the applications were added to', example: EXAMPLE_ROUND_ID }),
    stored: z.number().int().meta({ description: 'applications stored by this request', example: 240 }),
    eligible: z
      .number()
      .int()
      .meta({ description: 'of those, how many pass every admission gate', example: 236 }),
    ineligible: z
      .number()
      .int()
      .meta({ description: 'of those, how many fail a gate (stored all the same)', example: 4 }),
  })
  .meta({
    id: 'BulkApplicationsResult',
    example: { roundId: EXAMPLE_ROUND_ID, stored: 1, eligible: 1, ineligible: 0 },
  })

/**
 * `quota_exhausted`: settlement rounds, ranked but after the last applicant the quota reached. A settlement
 * applicant below the threshold, or failing a gate, is `gate_failed` with the gate `below_threshold` or the
 * gate's own id, and its reason.
 */
export const OUTCOMES = [
  'placed',
  'gate_failed',
  'below_cutoff',
  'referred',
  'quota_exhausted',
  'no_preferences',
] as const

export const ApplicationSchema = z
  .object({
    applicationRef: z
      .string()
      .meta({ description: 'the caller’s reference for the application', example: 'YZ2026P1000123' }),
    status: z
      .enum(['active', 'withdrawn'])
      .meta({ description: 'active, or withdrawn (kept, not allocated)', example: 'active' }),
    createdAt: z
      .string()
      .meta({ description: 'when it was stored (UTC)', example: '2026-05-06T01:30:00.000Z' }),
    withdrawnAt: z
      .string()
      .nullable()
      .meta({ description: 'when it was withdrawn; null while active', example: null }),
    idNumberMasked: z
      .string()
      .nullable()
      .meta({ description: 'the child’s masked ID, when given', example: '330212************' }),
    preferences: z.array(z.string()).meta({
      description: 'the units the family listed, first choice first',
      example: ['yz-p-01', 'yz-p-02'],
    }),
    appliedAt: z.string().nullable().meta({
      description: 'when the family applied, as sent; null when not given',
      example: '2026-05-06T09:30:00+08:00',
    }),
    outcome: z.enum(OUTCOMES).nullable().meta({
      description: 'in the newest result version; null before allocation or when not in it',
      example: 'placed',
    }),
    evaluation: z.union([AdmissionResultSchema, SettlementResultSchema]).meta({
      description:
        'admission rounds: the household’s admission evaluation; settlement rounds: the applicant’s settlement result, made when it was stored',
    }),
  })
  .meta({
    id: 'Application',
    example: {
      applicationRef: 'YZ2026P1000123',
      status: 'active',
      createdAt: '2026-05-06T01:30:00.000Z',
      withdrawnAt: null,
      idNumberMasked: '420102************',
      preferences: ['yz-p-01', 'yz-p-02'],
      appliedAt: '2026-05-06T09:30:00+08:00',
      outcome: 'placed',
      evaluation: EXAMPLE_ADMISSION_RESULT,
    },
  })
export type Application = z.infer<typeof ApplicationSchema>

export const ApplicationListQuerySchema = z
  .object({
    after: z
      .string()
      .max(64)
      .optional()
      .meta({ description: 'the previous page’s `next`', example: 'YZ2026P1000123' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .meta({ description: 'at most this many in one page', example: 100 }),
    outcome: z
      .enum(OUTCOMES)
      .optional()
      .meta({ description: 'only this outcome, in the newest version', example: 'placed' }),
  })
  .strict()

export const ApplicationListSchema = z
  .object({
    applications: z
      .array(ApplicationSchema)
      .meta({ description: 'the applications of this page, by applicationRef' }),
    next: z
      .string()
      .nullable()
      .meta({ description: 'pass as `after` for the next page; null at the end', example: null }),
  })
  .meta({ id: 'ApplicationList', example: { applications: [], next: null } })

export const ApplicationParamsSchema = z.object({ id: RoundIdSchema, ref: ApplicationRefSchema })

// ---------------------------------------------------------------- results

const FailedGateSchema = z.object({
  id: z.string().meta({ description: 'the gate’s id in the admission table', example: 'hukou_or_permit' }),
  label: z.string().meta({ description: 'the gate’s name in Chinese', example: '户籍或有效居住证' }),
  reason: z.string().meta({ description: 'why it failed, in Chinese', example: '父母均无有效居住证' }),
})

const TieBreakValueSchema = z.object({
  key: z.enum(TIE_BREAK_KEYS).meta({ description: 'the tie-break key', example: 'points' }),
  value: z
    .union([z.number(), z.string(), z.null()])
    .meta({ description: 'the child’s value for the key (points in 1/10,000 point)', example: 1_100_000 }),
})

export const CutOffSchema = z
  .object({
    rank: z.number().int().meta({ description: 'the overall rank of the last child admitted', example: 118 }),
    ref: z
      .string()
      .meta({ description: 'the applicationRef of the last child admitted', example: 'YZ2026P1000123' }),
    tier: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'that child’s priority tier rank; null: ranked by points', example: null }),
    points: z.number().int().nullable().meta({ description: 'in 1/10,000 point', example: 1_100_000 }),
    tieBreak: z
      .array(TieBreakValueSchema)
      .meta({ description: 'that child’s tie-break values, in the round’s order' }),
  })
  .meta({ id: 'CutOff' })

export const UnitOutcomeSchema = z
  .object({
    id: z.string().meta({ description: 'the unit’s id in the round', example: 'yz-p-01' }),
    name: z.string().meta({ description: 'the school’s or pool’s name', example: '鄞州区某某小学' }),
    seats: z.number().int().meta({ description: 'seats offered', example: 120 }),
    placed: z.number().int().meta({ description: 'children placed', example: 118 }),
    seatsLeft: z.number().int().meta({ description: 'seats not filled', example: 2 }),
    cutoff: CutOffSchema.nullable().meta({
      description: 'the last child admitted; null when nobody was',
      example: null,
    }),
  })
  .meta({ id: 'UnitOutcome' })

export const ApplicationOutcomeSchema = z
  .object({
    ref: z.string().meta({ description: 'the applicationRef', example: 'YZ2026P1000123' }),
    rank: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'the overall rank; null when a gate failed', example: 1 }),
    outcome: z.enum(OUTCOMES).meta({ description: 'what happened to the application', example: 'placed' }),
    placed: z
      .object({
        unit: z.string().meta({ description: 'the unit the child was placed in', example: 'yz-p-01' }),
        preferenceRank: z
          .number()
          .int()
          .meta({ description: 'which preference it was (1 = first)', example: 1 }),
      })
      .nullable()
      .meta({
        description: 'where the child was placed; null when not placed',
        example: { unit: 'yz-p-01', preferenceRank: 1 },
      }),
    gate: FailedGateSchema.nullable().meta({
      description: 'the admission gate that failed; null when all passed',
      example: null,
    }),
    refusals: z
      .array(
        z.object({
          preferenceRank: z.number().int().meta({ description: 'which preference (1 = first)', example: 1 }),
          unit: z.string().meta({ description: 'the unit that refused', example: 'yz-p-02' }),
          refusal: z
            .enum(['below_cutoff', 'no_seats'])
            .meta({ description: 'below the unit’s cut-off, or no seats left', example: 'below_cutoff' }),
          cutoffRank: z
            .number()
            .int()
            .nullable()
            .meta({ description: 'the unit’s cut-off rank', example: 90 }),
        }),
      )
      .meta({ description: 'the preferences that refused the child, in order', example: [] }),
    ignoredPreferences: z
      .array(
        z.object({
          preferenceRank: z.number().int().meta({ description: 'which preference (1 = first)', example: 3 }),
          unit: z.string().meta({ description: 'the unit named', example: 'yz-p-99' }),
          why: z
            .enum(['unknown_unit', 'duplicate'])
            .meta({ description: 'not a unit of the round, or named twice', example: 'unknown_unit' }),
        }),
      )
      .meta({ description: 'preferences that could not be used', example: [] }),
  })
  .meta({ id: 'ApplicationOutcome' })

export const AllocationResultSchema = z
  .object({
    cutoffScope: z.enum(['school', 'pool', 'quota']).meta({
      description:
        'the round’s cut-off scope; `quota`: a settlement round (its one unit is the year’s quota)',
      example: 'school',
    }),
    tieBreak: z
      .array(z.enum(TIE_BREAK_KEYS))
      .meta({ description: 'the tie-break keys used, in order', example: [...DEFAULT_TIE_BREAK] }),
    lotterySeed: z
      .string()
      .meta({ description: 'the round’s published lottery seed', example: 'yinzhou-2026-p1-2f9c1d' }),
    units: z.array(UnitOutcomeSchema).meta({ description: 'each unit’s seats, placements and cut-off' }),
    applications: z
      .array(ApplicationOutcomeSchema)
      .meta({ description: 'each application’s outcome, by rank' }),
    summary: z
      .object({
        applications: z.number().int().meta({ description: 'applications allocated', example: 240 }),
        ranked: z
          .number()
          .int()
          .meta({ description: 'applications that passed the gates and were ranked', example: 236 }),
        placed: z.number().int().meta({ description: 'children placed', example: 208 }),
        gateFailed: z.number().int().meta({ description: 'applications that failed a gate', example: 4 }),
        belowCutoff: z
          .number()
          .int()
          .meta({ description: 'ranked but below every preference’s cut-off', example: 26 }),
        referred: z.number().int().meta({ description: 'pool rounds: referred to the district', example: 0 }),
        noPreferences: z.number().int().meta({ description: 'ranked with no usable preference', example: 2 }),
        seats: z.number().int().meta({ description: 'seats offered in all units', example: 210 }),
        seatsLeft: z.number().int().meta({ description: 'seats not filled', example: 2 }),
      })
      .meta({ description: 'the counts of the allocation' }),
  })
  .meta({ id: 'AllocationResult' })

export const ResultVersionSchema = z
  .object({
    roundId: z.uuid().meta({ description: 'the round', example: EXAMPLE_ROUND_ID }),
    version: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'the result version (1 is the first allocation)', example: 1 }),
    inputsSha256: z.string().meta({
      description: 'SHA-256 of the canonical JSON of the round, the applications and the ruleset hashes',
      example: '5d0c3b7e1f9a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e',
    }),
    rulesets: z
      .array(
        z.object({
          id: z
            .string()
            .meta({ description: 'a table used, `id@version`', example: 'yinzhou-admission-2023@1' }),
          sha256: z.string().meta({
            description: 'its SHA-256',
            example: '9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d',
          }),
        }),
      )
      .meta({ description: 'the tables the allocation used, with their hashes' }),
    createdAt: z
      .string()
      .meta({ description: 'when the version was made (UTC)', example: '2026-06-01T02:00:00.000Z' }),
    published: z.boolean().meta({ description: 'this version is the published one', example: false }),
    result: AllocationResultSchema.meta({ description: 'the allocation' }),
  })
  .meta({
    id: 'RoundResult',
    example: {
      roundId: EXAMPLE_ROUND_ID,
      version: 1,
      inputsSha256: '5d0c3b7e1f9a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e',
      rulesets: [{ id: 'yinzhou-admission-2023@1', sha256: EXAMPLE_RULESET.sha256 }],
      createdAt: '2026-06-01T02:00:00.000Z',
      published: false,
      result: {
        cutoffScope: 'school',
        tieBreak: [...DEFAULT_TIE_BREAK],
        lotterySeed: 'yinzhou-2026-p1-2f9c1d',
        units: [
          {
            id: 'yz-p-01',
            name: '鄞州区某某小学',
            seats: 120,
            placed: 1,
            seatsLeft: 119,
            cutoff: {
              rank: 1,
              ref: 'YZ2026P1000123',
              tier: null,
              points: 1_100_000,
              tieBreak: [
                { key: 'points', value: 1_100_000 },
                { key: 'insuranceMonths', value: 72 },
                { key: 'residenceMonths', value: 132 },
                { key: 'appliedAt', value: '2026-05-06T09:30:00+08:00' },
                { key: 'lottery', value: '80c8161cd3f7a2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1' },
              ],
            },
          },
        ],
        applications: [
          {
            ref: 'YZ2026P1000123',
            rank: 1,
            outcome: 'placed',
            placed: { unit: 'yz-p-01', preferenceRank: 1 },
            gate: null,
            refusals: [],
            ignoredPreferences: [],
          },
        ],
        summary: {
          applications: 1,
          ranked: 1,
          placed: 1,
          gateFailed: 0,
          belowCutoff: 0,
          referred: 0,
          noPreferences: 0,
          seats: 120,
          seatsLeft: 119,
        },
      },
    },
  })
export type ResultVersion = z.infer<typeof ResultVersionSchema>

export const ResultQuerySchema = z
  .object({
    version: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'default: the newest', example: 1 }),
  })
  .strict()

export const ResultVersionParamsSchema = z.object({
  id: RoundIdSchema,
  version: z.coerce
    .number()
    .int()
    .min(1)
    .meta({ description: 'the result version (1 is the first allocation)', example: 1 }),
})

export const RoundReplaySchema = z
  .object({
    roundId: z.uuid().meta({ description: 'the round replayed', example: EXAMPLE_ROUND_ID }),
    version: z.number().int().meta({ description: 'the result version replayed', example: 1 }),
    identical: z.boolean().meta({ description: 'the replay gives the stored result exactly', example: true }),
    inputsIntact: z
      .boolean()
      .meta({ description: 'the stored inputs still hash to the version’s inputsSha256', example: true }),
    differences: z
      .array(
        z.object({
          path: z
            .string()
            .meta({ description: 'where the results differ', example: 'applications.3.outcome' }),
          stored: z.unknown().meta({ description: 'the stored value', example: 'placed' }),
          replayed: z.unknown().meta({ description: 'the replayed value', example: 'below_cutoff' }),
        }),
      )
      .meta({ description: 'every difference between the stored and the replayed result', example: [] }),
  })
  .meta({
    id: 'RoundReplay',
    example: { roundId: EXAMPLE_ROUND_ID, version: 1, identical: true, inputsIntact: true, differences: [] },
  })

export const PublicationSchema = z
  .object({
    roundId: z.uuid().meta({ description: 'the round', example: EXAMPLE_ROUND_ID }),
    version: z.number().int().meta({ description: 'the result version published', example: 1 }),
    kind: z
      .enum(ROUND_KINDS)
      .meta({ description: 'admission, or a points-settlement quota round', example: 'admission' }),
    district: z.string().meta({ description: 'the round’s district (GB/T 2260)', example: '330212' }),
    intakeYear: z.number().int().meta({ description: 'the intake year', example: 2026 }),
    grade: z.enum(['P1', 'J1']).nullable().meta({
      description: 'the entry grade: P1 (小学一年级) or J1 (初中一年级); null for a settlement round',
      example: 'P1',
    }),
    lotterySeed: z.string().meta({
      description: 'the round’s lottery seed, published so anyone can check the draw',
      example: 'yinzhou-2026-p1-2f9c1d',
    }),
    tieBreak: z
      .array(z.enum(TIE_BREAK_KEYS))
      .meta({ description: 'the tie-break keys, in order', example: [...DEFAULT_TIE_BREAK] }),
    units: z
      .array(
        z.object({
          id: z.string().meta({ description: 'the unit’s id', example: 'yz-p-01' }),
          name: z.string().meta({ description: 'the school’s or pool’s name', example: '鄞州区某某小学' }),
          seats: z.number().int().meta({ description: 'seats offered', example: 120 }),
          placed: z.number().int().meta({ description: 'children placed', example: 120 }),
          cutoff: z
            .object({
              points: z
                .number()
                .nullable()
                .meta({ description: 'the last child’s points, as a decimal', example: 98.5 }),
              tieBreak: z
                .array(TieBreakValueSchema)
                .meta({ description: 'the last child’s tie-break values, in order' }),
            })
            .nullable()
            .meta({
              description: 'points as a decimal; tie-break values of the last child admitted',
              example: null,
            }),
        }),
      )
      .meta({ description: 'each unit’s seats, placements and cut-off' }),
    rows: z
      .array(
        z.object({
          applicationRef: z
            .string()
            .meta({ description: 'the application’s reference', example: 'YZ2026P1000123' }),
          idNumberMasked: z.string().nullable().meta({
            description: 'the 6-digit region code and 12 stars (product.md capability 7)',
            example: '330212************',
          }),
          placed: z
            .string()
            .nullable()
            .meta({ description: 'the school or pool, or null', example: 'yz-p-01' }),
          outcome: z
            .enum(OUTCOMES)
            .meta({ description: 'what happened to the application', example: 'placed' }),
          points: z
            .number()
            .nullable()
            .meta({ description: 'the household’s points, as a decimal; null when none', example: 98.5 }),
        }),
      )
      .meta({ description: 'one row per application, in rank order' }),
  })
  .meta({
    id: 'Publication',
    example: {
      roundId: EXAMPLE_ROUND_ID,
      version: 1,
      kind: 'admission',
      district: '330212',
      intakeYear: 2026,
      grade: 'P1',
      lotterySeed: 'yinzhou-2026-p1-2f9c1d',
      tieBreak: [...DEFAULT_TIE_BREAK],
      units: [
        {
          id: 'yz-p-01',
          name: '鄞州区某某小学',
          seats: 120,
          placed: 120,
          cutoff: { points: 98.5, tieBreak: [{ key: 'points', value: 98.5 }] },
        },
      ],
      rows: [
        {
          applicationRef: 'YZ2026P1000123',
          idNumberMasked: '420102************',
          placed: 'yz-p-01',
          outcome: 'placed',
          points: 110,
        },
      ],
    },
  })
export type Publication = z.infer<typeof PublicationSchema>
