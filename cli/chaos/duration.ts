import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h30m`, `2d` -> ms; UsageError naming the option and the accepted forms otherwise. */
export function parseDuration(option: string, text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const joined = parts.map((p) => p[0]).join('');
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
  if (!parts.length || joined !== text.trim() || !(ms > 0)) {
    throw new UsageError(`--${option} must be a duration such as 90s, 10m, 1h30m or 2d`);
  }
  return Math.round(ms);
}

/** ms -> `1h 30m`, `45s`, `2d 3h` (the two largest units that are not zero). */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let left = Math.max(0, Math.round(ms / 1000) * 1000);
  const out: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 || out.length) out.push(`${n}${unit}`);
  }
  const shown = out.slice(0, 2).filter((p) => !p.startsWith('0'));
  return shown.length ? shown.join(' ') : '0s';
}
