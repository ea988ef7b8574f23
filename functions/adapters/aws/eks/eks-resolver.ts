import type { EksResolver } from '../../../core/clusters/registry.ts';
import type { SafeKubeconfig } from '../../../core/clusters/kubeconfig-policy.ts';
import { describeEksCluster, eksCredentialsProvider, getEksToken, type CredentialsProvider } from './eks-token.ts';

/** Endpoint and CA from eks:DescribeCluster, a bearer token minted in-process (no aws CLI in Lambda). */
export class AwsEksResolver implements EksResolver {
  private readonly providers = new Map<string, CredentialsProvider>();

  async resolve(ref: { clusterName: string; region: string; roleArn?: string }): Promise<SafeKubeconfig> {
    const key = `${ref.region}|${ref.roleArn ?? ''}`;
    let credentials = this.providers.get(key);
    if (!credentials) {
      credentials = eksCredentialsProvider({ region: ref.region, roleArn: ref.roleArn });
      this.providers.set(key, credentials);
    }
    const { server, caData } = await describeEksCluster(ref.clusterName, ref.region, credentials);
    const token = await getEksToken({ clusterName: ref.clusterName, region: ref.region, credentials });
    return { server, caData, contextName: ref.clusterName, clusterName: ref.clusterName, user: { token } };
  }
}
