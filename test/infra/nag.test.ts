import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type App, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/load.js';
import type { ShepherdConfig } from '../../config/types.js';
import { createShepherdApp } from '../../infra/shepherd-app.js';

const root = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const cdkContext = JSON.parse(readFileSync(root('cdk.json'), 'utf8')).context as Record<string, unknown>;
const example = (): ShepherdConfig => loadConfigFile(root('shepherd.config.json'));
const outdirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-synth-'));
  outdirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** The real app (cdk.json flags, cdk-nag plugin) without bundling; template validation is left to the CLI run below. */
function exampleApp(outdir: string) {
  return createShepherdApp(example(), { context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, outdir, builtinCloudFormationValidation: false });
}

interface ValidationReport {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; severity: string }[] }[];
}
const readReport = (dir: string): ValidationReport => JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8'));

/** Every acknowledged rule id in the app, with its reason. */
function acknowledgements(app: App): Map<string, string> {
  const found = new Map<string, string>();
  for (const c of app.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) found.set(id.replace(/^annotation::/i, ''), reason);
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions on the shepherd app', () => {
  it('synthesizes the example app with no finding left unacknowledged', () => {
    const outdir = tempDir();
    const { app } = exampleApp(outdir);
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.severity} ${v.ruleName}`))).toEqual([]);
  });

  it('acknowledges exactly the findings the app raises, each with a reason', () => {
    const { app } = exampleApp(tempDir());
    // A pack that ignores acknowledgements lists what the app would raise without them.
    const raw = new AwsSolutionsChecks();
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = new Set(raw.validateScope(app).violations.map((v) => v.ruleName));
    const acknowledged = acknowledgements(app);
    expect([...acknowledged.keys()].sort()).toEqual([...findings].sort());
    expect(findings).toContain('AwsSolutions-L1');
    expect([...findings].filter((id) => id.startsWith('AwsSolutions-IAM5['))).not.toHaveLength(0);
    for (const [id, reason] of acknowledged) expect(reason.length, `reason of ${id}`).toBeGreaterThan(40);
  });

  it('fails synthesis, naming the rule, when a new wildcard comes without an acknowledgement', () => {
    const outdir = tempDir();
    const { app, stack } = exampleApp(outdir);
    stack.functions.validate.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shepherd-test/*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::shepherd-test\/\*\]/);
    const failed = readReport(outdir).pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(failed?.conclusion).toBe('failure');
    expect(failed?.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::shepherd-test/*]']);
  });
});

describe('npx cdk synth', () => {
  it('synthesizes offline with the example config: bundles ES modules with the require/__dirname banner and the config baked in', async () => {
    const outdir = tempDir();
    // cdk.json turns off notices and telemetry (both network calls); no account context, so nothing is looked up.
    const { stderr } = await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
      cwd: root(''),
      env: { ...process.env, SHEPHERD_CONFIG_FILE: root('shepherd.config.json') },
      // Six bundles, one of them the 71 MB GCE function: about 1.5 minutes on a busy 2-core machine.
      timeout: 240_000,
    });
    expect(stderr).not.toMatch(/AwsSolutions-/);
    const template = JSON.parse(readFileSync(join(outdir, 'shepherd-kosmos-demo.template.json'), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeGreaterThan(10);
    expect(readReport(outdir).pluginReports.flatMap((r) => r.violations.filter((v) => v.severity === 'error'))).toEqual([]);

    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    // validate-input, claims, cluster-nodes, claim-cleanup, heal-node, the cluster watcher, the heal intake, the
    // orphan collector and one function per provider the example's pools use (aws, gcp, scaleway).
    expect(assets).toHaveLength(12);
    const expected = JSON.stringify(JSON.stringify(example()));
    for (const asset of assets) {
      const bundle = readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __shepherdRequire } from 'node:module';")).toBe(true);
      expect(bundle.slice(0, 400)).toContain('const __dirname = ');
      expect(existsSync(join(outdir, asset, 'index.js'))).toBe(false);
      // esbuild may re-quote the string literal; the config text itself must be there, escaped once.
      expect(bundle.includes(expected) || bundle.includes(`'${JSON.stringify(example())}'`), `${asset} lacks the baked config`).toBe(true);
    }
  }, 270_000);
});
