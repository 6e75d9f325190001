import { Metrics } from '@aws-lambda-powertools/metrics';

export { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Counts for handlers to record (`metrics.addMetric('launched', MetricUnit.Count, 1)`), written as CloudWatch
 * embedded metric format lines when `withExecutionContext` flushes them. Each metric name is a custom metric
 * with its own monthly price: add one only when an alarm or a dashboard reads it.
 */
export const metrics = new Metrics({ namespace: 'Shepherd', serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'shepherd' });
