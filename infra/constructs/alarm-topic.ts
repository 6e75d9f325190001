import { Aspects, type IAspect } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';

export interface AlarmTopicProps {
  readonly topicName: string;
  /** Subscribed by e-mail; AWS sends the address a confirmation link first. */
  readonly email?: string;
}

/**
 * The SNS topic every alarm of a scope reports to, going into ALARM and back to OK, with an optional e-mail
 * subscription. Publishing needs TLS. No server-side encryption: CloudWatch alarms cannot publish to a topic under
 * the AWS-managed SNS key, a customer-managed key costs $1 a month, and alarm messages carry no secret.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { topicName: props.topicName, displayName: 'multicloud-shepherd alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Every alarm in `scope`, those added later included, notifies this topic. */
  notifyAllIn(scope: IConstruct): void {
    Aspects.of(scope).add(new NotifyTopic(new actions.SnsAction(this.topic)));
  }
}

class NotifyTopic implements IAspect {
  constructor(private readonly action: cloudwatch.IAlarmAction) {}

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm)) return;
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
