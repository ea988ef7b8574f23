import * as z from 'zod';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*$/)
        .meta({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, 'must be an id'),
});

export const EventEntry = z
  .object({
    source: z.string().min(1).max(256),
    'detail-type': z.string().min(1).max(128),
    /** An object, or a JSON string as in PutEvents' `Detail`. */
    detail: z.union([
      z.record(z.string(), z.unknown()),
      z
        .string()
        .max(256 * 1024)
        .transform((text, ctx) => {
          try {
            const value: unknown = JSON.parse(text);
            if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
          } catch {
            // reported below
          }
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object (or a string holding one)' });
          return z.NEVER;
        }),
    ]),
    resources: z.array(z.string().max(2048)).max(10).optional(),
  })
  .meta({ id: 'EventEntry', description: 'One EventBridge PutEvents entry' });

export const EventAccepted = z.object({ id: z.string() });
