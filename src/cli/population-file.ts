// Population files too big for one string: `jifen simulate` reads JSON Lines (.jsonl, .ndjson) line by line, and refuses a .json or .csv past V8's longest string with the alternative.
import { constants as bufferConstants } from 'node:buffer'
import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { Applicant } from '../../schema/applicant.ts'
import { safeParseApplicant } from '../../schema/applicant-fast.ts'
import { UsageError } from './usage-error.ts'

/** Bad lines listed in the error (the count says how many there were in all). */
const LISTED = 50

/** True for a JSON Lines file: one applicant per line. */
export function isJsonLines(file: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(file)
}

/**
 * A .json or .csv population is read as one string, and V8 holds no string longer than
 * `buffer.constants.MAX_STRING_LENGTH` (2^29 − 24 characters on 64-bit Node 20, about 512 MB; a
 * million applicants of JSON are about 800 MB). A UTF-8 file has at least as many bytes as
 * characters, so a file within the limit in bytes always reads; past it, this says what to do.
 */
export function checkReadableAsOneString(file: string, bytes = fileSize(file)): void {
  const max = bufferConstants.MAX_STRING_LENGTH
  if (bytes <= max) return
  const mb = (x: number) => Math.round(x / 1e6)
  throw new UsageError(
    `${file} 有 ${mb(bytes)} MB，超过一次能读入的文本上限（约 ${mb(max)} MB）：请改用 JSON Lines 文件（.jsonl 或 .ndjson，每行一名申请人），例如 jq -c '.[]' ${file} > population.jsonl\n` +
      `${file} is ${mb(bytes)} MB, past the longest text Node can read at once (about ${mb(max)} MB): give a JSON Lines file instead (.jsonl or .ndjson, one applicant per line), e.g. jq -c '.[]' ${file} > population.jsonl`,
  )
}

function fileSize(file: string): number {
  try {
    return statSync(file).size
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/**
 * Applicants of JSON Lines: one applicant (a JSON object, as in a .json population) per line,
 * streamed, so the file is never one string. Blank lines are skipped; a byte-order mark and CRLF
 * endings are accepted. Every line is parsed and validated (the applicant schema, through its fast
 * path); bad lines are reported with their line numbers (the first 50, and how many in all) and
 * nothing is returned. More than `max` applicants stops the reading.
 */
export async function applicantsOfJsonLines(
  input: Readable,
  file: string,
  max: number,
): Promise<Applicant[]> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  const out: Applicant[] = []
  const errors: string[] = []
  let bad = 0
  let number = 0
  const fail = (message: string) => {
    bad++
    if (errors.length < LISTED) errors.push(`${file}:${number}: ${message}`)
  }
  for await (const raw of lines) {
    number++
    const line = number === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (e) {
      fail(`not JSON: ${(e as Error).message}`)
      continue
    }
    const parsed = safeParseApplicant(value)
    if (!parsed.success) {
      fail(
        parsed.error.issues
          .map((i) => `${i.path.length === 0 ? '' : `[${i.path.map(String).join('.')}]: `}${i.message}`)
          .join('; '),
      )
      continue
    }
    if (out.length === max) {
      lines.close()
      input.destroy()
      throw new UsageError(`${file}: more than ${max} applicants (line ${number})`)
    }
    out.push(parsed.data)
  }
  if (bad > 0)
    throw new UsageError(
      `bad lines in the population (${bad} of ${number}):\n${errors.join('\n')}${bad > errors.length ? `\n… and ${bad - errors.length} more` : ''}`,
    )
  return out
}

/** A JSON Lines file, read in 1 MB chunks. */
export function applicantsOfJsonLinesFile(file: string, max: number): Promise<Applicant[]> {
  fileSize(file) // a missing file is a usage error, as for .json
  return applicantsOfJsonLines(createReadStream(file, { highWaterMark: 1 << 20 }), file, max)
}
