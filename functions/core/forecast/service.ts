import { ValidationError } from '../errors.ts';
import { requireCluster } from '../clusters/find.ts';
import { capacityRecommendations } from './capacity.ts';
import { forecast } from './forecast.ts';
import { cpuPercentFromSamples, HISTORY_POLICY, longerHistory, needsPrometheusHistory } from './history.ts';
import type { ForecastPorts } from './ports.ts';

export interface ForecastRequest {
  cluster: string;
  service: string;
  namespace?: string;
  hours: number;
}

/**
 * The forecast use case, the same for `GET /v1/forecast` and `/fleet forecast`: fleetops' own CPU
 * samples, topped up from the cluster's Prometheus while they are young, Holt-Winters ahead, and
 * the capacity advice derived from it.
 */
export class ForecastService {
  private readonly ports: ForecastPorts;

  constructor(ports: ForecastPorts) {
    this.ports = ports;
  }

  async forecastFor(request: ForecastRequest) {
    const cluster = await requireCluster(this.ports.clusters, request.cluster);
    const namespaces = (request.namespace ? [request.namespace] : (cluster.namespaces ?? this.ports.defaultNamespaces)).map((n) => n.trim());
    const since = new Date(this.ports.clock.now().getTime() - HISTORY_POLICY.ownDays * 86_400_000);
    let samples: Awaited<ReturnType<ForecastPorts['samples']>> = [];
    for (const namespace of namespaces) {
      samples = await this.ports.samples(cluster.id, namespace, request.service, since);
      if (samples.length) break;
    }
    let series = cpuPercentFromSamples(samples);
    if (needsPrometheusHistory(series) && cluster.prometheus && this.ports.prometheusCpuHistory) {
      series = longerHistory(series, await this.ports.prometheusCpuHistory(cluster, namespaces, request.service).catch(() => []));
    }
    if (series.length < HISTORY_POLICY.minPoints) {
      throw new ValidationError(
        `Not enough cpu history for ${request.service} in ${cluster.name} yet (${series.length} samples)`,
        undefined,
        'INSUFFICIENT_DATA',
      );
    }
    const result = forecast(series, { horizonHours: request.hours, floor: 0 });
    return { predictions: result.predictions, recommendations: capacityRecommendations(series, result.predictions), model: result.model };
  }
}
