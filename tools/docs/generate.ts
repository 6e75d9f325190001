import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shepherdConfigShape } from '../../config/schema.js';
import { CONFIG_DOC, configDoc, inputJsonSchema } from './config-doc.js';
import { EVENTS_DOC, eventsDoc } from './events-doc.js';
import { formatMarkdown } from './format-markdown.js';
import { ROOT, synthesizedTemplate } from './synth-template.js';
import { stateMachineDefinitions } from './template-asl.js';
import { WORKFLOWS_DOC, workflowsDoc } from './workflows-doc.js';

/** The generated documents by path from the repository root, formatted as biome formats them. */
export function generatedDocs(): Record<string, string> {
  const docs = {
    [WORKFLOWS_DOC]: workflowsDoc(stateMachineDefinitions(synthesizedTemplate())),
    [CONFIG_DOC]: configDoc(inputJsonSchema(shepherdConfigShape)),
    [EVENTS_DOC]: eventsDoc(),
  };
  return Object.fromEntries(Object.entries(docs).map(([path, text]) => [path, formatMarkdown(ROOT, path, text)]));
}

// `npm run docs` writes them.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, text] of Object.entries(generatedDocs())) {
    writeFileSync(join(ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
