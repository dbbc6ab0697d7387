// The one root error handler: every failure leaves as RFC 9457 problem+json with a JIFEN_ERR_* code.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { ERRORS, type ErrorName, type FieldError, type Problem, problemType } from '../../schema/errors.ts'
import { NoTableInForceError } from '../../scoring/registry.ts'
import { AppError } from '../errors.ts'

export function problem(name: ErrorName, detail: string, errors: FieldError[], requestId?: string): Problem {
  const e = ERRORS[name]
  return {
    type: problemType(name),
    title: e.title,
    status: e.status,
    detail,
    code: `JIFEN_ERR_${name}`,
    errors,
    requestId,
  }
}

/** `/applicant/socialInsurance/0/to` in the body → `body.applicant.socialInsurance.0.to` */
function fieldPath(context: string | undefined, instancePath: string): string {
  const rest = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.')
  const where = context ?? 'body'
  return rest ? `${where}.${rest}` : where
}

function toProblem(err: unknown, requestId: string): Problem {
  if (err instanceof AppError) return problem(err.name_, err.message, err.errors, requestId)
  if (err instanceof NoTableInForceError) {
    return problem(
      'NO_TABLE_IN_FORCE',
      err.message,
      [
        {
          path: 'body.jurisdiction',
          message: `no ${err.scheme} table in force for ${err.jurisdiction} on ${err.asOf}`,
        },
        {
          path: 'body.asOf',
          message: `no ${err.scheme} table in force for ${err.jurisdiction} on ${err.asOf}`,
        },
      ],
      requestId,
    )
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = (err as { validationContext?: string }).validationContext
    const errors = err.validation.map((v) => ({
      path: fieldPath(context, v.instancePath),
      message: v.message ?? 'invalid',
    }))
    return problem('VALIDATION', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors, requestId)
  }
  const fe = err as Partial<FastifyError>
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(
        'MALFORMED_JSON',
        fe.message ?? 'malformed JSON',
        [{ path: 'body', message: 'not valid JSON' }],
        requestId,
      )
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(
        'BODY_TOO_LARGE',
        'the request body exceeds the limit',
        [{ path: 'body', message: 'too large' }],
        requestId,
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(
        'UNSUPPORTED_MEDIA_TYPE',
        'send application/json',
        [{ path: 'headers.content-type', message: 'unsupported media type' }],
        requestId,
      )
  }
  // A SyntaxError from a JSON parser we did not anticipate is still the caller's malformed body.
  if (err instanceof SyntaxError && (fe as { statusCode?: number }).statusCode === 400) {
    return problem(
      'MALFORMED_JSON',
      'malformed JSON',
      [{ path: 'body', message: 'not valid JSON' }],
      requestId,
    )
  }
  if (fe.statusCode === 429) {
    return problem('RATE_LIMITED', fe.message ?? 'too many requests', [], requestId)
  }
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return problem(
      'URI_TOO_LONG',
      'a path parameter is too long',
      [{ path: 'params', message: 'too long' }],
      requestId,
    )
  }
  if (fe.code === 'FST_ERR_BAD_URL') {
    return problem(
      'VALIDATION',
      'the URL is not valid',
      [{ path: 'params', message: 'bad percent-encoding' }],
      requestId,
    )
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Any other client error fastify raises: keep its status, never its internals.
    return { ...problem('VALIDATION', fe.message ?? 'bad request', [], requestId), status: fe.statusCode }
  }
  return problem(
    'INTERNAL',
    'an internal error occurred; quote the request id when reporting it',
    [],
    requestId,
  )
}

/** Answers any error as problem+json: the root error handler, and fastify's own URL errors (frameworkErrors). */
export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = toProblem(err, request.id)
  // 5xx are ours and logged in full (stack included) but never sent; 4xx are the caller's, logged briefly.
  if (body.status >= 500) request.log.error({ err }, 'request failed')
  else request.log.info({ code: body.code, errors: body.errors }, 'request rejected')
  return reply.code(body.status).type('application/problem+json').send(body)
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(err, request, reply),
  )
  app.setNotFoundHandler((request, reply) => {
    const body = problem(
      'ROUTE_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}`,
      [],
      request.id,
    )
    return reply.code(404).type('application/problem+json').send(body)
  })
}
