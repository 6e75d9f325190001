/**
 * The cluster hints' memory: Lambda's smallest size, as the DNS check runner (the same Kubernetes client, one list of
 * Nodes and one of pods, a DynamoDB read and a Lambda client; dns-checks-sizing.ts measured 81 MiB at peak for the
 * runner). Its own file so the cost command reads it without CDK.
 */
export const CLUSTER_HINTS_MEMORY_MB = 128;
