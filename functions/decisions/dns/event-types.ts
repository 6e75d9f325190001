/** What the DNS checks put on the project's bus (docs/events.md); names only, so deployed code imports no zod. */
export const DNS_SOURCE = 'shepherd.dns';
export const TARGET_HEALTH_CHANGED = 'Shepherd DNS Target Health Changed';
