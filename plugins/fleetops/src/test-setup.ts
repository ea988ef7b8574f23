/** Imported first by the plugin's component tests: unmount what a test rendered before the next one. */
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => cleanup());
