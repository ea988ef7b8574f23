/** The deploy API's request and response shapes live with the feature (core/deploy/request-schemas.ts). */
export * from '../core/deploy/request-schemas.ts';
