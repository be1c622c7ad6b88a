declare const __PM_VERSION__: string | undefined;

/** pm's version, injected by the build; `0.0.0-dev` when run from source. */
export const VERSION: string = typeof __PM_VERSION__ === 'string' ? __PM_VERSION__ : '0.0.0-dev';
