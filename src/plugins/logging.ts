// Log hygiene: redaction of ID numbers and credentials wherever they could appear in a log line.

/** pino redact paths: request headers carrying keys, and ID numbers at the depths our bodies put them. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'idNumber',
  '*.idNumber',
  '*.*.idNumber',
  '*.*.*.idNumber',
  'parents[*].idNumber',
  '*.parents[*].idNumber',
  '*.*.parents[*].idNumber',
]

// 18-character GB 11643 numbers standing alone (not inside a longer run of digits or a hex hash).
const ID_NUMBER = /(?<![\dA-Za-z])(\d{6})\d{11}([\dXx])(?![\dA-Za-z])/g

/** Masks any ID number in a serialised log line, keeping region and check character like maskIdNumber. */
export function scrubIdNumbers(line: string): string {
  return line.replace(ID_NUMBER, '$1***********$2')
}
