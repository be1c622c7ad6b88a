export { main, buildProgram, processIo, type CliIo } from './main.js';
