import { describe, expect, it } from 'vitest';
import { isSsmParameterArn, parseSecretRef } from '../../config/secret-ref.js';

describe('Function: parseSecretRef', () => {
  it('reads a hierarchical parameter ARN as the name with its leading slash, and a plain one as the bare name', () => {
    expect(parseSecretRef('arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/demo/kubeconfig')).toEqual({
      kind: 'ssm-parameter',
      arn: 'arn:aws:ssm:eu-west-3:123456789012:parameter/shepherd/demo/kubeconfig',
      region: 'eu-west-3',
      name: '/shepherd/demo/kubeconfig',
    });
    expect(parseSecretRef('arn:aws-cn:ssm:cn-north-1:123456789012:parameter/kubeconfig')).toMatchObject({ region: 'cn-north-1', name: 'kubeconfig' });
  });

  it('tells Secrets Manager ARNs, with or without the random suffix, from parameters', () => {
    expect(parseSecretRef('arn:aws:secretsmanager:us-east-1:123456789012:secret:shepherd/kubeconfig-AbC123')?.kind).toBe('secretsmanager');
    expect(isSsmParameterArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:shepherd/kubeconfig')).toBe(false);
    expect(isSsmParameterArn('arn:aws:ssm:us-east-1:123456789012:parameter/shepherd/kubeconfig')).toBe(true);
  });

  it.each([
    'arn:aws:ssm:us-east-1:123456789012:parameter/',
    'arn:aws:ssm:us-east-1:123456789012:parameter/a b',
    'arn:aws:ssm:us-east-1:123456789012:parameter/a/',
    `arn:aws:ssm:us-east-1:123456789012:parameter/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`,
    'arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    '/shepherd/kubeconfig',
  ])('refuses %s', (arn) => {
    expect(parseSecretRef(arn)).toBeUndefined();
  });
});
