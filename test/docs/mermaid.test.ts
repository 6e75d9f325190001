import { describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../tools/docs/asl-types.js';
import { choiceRuleText } from '../../tools/docs/choice-rule.js';
import { DiagramError, mermaidFlowchart } from '../../tools/docs/mermaid.js';

/** One of each state type, a Map with a dynamic concurrency, a Parallel with two branches, Catch rules. */
const definition: AslDefinition = {
  StartAt: 'Check "input"',
  States: {
    'Check "input"': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:<Region>:<AccountId>:function:ValidateInput',
      Next: 'Route',
      Catch: [{ ErrorEquals: ['InvalidInputError', 'States.Timeout'], Next: 'Rejected' }],
    },
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.kind', StringEquals: 'many', Next: 'Each slot' },
        { And: [{ Variable: '$.n', NumericGreaterThanEqualsPath: '$.max' }, { Not: { Variable: '$.force', IsPresent: true } }], Next: 'Rejected' },
      ],
      Default: 'Both',
    },
    'Each slot': {
      Type: 'Map',
      ItemsPath: '$.slots',
      MaxConcurrencyPath: '$.parallel',
      ItemProcessor: {
        StartAt: 'Launch',
        States: {
          Launch: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'arn:aws:lambda:<Region>:<AccountId>:function:CloudVms' },
            Next: 'Pause',
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Slot failed' }],
          },
          Pause: { Type: 'Wait', Seconds: 10, Next: 'Slot done' },
          'Slot done': { Type: 'Pass', End: true },
          'Slot failed': { Type: 'Pass', End: true },
        },
      },
      Next: 'Done',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rejected' }],
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Child', States: { Child: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', End: true } } },
        { StartAt: 'Until', States: { Until: { Type: 'Wait', TimestampPath: '$.at', End: true } } },
      ],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Rejected: { Type: 'Fail', Error: 'Rejected' },
  },
};

describe('Function: mermaidFlowchart', () => {
  const chart = mermaidFlowchart(definition);
  const lines = chart.split('\n').map((l) => l.trim());

  it('draws each state type in its own shape, with the function a Task invokes and how long a Wait waits', () => {
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('s1["Check #quot;input#quot;<br/>λ ValidateInput"]');
    expect(lines).toContain('s2{"Route"}');
    expect(lines).toContain('s3_s7["Launch<br/>λ CloudVms"]');
    expect(lines).toContain('s3_s8{{"Pause<br/>wait 10 s"}}');
    expect(lines).toContain('s3_s9[/"Slot done"/]');
    expect(lines).toContain('s5(["Done"]):::succeed');
    expect(lines).toContain('s6(["Rejected<br/>Rejected"]):::fail');
  });

  it('labels Choice edges with their conditions and the default, escaping what Mermaid would parse', () => {
    expect(lines).toContain('s2 -->|"$.kind == #quot;many#quot;"| s3');
    expect(lines).toContain('s2 -->|"($.n #gt;= $.max and not ($.force is present))"| s6');
    expect(lines).toContain('s2 -->|"default"| s4');
  });

  it('draws Catch rules as dashed edges labelled with the errors, from a Task or from a whole Map', () => {
    expect(lines).toContain('s1 -.->|"InvalidInputError, States.Timeout"| s6');
    expect(lines).toContain('s3_s7 -.->|"States.ALL"| s3_s10');
    expect(lines).toContain('s3 -.->|"States.ALL"| s6');
  });

  it('puts a Map item processor in a subgraph with its own start and end, and the Map edge leaves the subgraph', () => {
    const open = lines.indexOf('subgraph s3["Map: Each slot<br/>each item of $.slots, at most $.parallel at a time"]');
    const close = lines.indexOf('end', open);
    expect(open).toBeGreaterThan(0);
    expect(lines.slice(open, close)).toEqual(
      expect.arrayContaining(['s3_start((item)):::terminal', 's3_s7["Launch<br/>λ CloudVms"]', 's3_stop((done)):::terminal']),
    );
    expect(lines).toContain('s3_start --> s3_s7');
    expect(lines).toContain('s3_s9 --> s3_stop');
    expect(lines).toContain('s3 --> s5');
  });

  it('puts each Parallel branch in its own subgraph inside the Parallel one', () => {
    const open = lines.indexOf('subgraph s4["Parallel: Both"]');
    expect(open).toBeGreaterThan(0);
    expect(lines.slice(open)).toEqual(
      expect.arrayContaining(['subgraph s4_b1["branch 1"]', 's4_b1_s11["Child<br/>states:startExecution.sync:2"]', 'subgraph s4_b2["branch 2"]']),
    );
    expect(lines).toContain('s4_b2_s12{{"Until<br/>until $.at"}}');
    expect(lines).toContain('s4 --> s5');
  });

  it('starts at StartAt, ends End states at a marker whose id is no Mermaid keyword, and gives the same text for the same definition', () => {
    expect(lines).toContain('start --> s1');
    const machine = mermaidFlowchart({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } })
      .split('\n')
      .map((l) => l.trim());
    expect(machine).toEqual(expect.arrayContaining(['start((Start)):::terminal', 's1[/"A"/]', 'stop((End)):::terminal', 'start --> s1', 's1 --> stop']));
    expect(machine.filter((l) => l === 'end')).toEqual([]);
    expect(mermaidFlowchart(structuredClone(definition))).toBe(chart);
  });

  it('refuses a transition to a state its scope does not define', () => {
    expect(() => mermaidFlowchart({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } })).toThrow(DiagramError);
  });
});

describe('Function: choiceRuleText', () => {
  it.each([
    [{ Variable: '$.ready', BooleanEquals: true }, '$.ready == true'],
    [{ Variable: '$.n', NumericLessThan: 3 }, '$.n < 3'],
    [{ Variable: '$.t', TimestampGreaterThanPath: '$.deadline' }, '$.t > $.deadline'],
    [{ Variable: '$.name', StringMatches: 'web-*' }, '$.name matches "web-*"'],
    [{ Variable: '$.x', IsNull: false }, '$.x is not null'],
    [
      {
        Or: [
          { Variable: '$.a', IsString: true },
          { Variable: '$.b', NumericEquals: 0 },
        ],
      },
      '($.a is a string or $.b == 0)',
    ],
  ])('%j reads %s', (rule, text) => {
    expect(choiceRuleText(rule)).toBe(text);
  });
});
