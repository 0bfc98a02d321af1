/**
 * Automatic rotation of the Basic credential: the rotation function, Secrets Manager's permission to invoke it, and
 * the schedule. After each rotation the function flushes the stage's authorizer cache and announces
 * `credentials.rotated` on the account's default bus (no secret in it) so operators update the providers' URLs.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PropsProblems } from './props-validation';
import type { WebhookFunction } from './webhook-function';
import type { WebhookSecrets } from './webhook-secrets';

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

    fn.addPermission('InvokeFromSecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
    });
    const permission = fn.node.findChild('InvokeFromSecretsManager');

    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secrets.credentials.secretArn,
      rotationLambdaArn: fn.functionArn,
      rotationRules: { automaticallyAfterDays: props.rotationDays },
      // A deployment must not rotate by itself: every rotation means updating each provider's URL.
      rotateImmediatelyOnUpdate: false,
    });
    // Secrets Manager checks that it may invoke the function when the schedule is created.
    this.schedule.node.addDependency(permission);
  }
}
