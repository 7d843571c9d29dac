/** A time as `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC, milliseconds), the form Caliper timestamps take. */
export function toCaliperTime(time: number | Date): string {
  return new Date(time).toISOString()
}

const CALIPER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** True for an ISO 8601 date-time with seconds and an explicit offset that names a real instant. */
export function isCaliperTime(value: string): boolean {
  return CALIPER_TIME.test(value) && !Number.isNaN(Date.parse(value))
}
