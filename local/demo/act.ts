/** How an act of the demo ended: what to add to the final line, or why it failed. */
export type ActOutcome = { ok: true; summary: string } | { ok: false; why: string };

/** One narrated moment of an act, on the simulated clock (epoch ms). */
export interface ActLine {
  at: number;
  text: string;
}

/** Simulated milliseconds as seconds with one decimal: "28.1 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Simulated time since the act began, to the tenth of a second: "+00:22.4", "+16:35.0". */
export function sinceStart(ms: number): string {
  const tenths = Math.round(ms / 100);
  const s = Math.floor(tenths / 10);
  return `+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${tenths % 10}`;
}

/** The act's lines, oldest first, each with its time since `t0`. */
export function printLines(lines: ActLine[], t0: number, out: (line: string) => void): void {
  for (const l of [...lines].sort((a, b) => a.at - b.at)) out(`  ${sinceStart(l.at - t0)}  ${l.text}`);
}
