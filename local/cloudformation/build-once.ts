import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Written last into a finished directory: a directory without it is a build that was cut short. */
export const COMPLETE_MARKER = '.complete';

/**
 * Returns `dir`, built by `build` unless a finished build is already there. The build writes into a scratch
 * directory beside `dir`, which is then renamed into place: test files running in parallel that need the same
 * directory (one synthesized config) never write into each other's build or read half of one; the first rename wins
 * and the others throw their scratch away.
 */
export async function buildOnce(dir: string, build: (scratch: string) => Promise<void> | void): Promise<string> {
  if (isComplete(dir)) return dir;
  const scratch = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await mkdir(scratch, { recursive: true });
  try {
    await build(scratch);
    await writeFile(join(scratch, COMPLETE_MARKER), new Date().toISOString());
    if (isComplete(dir)) return dir;
    // A directory without the marker is what a build cut short left (before builds were renamed into place).
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(scratch, dir);
    } catch (err) {
      if (!isComplete(dir)) throw err;
    }
    return dir;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function isComplete(dir: string): boolean {
  return existsSync(join(dir, COMPLETE_MARKER));
}
