import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EventTarget, RuleDefinition, ScheduleDefinition } from '../../functions/definitions/events.ts';

export interface EventsProps {
  /** Fixed, so functions can be told the name before the bus exists. */
  busName: string;
  /** Shared with the local bus and scheduler (functions/definitions/events.ts). */
  rules: RuleDefinition[];
  schedules: ScheduleDefinition[];
  functionFor(handler: string): lambda.IFunction;
  stateMachineFor(workflow: string): sfn.IStateMachine;
  key: kms.IKey;
}

/**
 * The fleetops bus, the rules that route events to functions and workflows, and the schedules.
 * Deliveries that fail after EventBridge's retries land in an encrypted dead-letter queue.
 */
export class Events extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'fleetops domain events' });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the EventBridge targets; a DLQ of a DLQ would only move the problem.',
    });

    // EventBridge writes undeliverable events into the queue, encrypted with the stack's key.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // Lambda targets are invoked asynchronously: a function that throws is retried by Lambda, then its
    // event goes to the same queue (the target DLQ alone only catches failed invocations).
    const failureDestination = new destinations.SqsDestination(this.deadLetterQueue);
    const configured = new Set<string>();
    const toTarget = (target: EventTarget): events.IRuleTarget => {
      if (target.kind === 'function' && !configured.has(target.handler)) {
        configured.add(target.handler);
        props.functionFor(target.handler).configureAsyncInvoke({ onFailure: failureDestination, retryAttempts: 2, maxEventAge: Duration.hours(6) });
      }
      const common = { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) };
      return target.kind === 'function'
        ? new targets.LambdaFunction(props.functionFor(target.handler), common)
        : new targets.SfnStateMachine(props.stateMachineFor(target.workflow), common);
    };

    for (const rule of props.rules) {
      new events.Rule(this, `Rule-${rule.id}`, {
        description: rule.description,
        eventBus: rule.bus === 'fleetops' ? this.bus : undefined,
        eventPattern: toEventPattern(rule.pattern),
        targets: [toTarget(rule.target)],
      });
    }
    for (const schedule of props.schedules) {
      new events.Rule(this, `Schedule-${schedule.id}`, {
        description: schedule.description,
        schedule: events.Schedule.rate(Duration.minutes(schedule.rateMinutes)),
        targets: [toTarget(schedule.target)],
      });
    }
  }
}

/** CDK's EventPattern uses camelCase for the envelope's top-level fields. */
function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    renamed[key === 'detail-type' ? 'detailType' : key] = value;
  }
  return renamed as events.EventPattern;
}
