import type { KubeObject } from '../../../world/types.js';
import { PRINTERS } from './printers.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * A meta.k8s.io/v1 Table, what `kubectl get` asks for: the kind's columns (priority 1 ones are
 * the `-o wide` extras) and one row per object, carrying the object as PartialObjectMetadata,
 * in full (in the requested version's form, `wire`), or not at all (`includeObject`). Cells come from the stored form.
 */
export function toTable(
  resource: string,
  objects: KubeObject[],
  metadata: ListMeta,
  includeObject: 'None' | 'Metadata' | 'Object',
  now: number,
  wire: (obj: KubeObject) => KubeObject = (obj) => obj,
) {
  const printer = PRINTERS[resource];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: printer.columns,
    rows: objects.map((obj) => ({ cells: printer.cells(obj, now), ...rowObject(wire(obj), includeObject) })),
  };
}

function rowObject(obj: KubeObject, includeObject: 'None' | 'Metadata' | 'Object') {
  if (includeObject === 'None') return {};
  if (includeObject === 'Object') return { object: obj };
  return { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata } };
}
