export { forecast, planModel, trendDamping, MAX_HORIZON_HOURS } from './forecast.ts';
export type { ForecastMethod, ForecastModel, ForecastOptions, ForecastPrediction, ForecastResult, IntervalLevel } from './forecast.ts';
export { capacityRecommendations, CAPACITY_DEFAULTS } from './capacity.ts';
export type { CapacityOptions, CapacityRecommendations } from './capacity.ts';
export { inferStepMs, resample, toRegularSeries, validateSeries, MAX_GRID_POINTS } from './series.ts';
export type { RegularSeries, SeriesPoint } from './series.ts';
export { initialState, intervalGrowth, predictHoltWinters, runHoltWinters } from './holt-winters.ts';
export type { HoltWintersMethod, HoltWintersParams, HoltWintersState } from './holt-winters.ts';
export { gridSearch, minimizeBounded, nelderMead } from './optimize.ts';
