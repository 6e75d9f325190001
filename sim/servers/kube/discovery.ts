import type { SimResponse } from '../../http.js';
import { API_GROUPS, type ApiResource, groupVersion, RESOURCE_VERBS, resourcesOf, versionsOf } from './catalog.js';

/**
 * Legacy (unaggregated) discovery documents. Clients that ask for aggregated discovery
 * (`as=APIGroupDiscoveryList`) also accept plain JSON and fall back to walking these.
 */

/** `/version`: the control plane's version, which kubectl and SDKs read. */
export function versionInfo(version: string): SimResponse {
  const [major, minor] = version.split('.');
  return {
    status: 200,
    body: {
      major,
      minor,
      gitVersion: `v${version}`,
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '',
      goVersion: 'go1.22.8',
      compiler: 'gc',
      platform: 'linux/amd64',
    },
  };
}

/** `/api`: the core group's versions and where clients reach the server. */
export function coreVersions(serverAddress: string): SimResponse {
  return {
    status: 200,
    body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] },
  };
}

/** `/apis`: every named group with its versions. */
export function groupList(): SimResponse {
  return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: API_GROUPS.map(groupEntry) } };
}

/** `/apis/{group}`; undefined when the group is not served. */
export function group(name: string): SimResponse | undefined {
  if (!API_GROUPS.includes(name)) return undefined;
  return { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(name) } };
}

/** `/api/v1`, `/apis/{group}/{version}`; undefined when that group version is not served. */
export function resourceList(group: string, version: string): SimResponse | undefined {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  return {
    status: 200,
    body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources: resources.flatMap(describe) },
  };
}

function groupEntry(name: string) {
  const versions = versionsOf(name).map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions, preferredVersion: versions[0] };
}

function describe(r: ApiResource): Record<string, unknown>[] {
  const main = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: RESOURCE_VERBS,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
  };
  const subs = r.subresources.map((s) => ({
    name: `${r.plural}/${s.name}`,
    singularName: '',
    namespaced: r.namespaced,
    ...(s.group ? { group: s.group, version: s.version } : {}),
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}
