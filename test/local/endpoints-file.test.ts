import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalEndpointsFile } from '../../local/endpoints-file.js';
import { writeEndpointsFile } from '../../local/run-local.js';

describe('Function: writeEndpointsFile', () => {
  it('leaves the file (which holds the chaos token) readable by its owner alone, even over a world-readable one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'shepherd-endpoints-')), 'local.json');
    writeFileSync(path, '{}', { mode: 0o644 });
    const file: LocalEndpointsFile = {
      ready: true,
      endpoints: {
        stepfunctions: 'http://127.0.0.1:1',
        dynamodb: 'http://127.0.0.1:2',
        eventbridge: 'http://127.0.0.1:1',
        secretsmanager: 'http://127.0.0.1:1',
        chaos: 'http://127.0.0.1:3',
      },
      region: 'eu-west-3',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      chaosToken: 'secret-token',
    };
    await writeEndpointsFile(path, file);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(file);
  });
});
