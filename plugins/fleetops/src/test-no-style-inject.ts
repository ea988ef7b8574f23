/** For the plugin's jsdom tests only (vitest.config.ts alias): @backstage/ui's nested CSS is not for jsdom, whose parser rejects it loudly. */
export default function styleInject(): void {}
