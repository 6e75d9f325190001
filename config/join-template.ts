/** The `{{name}}` placeholders a script-join template may use (config-shape.md); the config and the renderer share them. */
export const JOIN_TEMPLATE_PLACEHOLDERS = ['apiServerEndpoint', 'joinToken', 'arch', 'nodeName', 'labels', 'pool'] as const;

export type JoinTemplatePlaceholder = (typeof JOIN_TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Every placeholder name a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1]))];
}

export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = JOIN_TEMPLATE_PLACEHOLDERS;
  return templatePlaceholders(template).filter((name) => !known.includes(name));
}

/** Replaces each placeholder with `value(name)`; the caller has checked that every name is known. */
export function fillTemplate(template: string, value: (name: JoinTemplatePlaceholder) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => value(name as JoinTemplatePlaceholder));
}
