// The service's own error: a catalogue name, a detail and the fields at fault; turned into problem+json at the root.
import { ERRORS, type ErrorName, type FieldError } from '../schema/errors.ts'

export class AppError extends Error {
  readonly status: number

  constructor(
    readonly name_: ErrorName,
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail)
    this.status = ERRORS[name_].status
  }
}
