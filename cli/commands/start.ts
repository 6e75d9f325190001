import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { helpOption, parseCommandArgs } from '../args.js';
import { stepFunctionsClient } from '../aws-clients.js';
import { type CliContext, processContext } from '../context.js';
import { UsageError } from '../errors.js';
import { followExecution } from '../follow-execution.js';
import { readJsonArgument } from '../json-input.js';
import { localOptions, localTarget } from '../local-target.js';
import { listStateMachines } from '../state-machines.js';
import { matchStateMachine } from '../workflow-match.js';

export const summary = 'start a workflow execution and follow it to the end';

export const usage = `usage: shepherd start <workflow> --input FILE|JSON [--local [--endpoints PATH]] [--name NAME] [--no-wait | --verbose]

  <workflow>         a workflow name such as provision-node (matched against the deployed state
                     machines' names, case and dashes ignored), or a state machine ARN
  --input FILE|JSON  the execution input: a JSON file, or inline JSON starting with { or [
  --local            use the local control plane (\`shepherd local\`) instead of AWS
  --endpoints PATH   its endpoints file, implies --local (default: env SHEPHERD_LOCAL_ENDPOINTS,
                     else .shepherd/local.json)
  --name NAME        the execution name (default: generated); a name already used is refused
  --no-wait          print the execution ARN and return without following it
                     (follow it later with \`shepherd watch\`)
  --verbose          print every state entered and exited, and the output, instead of one line
                     per node and phase

Without --local, AWS credentials and region come from the default chain (AWS_REGION, AWS_PROFILE, ...).
Ctrl-C stops following; the execution goes on.
Exit code: 0 when the execution SUCCEEDED (or with --no-wait once started), 1 otherwise.`;

const options = {
  ...helpOption,
  ...localOptions,
  input: { type: 'string' },
  name: { type: 'string' },
  'no-wait': { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 1);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const workflow = positionals[0];
  if (!workflow) throw new UsageError('missing <workflow>');
  if (values.input === undefined) throw new UsageError('missing --input FILE|JSON');
  if (values['no-wait'] && values.verbose) throw new UsageError('--no-wait and --verbose exclude each other');
  const input = readJsonArgument('--input', values.input);
  const local = localTarget(values, ctx.env);
  const sfn = stepFunctionsClient(local);
  try {
    const stateMachineArn = await resolveStateMachine(sfn, workflow);
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: input.json, name: values.name }));
    const executionArn = started.executionArn!;
    ctx.stdout(`started ${executionArn}\n`);
    if (values['no-wait']) return 0;
    return await followExecution(sfn, executionArn, ctx, { verbose: values.verbose });
  } finally {
    sfn.destroy();
  }
}

async function resolveStateMachine(sfn: SFNClient, workflow: string): Promise<string> {
  if (workflow.startsWith('arn:')) return workflow;
  return matchStateMachine(workflow, await listStateMachines(sfn)).stateMachineArn;
}
