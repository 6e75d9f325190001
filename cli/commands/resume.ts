import { parseCommandArgs } from '../args.js';
import { type CliContext, processContext } from '../context.js';
import { changeSwitch, switchOptions, switchOptionsUsage } from '../remediation-switch.js';

export const summary = 'let automatic remediation (healing) act again after `shepherd pause`';

export const usage = `usage: shepherd resume [--local [--endpoints PATH]] [--table NAME] [--by NAME] [--json]

Clears the pause switch in the table; resuming what is not paused changes nothing and says so.

${switchOptionsUsage}`;

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values } = parseCommandArgs(argv, switchOptions);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const out = await changeSwitch(values, ctx, (store, by) => store.resume(by));
  if (values.json) ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
  else if (out.changed && !out.state.paused) ctx.stdout(`Remediation: active (resumed by ${out.state.resumedBy})\n`);
  else ctx.stdout('Remediation: active\nIt was not paused: nothing changed.\n');
  return 0;
}
