/**
 * The dedupe ledger: one item per event key, claimed with a conditional write and expired by DynamoDB TTL. The key
 * and TTL attribute names come from `lambda/core/ledger-schema.ts`, the same module the ledger adapter writes with.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LEDGER_PARTITION_KEY, LEDGER_TTL_ATTRIBUTE } from '../../lambda/core/ledger-schema';

/** The item-level actions the ledger adapter uses; nothing that scans, queries or changes the table. */
export const LEDGER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** Props of {@link DedupeTable}. */
export interface DedupeTableProps {
  /**
   * What happens to the table when it leaves the stack. Losing it lets already-published events through again.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept on deletion, removed when a failed create rolls back
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * On-demand, point-in-time-recoverable, encrypted table keyed by {@link LEDGER_PARTITION_KEY} with TTL on
 * {@link LEDGER_TTL_ATTRIBUTE}.
 *
 * @example
 * const dedupe = new DedupeTable(this, 'Dedupe');
 * dedupe.grantLedgerAccess(verifier.function);
 */
export class DedupeTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DedupeTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: LEDGER_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }

  /** Lets a function claim, complete, release and read ledger items, on this table only. */
  grantLedgerAccess(grantee: iam.IGrantable): void {
    this.table.grant(grantee, ...LEDGER_ACTIONS);
  }
}
