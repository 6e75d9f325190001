import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../tools/docs/generate.js';
import { ROOT } from '../../tools/docs/synth-template.js';

describe('Function: generatedDocs (docs/ is up to date)', () => {
  const docs = generatedDocs();

  it.each(Object.keys(docs))('%s matches what `npm run docs` generates now', (path) => {
    const committed = readFileSync(join(ROOT, path), 'utf8');
    expect(committed === docs[path], `${path} is stale: run \`npm run docs\` and commit the result`).toBe(true);
  });

  it('draws every state machine of the stack, ProvisionNode among them', () => {
    expect(docs['docs/workflows.md']).toContain('## shepherd-kosmos-demo-provision-node');
    expect(docs['docs/workflows.md']).toContain('```mermaid\nflowchart TD');
  });
});
