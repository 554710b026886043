// Why this exists: the DynamoDB tables are created here, and only here, from the table
// definitions in schema.json — the list the local stack provisions from — so a key, an index or
// a TTL attribute cannot differ between a laptop and AWS. Durability follows the definition's
// `durable` flag; what an environment may lose follows its name (production keeps everything).

import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { TableDef } from '../schema';

export interface DataProps {
  readonly tables: readonly TableDef[];
  /** Physical name = prefix + logical name (`wecare-production-Contacts`), as `physical_name` in Rust. */
  readonly resourcePrefix: string;
  /** Production: deletion protection on every table, and tables survive the stack's deletion. */
  readonly production: boolean;
}

export class Data extends Construct {
  /** Tables by logical name (`Contacts`, `DLQMessages`, …). */
  readonly tables: ReadonlyMap<string, Table>;
  /** Environment variable → physical table name, for every function. */
  readonly environment: Readonly<Record<string, string>>;
  private readonly indexed = new Set<string>();

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const tables = new Map<string, Table>();
    const environment: Record<string, string> = {};
    for (const def of props.tables) {
      const table = new Table(this, def.table, {
        tableName: `${props.resourcePrefix}${def.name}`,
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        sortKey: { name: def.sortKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: def.ttlAttribute ?? undefined,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.durable },
        deletionProtection: props.production,
        removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const gsi of def.gsis) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.name,
          partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
          sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
          projectionType: gsi.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
        });
      }
      if (def.gsis.length > 0) this.indexed.add(def.name);
      if (!def.durable) {
        this.acknowledgeNoPitr(table, def);
      }
      tables.set(def.name, table);
      environment[def.envVar] = table.tableName;
    }
    this.tables = tables;
    this.environment = environment;
  }

  /** Whether the table has global secondary indexes (grants on it then cover `<arn>/index/*`). */
  hasIndexes(name: string): boolean {
    return this.indexed.has(name);
  }

  /** The table with this logical name, or a message naming the ones that exist. */
  table(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw new Error(`no table ${name} in schema.json (tables: ${[...this.tables.keys()].join(', ')})`);
    return table;
  }

  private acknowledgeNoPitr(table: Table, def: TableDef): void {
    const why = def.ttlAttribute
      ? `its items expire through the ${def.ttlAttribute} TTL`
      : NON_DURABLE_WITHOUT_TTL[def.name];
    // A non-durable table without a written reason stays flagged by cdk-nag on purpose.
    if (why === undefined) return;
    Validations.of(table).acknowledge({
      id: 'AwsSolutions::AwsSolutions-DDB3',
      reason: `${def.name} is marked non-durable in the shared table definition (crates/core/src/tables.rs): ${why}, so continuous backups would pay for data nobody restores.`,
    });
  }
}

/** Why a non-durable table that does not expire its items needs no point-in-time recovery. */
const NON_DURABLE_WITHOUT_TTL: Readonly<Record<string, string>> = {
  BulkRecipients: 'its rows are the fan-out of a bulk job while it runs; the outcome is kept in the durable BulkJobs table and in the job\'s CSV report in S3',
};
