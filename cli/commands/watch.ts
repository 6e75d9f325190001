import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { helpOption, parseCommandArgs } from '../args.js';
import { stepFunctionsClient } from '../aws-clients.js';
import { type CliContext, processContext } from '../context.js';
import { CommandError, UsageError } from '../errors.js';
import { followExecution } from '../follow-execution.js';
import { localOptions, localTarget } from '../local-target.js';
import { shepherdStateMachines } from '../state-machines.js';

export const summary = 'follow a running or finished execution (re-attach after --no-wait or Ctrl-C)';

export const usage = `usage: shepherd watch <execution> [--local [--endpoints PATH]] [--verbose]

  <execution>        an execution ARN, or an execution name (as \`shepherd executions\` lists it)
  --local            use the local control plane (\`shepherd local\`) instead of AWS
  --endpoints PATH   its endpoints file, implies --local
  --verbose          print every state entered and exited, and the output

A finished execution is replayed from its history. Ctrl-C stops following; the execution goes on.
Exit code: 0 when the execution SUCCEEDED, 1 otherwise.`;

const options = { ...helpOption, ...localOptions, verbose: { type: 'boolean' } } as const;

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 1);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const execution = positionals[0];
  if (!execution) throw new UsageError('missing <execution> (an ARN or a name; `shepherd executions` lists them)');
  const sfn = stepFunctionsClient(localTarget(values, ctx.env));
  try {
    const executionArn = execution.startsWith('arn:') ? execution : await executionNamed(sfn, execution);
    ctx.stdout(`watching ${executionArn}\n`);
    return await followExecution(sfn, executionArn, ctx, { verbose: values.verbose });
  } finally {
    sfn.destroy();
  }
}

/** The ARN of the execution with this name, looked up in each of shepherd's state machines (names are unique per machine). */
async function executionNamed(sfn: SFNClient, name: string): Promise<string> {
  const found: string[] = [];
  for (const machine of await shepherdStateMachines(sfn)) {
    const executionArn = `${machine.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      await sfn.send(new DescribeExecutionCommand({ executionArn }));
      found.push(executionArn);
    } catch (err) {
      if (!(err instanceof ExecutionDoesNotExist)) throw err;
    }
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new CommandError(`no execution named "${name}" in shepherd's state machines; \`shepherd executions\` lists them`);
  throw new CommandError(`several executions are named "${name}" (${found.join(', ')}); pass the ARN`);
}
