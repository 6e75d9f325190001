import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shepherdConfigShape } from '../../config/schema.js';
import { CONFIG_DOC, configDoc, inputJsonSchema } from './config-doc.js';
import { ROOT, synthesizedTemplate } from './synth-template.js';
import { stateMachineDefinitions } from './template-asl.js';
import { WORKFLOWS_DOC, workflowsDoc } from './workflows-doc.js';

/** The generated documents by path from the repository root. */
export function generatedDocs(): Record<string, string> {
  return {
    [WORKFLOWS_DOC]: workflowsDoc(stateMachineDefinitions(synthesizedTemplate())),
    [CONFIG_DOC]: configDoc(inputJsonSchema(shepherdConfigShape)),
  };
}

// `npm run docs` writes them.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  for (const [path, text] of Object.entries(generatedDocs())) {
    writeFileSync(join(ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
