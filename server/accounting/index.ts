// Energy, carbon and cost accounting: estimates, DCGM measurement, budgets, the ledger, metrics and stats.
export * from '../config/calibration';
export * from './energy';
export * from './carbon';
export * from './cost';
export * from './footprint';
export * from './prometheus';
export * from './dcgm';
export * from './predictor';
export * from './budgets';
export * from './ledger';
export * from './metrics';
export * from './recommendations';
export * from './stats';
export * from './accountant';
