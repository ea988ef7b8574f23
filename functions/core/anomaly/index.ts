export { IsolationForest, averagePathLength, percentile, scoreToSeverity, SEVERITY_DEFAULTS, MODEL_VERSION } from './isolation-forest.ts';
export type { IsolationForestJSON, IsolationForestOptions, Matrix, Severity, SeverityOptions, TrainingWindow } from './isolation-forest.ts';
export { StandardScaler } from './scaler.ts';
export type { StandardScalerJSON } from './scaler.ts';
export { Rng } from './random.ts';
export { StreamingAnomalyDetector, scoreSeries, STREAMING_DEFAULTS } from './streaming/detector.ts';
export type { StreamingDetectorOptions } from './streaming/detector.ts';
export { KnnNovelty } from './streaming/knn-novelty.ts';
