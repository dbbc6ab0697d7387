// Problem details (RFC 9457) and the catalogue of stable JIFEN_ERR_* codes every error response carries.
import { z } from 'zod'

/** At most this many field errors in one problem; the rest are counted in `errorsOmitted`. */
export const MAX_PROBLEM_ERRORS = 100
/** `detail` summarises in at most this many characters. */
export const MAX_PROBLEM_DETAIL = 500
/** A field error's path and message are cut to these lengths (a hostile key can be kilobytes long). */
export const MAX_FIELD_PATH = 200
export const MAX_FIELD_MESSAGE = 300

export const FieldErrorSchema = z
  .object({
    path: z.string().meta({
      description: `where the problem is: \`body.applicant.birthDate\`, \`params.id\`, \`body\` … (in a problem, at most ${MAX_FIELD_PATH} characters)`,
    }),
    message: z.string().meta({ description: `in a problem, at most ${MAX_FIELD_MESSAGE} characters` }),
  })
  .meta({ id: 'FieldError' })
export type FieldError = z.infer<typeof FieldErrorSchema>

/**
 * The catalogue. Codes and statuses are part of the contract: callers branch on `code`, so a code
 * is never reused for another meaning and is only ever sent with its own status.
 */
export const ERRORS = {
  VALIDATION: { status: 400, title: 'The request does not match the contract' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'The HTTP request is malformed (its framing, Content-Length or encoding)',
  },
  UNAUTHORIZED: { status: 401, title: 'A valid API key is required (Authorization: Bearer …)' },
  FORBIDDEN: { status: 403, title: 'The API key lacks a scope this route requires' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The route exists, but not with this method (see Allow)' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  RULESET_EXISTS: { status: 409, title: 'A ruleset with this id and version already exists' },
  RULESET_IMMUTABLE: { status: 409, title: 'A published or retired ruleset cannot be changed' },
  RULESET_OVERLAP: { status: 409, title: 'The validity window overlaps another published table' },
  RULESET_NOT_PUBLISHED: { status: 409, title: 'Only a published ruleset can be retired' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    title: 'This Idempotency-Key was already used with a different request',
  },
  RECORD_VOID: { status: 409, title: 'The record is already void' },
  PRECONDITION_FAILED: { status: 412, title: 'A precondition header (If-Match …) does not hold' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  URI_TOO_LONG: { status: 414, title: 'A path parameter is too long' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The requested byte range is not satisfiable' },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests from this address; retry after the Retry-After delay',
  },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  FUTURE_DATE: { status: 422, title: 'A date lies after today' },
  NO_TABLE_IN_FORCE: { status: 422, title: 'No table is in force for this jurisdiction on the as-of date' },
  TABLE_INVALID: { status: 422, title: 'The table does not compile' },
  EVALUATION: { status: 422, title: 'The request cannot be evaluated with this table' },
  INTERNAL: { status: 500, title: 'Internal error' },
  RECORD_CORRUPT: { status: 500, title: 'A stored record fails its integrity check' },
  OVERLOADED: { status: 503, title: 'The service is under pressure; retry after the Retry-After delay' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorName = keyof typeof ERRORS
export const ERROR_CODES = Object.keys(ERRORS).map((k) => `JIFEN_ERR_${k}`) as `JIFEN_ERR_${ErrorName}`[]
export type ErrorCode = `JIFEN_ERR_${ErrorName}`

export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'URI naming the problem type; resolves to the catalogue entry' }),
    title: z.string(),
    status: z.number().int().meta({ description: 'the HTTP status, always the one of `code`' }),
    detail: z
      .string()
      .max(MAX_PROBLEM_DETAIL)
      .meta({
        description: `a summary in at most ${MAX_PROBLEM_DETAIL} characters; \`errors\` has the fields`,
      }),
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    errors: z
      .array(FieldErrorSchema)
      .max(MAX_PROBLEM_ERRORS)
      .meta({
        description: `the fields at fault, at most ${MAX_PROBLEM_ERRORS} (the first ones found)`,
      }),
    errorsOmitted: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: `how many more field errors there were beyond the ${MAX_PROBLEM_ERRORS} listed` }),
    requestId: z.string().optional(),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details, with a stable code and the fields at fault; bounded in size',
    example: {
      type: 'https://jifen.example/problems/validation',
      title: 'The request does not match the contract',
      status: 400,
      detail: 'body.applicant.birthDate: not a calendar date',
      code: 'JIFEN_ERR_VALIDATION',
      errors: [{ path: 'body.applicant.birthDate', message: 'not a calendar date' }],
      requestId: 'req-1',
    },
  })
export type Problem = z.infer<typeof ProblemSchema>

/** The problem type URI for a catalogue entry: stable, human-readable, one per code. */
export function problemType(name: ErrorName): string {
  return `https://jifen.example/problems/${name.toLowerCase().replaceAll('_', '-')}`
}
