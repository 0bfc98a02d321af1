import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LEDGER_PARTITION_KEY, LEDGER_TTL_ATTRIBUTE } from '../../../lambda/core/ledger-schema';
import { DedupeTable, LEDGER_ACTIONS } from '../../../lib/constructs/dedupe-table';
import { testStack } from '../support/infra-fixtures';

describe('DedupeTable', () => {
  let template: Template;

  beforeAll(() => {
    const stack = testStack();
    const dedupe = new DedupeTable(stack, 'Dedupe');
    const role = new iam.Role(stack, 'Verifier', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    dedupe.grantLedgerAccess(role);
    template = Template.fromStack(stack);
  });

  it('keys items by the ledger schema partition key and expires them on its TTL attribute', () => {
    expect([LEDGER_PARTITION_KEY, LEDGER_TTL_ATTRIBUTE]).toEqual(['pk', 'expiresAt']);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is on-demand, point-in-time recoverable, encrypted and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('grants exactly the item actions of the ledger, on this table only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: [...LEDGER_ACTIONS].sort(),
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DedupeTable'), 'Arn'] },
          },
        ],
      },
    });
    expect([...LEDGER_ACTIONS].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});
