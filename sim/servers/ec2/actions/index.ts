import type { Ec2Action } from '../types.js';
import { describeInstanceStatus } from './describe-instance-status.js';
import { describeInstanceTypeOfferings } from './describe-instance-type-offerings.js';
import { describeInstances } from './describe-instances.js';
import { describeSubnets } from './describe-subnets.js';
import { startInstances, stopInstances, terminateInstances } from './lifecycle.js';
import { runInstances } from './run-instances.js';
import { createTags, deleteTags } from './tags.js';

/** The EC2 actions the simulator answers, by their Query API `Action` name. */
export const ACTIONS: Readonly<Record<string, Ec2Action>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  StopInstances: stopInstances,
  StartInstances: startInstances,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeSubnets: describeSubnets,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeInstanceTypeOfferings: describeInstanceTypeOfferings,
};
