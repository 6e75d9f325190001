import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WATCHER_DETAIL_SCHEMAS } from '../../functions/decisions/watcher/event-schemas.js';
import { WATCHER_DETAIL_TYPES, type WatcherEventKind } from '../../functions/decisions/watcher/event-types.js';
import { detailJsonSchema, EVENTS_DOC, OTHER_EVENTS, otherDetailJsonSchema } from '../../tools/docs/events-doc.js';

/** The event catalog (docs/events.md) and the code agree: the same detail-types, each with the schema the code has. */
describe('Function: eventsDoc (the event catalog)', () => {
  const committed = readFileSync(EVENTS_DOC, 'utf8');
  const sections = new Map(
    committed
      .split(/^## /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')).trim(), s] as const),
  );

  it('lists exactly the detail-types the watcher and the other publishers publish', () => {
    expect([...sections.keys()].sort()).toEqual([...Object.values(WATCHER_DETAIL_TYPES), ...OTHER_EVENTS.map((e) => e.detailType)].sort());
  });

  it.each(OTHER_EVENTS.map((e) => e.detailType))('%s: the committed JSON schema is the one the code validates with, with its source', (detailType) => {
    const section = sections.get(detailType) ?? '';
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(JSON.parse(json as string)).toEqual(otherDetailJsonSchema(detailType));
    expect(section).toContain(`Source \`${OTHER_EVENTS.find((e) => e.detailType === detailType)?.source}\``);
  });

  it.each(Object.keys(WATCHER_DETAIL_TYPES) as WatcherEventKind[])('%s: the committed JSON schema is the one the code validates with', (kind) => {
    const section = sections.get(WATCHER_DETAIL_TYPES[kind]) ?? '';
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(json, `${WATCHER_DETAIL_TYPES[kind]} has no JSON schema in ${EVENTS_DOC}`).toBeTruthy();
    expect(JSON.parse(json as string)).toEqual(detailJsonSchema(kind));
    expect(WATCHER_DETAIL_SCHEMAS[kind].description).toBeTruthy();
  });
});
