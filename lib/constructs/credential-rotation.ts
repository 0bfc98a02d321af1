/**
 * Automatic rotation of the Basic credential: the rotation function, Secrets Manager's permission to invoke it, and
 * the schedule. After each rotation the function flushes the stage's authorizer cache and announces
 * `credentials.rotated` on the account's default bus (no secret in it) so operators update the providers' URLs.
 * With managed providers the function also updates their webhooks itself (setSecret/testSecret,
 * docs/provider-sync.md): it may then read the provider-API-keys secret and manage the SNS subscriptions of the
 * configured topics, nothing more.
 */
import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PropsProblems } from './props-validation';
import type { WebhookFunction } from './webhook-function';
import type { WebhookSecrets } from './webhook-secrets';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Props of {@link CredentialRotation}. */
export interface CredentialRotationProps {
  /** The secrets construct holding the Basic credential. */
  readonly secrets: WebhookSecrets;
  /** The rotation function (`lambda/rotation/handler.ts`), environment already set. */
  readonly rotationFunction: WebhookFunction;
  /** The API whose authorizer cache the rotation flushes. */
  readonly restApi: apigw.IRestApi;
  /** The stage whose authorizer cache the rotation flushes. */
  readonly stageName: string;
  /** Days between automatic rotations (1 to 1000). */
  readonly rotationDays: number;
  /**
   * Managed providers (docs/provider-sync.md): the function reads `secrets.providerApiKeys` (which must exist) and,
   * for Amazon SES, manages the subscriptions of `snsTopicArns` (Subscribe, Unsubscribe, ListSubscriptionsByTopic,
   * GetSubscriptionAttributes on those topics only).
   * @default undefined: no provider is managed; the function calls no provider API
   */
  readonly managedProviders?: { readonly snsTopicArns?: readonly string[] };
}

/**
 * The rotation schedule of the Basic credential and everything the rotation function may do (nothing more).
 *
 * Built on `CfnRotationSchedule` rather than `Secret.addRotationSchedule`, which would also grant
 * `secretsmanager:GetRandomPassword` on `*` (the function generates passwords with node:crypto) and add a
 * resource policy denying the whole account `DeleteSecret`.
 *
 * @example
 * new CredentialRotation(this, 'Rotation', { secrets, rotationFunction, restApi: api.api, stageName: 'dev',
 *   rotationDays: 30 });
 */
export class CredentialRotation extends Construct {
  /** The schedule. */
  public readonly schedule: secretsmanager.CfnRotationSchedule;

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const problems = new PropsProblems('CredentialRotation');
    problems.integer('rotationDays', props.rotationDays, { min: 1, max: 1000 });
    problems.matches('stageName', props.stageName, /^[A-Za-z0-9_-]{1,128}$/, 'an API Gateway stage name');
    if (props.managedProviders !== undefined && props.secrets.providerApiKeys === undefined) {
      problems.add('managedProviders needs the provider-API-keys secret (WebhookSecrets providerApiKeys: true)');
    }
    for (const [index, topicArn] of (props.managedProviders?.snsTopicArns ?? []).entries()) {
      if (!Token.isUnresolved(topicArn)) {
        problems.matches(`managedProviders.snsTopicArns[${index}]`, topicArn, SNS_TOPIC_ARN, 'an SNS topic ARN');
      }
    }
    problems.throwIfAny();

    const stack = Stack.of(this);
    const fn = props.rotationFunction.function;
    props.secrets.grantRotateCredentials(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:DELETE'],
        resources: [
          // FlushStageAuthorizersCache is a DELETE on exactly this path.
          `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${props.restApi.restApiId}/stages/${props.stageName}/cache/authorizers`,
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'event-bus',
            resourceName: 'default',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );

    if (props.managedProviders !== undefined) {
      props.secrets.grantReadProviderApiKeys(fn);
      const topics = props.managedProviders.snsTopicArns ?? [];
      if (topics.length > 0) {
        // A policy of its own, so the subscription wildcards are acknowledged here and nowhere else.
        const snsPolicy = new iam.Policy(this, 'SnsSubscriptionsPolicy', {
          roles: [props.rotationFunction.role],
          statements: [
            new iam.PolicyStatement({
              actions: ['sns:Subscribe', 'sns:ListSubscriptionsByTopic'],
              resources: [...topics],
            }),
            // Unsubscribe and GetSubscriptionAttributes act on a subscription: `<topic ARN>:<subscription id>`.
            new iam.PolicyStatement({
              actions: ['sns:Unsubscribe', 'sns:GetSubscriptionAttributes'],
              resources: topics.map((topic) => `${topic}:*`),
            }),
          ],
        });
        fn.node.addDependency(snsPolicy);
        for (const topic of topics) {
          Validations.of(snsPolicy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${topic}:*]`,
            reason:
              "Subscription ARNs are <topic ARN>:<id>, the id chosen by SNS at Subscribe: the rotation may unsubscribe and read only the subscriptions of the managed SES topic.",
          });
        }
      }
    }

    fn.addPermission('InvokeFromSecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
    });
    const permission = fn.node.findChild('InvokeFromSecretsManager');

    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secrets.credentials.secretArn,
      rotationLambdaArn: fn.functionArn,
      rotationRules: { automaticallyAfterDays: props.rotationDays },
      // A deployment must not rotate by itself: every rotation means updating each provider's URL (or, for managed
      // providers, calling their APIs), which an operator should choose to start.
      rotateImmediatelyOnUpdate: false,
    });
    // Secrets Manager checks that it may invoke the function when the schedule is created.
    this.schedule.node.addDependency(permission);
  }
}
