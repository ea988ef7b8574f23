import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { FunctionSettings } from '../../functions/definitions/functions.ts';

/** Bundling shared by every function (and by bench/bundle-size.bench.ts, which measures it). */
export const BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM bundles need it defined.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  externalModules: ['@aws-sdk/*'],
};

export interface FleetFunctionProps {
  /** functions/handlers/<handler>.ts */
  handler: string;
  projectRoot: string;
  settings: FunctionSettings;
  environment: Record<string, string>;
  key: kms.IKey;
  logRetention?: logs.RetentionDays;
  /** Layers the settings ask for (built by the stack's Layers construct). */
  layers?: lambda.ILayerVersion[];
}

/**
 * One Lambda entry point: Node 22 on ARM64 (x86-64 when its layers need it), bundled with esbuild (minified, source maps,
 * tree-shaken, AWS SDK from the runtime), its own encrypted log group, X-Ray tracing.
 */
export class FleetFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: FleetFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.key,
    });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(props.projectRoot, 'functions', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.settings.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      layers: props.layers,
      memorySize: props.settings.memoryMb ?? 512,
      timeout: Duration.seconds(props.settings.timeoutSeconds ?? 29),
      ...(props.settings.reservedConcurrency ? { reservedConcurrentExecutions: props.settings.reservedConcurrency } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      bundling: { ...BUNDLING, format: OutputFormat.ESM },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `fleetops-${props.handler}`,
        POWERTOOLS_METRICS_NAMESPACE: 'fleetops',
        FLEETOPS_RUNTIME: 'aws',
        ...props.environment,
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only X-Ray tracing uses Resource "*" here: xray:PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
