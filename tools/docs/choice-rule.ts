import type { ChoiceRule } from './asl-types.js';

/** Comparison operators by the suffix of their ASL name (StringEquals, NumericLessThanPath, ...). */
const OPERATORS: [suffix: string, text: string][] = [
  ['GreaterThanEquals', '>='],
  ['LessThanEquals', '<='],
  ['GreaterThan', '>'],
  ['LessThan', '<'],
  ['Equals', '=='],
  ['Matches', 'matches'],
];

const TYPE_TESTS: Record<string, string> = {
  IsPresent: 'present',
  IsNull: 'null',
  IsString: 'a string',
  IsNumeric: 'a number',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

/** A Choice rule as a short expression: `$.node.ready == true`, `$.a >= $.b`, `not ($.x is present)`, `(p and q)`. */
export function choiceRuleText(rule: ChoiceRule): string {
  if (rule.And) return `(${rule.And.map(choiceRuleText).join(' and ')})`;
  if (rule.Or) return `(${rule.Or.map(choiceRuleText).join(' or ')})`;
  if (rule.Not) return `not (${choiceRuleText(rule.Not)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  const variable = rule.Variable ?? '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key in TYPE_TESTS) return `${variable} is ${value === false ? 'not ' : ''}${TYPE_TESTS[key]}`;
    const isPath = key.endsWith('Path');
    const name = isPath ? key.slice(0, -'Path'.length) : key;
    const operator = OPERATORS.find(([suffix]) => name.endsWith(suffix) && /^(String|Numeric|Boolean|Timestamp)/.test(name));
    if (operator) return `${variable} ${operator[1]} ${isPath ? String(value) : JSON.stringify(value)}`;
  }
  return JSON.stringify(rule);
}
