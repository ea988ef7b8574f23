import { ErrorResponse } from '../../schemas/common.ts';

export const unauthorized = {
  401: { description: 'Missing or invalid credential', schema: ErrorResponse },
  403: { description: 'Valid credential without the role this route needs', schema: ErrorResponse },
};
export const badRequest = { 400: { description: 'Invalid request', schema: ErrorResponse } };
export const notFound = { 404: { description: 'No such resource', schema: ErrorResponse } };
export const unreachable = { 502: { description: 'The cluster could not be reached; nothing was stored', schema: ErrorResponse } };
