/** Stops everything once on SIGINT/SIGTERM (DynamoDB Local's Java process included), then exits. */
export function stopOnSignals(stop: () => Promise<unknown>, log: (line: string) => void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
