import type { Plugin } from 'esbuild';

export declare const SCHEMA_MODULE: RegExp;
export declare function literalSchemaKeys(source: string): { contents: string; replaced: number };
export declare const literalSchemaKeysPlugin: Plugin;
