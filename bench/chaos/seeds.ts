/** `1,2,3`, `1-5` or a mix of both: the seeds to run, each once, in order. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').flatMap((part) => {
    const [from, to, ...rest] = part
      .trim()
      .split('-')
      .map((s) => (s === '' ? Number.NaN : Number(s)));
    if (rest.length > 0 || !Number.isInteger(from) || (to !== undefined && (!Number.isInteger(to) || to < from))) {
      throw new Error(`--seeds: cannot read "${part}"; say 1,2,3 or 1-5`);
    }
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  });
  return [...new Set(seeds)];
}
