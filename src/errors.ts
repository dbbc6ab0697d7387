// The service's own error: a catalogue name, a detail and the fields at fault, in Chinese and English; turned into problem+json at the root.
import { ERRORS, type ErrorName, type FieldError, type ProblemLanguage } from '../schema/errors.ts'

/** A message the service writes, in both languages a problem is answered in (Accept-Language chooses). */
export type Bilingual = { readonly zh: string; readonly en: string }

/** A field at fault with its message in both languages (a bare string is English only: a gap the language test finds). */
export type FieldText = { readonly path: string; readonly message: string | Bilingual }

/** `en` and `zh` together, so that call sites read as one sentence in each language. */
export function bi(zh: string, en: string): Bilingual {
  return { zh, en }
}

/** NOT_FOUND for `what` (say it without 没有 / "no"), naming the field that pointed at it. */
export function notFound(what: Bilingual, path: string): AppError {
  const message = bi(`没有${what.zh}`, `no ${what.en}`)
  return new AppError('NOT_FOUND', message, [{ path, message }])
}

/** The text in `lang`; a bare string is what there is (English). */
export function textIn(text: string | Bilingual, lang: ProblemLanguage): string {
  return typeof text === 'string' ? text : text[lang]
}

export class AppError extends Error {
  readonly status: number
  /** The detail in both languages (a bare string where a caller wrote English only). */
  readonly detail: string | Bilingual
  readonly fields: readonly FieldText[]

  constructor(
    readonly name_: ErrorName,
    detail: string | Bilingual,
    errors: readonly FieldText[] = [],
  ) {
    // the English text is the Error's message: logs, the CLI and tests read it
    super(textIn(detail, 'en'))
    this.status = ERRORS[name_].status
    this.detail = detail
    this.fields = errors
  }

  /** The fields at fault in English (the CLI's and the logs' language). */
  get errors(): FieldError[] {
    return this.errorsIn('en')
  }

  detailIn(lang: ProblemLanguage): string {
    return textIn(this.detail, lang)
  }

  errorsIn(lang: ProblemLanguage): FieldError[] {
    return this.fields.map((f) => ({ path: f.path, message: textIn(f.message, lang) }))
  }
}

/** The fields' messages as one detail in each language: `path: message; path: message`. */
export function joined(errors: readonly FieldText[]): Bilingual {
  const join = (lang: ProblemLanguage, sep: string) =>
    errors.map((e) => `${e.path}${sep}${textIn(e.message, lang)}`).join(lang === 'zh' ? '；' : '; ')
  return { zh: join('zh', '：'), en: join('en', ': ') }
}
