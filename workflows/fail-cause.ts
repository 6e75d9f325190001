import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * The fail-cause convention, for every Fail state of every workflow. The Cause is one plain sentence (what failed,
 * for which node or pool, and what to do; no '{'), one space, then a JSON object with the details (per-node results,
 * error names; no stack traces, no nested escaped JSON, no secrets). A person reads the sentence in the console or
 * the CLI; a program splits the Cause at its first '{' and parses the rest.
 *
 *   failWithCause(scope, 'Removal failed', { error: 'RemoveFailed', sentence: sfn.JsonPath.format('...', ...), details: {...} })
 *
 * Errors caught from Lambda tasks carry the function's error as JSON with a stack trace: readError turns one into
 * `{ error, message }` first, and the details hold those. The functions keep their messages plain sentences
 * (functions/runtime/plain-message.ts).
 */

/** The Fail's Cause: the sentence, a space, the details as JSON (AWS allows these intrinsics in CausePath). */
const CAUSE = "States.Format('{} {}', $.sentence, States.JsonToString($.details))";

export interface FailCauseProps {
  /** The Fail's error name. */
  error: string;
  /** The sentence: literal text, or a JsonPath token (sfn.JsonPath.stringAt, sfn.JsonPath.format) that makes it. */
  sentence: string;
  /** The details, as Pass parameters: literal values, JsonPath tokens, or keys ending in '.$'. */
  details: Record<string, unknown>;
}

/** A Pass `Explain <name>` that gathers the sentence and the details, then the Fail `name` whose Cause joins them. */
export function failWithCause(scope: Construct, name: string, props: FailCauseProps): sfn.Chain {
  const explain = new sfn.Pass(scope, `Explain ${name.charAt(0).toLowerCase()}${name.slice(1)}`, {
    parameters: { sentence: props.sentence, details: props.details },
  });
  return explain.next(new sfn.Fail(scope, name, { error: props.error, causePath: CAUSE }));
}

/**
 * The error a Catch put at `from` (`{ Error, Cause }`) as `{ error, message }` at `to`. A Lambda function's Cause is
 * JSON (errorType, errorMessage and a stack trace): only its message is kept. Any other Cause (a Pass's sentence,
 * a Lambda service error's text) is the message as it is; none at all (a task timeout) gives the error name.
 * A Choice guards the parse: States.StringToJson on text that is not JSON would fail the execution.
 */
export function readError(scope: Construct, name: string, from: string, to: string): sfn.Chain {
  const cause = `${from}.Cause`;
  const parse = new sfn.Pass(scope, `${name}: parse`, {
    parameters: { 'error.$': `${from}.Error`, 'lambda.$': `States.StringToJson(${cause})` },
    resultPath: to,
  });
  const message = new sfn.Pass(scope, `${name}: message`, {
    parameters: { 'error.$': `${to}.error`, 'message.$': `${to}.lambda.errorMessage` },
    resultPath: to,
  });
  const text = new sfn.Pass(scope, `${name}: text`, { parameters: { 'error.$': `${from}.Error`, 'message.$': cause }, resultPath: to });
  const none = new sfn.Pass(scope, `${name}: none`, {
    parameters: { 'error.$': `${from}.Error`, 'message.$': `States.Format('{} (no message)', ${from}.Error)` },
    resultPath: to,
  });
  // Rules are tried in order, so the string tests never see a missing Cause.
  const choice = new sfn.Choice(scope, name)
    .when(sfn.Condition.not(sfn.Condition.isPresent(cause)), none)
    .when(sfn.Condition.stringEquals(cause, ''), none)
    .when(
      sfn.Condition.or(sfn.Condition.stringMatches(cause, '{"errorType":*"errorMessage":*'), sfn.Condition.stringMatches(cause, '{"errorMessage":*')),
      parse.next(message),
    )
    .otherwise(text);
  return sfn.Chain.custom(choice, choice.afterwards().endStates, choice);
}
