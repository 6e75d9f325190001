/** How an act of the demo ended: what to add to the final line, or why it failed. */
export type ActOutcome = { ok: true; summary: string } | { ok: false; why: string };

/** Simulated milliseconds as seconds with one decimal: "28.1 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
