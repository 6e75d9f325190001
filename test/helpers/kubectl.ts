import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The real kubectl: on PATH or where Debian's kubernetes-client (and the Cloud SDK) put it. */
export function findKubectl(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Runs kubectl against a kubeconfig file, with its discovery cache in `cacheDir`. */
export function runKubectl(kubectl: string, kubeconfig: string, cacheDir: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(kubectl, [...args, '--request-timeout=10s', `--cache-dir=${cacheDir}`], {
    env: { ...process.env, KUBECONFIG: kubeconfig, CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1' },
    timeout: 30_000,
  });
}

/** kubectl's table output as rows of cells (columns are at least three spaces apart, cells hold at most one). */
export function tableRows(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}
