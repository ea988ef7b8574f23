import { provideLocalAdapters } from '../../wiring.ts';
import { EncryptedFileSecretStore } from './encrypted-file-secret-store.ts';
import { LocalBusPublisher } from './local-bus-publisher.ts';
import { LocalTaskCallbacks, LocalWorkflowStarter } from './local-workflows.ts';

/** Called by the local runtime (local/handlers.ts): the wiring uses these when FLEETOPS_RUNTIME=local. */
export function registerLocalAdapters(): void {
  provideLocalAdapters({
    secrets: (dataDir) => new EncryptedFileSecretStore(dataDir),
    events: () => new LocalBusPublisher(),
    workflows: () => new LocalWorkflowStarter(),
    taskCallbacks: () => new LocalTaskCallbacks(),
  });
}
