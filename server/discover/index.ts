// Finding the model engines on a machine and writing a fleet config for them. The CLI's
// `routerllm discover` prints it; the daemon can serve it to the editor (nothing here reaches
// beyond config/).
export { discoverEngines, defaultProbes, probesFor, DEFAULT_PORTS, DEFAULT_TIMEOUT_MS, ENGINE_NAMES } from './discover';
export { fleetConfigFor, renderFleetConfig, type FleetConfig, type FleetPlan, type LeftOut } from './fleet-config';
export type { DiscoveredEngine, DiscoveredModel, DiscoverOptions, EngineKind, Probe } from './types';
