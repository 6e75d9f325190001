/*
 * EC2 events as AWS documents them, copied in shape from AWS's examples (values as in the examples; where the
 * example has placeholders such as "yyyy-mm-ddThh:mm:ssZ" or "action", a documented value stands in).
 */

// EC2 user guide, "Spot Instance interruption notices", EC2 Spot Instance Interruption Warning event:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
// (instance-action is one of hibernate, stop, terminate).
export const spotInterruptionWarning = {
  version: '0',
  id: '12345678-1234-1234-1234-123456789012',
  'detail-type': 'EC2 Spot Instance Interruption Warning',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2021-02-03T14:05:00Z',
  region: 'us-east-2',
  resources: ['arn:aws:ec2:us-east-2:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', 'instance-action': 'terminate' },
};

// EC2 user guide, "EC2 instance rebalance recommendations", example event of the rebalance recommendation signal:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
export const rebalanceRecommendation = {
  version: '0',
  id: '12345678-1234-1234-1234-123456789012',
  'detail-type': 'EC2 Instance Rebalance Recommendation',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2021-02-03T14:03:00Z',
  region: 'us-east-2',
  resources: ['arn:aws:ec2:us-east-2:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0' },
};

// EC2 user guide, "State change events for Amazon EC2 instances" (the example is "pending"; the possible states are
// pending, running, stopping, stopped, shutting-down, terminated):
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instance-state-changes.html
export function stateChange(state: string) {
  return {
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2021-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state },
  };
}

// AWS Health user guide, "Reference: AWS Health events Amazon EventBridge schema" (envelope and detail fields:
// eventArn, service, eventTypeCode, eventTypeCategory, eventScopeCode, communicationId, startTime, statusCode,
// eventRegion, eventDescription, affectedEntities[].entityValue):
// https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html
// and the EC2 scheduled-change example that AWS Node Termination Handler handles
// (aws/aws-node-termination-handler, pkg/monitor/sqsevent/scheduled-change-event.go).
export const healthScheduledChange = {
  version: '0',
  id: '7fb65329-1628-4cf3-a740-95fg457h1402',
  'detail-type': 'AWS Health Event',
  source: 'aws.health',
  account: '123456789012',
  time: '2016-06-05T06:27:57Z',
  region: 'us-east-1',
  resources: ['i-abcd1111'],
  detail: {
    eventArn: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_ABC123-DEF456',
    service: 'EC2',
    eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
    eventTypeCategory: 'scheduledChange',
    eventScopeCode: 'ACCOUNT_SPECIFIC',
    communicationId: '01b0993207d81a09dcd552ebd1e633e36cf1f09a-1',
    startTime: 'Sat, 05 Jun 2016 15:10:09 GMT',
    statusCode: 'upcoming',
    eventRegion: 'us-east-1',
    eventDescription: [{ language: 'en_US', latestDescription: 'A description of the event will be provided here' }],
    affectedEntities: [{ entityValue: 'i-abcd1111', tags: { stage: 'prod', app: 'my-app' } }],
  },
};
