import type { AslDefinition, AslState } from './asl-types.js';
import { choiceRuleText } from './choice-rule.js';

/**
 * A Mermaid flowchart of an ASL definition. Tasks are rectangles, Choices rhombi (edges labelled with their
 * conditions, "default" for Default), Pass parallelograms, Waits hexagons, Succeed and Fail coloured stadiums; Map and
 * Parallel states are subgraphs holding their item processor or branches; Catch edges are dashed and labelled with
 * the errors they catch. Node ids are numbered in definition order, so the same definition gives the same text.
 */
export function mermaidFlowchart(definition: AslDefinition): string {
  return new FlowchartWriter().write(definition);
}

const CLASSES = [
  'classDef terminal fill:#444,stroke:#444,color:#fff',
  'classDef succeed fill:#d9f2dc,stroke:#2e7d32',
  'classDef fail fill:#fbdada,stroke:#c62828',
];

interface Scope {
  prefix: string;
  definition: AslDefinition;
  /** State name -> node or subgraph id, for this scope's states. */
  ids: Map<string, string>;
}

class FlowchartWriter {
  private readonly lines: string[] = [];
  private readonly edges: string[] = [];
  private counter = 0;

  write(definition: AslDefinition): string {
    this.lines.push('flowchart TD');
    this.scope(definition, '', '  ', { start: 'Start', end: 'End' });
    return [...this.lines, ...this.edges.map((e) => `  ${e}`), ...CLASSES.map((c) => `  ${c}`)].join('\n');
  }

  /** Declares a scope's start and end markers and its states (recursing into subgraphs), and queues its edges. */
  private scope(definition: AslDefinition, prefix: string, indent: string, marker: { start: string; end: string }): void {
    const ids = new Map(Object.keys(definition.States).map((name) => [name, `${prefix}s${++this.counter}`]));
    const scope: Scope = { prefix, definition, ids };
    const start = `${prefix}start`;
    this.lines.push(`${indent}${start}((${marker.start})):::terminal`);
    this.edges.push(`${start} --> ${this.target(scope, definition.StartAt)}`);
    let endUsed = false;
    for (const [name, state] of Object.entries(definition.States)) {
      this.state(scope, name, state, indent);
      if (state.End) {
        this.edges.push(`${ids.get(name)} --> ${prefix}stop`);
        endUsed = true;
      }
    }
    // `end` is a Mermaid keyword (it closes a subgraph), so the end marker is `stop`.
    if (endUsed) this.lines.push(`${indent}${prefix}stop((${marker.end})):::terminal`);
  }

  private state(scope: Scope, name: string, state: AslState, indent: string): void {
    const id = scope.ids.get(name)!;
    const processor = state.ItemProcessor ?? state.Iterator;
    if (state.Type === 'Map' && processor) {
      this.lines.push(`${indent}subgraph ${id}["${label([`Map: ${name}`, mapDetail(state)])}"]`);
      this.scope(processor, `${id}_`, `${indent}  `, { start: 'item', end: 'done' });
      this.lines.push(`${indent}end`);
    } else if (state.Type === 'Parallel' && state.Branches) {
      this.lines.push(`${indent}subgraph ${id}["${label([`Parallel: ${name}`])}"]`);
      state.Branches.forEach((branch, i) => {
        this.lines.push(`${indent}  subgraph ${id}_b${i + 1}["${label([`branch ${i + 1}`])}"]`);
        this.scope(branch, `${id}_b${i + 1}_`, `${indent}    `, { start: 'start', end: 'done' });
        this.lines.push(`${indent}  end`);
      });
      this.lines.push(`${indent}end`);
    } else {
      this.lines.push(`${indent}${id}${shape(state, label([name, detail(state)]))}`);
    }
    if (state.Next) this.edges.push(`${id} --> ${this.target(scope, state.Next)}`);
    for (const choice of state.Choices ?? []) {
      if (choice.Next) this.edges.push(`${id} -->|"${label([choiceRuleText(choice)])}"| ${this.target(scope, choice.Next)}`);
    }
    if (state.Default) this.edges.push(`${id} -->|"default"| ${this.target(scope, state.Default)}`);
    for (const c of state.Catch ?? []) this.edges.push(`${id} -.->|"${label([c.ErrorEquals.join(', ')])}"| ${this.target(scope, c.Next)}`);
  }

  private target(scope: Scope, name: string): string {
    const id = scope.ids.get(name);
    if (!id) throw new DiagramError(`state "${name}" is not defined in its scope`);
    return id;
  }
}

/** A definition refers to a state it does not define. */
export class DiagramError extends Error {
  override name = 'DiagramError';
}

function shape(state: AslState, text: string): string {
  switch (state.Type) {
    case 'Choice':
      return `{"${text}"}`;
    case 'Pass':
      return `[/"${text}"/]`;
    case 'Wait':
      return `{{"${text}"}}`;
    case 'Succeed':
      return `(["${text}"]):::succeed`;
    case 'Fail':
      return `(["${text}"]):::fail`;
    default:
      return `["${text}"]`;
  }
}

/** The second line of a state's box: what a Task calls, how long a Wait waits, what a Fail reports. */
function detail(state: AslState): string | undefined {
  switch (state.Type) {
    case 'Task':
      return taskTarget(state);
    case 'Wait':
      if (state.Seconds !== undefined) return `wait ${state.Seconds} s`;
      if (state.SecondsPath) return `wait ${state.SecondsPath} s`;
      return `until ${state.Timestamp ?? state.TimestampPath ?? '?'}`;
    case 'Fail':
      return state.Error ?? state.ErrorPath;
    default:
      return undefined;
  }
}

/** `λ CloudVms` for a Lambda function (direct ARN or lambda:invoke), else the service action, e.g. `states:startExecution.sync:2`. */
function taskTarget(state: AslState): string | undefined {
  const resource = state.Resource ?? '';
  const integration = /^arn:aws[^:]*:states:::(.+)$/.exec(resource)?.[1];
  const fn = integration?.startsWith('lambda:invoke') ? String(state.Parameters?.FunctionName ?? state.Parameters?.['FunctionName.$'] ?? '') : resource;
  const functionName = /:function:([^:]+)/.exec(fn)?.[1];
  if (functionName) return `λ ${functionName}`;
  return integration;
}

function mapDetail(state: AslState): string {
  const parts = [`each item of ${state.ItemsPath ?? '$'}`];
  if (state.MaxConcurrencyPath) parts.push(`at most ${state.MaxConcurrencyPath} at a time`);
  else if (state.MaxConcurrency) parts.push(`at most ${state.MaxConcurrency} at a time`);
  return parts.join(', ');
}

/** Lines of a label, escaped with Mermaid's entity codes so quotes and brackets stay text. */
function label(lines: (string | undefined)[]): string {
  return lines
    .filter((l): l is string => l !== undefined && l !== '')
    .map((l) => l.replaceAll('#', '#35;').replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;'))
    .join('<br/>');
}
