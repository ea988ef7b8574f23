import * as z from 'zod';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).meta({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const IdParams = z.object({ id: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'must be an id') });

export const EventEntry = z
  .object({
    source: z.string().min(1).max(256),
    'detail-type': z.string().min(1).max(128),
    detail: z.record(z.string(), z.unknown()),
    resources: z.array(z.string().max(2048)).max(10).optional(),
  })
  .meta({ id: 'EventEntry', description: 'One EventBridge PutEvents entry' });

export const EventAccepted = z.object({ id: z.string() });
