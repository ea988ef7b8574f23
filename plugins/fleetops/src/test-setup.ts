/** Imported first by the plugin's component tests: unmount between tests, and keep jsdom's CSS complaints out of the output. */
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => cleanup());

// jsdom cannot parse the nested CSS that @backstage/ui injects; that says nothing about the components under test.
const error = console.error.bind(console);
console.error = (...args: unknown[]) => {
  const first = args[0];
  if ((first instanceof Error && first.message.includes('Could not parse CSS stylesheet')) || (typeof first === 'string' && first.includes('Could not parse CSS stylesheet'))) return;
  error(...args);
};
