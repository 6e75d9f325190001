import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { healingEventSchemas } from '../../functions/decisions/healing/heal-event-schemas.js';
import { HEAL_DETAIL_TYPES } from '../../functions/decisions/healing/heal-events.js';
import { WATCHER_DETAIL_SCHEMAS } from '../../functions/decisions/watcher/event-schemas.js';
import { WATCHER_DETAIL_TYPES, type WatcherEventKind } from '../../functions/decisions/watcher/event-types.js';
import { ORPHAN_TERMINATED } from '../../functions/healing/orphan-collection.js';
import { detailJsonSchema, EVENTS_DOC, healingDetailJsonSchema, OTHER_EVENTS, otherDetailJsonSchema } from '../../tools/docs/events-doc.js';

/** The event catalog (docs/events.md) and the code agree: the same detail-types, each with the schema the code has. */
describe('Function: eventsDoc (the event catalog)', () => {
  const committed = readFileSync(EVENTS_DOC, 'utf8');
  const sections = new Map(
    committed
      .split(/^## /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')).trim(), s] as const),
  );

  const healing = healingEventSchemas();

  it('lists exactly the detail-types the watcher, HealNode, the orphan collector and the other publishers publish', () => {
    expect([...sections.keys()].sort()).toEqual(
      [...Object.values(WATCHER_DETAIL_TYPES), ...Object.values(HEAL_DETAIL_TYPES), ORPHAN_TERMINATED, ...OTHER_EVENTS.map((e) => e.detailType)].sort(),
    );
  });

  it('has a schema for every healing detail-type the code publishes, and none it does not', () => {
    expect(healing.map((e) => e.detailType).sort()).toEqual([...Object.values(HEAL_DETAIL_TYPES), ORPHAN_TERMINATED].sort());
  });

  it.each(healing.map((e) => e.detailType))('%s: the committed JSON schema is the one the code has', (detailType) => {
    const section = sections.get(detailType) ?? '';
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(json, `${detailType} has no JSON schema in ${EVENTS_DOC}`).toBeTruthy();
    expect(JSON.parse(json as string)).toEqual(healingDetailJsonSchema(detailType));
    expect(healing.find((e) => e.detailType === detailType)?.schema.description).toBeTruthy();
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
