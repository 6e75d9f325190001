/** Epoch milliseconds of an ISO 8601 time; undefined when absent or unreadable. */
export function epochMs(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The ISO 8601 time `seconds` after `time`. */
export function plusSeconds(time: string, seconds: number): string {
  return new Date(Date.parse(time) + seconds * 1000).toISOString();
}
