/** What the DNS checks put on the project's bus (docs/events.md); names only, so deployed code imports no zod. */
import { DNS_DETAIL_TYPES } from './failover-events.js';

export { DNS_SOURCE } from './failover-events.js';
export const TARGET_HEALTH_CHANGED = DNS_DETAIL_TYPES.targetHealthChanged;
