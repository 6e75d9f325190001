import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { LocalEndpointsFile } from '../local/endpoints-file.js';
import { CommandError } from './errors.js';

/** The endpoints file as `shepherd local` writes it (the writer owns the format). */
export type LocalEndpoints = LocalEndpointsFile;

/** Where `shepherd local` writes its endpoints file unless told otherwise (relative to the working directory). */
export const DEFAULT_LOCAL_ENDPOINTS_FILE = '.shepherd/local.json';

const url = z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL');

const localEndpointsSchema: z.ZodType<LocalEndpoints> = z.object({
  ready: z.literal(true),
  endpoints: z.object({
    stepfunctions: url,
    dynamodb: url,
    eventbridge: url,
    secretsmanager: url,
    ssm: url.optional(),
    ec2: url.optional(),
    kube: url.optional(),
    gce: url.optional(),
    scaleway: url.optional(),
    cloudflare: url.optional(),
    chaos: url.optional(),
  }),
  region: z.string().min(1),
  credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }),
  tableName: z.string().min(1).optional(),
  chaosToken: z.string().min(1).optional(),
  kubeconfig: z.string().min(1).optional(),
  configFile: z.string().min(1).optional(),
  pid: z.number().int().positive().optional(),
});

/** The endpoints file's path: --endpoints, else env SHEPHERD_LOCAL_ENDPOINTS, else .shepherd/local.json. */
export function localEndpointsPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.SHEPHERD_LOCAL_ENDPOINTS || DEFAULT_LOCAL_ENDPOINTS_FILE;
}

/** Reads and checks the endpoints file; paths in it come back absolute. */
export function readLocalEndpoints(path: string): LocalEndpoints {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new CommandError(`cannot read the local endpoints file ${path} (${code}); start the local control plane with \`shepherd local --endpoints ${path}\``);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Written last thing by `shepherd local`; unparsable means it is being written or was cut short.
    throw new CommandError(`the local endpoints file ${path} is not valid JSON; is \`shepherd local\` still starting?`);
  }
  if ((raw as { ready?: unknown })?.ready !== true) {
    throw new CommandError(`the local control plane is not ready yet (${path} has no "ready": true); wait for \`shepherd local\` to print its endpoints`);
  }
  const parsed = localEndpointsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CommandError(`the local endpoints file ${path} is not in the expected shape:\n  ${problems.join('\n  ')}`);
  }
  if (parsed.data.pid !== undefined && !processRuns(parsed.data.pid)) {
    throw new CommandError(
      `the local control plane that wrote ${path} (pid ${parsed.data.pid}) is no longer running; start it again with \`shepherd local\`, or delete the stale file`,
    );
  }
  const base = dirname(resolve(path));
  const file = parsed.data;
  return {
    ...file,
    ...(file.kubeconfig ? { kubeconfig: resolve(base, file.kubeconfig) } : {}),
    ...(file.configFile ? { configFile: resolve(base, file.configFile) } : {}),
  };
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
