import { parseCommandArgs } from '../args.js';
import { type CliContext, processContext } from '../context.js';
import { changeSwitch, describeSwitch, switchOptions, switchOptionsUsage } from '../remediation-switch.js';

export const summary = 'stop all automatic remediation (healing) until `shepherd resume`';

export const usage = `usage: shepherd pause [--reason TEXT] [--local [--endpoints PATH]] [--table NAME] [--by NAME] [--json]

Sets the pause switch in the table: no heal deletes, drains or replaces anything while it is set.
Pausing what is already paused keeps the first pause (who, since when, why) and says so.

  --reason TEXT      why, recorded with who and when (default: "no reason given")
${switchOptionsUsage}`;

const options = { ...switchOptions, reason: { type: 'string' } } as const;

const DEFAULT_REASON = 'no reason given';

export async function run(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const { values } = parseCommandArgs(argv, options);
  if (values.help) {
    ctx.stdout(`${usage}\n`);
    return 0;
  }
  const reason = values.reason?.trim().slice(0, 1000) || DEFAULT_REASON;
  const out = await changeSwitch(values, ctx, (store, by) => store.pause(by, reason));
  if (values.json) ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
  else if (out.changed) ctx.stdout(`${describeSwitch(out.state)}\nNo remediation starts until \`shepherd resume\`.\n`);
  else ctx.stdout(`${describeSwitch(out.state)}\nAlready paused: the first pause is kept, this one was not recorded.\n`);
  return 0;
}
