import { loadConfigFile } from '../../config/load.js';
import { parseSecretRef } from '../../config/secret-ref.js';
import { helpOption, parseCommandArgs } from '../args.js';
import { requireCredentials, secretsManagerClient, ssmClient } from '../aws-clients.js';
import { type CliContext, processContext } from '../context.js';
import { UsageError } from '../errors.js';
import { localOptions, localTarget } from '../local-target.js';
import { createCommand, updateCommand } from '../secrets/create-command.js';
import { type ConfiguredSecret, configuredSecrets } from '../secrets/secret-inventory.js';
import { readSecret, regionOf, type SecretClients } from '../secrets/secret-reader.js';

export const summary = 'check that the secrets the config names exist and have the shape the functions read';

export const usage = `usage: shepherd secrets check [--local [--endpoints PATH]] [--config PATH]

  --local            check the local control plane's secrets (\`shepherd local\`)
  --endpoints PATH   its endpoints file, implies --local (default: env SHEPHERD_LOCAL_ENDPOINTS,
                     else .shepherd/local.json)
  --config PATH      the shepherd config (default: the local control plane's, env SHEPHERD_CONFIG_FILE,
                     else ./shepherd.config.json)

Reads every secret the config names (SSM SecureString parameters and Secrets Manager secrets, each in the region
its ARN names, with the default AWS credential chain) and parses it as the function that reads it does. Prints one
line per secret, OK or the problem and the command that fixes it; never a secret's value.
Exit code: 0 when every secret is OK, 1 when one is missing or unusable.`;

const options = { ...helpOption, ...localOptions, config: { type: 'string' } } as const;

type Verdict = { status: 'OK' } | { status: 'MISSING' | 'INVALID'; problem: string; fix: string };

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 1);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals[0] !== 'check')
    throw new UsageError(positionals[0] === undefined ? 'say what to do: check' : `unknown subcommand ${JSON.stringify(positionals[0])}`);
  const local = localTarget(values, ctx.env);
  const config = loadConfigFile(values.config || local?.configFile || ctx.env.SHEPHERD_CONFIG_FILE || undefined);
  const secrets = configuredSecrets(config);

  const created = new Map<string, { destroy(): void }>();
  const cached = <C extends { destroy(): void }>(key: string, make: () => C): C => {
    if (!created.has(key)) created.set(key, make());
    return created.get(key) as C;
  };
  const clients: SecretClients = {
    ssm: (region) => cached(`ssm:${region}`, () => ssmClient(region, local)),
    secretsManager: (region) => cached(`secretsmanager:${region}`, () => secretsManagerClient(region, local)),
  };
  try {
    // Every client of a deployed check uses the default credential chain: one resolution says whether there are any.
    if (!local && secrets.length > 0) await requireCredentials(clients.ssm(regionOf(secrets[0].arn)));
    const verdicts = await Promise.all(secrets.map((s) => check(s, clients)));
    const width = Math.max(...verdicts.map((v) => v.status.length));
    for (const [i, secret] of secrets.entries()) ctx.stdout(`${line(secret, verdicts[i], width)}\n`);
    const failed = verdicts.filter((v) => v.status !== 'OK');
    const counts = (['MISSING', 'INVALID'] as const).map((s) => [s, failed.filter((v) => v.status === s).length] as const).filter(([, n]) => n > 0);
    ctx.stdout(
      `${secrets.length} secret${secrets.length === 1 ? '' : 's'}: ${secrets.length - failed.length} OK${counts.map(([s, n]) => `, ${n} ${s.toLowerCase()}`).join('')}\n`,
    );
    return failed.length > 0 ? 1 : 0;
  } finally {
    for (const c of created.values()) c.destroy();
  }
}

async function check(secret: ConfiguredSecret, clients: SecretClients): Promise<Verdict> {
  const read = await readSecret(secret.arn, clients);
  if (read.kind === 'missing')
    return { status: 'MISSING', problem: 'does not exist', fix: `create it: ${createCommand(secret.arn, secret.shape.valuePlaceholder)}` };
  if (read.kind === 'unusable') return { status: 'INVALID', problem: read.problem, fix: read.fix };
  const problem = secret.shape.check(read.value, secret.arn);
  return problem === undefined
    ? { status: 'OK' }
    : { status: 'INVALID', problem, fix: `put a corrected value: ${updateCommand(secret.arn, secret.shape.valuePlaceholder)}` };
}

/** `OK  parameter /a/b: what it is, named by <field>, read by <functions>`, or the problem and its fix in place of the readers. */
function line(secret: ConfiguredSecret, verdict: Verdict, width: number): string {
  const ref = parseSecretRef(secret.arn);
  const name = ref?.kind === 'ssm-parameter' ? `parameter ${ref.name}` : `secret ${secret.arn}`;
  const fields = secret.fields.length > 1 ? `${secret.fields[0]} and ${secret.fields.length - 1} more` : secret.fields[0];
  const head = `${verdict.status.padEnd(width)}  ${name}: ${secret.shape.what}, named by ${fields}`;
  if (verdict.status !== 'OK') return `${head}: ${verdict.problem}; ${verdict.fix}`;
  return `${head}, read by ${secret.readBy.length > 0 ? secret.readBy.join(', ') : 'no function of the stack yet'}`;
}
