import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [react()],
  // timeback-tracker is linked from this repository ("file:../.."), whose own node_modules has
  // a React too: two copies would break hooks. Take this app's, as an installed package would.
  resolve: { dedupe: ['react', 'react-dom'] },
})
