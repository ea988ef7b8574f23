import { coreServices, createBackendModule, readSchedulerServiceTaskScheduleDefinitionFromConfig } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { fleetopsReader } from './client.ts';
import { FleetopsClusterProvider } from './FleetopsClusterProvider.ts';
import { FleetopsStatusProcessor } from './FleetopsStatusProcessor.ts';

/**
 * `backend.add(import('@fleetops/backstage-plugin-catalog-backend-module-fleetops'))`, configured by
 * ```yaml
 * fleetops:
 *   baseUrl: https://fleetops.example.com
 *   token: ${FLEETOPS_CATALOG_TOKEN}    # a viewer credential for the catalog's reads
 *   schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } }
 * ```
 */
export const catalogModuleFleetops = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'fleetops',
  register(env) {
    env.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint, config: coreServices.rootConfig, scheduler: coreServices.scheduler, logger: coreServices.logger },
      async init({ catalog, config, scheduler, logger }) {
        const reader = fleetopsReader({ baseUrl: config.getString('fleetops.baseUrl'), token: config.getString('fleetops.token') });
        const provider = new FleetopsClusterProvider(reader);
        const schedule = config.has('fleetops.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('fleetops.schedule'))
          : { frequency: { minutes: 5 }, timeout: { minutes: 1 }, initialDelay: { seconds: 5 } };
        catalog.addEntityProvider({
          getProviderName: () => provider.getProviderName(),
          connect: async (connection) => {
            await provider.connect(connection);
            await scheduler.scheduleTask({
              id: `${provider.getProviderName()}:refresh`,
              ...schedule,
              fn: async () => {
                try {
                  const entities = await provider.refresh();
                  logger.info(`fleetops: ${entities.length} clusters in the catalog`);
                } catch (error) {
                  logger.warn(`fleetops: cluster refresh failed: ${(error as Error).message}`);
                }
              },
            });
          },
        });
        catalog.addProcessor(new FleetopsStatusProcessor(reader));
      },
    });
  },
});
