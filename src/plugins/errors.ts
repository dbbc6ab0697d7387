// The one root error handler: every failure leaves as RFC 9457 problem+json with a JIFEN_ERR_* code, bounded in size.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  ERRORS,
  type ErrorName,
  type FieldError,
  MAX_FIELD_MESSAGE,
  MAX_FIELD_PATH,
  MAX_PROBLEM_DETAIL,
  MAX_PROBLEM_ERRORS,
  PROBLEM_TEXT,
  type Problem,
  type ProblemLanguage,
  problemType,
} from '../../schema/errors.ts'
import { NoTableInForceError, TableWithheldError } from '../../scoring/registry.ts'
import { AppError, type Bilingual, bi } from '../errors.ts'
import { RequestValidationError } from './validation.ts'

/** `text` cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

/**
 * A problem body, bounded whatever the caller sent: at most MAX_PROBLEM_ERRORS field errors (the
 * rest counted in `errorsOmitted`), each path and message clipped, and `detail` at most
 * MAX_PROBLEM_DETAIL characters. The status is always the catalogue's for the code.
 */
export function problem(
  name: ErrorName,
  detail: string,
  errors: readonly FieldError[],
  requestId?: string,
  omitted = 0,
  lang: ProblemLanguage = 'zh',
): Problem {
  const e = ERRORS[name]
  const kept = errors.slice(0, MAX_PROBLEM_ERRORS).map((f) => ({
    path: clip(f.path, MAX_FIELD_PATH),
    message: clip(f.message, MAX_FIELD_MESSAGE),
  }))
  const errorsOmitted = omitted + errors.length - kept.length
  return {
    type: problemType(name),
    title: lang === 'zh' ? PROBLEM_TEXT[name].title : e.title,
    status: e.status,
    detail: clip(detail, MAX_PROBLEM_DETAIL),
    code: `JIFEN_ERR_${name}`,
    errors: kept,
    ...(errorsOmitted > 0 ? { errorsOmitted } : {}),
    requestId,
  }
}

/** A detail that summarises field errors: the first few in full, then how many more. */
export function summarize(errors: readonly FieldError[], omitted = 0): string {
  const total = errors.length + omitted
  let detail = ''
  let shown = 0
  for (const e of errors) {
    const part = `${shown === 0 ? '' : '; '}${clip(e.path, 100)}: ${clip(e.message, 150)}`
    // room for the "; and N more" tail
    if (detail.length + part.length > MAX_PROBLEM_DETAIL - 40) break
    detail += part
    shown++
  }
  return shown < total ? `${detail}; and ${total - shown} more` : detail
}

/** `['applicant', 'socialInsurance', 0, 'to']` in the body → `body.applicant.socialInsurance.0.to` */
function fieldPath(context: string | undefined, path: readonly PropertyKey[]): string {
  const where = context ?? 'body'
  return path.length === 0 ? where : `${where}.${path.map(String).join('.')}`
}

/** Client errors fastify and its plugins raise with a status of their own, each with its own code. */
const BY_STATUS: Readonly<Record<number, { name: ErrorName; path: string; message: Bilingual }>> = {
  400: { name: 'MALFORMED_REQUEST', path: 'body', message: bi('请求格式错误', 'malformed request') },
  404: { name: 'ROUTE_NOT_FOUND', path: 'params', message: bi('接口不存在', 'not found') },
  405: { name: 'METHOD_NOT_ALLOWED', path: 'method', message: bi('不支持该方法', 'method not allowed') },
  408: { name: 'REQUEST_TIMEOUT', path: 'body', message: bi('未能及时收到', 'not received in time') },
  412: { name: 'PRECONDITION_FAILED', path: 'headers', message: bi('前提条件不成立', 'precondition failed') },
  413: { name: 'BODY_TOO_LARGE', path: 'body', message: bi('过大', 'too large') },
  414: { name: 'URI_TOO_LONG', path: 'params', message: bi('过长', 'too long') },
  415: {
    name: 'UNSUPPORTED_MEDIA_TYPE',
    path: 'headers.content-type',
    message: bi('不支持的媒体类型', 'unsupported media type'),
  },
  416: {
    name: 'RANGE_NOT_SATISFIABLE',
    path: 'headers.range',
    message: bi('字节范围无法满足', 'range not satisfiable'),
  },
  429: { name: 'RATE_LIMITED', path: 'headers', message: bi('请求过多', 'too many requests') },
  431: { name: 'HEADERS_TOO_LARGE', path: 'headers', message: bi('过大', 'too large') },
}

/**
 * The language a caller asked for in Accept-Language: the first of Chinese or English by preference
 * (q), Chinese when neither is named, as the service's users are Chinese offices.
 */
export function languageOf(acceptLanguage: string | string[] | undefined): ProblemLanguage {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '')
  let best: { lang: ProblemLanguage; q: number } | null = null
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';')
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    )
    const lang =
      tag === 'zh' || tag.startsWith('zh-') ? 'zh' : tag === 'en' || tag.startsWith('en-') ? 'en' : null
    if (lang !== null && q > 0 && (best === null || q > best.q)) best = { lang, q }
  }
  return best?.lang ?? 'zh'
}

/** The jurisdictions a scheme has a table in force for on a date, for the unknown-jurisdiction problem. */
export type KnownJurisdictions = (scheme: string, asOf: string) => string[]

/** The problem body for any error the service meets: the root handler, framework errors and the tests use it. */
export function toProblem(
  err: unknown,
  requestId: string,
  lang: ProblemLanguage = 'zh',
  known: KnownJurisdictions = () => [],
): Problem {
  if (err instanceof AppError)
    return problem(err.name_, err.detailIn(lang), err.errorsIn(lang), requestId, 0, lang)
  if (err instanceof TableWithheldError) {
    const message =
      lang === 'zh'
        ? `当日适用的积分表 ${err.table.rulesetId} 与其存储的哈希不符，已停用`
        : `the table in force, ${err.table.rulesetId}, does not match its stored hash and is withheld`
    return problem(
      'TABLE_WITHHELD',
      lang === 'zh' ? `${message}；请运维人员恢复该积分表` : `${message}; the operator must restore it`,
      [{ path: 'body.jurisdiction', message }],
      requestId,
      0,
      lang,
    )
  }
  if (err instanceof NoTableInForceError) {
    const codes = known(err.scheme, err.asOf)
    const message =
      lang === 'zh'
        ? `${err.asOf} ${err.jurisdiction} 没有有效的 ${err.scheme} 积分表；当日有积分表的地区：${codes.join('、') || '无'}`
        : `no ${err.scheme} table in force for ${err.jurisdiction} on ${err.asOf}; jurisdictions with one on that date: ${codes.join(', ') || 'none'}`
    return problem(
      'NO_TABLE_IN_FORCE',
      message,
      [
        { path: 'body.jurisdiction', message },
        { path: 'body.asOf', message },
      ],
      requestId,
      0,
      lang,
    )
  }
  if (err instanceof RequestValidationError) {
    const errors = err.issues.map((i) => ({
      path: fieldPath(err.validationContext, i.path),
      message: lang === 'zh' ? (i.messageZh ?? i.message) : i.message,
    }))
    return problem('VALIDATION', summarize(errors, err.omitted), errors, requestId, err.omitted, lang)
  }
  const fe = err as Partial<FastifyError>
  // framework errors: our own words in the language asked (fastify's message is English, kept in English)
  const say = (
    name: ErrorName,
    detail: Bilingual,
    errors: readonly { path: string; message: Bilingual }[],
  ): Problem =>
    problem(
      name,
      detail[lang],
      errors.map((e) => ({ path: e.path, message: e.message[lang] })),
      requestId,
      0,
      lang,
    )
  const notJson = { path: 'body', message: bi('不是有效的 JSON', 'not valid JSON') }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return say('MALFORMED_JSON', bi('请求体不是有效的 JSON', fe.message ?? 'malformed JSON'), [notJson])
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return say('BODY_TOO_LARGE', bi('请求体超过大小上限', 'the request body exceeds the limit'), [
        { path: 'body', message: bi('过大', 'too large') },
      ])
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return say('UNSUPPORTED_MEDIA_TYPE', bi('请以 application/json 发送请求体', 'send application/json'), [
        { path: 'headers.content-type', message: bi('不支持的媒体类型', 'unsupported media type') },
      ])
  }
  // A SyntaxError from a JSON parser we did not anticipate is still the caller's malformed body.
  if (err instanceof SyntaxError && (fe as { statusCode?: number }).statusCode === 400) {
    return say('MALFORMED_JSON', bi('请求体不是有效的 JSON', 'malformed JSON'), [notJson])
  }
  if (fe.statusCode === 429) {
    return say(
      'RATE_LIMITED',
      bi('请求过多，请在 Retry-After 秒后重试', fe.message ?? 'too many requests'),
      [],
    )
  }
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return say('URI_TOO_LONG', bi('路径参数过长', 'a path parameter is too long'), [
      { path: 'params', message: bi('过长', 'too long') },
    ])
  }
  if (fe.code === 'FST_ERR_BAD_URL') {
    return say('VALIDATION', bi('URL 无效', 'the URL is not valid'), [
      { path: 'params', message: bi('百分号编码有误', 'bad percent-encoding') },
    ])
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Any other client error fastify or a plugin raises (a bad Content-Length, @fastify/static's 412
    // and 416): the code of its status, never its internals. A status we have no code for becomes a
    // plain malformed request (400), so that a code is never sent with a status other than its own.
    const known = BY_STATUS[fe.statusCode] ?? BY_STATUS[400]
    return say(known.name, bi(known.message.zh, clip(fe.message ?? known.message.en, 200)), [
      { path: known.path, message: known.message },
    ])
  }
  return say(
    'INTERNAL',
    bi(
      '服务内部错误；报告时请附上 requestId',
      'an internal error occurred; quote the request id when reporting it',
    ),
    [],
  )
}

/** Answers any error as problem+json: the root error handler, and fastify's own URL errors (frameworkErrors). */
export function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const lang = languageOf(request.headers['accept-language'])
  const body = toProblem(err, request.id, lang, (scheme, asOf) => knownJurisdictions(request, scheme, asOf))
  reply.header('content-language', lang === 'zh' ? 'zh-CN' : 'en').header('vary', 'Accept-Language')
  // 5xx are ours and logged in full (stack included) but never sent; 4xx are the caller's, logged briefly.
  if (body.status >= 500) request.log.error({ err }, 'request failed')
  else request.log.info({ code: body.code, errors: body.errors }, 'request rejected')
  return reply.code(body.status).type('application/problem+json').send(body)
}

/** From the app's tables in force (none while it starts: the list is then empty). */
function knownJurisdictions(request: FastifyRequest, scheme: string, asOf: string): string[] {
  try {
    const tables = request.server.jifen.services().rulesets.current().all()
    const codes = tables
      .map((c) => c.table)
      .filter((t) => t.scheme === scheme && t.validFrom <= asOf && (t.validTo === null || t.validTo >= asOf))
      .map((t) => t.jurisdiction)
    return [...new Set(codes)].sort()
  } catch {
    return []
  }
}

/** A route's URL as a pattern over request paths: `:id` is one segment, `*` the rest. */
export function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^${source}/?$`)
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(err, request, reply),
  )
  // Every route's methods by path pattern, so that a known path with another method is a 405 with
  // Allow rather than a 404 that says the route does not exist.
  const routes: { pattern: RegExp; methods: string[] }[] = []
  app.addHook('onRoute', (route) => {
    routes.push({ pattern: routePattern(route.url), methods: [route.method].flat() })
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    const lang = languageOf(request.headers['accept-language'])
    reply.header('content-language', lang === 'zh' ? 'zh-CN' : 'en').header('vary', 'Accept-Language')
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort()
    if (allowed.length > 0) {
      const message = lang === 'zh' ? `允许的方法：${allowed.join('、')}` : `allowed: ${allowed.join(', ')}`
      const body = problem(
        'METHOD_NOT_ALLOWED',
        lang === 'zh'
          ? `此处不允许 ${request.method}；${message}`
          : `${request.method} is not allowed here; ${message}`,
        [{ path: 'method', message }],
        request.id,
        0,
        lang,
      )
      return reply.code(405).header('allow', allowed.join(', ')).type('application/problem+json').send(body)
    }
    const detail = lang === 'zh' ? `没有接口 ${request.method} ${path}` : `no route ${request.method} ${path}`
    const body = problem('ROUTE_NOT_FOUND', detail, [], request.id, 0, lang)
    return reply.code(404).type('application/problem+json').send(body)
  })
}
