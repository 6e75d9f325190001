import type { EventBridgeEvent, RuleTargetSpec } from '../types.js';
import { queryPath } from './json-path.js';

export interface RuleIdentity {
  name: string;
  arn: string;
}

/**
 * The text EventBridge sends a target for an event: Input (constant), InputPath (part of the
 * event), InputTransformer (template filled from the event), or else the whole event.
 */
export function targetInput(target: RuleTargetSpec, event: EventBridgeEvent, rule: RuleIdentity, ingestionTime: string): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(queryPath(event, target.inputPath) ?? null);
  if (!target.inputTransformer) return JSON.stringify(event);
  const { detail: _detail, ...withoutDetail } = event;
  const vars = new Map<string, unknown>([
    ['aws.events.rule-arn', rule.arn],
    ['aws.events.rule-name', rule.name],
    ['aws.events.event.ingestion-time', ingestionTime],
    ['aws.events.event', withoutDetail],
    ['aws.events.event.json', event],
  ]);
  for (const [name, path] of Object.entries(target.inputTransformer.inputPathsMap)) vars.set(name, queryPath(event, path));
  return fillTemplate(target.inputTransformer.inputTemplate, vars);
}

/**
 * Fills `<variable>` placeholders. In a JSON template, a string value placed outside quotes gets
 * quotes; inside quotes it goes in as is (EventBridge does not escape it), and an object or array
 * there loses its inner quotes. A path that matched nothing gives an empty string inside quotes and
 * null outside. A template that is not JSON (plain text) gets values as they are.
 */
export function fillTemplate(template: string, vars: Map<string, unknown>): string {
  const jsonTemplate = /^\s*[[{"]/.test(template);
  const placeholder = /<([A-Za-z0-9_.-]+)>/y;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; ) {
    const c = template[i];
    if (c === '"' && !escaped(template, i)) inString = !inString;
    placeholder.lastIndex = i;
    const m = c === '<' ? placeholder.exec(template) : null;
    if (m && vars.has(m[1])) {
      out += render(vars.get(m[1]), jsonTemplate && !inString);
      i = placeholder.lastIndex;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function render(value: unknown, asJson: boolean): string {
  if (asJson) return value === undefined ? 'null' : JSON.stringify(value);
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value).replaceAll('"', '');
  return String(value);
}

function escaped(s: string, i: number): boolean {
  let backslashes = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) backslashes++;
  return backslashes % 2 === 1;
}
