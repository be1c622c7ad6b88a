/** Stylesheets are bundled by esbuild into dist/web/app.css. */
declare module '*.css';
