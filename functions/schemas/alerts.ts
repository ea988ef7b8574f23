/** The alert sources' wire shapes live with the feature (core/alerts/wire-schemas.ts). */
export * from '../core/alerts/wire-schemas.ts';
