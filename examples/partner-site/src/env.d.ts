/** the SDK module the build bundled (vite.config.mts): its ESM build, or its source when it was not built */
declare const __SDK_ENTRY__: string;

declare module '*.css';
