import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import esbuild from 'rollup-plugin-esbuild'
export default { input: process.env.IN, treeshake: { moduleSideEffects: false, preset: 'smallest' }, output: { file: '/tmp/r.js', format: 'iife', name: 'X' }, plugins: [nodeResolve({ browser: true }), esbuild(), terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } })] }
