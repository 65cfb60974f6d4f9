// The recorded fleet: an OpenAI-compatible HTTP server answering with real recorded model outputs
// (data/recordings), with modelled latency, vLLM/DCGM-style metrics and injectable faults.
export { startFleet, RecordedFleet, MAX_BODY_BYTES, RECORDING_NOT_FOUND, NOT_A_BENCHMARK_TASK, type Fleet, type FleetOptions } from './server';
export { loadRecordings, shippedRecordingFiles, type Recording, type RecordedSet } from './recordings';
export { modelledLatencyMs, modelledEnergyJ, catalogueModelFor } from './latency';
export { servedTokens, functionBody } from './answer';
export { FAULTS, type FaultKind } from './faults';
