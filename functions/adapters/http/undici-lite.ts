/**
 * undici's Agent and fetch without its index, which loads every dispatcher, the mock agents, cache stores and
 * WebSocket (about 720 KiB minified). Clients that only fetch (Prometheus, catalog URLs) use these; the Kubernetes
 * client brings the whole package anyway.
 */
import type * as Undici from 'undici';
// @ts-expect-error undici ships no types for its internal modules; the public types below describe them.
import AgentModule from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error as above
import fetchModule from 'undici/lib/web/fetch/index.js';

export const Agent = AgentModule as typeof Undici.Agent;
export const undiciFetch = (fetchModule as { fetch: typeof Undici.fetch }).fetch;
