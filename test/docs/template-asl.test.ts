import { describe, expect, it } from 'vitest';
import { DefinitionReadError, stateMachineDefinitions } from '../../tools/docs/template-asl.js';

const definitionString = {
  'Fn::Join': [
    '',
    [
      '{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"',
      { 'Fn::GetAtt': ['CloudVmsFunctionB23B3860', 'Arn'] },
      '","Next":"Child"},"Child":{"Type":"Task","Resource":"arn:',
      { Ref: 'AWS::Partition' },
      ':states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"',
      { Ref: 'HealNodeStateMachine0A1B2C3D' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, not a template literal
      '","Input.$":"${input}"},"End":true}}}',
    ],
  ],
};

describe('Function: stateMachineDefinitions', () => {
  const machines = stateMachineDefinitions({
    Resources: {
      CloudVmsFunctionB23B3860: { Type: 'AWS::Lambda::Function', Properties: {} },
      ProvisionNodeStateMachineBA922272: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: definitionString, DefinitionSubstitutions: { input: '$.payload' } },
      },
      HealNodeStateMachine0A1B2C3D: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { StateMachineName: 'demo-heal-node', Definition: { StartAt: 'Ok', States: { Ok: { Type: 'Succeed' } } } },
      },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    },
  });

  it('reads every state machine, named by StateMachineName or by its construct, sorted by name', () => {
    expect(machines.map((m) => m.name)).toEqual(['demo-heal-node', 'ProvisionNode']);
    expect(machines[0].definition).toEqual({ StartAt: 'Ok', States: { Ok: { Type: 'Succeed' } } });
  });

  it('resolves Fn::Join, function references, other resources, pseudo parameters and definition substitutions', () => {
    const states = machines[1].definition.States;
    expect(states.Run.Resource).toBe('arn:aws:lambda:<Region>:<AccountId>:function:CloudVms');
    expect(states.Child.Resource).toBe('arn:<Partition>:states:::states:startExecution.sync:2');
    expect(states.Child.Parameters).toEqual({ StateMachineArn: 'demo-heal-node', 'Input.$': '$.payload' });
  });

  it('names an intrinsic function it cannot read', () => {
    const template = {
      Resources: { M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Sub': '{}' } } } },
    };
    expect(() => stateMachineDefinitions(template)).toThrow(DefinitionReadError);
    expect(() => stateMachineDefinitions(template)).toThrow(/Fn::Sub/);
  });
});
