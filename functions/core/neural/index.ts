export { trainAutoencoder, loadAutoencoder, GOLDEN_SIGNAL_FEATURES, AUTOENCODER_ARTEFACT_VERSION, AUTOENCODER_DEFAULTS } from './autoencoder.ts';
export type { Activation, AutoencoderArtefact, AutoencoderScorer, DenseLayerSpec, TrainAutoencoderOptions } from './autoencoder.ts';
export { errorQuantiles, errorToScore01, quantileSorted } from './calibration.ts';
export type { ErrorQuantiles } from './calibration.ts';
export { combineScores, forestTo01, COMBINE_DEFAULTS } from './combine.ts';
export type { CombineOptions, CombinedScore } from './combine.ts';
export { ensureCpuBackend } from './backend.ts';
